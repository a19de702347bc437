//! Crossref's REST API answers (`message-type` `work` and `work-list`) into
//! [`Work`]s and [`Notice`]s. Field names as Crossref documents them
//! (github.com/CrossRef/rest-api-doc, api_format.md); everything optional
//! is read as optional.

use serde::Deserialize;

use super::{Day, Notice, NoticeKind, Person, Work};

/// `GET /works/{doi}`.
pub(super) fn work(body: &str) -> Result<Work, String> {
    let envelope: Envelope<Message> = serde_json::from_str(body).map_err(|e| e.to_string())?;
    let m = envelope.message;
    let title = plain(m.title.first().map(String::as_str).unwrap_or_default());
    if title.is_empty() {
        return Err("the work has no title".into());
    }
    let title = match m.subtitle.first().map(|s| plain(s)).filter(|s| !s.is_empty()) {
        Some(sub) => format!("{title}: {sub}"),
        None => title,
    };
    let dates: Vec<Day> = [&m.published_print, &m.published_online, &m.issued, &m.published]
        .into_iter()
        .filter_map(|d| d.as_ref().and_then(DateParts::day))
        .collect();
    let mut years: Vec<i32> = dates.iter().map(|d| d.year).collect();
    years.sort_unstable();
    years.dedup();
    let date =
        m.published_print.as_ref().and_then(DateParts::day).or_else(|| m.issued.as_ref().and_then(DateParts::day));
    let first_first = m.author.iter().position(|a| a.sequence.as_deref() == Some("first")).unwrap_or(0);
    let mut authors: Vec<Person> = m.author.iter().filter_map(Author::person).collect();
    if first_first > 0 && first_first < authors.len() {
        let first = authors.remove(first_first);
        authors.insert(0, first);
    }
    let url = m.url.filter(|u| !u.to_ascii_lowercase().contains("doi.org/"));
    let notices = m
        .updated_by
        .iter()
        .filter_map(|u| {
            let kind = NoticeKind::of_crossref(&u.kind)?;
            Some(Notice {
                kind,
                label: u.label.clone().unwrap_or_else(|| u.kind.replace('_', " ")),
                notice: u.doi.as_ref().map(|d| format!("doi:{}", d.to_ascii_lowercase())),
                date: u.updated.as_ref().and_then(DateParts::day).map(|d| d.to_string()),
                source: u.source.clone().unwrap_or_else(|| "crossref".into()),
            })
        })
        .collect();
    let mut work = Work {
        kind: m.kind.unwrap_or_else(|| "journal-article".into()),
        title,
        date,
        years,
        journal: m.container_title.first().map(|t| plain(t)).filter(|t| !t.is_empty()),
        journal_short: m.short_container_title.first().map(|t| plain(t)).filter(|t| !t.is_empty()),
        authors,
        authors_complete: false,
        volume: m.volume,
        issue: m.issue,
        pages: m.page.map(|p| p.replace(['\u{2013}', '\u{2014}'], "-")),
        doi: Some(m.doi),
        pmid: None,
        pmcid: None,
        url,
        notices: Vec::new(),
    };
    super::merge_notices(&mut work.notices, notices);
    Ok(work.tidied())
}

/// `GET /works?filter=updates:{doi}`: the notices among the items that
/// say they update `doi`.
pub(super) fn notices(body: &str, doi: &str) -> Result<Vec<Notice>, String> {
    let envelope: Envelope<List> = serde_json::from_str(body).map_err(|e| e.to_string())?;
    let mut found = Vec::new();
    for item in envelope.message.items {
        for update in item.update_to.iter().filter(|u| u.doi.as_deref().is_some_and(|d| d.eq_ignore_ascii_case(doi))) {
            let Some(kind) = NoticeKind::of_crossref(&update.kind) else { continue };
            found.push(Notice {
                kind,
                label: update.label.clone().unwrap_or_else(|| update.kind.replace('_', " ")),
                notice: Some(format!("doi:{}", item.doi.to_ascii_lowercase())),
                date: update
                    .updated
                    .as_ref()
                    .and_then(DateParts::day)
                    .or_else(|| item.issued.as_ref().and_then(DateParts::day))
                    .map(|d| d.to_string()),
                source: update.source.clone().unwrap_or_else(|| "crossref".into()),
            });
        }
    }
    Ok(found)
}

/// Text without the markup Crossref titles may hold (`<i>`, `<sub>`,
/// `&amp;`), on one line ([`super::one_line`]).
pub(super) fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '<'
            && let Some(end) = rest.find('>')
            && is_tag(&rest[1..end])
        {
            rest = &rest[end + 1..];
            continue;
        }
        if c == '&'
            && let Some(end) = rest[..rest.len().min(12)].find(';')
            && let Some(decoded) = entity(&rest[1..end])
        {
            out.push(decoded);
            rest = &rest[end + 1..];
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    super::one_line(&out)
}

