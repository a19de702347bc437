//! `sourcebook source add <DOI | PMID | PMCID>`: a bibliography entry made
//! from the registries. Crossref gives the DOI's work, PubMed the PMID's
//! record, each cross-filling the other's identifier; the entry is written
//! as hayagriva YAML and appended to `content/sources.yaml` as text, so the
//! file's comments and order stay as they were.
//!
//! What comes from where, when both know the work: the title and author
//! list from PubMed (sentence case, as AMA wants, and a list PubMed marks
//! complete), else Crossref; the journal's full name, the date, volume,
//! issue and pages from Crossref (the publisher's deposit), its
//! abbreviation from PubMed (NLM's, which AMA uses).

use std::path::Path;

use super::registry::{Answer, Client, Identifier, NoticeKind, Person, Registries, Work};
use super::{Bibliography, Evidence, Locales, format_all, valid_id};
use crate::config::Config;
use crate::content::{self, Content, DataFile};

/// What to add.
#[derive(Debug, Clone)]
pub(crate) struct AddRequest {
    /// A DOI, a doi.org address, a PMID or a PMCID, as the author pasted it.
    pub identifier: String,
    pub id: Option<String>,
    pub evidence: Option<String>,
    /// Where the registries are; the contact is the site's `contact_email`
    /// unless given.
    pub registries: Registries,
}

/// What happened.
#[derive(Debug)]
pub(crate) enum Adding {
    /// Appended: the id, the entry as written, the formatted reference, and
    /// notes for the author (a registry that could not fill a field, a
    /// retraction).
    Added { id: String, entry: String, reference: String, notes: Vec<String> },
    /// The request is wrong or already done (an identifier already cited).
    Usage(String),
    /// The registries did not give the work.
    Failed(String),
}

pub(crate) const FILE: &str = "content/sources.yaml";
/// The longest `--id` (a YAML key of more than 1,024 characters must be
/// written in a longer form than an entry's).
const MAX_ID_BYTES: usize = 200;

