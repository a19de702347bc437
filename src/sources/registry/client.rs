//! The HTTP side of asking the registries: one [`Client`] per run, with
//! the registries' answers read by `crossref.rs` and `pubmed.rs`. See the
//! module above for how it asks (identification, pace, `Retry-After`,
//! timeouts, one failure per unreachable registry).

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::{Answer, Identifier, Registries, Registry, crossref, merge_notices, pubmed};

/// How many requests run at once, across registries.
pub(crate) const CONCURRENCY: usize = 4;
/// The longest a `Retry-After` is waited for; a longer one fails the request.
pub(crate) const MAX_WAIT: Duration = Duration::from_secs(60);
/// How many times a `429` or `503` is retried.
const RETRIES: u32 = 3;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Requests to one registry that may run out of time before it is taken as
/// down for the rest of the run.
const MAX_TIMEOUTS: usize = 2;
/// The most a registry's answer may weigh.
const BODY_LIMIT: u64 = 8 * 1024 * 1024;
/// PMIDs per efetch request (NCBI suggests at most 200).
const PUBMED_BATCH: usize = 100;

/// Asks the registries. One per run: it remembers which registry could not
/// be reached, and keeps each one's pace.
pub(crate) struct Client {
    registries: Registries,
    agent: ureq::Agent,
    crossref: Pace,
    pubmed: Pace,
}

