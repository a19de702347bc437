//! `check --external`: probe http(s) links, each URL once, several at a
//! time, all within one time budget (`--external-timeout`). A link whose
//! server does not answer before the budget ends is counted in one summary
//! warning, not reported as broken; with no network, one clear message
//! instead of a flood of failures.
//!
//! It does not follow what a page says about a link (no retries, no
//! `robots.txt`): one HEAD, then a GET when the server refuses HEAD.

use std::collections::BTreeMap;
use std::sync::{Arc, Condvar, Mutex, mpsc};
use std::time::{Duration, Instant};

use crate::diagnostics::{Code, Diagnostic, Span};

/// How long all the probes of one `check` may take together, by default.
pub const DEFAULT_BUDGET: Duration = Duration::from_secs(30);
/// How many requests run at once.
const CONCURRENCY: usize = 16;
/// How many of them go to one server (scheme, host, port) at once: a site
/// cites PubMed and doi.org hundreds of times, and one server that never
/// answers must not hold every slot.
const PER_SERVER: usize = 4;
/// The longest one request may take; cut to what is left of the budget.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// A request is not started with less than this left of the budget.
const MIN_REQUEST: Duration = Duration::from_millis(100);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Ok,
    /// The server answered with an error status.
    Status(u16),
    /// No answer: DNS, connection refused, a full request timeout.
    Unreachable(String),
    /// The budget ran out before the probe started or while it waited.
    Late,
}

/// Check every distinct URL in `links` (url, where it is written), within
/// `budget` for them all.
pub(super) fn check(links: &[(String, Span)], budget: Duration) -> Vec<Diagnostic> {
    let mut by_url: BTreeMap<&str, Vec<&Span>> = BTreeMap::new();
    for (url, span) in links {
        by_url.entry(url.as_str()).or_default().push(span);
    }
    let urls: Vec<String> = by_url.keys().map(|u| u.to_string()).collect();
    let outcomes = probe_all(urls, budget);
    diagnose(&by_url, &outcomes, budget)
}

/// The diagnostics for `outcomes`, one per URL of `by_url` in order.
fn diagnose(by_url: &BTreeMap<&str, Vec<&Span>>, outcomes: &[Outcome], budget: Duration) -> Vec<Diagnostic> {
    let answered = outcomes.iter().any(|o| matches!(o, Outcome::Ok | Outcome::Status(_)));
    let unreachable = outcomes.iter().filter(|o| matches!(o, Outcome::Unreachable(_))).count();
    let late = outcomes.iter().filter(|o| **o == Outcome::Late).count();
    let mut diags = Vec::new();
    if !answered && unreachable > 0 {
        let first = outcomes.iter().find_map(|o| match o {
            Outcome::Unreachable(reason) => Some(reason.as_str()),
            _ => None,
        });
        let not_checked = unreachable + late;
        diags.push(
            Diagnostic::warning(
                Code::ExternalUnreachable,
                format!(
                    "no external link could be reached ({} not checked): the network seems to be down ({})",
                    crate::ui::count(not_checked, "link"),
                    first.unwrap_or_default()
                ),
            )
            .with_help("run `check --external` again where there is a network"),
        );
        return diags;
    }
    for ((url, spans), outcome) in by_url.iter().zip(outcomes) {
        let (severity_error, message) = match outcome {
            Outcome::Ok | Outcome::Late => continue,
            Outcome::Status(code @ (404 | 410)) => (true, format!("external link `{url}` is gone (HTTP {code})")),
            Outcome::Status(code) => (false, format!("external link `{url}` answered HTTP {code}")),
            Outcome::Unreachable(reason) => (false, format!("external link `{url}` could not be reached: {reason}")),
        };
        for span in spans {
            let d = if severity_error {
                Diagnostic::error(Code::BrokenLink, &message)
            } else {
                Diagnostic::warning(Code::BrokenLink, &message)
            };
            diags.push(d.with_span((*span).clone()));
        }
    }
    if late > 0 {
        let (links, were) = if late == 1 { ("link was", "it is") } else { ("links were", "they are") };
        let seconds = budget.as_secs_f64();
        diags.push(
            Diagnostic::warning(
                Code::ExternalUnreachable,
                format!(
                    "{late} external {links} not reached within the {seconds} s budget: {were} not checked, and not reported as broken"
                ),
            )
            .with_help(format!("give the links more time with `check --external --external-timeout SECONDS` (now {seconds})")),
        );
    }
    diags
}

