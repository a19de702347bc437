//! The Markdown blocks of `tests/fixtures/blocks` (callouts, care cards,
//! figures, every citation form, footnotes) as a browser would read the
//! built page: every label, link and number checked against what it
//! points at, in the default theme. The browser suite runs axe and the Nu
//! checker over the same fixture (`npm run test:blocks`).

use scraper::{ElementRef, Html, Selector};

use crate::support::{build_at, fixtures, site};

fn select<'a>(doc: &'a Html, css: &str) -> Vec<ElementRef<'a>> {
    doc.select(&Selector::parse(css).unwrap()).collect()
}

fn text(e: &ElementRef) -> String {
    e.text().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The element whose id is `id`: there must be exactly one.
fn by_id<'a>(doc: &'a Html, id: &str) -> ElementRef<'a> {
    let found: Vec<ElementRef> = select(doc, "[id]").into_iter().filter(|e| e.value().id() == Some(id)).collect();
    assert_eq!(found.len(), 1, "id `{id}` is on {} elements", found.len());
    found[0]
}

fn built() -> (tempfile::TempDir, Html) {
    let dir = site("blocks");
    let report = build_at(dir.path());
    let found: Vec<String> = report.diagnostics.iter().map(|d| d.render(false)).collect();
    assert!(found.is_empty(), "{}", found.join("\n"));
    let html = std::fs::read_to_string(dir.path().join("public/guide/blocks/index.html")).unwrap();
    (dir, Html::parse_document(&html))
}

#[test]
fn every_id_on_the_blocks_page_is_unique() {
    let (_dir, doc) = built();
    let mut ids: Vec<&str> = select(&doc, "[id]").iter().filter_map(|e| e.value().id()).collect();
    let all = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), all, "a footnote, block or citation id is given twice");
}

#[test]
fn callouts_and_care_cards_are_named_by_their_visible_labels() {
    let (_dir, doc) = built();
    let callouts = select(&doc, ".callout");
    let labels: Vec<String> =
        callouts.iter().map(|c| text(&by_id(&doc, c.value().attr("aria-labelledby").unwrap()))).collect();
    assert_eq!(labels, ["Note", "Tip", "Important", "Warning", "Caution"]);
    assert!(callouts.iter().all(|c| c.value().attr("role") == Some("note")));
    let cards = select(&doc, ".care-card");
    let headings: Vec<String> =
        cards.iter().map(|c| text(&by_id(&doc, c.value().attr("aria-labelledby").unwrap()))).collect();
    assert_eq!(
        headings,
        [
            "Non-urgent advice: Speak to your doctor if:",
            // site.yaml's `care_cards.urgent.heading`, the label kept
            "Urgent advice: Ask for an urgent appointment today if:",
            "Emergency: Call 911 or go to the emergency room if:",
            "Emergency: Call 911 or go to the emergency room if:",
        ]
    );
    // one landmark per level: the second emergency card is a group
    assert_eq!(select(&doc, "section.care-card").len(), 3);
    assert_eq!(cards[3].value().name(), "div");
    assert_eq!(cards[3].value().attr("role"), Some("group"));
    // the label is inside the card it names, and the marker is gone
    for c in cards.iter().chain(&callouts) {
        let id = c.value().attr("aria-labelledby").unwrap();
        assert!(select(&doc, &format!("#{id}")).iter().all(|l| c.descendants().any(|d| d.id() == l.id())));
        assert!(!text(c).contains("[!"), "{}", text(c));
    }
    assert_eq!(select(&doc, "blockquote").len(), 0, "every quote of the page is a block");
}

/// The width and height of a PNG, from its IHDR chunk.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    let be = |i: usize| u32::from_be_bytes(bytes[i..i + 4].try_into().unwrap());
    (be(16), be(20))
}