/// Add the work `request` names to the site at `root`.
pub(crate) fn add(root: &Path, request: &AddRequest) -> anyhow::Result<Adding> {
    let identifier = match Identifier::parse(&request.identifier) {
        Ok(id) => id,
        Err(message) => return Ok(Adding::Usage(message)),
    };
    if let Some(id) = request.id.as_deref().filter(|id| !valid_id(id)) {
        return Ok(Adding::Usage(format!("source id `{id}` must use only a-z, 0-9, `_` and `-`")));
    }
    if let Some(id) = request.id.as_deref().filter(|id| id.len() > MAX_ID_BYTES) {
        return Ok(Adding::Usage(format!("source id `{id}` is {} bytes long; at most {MAX_ID_BYTES}", id.len())));
    }
    if let Some(id) = request.id.as_deref().filter(|id| !crate::yaml::reads_as_text(id)) {
        return Ok(Adding::Usage(format!(
            "source id `{id}` would be read by YAML as a number, not as written: start it with a letter"
        )));
    }
    let evidence = request.evidence.as_deref();
    if let Some(e) = evidence.filter(|e| Evidence::parse(e).is_none()) {
        return Ok(Adding::Usage(format!("`--evidence {e}`: use one of {}", Evidence::NAMES.join(", "))));
    }
    let config = match Config::load(root) {
        Ok(c) => c,
        Err(diags) => {
            let first = diags.first().map(|d| d.message.clone()).unwrap_or_default();
            return Ok(Adding::Usage(format!("site.yaml cannot be read: {first}")));
        }
    };
    // held from before the sources are read until they are written: another
    // `source add` at once waits, then reads what this one added
    let rewrite = crate::output::Rewrite::begin(root, FILE)?;
    let (content, _) = content::load(root, &config, true, content::Bodies::Keep);
    let (bib, _) = super::load(&content, None);
    if let Some(message) = already_cited(&bib, std::slice::from_ref(&identifier)) {
        return Ok(Adding::Usage(message));
    }
    // a local mistake is said before the registries are asked
    if let Some(id) = request.id.as_deref().filter(|id| bib.contains(id)) {
        return Ok(Adding::Usage(format!("the id `{id}` is taken; choose another with `--id`")));
    }
    let mut registries = request.registries.clone();
    registries.contact = registries.contact.or_else(|| config.contact_email.clone());
    let client = Client::new(registries);
    let mut notes = Vec::new();
    let work = match fetch(&client, &identifier, &mut notes) {
        Ok(work) => work,
        Err(message) => return Ok(Adding::Failed(message)),
    };
    let found: Vec<Identifier> = [
        work.doi.as_ref().map(|d| Identifier::Doi(d.to_ascii_lowercase())),
        work.pmid.clone().map(Identifier::Pmid),
        work.pmcid.clone().map(Identifier::Pmcid),
    ]
    .into_iter()
    .flatten()
    .collect();
    if let Some(message) = already_cited(&bib, &found) {
        return Ok(Adding::Usage(message));
    }
    // a taken `--id` was refused before the registries were asked
    let id = request.id.clone().unwrap_or_else(|| free_id(&bib, &work));
    let kinds = [
        (NoticeKind::Retraction, "was retracted or withdrawn", "retracted-source"),
        (NoticeKind::ExpressionOfConcern, "is under an expression of concern", "expression-of-concern"),
        (NoticeKind::Correction, "has been corrected", "corrected-source"),
    ];
    for (kind, what, code) in kinds {
        if work.notices.iter().any(|n| n.kind == kind) {
            notes.push(format!(
                "warning: the registries say this work {what}; once the lock is refreshed, `check` reports `{id}` as `{code}`"
            ));
        }
    }
    let entry = render(&id, &work, evidence);
    let reference = match reference(&id, &entry, &config) {
        Ok(reference) => reference,
        Err(why) => {
            return Ok(Adding::Failed(format!(
                "the entry made for {identifier} does not read back ({why}); nothing was written:\n{entry}"
            )));
        }
    };
    let text = appended(&content, &entry);
    if let Err(why) = reads_with(&text, &id) {
        return Ok(Adding::Failed(format!(
            "{FILE} with the entry for {identifier} would not read ({why}); nothing was written"
        )));
    }
    rewrite.replace(&text)?;
    Ok(Adding::Added { id, entry, reference, notes })
}

/// The work, from the registry its identifier belongs to, completed by the
/// other one; a registry that cannot fill its part leaves a note.
fn fetch(client: &Client, identifier: &Identifier, notes: &mut Vec<String>) -> Result<Work, String> {
    let failed = |answer: Answer, what: &str| match answer {
        Answer::NotFound => format!("{what} has no work {identifier}: check the identifier"),
        Answer::Failed { reason, .. } => reason,
        Answer::Found(_) => String::new(),
    };
    // what stops the add: a registry never reached says what to do instead
    let stopped = |answer: Answer, what: &str| match answer {
        Answer::Failed { reached: false, .. } => format!(
            "{}\n  help: check this machine's connection and try again, or write the entry into \
             content/sources.yaml by hand (README, \"Sources\")",
            failed(answer, what)
        ),
        other => failed(other, what),
    };
    let (crossref, pubmed) = match identifier {
        Identifier::Doi(doi) => {
            let crossref = match client.crossref_work(doi) {
                Answer::Found(work) => *work,
                other => return Err(stopped(other, "Crossref")),
            };
            let pubmed = match client.pubmed_by(identifier) {
                Answer::Found(work) => Some(*work),
                Answer::NotFound => None,
                other => {
                    notes.push(format!("no PMID or PMCID: {}", failed(other, "PubMed")));
                    None
                }
            };
            (Some(crossref), pubmed)
        }
        Identifier::Pmid(_) | Identifier::Pmcid(_) => {
            let pubmed = match client.pubmed_by(identifier) {
                Answer::Found(work) => *work,
                other => return Err(stopped(other, "PubMed")),
            };
            let crossref = match pubmed.doi.as_deref().map(|doi| client.crossref_work(&doi.to_ascii_lowercase())) {
                Some(Answer::Found(work)) => Some(*work),
                Some(other) => {
                    notes.push(format!("details from PubMed only: {}", failed(other, "Crossref")));
                    None
                }
                None => None,
            };
            (crossref, Some(pubmed))
        }
    };
    Ok(merge(crossref, pubmed))
}

