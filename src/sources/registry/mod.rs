//! The bibliographic registries: Crossref's REST API for DOIs, NCBI's
//! E-utilities for PMIDs and PMCIDs. What a registry says about a work is a
//! [`Work`]; `crossref.rs` and `pubmed.rs` read the registries' own JSON and
//! XML into it, and `client.rs` asks.
//!
//! Asking politely, as the registries ask to be asked: a User-Agent naming
//! sourcebook and the site's `contact_email` (Crossref's "polite pool";
//! NCBI's `tool` and `email`), at most [`CONCURRENCY`] requests at once, each
//! registry paced, `429`/`503` answered by waiting what
//! `Retry-After` says (within [`MAX_WAIT`]), every request under a timeout,
//! and a registry that cannot be reached at all is not asked again in the
//! same run (one message, never a hang). Nothing here writes a file or
//! makes a diagnostic.

mod client;
mod crossref;
mod pubmed;

use serde::{Deserialize, Serialize};

pub(crate) use client::Client;

/// Where the registries are, and who is asking.
#[derive(Debug, Clone)]
pub struct Registries {
    /// Crossref's REST API, without a trailing `/`.
    pub crossref: String,
    /// NCBI E-utilities, without a trailing `/`.
    pub pubmed: String,
    /// The address the registries may write to about our requests.
    pub contact: Option<String>,
}

pub(crate) const CROSSREF_ENV: &str = "SOURCEBOOK_CROSSREF_API";
pub(crate) const PUBMED_ENV: &str = "SOURCEBOOK_PUBMED_API";
const CROSSREF_DEFAULT: &str = "https://api.crossref.org";
const PUBMED_DEFAULT: &str = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils";

impl Registries {
    /// The registries named by `CROSSREF_ENV` and `PUBMED_ENV`, or the
    /// real ones.
    pub fn from_env(contact: Option<String>) -> Registries {
        let base = |name: &str, default: &str| {
            std::env::var(name).ok().filter(|v| !v.is_empty()).unwrap_or_else(|| default.to_string())
        };
        Registries::at(&base(CROSSREF_ENV, CROSSREF_DEFAULT), &base(PUBMED_ENV, PUBMED_DEFAULT), contact)
    }

    pub fn at(crossref: &str, pubmed: &str, contact: Option<String>) -> Registries {
        Registries {
            crossref: crossref.trim_end_matches('/').to_string(),
            pubmed: pubmed.trim_end_matches('/').to_string(),
            contact,
        }
    }
}

/// The longest identifier `source add` takes, in bytes: DOIs have no set
/// limit, but every one a registry gives is far shorter, and a longer one
/// (a whole page pasted) would not fit in a request's address.
const MAX_IDENTIFIER: usize = 1000;

/// An identifier a registry knows a work by.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Identifier {
    /// Lower-cased: DOIs are case-insensitive.
    Doi(String),
    Pmid(String),
    /// With its `PMC` prefix.
    Pmcid(String),
}

impl Identifier {
    /// A DOI (`10.1056/…`, `doi:10.…`, a doi.org URL), a PMID (digits,
    /// `PMID:…`) or a PMCID (`PMC…`).
    pub(crate) fn parse(text: &str) -> Result<Identifier, String> {
        let t = text.trim();
        if t.len() > MAX_IDENTIFIER {
            return Err(format!(
                "`{}…` is {} bytes long: no DOI, PMID or PMCID is longer than {MAX_IDENTIFIER}",
                t.chars().take(40).collect::<String>(),
                t.len()
            ));
        }
        let lower = t.to_ascii_lowercase();
        for prefix in ["https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:"] {
            if lower.starts_with(prefix) {
                let mut doi = &t[prefix.len()..];
                if prefix.starts_with("http") {
                    // an address's query and fragment are not the DOI's: a
                    // `?` or `#` of the DOI itself is written %3F or %23 there
                    doi = doi.split(['?', '#']).next().unwrap_or_default();
                }
                let doi = percent_encoding::percent_decode_str(doi).decode_utf8_lossy().to_string();
                return Identifier::doi(doi.trim());
            }
        }
        if lower.starts_with("10.") {
            return Identifier::doi(t);
        }
        let digits = lower.strip_prefix("pmid:").map(str::trim).unwrap_or(&lower);
        let pmid = digits.trim_start_matches('0');
        if !pmid.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            return match pmid.len() <= 9 {
                true => Ok(Identifier::Pmid(pmid.to_string())),
                false => Err(format!("`{t}` has {} digits: a PMID has at most 9", pmid.len())),
            };
        }
        if let Some(n) = lower.strip_prefix("pmc")
            && !n.is_empty()
            && n.len() <= 10
            && n.bytes().all(|b| b.is_ascii_digit())
        {
            return Ok(Identifier::Pmcid(format!("PMC{n}")));
        }
        Err(format!(
            "`{t}` is not a DOI (10.NNNN/…), a doi.org address, a PMID (digits) or a PMCID (PMC followed by digits)"
        ))
    }

    fn doi(doi: &str) -> Result<Identifier, String> {
        match super::validate::identifiers(Some(doi), None).into_iter().next() {
            Some(problem) => Err(problem),
            None => Ok(Identifier::Doi(doi.to_ascii_lowercase())),
        }
    }

    /// `doi:10.1056/nejmoa2302399`, `pmid:37224232`: the lock file's key.
    pub(crate) fn key(&self) -> String {
        match self {
            Identifier::Doi(d) => format!("doi:{d}"),
            Identifier::Pmid(p) => format!("pmid:{p}"),
            Identifier::Pmcid(p) => format!("pmcid:{p}"),
        }
    }
}

