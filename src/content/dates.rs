//! Dates as authors write them in YAML: `YYYY-MM-DD`, or a full date and
//! time (`2026-01-31T10:00:00Z`, `2026-01-31 10:00`), read as the date it
//! names where it was written. A date that is not one is refused in the
//! author's words (the format to use, the month or day that does not
//! exist), never in a date library's.

use std::fmt;

use jiff::civil::Date;
use serde::Deserializer;
use serde::de::{self, Visitor};

/// How to write a date, for every message.
const FORMAT: &str = "write dates as YYYY-MM-DD, e.g. 2026-01-31";

/// `text` as a date, or why it is not one.
pub(crate) fn parse(text: &str) -> Result<Date, String> {
    let t = text.trim();
    let not_a_date = || format!("`{t}` is not a date: {FORMAT}");
    let (day, time) = match t.char_indices().nth(10) {
        Some((i, 'T' | 't' | ' ')) => (&t[..i], true),
        Some(_) => return Err(not_a_date()),
        None => (t, false),
    };
    // a time after the date must be a real one: an instant or a wall-clock time
    if time && t.parse::<jiff::Timestamp>().is_err() && t.parse::<jiff::civil::DateTime>().is_err() {
        return Err(format!("`{t}` is not a date and time: {FORMAT}, or with a time as 2026-01-31T10:00:00Z"));
    }
    let parts: Vec<&str> = day.split('-').collect();
    let [y, m, d] = parts[..] else { return Err(not_a_date()) };
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if !(digits(y, 4) && digits(m, 2) && digits(d, 2)) {
        return Err(not_a_date());
    }
    let (year, month, day): (i16, i8, i8) = (
        y.parse().map_err(|_| not_a_date())?,
        m.parse().map_err(|_| not_a_date())?,
        d.parse().map_err(|_| not_a_date())?,
    );
    if !(1..=12).contains(&month) {
        return Err(format!("`{t}` is not a date: there is no month {month} (YYYY-MM-DD: the month comes second)"));
    }
    let first = Date::new(year, month, 1).map_err(|_| not_a_date())?;
    let days = first.days_in_month();
    if !(1..=days).contains(&day) {
        return Err(format!("`{t}` is not a date: {} {year} has {days} days", MONTHS[month as usize - 1]));
    }
    Date::new(year, month, day).map_err(|_| not_a_date())
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A date field (`#[serde(deserialize_with = "dates::day")]`).
pub(crate) fn day<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
    deserializer.deserialize_any(DayVisitor)
}

/// An optional date field (with `#[serde(default)]`).
pub(crate) fn optional_day<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Date>, D::Error> {
    deserializer.deserialize_any(DayVisitor).map(Some)
}

struct DayVisitor;

impl Visitor<'_> for DayVisitor {
    type Value = Date;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a date (YYYY-MM-DD)")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Date, E> {
        parse(text).map_err(E::custom)
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Date, E> {
        Err(E::custom(format!("`{n}` is not a date: {FORMAT}")))
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Date, E> {
        Err(E::custom(format!("`{n}` is not a date: {FORMAT}")))
    }

    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Date, E> {
        Err(E::custom(format!("`{n}` is not a date: {FORMAT}")))
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Date, E> {
        Err(E::custom(format!("`{b}` is not a date: {FORMAT}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_date_times_are_read_as_the_day_written() {
        let day = jiff::civil::date(2026, 1, 31);
        for text in
            ["2026-01-31", " 2026-01-31 ", "2026-01-31T10:00:00Z", "2026-01-31T23:30:00-05:00", "2026-01-31 10:00"]
        {
            assert_eq!(parse(text), Ok(day), "{text}");
        }
    }

    #[test]
    fn a_date_that_is_not_one_is_refused_in_plain_words() {
        let cases = [
            ("2026-13-45", "`2026-13-45` is not a date: there is no month 13 (YYYY-MM-DD: the month comes second)"),
            ("2026-02-30", "`2026-02-30` is not a date: February 2026 has 28 days"),
            ("2024-02-30", "`2024-02-30` is not a date: February 2024 has 29 days"),
            ("31/01/2026", "`31/01/2026` is not a date: write dates as YYYY-MM-DD, e.g. 2026-01-31"),
            ("2026-1-5", "`2026-1-5` is not a date: write dates as YYYY-MM-DD, e.g. 2026-01-31"),
            ("yesterday", "`yesterday` is not a date: write dates as YYYY-MM-DD, e.g. 2026-01-31"),
            (
                "2026-01-31T25:00",
                "`2026-01-31T25:00` is not a date and time: write dates as YYYY-MM-DD, e.g. 2026-01-31, \
                 or with a time as 2026-01-31T10:00:00Z",
            ),
        ];
        for (text, message) in cases {
            assert_eq!(parse(text), Err(message.to_string()), "{text}");
        }
    }
}