/// One work from both registries' (see the module's note on what comes
/// from where).
fn merge(crossref: Option<Work>, pubmed: Option<Work>) -> Work {
    match (crossref, pubmed) {
        (Some(c), None) => c,
        (None, Some(p)) => p,
        (None, None) => Work::default(),
        (Some(c), Some(p)) => {
            let authors = if !p.authors.is_empty() && (p.authors_complete || c.authors.is_empty()) {
                p.authors
            } else {
                c.authors
            };
            let mut years = [c.years, p.years].concat();
            years.sort_unstable();
            years.dedup();
            let mut notices = c.notices;
            super::registry::merge_notices(&mut notices, p.notices);
            Work {
                kind: c.kind,
                title: if p.title.is_empty() { c.title } else { p.title },
                date: c.date.or(p.date),
                years,
                journal: c.journal.or(p.journal),
                journal_short: p.journal_short.or(c.journal_short),
                authors,
                authors_complete: p.authors_complete,
                volume: c.volume.or(p.volume),
                issue: c.issue.or(p.issue),
                pages: c.pages.or(p.pages),
                doi: c.doi.or(p.doi),
                pmid: p.pmid,
                pmcid: p.pmcid,
                url: c.url,
                notices,
            }
        }
    }
}

/// Which source already cites one of `ids`, as a refusal.
fn already_cited(bib: &Bibliography, ids: &[Identifier]) -> Option<String> {
    bib.sources.values().find_map(|s| {
        let id = ids.iter().find(|id| match id {
            Identifier::Doi(d) => s.doi().is_some_and(|x| x.eq_ignore_ascii_case(d)),
            Identifier::Pmid(p) => s.pmid() == Some(p.as_str()),
            Identifier::Pmcid(p) => s.entry.pmcid().is_some_and(|x| x.eq_ignore_ascii_case(p)),
        })?;
        Some(format!("{id} is already in the bibliography as `{}` ({}:{})", s.id, s.span.file, s.span.line))
    })
}

/// `<first author's family name><year>`, in a-z, with `b`, `c`… when taken.
fn free_id(bib: &Bibliography, work: &Work) -> String {
    let name = work.authors.first().map(|p| p.family.as_str()).unwrap_or(work.title.as_str());
    let word: String = fold(name.split_whitespace().find(|w| w.chars().any(char::is_alphanumeric)).unwrap_or(""));
    let base = format!(
        "{}{}",
        if word.is_empty() { "source" } else { &word },
        work.date.map(|d| d.year.to_string()).unwrap_or_default()
    );
    std::iter::once(base.clone())
        .chain(('b'..='z').map(|c| format!("{base}{c}")))
        .chain((2..).map(|n| format!("{base}-{n}")))
        .find(|id| !bib.contains(id))
        .unwrap_or(base)
}

