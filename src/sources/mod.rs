//! The bibliography: `content/sources.yaml` (hayagriva's YAML format),
//! `content/sources.bib` (BibTeX), `content/sources.json` (CSL-JSON), and
//! article-local `sources:` maps, merged
//! into one site-wide [`Bibliography`] and formatted once per build by a
//! real CSL engine (hayagriva). The only module that knows hayagriva.
//!
//! Hayagriva ignores unknown keys, so every key is checked here against its
//! schema plus ours (`evidence`) before hayagriva sees the entry: a
//! `page_range` typo is an `unknown-key` error, not a silently missing field.

pub(crate) mod add;
mod bibtex;
mod csl_json;
mod format;
pub(crate) mod lock;
pub(crate) mod registry;
mod validate;
pub(crate) mod verify;

use hayagriva::Entry;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::content::{Article, Content};
use crate::diagnostics::{Code, Diagnostic, Span};
use crate::html::{self, Html};
use crate::yaml::{self, Document, Mapping, Value};

pub(crate) use format::{Locales, format_all};
pub(crate) use verify::DEFAULT_MAX_AGE_DAYS as DEFAULT_LOCK_MAX_AGE_DAYS;

/// What kind of evidence a source is (our key, `evidence:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Evidence {
    Rct,
    MetaAnalysis,
    Review,
    Guideline,
    Regulator,
    Observational,
    Preclinical,
    Other,
}

impl Evidence {
    pub const NAMES: &'static [&'static str] =
        &["rct", "meta-analysis", "review", "guideline", "regulator", "observational", "preclinical", "other"];

    fn parse(s: &str) -> Option<Evidence> {
        use Evidence::*;
        Some(match s {
            "rct" => Rct,
            "meta-analysis" => MetaAnalysis,
            "review" => Review,
            "guideline" => Guideline,
            "regulator" => Regulator,
            "observational" => Observational,
            "preclinical" => Preclinical,
            "other" => Other,
            _ => return None,
        })
    }

    /// How the theme labels it for readers.
    pub fn label(self) -> &'static str {
        use Evidence::*;
        match self {
            Rct => "Randomized controlled trial",
            MetaAnalysis => "Meta-analysis",
            Review => "Review",
            Guideline => "Guideline",
            Regulator => "Regulator",
            Observational => "Observational study",
            Preclinical => "Laboratory or animal study",
            Other => "Other",
        }
    }
}

/// One source, with its formatted reference filled in by [`format_all`].
#[derive(Debug, Clone)]
pub struct Source {
    pub id: String,
    pub entry: Entry,
    pub evidence: Option<Evidence>,
    /// Where it is defined.
    pub span: Span,
    /// The reference as the CSL style formats it, escaped node by node.
    pub formatted: Html,
    /// Plain text, for JSON-LD and search.
    pub plain: String,
    /// How running text names the source (`@id`): "Anand et al".
    pub narrative: String,
    /// `authors-incomplete: true` (ours): the author list holds only the
    /// first authors, so the reference ends them with "et al".
    pub authors_incomplete: bool,
    /// The entry's data as text, made the first time a review fingerprint
    /// needs it (see [`Source::content`]).
    pub content: std::sync::OnceLock<String>,
}

impl Source {
    /// What a review of a page citing this source vouches for: the entry's
    /// data (hayagriva's own serialization) and its evidence label; made
    /// once per build, and only for sites with signed reviews.
    pub fn content(&self) -> &str {
        self.content.get_or_init(|| {
            let data = serde_json::to_string(&self.entry).unwrap_or_default();
            format!("{data}\n{}", self.evidence.map(|e| e.label()).unwrap_or_default())
        })
    }

