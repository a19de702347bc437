//! `content/reviews.yaml`: the signed review record. `sourcebook review
//! sign` writes it; `check`, the pages and their JSON-LD read it. A plain
//! file in the repository, committed with the pages, so the review history
//! is in the same diff as the text it reviewed.
//!
//! ```yaml
//! safety/side-effects.md:
//!   - by: jane-lee
//!     role: clinical
//!     on: 2026-12-01
//!     fingerprint: "sha256:9c1e…"
//!     parts:
//!       "title": "1f2e3d4c5b6a"
//!       "section: Blood pressure": "0b9e77c2a1f3"
//! ```
//!
//! Keyed by the page's file relative to `content/`; each page's reviews in
//! the order they were signed. `parts` holds a short hash of each part of
//! the page that was reviewed (title, description, each section, each cited
//! source…): what lets `check` say *what* changed since, without keeping a
//! copy of the text. The file is rewritten whole, in a fixed order, so two
//! signatures make a two-entry diff.

use crate::yaml::quoted;
use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::Deserialize;

use super::DataFile;
use super::front_matter::ReviewRole;
use crate::diagnostics::{Code, Diagnostic, Span};
use crate::yaml::{Document, Path, Value};

pub(crate) const FILE: &str = "content/reviews.yaml";

/// One signed review.
#[derive(Debug, Clone, PartialEq)]
pub struct Signed {
    pub by: String,
    pub role: ReviewRole,
    pub on: Date,
    pub scope: Option<String>,
    /// `sha256:` and 64 hex digits.
    pub fingerprint: String,
    /// Each part's name and short hash, in the page's order.
    pub parts: Vec<(String, String)>,
    /// Where the entry starts in the record.
    pub span: Option<Span>,
}

/// Every page's signed reviews, by file relative to `content/`.
#[derive(Debug, Clone, Default)]
pub struct Record {
    pub pages: BTreeMap<String, Vec<Signed>>,
    /// Where each page's key is written in the record.
    pub keys: BTreeMap<String, Span>,
    /// reviews.yaml had errors (reported where they are): a page may have
    /// reviews that could not be read.
    pub unread: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSigned {
    by: String,
    role: ReviewRole,
    #[serde(deserialize_with = "super::dates::day")]
    on: Date,
    #[serde(default)]
    scope: Option<String>,
    fingerprint: String,
    #[serde(default)]
    parts: Value,
}

impl Record {
    /// The signed reviews of `file` (relative to the site root:
    /// `content/safety/side-effects.md`), oldest first.
    pub fn of(&self, file: &str) -> &[Signed] {
        let key = file.strip_prefix("content/").unwrap_or(file);
        self.pages.get(key).map_or(&[], Vec::as_slice)
    }

    /// Parse the record; problems are diagnostics at their line.
    pub fn load(file: &DataFile) -> (Record, Vec<Diagnostic>) {
        let doc = Document::whole(&file.file, &file.text);
        let raw: BTreeMap<String, Vec<Value>> = match doc.read() {
            Ok(Some(crate::yaml::UniqueKeys(map))) => map,
            Ok(None) => return (Record::default(), Vec::new()),
            Err(d) => {
                let d = if d.code == Code::FrontMatterYaml {
                    d.with_help("each page is a list of `{ by, role, on, fingerprint, parts }`; `sourcebook review sign` writes them")
                } else {
                    d
                };
                return (Record { unread: true, ..Record::default() }, vec![d]);
            }
        };
        let mut diags = Vec::new();
        let mut record = Record::default();
        for (page, entries) in raw {
            let mut signed = Vec::new();
            for (i, value) in entries.into_iter().enumerate() {
                let at = Path::root().key(&page).item(i);
                let span = doc.key_span(&at);
                match read_entry(&doc, value, &at, &span) {
                    Ok(mut s) => {
                        s.span = Some(span);
                        signed.push(s);
                    }
                    Err(d) => diags.push(d),
                }
            }
            record.keys.insert(page.clone(), doc.key_span(Path::root().key(&page)));
            record.pages.insert(page, signed);
        }
        record.unread = diags.iter().any(Diagnostic::is_error);
        (record, diags)
    }

