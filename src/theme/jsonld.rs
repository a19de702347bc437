//! schema.org JSON-LD for articles (MedicalWebPage + Article, with
//! `citation`) and the FAQ index (FAQPage), serialized safely for `<script>`.

use serde_json::{Value, json};

use crate::content::Audience;
use crate::site::{Page, Site};

/// JSON text that cannot close its `<script>` element.
pub fn to_script(value: &Value) -> String {
    // `<`, `>` and `&` as JSON escapes: nothing can end the script or open a comment
    serde_json::to_string(value)
        .unwrap_or_default()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
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
pub fn faq(site: &Site) -> String {
    let entities: Vec<Value> = site
        .faq
        .groups
        .iter()
        .flat_map(|(_, entries)| entries.iter())
        .map(|entry| {
            let q = &site.articles[entry.article].faq[entry.entry].question;
            let text = entry.answer.plain.split_whitespace().collect::<Vec<_>>().join(" ");
            json!({"@type": "Question", "name": q, "acceptedAnswer": {"@type": "Answer", "text": text}})
        })
        .collect();
    to_script(&json!({"@context": "https://schema.org", "@type": "FAQPage", "mainEntity": entities}))
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
