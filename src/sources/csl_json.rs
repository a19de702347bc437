//! `content/sources.json`: CSL-JSON, as Zotero and Better BibTeX export it
//! (an array of items, each with an `id`). Hayagriva formats CSL-JSON but
//! does not read it into its own entries, so each item is mapped here onto
//! hayagriva's schema (the same map `sources.yaml` holds) and read by the
//! same path: the same id rule, identifier shapes, URL policy, `evidence`
//! and duplicate rules, and an unknown key is an error at its item.
//!
//! CSL variables with no place in a reference (`keyword`, `language`,
//! `citation-label`…) are left out; names that are not CSL variables are
//! typos and reported.

use serde_json::Value as Json;

use super::{Bibliography, Evidence, Source, to_entry, valid_id, validate};
use crate::diagnostics::{Code, Diagnostic, Span};
use crate::html::Html;
use crate::yaml::{Mapping, Value};

/// Read the CSL-JSON `text` of `file` into `bib`.
pub(super) fn load(file: &str, text: &str, bib: &mut Bibliography, diags: &mut Vec<Diagnostic>) {
    let items = match serde_json::from_str::<Json>(text) {
        Ok(Json::Array(items)) => items,
        Ok(_) => {
            diags.push(
                Diagnostic::error(Code::InvalidValue, "CSL-JSON must be an array of items")
                    .with_span(Span::at(file, text, 0))
                    .with_help(
                        "export the collection from Zotero as \"CSL JSON\", which writes `[ { \"id\": … }, … ]`",
                    ),
            );
            // any citation may be of an item of the file: none is unknown
            bib.incomplete = true;
            return;
        }
        Err(e) => {
            let line = e.line().max(1);
            let offset: usize = crate::text::line_start(text, line) + e.column().saturating_sub(1);
            diags.push(
                Diagnostic::error(Code::InvalidValue, format!("CSL-JSON: {e}")).with_span(Span::at(file, text, offset)),
            );
            bib.incomplete = true;
            return;
        }
    };
    let mut from = 0;
    for item in &items {
        let at = item_offset(text, item, from);
        from = at.map_or(from, |a| a + 1);
        let span = Span::at(file, text, at.unwrap_or(0));
        let (found, source) = read_item(item, span);
        diags.extend(found);
        match source {
            Some(source) => bib.insert(source, diags),
            // refused with its own error: its citations follow from it
            None => bib.failed.extend(item_id(item)),
        }
    }
}