    pub fn doi(&self) -> Option<&str> {
        self.entry.doi()
    }
    pub fn pmid(&self) -> Option<&str> {
        self.entry.pmid()
    }
    pub fn title(&self) -> String {
        self.entry.title().map(|t| t.value.to_string()).unwrap_or_default()
    }
    /// What the source is, as schema.org names it (structured data's
    /// `citation`): a journal article is a `ScholarlyArticle`, a news story
    /// a `NewsArticle`, a web page a `WebPage`. Machines were told every
    /// source was a scholarly article, an insurer's policy page included.
    pub fn schema_type(&self) -> &'static str {
        use hayagriva::types::EntryType as T;
        let parent = self.entry.parents().first().map(hayagriva::Entry::entry_type);
        match (self.entry.entry_type(), parent) {
            (T::Article, Some(T::Periodical | T::Proceedings | T::Conference)) => "ScholarlyArticle",
            (T::Article, Some(T::Newspaper)) => "NewsArticle",
            (T::Article, Some(T::Blog)) => "BlogPosting",
            (T::Article | T::Entry, _) => "Article",
            (T::Report, _) => "Report",
            (T::Book | T::Anthology | T::Proceedings | T::Reference, _) => "Book",
            (T::Chapter | T::Anthos, _) => "Chapter",
            (T::Thesis, _) => "Thesis",
            (T::Legislation, _) => "Legislation",
            (T::Web | T::Blog, _) => "WebPage",
            (T::Post | T::Thread, _) => "SocialMediaPosting",
            (T::Video, _) => "VideoObject",
            (T::Audio, _) => "AudioObject",
            (T::Periodical | T::Newspaper, _) => "Periodical",
            (T::Repository, _) => "SoftwareSourceCode",
            _ => "CreativeWork",
        }
    }
    /// The source's `url`, if the URL policy allows it (a `javascript:` URL
    /// is an `unsafe-url` error when the source is loaded, and never a link).
    pub fn url(&self) -> Option<String> {
        self.entry.url_any().map(|u| u.value.to_string()).filter(|u| html::check_url(u).is_ok())
    }
    /// The DOI resolver's URL for this source, the DOI percent-encoded.
    pub fn doi_url(&self) -> Option<String> {
        self.doi().map(|d| format!("https://doi.org/{}", html::path_component(d)))
    }
    /// The PubMed page of this source.
    pub fn pubmed_url(&self) -> Option<String> {
        self.pmid().map(|p| format!("https://pubmed.ncbi.nlm.nih.gov/{}/", html::path_component(p)))
    }
    /// Sort key for the source list: first author's family name, then year, then title.
    pub fn sort_key(&self) -> (String, String, String) {
        let author = self
            .entry
            .authors()
            .and_then(|a| a.first())
            .map(|p| p.name.to_lowercase())
            .unwrap_or_else(|| self.title().to_lowercase());
        let year = self.entry.date_any().map(|d| d.year.to_string()).unwrap_or_default();
        (author, year, self.title().to_lowercase())
    }
}

/// Every source of the site by id.
#[derive(Debug, Default, Clone)]
pub struct Bibliography {
    /// In id order once loaded ([`load`] sorts it), hashed: a source is
    /// looked up for every citation (a sorted tree cost a string
    /// comparison per level, 16 at 50,000 sources).
    pub sources: indexmap::IndexMap<String, Source, foldhash::fast::RandomState>,
    /// Ids of entries that were read but refused (each with its own
    /// error): a citation of one is not reported again.
    pub failed: std::collections::BTreeSet<String>,
    /// A whole bibliography file could not be read (its error is
    /// reported): any unknown id may be one of its entries, so no citation
    /// is reported as unknown.
    pub incomplete: bool,
}

impl Bibliography {
    pub fn get(&self, id: &str) -> Option<&Source> {
        self.sources.get(id)
    }

    pub fn contains(&self, id: &str) -> bool {
        self.sources.contains_key(id)
    }

    /// Whether a citation of `id`, which is not a source, follows from a
    /// source that failed to load (reported where it is written), rather
    /// than being a mistake of its own.
    pub fn failed_to_load(&self, id: &str) -> bool {
        self.incomplete || self.failed.contains(id)
    }

