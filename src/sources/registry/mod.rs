//! The bibliographic registries: Crossref's REST API for DOIs, NCBI's
//! E-utilities for PMIDs and PMCIDs. What a registry says about a work is a
//! [`Work`]; `crossref.rs` and `pubmed.rs` read the registries' own JSON and
//! XML into it, and this module asks.
//!
//! Asking politely, as the registries ask to be asked: a User-Agent naming
//! sourcebook and the site's `contact_email` (Crossref's "polite pool";
//! NCBI's `tool` and `email`), at most [`CONCURRENCY`] requests at once, each
//! registry paced ([`Pace`]), `429`/`503` answered by waiting what
//! `Retry-After` says (within [`MAX_WAIT`]), every request under a timeout,
//! and a registry that cannot be reached at all is not asked again in the
//! same run (one message, never a hang). Nothing here writes a file or
//! makes a diagnostic.

mod crossref;
mod pubmed;

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

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

pub const CROSSREF_ENV: &str = "SOURCEBOOK_CROSSREF_API";
pub const PUBMED_ENV: &str = "SOURCEBOOK_PUBMED_API";
const CROSSREF_DEFAULT: &str = "https://api.crossref.org";
const PUBMED_DEFAULT: &str = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils";

impl Registries {
    /// The registries named by [`CROSSREF_ENV`] and [`PUBMED_ENV`], or the
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

/// An identifier a registry knows a work by.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Identifier {
    /// Lower-cased: DOIs are case-insensitive.
    Doi(String),
    Pmid(String),
    /// With its `PMC` prefix.
    Pmcid(String),
}

impl Identifier {
    /// A DOI (`10.1056/…`, `doi:10.…`, a doi.org URL), a PMID (digits,
    /// `PMID:…`) or a PMCID (`PMC…`).
    pub fn parse(text: &str) -> Result<Identifier, String> {
        let t = text.trim();
        let lower = t.to_ascii_lowercase();
        for prefix in ["https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:"] {
            if lower.starts_with(prefix) {
                let doi = percent_encoding::percent_decode_str(&t[prefix.len()..]).decode_utf8_lossy().to_string();
                return Identifier::doi(doi.trim());
            }
        }
        if lower.starts_with("10.") {
            return Identifier::doi(t);
        }
        let digits = lower.strip_prefix("pmid:").map(str::trim).unwrap_or(&lower);
        let pmid = digits.trim_start_matches('0');
        if !pmid.is_empty() && digits.len() <= 9 && digits.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(Identifier::Pmid(pmid.to_string()));
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
    pub fn key(&self) -> String {
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
pub enum Registry {
    Crossref,
    Pubmed,
}

impl Registry {
    pub fn name(self) -> &'static str {
        match self {
            Registry::Crossref => "Crossref",
            Registry::Pubmed => "PubMed",
        }
    }
}

/// A person as a registry lists them; an organization has only `family`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Person {
    pub family: String,
    pub given: Option<String>,
    pub suffix: Option<String>,
}

/// A date as precise as the registry gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Day {
    pub year: i32,
    pub month: Option<u8>,
    pub day: Option<u8>,
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
pub struct Work {
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

/// A notice that changes the standing of a work.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Notice {
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
pub enum NoticeKind {
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
    pub fn of_crossref(kind: &str) -> Option<NoticeKind> {
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
pub enum Answer {
    Found(Box<Work>),
    /// The registry answered that it has no such work.
    NotFound,
    /// No usable answer: the reason, and whether the registry was reached.
    Failed {
        reason: String,
        reached: bool,
    },
}

/// How many requests run at once, across registries.
pub const CONCURRENCY: usize = 4;
/// The longest a `Retry-After` is waited for; a longer one fails the request.
pub const MAX_WAIT: Duration = Duration::from_secs(60);
/// How many times a `429` or `503` is retried.
const RETRIES: u32 = 3;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// The most a registry's answer may weigh.
const BODY_LIMIT: u64 = 8 * 1024 * 1024;
/// PMIDs per efetch request (NCBI suggests at most 200).
const PUBMED_BATCH: usize = 100;

/// Asks the registries. One per run: it remembers which registry could not
/// be reached, and keeps each one's pace.
pub struct Client {
    registries: Registries,
    agent: ureq::Agent,
    crossref: Pace,
    pubmed: Pace,
}

impl Client {
    pub fn new(registries: Registries) -> Client {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .user_agent(user_agent(registries.contact.as_deref()))
            .timeout_connect(Some(CONNECT_TIMEOUT))
            .timeout_global(Some(REQUEST_TIMEOUT))
            .max_redirects(3)
            .build()
            .into();
        Client {
            registries,
            agent,
            // Crossref's polite pool: 10 requests a second; NCBI without
            // an API key: 3 a second
            crossref: Pace::new(Duration::from_millis(100)),
            pubmed: Pace::new(Duration::from_millis(340)),
        }
    }

    /// What the registries say about each identifier, asked [`CONCURRENCY`]
    /// at a time: a DOI of Crossref (the work and the notices that update
    /// it), a PMID of PubMed (in batches), a PMCID of PubMed through the
    /// PMID it maps to. Answers in the order of `ids`.
    pub fn lookup_all(&self, ids: &[Identifier]) -> Vec<Answer> {
        let mut jobs: Vec<Vec<usize>> = Vec::new();
        let mut pmids = Vec::new();
        for (i, id) in ids.iter().enumerate() {
            match id {
                Identifier::Pmid(_) => pmids.push(i),
                _ => jobs.push(vec![i]),
            }
        }
        jobs.extend(pmids.chunks(PUBMED_BATCH).map(<[usize]>::to_vec));
        let answers: Mutex<Vec<Option<Answer>>> = Mutex::new(vec![None; ids.len()]);
        let next = AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for _ in 0..CONCURRENCY.min(jobs.len()) {
                scope.spawn(|| {
                    while let Some(job) = jobs.get(next.fetch_add(1, Ordering::Relaxed)) {
                        let found = self.job(ids, job);
                        let mut answers = crate::lock(&answers);
                        for (i, answer) in job.iter().zip(found) {
                            answers[*i] = Some(answer);
                        }
                    }
                });
            }
        });
        let answers = answers.into_inner().unwrap_or_else(|e| e.into_inner());
        answers.into_iter().map(|a| a.unwrap_or_else(|| failed("not asked", false))).collect()
    }