/// `i`, `/sub`, `jats:italic`, `mml:math xmlns="…"`: a tag's inside, not
/// a `<` in prose.
fn is_tag(inside: &str) -> bool {
    let name = inside.strip_prefix('/').unwrap_or(inside);
    name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && !inside.contains('<')
        && name
            .split(' ')
            .next()
            .is_some_and(|n| n.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '-' | '_')))
}

fn entity(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some(' '),
        _ => {
            let n = name.strip_prefix('#')?;
            let code = match n.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => n.parse().ok()?,
            };
            char::from_u32(code)
        }
    }
}

#[derive(Deserialize)]
struct Envelope<T> {
    message: T,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Message {
    #[serde(rename = "DOI")]
    doi: String,
    #[serde(rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    title: Vec<String>,
    #[serde(default)]
    subtitle: Vec<String>,
    #[serde(default)]
    author: Vec<Author>,
    #[serde(default)]
    container_title: Vec<String>,
    #[serde(default)]
    short_container_title: Vec<String>,
    volume: Option<String>,
    issue: Option<String>,
    page: Option<String>,
    published_print: Option<DateParts>,
    published_online: Option<DateParts>,
    published: Option<DateParts>,
    issued: Option<DateParts>,
    #[serde(rename = "URL")]
    url: Option<String>,
    #[serde(default)]
    updated_by: Vec<Update>,
}

#[derive(Deserialize)]
struct List {
    #[serde(default)]
    items: Vec<Item>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Item {
    #[serde(rename = "DOI")]
    doi: String,
    issued: Option<DateParts>,
    #[serde(default)]
    update_to: Vec<Update>,
}

/// One entry of `updated-by` or `update-to`.
#[derive(Deserialize)]
struct Update {
    #[serde(rename = "DOI")]
    doi: Option<String>,
    #[serde(rename = "type")]
    kind: String,
    label: Option<String>,
    source: Option<String>,
    updated: Option<DateParts>,
}

#[derive(Deserialize)]
struct Author {
    given: Option<String>,
    family: Option<String>,
    suffix: Option<String>,
    /// An organization.
    name: Option<String>,
    sequence: Option<String>,
}

impl Author {
    fn person(&self) -> Option<Person> {
        let clean = |s: &Option<String>| s.as_deref().map(plain).filter(|s| !s.is_empty());
        match (clean(&self.family), clean(&self.name)) {
            (Some(family), _) => Some(Person { family, given: clean(&self.given), suffix: clean(&self.suffix) }),
            (None, Some(name)) => Some(Person { family: name, given: None, suffix: None }),
            // one name only, given as the given name: still an author, not dropped from the list
            (None, None) => clean(&self.given).map(|name| Person { family: name, given: None, suffix: None }),
        }
    }
}

/// `{"date-parts": [[2023, 6, 22]]}`; Crossref writes `[[null]]` for none.
#[derive(Deserialize)]
struct DateParts {
    #[serde(rename = "date-parts", default)]
    parts: Vec<Vec<Option<i64>>>,
}

impl DateParts {
    fn day(&self) -> Option<Day> {
        let parts = self.parts.first()?;
        let year = i32::try_from((*parts.first()?)?).ok()?;
        let small = |i: usize, max: i64| {
            parts.get(i).copied().flatten().filter(|n| (1..=max).contains(n)).and_then(|n| u8::try_from(n).ok())
        };
        let month = small(1, 12);
        Day::new(year, month, month.and(small(2, 31)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replay(name: &str) -> String {
        let path = format!("{}/tests/fixtures/registry/crossref/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(path).unwrap()
    }

    #[test]
    fn a_work_as_crossref_gives_it() {
        let w = work(&replay("normal.json")).unwrap();
        assert_eq!(w.title, "Ketamine Versus Placebo for Treatment-Resistant Depression: A Randomized Trial");
        assert_eq!((w.kind.as_str(), w.authors.len()), ("journal-article", 8));
        assert_eq!(w.authors[0], Person { family: "Núñez".into(), given: Some("Maria".into()), suffix: None });
        assert_eq!(w.date, Some(Day { year: 2024, month: Some(4), day: Some(11) }), "the print issue's date");
        assert_eq!(w.years, [2024]);
        assert_eq!(
            (w.journal.as_deref(), w.journal_short.as_deref()),
            (Some("Example Psychiatry Journal"), Some("Ex Psychiatry J"))
        );
        assert_eq!(
            (w.volume.as_deref(), w.issue.as_deref(), w.pages.as_deref()),
            (Some("390"), Some("4"), Some("301-312"))
        );
        assert_eq!(
            (w.doi.as_deref(), w.url.as_deref()),
            (Some("10.5555/normal"), None),
            "the DOI's resolver is no other URL"
        );
        assert!(w.notices.is_empty());
        let group = work(&replay("concern.json")).unwrap();
        assert_eq!(group.authors[1].family, "Ketamine Memory Study Group");
        // a one-name author (only `given`) stays on the list
        let one_name = r#"{"status":"ok","message":{"DOI":"10.5555/x","type":"journal-article","title":["T"],"author":[{"given":"Madonna"},{"family":"Doe","given":"Jane"}]}}"#;
        let w = work(one_name).unwrap();
        assert_eq!(w.authors.iter().map(|p| p.family.as_str()).collect::<Vec<_>>(), ["Madonna", "Doe"]);
        assert!(work(r#"{"status":"ok","message":{"DOI":"10.5555/x""#).is_err(), "a body cut short");
        assert!(work("Resource not found.").is_err());
    }

    #[test]
    fn notices_from_updated_by_and_from_the_updates_filter() {
        let retraction = Notice {
            kind: NoticeKind::Retraction,
            label: "Retraction".into(),
            notice: Some("doi:10.5555/retraction-notice".into()),
            date: Some("2021-05-28".into()),
            source: "retraction-watch".into(),
        };
        assert_eq!(work(&replay("retracted.json")).unwrap().notices, std::slice::from_ref(&retraction));
        let filtered = notices(&replay("retracted-updates.json"), "10.5555/RETRACTED").unwrap();
        assert_eq!(filtered, [Notice { source: "publisher".into(), ..retraction.clone() }]);
        let mut both = vec![retraction];
        super::super::merge_notices(&mut both, filtered);
        assert_eq!(both.len(), 1, "one notice, said twice");
        let corrected = notices(&replay("corrected-updates.json"), "10.5555/corrected").unwrap();
        assert_eq!(
            (corrected[0].kind, corrected[0].notice.as_deref()),
            (NoticeKind::Correction, Some("doi:10.5555/correction-notice"))
        );
        assert!(
            notices(&replay("corrected-updates.json"), "10.5555/other").unwrap().is_empty(),
            "only notices about this DOI"
        );
        let concern = work(&replay("concern.json")).unwrap().notices;
        assert_eq!(
            (concern[0].kind, concern[0].date.as_deref()),
            (NoticeKind::ExpressionOfConcern, Some("2023-03-14"))
        );
        assert!(notices(&replay("no-updates.json"), "10.5555/normal").unwrap().is_empty());
    }

    #[test]
    fn every_text_of_a_record_is_on_one_line_for_add_and_the_lock_alike() {
        let body = r#"{"status":"ok","message":{"DOI":"10.5555/x","type":"journal-article","title":["A\nB"],"volume":"3\u001b[2J9","page":"1-\n9","author":[{"family":"Do\u0000e","given":"Ja\tne"}]}}"#;
        let w = work(body).unwrap();
        assert_eq!((w.title.as_str(), w.volume.as_deref(), w.pages.as_deref()), ("A B", Some("3 [2J9"), Some("1- 9")));
        assert_eq!(w.authors[0], Person { family: "Do e".into(), given: Some("Ja ne".into()), suffix: None });
    }

    #[test]
    fn titles_lose_their_markup_and_keep_their_characters() {
        assert_eq!(plain("Ketamine <i>versus</i> ECT &amp; more"), "Ketamine versus ECT & more");
        assert_eq!(plain("CO<sub>2</sub>\n  levels"), "CO2 levels");
        assert_eq!(plain("a < b and c > d"), "a < b and c > d");
        assert_eq!(plain("caf&#233; &#x2013; AT&T"), "café – AT&T");
    }

    #[test]
    fn a_date_with_nulls_or_nonsense_is_as_precise_as_it_can_be() {
        let parts = |json: &str| serde_json::from_str::<DateParts>(json).unwrap().day();
        assert_eq!(parts(r#"{"date-parts":[[2023,6,22]]}"#), Some(Day { year: 2023, month: Some(6), day: Some(22) }));
        assert_eq!(parts(r#"{"date-parts":[[2023]]}"#), Some(Day { year: 2023, month: None, day: None }));
        assert_eq!(parts(r#"{"date-parts":[[null]]}"#), None);
        assert_eq!(parts(r#"{"date-parts":[[2023,13,1]]}"#), Some(Day { year: 2023, month: None, day: None }));
        // a day the month does not have, and years no reference has
        assert_eq!(parts(r#"{"date-parts":[[2023,2,30]]}"#), Some(Day { year: 2023, month: Some(2), day: None }));
        for none in [r#"[[0,0,0]]"#, r#"[[99999]]"#, r#"[[-5000,2,30]]"#] {
            assert_eq!(parts(&format!(r#"{{"date-parts":{none}}}"#)), None, "{none}");
        }
    }
}