/// A name in a-z and 0-9: lower case, common accented Latin letters
/// without their accents, everything else left out.
fn fold(name: &str) -> String {
    let mut out = String::new();
    for c in name.to_lowercase().chars() {
        let plain = match c {
            'a'..='z' | '0'..='9' => c,
            'à'..='å' | 'ā' | 'ă' | 'ą' => 'a',
            'ç' | 'ć' | 'č' => 'c',
            'è'..='ë' | 'ē' | 'ę' | 'ě' => 'e',
            'ì'..='ï' | 'ı' => 'i',
            'ñ' | 'ń' | 'ň' => 'n',
            'ò'..='ö' | 'ø' | 'ő' => 'o',
            'ù'..='ü' | 'ű' | 'ů' => 'u',
            'ý' | 'ÿ' => 'y',
            'ś' | 'š' | 'ș' => 's',
            'ź' | 'ż' | 'ž' => 'z',
            'ł' => 'l',
            'ř' => 'r',
            'ț' => 't',
            'ß' => {
                out.push_str("ss");
                continue;
            }
            'æ' => {
                out.push_str("ae");
                continue;
            }
            _ => continue,
        };
        out.push(plain);
    }
    out
}

/// The entry as hayagriva YAML, its text quoted (valid YAML whatever it
/// holds) and its titles escaped for the citation library (shown as the
/// registry gives them, braces and `$` included).
fn render(id: &str, work: &Work, evidence: Option<&str>) -> String {
    let q = |s: &str| crate::yaml::quoted(s);
    let title = |s: &str| q(&super::validate::as_written(s));
    // unquoted only as a number YAML reads back as the same digits
    let number = |s: &str| {
        if (1..=9).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()) { s.to_string() } else { q(s) }
    };
    let (kind, parent) = types(&work.kind, work.journal.is_some());
    let mut out = format!("{id}:\n  type: {kind}\n  title: {}\n", title(&work.title));
    if !work.authors.is_empty() {
        out.push_str("  author:\n");
        for p in &work.authors {
            out.push_str(&format!("    - {}\n", person(p)));
        }
    }
    if let Some(date) = work.date {
        out.push_str(&format!("  date: {date}\n"));
    }
    if let Some(pages) = &work.pages {
        out.push_str(&format!("  page-range: {}\n", q(pages)));
    }
    let serial: Vec<String> = [("doi", &work.doi), ("pmid", &work.pmid), ("pmcid", &work.pmcid)]
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}: {}", q(v))))
        .collect();
    if !serial.is_empty() {
        out.push_str(&format!("  serial-number: {{ {} }}\n", serial.join(", ")));
    }
    let volume_issue: Vec<String> = [("volume", &work.volume), ("issue", &work.issue)]
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}: {}", number(v))))
        .collect();
    match (parent, &work.journal) {
        (Some(parent), Some(journal)) => {
            out.push_str(&format!("  parent:\n    type: {parent}\n"));
            let short = work.journal_short.as_ref().map(|s| format!(", short: {}", title(s))).unwrap_or_default();
            out.push_str(&format!("    title: {{ value: {}{short} }}\n", title(journal)));
            for line in &volume_issue {
                out.push_str(&format!("    {line}\n"));
            }
        }
        _ => {
            for line in &volume_issue {
                out.push_str(&format!("  {line}\n"));
            }
        }
    }
    if let Some(url) = &work.url {
        out.push_str(&format!("  url: {}\n", q(url)));
    }
    if let Some(evidence) = evidence {
        out.push_str(&format!("  evidence: {evidence}\n"));
    }
    out
}

/// `"Family, Given"`, or the map form when a part holds a comma, there is
/// a suffix, or the family name starts with a particle (`van der Berg`:
/// hayagriva would read "van der" from the short form as a prefix, and
/// AMA would then write "Berg L van der").
fn person(p: &Person) -> String {
    let q = |s: &str| crate::yaml::quoted(s);
    let particle = p.family.contains(' ') && p.family.starts_with(|c: char| c.is_lowercase());
    let comma = particle || p.family.contains(',') || p.given.as_deref().is_some_and(|g| g.contains(','));
    match (&p.given, &p.suffix) {
        (Some(given), None) if !comma => q(&format!("{}, {given}", p.family)),
        (None, None) if !comma => q(&p.family),
        (given, suffix) => {
            let mut parts = vec![format!("name: {}", q(&p.family))];
            parts.extend(given.as_ref().map(|g| format!("given-name: {}", q(g))));
            parts.extend(suffix.as_ref().map(|s| format!("suffix: {}", q(s))));
            format!("{{ {} }}", parts.join(", "))
        }
    }
}

