//! schema.org JSON-LD for articles (MedicalWebPage + Article, with
//! `citation`) and the FAQ index (FAQPage), serialized safely for `<script>`.

use serde::Serialize;
use serde_json::{Value, json};

use crate::content::Audience;
use crate::site::{FaqIndex, Page, Site};

/// JSON text that cannot close its `<script>` element.
pub fn to_script(value: &impl Serialize) -> String {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, ScriptSafe);
    // serializing plain data into memory cannot fail
    let _ = value.serialize(&mut ser);
    String::from_utf8(out).unwrap_or_default()
}

/// Writes `<`, `>` and `&` in strings as JSON escapes, so nothing can end
/// the script or open a comment; in one pass, as it serializes.
struct ScriptSafe;

impl serde_json::ser::Formatter for ScriptSafe {
    fn write_string_fragment<W: ?Sized + std::io::Write>(&mut self, w: &mut W, fragment: &str) -> std::io::Result<()> {
        let mut last = 0;
        for (i, c) in fragment.char_indices().filter(|(_, c)| matches!(c, '<' | '>' | '&')) {
            w.write_all(&fragment.as_bytes()[last..i])?;
            write!(w, "\\u{:04x}", c as u32)?;
            last = i + 1;
        }
        w.write_all(&fragment.as_bytes()[last..])
    }
}

pub fn article(site: &Site, page: &Page, permalink: &str) -> String {
    let f = &page.article.front;
    let citations: Vec<Value> = page
        .citations
        .order
        .iter()
        .filter_map(|id| site.bibliography.get(id))
        .map(|s| {
            let mut c = json!({"@type": "ScholarlyArticle", "name": s.title()});
            if let Some(doi) = s.doi() {
                c["sameAs"] = json!(format!("https://doi.org/{doi}"));
            }
            c
        })
        .collect();
    let audience = match f.audience {
        Audience::Patients => "Patient",
        Audience::Clinicians => "Clinician",
    };
    let mut v = json!({
        "@context": "https://schema.org",
        "@type": ["MedicalWebPage", "Article"],
        "headline": f.title,
        "description": f.description,
        "url": permalink,
        "inLanguage": site.config.language,
        "datePublished": f.date.to_string(),
        "dateModified": f.updated.unwrap_or(f.date).to_string(),
        "medicalAudience": {"@type": "MedicalAudience", "audienceType": audience},
        "citation": citations,
    });
    if !f.authors.is_empty() {
        v["author"] = json!(f.authors.iter().map(|a| json!({"@type": "Person", "name": a})).collect::<Vec<_>>());
    }
    if let Some(r) = &f.reviewed {
        v["lastReviewed"] = json!(r.on.to_string());
        v["reviewedBy"] = json!({"@type": "Organization", "name": r.by});
    }
    to_script(&v)
}

/// FAQPage with every question and its plain-text answer.
pub fn faq(site: &Site, index: &FaqIndex) -> String {
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
        text: Collapsed<'a>,
    }
    let main_entity = index
        .groups
        .iter()
        .flat_map(|(_, entries)| entries.iter())
        .map(|entry| Question {
            kind: "Question",
            name: &site.articles[entry.article].article.front.faq[entry.entry].q,
            accepted_answer: Answer { kind: "Answer", text: Collapsed(&entry.answer.plain) },
        })
        .collect();
    to_script(&FaqPage { context: "https://schema.org", kind: "FAQPage", main_entity })
}

/// Text serialized with its words separated by single spaces, made only
/// while it is written (the FAQ index has tens of thousands).
struct Collapsed<'a>(&'a str);

impl Serialize for Collapsed<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&collapse_whitespace(self.0))
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
    use super::*;

    #[test]
    fn script_text_cannot_break_out() {
        let s = to_script(&json!({"headline": "</script><script>alert(1)</script>"}));
        assert!(!s.contains('<') && !s.contains('>'), "{s}");
        let back: Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back["headline"], "</script><script>alert(1)</script>");
    }
}