/// An item's `id` (Zotero writes text, some exports a number).
fn item_id(item: &Json) -> Option<String> {
    match item.get("id")? {
        Json::String(s) => Some(s.clone()),
        Json::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn read_item(item: &Json, span: Span) -> (Vec<Diagnostic>, Option<Source>) {
    let error = |code, message: String| Diagnostic::error(code, message).with_span(span.clone());
    let Json::Object(fields) = item else {
        return (vec![error(Code::InvalidValue, "a CSL-JSON item must be an object".into())], None);
    };
    let Some(id) = item_id(item) else {
        return (vec![error(Code::MissingKey, "a CSL-JSON item needs an `id`".into())], None);
    };
    let mut diags = Vec::new();
    if !valid_id(&id) {
        diags.push(
            error(Code::InvalidValue, format!("source id `{id}` must use only a-z, 0-9, `_` and `-`"))
                .with_help("in Better BibTeX, export with citation keys as ids (they are what `[@id]` cites)"),
        );
        return (diags, None);
    }
    for key in fields.keys() {
        if !VARIABLES.contains(&key.as_str()) {
            let mut d = error(Code::UnknownKey, format!("`{key}` is not a CSL-JSON variable (source `{id}`)"));
            if let Some(n) = crate::diagnostics::nearest(key, VARIABLES.iter().copied()) {
                d = d.with_help(format!("did you mean `{n}`?"));
            }
            diags.push(d);
        }
    }
    let text = |k: &str| match fields.get(k) {
        Some(Json::String(s)) => Some(s.clone()),
        Some(Json::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    for message in validate::identifiers(text("DOI").as_deref(), text("PMID").as_deref()) {
        diags.push(error(Code::InvalidValue, message).with_help(validate::IDENTIFIER_HELP));
    }
    if let Some(message) = text("URL").as_deref().and_then(validate::unsafe_url) {
        diags.push(error(Code::UnsafeUrl, message).with_help(validate::URL_HELP));
    }
    if let Some(e) = fields.get("evidence")
        && e.as_str().and_then(Evidence::parse).is_none()
    {
        diags.push(error(Code::InvalidValue, format!("`evidence` must be one of {}", Evidence::NAMES.join(", "))));
    }
    let kind = text("type").unwrap_or_default();
    let Some(types) = entry_type(&kind) else {
        diags.push(error(Code::InvalidValue, format!("`{kind}` is not a CSL item type (source `{id}`)")));
        return (diags, None);
    };
    if diags.iter().any(Diagnostic::is_error) {
        return (diags, None);
    }
    match to_entry(&id, &Value::Mapping(hayagriva_map(fields, types))) {
        Ok((entry, evidence)) => {
            let source = Source {
                id,
                entry,
                evidence,
                span,
                formatted: Html::default(),
                plain: String::new(),
                authors_incomplete: false,
                narrative: String::new(),
                content: Default::default(),
            };
            (diags, Some(source))
        }
        Err((message, help)) => {
            let d = error(Code::InvalidValue, message);
            diags.push(match help {
                Some(help) => d.with_help(help),
                None => d,
            });
            (diags, None)
        }
    }
}

/// Hayagriva's entry type for a CSL type, and its parent's type if the
/// container title belongs to a parent.
fn entry_type(csl: &str) -> Option<(&'static str, Option<&'static str>)> {
    Some(match csl {
        "article-journal" | "article-magazine" | "review" | "review-book" => ("article", Some("periodical")),
        "article-newspaper" => ("article", Some("newspaper")),
        "article" | "preprint" => ("article", Some("repository")),
        "paper-conference" => ("article", Some("proceedings")),
        "chapter" => ("chapter", Some("book")),
        "entry" | "entry-dictionary" | "entry-encyclopedia" => ("entry", Some("reference")),
        "book" | "classic" => ("book", None),
        "report" | "standard" => ("report", None),
        "thesis" => ("thesis", None),
        "webpage" | "post" | "post-weblog" => ("web", Some("web")),
        "legislation" | "bill" | "regulation" | "treaty" => ("legislation", None),
        "legal_case" => ("case", None),
        "dataset" | "software" => ("repository", None),
        "patent" => ("patent", None),
        "manuscript" => ("manuscript", None),
        "motion_picture" | "broadcast" => ("video", None),
        "song" | "interview" => ("audio", None),
        "graphic" | "figure" | "map" => ("artwork", None),
        "event" | "hearing" | "speech" | "performance" => ("performance", None),
        "document" | "pamphlet" | "personal_communication" => ("misc", None),
        _ => return None,
    })
}

/// The item as a hayagriva entry map.
fn hayagriva_map(fields: &serde_json::Map<String, Json>, (kind, parent_kind): (&str, Option<&str>)) -> Mapping {
    let mut entry = Mapping::new();
    let mut parent = Mapping::new();
    let s = |v: &str| Value::String(v.to_string());
    let text = |k: &str| match fields.get(k) {
        Some(Json::String(v)) if !v.trim().is_empty() => Some(v.trim().to_string()),
        Some(Json::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let put = |map: &mut Mapping, k: &str, v: Option<Value>| {
        if let Some(v) = v {
            map.insert(s(k), v);
        }
    };
    put(&mut entry, "type", Some(s(kind)));
    put(&mut entry, "title", title(text("title"), text("title-short").or_else(|| text("shortTitle"))));
    put(&mut entry, "author", names(fields.get("author")));
    put(&mut entry, "editor", names(fields.get("editor")));
    put(&mut entry, "date", fields.get("issued").and_then(date).map(|d| s(&d)));
    put(&mut entry, "page-range", text("page").map(|p| s(&p)));
    put(&mut entry, "edition", text("edition").map(|v| s(&v)));
    put(&mut entry, "note", text("note").map(|v| s(&v)));
    put(&mut entry, "genre", text("genre").map(|v| s(&v)));
    put(&mut entry, "archive", text("archive").map(|v| s(&v)));
    put(&mut entry, "archive-location", text("archive_location").map(|v| s(&v)));
    put(&mut entry, "call-number", text("call-number").map(|v| s(&v)));
    put(&mut entry, "evidence", text("evidence").map(|v| s(&v)));
    if let Some(url) = text("URL") {
        let mut u = Mapping::new();
        u.insert(s("value"), s(&url));
        put(&mut u, "date", fields.get("accessed").and_then(date).map(|d| s(&d)));
        entry.insert(s("url"), Value::Mapping(u));
    }
    if let Some(name) = text("publisher") {
        let mut p = Mapping::new();
        p.insert(s("name"), s(&name));
        put(&mut p, "location", text("publisher-place").map(|v| s(&v)));
        entry.insert(s("publisher"), Value::Mapping(p));
    }
    let serial: Mapping = [("DOI", "doi"), ("PMID", "pmid"), ("PMCID", "pmcid"), ("ISBN", "isbn"), ("ISSN", "issn")]
        .iter()
        .filter_map(|(csl, ours)| text(csl).map(|v| (s(ours), s(&v))))
        .collect();
    if !serial.is_empty() {
        entry.insert(s("serial-number"), Value::Mapping(serial));
    }
    let short = text("container-title-short").or_else(|| text("journalAbbreviation"));
    let container = title(text("container-title"), short);
    let volume_issue = [("volume", text("volume")), ("issue", text("issue"))];
    match (parent_kind, container) {
        (Some(parent_kind), Some(container)) => {
            parent.insert(s("type"), s(parent_kind));
            parent.insert(s("title"), container);
            for (k, v) in volume_issue {
                put(&mut parent, k, v.map(|v| s(&v)));
            }
            entry.insert(s("parent"), Value::Mapping(parent));
        }
        _ => {
            for (k, v) in volume_issue {
                put(&mut entry, k, v.map(|v| s(&v)));
            }
        }
    }
    entry
}

fn title(value: Option<String>, short: Option<String>) -> Option<Value> {
    let value = value?;
    let mut t = Mapping::new();
    t.insert(Value::String("value".into()), Value::String(value));
    if let Some(short) = short {
        t.insert(Value::String("short".into()), Value::String(short));
    }
    Some(Value::Mapping(t))
}

/// CSL names (`family`, `given`, `suffix`, particles, or a `literal`) as
/// hayagriva persons.
fn names(list: Option<&Json>) -> Option<Value> {
    let list = list?.as_array()?;
    let people: Vec<Value> = list
        .iter()
        .filter_map(|n| {
            let get = |k: &str| n.get(k).and_then(Json::as_str).map(str::trim).filter(|v| !v.is_empty());
            let mut p = Mapping::new();
            let family = get("family").or_else(|| get("literal"))?;
            p.insert(Value::String("name".into()), Value::String(family.into()));
            let pairs = [
                ("given-name", get("given")),
                ("prefix", get("non-dropping-particle").or_else(|| get("dropping-particle"))),
                ("suffix", get("suffix")),
            ];
            for (k, v) in pairs {
                if let Some(v) = v {
                    p.insert(Value::String(k.into()), Value::String(v.into()));
                }
            }
            Some(Value::Mapping(p))
        })
        .collect();
    (!people.is_empty()).then_some(Value::Sequence(people))
}

/// A CSL date (`{"date-parts": [[2020, 3, 1]]}`, or `raw`/`literal`) as
/// hayagriva's `YYYY-MM-DD`.
fn date(value: &Json) -> Option<String> {
    if let Some(parts) = value.get("date-parts").and_then(|p| p.get(0)).and_then(Json::as_array) {
        let n: Option<Vec<i64>> =
            parts.iter().map(|p| p.as_i64().or_else(|| p.as_str().and_then(|s| s.trim().parse().ok()))).collect();
        // a part that is not a number (`"20x0"`) was the end of the date,
        // or all of it, without a word: as written, it is not a date
        let Some(n) = n else {
            return Some(
                parts
                    .iter()
                    .map(|p| p.as_str().map_or_else(|| p.to_string(), str::to_string))
                    .collect::<Vec<_>>()
                    .join("-"),
            );
        };
        return match n.as_slice() {
            [y] => Some(format!("{y:04}")),
            [y, m] => Some(format!("{y:04}-{m:02}")),
            [y, m, d, ..] => Some(format!("{y:04}-{m:02}-{d:02}")),
            [] => None,
        };
    }
    let raw = value.get("raw").or_else(|| value.get("literal")).and_then(Json::as_str)?;
    Some(raw.trim().to_string())
}

/// Where `item` starts in `text` (from `from` on): its `"id"` key.
fn item_offset(text: &str, item: &Json, from: usize) -> Option<usize> {
    let id = serde_json::to_string(item.get("id")?).ok()?;
    let mut at = from;
    while let Some(i) = text.get(at..)?.find("\"id\"") {
        let key = at + i;
        let rest = text[key + 4..].trim_start();
        if let Some(value) = rest.strip_prefix(':')
            && value.trim_start().starts_with(&id)
        {
            return Some(key);
        }
        at = key + 4;
    }
    None
}

/// The CSL 1.0.2 item variables (csl-data.json), the names Zotero also
/// writes, and ours.
const VARIABLES: &[&str] = &[
    "type",
    "id",
    "citation-key",
    "categories",
    "language",
    "journalAbbreviation",
    "shortTitle",
    "author",
    "chair",
    "collection-editor",
    "compiler",
    "composer",
    "container-author",
    "contributor",
    "curator",
    "director",
    "editor",
    "editorial-director",
    "executive-producer",
    "guest",
    "host",
    "interviewer",
    "illustrator",
    "narrator",
    "organizer",
    "original-author",
    "performer",
    "producer",
    "recipient",
    "reviewed-author",
    "script-writer",
    "series-creator",
    "translator",
    "accessed",
    "available-date",
    "event-date",
    "issued",
    "original-date",
    "submitted",
    "abstract",
    "annote",
    "archive",
    "archive_collection",
    "archive_location",
    "archive-place",
    "authority",
    "call-number",
    "chapter-number",
    "citation-number",
    "citation-label",
    "collection-number",
    "collection-title",
    "container-title",
    "container-title-short",
    "dimensions",
    "division",
    "DOI",
    "edition",
    "event",
    "event-title",
    "event-place",
    "first-reference-note-number",
    "genre",
    "ISBN",
    "ISSN",
    "issue",
    "jurisdiction",
    "keyword",
    "locator",
    "medium",
    "note",
    "number",
    "number-of-pages",
    "number-of-volumes",
    "original-publisher",
    "original-publisher-place",
    "original-title",
    "page",
    "page-first",
    "part",
    "part-title",
    "PMCID",
    "PMID",
    "printing",
    "publisher",
    "publisher-place",
    "references",
    "reviewed-genre",
    "reviewed-title",
    "scale",
    "section",
    "source",
    "status",
    "supplement",
    "title",
    "title-short",
    "URL",
    "version",
    "volume",
    "volume-title",
    "volume-title-short",
    "year-suffix",
    "custom",
    "evidence",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn load_text(text: &str) -> (Bibliography, Vec<Diagnostic>) {
        let mut bib = Bibliography::default();
        let mut diags = Vec::new();
        load("content/sources.json", text, &mut bib, &mut diags);
        (bib, diags)
    }

    #[test]
    fn a_zotero_item_reads_as_the_same_entry_as_its_yaml() {
        let json = r#"[
  {
    "id": "anand2023",
    "type": "article-journal",
    "title": "Ketamine versus ECT for nonpsychotic treatment-resistant major depression",
    "container-title": "New England Journal of Medicine",
    "container-title-short": "N Engl J Med",
    "page": "2315-2325",
    "volume": "388",
    "issue": "25",
    "DOI": "10.1056/NEJMoa2302399",
    "PMID": "37224232",
    "author": [{"family": "Anand", "given": "Amit"}, {"family": "Mathew", "given": "Sanjay J."}],
    "issued": {"date-parts": [["2023", 6, 22]]},
    "evidence": "rct"
  }
]"#;
        let yaml = r#"anand2023:
  type: article
  title: Ketamine versus ECT for nonpsychotic treatment-resistant major depression
  author: ["Anand, Amit", "Mathew, Sanjay J."]
  date: 2023-06-22
  page-range: 2315-2325
  serial-number: { doi: "10.1056/NEJMoa2302399", pmid: "37224232" }
  parent:
    type: periodical
    title: { value: New England Journal of Medicine, short: N Engl J Med }
    volume: 388
    issue: 25
  evidence: rct
"#;
        let (bib, diags) = load_text(json);
        assert!(diags.is_empty(), "{diags:?}");
        let content = crate::content::Content {
            sources_yaml: Some(crate::content::DataFile { file: "content/sources.yaml".into(), text: yaml.into() }),
            ..Default::default()
        };
        let (from_yaml, diags) = super::super::load(&content, None);
        assert!(diags.is_empty(), "{diags:?}");
        let (a, b) = (&bib.sources["anand2023"], &from_yaml.sources["anand2023"]);
        assert_eq!((&a.entry, a.evidence), (&b.entry, b.evidence));
        assert_eq!(a.span.line, 3, "the item is placed at its id");
    }

    #[test]
    fn a_typo_a_bad_doi_and_a_bad_id_are_reported_at_their_item() {
        let json = r#"[
  {"id": "good", "type": "book", "title": "A book"},
  {"id": "typo", "type": "book", "title": "B", "contianer-title": "X"},
  {"id": "doi", "type": "book", "title": "C", "DOI": "doi:10.1/x"},
  {"id": "http://zotero.org/users/1/items/ABC", "type": "book", "title": "D"},
  {"id": "kind", "type": "novel", "title": "E"}
]"#;
        let (bib, diags) = load_text(json);
        let got: Vec<(Code, usize)> = diags.iter().map(|d| (d.code, d.span.as_ref().map_or(0, |s| s.line))).collect();
        assert_eq!(
            got,
            [(Code::UnknownKey, 3), (Code::InvalidValue, 4), (Code::InvalidValue, 5), (Code::InvalidValue, 6)]
        );
        assert_eq!(diags[0].help.as_deref(), Some("did you mean `container-title`?"));
        assert_eq!(bib.sources.keys().collect::<Vec<_>>(), ["good"]);
    }

    /// A date part that is not a number is an error at its item: the date
    /// was cut before it (`[2020, "spring"]` read as 2020), or dropped.
    #[test]
    fn a_date_part_that_is_not_a_number_is_an_error_not_a_shorter_date() {
        for parts in [r#"[["20x0"]]"#, r#"[[2020, "spring"]]"#, r#"[[2020, 1, "x"]]"#] {
            let json = format!(
                "[\n  {{\"id\": \"good\", \"type\": \"book\", \"title\": \"A\", \"issued\": {{\"date-parts\": [[\"2020\", 6]]}}}},\n  {{\"id\": \"bad\", \"type\": \"book\", \"title\": \"B\", \"issued\": {{\"date-parts\": {parts}}}}}\n]"
            );
            let (bib, diags) = load_text(&json);
            let got: Vec<(Code, usize)> =
                diags.iter().map(|d| (d.code, d.span.as_ref().map_or(0, |s| s.line))).collect();
            assert_eq!(got, [(Code::InvalidValue, 3)], "{parts}: {diags:?}");
            assert!(diags[0].message.contains("`date` is not a date"), "{}", diags[0].message);
            assert_eq!(bib.sources.keys().collect::<Vec<_>>(), ["good"], "{parts}");
        }
    }

    #[test]
    fn not_an_array_or_not_json_is_one_error() {
        assert_eq!(load_text("{\"id\": \"a\"}").1.len(), 1);
        let (_, diags) = load_text("[\n  {\"id\": \"a\",,}\n]");
        assert_eq!((diags.len(), diags[0].span.as_ref().map(|s| s.line)), (1, Some(2)));
    }
}
