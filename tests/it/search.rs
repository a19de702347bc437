//! Search: `build` writes the Pagefind index and the search page, every page
//! links to it from its header, and `search: false` leaves all of it out.

use crate::support::{build_at, site, sourcebook};

#[test]
fn build_writes_the_index_the_search_page_and_a_header_box() {
    let dir = site("minimal");
    let report = build_at(dir.path());
    assert!(report.written.is_some(), "{:?}", report.diagnostics);
    let public = dir.path().join("public");
    for file in ["pagefind/pagefind.js", "pagefind/pagefind-entry.json", "search/index.html"] {
        assert!(public.join(file).is_file(), "{file} is written");
    }
    assert!(!public.join("pagefind/pagefind-ui.js").exists(), "Pagefind's own UI is not shipped");
    // The home page, the topic and the article are indexed (one fragment each).
    let fragments = std::fs::read_dir(public.join("pagefind/fragment")).unwrap().count();
    assert_eq!(fragments, 3, "home, topic and article pages are indexed, nothing else");
    let article = std::fs::read_to_string(public.join("basics/first/index.html")).unwrap();
    assert!(article.contains("action=\"../../search/index.html\""), "the header search box");
    let search = std::fs::read_to_string(public.join("search/index.html")).unwrap();
    assert!(search.contains("pagefind/pagefind.js") && search.contains("assets/search."));
}

#[test]
fn search_false_leaves_out_index_page_and_box() {
    let dir = site("minimal");
    let yaml = dir.path().join("site.yaml");
    let text = std::fs::read_to_string(&yaml).unwrap();
    std::fs::write(&yaml, format!("{text}search: false\n")).unwrap();
    let report = build_at(dir.path());
    assert!(report.written.is_some(), "{:?}", report.diagnostics);
    let public = dir.path().join("public");
    assert!(!public.join("pagefind").exists());
    assert!(!public.join("search").exists());
    let article = std::fs::read_to_string(public.join("basics/first/index.html")).unwrap();
    assert!(!article.contains("search/index.html"), "no header search box");
}

#[test]
fn no_search_flag_overrides_site_yaml() {
    let dir = site("minimal");
    sourcebook().arg("--root").arg(dir.path()).args(["--quiet", "build", "--no-search"]).assert().success();
    let public = dir.path().join("public");
    assert!(public.join("basics/first/index.html").is_file());
    assert!(!public.join("pagefind").exists() && !public.join("search").exists());
    let article = std::fs::read_to_string(public.join("basics/first/index.html")).unwrap();
    assert!(!article.contains("search/index.html"), "no header search box");
}
