//! Properties of what a build writes: links that work from disk and under
//! any sub-path, and the same bytes for the same input.

use std::path::Path;

use crate::support::{build_at, site, snapshot_tree};

/// Every `href`/`src` in `html` that is a relative link.
fn relative_links(html: &str) -> Vec<String> {
    let mut links = Vec::new();
    for attr in ["href=\"", "src=\""] {
        for (i, _) in html.match_indices(attr) {
            let rest = &html[i + attr.len()..];
            let link = &rest[..rest.find('"').unwrap_or(0)];
            let external = link.contains(':') || link.starts_with('#') || link.starts_with('/') || link.is_empty();
            if !external {
                links.push(link.replace("&amp;", "&"));
            }
        }
    }
    links
}

/// Open every page "from disk": each relative link must name an existing file.
pub fn assert_links_work_from_disk(public: &Path) {
    let mut broken = Vec::new();
    let mut checked = 0;
    for entry in walkdir::WalkDir::new(public) {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|e| e != "html") || entry.file_name() == "404.html" {
            continue;
        }
        let html = std::fs::read_to_string(entry.path()).unwrap();
        let dir = entry.path().parent().unwrap();
        for link in relative_links(&html) {
            let path = link.split('#').next().unwrap();
            checked += 1;
            if !dir.join(path).is_file() {
                broken.push(format!("{} -> {link}", entry.path().strip_prefix(public).unwrap().display()));
            }
        }
    }
    assert!(checked > 0);
    assert!(broken.is_empty(), "links that do not open from disk:\n{}", broken.join("\n"));
}

#[test]
fn every_relative_link_opens_from_disk() {
    let dir = site("full");
    assert!(build_at(dir.path()).written.is_some());
    assert_links_work_from_disk(&dir.path().join("public"));
}

#[test]
fn same_input_same_bytes() {
    let dir = site("full");
    build_at(dir.path());
    let first = snapshot_tree(&dir.path().join("public"));
    build_at(dir.path());
    assert_eq!(snapshot_tree(&dir.path().join("public")), first);
}

#[test]
fn canonical_sitemap_and_feed_use_base_url() {
    let dir = site("minimal");
    build_at(dir.path());
    let public = dir.path().join("public");
    let article = std::fs::read_to_string(public.join("basics/first/index.html")).unwrap();
    assert!(article.contains("<link rel=\"canonical\" href=\"https://example.org/guide/basics/first/\">"));
    let robots = std::fs::read_to_string(public.join("robots.txt")).unwrap();
    assert!(robots.contains("Sitemap: https://example.org/guide/sitemap.xml"));
    let atom = std::fs::read_to_string(public.join("atom.xml")).unwrap();
    assert!(atom.contains("<link href=\"https://example.org/guide/basics/first/\"/>"));
}

/// The sitemap lists exactly the pages a search engine may index: every
/// page written with a canonical address and without `noindex`, and
/// nothing else. The trust pages (accessibility, editorial policy,
/// funding) were left out.
#[test]
fn the_sitemap_lists_every_indexable_page_and_only_those() {
    let dir = site("minimal");
    let config = dir.path().join("site.yaml");
    let text = std::fs::read_to_string(&config).unwrap();
    let trust = "trust_pages:\n  editorial_policy: { sources: \"Primary sources.\" }\n  funding: true\n  accessibility: { standard: \"WCAG 2.2 AA\", last_audit: 2024-01-01 }\n";
    std::fs::write(&config, format!("{text}\n{trust}")).unwrap();
    let report = build_at(dir.path());
    assert!(report.written.is_some(), "{:?}", report.diagnostics);
    let public = dir.path().join("public");
    let sitemap = std::fs::read_to_string(public.join("sitemap.xml")).unwrap();
    let mut listed: Vec<String> =
        sitemap.split("<loc>").skip(1).map(|rest| rest[..rest.find("</loc>").unwrap()].replace("&amp;", "&")).collect();
    listed.sort();
    let mut indexable = Vec::new();
    for (path, bytes) in snapshot_tree(&public) {
        let html = String::from_utf8_lossy(&bytes);
        if !path.to_string_lossy().ends_with(".html") || html.contains("noindex") {
            continue;
        }
        let Some(at) = html.find("<link rel=\"canonical\" href=\"") else { continue };
        let rest = &html[at + "<link rel=\"canonical\" href=\"".len()..];
        indexable.push(rest[..rest.find('"').unwrap()].replace("&amp;", "&"));
    }
    indexable.sort();
    assert_eq!(listed, indexable);
    assert!(listed.iter().any(|u| u.ends_with("/accessibility/")), "{listed:?}");
}

#[test]
fn co_located_and_shared_assets_are_copied_and_rewritten() {
    let dir = site("full");
    build_at(dir.path());
    let public = dir.path().join("public");
    assert!(public.join("guide/with-figure/cells.svg").is_file());
    assert!(public.join("guide/figures/trial.svg").is_file());
    let html = std::fs::read_to_string(public.join("guide/cited/index.html")).unwrap();
    assert!(html.contains("src=\"../../guide/figures/trial.svg\""), "{html}");
}