    /// Add a source; the same id with different data is `duplicate-source`.
    fn insert(&mut self, source: Source, diags: &mut Vec<Diagnostic>) {
        // "Doe J, al." in every reference, and "Doe and et al." in the text
        let et_al = source.entry.authors().unwrap_or_default().iter().any(|p| {
            // (a lowercase "et" is read as a particle, as "van" is)
            let parts = [p.given_name.as_deref(), p.prefix.as_deref(), Some(p.name.as_str())];
            let whole = parts.into_iter().flatten().flat_map(str::split_whitespace).collect::<Vec<_>>().join(" ");
            matches!(whole.to_lowercase().trim_end_matches('.'), "et al" | "et. al" | "others")
        });
        if et_al {
            diags.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    format!("source `{}` lists an author called \"et al.\"", source.id),
                )
                .with_span(source.span.clone())
                .with_help("list the authors you can confirm and add `authors-incomplete: true`: the reference then ends them with \"et al\""),
            );
        }
        match self.sources.get(&source.id) {
            Some(existing) if existing.entry != source.entry || existing.evidence != source.evidence => {
                diags.push(
                    Diagnostic::error(
                        Code::DuplicateSource,
                        format!(
                            "source `{}` is defined twice with different data: here and at {}:{}",
                            source.id, existing.span.file, existing.span.line
                        ),
                    )
                    .with_span(source.span.clone())
                    .with_help("give one of them a different id, or make the two entries identical"),
                );
            }
            Some(_) => {}
            None => {
                self.sources.insert(source.id.clone(), source);
            }
        }
    }
}

/// `content/sources.yaml` read and parsed ahead, beside the content (its
/// YAML parse is one thread's work: about 45 ms for 5,000 entries).
pub(crate) struct Parsed {
    text: String,
    value: Result<Value, Diagnostic>,
    /// where each entry is written, found beside the parse
    positions: yaml::Positions,
}

impl Parsed {
    /// `None` when the file cannot be read (the content walk, which reads
    /// it the same way, reports why); [`load`] then parses what the content
    /// holds, as it does when the two texts differ.
    pub(crate) fn ahead(root: &std::path::Path) -> Option<Parsed> {
        // through a link out of the site, content/ is read by nobody
        crate::input::folder(root, &root.join("content")).ok().filter(|there| *there)?;
        let text = crate::input::text(root, &root.join(SOURCES_YAML)).ok()?;
        Some(Parsed::of(text))
    }

    fn of(text: String) -> Parsed {
        let doc = Document::whole(SOURCES_YAML, &text);
        // every entry's position is kept (for the diagnostics that name a
        // source): the index is built beside the parse
        let (value, ()) = rayon::join(|| doc.read(), || doc.index());
        let positions = doc.positions();
        Parsed { text, value, positions }
    }
}

const SOURCES_YAML: &str = "content/sources.yaml";

/// Load every bibliography of the site. `ahead`: `sources.yaml` as
/// [`Parsed::ahead`] found it, used if `content` holds the same text.
pub(crate) fn load(content: &Content, ahead: Option<Parsed>) -> (Bibliography, Vec<Diagnostic>) {
    let mut bib = Bibliography { incomplete: content.sources_unread, ..Bibliography::default() };
    let mut diags = Vec::new();
    if let Some(file) = &content.sources_yaml {
        let doc = Document::whole(&file.file, &file.text);
        let (doc, value) = match ahead {
            Some(parsed) if parsed.text == file.text => (doc.with_positions(parsed.positions), parsed.value),
            _ => {
                let value = doc.read();
                (doc, value)
            }
        };
        load_yaml_map(&doc, value, &mut bib, &mut diags);
    }
    if let Some(file) = &content.sources_bib {
        bibtex::load(&file.file, &file.text, &mut bib, &mut diags);
    }
    if let Some(file) = &content.sources_json {
        csl_json::load(&file.file, &file.text, &mut bib, &mut diags);
    }
    for article in content.home.iter().chain(&content.articles) {
        load_local(article, &mut bib, &mut diags);
    }
    // read in the files' order; used in id order
    bib.sources.sort_unstable_keys();
    (bib, diags)
}

fn load_local(article: &Article, bib: &mut Bibliography, diags: &mut Vec<Diagnostic>) {
    let Some(value) = &article.front.sources else { return };
    let doc = article.split.document(&article.file, &article.text);
    match value {
        Value::Mapping(map) => load_entries(&doc, &"sources".into(), map, bib, diags),
        Value::Null => {}
        _ => diags.push(
            Diagnostic::error(Code::InvalidValue, "`sources:` must be a map of id: entry")
                .with_span(doc.value_span("sources")),
        ),
    }
}

