//! The generated FAQ index and the glossary, as a reader meets them.

use std::path::Path;

use crate::support::{build_at, site};

fn read(dir: &Path, path: &str) -> String {
    std::fs::read_to_string(dir.join("public").join(path)).unwrap()
}

/// The text between `start` and the next `end`, for each occurrence.
fn between<'a>(html: &'a str, start: &str, end: &str) -> Vec<&'a str> {
    html.match_indices(start)
        .map(|(i, _)| {
            let rest = &html[i + start.len()..];
            &rest[..rest.find(end).unwrap()]
        })
        .collect()
}

/// The first JSON-LD block of `html`, parsed.
fn json_ld(html: &str) -> serde_json::Value {
    let json = between(html, "<script type=\"application/ld+json\">", "</script>")[0];
    serde_json::from_str(json).unwrap()
}

#[test]
fn faq_index_holds_exactly_the_published_questions_in_order_with_working_links() {
    let dir = site("full");
    let report = build_at(dir.path());
    assert!(report.written.is_some());
    let html = read(dir.path(), "faq/index.html");
    let questions = between(&html, "<p class=\"q\">", "</p>");
    // topic order, then article weight, then front-matter order; the draft's question is absent
    assert_eq!(questions, ["Which source came first?", "What does the figure show?", "Is there a second question?"]);

    let anchors = between(&html, "<div class=\"entry\" id=\"", "\"");
    let mut unique = anchors.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), anchors.len(), "anchors are unique: {anchors:?}");

    // each entry links to the question on its article, by the article's title
    let links = between(&html, "<a class=\"from\" href=\"", "</a>");
    assert_eq!(links.len(), questions.len(), "{html}");
    for link in links {
        let (href, title) = link.split_once("\">").unwrap();
        let (file, fragment) = href.split_once('#').unwrap();
        let target = std::fs::read_to_string(dir.path().join("public/faq").join(file)).unwrap();
        assert!(target.contains(&format!("id=\"{fragment}\"")), "{href} points at a missing id");
        assert!(!title.is_empty() && target.contains(&format!("<h1>{title}</h1>")), "{link}: not its article's title");
    }
    // answers are numbered against the FAQ page's own reference list
    assert!(html.contains("<li id=\"ref-1\">Anand A"), "{html}");
}

#[test]
fn faq_json_ld_matches_the_entries() {
    let dir = site("full");
    build_at(dir.path());
    let html = read(dir.path(), "faq/index.html");
    let ld = json_ld(&html);
    assert_eq!(ld["@type"], "FAQPage");
    let entities = ld["mainEntity"].as_array().unwrap();
    let names: Vec<&str> = entities.iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Which source came first?", "What does the figure show?", "Is there a second question?"]);
    assert_eq!(entities[1]["acceptedAnswer"]["@type"], "Answer");
    assert_eq!(entities[1]["acceptedAnswer"]["text"], "Cells, compared with ECT in the cited article.");
}

/// An answer's text that looks like HTML is shown on the page as text,
/// and the FAQ's structured data says it too: it dropped it ("Never mix it
/// with <alcohol> or <b>opioids</b>" became "Never mix it with or
/// opioids.").
#[test]
fn faq_json_ld_says_what_the_page_shows_even_text_like_html() {
    let dir = site("minimal");
    let file = dir.path().join("content/basics/first.md");
    let text = std::fs::read_to_string(&file).unwrap();
    let answer = "Never mix it with <alcohol> or <b>opioids</b> [@doe2020].";
    std::fs::write(&file, text.replacen("Yes, and it is sourced [@doe2020].", answer, 1)).unwrap();
    let report = build_at(dir.path());
    assert!(report.written.is_some(), "{:?}", report.diagnostics);
    let html = read(dir.path(), "faq/index.html");
    let ld = json_ld(&html);
    let said = ld["mainEntity"][0]["acceptedAnswer"]["text"].as_str().unwrap();
    // Answer.text is HTML: the words as the page shows them, escaped
    assert_eq!(said, "Never mix it with &lt;alcohol&gt; or &lt;b&gt;opioids&lt;/b&gt;.");
}

