//! The exact words of diagnostics a new author meets first, pinned: each
//! names the mistake in the author's terms (dates as YYYY-MM-DD), never a
//! library's.

use crate::support::{build_at, site};

fn with_date(date: &str) -> Vec<String> {
    let dir = site("minimal");
    let file = dir.path().join("content/basics/first.md");
    let text = std::fs::read_to_string(&file).unwrap();
    let start = text.find("\ndate: ").expect("the article has a date") + 1;
    let end = start + text[start..].find('\n').unwrap();
    std::fs::write(&file, format!("{}date: {date}{}", &text[..start], &text[end..])).unwrap();
    build_at(dir.path()).diagnostics.iter().filter(|d| d.is_error()).map(|d| d.message.clone()).collect()
}

#[test]
fn a_wrong_date_is_named_in_the_authors_words() {
    assert_eq!(
        with_date("2026-13-45"),
        ["date: `2026-13-45` is not a date: there is no month 13 (YYYY-MM-DD: the month comes second)"]
    );
    assert_eq!(with_date("2026-02-29"), ["date: `2026-02-29` is not a date: February 2026 has 28 days"]);
    assert_eq!(
        with_date("01/02/2026"),
        ["date: `01/02/2026` is not a date: write dates as YYYY-MM-DD, e.g. 2026-01-31"]
    );
}

#[test]
fn a_full_date_and_time_is_read_as_its_day() {
    assert!(with_date("2026-01-01T10:00:00Z").is_empty());
    assert!(with_date("\"2026-01-01 10:00\"").is_empty());
}