impl std::fmt::Display for Identifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Identifier::Doi(d) => write!(f, "DOI {d}"),
            Identifier::Pmid(p) => write!(f, "PMID {p}"),
            Identifier::Pmcid(p) => write!(f, "{p}"),
        }
    }
}

/// Which registry said it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Registry {
    Crossref,
    Pubmed,
}

impl Registry {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Registry::Crossref => "Crossref",
            Registry::Pubmed => "PubMed",
        }
    }
}

/// A person as a registry lists them; an organization has only `family`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Person {
    pub family: String,
    pub given: Option<String>,
    pub suffix: Option<String>,
}

/// A date as precise as the registry gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Day {
    pub year: i32,
    pub month: Option<u8>,
    pub day: Option<u8>,
}

impl Day {
    /// A date as a reference can give it: a year from 1 to 9999, the month
    /// only when it is one (1 to 12), the day only when that month has it
    /// (a registry's `[2023, 2, 30]` is February 2023). `None` for a year
    /// no reference has (`0`, `-5000`, `99999`).
    pub(crate) fn new(year: i32, month: Option<u8>, day: Option<u8>) -> Option<Day> {
        if !(1..=9999).contains(&year) {
            return None;
        }
        let month = month.filter(|m| (1..=12).contains(m));
        let day = month.and(day).filter(|&d| {
            let (y, m) = (i16::try_from(year).unwrap_or(1), month.and_then(|m| i8::try_from(m).ok()).unwrap_or(1));
            i8::try_from(d).is_ok_and(|d| jiff::civil::Date::new(y, m, d).is_ok())
        });
        Some(Day { year, month, day })
    }
}

impl std::fmt::Display for Day {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
            if let Some(d) = self.day {
                write!(f, "-{d:02}")?;
            }
        }
        Ok(())
    }
}

/// What a registry says about one work.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Work {
    /// Crossref's work type (`journal-article`, `book-chapter`, …); PubMed's
    /// records are `journal-article`.
    pub kind: String,
    pub title: String,
    /// The date a reference should give (the print issue's, else the first).
    pub date: Option<Day>,
    /// Every year the registry gives the work (online, print, issued), sorted.
    pub years: Vec<i32>,
    pub journal: Option<String>,
    pub journal_short: Option<String>,
    pub authors: Vec<Person>,
    /// The registry says its author list is complete (PubMed's `CompleteYN`).
    pub authors_complete: bool,
    pub volume: Option<String>,
    pub issue: Option<String>,
    pub pages: Option<String>,
    pub doi: Option<String>,
    pub pmid: Option<String>,
    pub pmcid: Option<String>,
    /// A landing page other than the DOI's resolver.
    pub url: Option<String>,
    pub notices: Vec<Notice>,
}

impl Work {
    /// The work with every text a reader sees (title, journal, names,
    /// volume, issue, pages) on one line: a control character (a line
    /// break, a tab, a terminal escape, NUL) becomes a space and a run of
    /// spaces one. Registries hand on what publishers deposited, line
    /// breaks and stray escapes included; written as they came, they were
    /// YAML escapes in `sources.yaml` and raw bytes in the terminal. Each
    /// registry's reader ends with it, so `source add` and the lock `check
    /// --sources` compares against hold the same text.
    pub(super) fn tidied(mut self) -> Work {
        let line = |text: &mut String| *text = one_line(text);
        line(&mut self.title);
        for text in [&mut self.journal, &mut self.journal_short, &mut self.volume, &mut self.issue, &mut self.pages]
            .into_iter()
            .flatten()
        {
            line(text);
        }
        for person in &mut self.authors {
            line(&mut person.family);
            person.given.iter_mut().chain(person.suffix.iter_mut()).for_each(line);
        }
        self
    }
}

/// `text` with each control character a space, and its white space
/// collapsed to single spaces, trimmed.
pub(crate) fn one_line(text: &str) -> String {
    let spaced: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A notice that changes the standing of a work.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Notice {
    pub kind: NoticeKind,
    /// What the registry calls it (`Retraction`, `Erratum in`, `Withdrawal`).
    pub label: String,
    /// The notice itself: `doi:…` or `pmid:…`, when the registry names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<String>,
    /// When it was issued, as precise as the registry gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Who asserted it: `crossref` (the publisher), `retraction-watch`, `pubmed`.
    pub source: String,
}

/// The three kinds of notice `check` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum NoticeKind {
    /// Retraction, withdrawal, removal.
    Retraction,
    /// Correction, erratum, corrigendum.
    Correction,
    ExpressionOfConcern,
}