/// An answer's link to a place on its own article (`#background`) leads
/// to that place from the FAQ index too: it was `#background` there, a
/// place the index does not have, and the link went nowhere. A place its
/// article does not have is an error, once, at the answer.
#[test]
fn an_answer_s_link_to_its_own_page_leads_there_from_the_faq_index() {
    let dir = site("minimal");
    let file = dir.path().join("content/basics/first.md");
    let text = std::fs::read_to_string(&file).unwrap();
    let answer = "Yes, and it is sourced [@doe2020]. See [the background](#background).";
    std::fs::write(&file, text.replacen("Yes, and it is sourced [@doe2020].", answer, 1)).unwrap();
    let report = build_at(dir.path());
    assert!(report.written.is_some(), "{:?}", report.diagnostics);
    let article = read(dir.path(), "basics/first/index.html");
    assert!(article.contains("<a href=\"#background\">the background</a>"), "{article}");
    assert!(article.contains("id=\"background\""), "the place is on the article");
    let index = read(dir.path(), "faq/index.html");
    assert!(index.contains("<a href=\"../basics/first/index.html#background\">the background</a>"), "{index}");
    assert!(!index.contains("href=\"#background\""), "{index}");

    std::fs::write(&file, text.replacen("Yes, and it is sourced [@doe2020].", "See [it](#nothere).", 1)).unwrap();
    let report = build_at(dir.path());
    let broken: Vec<_> = report.diagnostics.iter().filter(|d| d.code.as_str() == "broken-anchor").collect();
    assert_eq!(broken.len(), 1, "{:?}", report.diagnostics);
    assert_eq!(broken[0].message, "no heading or id `nothere` on this page");
    let at = broken[0].span.as_ref().map(|s| (s.file.as_str(), s.line, s.column));
    assert_eq!(at, Some(("content/basics/first.md", 11, 18)));
}

/// A broken anchor into another page names the file the author opens to
/// find the heading, not the address the page is published at.
#[test]
fn a_broken_anchor_into_another_page_names_that_page_s_file() {
    let dir = site("minimal");
    let topic = dir.path().join("content/basics/_index.md");
    let text = std::fs::read_to_string(&topic).unwrap();
    std::fs::write(&topic, text.replacen("The basics.", "The basics: [start](first.md#nothere).", 1)).unwrap();
    let report = build_at(dir.path());
    let broken: Vec<_> = report.diagnostics.iter().filter(|d| d.code.as_str() == "broken-anchor").collect();
    assert_eq!(broken.len(), 1, "{:?}", report.diagnostics);
    assert_eq!(broken[0].message, "no heading or id `nothere` in content/basics/first.md");
    let at = broken[0].span.as_ref().map(|s| (s.file.as_str(), s.line, s.column));
    assert_eq!(at, Some(("content/basics/_index.md", 7, 21)));
}

#[test]
fn article_json_ld_carries_citations_and_never_claims_a_review() {
    let dir = site("minimal");
    build_at(dir.path());
    let html = read(dir.path(), "basics/first/index.html");
    let ld = json_ld(&html);
    assert_eq!(ld["@type"], serde_json::json!(["MedicalWebPage", "Article"]));
    // the fixture's `reviewed:` block records an editorial check, not a
    // clinical review: the JSON-LD must not say a review happened
    assert!(ld.get("lastReviewed").is_none() && ld.get("reviewedBy").is_none(), "{ld}");
    assert!(!html.contains("Last reviewed") && html.contains("not yet clinically reviewed"), "{html}");
    assert!(html.contains("Checked against its sources by Editorial team on"), "{html}");
    assert!(html.contains("No clinician has reviewed this page yet"), "{html}");
    assert_eq!(ld["citation"][0]["@type"], "ScholarlyArticle");
    assert_eq!(ld["citation"][0]["sameAs"], "https://doi.org/10.1000/example.1");
}