/// Probe `urls` on worker threads until each has an outcome or the budget
/// is spent. Each request's timeout ends with the budget, so the workers
/// finish with it; one that does not (a resolver ignoring its timeout) is
/// left behind and its URL counted as late, so `check` never waits longer.
fn probe_all(urls: Vec<String>, budget: Duration) -> Vec<Outcome> {
    let deadline = Instant::now() + budget;
    let agent: ureq::Agent =
        ureq::Agent::config_builder().http_status_as_error(false).user_agent("sourcebook-link-check").build().into();
    let count = urls.len();
    let queue = Arc::new(Queue::new(urls, deadline));
    let (tx, rx) = mpsc::channel();
    for _ in 0..CONCURRENCY.min(count) {
        let (queue, agent, tx) = (Arc::clone(&queue), agent.clone(), tx.clone());
        std::thread::spawn(move || {
            while let Some(i) = queue.take() {
                let outcome = probe(&agent, &queue.urls[i], queue.deadline);
                queue.done(i);
                if tx.send((i, outcome)).is_err() {
                    break;
                }
            }
        });
    }
    drop(tx);
    let mut outcomes = vec![Outcome::Late; count];
    // ends when every worker has finished, or at the deadline
    while let Ok((i, outcome)) = rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        outcomes[i] = outcome;
    }
    outcomes
}

/// The URLs still to probe, handed to workers so that no server has more
/// than [`PER_SERVER`] requests at once.
struct Queue {
    urls: Vec<String>,
    /// The index of each URL's server.
    servers: Vec<usize>,
    deadline: Instant,
    state: Mutex<QueueState>,
    /// Signalled when a request ends, so a worker waiting for a server can go on.
    freed: Condvar,
}

struct QueueState {
    /// URL indexes not yet handed out, in order.
    pending: Vec<usize>,
    /// Requests under way, by server index.
    busy: Vec<usize>,
}

impl Queue {
    fn new(urls: Vec<String>, deadline: Instant) -> Queue {
        let mut known: Vec<String> = Vec::new();
        let servers = urls
            .iter()
            .map(|url| {
                let key = server(url);
                known.iter().position(|k| *k == key).unwrap_or_else(|| {
                    known.push(key);
                    known.len() - 1
                })
            })
            .collect();
        let state = QueueState { pending: (0..urls.len()).collect(), busy: vec![0; known.len()] };
        Queue { urls, servers, deadline, state: Mutex::new(state), freed: Condvar::new() }
    }