    fn job(&self, ids: &[Identifier], job: &[usize]) -> Vec<Answer> {
        match &ids[job[0]] {
            Identifier::Doi(doi) => vec![self.crossref_checked(doi)],
            Identifier::Pmcid(pmcid) => vec![self.pmcid(pmcid)],
            Identifier::Pmid(_) => {
                let pmids: Vec<&str> = job
                    .iter()
                    .filter_map(|&i| match &ids[i] {
                        Identifier::Pmid(p) => Some(p.as_str()),
                        _ => None,
                    })
                    .collect();
                self.pubmed_many(&pmids)
            }
        }
    }

    /// A DOI's work in Crossref, with the notices that update it: the
    /// work's own `updated-by`, and the notices found with
    /// `filter=updates:{doi}` (a publisher may deposit only the notice).
    pub fn crossref_checked(&self, doi: &str) -> Answer {
        let work = match self.crossref_work(doi) {
            Answer::Found(work) => work,
            other => return other,
        };
        let url =
            format!("{}/works?filter=updates:{}&rows=100{}", self.registries.crossref, query_value(doi), self.mailto());
        let notices = match self.get(Registry::Crossref, &url) {
            Ok((200, body)) => crossref::notices(&body, doi),
            Ok((status, _)) => Err(format!("answered HTTP {status} when asked for notices updating {doi}")),
            Err(answer) => return answer,
        };
        match notices {
            Ok(found) => {
                let mut work = work;
                merge_notices(&mut work.notices, found);
                Answer::Found(work)
            }
            Err(reason) => failed(&format!("Crossref {reason}"), true),
        }
    }

    /// A DOI's work in Crossref, as `works/{doi}` gives it.
    pub fn crossref_work(&self, doi: &str) -> Answer {
        let url = format!(
            "{}/works/{}{}",
            self.registries.crossref,
            crate::html::path_component(doi),
            self.mailto().replacen('&', "?", 1)
        );
        match self.get(Registry::Crossref, &url) {
            Ok((200, body)) => match crossref::work(&body) {
                Ok(work) => Answer::Found(Box::new(work)),
                Err(reason) => failed(&format!("Crossref's answer for {doi} could not be read: {reason}"), true),
            },
            Ok((404, _)) => Answer::NotFound,
            Ok((status, _)) => failed(&format!("Crossref answered HTTP {status} for {doi}"), true),
            Err(answer) => answer,
        }
    }