fn load_yaml_map(
    doc: &Document,
    value: Result<Value, Diagnostic>,
    bib: &mut Bibliography,
    diags: &mut Vec<Diagnostic>,
) {
    let value = match value {
        Ok(v) => v,
        Err(d) => {
            diags.push(d);
            bib.incomplete = true;
            return;
        }
    };
    match value {
        Value::Mapping(map) => load_entries(doc, &yaml::Path::root(), &map, bib, diags),
        Value::Null => {}
        _ => diags.push(
            Diagnostic::error(Code::InvalidValue, "a bibliography must be a map of id: entry").with_span(doc.span(0)),
        ),
    }
}

/// The entries of the map at `at` of the document.
fn load_entries(doc: &Document, at: &yaml::Path, map: &Mapping, bib: &mut Bibliography, diags: &mut Vec<Diagnostic>) {
    let entries: Vec<(&Value, &Value)> = map.iter().collect();
    // One hayagriva parse per chunk of the map when the chunk is valid;
    // entry by entry only when something in it is not (so one bad entry is
    // located alone). Chunks, and the entries, are read in parallel.
    let chunk = CHUNK;
    let libraries: Vec<Option<hayagriva::Library>> =
        entries.par_chunks(chunk).map(|part| library(strip_evidence(part)).ok()).collect();
    let read: Vec<(String, Vec<Diagnostic>, Option<Source>)> = entries
        .par_iter()
        .enumerate()
        .map(|(i, (key, value))| {
            let whole = libraries[i / chunk].as_ref();
            read_entry(doc, at, whole, key, value)
        })
        .collect();
    for (id, found, source) in read {
        diags.extend(found);
        match source {
            Some(source) => bib.insert(source, diags),
            None => {
                bib.failed.insert(id);
            }
        }
    }
}

/// One entry of a bibliography map: its id, its problems, and the source
/// when it has none.
fn read_entry(
    doc: &Document,
    map: &yaml::Path,
    whole: Option<&hayagriva::Library>,
    key: &Value,
    value: &Value,
) -> (String, Vec<Diagnostic>, Option<Source>) {
    let id = match key {
        Value::String(s) => s.clone(),
        other => yaml::to_string(other).unwrap_or_default().trim().to_string(),
    };
    let at = map.clone().key(&id);
    let span = doc.key_span(&at);
    if !matches!(key, Value::String(_)) && doc.key_offset(&at).is_none() {
        // `0x10:` is the number 16 to YAML, `1e3:` 1000.0: the id cited would not be the one written
        let d = Diagnostic::error(
            Code::InvalidValue,
            format!("a source id that YAML reads as `{id}`, not as it is written (a number such as `0x10` or `1e3`)"),
        )
        .in_file(doc.file)
        .with_help("put the id in quotes (`\"0x10\":`), or start it with a letter");
        return (id, vec![d], None);
    }
    if !valid_id(&id) {
        let d = Diagnostic::error(Code::InvalidValue, format!("source id `{id}` must use only a-z, 0-9, `_` and `-`"))
            .with_span(span);
        return (id, vec![d], None);
    }
    let mut found = validate::entry(doc, &at, value);
    if found.iter().any(Diagnostic::is_error) {
        return (id, found, None);
    }
    let parsed = match whole.and_then(|lib| lib.get(&id)) {
        Some(entry) => Ok((entry.clone(), evidence(value))),
        None => to_entry(&id, value),
    };
    match parsed {
        Ok((entry, evidence)) => {
            let authors_incomplete = value.get(AUTHORS_INCOMPLETE).and_then(Value::as_bool).unwrap_or(false);
            let source = Source {
                id: id.clone(),
                entry,
                evidence,
                span,
                formatted: Html::default(),
                plain: String::new(),
                narrative: String::new(),
                authors_incomplete,
                content: Default::default(),
            };
            (id, found, Some(source))
        }
        Err((message, help)) => {
            // at the field hayagriva refused, in its words when they name it
            let (message, help, span) = match refused_field(&id, value, value, &[], &at) {
                Some(refused) => {
                    let (message, help) = refused.message(&id, message, help);
                    (message, help, doc.value_span(&refused.path))
                }
                None => (message, help, span),
            };
            let d = Diagnostic::error(Code::InvalidValue, message).with_span(span);
            found.push(d.with_help(help.unwrap_or_else(|| {
                "compare the entry with the examples in README \"Sources\": `type`, `title`, `author`, `date`, `parent`".into()
            })));
            (id, found, None)
        }
    }
}

