//! The bibliography judged against the lock, offline: does each identifier
//! resolve (`source-not-found`), do the title, year, journal and first
//! author agree with the registry (`source-mismatch`), and what notices
//! apply (`retracted-source`, `corrected-source`, `expression-of-concern`);
//! and is the lock itself current (`stale-source-lock`). Plain `check` and
//! `check --sources` both end here, so they cannot disagree about a lock.

use jiff::civil::Date;

use super::lock::{self, Entry, Lock};
use super::registry::{Identifier, Notice, NoticeKind};
use super::{Bibliography, Source};
use crate::diagnostics::{Code, Diagnostic};

/// `check:`'s `source_lock_max_age_days` when site.yaml does not say.
pub(crate) const DEFAULT_MAX_AGE_DAYS: u32 = 90;

const REFRESH: &str = "run `sourcebook check --sources` where there is a network to refresh content/sources.lock.yaml";

/// Every finding about `bib` as of `lock`; `today` and `max_age_days` for
/// the lock's age; `unlisted`: whether to report sources the lock says
/// nothing about.
pub(crate) fn verify(
    bib: &Bibliography,
    lock: &Lock,
    today: Date,
    max_age_days: u32,
    unlisted: bool,
) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let mut missing = Vec::new();
    let mut oldest: Option<Date> = None;
    for source in bib.sources.values() {
        let mut entries: Vec<(Identifier, &Entry)> = Vec::new();
        for id in identifiers(source) {
            match lock.entries.get(&id.key()) {
                Some(entry) => {
                    oldest = Some(oldest.map_or(entry.checked, |o| o.min(entry.checked)));
                    entries.push((id, entry));
                }
                None => missing.push(format!("`{}` ({id})", source.id)),
            }
        }
        diags.extend(judge(source, &entries));
    }
    if unlisted && !missing.is_empty() {
        let shown: Vec<&str> = missing.iter().take(5).map(String::as_str).collect();
        let more = if missing.len() > 5 { format!(" and {} more", missing.len() - 5) } else { String::new() };
        diags.push(
            Diagnostic::warning(
                Code::StaleSourceLock,
                format!("the source lock says nothing about {}{more}: they were not checked", shown.join(", ")),
            )
            .in_file(lock::FILE)
            .with_help(REFRESH),
        );
    }
    if let Some(oldest) = oldest
        // a date difference is in days unless asked for larger units
        && let Ok(span) = today.since(oldest)
        && let days = span.get_days()
        && days > i32::try_from(max_age_days).unwrap_or(i32::MAX)
    {
        diags.push(
            Diagnostic::warning(
                Code::StaleSourceLock,
                format!(
                    "the source lock is {days} days old (checked {oldest}; at most {max_age_days}): retractions and corrections since then are not known"
                ),
            )
            .in_file(lock::FILE)
            .with_help(format!(
                "{REFRESH}; `check: {{ source_lock_max_age_days: N }}` in site.yaml sets the age"
            )),
        );
    }
    diags
}

/// The identifiers of a source that the lock holds answers for.
fn identifiers(source: &Source) -> Vec<Identifier> {
    let doi = source.doi().map(|d| Identifier::Doi(d.to_ascii_lowercase()));
    let pmid = source.pmid().map(|p| Identifier::Pmid(p.to_string()));
    doi.into_iter().chain(pmid).collect()
}

fn judge(source: &Source, entries: &[(Identifier, &Entry)]) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let at = |d: Diagnostic| d.with_span(source.span.clone());
    for (id, entry) in entries.iter().filter(|(_, e)| !e.found) {
        diags.push(at(Diagnostic::error(
            Code::SourceNotFound,
            format!("source `{}`: {} does not know {id} (checked {})", source.id, entry.registry.name(), entry.checked),
        )
        .with_help(
            "compare the identifier with the article's own page; correct it, then run `sourcebook check --sources`",
        )));
    }
    let found: Vec<&Entry> = entries.iter().map(|(_, e)| *e).filter(|e| e.found).collect();
    if found.is_empty() {
        return diags;
    }
    for (field, here, theirs) in mismatches(source, &found) {
        let whose = match theirs.as_slice() {
            [(registry, _)] => format!("{registry}'s"),
            _ => "the registries'".to_string(),
        };
        // registries that agree with each other are named together, their value once
        let mut values: Vec<(Vec<&str>, &str)> = Vec::new();
        for (registry, value) in &theirs {
            match values.iter_mut().find(|(_, v)| normalize(v) == normalize(value)) {
                Some((names, _)) => names.push(registry),
                None => values.push((vec![registry], value)),
            }
        }
        let values: Vec<String> =
            values.iter().map(|(names, value)| format!("{} \"{value}\"", names.join(" and "))).collect();
        diags.push(at(Diagnostic::warning(
            Code::SourceMismatch,
            format!("source `{}`: the {field} differs from {whose}: here \"{here}\", {}", source.id, values.join(", ")),
        )
        .with_help(
            "correct the entry if the registry is right; `sourcebook source add` writes an entry from the registry",
        )));
    }
    diags.extend(notices(source, &found).into_iter().map(at));
    diags
}