    /// Works by PMID, in one efetch request: a PMID PubMed does not return
    /// is [`Answer::NotFound`].
    pub fn pubmed_many(&self, pmids: &[&str]) -> Vec<Answer> {
        let url = format!(
            "{}/efetch.fcgi?db=pubmed&retmode=xml&id={}{}",
            self.registries.pubmed,
            pmids.join(","),
            self.tool()
        );
        let fail = |answer: Answer| vec![answer; pmids.len()];
        match self.get(Registry::Pubmed, &url) {
            Ok((200, body)) => match pubmed::articles(&body) {
                Ok(mut works) => pmids
                    .iter()
                    .map(|p| match works.remove(*p) {
                        Some(work) => Answer::Found(Box::new(work)),
                        None => Answer::NotFound,
                    })
                    .collect(),
                Err(reason) => fail(failed(&format!("PubMed's answer could not be read: {reason}"), true)),
            },
            // E-utilities answers 400 for an id it cannot take
            Ok((400 | 404, _)) if pmids.len() == 1 => vec![Answer::NotFound],
            Ok((status, _)) => fail(failed(&format!("PubMed answered HTTP {status}"), true)),
            Err(answer) => fail(answer),
        }
    }

    /// The PMID PubMed files a work under, found by its DOI or PMCID
    /// (`esearch`): `Ok(None)` when PubMed has none.
    pub fn pmid_for(&self, id: &Identifier) -> Result<Option<String>, Answer> {
        let term = match id {
            Identifier::Doi(d) => format!("{d}[doi]"),
            Identifier::Pmcid(p) => format!("{p}[pmcid]"),
            Identifier::Pmid(p) => return Ok(Some(p.clone())),
        };
        let url = format!(
            "{}/esearch.fcgi?db=pubmed&retmode=json&term={}{}",
            self.registries.pubmed,
            query_value(&term),
            self.tool()
        );
        match self.get(Registry::Pubmed, &url) {
            Ok((200, body)) => pubmed::search(&body)
                .map_err(|reason| failed(&format!("PubMed's search answer could not be read: {reason}"), true)),
            Ok((status, _)) => Err(failed(&format!("PubMed answered HTTP {status} when searched for {id}"), true)),
            Err(answer) => Err(answer),
        }
    }

    fn pmcid(&self, pmcid: &str) -> Answer {
        match self.pmid_for(&Identifier::Pmcid(pmcid.to_string())) {
            Ok(Some(pmid)) => self.pubmed_many(&[pmid.as_str()]).remove(0),
            Ok(None) => Answer::NotFound,
            Err(answer) => answer,
        }
    }

    /// `&mailto=…` for Crossref, when the site gives an address.
    fn mailto(&self) -> String {
        self.registries.contact.as_deref().map(|c| format!("&mailto={}", query_value(c))).unwrap_or_default()
    }

    /// `&tool=sourcebook&email=…` for NCBI.
    fn tool(&self) -> String {
        let email = self.registries.contact.as_deref().map(|c| format!("&email={}", query_value(c)));
        format!("&tool=sourcebook{}", email.unwrap_or_default())
    }

