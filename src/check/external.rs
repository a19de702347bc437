//! `check --external`: probe http(s) links with timeouts and a concurrency
//! limit, each URL once. With no network, one clear message instead of a
//! flood of failures or a hang.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use crate::diagnostics::{Code, Diagnostic, Span};

/// How many requests run at once.
const CONCURRENCY: usize = 8;
const TIMEOUT: Duration = Duration::from_secs(10);

enum Outcome {
    Ok,
    /// The server answered with an error status.
    Status(u16),
    /// No answer: DNS, connection refused, timeout.
    Unreachable(String),
}

/// Check every distinct URL in `links` (url, where it is written).
pub fn check(links: &[(String, Span)]) -> Vec<Diagnostic> {
    let mut by_url: BTreeMap<&str, Vec<&Span>> = BTreeMap::new();
    for (url, span) in links {
        by_url.entry(url.as_str()).or_default().push(span);
    }
    let urls: Vec<&str> = by_url.keys().copied().collect();
    let outcomes = probe_all(&urls);
    let reachable = outcomes.iter().any(|o| !matches!(o, Outcome::Unreachable(_)));
    let unreachable = outcomes.iter().filter(|o| matches!(o, Outcome::Unreachable(_))).count();
    let mut diags = Vec::new();
    if !reachable && unreachable > 0 {
        let first = match &outcomes[0] {
            Outcome::Unreachable(reason) => reason.clone(),
            _ => String::new(),
        };
        diags.push(
            Diagnostic::warning(
                Code::ExternalUnreachable,
                format!("no external link could be reached ({unreachable} links not checked): the network seems to be down ({first})"),
            )
            .with_help("run `check --external` again where there is a network"),
        );
        return diags;
    }
    for (url, outcome) in urls.iter().zip(outcomes) {
        let (severity_error, message) = match outcome {
            Outcome::Ok => continue,
            Outcome::Status(code @ (404 | 410)) => (true, format!("external link `{url}` is gone (HTTP {code})")),
            Outcome::Status(code) => (false, format!("external link `{url}` answered HTTP {code}")),
            Outcome::Unreachable(reason) => (false, format!("external link `{url}` could not be reached: {reason}")),
        };
        for span in &by_url[url] {
            let d = if severity_error {
                Diagnostic::error(Code::BrokenLink, &message)
            } else {
                Diagnostic::warning(Code::BrokenLink, &message)
            };
            diags.push(d.with_span((*span).clone()));
        }
    }
    diags
}

fn probe_all(urls: &[&str]) -> Vec<Outcome> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(TIMEOUT))
        .http_status_as_error(false)
        .user_agent("sourcebook-link-check")
        .build()
        .into();
    let next = Mutex::new(0usize);
    let results: Mutex<Vec<Option<Outcome>>> = Mutex::new((0..urls.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..CONCURRENCY.min(urls.len()) {
            scope.spawn(|| {
                loop {
                    let i = {
                        let mut n = crate::lock(&next);
                        let i = *n;
                        *n += 1;
                        i
                    };
                    let Some(url) = urls.get(i) else { break };
                    let outcome = probe(&agent, url);
                    crate::lock(&results)[i] = Some(outcome);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .map(|o| o.unwrap_or(Outcome::Unreachable("not checked".into())))
        .collect()
}

fn probe(agent: &ureq::Agent, url: &str) -> Outcome {
    // HEAD first; some servers refuse it, so fall back to GET
    let status = |r: Result<ureq::http::Response<ureq::Body>, ureq::Error>| r.map(|r| r.status().as_u16());
    match status(agent.head(url).call()) {
        Ok(s) if s < 400 => Outcome::Ok,
        Ok(405 | 403 | 501) => match status(agent.get(url).call()) {
            Ok(s) if s < 400 => Outcome::Ok,
            Ok(s) => Outcome::Status(s),
            Err(e) => Outcome::Unreachable(e.to_string()),
        },
        Ok(s) => Outcome::Status(s),
        Err(e) => Outcome::Unreachable(e.to_string()),
    }
}
