//! schema.org JSON-LD for articles (MedicalWebPage + Article, with
//! `citation`) and the FAQ index (FAQPage), serialized safely for `<script>`.

use serde::Serialize;

use crate::content::Audience;
use crate::html::Html;
use crate::site::{FaqIndex, Page, Site};

/// JSON text that cannot close its `<script>` element.
pub fn to_script(value: &impl Serialize) -> Html {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, ScriptSafe);
    // serializing plain data into memory cannot fail
    let _ = value.serialize(&mut ser);
    // JSON whose strings hold no `<`, `>` or `&`: nothing in it ends the script
    Html::trusted(String::from_utf8(out).unwrap_or_default())
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

pub fn article(site: &Site, page: &Page, permalink: &str) -> Html {
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
        author: Vec<Named<'a>>,
        citation: Vec<Citation>,
        #[serde(rename = "dateModified")]
        date_modified: String,
        #[serde(rename = "datePublished")]
        date_published: String,
        description: &'a str,
        headline: &'a str,
        #[serde(rename = "inLanguage")]
        in_language: &'a str,
        #[serde(rename = "medicalAudience")]
        medical_audience: MedicalAudience,
        url: &'a str,
    }
    #[derive(Serialize)]
    struct Named<'a> {
        #[serde(rename = "@type")]
        kind: &'static str,
        name: &'a str,
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
        .map(|s| Citation { kind: "ScholarlyArticle", name: s.title(), same_as: s.doi_url() })
        .collect();
    let audience_type = match f.audience {
        Audience::Patients => "Patient",
        Audience::Clinicians => "Clinician",
    };
    to_script(&Article {
        context: "https://schema.org",
        kind: ["MedicalWebPage", "Article"],
        author: f.authors.iter().map(|a| Named { kind: "Person", name: a }).collect(),
        citation,
        date_modified: f.updated.unwrap_or(f.date).to_string(),
        date_published: f.date.to_string(),
        description: &f.description,
        headline: &f.title,
        in_language: &site.config.language,
        medical_audience: MedicalAudience { kind: "MedicalAudience", audience_type },
        url: permalink,
    })
}

/// FAQPage with every question and its plain-text answer.
pub fn faq(site: &Site, index: &FaqIndex) -> Html {
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
    use serde_json::{Value, json};

    use super::*;

    #[test]
    fn script_text_cannot_break_out() {
        let s = to_script(&json!({"headline": "</script><script>alert(1)</script>"}));
        assert!(!s.contains('<') && !s.contains('>'), "{s}");
        let back: Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back["headline"], "</script><script>alert(1)</script>");
    }
}
