//! The only module that knows `yaml_serde`: strict YAML into typed structs,
//! with every problem reported at its line and column in the *real* file
//! (front matter starts below its `---`, so offsets are shifted back).
//!
//! Serde stops at the first problem; unknown top-level keys are found first,
//! all of them, by comparing the parsed mapping with the schema's key list.

use serde::de::DeserializeOwned;

use std::sync::OnceLock;

use crate::diagnostics::{Code, Diagnostic, LineIndex, Span, nearest};

pub use yaml_serde::{Mapping, Value};

/// A YAML document inside a file: `yaml` starts at byte `offset` of `text`.
pub struct Document<'a> {
    pub file: &'a str,
    pub text: &'a str,
    pub offset: usize,
    pub yaml: &'a str,
    /// Built on first use: positions in a long file stay cheap.
    lines: OnceLock<LineIndex>,
}

impl<'a> Document<'a> {
    /// A whole file that is YAML.
    pub fn whole(file: &'a str, text: &'a str) -> Document<'a> {
        Document::new(file, text, 0, text)
    }

    /// `yaml` sits at byte `offset` of `text`, the whole file.
    pub fn new(file: &'a str, text: &'a str, offset: usize, yaml: &'a str) -> Document<'a> {
        Document { file, text, offset, yaml, lines: OnceLock::new() }
    }

    /// The position of byte `index` of the YAML, in the real file.
    pub fn span(&self, index: usize) -> Span {
        self.lines.get_or_init(|| LineIndex::new(self.text)).span(self.file, self.text, self.offset + index)
    }

    /// The position of `key` at the given indentation or deeper, searching from
    /// byte `from` of the YAML: used for keys serde does not locate.
    pub fn key_span(&self, key: &str, from: usize) -> Span {
        let mut pos = from.min(self.yaml.len());
        for line in self.yaml[pos..].split_inclusive('\n') {
            let trimmed = line.trim_start().trim_start_matches("- ").trim_start();
            let bare = trimmed.trim_start_matches(['"', '\'']);
            if let Some(rest) = bare.strip_prefix(key) {
                let rest = rest.trim_start_matches(['"', '\'']).trim_start();
                if rest.starts_with(':') {
                    return self.span(pos + (line.len() - bare.len()));
                }
            }
            // a flow mapping on one line: `reviewed: { by: x, nxt: y }`
            if let Some(i) = line.find(&format!("{key}:")) {
                let before = line[..i].trim_end();
                if before.ends_with('{') || before.ends_with(',') {
                    return self.span(pos + i);
                }
            }
            pos += line.len();
        }
        self.span(from)
    }

    /// Where each key of the map starting at byte `from` of the YAML stands
    /// (keys at the map's own indentation only), in one pass over the lines:
    /// for files with many keys, where [`Document::key_span`] per key would
    /// read the file once per key.
    pub fn key_offsets(&self, from: usize) -> std::collections::HashMap<&'a str, usize> {
        let yaml: &'a str = self.yaml;
        let mut offsets = std::collections::HashMap::new();
        let mut indent = None;
        let mut pos = from.min(yaml.len());
        for line in yaml[pos..].split_inclusive('\n') {
            let trimmed = line.trim_start();
            let this = line.len() - trimmed.len();
            let blank = trimmed.trim().is_empty() || trimmed.starts_with('#');
            if !blank {
                let want = *indent.get_or_insert(this);
                if this < want {
                    break;
                }
                if this == want
                    && let Some((key, _)) = trimmed.split_once(':')
                {
                    offsets.entry(key.trim().trim_matches(['"', '\''])).or_insert(pos + this);
                }
            }
            pos += line.len();
        }
        offsets
    }

    /// Parse into `T`. `keys` is the schema's top-level key list: any other
    /// top-level key is an `unknown-key` error (all of them are reported).
    pub fn parse<T: DeserializeOwned>(&self, keys: &[&str]) -> Result<T, Vec<Diagnostic>> {
        // The common case is valid YAML: one typed parse. Only a failure pays
        // for the second pass that finds every unknown key at once.
        if let Ok(value) = yaml_serde::from_str::<T>(self.yaml) {
            return Ok(value);
        }
        let value: Value = yaml_serde::from_str(self.yaml).map_err(|e| vec![self.syntax_error(&e)])?;
        let mut unknown = Vec::new();
        if let Value::Mapping(map) = &value {
            for key in map.keys() {
                let name = key_name(key);
                if !keys.contains(&name.as_str()) {
                    unknown.push(self.unknown_key(&name, keys, 0));
                }
            }
        }
        if !unknown.is_empty() {
            return Err(unknown);
        }
        yaml_serde::from_str(self.yaml).map_err(|e| vec![self.value_error(&e)])
    }

    /// `unknown-key` for `name`, with the nearest allowed key as help.
    pub fn unknown_key(&self, name: &str, allowed: &[&str], from: usize) -> Diagnostic {
        let mut d =
            Diagnostic::error(Code::UnknownKey, format!("unknown key `{name}`")).with_span(self.key_span(name, from));
        d = match nearest(name, allowed.iter().copied()) {
            Some(n) => d.with_help(format!("did you mean `{n}`?")),
            None => d.with_help(format!("allowed keys: {}", allowed.join(", "))),
        };
        d
    }

    fn syntax_error(&self, e: &yaml_serde::Error) -> Diagnostic {
        let index = e.location().map_or(0, |l| l.index());
        Diagnostic::error(Code::FrontMatterYaml, format!("YAML does not parse: {}", strip_location(e)))
            .with_span(self.span(index))
    }

    fn value_error(&self, e: &yaml_serde::Error) -> Diagnostic {
        let message = strip_location(e);
        let index = e.location().map_or(0, |l| l.index());
        if let Some(field) = quoted_after(&message, "unknown field `") {
            let allowed: Vec<&str> = expected_fields(&message);
            let from = self.yaml[..index.min(self.yaml.len())].rfind('\n').map_or(0, |i| i + 1);
            return self.unknown_key(&field, &allowed, from);
        }
        if let Some(field) = quoted_after(&message, "missing field `") {
            return Diagnostic::error(Code::MissingKey, format!("missing required key `{field}`"))
                .with_span(self.span(0))
                .with_help(format!("add `{field}:`"));
        }
        Diagnostic::error(Code::InvalidValue, message).with_span(self.span(index))
    }
}