/// Our key saying an entry's author list holds only the first authors.
pub(crate) const AUTHORS_INCOMPLETE: &str = "authors-incomplete";

/// The map without our own keys (`evidence`, `authors-incomplete`), as
/// hayagriva should see it.
fn strip_evidence(entries: &[(&Value, &Value)]) -> Mapping {
    entries
        .iter()
        .map(|(k, v)| {
            let mut v = (*v).clone();
            if let Value::Mapping(m) = &mut v {
                m.remove("evidence");
                m.remove(AUTHORS_INCOMPLETE);
            }
            ((*k).clone(), v)
        })
        .collect()
}

/// Items per parallel task when reading or formatting references. Each
/// task has a fixed cost (a hayagriva parse, a citeproc driver), and a
/// citeproc driver's work grows faster than its references (hayagriva
/// compares entries with those it holds), so chunks of one small size keep
/// the whole linear: formatting 50,000 sources took 3.0 s in 8 chunks and
/// 1.6 s in chunks of 64; 5,000 took 0.16 s and 0.14 s.
const CHUNK: usize = 64;

fn evidence(value: &Value) -> Option<Evidence> {
    value.get("evidence").and_then(Value::as_str).and_then(Evidence::parse)
}

pub(crate) fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// Hand one validated entry to hayagriva, without our own keys.
fn to_entry(id: &str, value: &Value) -> Result<(Entry, Option<Evidence>), (String, Option<String>)> {
    let key = Value::String(id.to_string());
    let library = library(strip_evidence(&[(&key, value)])).map_err(|e| {
        let (message, help) = yaml::plain_value_error(&e, id);
        (format!("source `{id}`: {message}"), help)
    })?;
    let entry = library.get(id).cloned().ok_or_else(|| (format!("source `{id}` could not be read"), None))?;
    Ok((entry, evidence(value)))
}

/// A field of an entry hayagriva refused: where it is, and its value.
struct Refused<'v> {
    path: yaml::Path,
    name: String,
    value: &'v Value,
}

impl Refused<'_> {
    /// The message for the field: hayagriva's when it names the field
    /// (`date: month not in interval 1-12`); a date in our own words; else
    /// what the value is that the field cannot be (hayagriva's "did not
    /// match any variant of untagged enum MaybeTyped" names nothing).
    fn message(&self, id: &str, message: String, help: Option<String>) -> (String, Option<String>) {
        let name = &self.name;
        if name == "date"
            && let Some(text) = self.value.as_str()
            && text.len() >= 10
            && let Err(why) = crate::content::dates::parse(text)
        {
            let help = "write a year, or the date as YYYY-MM-DD, e.g. `2020` or `2020-05-01`";
            return (format!("source `{id}`: {why}"), Some(help.into()));
        }
        let said = message.strip_prefix(&format!("source `{id}`: ")).unwrap_or(&message);
        if said.starts_with(&format!("{name}: ")) || said.starts_with(&format!("`{name}` ")) {
            return (message, help);
        }
        let what = match self.value {
            Value::Mapping(_) => "a map of keys".to_string(),
            Value::Sequence(_) => "a list".to_string(),
            Value::Null => "empty".to_string(),
            v => format!("`{}`", yaml::to_string(v).unwrap_or_default().trim()),
        };
        let help = format!("write `{name}` as the examples in README \"Sources\" do, or leave it out");
        (format!("source `{id}`: `{name}` cannot be {what}"), Some(help))
    }
}