#[test]
fn figures_have_captions_and_images_have_their_files_sizes() {
    let (_dir, doc) = built();
    let figures = select(&doc, "figure");
    assert_eq!(figures.len(), 1);
    let img = select(&doc, "figure > img")[0];
    assert_eq!(text(&select(&doc, "figure > figcaption")[0]), "Response in two groups (made-up numbers)");
    assert_eq!(img.value().attr("title"), None, "the caption is not repeated as a tooltip");
    // chart.svg has only a viewBox: its size is the viewBox's
    let svg = std::fs::read_to_string(fixtures().join("blocks/content/guide/blocks/chart.svg")).unwrap();
    assert!(svg.contains("viewBox=\"0 0 600 300\""));
    assert_eq!((img.value().attr("width"), img.value().attr("height")), (Some("600"), Some("300")));
    let png = std::fs::read(fixtures().join("blocks/content/guide/blocks/square.png")).unwrap();
    let inline = select(&doc, "p > img")[0];
    let (w, h) = png_size(&png);
    assert_eq!(
        (inline.value().attr("width"), inline.value().attr("height")),
        (Some(w.to_string().as_str()), Some(h.to_string().as_str()))
    );
}

#[test]
fn every_citation_form_links_to_its_reference_with_its_words() {
    let (_dir, doc) = built();
    let body = select(&doc, ".body p")[0];
    let said = text(&body);
    assert!(said.starts_with("Doe et al.1 found a change, and Roe2(p. 4) saw it too."), "{said}");
    assert!(said.contains("a page,see 2(p. 5) no author.1"), "{said}");
    assert!(said.contains("help@example.org") && said.contains("@doe2020 in code"), "{said}");
    for a in select(&doc, "sup.citation a") {
        let target = &a.value().attr("href").unwrap()[1..];
        let reference = by_id(&doc, target);
        let n = target.strip_prefix("ref-").unwrap();
        assert_eq!(a.value().attr("aria-label"), Some(format!("Reference {n}").as_str()));
        assert!(reference.value().name() == "li", "{target}");
    }
}

#[test]
fn footnotes_are_lettered_and_every_link_goes_both_ways() {
    let (_dir, doc) = built();
    let refs = select(&doc, "sup.note-ref a");
    // the FAQ answer's note goes on from the body's letters
    assert_eq!(refs.iter().map(text).collect::<Vec<_>>(), ["a", "b", "a", "c"]);
    for r in &refs {
        let note = by_id(&doc, &r.value().attr("href").unwrap()[1..]);
        let own = r.value().id().unwrap();
        let back: Vec<&str> =
            note.select(&Selector::parse("a.note-back").unwrap()).map(|b| b.value().attr("href").unwrap()).collect();
        assert!(back.contains(&format!("#{own}").as_str()), "note {} does not link back to {own}", text(&note));
    }
    let notes = select(&doc, ".notes-list > li");
    assert_eq!(notes.len(), 3, "a note referred to twice is listed once");
    assert_eq!(select(&doc, "section.notes").len(), 1, "the answer's notes are no second landmark");
    assert_eq!(select(&doc, ".notes-list > li")[0].select(&Selector::parse("a.note-back").unwrap()).count(), 2);
    let heading = by_id(&doc, select(&doc, "section.notes")[0].value().attr("aria-labelledby").unwrap());
    assert_eq!((heading.value().name(), text(&heading)), ("h2", "Notes".to_string()));
    // the note's own citation is numbered with the page's
    assert!(text(&notes[1]).starts_with("A note can cite too.2"), "{}", text(&notes[1]));
}

#[test]
fn a_care_card_settings_block_is_checked() {
    let dir = site("minimal");
    let yaml = std::fs::read_to_string(dir.path().join("site.yaml")).unwrap();
    std::fs::write(dir.path().join("site.yaml"), format!("{yaml}care_cards:\n  urgnt: {{ heading: x }}\n")).unwrap();
    let report = build_at(dir.path());
    let d = report.diagnostics.iter().find(|d| d.code.as_str() == "unknown-key").expect("unknown-key");
    assert_eq!(d.help.as_deref(), Some("did you mean `urgent`?"));
    std::fs::write(dir.path().join("site.yaml"), format!("{yaml}care_cards:\n  urgent: {{ heading: \" \" }}\n"))
        .unwrap();
    let report = build_at(dir.path());
    assert!(report.diagnostics.iter().any(|d| d.code.as_str() == "invalid-value"), "{:?}", report.diagnostics);
}