fn key_name(key: &Value) -> String {
    match key {
        Value::String(s) => s.clone(),
        other => yaml_serde::to_string(other).unwrap_or_default().trim().to_string(),
    }
}

/// serde messages end with " at line N column M" of the YAML block; we give
/// the real position separately.
fn strip_location(e: &yaml_serde::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

fn quoted_after(message: &str, prefix: &str) -> Option<String> {
    let rest = &message[message.find(prefix)? + prefix.len()..];
    Some(rest[..rest.find('`')?].to_string())
}

/// The field list serde appends: "expected one of `a`, `b`".
fn expected_fields(message: &str) -> Vec<&str> {
    let Some(i) = message.find("expected") else { return Vec::new() };
    message[i..].split('`').skip(1).step_by(2).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Small {
        #[allow(dead_code)]
        title: String,
        #[serde(default)]
        #[allow(dead_code)]
        inner: Option<Inner>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        #[allow(dead_code)]
        on: String,
    }

    fn doc(text: &str) -> Document<'_> {
        // like front matter: YAML begins after the first line
        let end = text[4..].find("---").map_or(text.len(), |i| i + 4);
        Document::new("a.md", text, 4, &text[4..end])
    }

    #[test]
    fn every_unknown_top_level_key_is_reported_at_its_real_line() {
        let text = "---\ntitle: x\ntitel: y\nfoo: 1\n---\n";
        let errs = doc(text).parse::<Small>(&["title", "inner"]).unwrap_err();
        let got: Vec<_> = errs.iter().map(|d| (d.code, d.line())).collect();
        assert_eq!(got, vec![(Code::UnknownKey, Some(3)), (Code::UnknownKey, Some(4))]);
        assert_eq!(errs[0].help.as_deref(), Some("did you mean `title`?"));
    }

    #[test]
    fn nested_unknown_key_missing_key_and_syntax_errors() {
        let text = "---\ntitle: x\ninner: { on: a, nxt: b }\n";
        let e = doc(text).parse::<Small>(&["title", "inner"]).unwrap_err();
        assert_eq!((e[0].code, e[0].line()), (Code::UnknownKey, Some(3)));

        let e = doc("---\ninner: { on: a }\n").parse::<Small>(&["title", "inner"]).unwrap_err();
        assert_eq!(e[0].code, Code::MissingKey);

        let e = doc("---\ntitle: x\n  bad: [\n").parse::<Small>(&["title"]).unwrap_err();
        assert_eq!(e[0].code, Code::FrontMatterYaml);
        assert!(e[0].line().unwrap() >= 2);
    }
}
