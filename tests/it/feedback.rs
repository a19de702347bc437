//! Per-page feedback (issue 21): `feedback_url` with `{url}` and `{title}`
//! names the page a report is about; and the default theme's icon, which a
//! site's own `content/favicon.svg` replaces.

use std::path::Path;

use crate::support::{attribute, build_at, resolve, site};

fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join("public").join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn with_site_yaml(root: &Path, extra: &str) {
    let yaml = std::fs::read_to_string(root.join("site.yaml")).unwrap();
    std::fs::write(root.join("site.yaml"), format!("{yaml}{extra}")).unwrap();
}

/// `%XX` decoded, as the server receiving the report reads the query.
fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s).decode_utf8().unwrap().into_owned()
}

#[test]
fn each_pages_feedback_link_carries_its_own_address_and_title() {
    let dir = site("minimal");
    let root = dir.path();
    with_site_yaml(root, "feedback_url: \"https://example.org/report?page={url}&subject=Problem%3A%20{title}\"\n");
    let path = root.join("content/basics/first.md");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("\"First article\"", "\"First & best? #1 {url}\"")).unwrap();
    let report = build_at(root);
    assert!(report.written.is_some(), "{}", report.diagnostics.render_text(false));
    for (file, title) in [("basics/first/index.html", "First & best? #1 {url}"), ("sources/index.html", "Sources")] {
        let html = read(root, file);
        let canonical = attribute(&html, "rel=\"canonical\"", "href").unwrap();
        let href = attribute(&html, ">Report a problem with this page<", "href")
            .unwrap_or_else(|| panic!("{file}: no feedback link"));
        let href = href.replace("&amp;", "&");
        let query = href.strip_prefix("https://example.org/report?").unwrap_or_else(|| panic!("{href}"));
        let (page, subject) = query.split_once("&subject=").unwrap();
        let page = page.strip_prefix("page=").unwrap();
        // encoded: nothing in the values can end or split the query
        assert!(!page.contains([':', '/', '&', '#', '?']) && !subject.contains(['&', '#', '?', ' ', '{']), "{href}");
        assert_eq!(decode(page), canonical, "{file}: the page's own address");
        assert_eq!(decode(subject), format!("Problem: {title}"), "{file}: its title");
    }
}

#[test]
fn the_default_theme_has_an_icon_every_page_links_and_a_sites_own_replaces_it() {
    let dir = site("minimal");
    let root = dir.path();
    let report = build_at(root);
    assert!(report.written.is_some(), "{}", report.diagnostics.render_text(false));
    let theirs = std::fs::read(root.join("public/favicon.svg")).unwrap();
    assert!(theirs.starts_with(b"<svg"), "an SVG icon");
    for file in ["index.html", "basics/index.html", "basics/first/index.html", "sources/index.html"] {
        let href = attribute(&read(root, file), "rel=\"icon\"", "href").unwrap_or_else(|| panic!("{file}"));
        assert_eq!(resolve(file, &href), "favicon.svg", "{file}");
    }
    let own = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><circle r=\"1\"/></svg>";
    std::fs::write(root.join("content/favicon.svg"), own).unwrap();
    let report = build_at(root);
    assert!(report.written.is_some(), "{}", report.diagnostics.render_text(false));
    assert_eq!(std::fs::read(root.join("public/favicon.svg")).unwrap(), own);
}