/// Each cited source is described in structured data as what it is: a
/// journal article, a news story, a web page, a report, a book. Every one
/// was a `ScholarlyArticle`, so machines read an insurer's page and a news
/// story as scholarship behind the page.
#[test]
fn article_json_ld_names_each_source_as_what_it_is() {
    let dir = site("minimal");
    let more = "\nnews2022:\n  type: article\n  title: A news story\n  date: 2022\n  parent: { type: newspaper, title: The Daily }\n\
insurer:\n  type: web\n  title: A policy page\n  author: { name: \"An Insurer\" }\n  url: { value: \"https://example.org/policy\", date: 2026-01-01 }\n\
who2023:\n  type: report\n  title: A report\n  author: { name: \"World Health Organization\" }\n  date: 2023\n\
book2019:\n  type: book\n  title: A textbook\n  author: [\"Roe, Bo\"]\n  date: 2019\n";
    let sources = dir.path().join("content/sources.yaml");
    let text = std::fs::read_to_string(&sources).unwrap();
    std::fs::write(&sources, text + more).unwrap();
    let page = dir.path().join("content/basics/first.md");
    let text = std::fs::read_to_string(&page).unwrap();
    let cited = "A claim with a source [@doe2020]. More [@news2022; @insurer; @who2023; @book2019].";
    std::fs::write(&page, text.replacen("A claim with a source [@doe2020].", cited, 1)).unwrap();
    let report = build_at(dir.path());
    assert!(report.written.is_some(), "{:?}", report.diagnostics);
    let html = read(dir.path(), "basics/first/index.html");
    let ld = json_ld(&html);
    let kinds: Vec<(&str, &str)> = ld["citation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap(), c["@type"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("An example study", "ScholarlyArticle"),
            ("A news story", "NewsArticle"),
            ("A policy page", "WebPage"),
            ("A report", "Report"),
            ("A textbook", "Book")
        ]
    );
}

#[test]
fn glossary_terms_link_to_their_definition_on_the_page_and_on_to_their_entry_on_first_use() {
    let dir = site("full");
    build_at(dir.path());
    let article = read(dir.path(), "guide/cited/index.html");
    // the first use of each term links to its definition at the end of the text ...
    let links = between(&article, "<a class=\"term\" href=\"#", "\"");
    let entries = between(&article, "<div id=\"", "\"><dt>");
    assert_eq!(links.len(), 2, "{article}");
    assert_eq!(links, entries, "{article}");
    // ... which links on to the glossary, in the same order
    let more = between(&article, "<a class=\"word-more\" href=\"", "\"");
    assert_eq!(more, ["../../glossary/index.html#g-trial", "../../glossary/index.html#g-ect"], "{article}");
    assert!(article.contains("<a href=\"#words\">Words used on this page</a>"), "in the contents: {article}");
    let glossary = read(dir.path(), "glossary/index.html");
    let ids = between(&glossary, "class=\"glossary-entry\" id=\"", "\"");
    assert_eq!(ids, ["g-ect", "g-trial"], "alphabetical");
    assert!(glossary.contains("Used in: <a href=\"../guide/cited/index.html\">Cited article</a>"), "{glossary}");
}

#[test]
fn source_list_links_back_to_articles_and_faq_entries() {
    let dir = site("full");
    build_at(dir.path());
    let html = read(dir.path(), "sources/index.html");
    assert!(html.contains("href=\"../guide/with-figure/index.html#faq-what-does-the-figure-show\""), "{html}");
    assert!(html.contains("href=\"../guide/cited/index.html\""));
    // sorted by first author: Anand, Short, Stahl, U.S. FDA, WHO
    let order: Vec<&str> = between(&html, "<p id=\"src-", "\"");
    assert_eq!(order, ["trial2023", "bibentry2018", "book2019", "regulator2023", "webpage2024"]);
}

#[test]
fn a_heading_never_moves_a_questions_anchor() {
    let dir = site("full");
    let cited = dir.path().join("content/guide/cited.md");
    let text = std::fs::read_to_string(&cited).unwrap();
    // this heading's id would be the question's: `faq-which-source-came-first`
    std::fs::write(
        &cited,
        text.replace("## Claims {#claims}", "## FAQ: which source came first?\n\n## Claims {#claims}"),
    )
    .unwrap();
    build_at(dir.path());
    let article = read(dir.path(), "guide/cited/index.html");
    let index = read(dir.path(), "faq/index.html");
    let href = "guide/cited/index.html#faq-which-source-came-first\"";
    assert!(index.contains(href), "the FAQ index links to the question's own anchor:\n{index}");
    let question = article.find("id=\"faq-which-source-came-first\"").expect("the question keeps its anchor");
    let heading = article.find("id=\"faq-which-source-came-first-1\"").expect("the heading gives way");
    assert!(article[heading..].starts_with("id=\"faq-which-source-came-first-1\">FAQ: which"), "{article}");
    assert!(article[question..].contains("Which source came first?"));
}