    /// The whole file as `sign` writes it: a fixed header, pages in order,
    /// each entry in a fixed key order.
    pub fn to_yaml(&self) -> String {
        let mut out = String::from(
            "# Signed reviews: written by `sourcebook review sign`, read by `sourcebook check`\n\
             # and the pages. Commit it with the pages it covers. Each entry records who\n\
             # reviewed a page, in what role, on which day, and a fingerprint of what they\n\
             # reviewed (the page's text, front matter facts and cited sources, and the\n\
             # images, care cards and glossary definitions it shows).\n",
        );
        for (page, entries) in &self.pages {
            if entries.is_empty() {
                continue;
            }
            out.push_str(&format!("{}:\n", quoted(page)));
            for s in entries {
                out.push_str(&format!("  - by: {}\n", quoted(&s.by)));
                out.push_str(&format!("    role: {}\n", s.role.as_str()));
                out.push_str(&format!("    on: {}\n", s.on));
                if let Some(scope) = &s.scope {
                    out.push_str(&format!("    scope: {}\n", quoted(scope)));
                }
                out.push_str(&format!("    fingerprint: {}\n", quoted(&s.fingerprint)));
                out.push_str("    parts:\n");
                for (name, hash) in &s.parts {
                    out.push_str(&format!("      {}: {}\n", quoted(name), quoted(hash)));
                }
            }
        }
        out
    }
}

/// Entry `at` of the record, written at `span`.
fn read_entry(doc: &Document, value: Value, at: &Path, span: &Span) -> Result<Signed, Diagnostic> {
    let span = span.clone();
    let raw: RawSigned = match crate::yaml::from_value(value.clone()) {
        Ok(raw) => raw,
        Err(message) => {
            let unknown = value.as_mapping().and_then(|m| {
                m.keys()
                    .filter_map(|k| k.as_str())
                    .find(|k| !crate::yaml::fields::<RawSigned>().contains(k))
                    .map(str::to_string)
            });
            return Err(match unknown {
                Some(k) => doc.unknown_key(at.clone().key(&k), crate::yaml::fields::<RawSigned>()),
                None => {
                    // `role: editorail`: told in the author's words, at the value
                    let (said, help) = crate::yaml::plain_value_error(&message, "");
                    let (span, said) = crate::yaml::named_value(doc, at, &value, &said).unwrap_or((span, said));
                    Diagnostic::error(Code::InvalidValue, format!("a signed review: {said}")).with_span(span).with_help(
                        help.unwrap_or_else(|| {
                            "an entry is `{ by, role: clinical | lay | editorial, on: YYYY-MM-DD, scope?, fingerprint, parts }`".into()
                        }),
                    )
                }
            });
        }
    };
    let RawSigned { by, role, on, scope, fingerprint, parts } = raw;
    let well_formed = fingerprint
        .strip_prefix("sha256:")
        .is_some_and(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()));
    if !well_formed {
        return Err(Diagnostic::error(Code::InvalidValue, format!("`{fingerprint}` is not a review fingerprint"))
            .with_span(span)
            .with_help("fingerprints are written by `sourcebook review sign`: sign the page again"));
    }
    let parts = match parts {
        Value::Mapping(map) => {
            map.into_iter().filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.as_str()?.to_string()))).collect()
        }
        _ => Vec::new(),
    };
    Ok(Signed { by, role, on, scope, fingerprint, parts, span: None })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed(by: &str, on: &str) -> Signed {
        Signed {
            by: by.into(),
            role: ReviewRole::Clinical,
            on: on.parse().unwrap(),
            scope: Some("dosing \"only\"".into()),
            fingerprint: format!("sha256:{}", "a".repeat(64)),
            parts: vec![("title".into(), "0123456789ab".into()), ("section: Dose: how much".into(), "ba98".into())],
            span: None,
        }
    }

    #[test]
    fn what_it_writes_it_reads_back() {
        let mut record = Record::default();
        record.pages.insert("a/b.md".into(), vec![signed("jane-lee", "2026-01-02"), signed("sam", "2026-02-03")]);
        let text = record.to_yaml();
        let (back, diags) = Record::load(&DataFile { file: FILE.into(), text: text.clone() });
        assert!(diags.is_empty(), "{diags:?}\n{text}");
        let entries = back.of("content/a/b.md");
        assert_eq!(entries.len(), 2);
        assert_eq!(
            entries[1].span.as_ref().map(|s| s.line),
            text.lines().position(|l| l.contains("\"sam\"")).map(|i| i + 1)
        );
        let without_spans: Vec<Signed> = entries.iter().cloned().map(|s| Signed { span: None, ..s }).collect();
        assert_eq!(without_spans, record.pages["a/b.md"]);
    }

    #[test]
    fn bad_entries_are_reported_at_their_line() {
        let cases = [
            // a value it may not hold: at the value
            ("a.md:\n  - by: x\n    role: surgeon\n    on: 2026-01-01\n    fingerprint: x\n", Code::InvalidValue, 3),
            (
                "a.md:\n  - by: x\n    role: lay\n    on: 2026-01-01\n    fingerprint: sha256:12\n",
                Code::InvalidValue,
                2,
            ),
            (
                "a.md:\n  - by: x\n    role: lay\n    on: 2026-01-01\n    fingerprint: x\n  - by: y\n    rol: lay\n",
                Code::InvalidValue,
                2,
            ),
        ];
        for (text, code, line) in cases {
            let (_, diags) = Record::load(&DataFile { file: FILE.into(), text: text.into() });
            assert_eq!((diags[0].code, diags[0].line()), (code, Some(line)), "{text}");
        }
        let (_, diags) = Record::load(&DataFile { file: FILE.into(), text: "a.md:\n  - by: x\n    rol: lay\n".into() });
        assert_eq!((diags[0].code, diags[0].line()), (Code::UnknownKey, Some(3)));
    }
}
