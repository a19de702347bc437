//! Splitting a Markdown file into its YAML front matter and body, and the
//! typed front matter of articles and topic landings (SPEC §4).

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::diagnostics::{Code, Diagnostic, Span};
use crate::yaml::{Document, Value};

/// Article front matter, after strict parsing. The home page uses it too.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    pub title: String,
    pub description: String,
    #[serde(deserialize_with = "super::dates::day")]
    pub date: Date,
    #[serde(default, deserialize_with = "super::dates::optional_day")]
    pub updated: Option<Date>,
    /// The old single editorial check: `reviewed: { by, on, next? }`, read
    /// as an editorial review by a name (not a person id).
    #[serde(default)]
    pub reviewed: Option<Review>,
    /// Reviews recorded by hand; `sourcebook review sign` records them with
    /// a fingerprint in `content/reviews.yaml` instead.
    #[serde(default)]
    pub reviews: Vec<ReviewEntry>,
    /// What changed, for readers: `{ on, summary }`.
    #[serde(default)]
    pub changes: Vec<Change>,
    /// Ids of people in `content/people.yaml`.
    #[serde(default)]
    pub authors: Vec<String>,
    #[serde(default)]
    pub key_points: Vec<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Old addresses of the page, each written as a redirect to it.
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub weight: Option<i64>,
    #[serde(default)]
    pub slug: Option<String>,
    #[serde(default)]
    pub draft: bool,
    /// Article-local bibliography, validated by `sources`.
    #[serde(default)]
    pub sources: Option<Value>,
    #[serde(default)]
    pub faq: Vec<RawFaq>,
    #[serde(default)]
    pub audience: Audience,
}

impl FrontMatter {
    /// The last day the page says it changed: the latest of `date:`,
    /// `updated:` and its `changes:` entries. A review before it was of an
    /// earlier version, whatever its fingerprint says.
    pub fn last_changed(&self) -> Date {
        self.changes.iter().map(|c| c.on).chain(self.updated).fold(self.date, Date::max)
    }
}

/// `reviewed: { by, on, next }`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Review {
    pub by: String,
    #[serde(deserialize_with = "super::dates::day")]
    pub on: Date,
    #[serde(default, deserialize_with = "super::dates::optional_day")]
    pub next: Option<Date>,
}

pub(crate) use crate::config::ReviewRole;

/// `reviews: [{ by, role, on, scope? }]`: `by` is a person id.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewEntry {
    pub by: String,
    pub role: ReviewRole,
    #[serde(deserialize_with = "super::dates::day")]
    pub on: Date,
    /// What the review covered, when not the whole page.
    #[serde(default)]
    pub scope: Option<String>,
}

/// `changes: [{ on, summary }]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    #[serde(deserialize_with = "super::dates::day")]
    pub on: Date,
    pub summary: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFaq {
    pub q: String,
    pub a: String,
}

#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Audience {
    #[default]
    Patients,
    Clinicians,
}

/// The error for a text readers see that is empty or only spaces, `name`
/// (`` `title` ``, "key point 2") at `path`: a page titled "" shows an
/// empty heading and an empty tab, and a key point of nothing an empty
/// bullet. Where the key is left out, parsing has said so already.
pub(crate) fn blank_text(doc: &Document, name: &str, path: crate::yaml::Path) -> Diagnostic {
    Diagnostic::error(Code::InvalidValue, format!("{name} is empty"))
        .with_span(doc.value_span(path))
        .with_help("write it in words, or remove it")
}

/// `_index.md` of a topic folder.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicFrontMatter {
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub weight: Option<i64>,
}

/// A file split at its front matter: byte ranges into the file's text.
#[derive(Debug, Clone, Copy)]
pub struct Split {
    pub yaml_start: usize,
    pub yaml_end: usize,
    pub body_start: usize,
}