/// Which field of the entry hayagriva refuses: the one without which the
/// entry reads, found by reading it again without each field in turn (in
/// a `parent`, without each of the parent's fields; the parent itself when
/// no one field of it is to blame). Hayagriva's messages name the entry,
/// and at times no field (`parent: { date: 2020-02-31 }` is "did not
/// match any variant of untagged enum OneOrMany"). Only run on an entry
/// already refused, so its cost is paid only then.
fn refused_field<'v>(id: &str, entry: &Value, map: &'v Value, within: &[Step], at: &yaml::Path) -> Option<Refused<'v>> {
    for (key, value) in map.as_mapping()? {
        let name = key.as_str()?;
        let mut without = entry.clone();
        remove(&mut without, within, key);
        if to_entry(id, &without).is_err() {
            continue;
        }
        let here = at.clone().key(name);
        if name == "parent" {
            let parents: Vec<(&Value, Option<usize>)> = match value {
                Value::Sequence(items) => items.iter().enumerate().map(|(i, p)| (p, Some(i))).collect(),
                p => vec![(p, None)],
            };
            for (parent, item) in parents {
                let inner = [within, &[Step { key: key.clone(), item }]].concat();
                let parent_at = item.map_or_else(|| here.clone(), |i| here.clone().item(i));
                if let Some(found) = refused_field(id, entry, parent, &inner, &parent_at) {
                    return Some(found);
                }
            }
        }
        return Some(Refused { path: here, name: name.to_string(), value });
    }
    None
}

/// A step into an entry: the map under `key`, or item `item` of the list there.
#[derive(Clone)]
struct Step {
    key: Value,
    item: Option<usize>,
}

/// Remove `key` from the map the steps `within` lead to in `value`.
fn remove(value: &mut Value, within: &[Step], key: &Value) {
    let mut here = value;
    for step in within {
        let Some(inner) = here.get_mut(&step.key) else { return };
        let Some(next) = (match step.item {
            Some(i) => inner.get_mut(i),
            None => Some(inner),
        }) else {
            return;
        };
        here = next;
    }
    if let Value::Mapping(map) = here {
        map.remove(key);
    }
}

