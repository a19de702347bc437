//! Key-by-key validation of a hayagriva YAML entry: its schema plus our
//! `evidence`, DOI and PMID shapes. Hayagriva would silently drop unknown keys.

use crate::diagnostics::{Code, Diagnostic};
use crate::yaml::{Document, Path, Value};

use super::Evidence;

/// Entry keys hayagriva knows (its `entry!` list in 0.10.1), then ours.
const ENTRY_KEYS: &[&str] = &[
    "type",
    "title",
    "author",
    "date",
    "editor",
    "affiliated",
    "publisher",
    "location",
    "organization",
    "issue",
    "chapter",
    "volume",
    "volume-total",
    "edition",
    "page-range",
    "page-total",
    "time-range",
    "runtime",
    "url",
    "serial-number",
    "language",
    "archive",
    "archive-location",
    "call-number",
    "note",
    "abstract",
    "genre",
    "parent",
    "evidence",
    "authors-incomplete",
];
const PERSON_KEYS: &[&str] = &["name", "given-name", "prefix", "suffix", "alias"];
const STRING_KEYS: &[&str] = &["value", "short", "verbatim"];
const URL_KEYS: &[&str] = &["value", "date"];
const SERIAL_KEYS: &[&str] = &["doi", "isbn", "issn", "pmid", "pmcid", "arxiv", "serial"];
const PUBLISHER_KEYS: &[&str] = &["name", "location"];

/// Every problem of one entry; `from` is where its id stands in `doc.yaml`.
/// hayagriva's entry types, as a source's `type:` names them (any case).
const ENTRY_TYPES: &[&str] = &[
    "article",
    "chapter",
    "entry",
    "anthos",
    "report",
    "thesis",
    "web",
    "scene",
    "artwork",
    "patent",
    "case",
    "newspaper",
    "legislation",
    "manuscript",
    "post",
    "misc",
    "performance",
    "periodical",
    "proceedings",
    "book",
    "blog",
    "reference",
    "conference",
    "anthology",
    "repository",
    "thread",
    "video",
    "audio",
    "exhibition",
    "original",
];

/// `article` or `Article`, as hayagriva reads them (not `ARTICLE`).
fn is_entry_type(t: &str) -> bool {
    // the types are ASCII; `t` is whatever the author wrote
    ENTRY_TYPES.iter().any(|e| {
        t == *e
            || t.strip_prefix(|c: char| c.is_ascii_uppercase() && e.starts_with(c.to_ascii_lowercase()))
                .is_some_and(|rest| rest == &e[1..])
    })
}

