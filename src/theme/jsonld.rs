//! schema.org JSON-LD for articles (MedicalWebPage + Article, with
//! `citation`) and the FAQ index (FAQPage), serialized safely for `<script>`.

use serde::Serialize;

use crate::config::ReviewRole;
use crate::content::Audience;
use crate::content::people::Person;
use crate::html::Html;
use crate::markdown::Rendered;
use crate::site::faq::IndexEntry;
use crate::site::review::{Reviewer, RoleStatus, State};
use crate::site::{Page, Site};

/// JSON text that cannot close its `<script>` element.
pub(super) fn to_script(value: &impl Serialize) -> Html {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, ScriptSafe);
    // serializing plain data into memory cannot fail
    let _ = value.serialize(&mut ser);
    // JSON whose strings hold no `<`, `>` or `&`: nothing in it ends the script
    Html::trusted(String::from_utf8(out).unwrap_or_default())
}

/// Writes `<`, `>` and `&` in strings as JSON escapes, so nothing can end
/// the script or open a comment, and a bidirectional control as U+FFFD, as
/// every other text readers may be shown has it (`html::escape_pieces`);
/// in one pass, as it serializes.
struct ScriptSafe;

impl serde_json::ser::Formatter for ScriptSafe {
    fn write_string_fragment<W: ?Sized + std::io::Write>(&mut self, w: &mut W, fragment: &str) -> std::io::Result<()> {
        let mut last = 0;
        let marked = |c: &char| matches!(c, '<' | '>' | '&') || crate::html::is_bidi_char(*c);
        for (i, c) in fragment.char_indices().filter(|(_, c)| marked(c)) {
            w.write_all(&fragment.as_bytes()[last..i])?;
            let shown = if crate::html::is_bidi_char(c) { '\u{FFFD}' } else { c };
            write!(w, "\\u{:04x}", shown as u32)?;
            last = i + c.len_utf8();
        }
        w.write_all(&fragment.as_bytes()[last..])
    }
}

/// The article's JSON-LD. It says no more than the review record supports:
/// `reviewedBy` and `lastReviewed` only for a signed clinical review of the
/// whole page (no `scope`) that still matches the page; `author` and
/// `editor` only for people of `people.yaml` (an organization as an
/// `Organization`).
pub(super) fn article(site: &Site, page: &Page, permalink: &str, statuses: &[RoleStatus]) -> Html {
    // Fields in the order of their names, as the site has always written
    // them (serde_json's maps sort their keys); written straight from these
    // structs, not through a `serde_json::Value` per page.
    #[derive(Serialize)]
    struct Article<'a> {
        #[serde(rename = "@context")]
        context: &'static str,
        #[serde(rename = "@type")]
        kind: [&'static str; 2],
        #[serde(skip_serializing_if = "Vec::is_empty")]
        author: Vec<Agent<'a>>,
        citation: Vec<Citation>,
        #[serde(rename = "dateModified")]
        date_modified: String,
        #[serde(rename = "datePublished")]
        date_published: String,
        description: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        editor: Option<Agent<'a>>,
        headline: &'a str,
        #[serde(rename = "inLanguage")]
        in_language: &'a str,
        #[serde(rename = "lastReviewed", skip_serializing_if = "Option::is_none")]
        last_reviewed: Option<String>,
        #[serde(rename = "medicalAudience")]
        medical_audience: MedicalAudience,
        #[serde(rename = "reviewedBy", skip_serializing_if = "Option::is_none")]
        reviewed_by: Option<Agent<'a>>,
        url: &'a str,
    }
    #[derive(Serialize)]
    struct Citation {
        #[serde(rename = "@type")]
        kind: &'static str,
        name: String,
        #[serde(rename = "sameAs", skip_serializing_if = "Option::is_none")]
        same_as: Option<String>,
    }
    #[derive(Serialize)]
    struct MedicalAudience {
        #[serde(rename = "@type")]
        kind: &'static str,
        #[serde(rename = "audienceType")]
        audience_type: &'static str,
    }
    let f = &page.article.front;
    let citation = page
        .citations
        .order
        .iter()
        .filter_map(|id| site.bibliography.get(id))
        .map(|s| Citation { kind: s.schema_type(), name: s.title(), same_as: s.doi_url() })
        .collect();
    let audience_type = match f.audience {
        Audience::Patients => "Patient",
        Audience::Clinicians => "Clinician",
    };
    let of_role = |role: ReviewRole| statuses.iter().find(|s| s.review.role == role);
    let person = |by: &Reviewer| match by {
        Reviewer::Person(id) => site.people.get(id).map(agent),
        Reviewer::Named(_) => None,
    };
    // a review of part of the page (`--scope`) is not the page's review
    let clinical = of_role(ReviewRole::Clinical).filter(|s| s.state == State::Current && s.review.scope.is_none());
    to_script(&Article {
        context: "https://schema.org",
        kind: ["MedicalWebPage", "Article"],
        author: f.authors.iter().filter_map(|id| site.people.get(id)).map(agent).collect(),
        citation,
        date_modified: f.updated.unwrap_or(f.date).to_string(),
        date_published: f.date.to_string(),
        description: &f.description,
        editor: of_role(ReviewRole::Editorial).and_then(|s| person(&s.review.by)),
        headline: &f.title,
        in_language: &site.config.language,
        last_reviewed: clinical.map(|s| s.review.on.to_string()),
        medical_audience: MedicalAudience { kind: "MedicalAudience", audience_type },
        reviewed_by: clinical.and_then(|s| person(&s.review.by)),
        url: permalink,
    })
}