/// Find the `---` block that must open the file.
pub(crate) fn split(file: &str, text: &str) -> Result<Split, Diagnostic> {
    let first_line_end = text.find('\n').map_or(text.len(), |i| i + 1);
    if text[..first_line_end].trim_end() != "---" {
        // lines ended by CR alone (classic Mac OS): the whole file is one line
        if text.starts_with("---\r") && first_line_end == text.len() {
            return Err(Diagnostic::error(Code::FrontMatterMissing, "the lines of this file end with CR alone")
                .with_span(Span::at(file, text, 0))
                .with_help(
                    "save it with LF (or CRLF) line endings: an editor's \"line endings\" setting, or `dos2unix -c mac`",
                ));
        }
        let message = if text.trim().is_empty() { "the file is empty" } else { "no front matter" };
        return Err(Diagnostic::error(Code::FrontMatterMissing, message)
            .with_span(Span::at(file, text, 0))
            .with_help("front matter must start with `---` on the first line, then `title:`, `description:` and `date:`, then `---`"));
    }
    let mut pos = first_line_end;
    // YAML's own end of a document, which some editors write: not ours
    let mut dots = None;
    for line in text[first_line_end..].split_inclusive('\n') {
        if line.trim_end() == "---" {
            return Ok(Split { yaml_start: first_line_end, yaml_end: pos, body_start: pos + line.len() });
        }
        if line.trim_end() == "..." {
            dots.get_or_insert(pos);
        }
        pos += line.len();
    }
    let d = Diagnostic::error(Code::FrontMatterMissing, "the front matter is never closed");
    Err(match dots {
        Some(at) => d
            .with_span(Span::at(file, text, at))
            .with_help("the front matter ends with a line holding only `---`, not `...`: write `---` here"),
        None => d.with_span(Span::at(file, text, 0)).with_help("end the front matter with a line holding only `---`"),
    })
}

/// For a front matter the YAML reader cannot read: whether it was left
/// open above the page's text and ended by a `---` further down (a
/// Markdown rule, a second block), told at the first line of text (below a
/// blank line, under the last `key: value`) if the YAML up to that line
/// reads, with where the `---` belongs. The reader would blame the rule.
/// Called only when the reader has failed, so no page that reads pays.
pub(crate) fn closed_late(file: &str, text: &str, split: Split) -> Option<Diagnostic> {
    let (mut last, mut blank, mut prose) = (None, false, None);
    let mut at = split.yaml_start;
    for line in text[split.yaml_start..split.yaml_end].split_inclusive('\n') {
        let start = at;
        at += line.len();
        let written = line.trim();
        if written.is_empty() {
            blank = true;
        } else if written.starts_with('#') {
            // a comment, or a Markdown heading: YAML reads both as comments
        } else if blank && last.is_some() && !line.starts_with([' ', '\t']) && !key_like(written) {
            prose = Some(start);
            break;
        } else {
            (last, blank) = (Some(start), false);
        }
    }
    let (prose, last) = (prose?, last?);
    // the YAML above the text reads (a quoted value may hold a blank line,
    // and its next line is text in the first column)
    let above = &text[split.yaml_start..prose];
    Document::new(file, text, split.yaml_start, above).read::<Value>().ok()?;
    let line = Span::line_at(text, last);
    let written = text[last..].lines().next().unwrap_or_default().trim_end();
    let after = match written.split_once(':') {
        Some((key, _)) if key_like(written) => format!("`{key}: …`"),
        _ => format!("line {line}"),
    };
    Some(
        Diagnostic::error(
            Code::FrontMatterMissing,
            format!("the front matter seems not to be closed after line {line}"),
        )
        .with_span(Span::at(file, text, prose))
        .with_help(format!(
            "write a line holding only `---` after {after}; the `---` on line {} is read as the front matter's end",
            Span::line_at(text, split.yaml_end)
        )),
    )
}

/// Whether a line reads as a YAML key: a word at its start, then `:` and a
/// space or the line's end (`date: 2026-01-01`, `faq:`; not `Note that:`
/// nor `https://…`).
fn key_like(line: &str) -> bool {
    line.split_once(':').is_some_and(|(key, rest)| {
        !key.is_empty() && !key.contains(char::is_whitespace) && (rest.is_empty() || rest.starts_with([' ', '\t']))
    })
}

/// The description and paragraphs `sourcebook new` writes for an author to
/// replace: one shared list, so a page that still holds any is found.
pub(crate) const NEW_DESCRIPTION: &str = "One sentence: the question this article answers.";
pub(crate) const NEW_PLACEHOLDERS: [&str; 4] = [
    "Start with what the reader will learn, in plain words.",
    "Give each finding with its setting and size, and cite it: add the source to content/sources.yaml, then write `[@id]` after the claim.",
    "Say what is not known, and what the risks are, beside the benefits.",
    "Send readers to their clinician for decisions about their own care.",
];

