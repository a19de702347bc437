//! `content/glossary.yaml`: term → plain-language definition (and aliases).
//! Parsed strictly; the first use of a term in an article links to its entry
//! on the generated `/glossary/` page (see `markdown::TermMatcher`).

use std::collections::BTreeMap;

use serde::Deserialize;

use super::DataFile;
use crate::diagnostics::{Code, Diagnostic, Span};
use crate::markdown::slugify;
use crate::yaml::{Document, Path, Value};

/// One glossary entry.
#[derive(Debug, Clone)]
pub struct Term {
    pub term: String,
    pub definition: String,
    pub aliases: Vec<String>,
    /// Id of its entry on the glossary page: `g-nmda-receptor`.
    pub anchor: String,
    /// Where it is defined.
    pub span: Span,
}

/// Every term, sorted alphabetically (case-insensitive).
#[derive(Debug, Clone, Default)]
pub struct Glossary {
    pub terms: Vec<Term>,
    /// glossary.yaml had errors (reported where they are): a term a page
    /// uses may be missing.
    pub unread: bool,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawTerm {
    Short(String),
    Full(FullTerm),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FullTerm {
    definition: String,
    #[serde(default)]
    aliases: Vec<String>,
}

/// An error for each word (a term or an alias, in any case) that two terms
/// claim: the text would link it to one definition, chosen by the order of
/// the file, and call the other unused.
fn same_words(terms: &[Term]) -> Vec<Diagnostic> {
    let mut claimed: std::collections::HashMap<String, &str> = std::collections::HashMap::new();
    let mut diags = Vec::new();
    for t in terms {
        let words: std::collections::BTreeSet<String> =
            std::iter::once(&t.term).chain(&t.aliases).map(|w| w.trim().to_lowercase()).collect();
        for word in words {
            match claimed.get(&word) {
                Some(first) => diags.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        format!("`{word}` names two glossary terms, `{first}` and `{}`", t.term),
                    )
                    .with_span(t.span.clone())
                    .with_help("a word may lead to one definition: keep it as the term or alias of one of them"),
                ),
                None => {
                    claimed.insert(word, &t.term);
                }
            }
        }
    }
    diags
}

impl Glossary {
    /// Parse the glossary file; problems are diagnostics at their line.
    pub fn load(file: &DataFile) -> (Glossary, Vec<Diagnostic>) {
        let doc = Document::whole(&file.file, &file.text);
        let raw: BTreeMap<String, Value> = match doc.read() {
            Ok(Some(crate::yaml::UniqueKeys(map))) => map,
            Ok(None) => return (Glossary::default(), Vec::new()),
            Err(d) => return (Glossary { unread: true, ..Glossary::default() }, vec![d]),
        };
        let mut diags = Vec::new();
        let mut terms = Vec::new();
        for (term, value) in raw {
            let at = Path::root().key(&term);
            let span = doc.key_span(&at);
            let parsed = crate::yaml::from_value::<RawTerm>(value.clone());
            let (definition, aliases) = match parsed {
                Ok(RawTerm::Short(d)) => (d, Vec::new()),
                Ok(RawTerm::Full(f)) => (f.definition, f.aliases),
                Err(_) => {
                    let unknown = value.as_mapping().and_then(|m| {
                        m.keys()
                            .filter_map(|k| k.as_str())
                            .find(|k| !["definition", "aliases"].contains(k))
                            .map(str::to_string)
                    });
                    diags.push(match unknown {
                        Some(k) => doc.unknown_key(at.key(&k), &["definition", "aliases"]),
                        None => Diagnostic::error(
                            Code::InvalidValue,
                            format!("glossary term `{term}` needs a `definition:` (and optional `aliases:`)"),
                        )
                        .with_span(span),
                    });
                    continue;
                }
            };
            if crate::yaml::blank(&term) || aliases.iter().any(|a| crate::yaml::blank(a)) {
                diags.push(
                    Diagnostic::error(Code::InvalidValue, "a glossary term or alias is empty")
                        .with_span(span)
                        .with_help("write the word as readers meet it in the text, or remove the entry"),
                );
                continue;
            }
            if crate::yaml::blank(&definition) {
                diags.push(
                    Diagnostic::error(Code::InvalidValue, format!("glossary term `{term}` has an empty definition"))
                        .with_span(span),
                );
                continue;
            }
            let anchor = format!("g-{}", slugify(&term));
            terms.push(Term { term, definition, aliases, anchor, span });
        }
        terms.sort_by_key(|t| t.term.to_lowercase());
        diags.extend(same_words(&terms));
        let unread = diags.iter().any(Diagnostic::is_error);
        (Glossary { terms, unread }, diags)
    }
}