/// A person of `people.yaml` (or an organization), as schema.org says it:
/// credentials as `honorificSuffix`, the ORCID iD as `sameAs`.
#[derive(Serialize)]
struct Agent<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    affiliation: Option<Affiliation<'a>>,
    #[serde(rename = "honorificSuffix", skip_serializing_if = "Option::is_none")]
    honorific_suffix: Option<&'a str>,
    name: &'a str,
    #[serde(rename = "sameAs", skip_serializing_if = "Option::is_none")]
    same_as: Option<String>,
}

#[derive(Serialize)]
struct Affiliation<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'a str,
}

fn agent(p: &Person) -> Agent<'_> {
    Agent {
        kind: if p.organization { "Organization" } else { "Person" },
        affiliation: p.affiliation.as_deref().map(|name| Affiliation { kind: "Organization", name }),
        honorific_suffix: p.credentials.as_deref(),
        name: &p.name,
        same_as: p.orcid.as_ref().map(|o| format!("https://orcid.org/{o}")),
    }
}

/// The FAQPage of one page of the FAQ index: each question on it with its
/// plain-text answer.
pub(super) fn faq(site: &Site, entries: &[(&IndexEntry, &Rendered)]) -> Html {
    #[derive(Serialize)]
    struct FaqPage<'a> {
        #[serde(rename = "@context")]
        context: &'static str,
        #[serde(rename = "@type")]
        kind: &'static str,
        #[serde(rename = "mainEntity")]
        main_entity: Vec<Question<'a>>,
    }
    #[derive(Serialize)]
    struct Question<'a> {
        #[serde(rename = "@type")]
        kind: &'static str,
        name: &'a str,
        #[serde(rename = "acceptedAnswer")]
        accepted_answer: Answer<'a>,
    }
    #[derive(Serialize)]
    struct Answer<'a> {
        #[serde(rename = "@type")]
        kind: &'static str,
        text: AnswerText<'a>,
    }
    let main_entity = entries
        .iter()
        .map(|(entry, answer)| Question {
            kind: "Question",
            name: &site.articles[entry.article].article.front.faq[entry.entry].q,
            accepted_answer: Answer { kind: "Answer", text: AnswerText(&answer.plain) },
        })
        .collect();
    to_script(&FaqPage { context: "https://schema.org", kind: "FAQPage", main_entity })
}

/// An answer's plain text as `Answer.text` holds it, its words separated
/// by single spaces, made only while it is written (the FAQ index has tens
/// of thousands): HTML (search engines
/// read it so, links and lists included), so its `&`, `<` and `>` are
/// written as entities. An author's `&lt;a href=…&gt;` is text on the page
/// and stays text for every reader of the JSON-LD.
struct AnswerText<'a>(&'a str);

impl Serialize for AnswerText<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let text = collapse_whitespace(self.0);
        if !text.contains(['&', '<', '>']) {
            return serializer.serialize_str(&text);
        }
        serializer.serialize_str(&text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;"))
    }
}

/// Words separated by single spaces.
fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    /// `Answer.text` is read as HTML: text that looks like markup (an
    /// author's `&lt;a href=…&gt;`, shown as text on the page) is written
    /// with entities, and plain words are written as they are.
    #[test]
    fn an_answer_s_text_is_html_so_markup_in_it_stays_text() {
        let text = |plain: &str| serde_json::to_value(AnswerText(plain)).unwrap();
        assert_eq!(
            text("Use <a href=\"javascript:alert(1)\">this</a>  now & then."),
            json!("Use &lt;a href=\"javascript:alert(1)\"&gt;this&lt;/a&gt; now &amp; then.")
        );
        assert_eq!(text("Plain\n words, 5 mg."), json!("Plain words, 5 mg."));
    }

    #[test]
    fn script_text_cannot_break_out() {
        let s = to_script(&json!({"headline": "</script><script>alert(1)</script>"}));
        assert!(!s.contains('<') && !s.contains('>'), "{s}");
        let back: Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back["headline"], "</script><script>alert(1)</script>");
    }
}