/// `template-text`: the page still holds text `sourcebook new` wrote for
/// the author to replace (one warning, at the first, counting the rest).
pub(crate) fn template_text(file: &str, text: &str, split: Split, description: &str) -> Option<Diagnostic> {
    // every article is searched: one pass for all the placeholders
    static PLACEHOLDERS: std::sync::LazyLock<aho_corasick::AhoCorasick> = std::sync::LazyLock::new(|| {
        aho_corasick::AhoCorasick::new(NEW_PLACEHOLDERS).expect("the placeholders are a few short strings")
    });
    let body = &text[split.body_start..];
    // where each placeholder first appears (they cannot overlap one another)
    let mut first_of = [None; NEW_PLACEHOLDERS.len()];
    for m in PLACEHOLDERS.find_iter(body) {
        first_of[m.pattern().as_usize()].get_or_insert(split.body_start + m.start());
    }
    let mut found: Vec<usize> = first_of.into_iter().flatten().collect();
    if description.trim() == NEW_DESCRIPTION {
        let yaml = &text[split.yaml_start..split.yaml_end];
        found.push(split.yaml_start + yaml.find("description:").unwrap_or(0));
    }
    let first = *found.iter().min()?;
    let more = match found.len() - 1 {
        0 => String::new(),
        1 => " (and 1 more placeholder)".into(),
        n => format!(" (and {n} more placeholders)"),
    };
    Some(
        Diagnostic::warning(
            Code::TemplateText,
            format!("this is still the placeholder text `sourcebook new` wrote{more}"),
        )
        .with_span(Span::at(file, text, first))
        .with_help("replace it with the page's own words, each claim cited with `[@id]`"),
    )
}

/// `stray-front-matter`: a line in the body that reads like a front matter
/// key (`faq:` after a second `---`, say), which readers would see as text.
pub(crate) fn stray_key(file: &str, text: &str, split: Split, keys: &[&str]) -> Option<Diagnostic> {
    let mut at = split.body_start;
    let mut fence: Option<&str> = None;
    for line in text[split.body_start..].split_inclusive('\n') {
        let start = at;
        at += line.len();
        let trimmed = line.trim_start();
        if let Some(f) = fence {
            if trimmed.starts_with(f) {
                fence = None;
            }
            continue;
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fence = Some(&trimmed[..3]);
            continue;
        }
        // a key starts the line with a lower-case letter and is short: most
        // lines of prose are passed over without a search for `:`
        if !line.starts_with(|c: char| c.is_ascii_lowercase()) {
            continue;
        }
        let Some(colon) = line.bytes().take(24).position(|b| b == b':') else { continue };
        let (key, rest) = (&line[..colon], &line[colon + 1..]);
        if !keys.contains(&key) || !(rest.is_empty() || rest.starts_with([' ', '\n', '\r'])) {
            continue;
        }
        let closing = Span::line_at(text, split.yaml_end);
        let later = text[start..]
            .split_inclusive('\n')
            .scan(start, |pos, l| {
                let here = *pos;
                *pos += l.len();
                Some((here, l))
            })
            .find(|(_, l)| l.trim_end() == "---")
            .map(|(here, _)| Span::line_at(text, here));
        let help = match later {
            Some(end) => format!(
                "the front matter ends at the `---` on line {closing}: remove that line, so it runs on to the `---` on line {end}"
            ),
            None => format!(
                "the front matter ends at the `---` on line {closing}: move `{key}:` and its value above that line"
            ),
        };
        return Some(
            Diagnostic::warning(
                Code::StrayFrontMatter,
                format!("`{key}:` is in the page's text, not its front matter"),
            )
            .with_span(Span::at(file, text, start))
            .with_help(help),
        );
    }
    None
}

