//! The bibliography against the registries: with `check --sources`, ask
//! Crossref and PubMed about every DOI and PMID and rewrite
//! `content/sources.lock.yaml`; in every `check`, judge the sources against
//! the lock (offline, the same findings for the same files). A site without
//! a lock has not opted in, and plain `check` says nothing about it.

use std::path::Path;

use jiff::civil::Date;

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::sources::lock::{self, Lock};
use crate::sources::registry::{Client, Registries};
use crate::sources::{Bibliography, verify};

/// The findings about `bib`, and whether the lock was written; with `ask`,
/// after asking the registries (as the site's `contact_email` unless `ask`
/// names someone) and writing the new lock if it changed.
pub(super) fn check(
    root: &Path,
    bib: &Bibliography,
    config: &Config,
    today: Date,
    ask: Option<&Registries>,
) -> anyhow::Result<(Vec<Diagnostic>, bool)> {
    let max_age_days = config.check.source_lock_max_age_days.unwrap_or(crate::sources::DEFAULT_LOCK_MAX_AGE_DAYS);
    let old = match Lock::load(root) {
        Ok(old) => old,
        Err(diags) => return Ok((diags, false)),
    };
    let Some(registries) = ask else {
        let found = old.map(|lock| verify::verify(bib, &lock, today, max_age_days, true));
        return Ok((found.unwrap_or_default(), false));
    };
    let mut registries = registries.clone();
    registries.contact = registries.contact.or_else(|| config.contact_email.clone());
    let client = Client::new(registries);
    let (new, mut diags) = lock::refresh(bib, old.as_ref(), &client, today);
    let changed = match &old {
        Some(old) => *old != new,
        None => !new.entries.is_empty(),
    };
    if changed {
        new.write(root)?;
    }
    // identifiers no registry could answer for are already reported
    let all_answered = diags.is_empty();
    diags.extend(verify::verify(bib, &new, today, max_age_days, all_answered));
    Ok((diags, changed))
}