/// A field no registry agrees with: its name, the local value, and each
/// registry's value.
type Mismatch = (&'static str, String, Vec<(&'static str, String)>);

fn mismatches(source: &Source, found: &[&Entry]) -> Vec<Mismatch> {
    let entry = &source.entry;
    let journal = entry.parents().first().and_then(|p| p.title());
    let first = entry.authors().and_then(|a| a.first());
    let local = [
        ("title", entry.title().map(|t| t.value.to_string())),
        ("year", entry.date_any().map(|d| d.year.to_string())),
        ("journal", journal.map(|t| t.value.to_string())),
        ("first author", first.map(|p| p.name.clone())),
    ];
    // "van der Berg, Lena" is read as the name "Berg" with the prefix "van der"
    let first_whole = first.and_then(|p| p.prefix.as_ref().map(|prefix| format!("{prefix} {}", p.name)));
    let journal_short = journal.and_then(|t| t.short.as_ref()).map(|s| s.to_string());
    let mut out = Vec::new();
    for (field, here) in local {
        let Some(here) = here else { continue };
        let theirs: Vec<(&'static str, Vec<String>)> = found
            .iter()
            .map(|e| {
                let values = match field {
                    "title" => e.title.iter().cloned().collect(),
                    "year" => e.years.iter().map(i32::to_string).collect(),
                    "journal" => e.journal.iter().chain(&e.journal_short).cloned().collect(),
                    _ => e.first_author.iter().cloned().collect(),
                };
                (e.registry.name(), values)
            })
            .filter(|(_, v): &(_, Vec<String>)| !v.is_empty())
            .collect();
        let mut ours = vec![normalize(&here)];
        match field {
            "journal" => ours.extend(journal_short.as_deref().map(normalize)),
            "first author" => ours.extend(first_whole.as_deref().map(normalize)),
            _ => {}
        }
        let agrees = theirs.iter().any(|(_, values)| values.iter().any(|v| ours.contains(&normalize(v))));
        if !theirs.is_empty() && !agrees {
            out.push((
                field,
                here,
                theirs.into_iter().map(|(registry, values)| (registry, values.join(" or "))).collect(),
            ));
        }
    }
    out
}

/// Text as compared: lower case, letters and digits only, words one space
/// apart, `&` as "and", without a leading "the" (PubMed's "The New England
/// journal of medicine") or a closing period.
pub(crate) fn normalize(text: &str) -> String {
    let lower = text.to_lowercase().replace('&', " and ");
    let words: Vec<String> =
        lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_string).collect();
    let words = match words.split_first() {
        Some((first, rest)) if first == "the" && !rest.is_empty() => rest.to_vec(),
        _ => words,
    };
    words.join(" ")
}

/// One diagnostic per kind of notice, naming each notice and its date.
fn notices(source: &Source, found: &[&Entry]) -> Vec<Diagnostic> {
    let mut all: Vec<&Notice> = found.iter().flat_map(|e| &e.notices).collect();
    all.sort();
    all.dedup_by(|a, b| a.kind == b.kind && a.notice.is_some() && a.notice == b.notice);
    let kinds = [NoticeKind::Retraction, NoticeKind::ExpressionOfConcern, NoticeKind::Correction];
    let mut diags = Vec::new();
    for kind in kinds {
        let these: Vec<String> = all.iter().filter(|n| n.kind == kind).map(|n| describe(n)).collect();
        if these.is_empty() {
            continue;
        }
        let list = these.join("; ");
        let id = &source.id;
        let d = match kind {
            NoticeKind::Retraction => Diagnostic::error(
                Code::RetractedSource,
                format!("source `{id}` has been retracted or withdrawn: {list}"),
            )
            .with_help("do not rest a claim on a retracted paper: cite other evidence, or say that it was retracted and why"),
            NoticeKind::ExpressionOfConcern => Diagnostic::warning(
                Code::ExpressionOfConcern,
                format!("source `{id}` is under an expression of concern: {list}"),
            )
            .with_help("read the notice; say so where the source is cited, or cite other evidence"),
            NoticeKind::Correction => Diagnostic::warning(
                Code::CorrectedSource,
                format!("source `{id}` has been corrected: {list}"),
            )
            .with_help(
                "read the correction and check that what the site says still holds; `check: { severity: { corrected-source: off } }` once done",
            ),
        };
        diags.push(d);
    }
    diags
}