impl NoticeKind {
    /// The kind of a Crossref update type (`retraction`, `expression_of_concern`);
    /// `None` for the kinds that do not change a work's standing (addendum,
    /// new version).
    pub(crate) fn of_crossref(kind: &str) -> Option<NoticeKind> {
        match kind.to_ascii_lowercase().replace([' ', '-'], "_").as_str() {
            "retraction" | "partial_retraction" | "withdrawal" | "removal" => Some(NoticeKind::Retraction),
            "correction" | "erratum" | "corrigendum" => Some(NoticeKind::Correction),
            "expression_of_concern" => Some(NoticeKind::ExpressionOfConcern),
            _ => None,
        }
    }
}

/// A registry's answer about one identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Answer {
    Found(Box<Work>),
    /// The registry answered that it has no such work.
    NotFound,
    /// No usable answer: the reason, and whether the registry was reached.
    Failed {
        reason: String,
        reached: bool,
    },
}

/// The notices of `more` not already in `notices` (by kind and notice).
pub(crate) fn merge_notices(notices: &mut Vec<Notice>, more: Vec<Notice>) {
    for n in more {
        if !notices.iter().any(|m| m.kind == n.kind && m.notice.is_some() && m.notice == n.notice) {
            notices.push(n);
        }
    }
    notices.sort();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_read_in_every_form_an_author_pastes() {
        let doi = Ok(Identifier::Doi("10.1056/nejmoa2302399".into()));
        for text in [
            "10.1056/NEJMoa2302399",
            "doi:10.1056/NEJMoa2302399",
            "https://doi.org/10.1056/NEJMoa2302399",
            " http://dx.doi.org/10.1056/NEJMoa2302399 ",
            // an address's query and fragment are not part of its DOI
            // (`?utm_source=x` was looked up as the DOI's own characters)
            "https://doi.org/10.1056/NEJMoa2302399?utm_source=newsletter",
            "https://doi.org/10.1056/NEJMoa2302399#abstract",
            "https://dx.doi.org/10.1056/NEJMoa2302399?x=1#y",
        ] {
            assert_eq!(Identifier::parse(text), doi, "{text}");
        }
        assert_eq!(
            Identifier::parse("https://doi.org/10.1016/S0006-3223(99)00230-9"),
            Ok(Identifier::Doi("10.1016/s0006-3223(99)00230-9".into()))
        );
        assert_eq!(
            Identifier::parse("https://doi.org/10.1000%2Fa%20b").map_err(|_| ()),
            Err(()),
            "a decoded space is no DOI"
        );
        assert_eq!(Identifier::parse("37224232"), Ok(Identifier::Pmid("37224232".into())));
        assert_eq!(Identifier::parse("PMID: 37224232"), Ok(Identifier::Pmid("37224232".into())));
        assert_eq!(Identifier::parse("pmc6123456"), Ok(Identifier::Pmcid("PMC6123456".into())));
        for bad in ["", "0", "000", "abc", "1234567890", "PMC", "11.1000/x", "https://example.org/10.1000/x"] {
            assert!(Identifier::parse(bad).is_err(), "{bad}");
        }
    }

    /// A `?` or `#` of the DOI itself, escaped in an address, is kept; a
    /// PMID of too many digits is told so (it was told it was not "a PMID
    /// (digits)"); a page pasted whole is refused before it is sent (it
    /// made a request too long to send, exit 1, not a usage error).
    #[test]
    fn an_identifier_is_read_as_the_registries_write_it_or_refused_for_what_it_is() {
        assert_eq!(Identifier::parse("https://doi.org/10.1000/a%3Fb"), Ok(Identifier::Doi("10.1000/a?b".into())));
        assert_eq!(Identifier::parse("doi:10.1000/a?b"), Ok(Identifier::Doi("10.1000/a?b".into())), "not an address");
        assert_eq!(Identifier::parse("0037224232"), Ok(Identifier::Pmid("37224232".into())), "leading zeros");
        let long = Identifier::parse("12345678901234567890123").unwrap_err();
        assert!(long.contains("has 23 digits: a PMID has at most 9"), "{long}");
        let pasted = format!("10.1000/{}", "x".repeat(100_000));
        let refused = Identifier::parse(&pasted).unwrap_err();
        assert!(refused.contains("is 100008 bytes long: no DOI, PMID or PMCID is longer than 1000"), "{refused}");
        assert!(refused.len() < 200, "{refused}");
    }

    #[test]
    fn crossref_update_types_that_change_a_works_standing() {
        use NoticeKind::*;
        let table = [
            ("retraction", Some(Retraction)),
            ("withdrawal", Some(Retraction)),
            ("partial_retraction", Some(Retraction)),
            ("correction", Some(Correction)),
            ("erratum", Some(Correction)),
            ("expression_of_concern", Some(ExpressionOfConcern)),
            ("Expression of concern", Some(ExpressionOfConcern)),
            ("addendum", None),
            ("new_version", None),
        ];
        for (kind, want) in table {
            assert_eq!(NoticeKind::of_crossref(kind), want, "{kind}");
        }
    }
}