/// Hayagriva's entry type, and its parent's, for a Crossref work type.
fn types(kind: &str, has_journal: bool) -> (&'static str, Option<&'static str>) {
    match kind {
        "book-chapter" | "book-section" | "book-part" | "reference-entry" => ("chapter", Some("book")),
        "book" | "monograph" | "edited-book" | "reference-book" => ("book", None),
        "proceedings-article" => ("article", Some("proceedings")),
        "report" | "report-component" => ("report", None),
        "posted-content" => ("article", Some("repository")),
        "dissertation" => ("thesis", None),
        "dataset" => ("repository", None),
        _ if has_journal => ("article", Some("periodical")),
        _ => ("misc", None),
    }
}

/// The reference the site's citation style makes of the entry; the first
/// problem when the entry does not load cleanly.
fn reference(id: &str, entry: &str, config: &Config) -> Result<String, String> {
    let content =
        Content { sources_yaml: Some(DataFile { file: FILE.into(), text: entry.to_string() }), ..Content::default() };
    let (mut bib, diags) = super::load(&content, None);
    if let Some(d) = diags.first() {
        return Err(d.message.clone());
    }
    let _ = format_all(&mut bib, config, &Locales::load(&config.citation_style));
    bib.get(id).map(|s| s.plain.clone()).ok_or_else(|| format!("no source `{id}` in it"))
}

/// `content/sources.yaml` with `entry` appended as text, after a blank line.
fn appended(content: &Content, entry: &str) -> String {
    let mut text = content.sources_yaml.as_ref().map(|f| f.text.clone()).unwrap_or_default();
    if !text.is_empty() {
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text.push('\n');
    }
    text.push_str(entry);
    text
}