/// `Retraction (doi:10.1021/…, 2019-07-26, retraction-watch)`.
fn describe(n: &Notice) -> String {
    let parts: Vec<&str> =
        [n.notice.as_deref(), n.date.as_deref(), Some(n.source.as_str())].into_iter().flatten().collect();
    format!("{} ({})", n.label, parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bibliography of a `sources.yaml` holding `yaml`.
    fn bibliography(yaml: &str) -> Bibliography {
        let content = crate::content::Content {
            sources_yaml: Some(crate::content::DataFile { file: "content/sources.yaml".into(), text: yaml.into() }),
            ..Default::default()
        };
        super::super::load(&content, None).0
    }

    #[test]
    fn a_lock_is_stale_past_its_age_in_days() {
        let yaml = "a:\n  type: misc\n  title: A\n  serial-number: { doi: \"10.1000/a\" }\n";
        let bib = bibliography(yaml);
        let lock =
            Lock::parse("\"doi:10.1000/a\":\n  registry: crossref\n  checked: 2026-01-01\n  found: true\n").unwrap();
        let stale = |today: Date, max: u32| {
            verify(&bib, &lock, today, max, true).iter().any(|d| d.code == Code::StaleSourceLock)
        };
        assert!(!stale(Date::constant(2026, 3, 31), 90), "89 days");
        assert!(!stale(Date::constant(2026, 4, 1), 90), "90 days");
        assert!(stale(Date::constant(2026, 4, 2), 90), "91 days");
        assert!(stale(Date::constant(2027, 1, 1), 364));
    }

    #[test]
    fn a_first_author_with_a_particle_agrees_with_the_registry() {
        let yaml = "a:\n  type: misc\n  title: A\n  author: [\"van der Berg, Lena\"]\n  serial-number: { doi: \"10.1000/a\" }\n";
        let bib = bibliography(yaml);
        let lock = |family: &str| {
            let text = format!(
                "\"doi:10.1000/a\":\n  registry: crossref\n  checked: 2026-01-01\n  found: true\n  first-author: \"{family}\"\n"
            );
            Lock::parse(&text).unwrap()
        };
        let mismatched = |family: &str| {
            verify(&bib, &lock(family), Date::constant(2026, 1, 2), 90, true)
                .iter()
                .any(|d| d.code == Code::SourceMismatch)
        };
        assert!(!mismatched("van der Berg"));
        assert!(!mismatched("Van Der Berg"));
        assert!(mismatched("Vanderberg"), "a different name");
    }

    /// When no registry agrees, each one's value is shown (only Crossref's
    /// was: PubMed's, often the one nearer the author's, was left out).
    #[test]
    fn a_field_no_registry_agrees_with_shows_every_registry_s_value() {
        let yaml = "a:\n  type: article\n  title: Ketamine for depression\n  date: 2020\n  serial-number: { doi: \"10.1000/a\", pmid: \"123\" }\n";
        let bib = bibliography(yaml);
        let entry = |key: &str, registry: &str, title: &str| {
            format!("\"{key}\":\n  registry: {registry}\n  checked: 2026-01-01\n  found: true\n  title: \"{title}\"\n")
        };
        let both = entry("doi:10.1000/a", "crossref", "Esketamine for depression")
            + &entry("pmid:123", "pubmed", "Ketamine for anxiety");
        let diags = verify(&bib, &Lock::parse(&both).unwrap(), Date::constant(2026, 1, 2), 90, true);
        let messages: Vec<&str> =
            diags.iter().filter(|d| d.code == Code::SourceMismatch).map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "source `a`: the title differs from the registries': here \"Ketamine for depression\", Crossref \"Esketamine for depression\", PubMed \"Ketamine for anxiety\""
            ]
        );
        let agreeing = entry("doi:10.1000/a", "crossref", "Esketamine for Depression")
            + &entry("pmid:123", "pubmed", "Esketamine for depression.");
        let diags = verify(&bib, &Lock::parse(&agreeing).unwrap(), Date::constant(2026, 1, 2), 90, true);
        assert!(diags.iter().any(|d| d.message.ends_with(
            "the title differs from the registries': here \"Ketamine for depression\", Crossref and PubMed \"Esketamine for Depression\""
        )), "registries that agree are named together: {diags:?}");
        let one = entry("doi:10.1000/a", "crossref", "Esketamine for depression");
        let diags = verify(&bib, &Lock::parse(&one).unwrap(), Date::constant(2026, 1, 2), 90, true);
        assert!(diags.iter().any(|d| d.message.ends_with(
            "the title differs from Crossref's: here \"Ketamine for depression\", Crossref \"Esketamine for depression\""
        )));
    }

    #[test]
    fn what_counts_as_the_same_text() {
        let same = [
            (
                "Ketamine versus ECT for nonpsychotic treatment-resistant major depression",
                "Ketamine Versus ECT for Nonpsychotic Treatment-Resistant Major Depression.",
            ),
            ("New England Journal of Medicine", "The New England journal of medicine"),
            ("Drug & Alcohol Dependence", "Drug and alcohol dependence"),
            ("Café—au lait", "café au lait"),
        ];
        for (a, b) in same {
            assert_eq!(normalize(a), normalize(b), "{a} / {b}");
        }
        assert_ne!(normalize("Ketamine for depression"), normalize("Esketamine for depression"));
        assert_ne!(normalize("The Lancet"), normalize("Lancet Psychiatry"));
    }
}
