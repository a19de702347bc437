//! `content/sources.lock.yaml`: what the registries said about each
//! identifier of the bibliography, and when. `check --sources` asks the
//! registries and writes it ([`refresh`], [`Lock::render`]); plain `check`
//! reads it and judges the bibliography against it offline
//! (`verify.rs`), so the same lock and sources always give the same
//! findings.
//!
//! A registry that could not be asked, or answered nonsense, leaves the
//! identifier's previous entry as it was: a failed request never erases
//! what is known.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context as _;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::Bibliography;
use super::registry::{Answer, Client, Identifier, Notice, Registry, Work};
use crate::diagnostics::{Code, Diagnostic};
use crate::yaml::Document;

pub(crate) const FILE: &str = "content/sources.lock.yaml";

/// The lock: entries by identifier key (`doi:…`, `pmid:…`).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Lock {
    pub entries: BTreeMap<String, Entry>,
}

/// What one registry said about one identifier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct Entry {
    pub registry: Registry,
    pub checked: Date,
    /// `false`: the registry answered that it has no such work.
    pub found: bool,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub years: Vec<i32>,
    #[serde(default)]
    pub journal: Option<String>,
    #[serde(default)]
    pub journal_short: Option<String>,
    #[serde(default)]
    pub first_author: Option<String>,
    #[serde(default)]
    pub notices: Vec<Notice>,
}

impl Entry {
    fn of(registry: Registry, checked: Date, work: Option<&Work>) -> Entry {
        Entry {
            registry,
            checked,
            found: work.is_some(),
            title: work.map(|w| w.title.clone()),
            years: work.map(|w| w.years.clone()).unwrap_or_default(),
            journal: work.and_then(|w| w.journal.clone()),
            journal_short: work.and_then(|w| w.journal_short.clone()),
            first_author: work.and_then(|w| w.authors.first()).map(|p| p.family.clone()),
            notices: work.map(|w| w.notices.clone()).unwrap_or_default(),
        }
    }
}

impl Lock {
    /// The lock in `content/`, if there is one: `Ok(None)` when there is
    /// none, a diagnostic when it cannot be read or parsed.
    pub(crate) fn load(root: &Path) -> Result<Option<Lock>, Vec<Diagnostic>> {
        match crate::input::text(root, &root.join(FILE)) {
            Ok(text) => Lock::parse(&text).map(Some),
            Err(unread) if unread.missing => Ok(None),
            Err(unread) => Err(vec![unread.diagnostic]),
        }
    }

    pub(crate) fn parse(text: &str) -> Result<Lock, Vec<Diagnostic>> {
        let doc = Document::whole(FILE, text);
        let entries: Option<crate::yaml::UniqueKeys<Entry>> = doc.read().map_err(|d| vec![d])?;
        let entries = entries.map(|keys| keys.0).unwrap_or_default();
        let bad: Vec<Diagnostic> = entries
            .keys()
            .filter(|k| !(k.starts_with("doi:") || k.starts_with("pmid:")))
            .map(|k| {
                Diagnostic::error(Code::InvalidValue, format!("`{k}` is not an identifier the lock knows"))
                    .with_span(doc.key_span(crate::yaml::Path::root().key(k)))
                    .with_help(
                        "keys are `doi:10.NNNN/…` or `pmid:NNNN`; run `sourcebook check --sources` to rewrite the lock",
                    )
            })
            .collect();
        if bad.is_empty() { Ok(Lock { entries }) } else { Err(bad) }
    }