    /// The next URL whose server has a free slot, waiting for one if need
    /// be; `None` when there is none left or the budget is spent.
    fn take(&self) -> Option<usize> {
        let mut state = crate::lock(&self.state);
        loop {
            let left = self.deadline.saturating_duration_since(Instant::now());
            if state.pending.is_empty() || left < MIN_REQUEST {
                return None;
            }
            if let Some(at) = state.pending.iter().position(|&i| state.busy[self.servers[i]] < PER_SERVER) {
                let i = state.pending.remove(at);
                state.busy[self.servers[i]] += 1;
                return Some(i);
            }
            state = match self.freed.wait_timeout(state, left) {
                Ok((state, _)) => state,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
    }

    fn done(&self, i: usize) {
        crate::lock(&self.state).busy[self.servers[i]] -= 1;
        self.freed.notify_all();
    }
}

/// Scheme, host and port: what one server answers for. The whole URL when
/// it does not parse (the request will then fail on its own).
fn server(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => {
            format!("{}://{}:{}", u.scheme(), u.host_str().unwrap_or_default(), u.port_or_known_default().unwrap_or(0))
        }
        Err(_) => url.to_string(),
    }
}

fn probe(agent: &ureq::Agent, url: &str, deadline: Instant) -> Outcome {
    // one request, its timeout cut to what is left of the budget
    let call = |get: bool| -> Result<u16, Outcome> {
        let left = deadline.saturating_duration_since(Instant::now());
        if left < MIN_REQUEST {
            return Err(Outcome::Late);
        }
        let cut = left < REQUEST_TIMEOUT;
        let request = if get { agent.get(url) } else { agent.head(url) };
        match request.config().timeout_global(Some(left.min(REQUEST_TIMEOUT))).build().call() {
            Ok(response) => Ok(response.status().as_u16()),
            Err(ureq::Error::Timeout(_)) if cut => Err(Outcome::Late),
            Err(e) => Err(Outcome::Unreachable(e.to_string())),
        }
    };
    // HEAD first; some servers refuse it, so fall back to GET
    match call(false) {
        Ok(s) if s < 400 => Outcome::Ok,
        Ok(405 | 403 | 501) => match call(true) {
            Ok(s) if s < 400 => Outcome::Ok,
            Ok(s) => Outcome::Status(s),
            Err(outcome) => outcome,
        },
        Ok(s) => Outcome::Status(s),
        Err(outcome) => outcome,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diagnose_urls(outcomes: &[Outcome]) -> Vec<(String, bool, String)> {
        let span = Span {
            file: "content/a.md".into(),
            line: 1,
            column: 1,
            source_line: String::new(),
            shown_from: 1,
            width: None,
        };
        let urls: Vec<String> = (0..outcomes.len()).map(|i| format!("https://example.org/{i}")).collect();
        let by_url: BTreeMap<&str, Vec<&Span>> = urls.iter().map(|u| (u.as_str(), vec![&span])).collect();
        diagnose(&by_url, outcomes, Duration::from_secs(2))
            .into_iter()
            .map(|d| (d.code.as_str().to_string(), d.is_error(), d.message))
            .collect()
    }

    #[test]
    fn late_links_are_one_summary_not_broken_links() {
        use Outcome::*;
        // outcomes → (code, is an error, part of the message) of each diagnostic
        type Expected<'a> = &'a [(&'a str, bool, &'a str)];
        let table: &[(&[Outcome], Expected)] = &[
            (
                &[Ok, Late, Late],
                &[("external-unreachable", false, "2 external links were not reached within the 2 s budget")],
            ),
            (
                &[Status(404), Late],
                &[
                    ("broken-link", true, "is gone (HTTP 404)"),
                    ("external-unreachable", false, "1 external link was not reached within the 2 s budget"),
                ],
            ),
            (&[Late, Late], &[("external-unreachable", false, "2 external links were not reached")]),
            // nothing answered and something failed at once: the network is down
            (&[Unreachable("refused".into()), Late], &[("external-unreachable", false, "(2 links not checked)")]),
            (&[Ok, Unreachable("refused".into())], &[("broken-link", false, "could not be reached: refused")]),
            (&[Ok, Ok], &[]),
        ];
        for (outcomes, expected) in table {
            let got = diagnose_urls(outcomes);
            assert_eq!(got.len(), expected.len(), "{outcomes:?}: {got:?}");
            for ((code, error, message), (want_code, want_error, want_text)) in got.iter().zip(*expected) {
                assert_eq!((code.as_str(), *error), (*want_code, *want_error), "{outcomes:?}: {got:?}");
                assert!(message.contains(want_text), "{outcomes:?}: {message}");
            }
        }
    }

    #[test]
    fn a_server_gets_at_most_its_share_of_the_slots() {
        let mut urls: Vec<String> = (0..10).map(|i| format!("http://dead.example/{i}")).collect();
        urls.push("http://alive.example/".into());
        urls.push("https://dead.example/".into());
        let queue = Queue::new(urls, Instant::now() + Duration::from_secs(60));
        let taken: Vec<usize> = (0..PER_SERVER + 2).map_while(|_| queue.take()).collect();
        assert_eq!(taken, vec![0, 1, 2, 3, 10, 11], "four to the dead server, then the others");
        queue.done(0);
        assert_eq!(queue.take(), Some(4), "a freed slot goes to the next of that server");
    }
}