/// The problems of the entry at `at` of the document.
pub(super) fn entry(doc: &Document, at: &Path, value: &Value) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let Value::Mapping(map) = value else {
        out.push(
            Diagnostic::error(Code::InvalidValue, "a source must be a map of fields").with_span(doc.value_span(at)),
        );
        return out;
    };
    for (key, value) in map {
        let key = key.as_str().unwrap_or_default();
        let here = at.clone().key(key);
        if !ENTRY_KEYS.contains(&key) {
            out.push(doc.unknown_key(here, ENTRY_KEYS));
            continue;
        }
        let inner = |keys: &[&str], out: &mut Vec<Diagnostic>| nested(doc, &here, value, keys, out);
        match key {
            "title" => {
                inner(STRING_KEYS, &mut out);
                // `title: ""` or `title: { value: "" }`: a reference with no title
                let text = value.get("value").unwrap_or(value);
                if text.as_str().is_some_and(|t| t.trim().is_empty()) || text.is_null() {
                    out.push(
                        Diagnostic::error(Code::InvalidValue, "`title` is empty")
                            .with_span(doc.value_span(&here))
                            .with_help("copy the title from the publication, as its first page or record gives it"),
                    );
                }
                // the title's short form is read the same way
                for (part, text) in [("value", text), ("short", value.get("short").unwrap_or(&Value::Null))] {
                    let Some(why) = text.as_str().and_then(lost_characters) else { continue };
                    let path = if value.get(part).is_some() { here.clone().key(part) } else { here.clone() };
                    out.push(
                        Diagnostic::error(
                            Code::InvalidValue,
                            format!("title `{}`: {why}", text.as_str().unwrap_or_default()),
                        )
                        .with_span(doc.value_span(&path))
                        .with_help(
                            "`{…}` keeps its words as written (`{BDNF}`), `$…$` is a formula; for the characters \
                                 themselves write `\\{`, `\\}` and `\\$`",
                        ),
                    );
                }
            }
            "organization" | "location" | "note" | "genre" | "abstract" => inner(STRING_KEYS, &mut out),
            "author" | "editor" => inner(PERSON_KEYS, &mut out),
            "url" => {
                inner(URL_KEYS, &mut out);
                let (url, at) = match value.get("value") {
                    Some(url) => (url, here.clone().key("value")),
                    None => (value, here.clone()),
                };
                if let Some(text) = url.as_str()
                    && let Some(message) = unsafe_url(text)
                {
                    // at the address as written, or under the whole value
                    let span = doc.written_at(&at, text).map_or_else(|| doc.value_span(&at), |i| doc.span(i));
                    out.push(Diagnostic::error(Code::UnsafeUrl, message).with_span(span).with_help(URL_HELP));
                }
            }
            "publisher" => inner(PUBLISHER_KEYS, &mut out),
            "serial-number" => {
                inner(SERIAL_KEYS, &mut out);
                let get = |k: &str| value.get(k).and_then(scalar);
                for message in identifiers(get("doi").as_deref(), get("pmid").as_deref()) {
                    let k = if message.starts_with("DOI") { "doi" } else { "pmid" };
                    out.push(
                        Diagnostic::error(Code::InvalidValue, message)
                            .with_span(doc.value_span(here.clone().key(k)))
                            .with_help(IDENTIFIER_HELP),
                    );
                }
            }
            "parent" => match value {
                Value::Sequence(parents) => {
                    parents.iter().enumerate().for_each(|(i, p)| out.extend(entry(doc, &here.clone().item(i), p)))
                }
                p => out.extend(entry(doc, &here, p)),
            },
            "authors-incomplete" if value.as_bool().is_none() => {
                out.push(
                    Diagnostic::error(Code::InvalidValue, "`authors-incomplete` must be `true` or `false`")
                        .with_span(doc.value_span(&here))
                        .with_help("`true` when the author list holds only the first authors"),
                );
            }
            "type" if value.as_str().is_none_or(|t| !is_entry_type(t)) => {
                let written = value.as_str().map_or_else(|| "that value".to_string(), |t| format!("`{t}`"));
                let near = value
                    .as_str()
                    .and_then(|t| crate::diagnostics::nearest(&t.to_ascii_lowercase(), ENTRY_TYPES.iter().copied()));
                let help = match near {
                    Some(n) => format!("did you mean `{n}`? The types: {}", ENTRY_TYPES.join(", ")),
                    None => format!("the types: {}", ENTRY_TYPES.join(", ")),
                };
                out.push(
                    Diagnostic::error(Code::InvalidValue, format!("{written} is not a source type"))
                        .with_span(doc.value_span(&here))
                        .with_help(help),
                );
            }
            "evidence" if value.as_str().and_then(Evidence::parse).is_none() => {
                out.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        format!("`evidence` must be one of {}", Evidence::NAMES.join(", ")),
                    )
                    .with_span(doc.value_span(&here)),
                );
            }
            _ => {}
        }
    }
    out
}

/// Keys of a map-valued field at `at` (or each map of a list of them).
fn nested(doc: &Document, at: &Path, value: &Value, keys: &[&str], out: &mut Vec<Diagnostic>) {
    let maps: Vec<(Path, &Value)> = match value {
        Value::Sequence(items) => items.iter().enumerate().map(|(i, v)| (at.clone().item(i), v)).collect(),
        v => vec![(at.clone(), v)],
    };
    for (at, m) in maps {
        if let Value::Mapping(map) = m {
            for key in map.keys() {
                let key = key.as_str().unwrap_or_default();
                if !keys.contains(&key) {
                    out.push(doc.unknown_key(at.clone().key(key), keys));
                }
            }
        }
    }
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Why the citation library would print a title without some of its
/// characters, if it would: to it `{…}` marks words kept as written and
/// `$…$` a formula, and the marks themselves are not printed, so a lone
/// `$` ("costs $500") or a stray brace silently goes.
fn lost_characters(title: &str) -> Option<String> {
    let (mut depth, mut dollar, mut chars) = (0usize, false, title.chars());
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '{' => depth += 1,
            '}' if depth == 0 => return Some("a `}` closes no `{`, and would not be shown".into()),
            '}' => depth -= 1,
            '$' => dollar = true,
            _ => {}
        }
    }
    if depth > 0 {
        return Some("a `{` is never closed, and would not be shown".into());
    }
    dollar.then(|| "a `$` starts a formula to the citation library, and would not be shown".into())
}