    /// The lock as it is written: a comment saying what it is, then each
    /// identifier in order, its strings quoted (valid YAML, any text).
    pub(crate) fn render(&self) -> String {
        let mut out = String::from(HEADER);
        let q = |s: &str| crate::yaml::quoted(s);
        for (key, e) in &self.entries {
            out.push_str(&format!("\n{}:\n", q(key)));
            out.push_str(&format!("  registry: {}\n", e.registry.name().to_ascii_lowercase()));
            out.push_str(&format!("  checked: {}\n", e.checked));
            out.push_str(&format!("  found: {}\n", e.found));
            let optional = [
                ("title", &e.title),
                ("journal", &e.journal),
                ("journal-short", &e.journal_short),
                ("first-author", &e.first_author),
            ];
            for (name, value) in optional {
                if let Some(v) = value {
                    out.push_str(&format!("  {name}: {}\n", q(v)));
                }
                if name == "title" && !e.years.is_empty() {
                    let years: Vec<String> = e.years.iter().map(i32::to_string).collect();
                    out.push_str(&format!("  years: [{}]\n", years.join(", ")));
                }
            }
            if !e.notices.is_empty() {
                out.push_str("  notices:\n");
            }
            for n in &e.notices {
                out.push_str(&format!("    - kind: {}\n", kind_name(n)));
                out.push_str(&format!("      label: {}\n", q(&n.label)));
                if let Some(notice) = &n.notice {
                    out.push_str(&format!("      notice: {}\n", q(notice)));
                }
                if let Some(date) = &n.date {
                    out.push_str(&format!("      date: {}\n", q(date)));
                }
                out.push_str(&format!("      source: {}\n", q(&n.source)));
            }
        }
        out
    }

    /// Write the lock beside the bibliography (beside it first, then
    /// renamed over it).
    pub(crate) fn write(&self, root: &Path) -> anyhow::Result<()> {
        let path = root.join(FILE);
        let tmp = path.with_extension("yaml.tmp");
        std::fs::write(&tmp, self.render()).with_context(|| format!("writing {}", tmp.display()))?;
        std::fs::rename(&tmp, &path).with_context(|| format!("replacing {}", path.display()))
    }
}

const HEADER: &str = "\
# What the registries said about each DOI and PMID of the bibliography, and when.
# Written by `sourcebook check --sources` (it asks Crossref and PubMed); read
# offline by `sourcebook check`. Commit it with the bibliography; refresh it
# with `sourcebook check --sources`. Do not edit it by hand.
";

fn kind_name(n: &Notice) -> &'static str {
    use super::registry::NoticeKind::*;
    match n.kind {
        Retraction => "retraction",
        Correction => "correction",
        ExpressionOfConcern => "expression-of-concern",
    }
}