    /// One GET: the status and body, after waiting out `429`/`503` as
    /// `Retry-After` says. `Err` holds the failed answer.
    fn get(&self, registry: Registry, url: &str) -> Result<(u16, String), Answer> {
        let pace = match registry {
            Registry::Crossref => &self.crossref,
            Registry::Pubmed => &self.pubmed,
        };
        if pace.down.load(Ordering::Relaxed) {
            return Err(failed(&format!("{} could not be reached", registry.name()), false));
        }
        let mut attempt = 0;
        loop {
            pace.wait();
            let response = self.agent.get(url).header("Accept", "application/json, text/xml;q=0.9").call();
            let mut response = match response {
                Ok(r) => r,
                Err(e) => {
                    if !pace.reached.load(Ordering::Relaxed) {
                        pace.down.store(true, Ordering::Relaxed);
                    }
                    return Err(failed(&format!("{} could not be reached: {e}", registry.name()), false));
                }
            };
            pace.reached.store(true, Ordering::Relaxed);
            let status = response.status().as_u16();
            if matches!(status, 429 | 503) {
                let wait = retry_after(response.headers().get("retry-after").and_then(|v| v.to_str().ok()));
                attempt += 1;
                if attempt > RETRIES || wait > MAX_WAIT {
                    return Err(failed(
                        &format!("{} is busy (HTTP {status}) and asked to wait {} s", registry.name(), wait.as_secs()),
                        true,
                    ));
                }
                pace.hold(wait);
                continue;
            }
            let body = response.body_mut().with_config().limit(BODY_LIMIT).read_to_string();
            return match body {
                Ok(body) => Ok((status, body)),
                Err(e) => Err(failed(&format!("{}'s answer could not be read: {e}", registry.name()), true)),
            };
        }
    }
}

fn failed(reason: &str, reached: bool) -> Answer {
    Answer::Failed { reason: reason.to_string(), reached }
}

/// The notices of `more` not already in `notices` (by kind and notice).
pub fn merge_notices(notices: &mut Vec<Notice>, more: Vec<Notice>) {
    for n in more {
        if !notices.iter().any(|m| m.kind == n.kind && m.notice.is_some() && m.notice == n.notice) {
            notices.push(n);
        }
    }
    notices.sort();
}

/// `sourcebook/0.1.0 (mailto:editor@example.org)`, as Crossref asks.
fn user_agent(contact: Option<&str>) -> String {
    let version = env!("CARGO_PKG_VERSION");
    match contact {
        Some(c) => format!("sourcebook/{version} (mailto:{c})"),
        None => format!("sourcebook/{version}"),
    }
}

/// A value inside a query string, percent-encoded.
fn query_value(value: &str) -> String {
    use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
    const KEEP: &percent_encoding::AsciiSet = &NON_ALPHANUMERIC.remove(b'.').remove(b'-').remove(b'_').remove(b'/');
    utf8_percent_encode(value, KEEP).to_string()
}

/// How long `Retry-After` asks to wait: seconds, or an HTTP date; 2 s
/// when it is absent or unreadable.
fn retry_after(value: Option<&str>) -> Duration {
    let default = Duration::from_secs(2);
    let Some(value) = value.map(str::trim) else { return default };
    if let Ok(seconds) = value.parse::<u64>() {
        return Duration::from_secs(seconds);
    }
    let parsed = jiff::fmt::rfc2822::parse(value).map(|z| z.timestamp());
    match parsed {
        Ok(at) => {
            let left = at.as_second() - jiff::Timestamp::now().as_second();
            Duration::from_secs(left.max(0).unsigned_abs())
        }
        Err(_) => default,
    }
}

/// One registry's pace: requests start at least `every` apart, later after
/// a `Retry-After`; and whether it has answered or could not be reached.
struct Pace {
    every: Duration,
    next: Mutex<Instant>,
    reached: AtomicBool,
    down: AtomicBool,
}

impl Pace {
    fn new(every: Duration) -> Pace {
        Pace { every, next: Mutex::new(Instant::now()), reached: AtomicBool::new(false), down: AtomicBool::new(false) }
    }

    /// Wait for this request's turn.
    fn wait(&self) {
        let at = {
            let mut next = crate::lock(&self.next);
            let at = (*next).max(Instant::now());
            *next = at + self.every;
            at
        };
        std::thread::sleep(at.saturating_duration_since(Instant::now()));
    }

    /// No request starts before `wait` from now.
    fn hold(&self, wait: Duration) {
        let mut next = crate::lock(&self.next);
        *next = (*next).max(Instant::now() + wait);
    }
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

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        assert_eq!(retry_after(Some("7")), Duration::from_secs(7));
        assert_eq!(retry_after(None), Duration::from_secs(2));
        assert_eq!(retry_after(Some("soon")), Duration::from_secs(2));
        assert_eq!(retry_after(Some("Wed, 21 Oct 2015 07:28:00 GMT")), Duration::ZERO, "a date gone by");
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