/// Hayagriva's reading of a map of entries, straight from the parsed YAML.
/// When it refuses them, they are read again as YAML text, for the message
/// that names the field.
fn library(map: Mapping) -> Result<hayagriva::Library, String> {
    let value = Value::Mapping(map);
    hayagriva::Library::deserialize(&value).or_else(|_| {
        let yaml = yaml::to_string(&value)?;
        hayagriva::io::from_yaml_str(&yaml).map_err(|e| e.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(yaml: &str) -> Result<(Entry, Option<Evidence>), (String, Option<String>)> {
        let value: Value = Document::whole("s.yaml", yaml).read().unwrap();
        to_entry("doe2020", &value)
    }

    /// `0x10:` is the number 16 to YAML: cited as `[@0x10]` it would be
    /// unknown and as `[@16]` known, so it is an error that says so. An id
    /// of digits written as they read (`2020:`) is the id it reads as.
    #[test]
    fn a_source_id_yaml_reads_as_another_number_is_an_error() {
        let content = |yaml: &str| Content {
            sources_yaml: Some(crate::content::DataFile { file: "content/sources.yaml".into(), text: yaml.into() }),
            ..Content::default()
        };
        let (bib, diags) = load(&content("0x10:\n  type: misc\n  title: Hex\n"), None);
        assert!(!bib.contains("16") && !bib.contains("0x10"));
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert!(diags[0].message.starts_with("a source id that YAML reads as `16`"), "{}", diags[0].message);
        let (bib, diags) = load(&content("2020:\n  type: misc\n  title: Year\n"), None);
        assert!(bib.contains("2020") && diags.is_empty(), "{diags:?}");
    }

    /// Hayagriva refuses an entry as a whole, at times in words that name
    /// no field; the error is at the value it refused, in a parent too.
    #[test]
    fn a_value_hayagriva_refuses_is_told_at_that_value_even_in_a_parent() {
        let head = "doe2020:\n  type: article\n  title: A study\n";
        let cases = [
            ("  date: 2020-13-45\n", (4, 9), "source `doe2020`: `2020-13-45` is not a date: there is no month 13"),
            ("  date: yesterday\n", (4, 9), "source `doe2020`: `date` is not a date"),
            ("  volume: { a: 1 }\n", (4, 11), "source `doe2020`: `volume` cannot be a map of keys"),
            (
                "  parent:\n    type: periodical\n    date: 2020-02-31\n",
                (6, 11),
                "source `doe2020`: `2020-02-31` is not a date: February 2020 has 29 days",
            ),
            (
                "  parent:\n  - type: periodical\n    title: A journal\n  - type: book\n    issue: [1]\n",
                (8, 12),
                "source `doe2020`: `issue` cannot be a list",
            ),
        ];
        for (tail, (line, column), message) in cases {
            let text = format!("{head}{tail}");
            let content = Content {
                sources_yaml: Some(crate::content::DataFile {
                    file: "content/sources.yaml".into(),
                    text: text.clone(),
                }),
                ..Content::default()
            };
            let (bib, diags) = load(&content, None);
            assert!(!bib.contains("doe2020"), "{text}");
            assert_eq!(diags.len(), 1, "{text}: {diags:?}");
            let span = diags[0].span.as_ref().unwrap();
            assert_eq!((span.line, span.column), (line, column), "{text}: {}", diags[0].message);
            assert!(diags[0].message.starts_with(message), "{text}: {}", diags[0].message);
        }
    }

    #[test]
    fn entries_are_read_from_the_parsed_yaml_with_our_keys_left_out() {
        let (entry, evidence) =
            entry("type: article\ntitle: A study\nauthor: [\"Doe, Jane\"]\ndate: 2020-03\nevidence: rct\n").unwrap();
        assert_eq!(entry.key(), "doe2020");
        assert_eq!(entry.date().map(|d| (d.year, d.month)), Some((2020, Some(2))));
        assert_eq!(evidence, Some(Evidence::Rct));
    }

    #[test]
    fn sources_parsed_ahead_are_used_only_for_the_text_the_content_holds() {
        let yaml = |id: &str| format!("{id}:\n  type: article\n  title: A study\n  date: 2020\n");
        let content = Content {
            sources_yaml: Some(crate::content::DataFile { file: "content/sources.yaml".into(), text: yaml("kept") }),
            ..Content::default()
        };
        let ahead = |text: String| Some(Parsed::of(text));
        for (parsed, why) in
            [(ahead(yaml("kept")), "the same text"), (ahead(yaml("stale")), "an older text"), (None, "none")]
        {
            let (bib, diags) = load(&content, parsed);
            let ids: Vec<&String> = bib.sources.keys().collect();
            assert_eq!(ids, ["kept"], "with {why} parsed ahead");
            assert!(diags.is_empty(), "{diags:?}");
        }
    }

    #[test]
    fn a_loaded_bibliography_is_in_id_order_whatever_order_its_files_hold() {
        let entry = |id: &str| format!("{id}:\n  type: article\n  title: A study\n  date: 2020\n");
        let yaml = ["zed2020", "abe2020", "mid2020"].map(entry).concat();
        let content = Content {
            sources_yaml: Some(crate::content::DataFile { file: "content/sources.yaml".into(), text: yaml }),
            ..Content::default()
        };
        let (bib, diags) = load(&content, None);
        assert!(diags.is_empty(), "{diags:?}");
        let ids: Vec<&str> = bib.sources.keys().map(String::as_str).collect();
        assert_eq!(ids, ["abe2020", "mid2020", "zed2020"]);
        assert!(bib.contains("mid2020") && bib.get("zed2020").is_some_and(|s| s.id == "zed2020"));
    }

    #[test]
    fn what_hayagriva_refuses_is_reported_with_the_field_it_is_in() {
        let (message, _) = entry("type: article\ntitle: A study\ndate: 2020-13-45\n").unwrap_err();
        assert!(message.contains("date") && message.contains("month"), "{message}");
        let (message, _) = entry("type: article\ntitle: A study\nurl: 7\n").unwrap_err();
        assert!(message.contains("url"), "{message}");
    }

    /// The citation library's own words (and its second line number) never
    /// reach the author.
    #[test]
    fn a_wrong_source_value_is_told_in_the_authors_words() {
        let said = |yaml: &str| entry(yaml).unwrap_err();
        assert_eq!(
            said("type: article\ntitle: A study\ndate: yesterday\n"),
            (
                "source `doe2020`: `date` is not a date".to_string(),
                Some("write a year, or the date as YYYY-MM-DD, e.g. `2020` or `2020-05-01`".to_string())
            )
        );
        assert_eq!(
            said("type: article\ntitle: [a, b]\n"),
            (
                "source `doe2020`: `title` must be text, not a list".to_string(),
                Some("write the text, or `{ value: \"…\", short: \"…\" }`".to_string())
            )
        );
    }
}