/// The identifiers of the bibliography that registries are asked about:
/// each source's DOI (Crossref) and PMID (PubMed), once each, in order.
pub(crate) fn identifiers(bib: &Bibliography) -> Vec<Identifier> {
    let mut ids: Vec<Identifier> = bib
        .sources
        .values()
        .flat_map(|s| {
            let doi = s.doi().map(|d| Identifier::Doi(d.to_ascii_lowercase()));
            let pmid = s.pmid().map(|p| Identifier::Pmid(p.to_string()));
            doi.into_iter().chain(pmid)
        })
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// Ask the registries about every identifier of `bib` and make the new lock
/// from `old`: answered identifiers replaced, failed ones kept as they were,
/// identifiers no longer in the bibliography dropped. The diagnostics say
/// what could not be asked: one `external-unreachable` warning when no
/// registry answered at all, else one per failed identifier.
pub(crate) fn refresh(bib: &Bibliography, old: Option<&Lock>, client: &Client, today: Date) -> (Lock, Vec<Diagnostic>) {
    let ids = identifiers(bib);
    let answers = client.lookup_all(&ids);
    let mut lock = Lock::default();
    let mut failures = Vec::new();
    for (id, answer) in ids.iter().zip(&answers) {
        let registry = match id {
            Identifier::Doi(_) => Registry::Crossref,
            _ => Registry::Pubmed,
        };
        let key = id.key();
        let entry = match answer {
            Answer::Found(work) => Some(Entry::of(registry, today, Some(work))),
            Answer::NotFound => Some(Entry::of(registry, today, None)),
            Answer::Failed { reason, reached } => {
                failures.push((id, reason.as_str(), *reached));
                old.and_then(|l| l.entries.get(&key)).cloned()
            }
        };
        if let Some(entry) = entry {
            lock.entries.insert(key, entry);
        }
    }
    (lock, unreachable(&failures, ids.len()))
}

fn unreachable(failures: &[(&Identifier, &str, bool)], asked: usize) -> Vec<Diagnostic> {
    let help = "run `sourcebook check --sources` again where Crossref and PubMed can be reached; until then, `check` judges these sources by what the lock already says (nothing, if there is no lock)";
    if failures.is_empty() {
        return Vec::new();
    }
    if failures.iter().all(|(_, _, reached)| !reached) {
        let reasons: Vec<&str> = {
            let mut r: Vec<&str> = failures.iter().map(|(_, reason, _)| *reason).collect();
            r.dedup();
            r.into_iter().take(2).collect()
        };
        let message = format!(
            "the registries could not be reached, so {} of {asked} identifiers were not checked ({})",
            failures.len(),
            reasons.join("; ")
        );
        return vec![Diagnostic::warning(Code::ExternalUnreachable, message).with_help(help)];
    }
    failures
        .iter()
        .map(|(id, reason, _)| {
            Diagnostic::warning(Code::ExternalUnreachable, format!("{id} was not checked: {reason}")).with_help(help)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::registry::NoticeKind;

    #[test]
    fn a_lock_reads_back_as_it_was_written() {
        let mut lock = Lock::default();
        let work = Work {
            title: "A \"quoted\" title: with a colon\nand # a hash".into(),
            years: vec![2019, 2020],
            journal: Some("Journal".into()),
            authors: vec![super::super::registry::Person { family: "Ñúñez".into(), ..Default::default() }],
            notices: vec![Notice {
                kind: NoticeKind::ExpressionOfConcern,
                label: "Expression of concern".into(),
                notice: Some("doi:10.1000/eoc".into()),
                date: Some("2021-03".into()),
                source: "crossref".into(),
            }],
            ..Work::default()
        };
        let day = Date::constant(2026, 12, 1);
        lock.entries.insert("doi:10.1000/a".into(), Entry::of(Registry::Crossref, day, Some(&work)));
        lock.entries.insert("pmid:123".into(), Entry::of(Registry::Pubmed, day, None));
        let text = lock.render();
        assert_eq!(Lock::parse(&text).unwrap(), lock, "{text}");
        assert_eq!(Lock::parse(&text).unwrap().render(), text);
    }

    #[test]
    fn an_unknown_key_in_the_lock_is_an_error_at_its_line() {
        let text = "\"doi:10.1000/a\":\n  registry: crossref\n  checked: 2026-12-01\n  found: true\n  titel: x\n";
        let diags = Lock::parse(text).unwrap_err();
        assert_eq!(diags[0].line(), Some(5), "{diags:?}");
        assert!(diags[0].message.contains("`titel`"), "{diags:?}");
        let diags =
            Lock::parse("\"isbn:123\":\n  registry: crossref\n  checked: 2026-12-01\n  found: true\n").unwrap_err();
        assert_eq!((diags[0].code, diags[0].line()), (Code::InvalidValue, Some(1)));
    }

    /// An identifier written twice (two branches' answers merged by hand)
    /// is an error at the second, not one answer kept silently.
    #[test]
    fn an_identifier_written_twice_in_the_lock_is_an_error_at_the_second() {
        let entry = "\"doi:10.1000/a\":\n  registry: crossref\n  checked: 2026-12-01\n  found: true\n";
        let diags = Lock::parse(&format!("{entry}{}", entry.replace("true", "false"))).unwrap_err();
        assert_eq!(diags[0].message, "the key `doi:10.1000/a` is written twice in one map (first on line 1)");
        assert_eq!((diags[0].code, diags[0].line()), (Code::FrontMatterYaml, Some(5)));
    }
}