/// `text` written so the citation library prints it as it is: its `\\`,
/// `{`, `}` and `$` escaped (for a title a registry gives, which may hold
/// any of them: "the {R}-enantiomer", "$500").
pub(super) fn as_written(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '{' | '}' | '$') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Why a source's `url` may not be linked, if it may not.
pub(super) fn unsafe_url(url: &str) -> Option<String> {
    // a full address: a source's page is outside the site, from every page
    crate::html::check_absolute_url(url).err().map(|why| format!("source url `{}`: {why}", url.escape_debug()))
}

pub(super) const IDENTIFIER_HELP: &str = "a DOI is `10.`, the publisher's number, `/` and the rest, without `doi:` or `https://doi.org/`, e.g. `10.1056/NEJMoa2302399`; \
     a PMID is the number PubMed shows, e.g. `37224232`";

pub(super) const URL_HELP: &str = "a source's url must be an http(s) address, e.g. `https://www.fda.gov/…`";

/// Shape problems of a DOI (`10.NNNN/...`) and a PMID (digits only).
pub(super) fn identifiers(doi: Option<&str>, pmid: Option<&str>) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(doi) = doi
        && !valid_doi(doi)
    {
        out.push(format!("DOI `{doi}` is not of the form 10.NNNN/suffix"));
    }
    if let Some(pmid) = pmid
        && !(pmid.len() <= 9 && !pmid.is_empty() && pmid.bytes().all(|b| b.is_ascii_digit()))
    {
        out.push(format!("PMID `{pmid}` must be digits only"));
    }
    out
}

fn valid_doi(doi: &str) -> bool {
    let Some(rest) = doi.strip_prefix("10.") else { return false };
    let Some((registrant, suffix)) = rest.split_once('/') else { return false };
    (4..=9).contains(&registrant.len())
        && registrant.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && !suffix.is_empty()
        && !suffix.contains(|c: char| c.is_whitespace() || c.is_control())
        // `10.5555/../../10.1234/other`: a browser would follow the link to another DOI
        && !suffix.split('/').any(|segment| matches!(segment, "." | ".."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_type_is_read_as_hayagriva_reads_it_whatever_its_first_letter() {
        for t in ["article", "Article", "web", "Web"] {
            assert!(is_entry_type(t), "{t}");
        }
        // a letter of more than one byte where a type's first letter would be
        for t in ["ARTICLE", "", "\u{feff}", "\u{feff}eb", "éb", "Éeb", "aé", "ärticle"] {
            assert!(!is_entry_type(t), "{t:?}");
        }
    }

    #[test]
    fn identifier_shapes() {
        assert!(identifiers(Some("10.1056/NEJMoa2302399"), Some("37224232")).is_empty());
        assert_eq!(identifiers(Some("doi:10.1056/x"), None).len(), 1);
        assert_eq!(identifiers(Some("10.12/x"), None).len(), 1);
        assert_eq!(identifiers(None, Some("PMID37224232")).len(), 1);
        // a link to it would lead a browser to another DOI
        for doi in ["10.5555/../../10.1234/other", "10.5555/./x", "10.5555/x/.."] {
            assert_eq!(identifiers(Some(doi), None).len(), 1, "{doi}");
        }
        assert!(identifiers(Some("10.1002/(SICI)1097-4636(199909)47:3<265::AID-JBM1>3.0.CO;2-#"), None).is_empty());
        assert!(identifiers(Some("10.5555/a..b"), None).is_empty());
    }

    #[test]
    fn typo_in_entry_and_parent_keys_is_unknown_key_at_its_line() {
        let text = "a:\n  type: article\n  page_range: 1-2\n  parent:\n    type: periodical\n    volum: 3\n";
        let doc = Document::whole("s.yaml", text);
        let v: Value = doc.read().unwrap();
        let d = entry(&doc, &Path::from("a"), &v["a"]);
        let got: Vec<_> = d.iter().map(|d| (d.code, d.line(), d.help.clone())).collect();
        assert_eq!(got[0], (Code::UnknownKey, Some(3), Some("did you mean `page-range`?".into())));
        assert_eq!(got[1], (Code::UnknownKey, Some(6), Some("did you mean `volume`?".into())));
    }
}