/// Whether the bibliography `text` holds source `id`, read as `check`
/// reads the file: within its size limit, one document (a file that ends
/// with `...`, or is one `{…}`, takes no entry after it).
fn reads_with(text: &str, id: &str) -> Result<(), String> {
    if text.len() as u64 > crate::input::MAX_TEXT_FILE {
        let mib = |n: u64| n as f64 / (1024.0 * 1024.0);
        return Err(format!(
            "it would be {:.1} MiB; the limit is {} MiB",
            mib(text.len() as u64),
            mib(crate::input::MAX_TEXT_FILE)
        ));
    }
    let content =
        Content { sources_yaml: Some(DataFile { file: FILE.into(), text: text.into() }), ..Content::default() };
    let (bib, diags) = super::load(&content, None);
    if bib.contains(id) {
        return Ok(());
    }
    Err(diags.iter().find(|d| d.is_error()).map_or_else(|| format!("no source `{id}` in it"), |d| d.message.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_the_first_authors_name_and_the_year_in_a_to_z() {
        let work = |family: &str| Work {
            authors: vec![Person { family: family.into(), ..Person::default() }],
            date: Some(super::super::registry::Day { year: 2019, month: None, day: None }),
            ..Work::default()
        };
        let mut bib = Bibliography::default();
        assert_eq!(free_id(&bib, &work("Núñez-García")), "nunezgarcia2019");
        assert_eq!(free_id(&bib, &work("Al Jurdi")), "al2019");
        assert_eq!(free_id(&bib, &work("Ørsted")), "orsted2019");
        assert_eq!(free_id(&bib, &work("王")), "source2019");
        let yaml = "fedgchin2019:\n  type: misc\n  title: A\nfedgchin2019b:\n  type: misc\n  title: B\n";
        let content =
            Content { sources_yaml: Some(DataFile { file: FILE.into(), text: yaml.into() }), ..Content::default() };
        bib = super::super::load(&content, None).0;
        assert_eq!(free_id(&bib, &work("Fedgchin")), "fedgchin2019c");
    }

    /// What a registry gives is what the reference shows: braces and `$`
    /// (marks to the citation library), quotes, backslashes and the
    /// characters YAML refuses bare (DEL, C1, NEL) all read back as given,
    /// in the title, the journal, its short form and the authors' names.
    #[test]
    fn a_registry_s_text_reads_back_as_it_came_whatever_it_holds() {
        // a name holds no braces or `$`; the rest, as a title may
        const NAME: &str = "O'Brien \"Ó\" \u{7f}\u{85}\u{2028}\u{9d}";
        let hostile = "The {R}-enantiomer: $500 \\ \"a\" #x {{ 6*6 }} }{ \u{7f}\u{85}\u{2028}\u{9d} end";
        let work = Work {
            kind: "journal-article".into(),
            title: hostile.into(),
            journal: Some(format!("J {hostile}")),
            journal_short: Some(format!("S {hostile}")),
            authors: vec![Person { family: NAME.into(), given: Some("G".into()), suffix: None }],
            ..Work::default()
        };
        let yaml = render("x2020", &work, None);
        let content =
            Content { sources_yaml: Some(DataFile { file: FILE.into(), text: yaml.clone() }), ..Content::default() };
        let (bib, diags) = super::super::load(&content, None);
        assert!(diags.is_empty(), "{yaml}\n{diags:?}");
        let source = bib.get("x2020").expect("the entry loads");
        assert_eq!(source.title(), hostile, "{yaml}");
        let parent = &source.entry.parents()[0];
        let journal = parent.title().expect("a journal");
        assert_eq!(journal.value.to_string(), format!("J {hostile}"));
        assert_eq!(journal.short.as_ref().map(ToString::to_string), Some(format!("S {hostile}")));
        assert_eq!(source.entry.authors().expect("an author")[0].name, NAME);
    }

    /// An entry that would take sources.yaml past the size every reader of
    /// it allows is refused (a registry's 8 MiB of quotes, each written
    /// as two characters), as is one the file would not read.
    #[test]
    fn a_file_past_its_limit_or_unreadable_after_the_entry_is_refused() {
        let entry = "x2020:\n  type: misc\n  title: X\n";
        assert_eq!(reads_with(entry, "x2020"), Ok(()));
        let big = format!("{entry}  note: \"{}\"\n", "a".repeat(17 * 1024 * 1024));
        assert_eq!(reads_with(&big, "x2020"), Err("it would be 17.0 MiB; the limit is 16 MiB".into()));
        assert!(reads_with(&format!("{{ a: {{ type: misc, title: A }} }}\n\n{entry}"), "x2020").is_err());
        assert!(reads_with(&format!("a: {{ type: misc, title: A }}\n...\n\n{entry}"), "x2020").is_err());
    }

    #[test]
    fn names_with_commas_or_suffixes_are_written_as_maps() {
        let p = |family: &str, given: Option<&str>, suffix: Option<&str>| {
            person(&Person { family: family.into(), given: given.map(Into::into), suffix: suffix.map(Into::into) })
        };
        assert_eq!(p("Anand", Some("Amit"), None), "\"Anand, Amit\"");
        assert_eq!(p("ELEKT-D Investigators", None, None), "\"ELEKT-D Investigators\"");
        assert_eq!(
            p("Zarate", Some("Carlos A"), Some("Jr")),
            "{ name: \"Zarate\", given-name: \"Carlos A\", suffix: \"Jr\" }"
        );
        assert_eq!(p("Smith, Jones & Co", None, None), "{ name: \"Smith, Jones & Co\" }");
        assert_eq!(p("van der Berg", Some("Lena"), None), "{ name: \"van der Berg\", given-name: \"Lena\" }");
        assert_eq!(p("Al Jurdi", Some("Rayan K"), None), "\"Al Jurdi, Rayan K\"");
    }
}