impl Client {
    pub(crate) fn new(registries: Registries) -> Client {
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
    pub(crate) fn lookup_all(&self, ids: &[Identifier]) -> Vec<Answer> {
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
            Identifier::Pmcid(_) => vec![self.pubmed_by(&ids[job[0]])],
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
    pub(crate) fn crossref_checked(&self, doi: &str) -> Answer {
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
    pub(crate) fn crossref_work(&self, doi: &str) -> Answer {
        let url = format!(
            "{}/works/{}{}",
            self.registries.crossref,
            crate::html::path_component(doi),
            self.mailto().replacen('&', "?", 1)
        );
        match self.get(Registry::Crossref, &url) {
            Ok((200, body)) => match crossref::work(&body) {
                // another work's record is never taken for this one's
                // (Crossref answers 404 for an alias, not its prime's record)
                Ok(work) => match work.doi.as_deref() {
                    Some(answered) if !answered.eq_ignore_ascii_case(doi) => {
                        failed(&format!("Crossref answered with the work {answered} when asked for {doi}"), true)
                    }
                    _ => Answer::Found(Box::new(work)),
                },
                Err(reason) => failed(&format!("Crossref's answer for {doi} could not be read: {reason}"), true),
            },
            Ok((404, _)) => Answer::NotFound,
            Ok((status, _)) => failed(&format!("Crossref answered HTTP {status} for {doi}"), true),
            Err(answer) => answer,
        }
    }

    /// Works by PMID, in one efetch request: a PMID PubMed does not return
    /// is [`Answer::NotFound`].
    fn pubmed_many(&self, pmids: &[&str]) -> Vec<Answer> {
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
    fn pmid_for(&self, id: &Identifier) -> Result<Option<String>, Answer> {
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

    /// A work in PubMed by any of its identifiers (a DOI or PMCID found
    /// with `esearch` first). A record filed under another DOI or PMCID
    /// than the one searched for is another work's, and never taken for
    /// this one's.
    pub(crate) fn pubmed_by(&self, id: &Identifier) -> Answer {
        let pmid = match self.pmid_for(id) {
            Ok(Some(pmid)) => pmid,
            Ok(None) => return Answer::NotFound,
            Err(answer) => return answer,
        };
        match self.pubmed_many(&[pmid.as_str()]).remove(0) {
            Answer::Found(work) => {
                let filed = match id {
                    Identifier::Doi(_) => work.doi.as_ref().map(|d| Identifier::Doi(d.to_ascii_lowercase())),
                    Identifier::Pmcid(_) => work.pmcid.as_ref().map(|p| Identifier::Pmcid(p.to_ascii_uppercase())),
                    Identifier::Pmid(_) => None,
                };
                match filed {
                    Some(other) if other != *id => {
                        failed(&format!("PubMed's search for {id} found PMID {pmid}, filed under {other}"), true)
                    }
                    _ => Answer::Found(work),
                }
            }
            answer => answer,
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
                    pace.failed(&e);
                    return Err(failed(&format!("{} could not be reached: {e}", registry.name()), false));
                }
            };
            pace.reached.store(true, Ordering::Relaxed);
            let status = response.status().as_u16();
            if matches!(status, 429 | 503) {
                let wait = retry_after(response.headers().get("retry-after").and_then(|v| v.to_str().ok()));
                attempt += 1;
                if attempt > RETRIES || wait > MAX_WAIT {
                    let asked = match wait > MAX_WAIT {
                        true => format!("more than the {} s sourcebook waits", MAX_WAIT.as_secs()),
                        false => format!("{} s", wait.as_secs()),
                    };
                    return Err(failed(
                        &format!("{} is busy (HTTP {status}) and asked to wait {asked}", registry.name()),
                        true,
                    ));
                }
                pace.hold(wait);
                continue;
            }
            let body = response.body_mut().with_config().limit(BODY_LIMIT).read_to_string();
            return match body {
                Ok(body) => Ok((status, body)),
                Err(e) => {
                    pace.failed(&e);
                    Err(failed(&format!("{}'s answer could not be read: {e}", registry.name()), true))
                }
            };
        }
    }
}

fn failed(reason: &str, reached: bool) -> Answer {
    Answer::Failed { reason: reason.to_string(), reached }
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

/// How long `Retry-After` asks to wait: seconds (more than a `u64` holds
/// is the longest wait, never the default), or an HTTP date; 2 s when it
/// is absent or unreadable.
fn retry_after(value: Option<&str>) -> Duration {
    let default = Duration::from_secs(2);
    let Some(value) = value.map(str::trim) else { return default };
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Duration::from_secs(value.parse::<u64>().unwrap_or(u64::MAX));
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
    /// Requests that ran out of time: after [`MAX_TIMEOUTS`] the registry
    /// is taken as down (one that sends headers and then nothing would
    /// otherwise cost [`REQUEST_TIMEOUT`] for every identifier).
    timeouts: AtomicUsize,
}

impl Pace {
    fn new(every: Duration) -> Pace {
        Pace {
            every,
            next: Mutex::new(Instant::now()),
            reached: AtomicBool::new(false),
            down: AtomicBool::new(false),
            timeouts: AtomicUsize::new(0),
        }
    }

    /// Note a request that failed with `e`: a timeout counts towards
    /// taking the registry as down.
    fn failed(&self, e: &ureq::Error) {
        if matches!(e, ureq::Error::Timeout(_)) && self.timeouts.fetch_add(1, Ordering::Relaxed) + 1 >= MAX_TIMEOUTS {
            self.down.store(true, Ordering::Relaxed);
        }
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

    /// A registry whose requests run out of time twice is taken as down:
    /// one that sends its headers and then nothing would otherwise cost
    /// every identifier of a site the whole timeout.
    #[test]
    fn a_registry_that_times_out_twice_is_taken_as_down() {
        let pace = Pace::new(Duration::ZERO);
        pace.failed(&ureq::Error::StatusCode(500));
        pace.failed(&ureq::Error::Timeout(ureq::Timeout::Global));
        assert!(!pace.down.load(Ordering::Relaxed), "one timeout");
        pace.failed(&ureq::Error::Timeout(ureq::Timeout::RecvBody));
        assert!(pace.down.load(Ordering::Relaxed), "two");
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        assert_eq!(retry_after(Some("7")), Duration::from_secs(7));
        assert_eq!(retry_after(None), Duration::from_secs(2));
        assert_eq!(retry_after(Some("soon")), Duration::from_secs(2));
        // too many seconds to count is a long wait, which MAX_WAIT refuses
        assert_eq!(retry_after(Some("99999999999999999999999")), Duration::from_secs(u64::MAX));
        assert_eq!(retry_after(Some("Wed, 21 Oct 2015 07:28:00 GMT")), Duration::ZERO, "a date gone by");
    }
}