impl Split {
    pub fn document<'a>(&self, file: &'a str, text: &'a str) -> Document<'a> {
        Document::new(file, text, self.yaml_start, &text[self.yaml_start..self.yaml_end])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A front matter key alone at the start of a body line is named; prose,
    /// code and multi-byte text near the key's length are passed over.
    #[test]
    fn a_key_in_the_body_is_found_and_prose_is_not() {
        let keys = crate::yaml::fields::<FrontMatter>();
        let found = |body: &str| {
            let text = format!("---\ntitle: T\n---\n{body}");
            let split = split("a.md", &text).unwrap();
            stray_key("a.md", &text, split, keys).map(|d| (d.message.clone(), d.line()))
        };
        assert_eq!(
            found("Intro.\n\ntags: [a]\n"),
            Some(("`tags:` is in the page's text, not its front matter".into(), Some(6)))
        );
        assert_eq!(found("Note: tags are fine.\ndescriptionééééééééééééé: x\n```\nfaq:\n```\n"), None);
    }

    /// The keys the parser accepts are the struct's own, and the README's
    /// "Front matter" section documents each of them.
    #[test]
    fn every_front_matter_key_is_documented() {
        let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
        let start = readme.find("### Front matter").unwrap();
        let section = &readme[start..start + readme[start..].find("\n### Stable").unwrap()];
        let keys = crate::yaml::fields::<FrontMatter>();
        assert!(keys.contains(&"key_points") && keys.contains(&"audience"), "{keys:?}");
        for key in keys {
            assert!(
                section.contains(&format!("\n{key}:")) || section.contains(&format!("`{key}")),
                "README's front matter section does not document `{key}`"
            );
        }
        assert_eq!(crate::yaml::fields::<TopicFrontMatter>(), ["title", "description", "weight"]);
    }

    #[test]
    fn splits_front_matter_and_body() {
        let text = "---\ntitle: x\n---\nbody\n";
        let s = split("a.md", text).unwrap();
        assert_eq!(&text[s.yaml_start..s.yaml_end], "title: x\n");
        assert_eq!(&text[s.body_start..], "body\n");
    }

    #[test]
    fn missing_or_unclosed_front_matter() {
        assert_eq!(split("a.md", "").unwrap_err().code, Code::FrontMatterMissing);
        assert_eq!(split("a.md", "# Title\n").unwrap_err().code, Code::FrontMatterMissing);
        assert_eq!(split("a.md", "---\ntitle: x\n").unwrap_err().code, Code::FrontMatterMissing);
        // ended as a YAML document is, with `...`: pointed at it, with what to write
        let e = split("a.md", "---\ntitle: x\n...\n\nText.\n").unwrap_err();
        assert_eq!((e.code, e.line()), (Code::FrontMatterMissing, Some(3)));
        assert!(e.help.as_deref().is_some_and(|h| h.contains("not `...`")), "{e:?}");
        // old Mac line endings: said so, not "no front matter"
        let e = split("a.md", "---\rtitle: x\r---\r\rText.\r").unwrap_err();
        assert_eq!(
            (e.code, e.line(), e.message.as_str()),
            (Code::FrontMatterMissing, Some(1), "the lines of this file end with CR alone")
        );
        assert!(e.help.as_deref().is_some_and(|h| h.contains("LF (or CRLF) line endings")), "{e:?}");
    }

    /// A front matter never closed above the page's text, whose body has a
    /// `---` rule further down: named at the first line of text, with the
    /// line the `---` belongs after, not at the rule as a line that is not
    /// `key: value`.
    #[test]
    fn a_front_matter_closed_only_by_a_later_rule_is_named_where_the_text_starts() {
        let late = |text: &str| closed_late("a.md", text, split("a.md", text).unwrap());
        let text = "---\ntitle: \"T\"\ndescription: \"D\"\ndate: 2026-01-01\n\nSome intro text.\n\n---\nMore text.\n";
        let e = late(text).unwrap();
        assert_eq!((e.code, e.line()), (Code::FrontMatterMissing, Some(6)));
        assert_eq!(e.message, "the front matter seems not to be closed after line 4");
        assert_eq!(
            e.help.as_deref(),
            Some(
                "write a line holding only `---` after `date: …`; the `---` on line 8 is read as the front matter's end"
            )
        );
        // a Markdown heading (a YAML comment) and a list below the last key
        let text = "---\ntitle: T\nkey_points:\n  - a\n\n## Intro\n\nText, more.\n---\n";
        let e = late(text).unwrap();
        assert_eq!((e.line(), e.message.as_str()), (Some(8), "the front matter seems not to be closed after line 4"));
        assert!(e.help.as_deref().is_some_and(|h| h.contains("after line 4;")), "{e:?}");
        // no text below a blank line, or YAML above it that is wrong in its
        // own way (a quote never closed): not this mistake
        for text in [
            "---\ntitle: \"T\n\nmore of it\"\n---\nBody.\n",
            "---\ntitle: T\n\n# a comment\n\nfaq:\n  - q: a\n---\n",
            "---\ntitle: T\n\nnote: x\n---\n",
            "---\ntitle: \"T\n\nText.\n---\n",
            "---\ntitle: T\nText.\n---\n",
        ] {
            assert!(late(text).is_none(), "{text:?}");
        }
    }

    #[test]
    fn dates_are_real_dates() {
        let text = "---\ntitle: t\ndescription: d\ndate: 2024-02-30\n---\n";
        let s = split("a.md", text).unwrap();
        let e = s.document("a.md", text).parse::<FrontMatter>().unwrap_err();
        assert_eq!((e[0].code, e[0].line()), (Code::InvalidValue, Some(4)));
    }
}
