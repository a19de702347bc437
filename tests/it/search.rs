//! Search: `build` writes the search index and the search page, every page
//! links to it from its header, and `search: false` leaves all of it out.

use crate::support::{build_at, site, sourcebook};

#[test]
fn build_writes_the_index_the_search_page_and_a_header_box() {
    let dir = site("minimal");
    let report = build_at(dir.path());
    assert!(report.written.is_some(), "{:?}", report.diagnostics);
    let public = dir.path().join("public");
    for file in
        ["search-index/meta.json", "search-index/words-0.json", "search-index/pages-0.json", "search/index.html"]
    {
        assert!(public.join(file).is_file(), "{file} is written");
    }
    // The home page, the topic and the article are indexed, in that order, nothing else.
    let read = |file: &str| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(public.join("search-index").join(file)).unwrap()).unwrap()
    };
    let pages = read("pages-0.json");
    let hrefs: Vec<&str> = pages.as_array().unwrap().iter().map(|p| p[0].as_str().unwrap()).collect();
    assert_eq!(hrefs, ["index.html", "basics/index.html", "basics/first/index.html"]);
    assert_eq!(read("meta.json")["pages"], 3);
    // The article's words are in the index.
    let article = std::fs::read_to_string(public.join("basics/first/index.html")).unwrap();
    let title = pages[2][1].as_str().unwrap();
    assert!(article.contains(&format!("<h1>{title}</h1>")), "the index has the article's title");
    let words = read("words-0.json");
    let first_title_word = title.split_whitespace().next().unwrap().to_lowercase();
    assert!(words["words"].as_array().unwrap().iter().any(|w| w == first_title_word.as_str()), "{first_title_word}");
    assert!(article.contains("action=\"../../search/index.html\""), "the header search box");
    let search = std::fs::read_to_string(public.join("search/index.html")).unwrap();
    assert!(search.contains("data-index=\"../search-index/\"") && search.contains("assets/search."));
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
    assert!(!public.join("search-index").exists());
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
    assert!(!public.join("search-index").exists() && !public.join("search").exists());
    let article = std::fs::read_to_string(public.join("basics/first/index.html")).unwrap();
    assert!(!article.contains("search/index.html"), "no header search box");
}

#[test]
fn the_faq_index_is_not_indexed_though_its_topic_has_a_landing_text() {
    let dir = site("minimal");
    let yaml = dir.path().join("site.yaml");
    let text = std::fs::read_to_string(&yaml).unwrap().replace("topics: [basics]", "topics: [basics, faq]");
    std::fs::write(&yaml, text).unwrap();
    std::fs::create_dir_all(dir.path().join("content/faq")).unwrap();
    std::fs::write(
        dir.path().join("content/faq/_index.md"),
        "---\ntitle: \"Questions\"\ndescription: \"Common questions.\"\n---\n\nLandingword heads the questions.\n",
    )
    .unwrap();
    let report = build_at(dir.path());
    assert!(report.written.is_some(), "{:?}", report.diagnostics);
    let index = dir.path().join("public/search-index");
    let pages: serde_json::Value = serde_json::from_slice(&std::fs::read(index.join("pages-0.json")).unwrap()).unwrap();
    let hrefs: Vec<&str> = pages.as_array().unwrap().iter().map(|p| p[0].as_str().unwrap()).collect();
    assert_eq!(hrefs, ["index.html", "basics/index.html", "basics/first/index.html"]);
    let words = std::fs::read_to_string(index.join("words-0.json")).unwrap();
    assert!(!words.contains("landingword"), "the FAQ landing's text is not indexed");
}
