//! Search: `build` writes the search index and the search page, every page
//! links to it from its header, and `search: false` leaves all of it out.

use std::path::Path;
use std::sync::OnceLock;

use serde_json::{Value, json};

use crate::support::{build_at, copy_tree, site, sourcebook};

/// An index file's data: the JSON inside `sourcebookSearchIndex("name", …);`.
fn read_js(index: &Path, name: &str) -> Value {
    let text = std::fs::read_to_string(index.join(format!("{name}.js"))).unwrap();
    let head = format!("sourcebookSearchIndex(\"{name}\",");
    let json = text.strip_prefix(&head).and_then(|t| t.strip_suffix(");\n")).expect("one call with the file's name");
    serde_json::from_str(json).unwrap()
}

#[test]
fn build_writes_the_index_the_search_page_and_a_header_box() {
    let dir = site("minimal");
    let report = build_at(dir.path());
    assert!(report.written.is_some(), "{:?}", report.diagnostics);
    let public = dir.path().join("public");
    for file in ["search-index/meta.js", "search-index/stems-0.js", "search-index/text-0.js", "search/index.html"] {
        assert!(public.join(file).is_file(), "{file} is written");
    }
    // The home page, the topic and the article are indexed, in that order, nothing else.
    let index = public.join("search-index");
    let meta = read_js(&index, "meta");
    assert_eq!(meta["pages"], 3);
    let per = meta["pages_per_text"].as_u64().unwrap() as usize;
    let pages: Vec<Value> = (0..3).map(|p| read_js(&index, &format!("text-{}", p / per))[p % per].clone()).collect();
    let hrefs: Vec<&str> = pages.iter().map(|p| p[0].as_str().unwrap()).collect();
    assert_eq!(hrefs, ["index.html", "basics/index.html", "basics/first/index.html"]);
    // The article's words are in the index, and its text by section.
    let article = std::fs::read_to_string(public.join("basics/first/index.html")).unwrap();
    let title = pages[2][1].as_str().unwrap();
    assert!(article.contains(&format!("<h1>{title}</h1>")), "the index has the article's title");
    let stems = read_js(&index, "stems-0");
    let first_title_word = title.split_whitespace().next().unwrap().to_lowercase();
    assert!(stems["stems"].as_array().unwrap().iter().any(|w| w == first_title_word.as_str()), "{first_title_word}");
    let sections: Vec<(&str, &str)> =
        pages[2][3].as_array().unwrap().iter().map(|s| (s[0].as_str().unwrap(), s[1].as_str().unwrap())).collect();
    assert_eq!(sections, [("background", "Background"), ("faq-is-this-a-question", "Is this a question?")]);
    for (anchor, _) in sections {
        assert!(article.contains(&format!("id=\"{anchor}\"")), "{anchor} is an anchor on the page");
    }
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
    let meta = read_js(&index, "meta");
    assert_eq!(meta["pages"], 3);
    let per = meta["pages_per_text"].as_u64().unwrap() as usize;
    let hrefs: Vec<String> =
        (0..3).map(|p| read_js(&index, &format!("text-{}", p / per))[p % per][0].as_str().unwrap().into()).collect();
    assert_eq!(hrefs, ["index.html", "basics/index.html", "basics/first/index.html"]);
    let words: String = (0..meta["stems"].as_array().unwrap().len())
        .map(|n| std::fs::read_to_string(index.join(format!("stems-{n}.js"))).unwrap())
        .collect();
    assert!(!words.contains("landingword"), "the FAQ landing's text is not indexed");
}

// ---------------------------------------------------------------- the search itself
//
// The theme's search.js (the file the search page loads) runs in Node
// against built indexes through tests/browser/search-node.mjs: the same
// code a reader's browser runs. These tests need Node 18 or later.

/// Run search.js over the index in `public` with `request` (see search-node.mjs).
fn search_js(public: &Path, request: &Value) -> Value {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut child = std::process::Command::new("node")
        .arg(root.join("tests/browser/search-node.mjs"))
        .arg(root.join("themes/default/static/assets/search.js"))
        .arg(public.join("search-index"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("these tests run the theme's search.js in Node (18 or later): install `node`");
    use std::io::Write;
    child.stdin.take().unwrap().write_all(request.to_string().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "search-node.mjs failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The shipped site (content/), built once for the tests that search it.
fn shipped() -> &'static Path {
    static BUILT: OnceLock<(tempfile::TempDir, std::path::PathBuf)> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let root = Path::new(env!("CARGO_MANIFEST_DIR"));
            let dir = tempfile::tempdir().unwrap();
            std::fs::copy(root.join("site.yaml"), dir.path().join("site.yaml")).unwrap();
            copy_tree(&root.join("content"), &dir.path().join("content"));
            let report = build_at(dir.path());
            assert!(report.written.is_some(), "{:?}", report.diagnostics);
            let public = dir.path().join("public");
            (dir, public)
        })
        .1
        .as_path()
}

/// Each query's results (href with the matched section's anchor) in order.
fn hrefs(answer: &Value) -> Vec<Vec<String>> {
    let queries = answer["queries"].as_array().unwrap();
    queries
        .iter()
        .map(|q| q["results"].as_array().unwrap().iter().map(|r| r["href"].as_str().unwrap().to_string()).collect())
        .collect()
}

/// Questions a reader of the shipped site might type, each with the page a
/// careful person would send them to (chosen from the pages' titles and
/// text, not from what the search returns). An ideal page must be among
/// the first three results. Spelling slips, other word forms and filler
/// words are part of the set: readers type them.
const READER_QUERIES: &[(&str, &[&str])] = &[
    ("pregnant", &["safety/who-should-not-have-it/"]),
    ("breastfeeding", &["safety/who-should-not-have-it/"]),
    ("withdrawal", &["safety/misuse-dependence-and-bladder/"]),
    ("is ketamine dependence a risk", &["safety/misuse-dependence-and-bladder/"]),
    ("bladder problems", &["safety/misuse-dependence-and-bladder/"]),
    ("dissociative", &["safety/side-effects/"]),
    ("side effects", &["safety/side-effects/"]),
    // the question "Can I drive home after a session?" answers it as fully as the treatment-day page
    ("can I drive after esketamine", &["safety/a-treatment-day/", "faq/what-a-course-is-like/"]),
    ("blood pressure", &["safety/blood-pressure-and-monitoring/"]),
    ("mixing with alcohol", &["safety/medicines-alcohol-and-other-drugs/"]),
    ("spravato rems", &["safety/esketamine-rems/"]),
    ("telehealth ketamine at home", &["safety/oral-telehealth-and-at-home/"]),
    ("compounded nasal spray", &["safety/compounded-and-at-home-products/"]),
    ("how does ketmine work", &["mechanism/how-ketamine-works/"]),
    ("glutamate", &["mechanism/how-ketamine-works/"]),
    ("difference between ketamine and esketamine", &["mechanism/ketamine-and-esketamine/"]),
    ("intramuscular injection", &["mechanism/routes/"]),
    ("history of ketamine", &["mechanism/history/"]),
    ("ketamine or electroconvulsive therapy", &["efficacy/ketamine-vs-ect/"]),
    ("how long does it last", &["efficacy/how-long-it-lasts/"]),
    ("suicidal thoughts", &["efficacy/suicidal-thoughts/"]),
    ("it is not working", &["efficacy/if-it-does-not-work/"]),
    ("stopping treatment", &["efficacy/staying-on-it-and-stopping/"]),
    ("how much does it cost", &["faq/cost-and-insurance/"]),
    ("insurance", &["faq/cost-and-insurance/"]),
    ("questions to ask a clinic", &["faq/questions-to-ask-a-clinic/"]),
    ("caregivers", &["faq/for-families-and-carers/"]),
    ("taking antidepressants with ketamine", &["faq/combining-with-other-treatments/"]),
];

#[test]
fn reader_queries_find_the_page_a_careful_reader_would_want_in_the_first_three() {
    let queries: Vec<&str> = READER_QUERIES.iter().map(|(q, _)| *q).collect();
    let answer = search_js(shipped(), &json!({ "queries": queries, "top": 3 }));
    let mut misses = Vec::new();
    for ((query, ideal), found) in READER_QUERIES.iter().zip(hrefs(&answer)) {
        if !found.iter().any(|h| ideal.iter().any(|i| h.starts_with(&format!("{i}index.html")))) {
            misses.push(format!("“{query}”: wanted {ideal:?}, got {found:?}"));
        }
    }
    assert!(misses.is_empty(), "{} of {} queries missed:\n{}", misses.len(), READER_QUERIES.len(), misses.join("\n"));
}

/// Words for the stemmer comparison: every word of the shipped site's
/// Markdown and YAML, and made-up words built to reach every rule of the
/// Snowball English algorithm (each suffix it knows after a range of
/// beginnings, the y and apostrophe rules, its exceptions, non-ASCII letters).
fn stemmer_words() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut words = std::collections::BTreeSet::new();
    for entry in walkdir::WalkDir::new(root.join("content")) {
        let entry = entry.unwrap();
        if let Ok(text) = std::fs::read_to_string(entry.path()) {
            for word in text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
                words.insert(word.to_lowercase());
            }
        }
    }
    let starts = [
        "",
        "a",
        "y",
        "ay",
        "b",
        "bo",
        "boy",
        "gener",
        "commun",
        "arsen",
        "sk",
        "hop",
        "fal",
        "luxur",
        "relat",
        "conditi",
        "sens",
        "electr",
        "abil",
        "happ",
        "cr",
        "t",
        "d",
        "l",
        "generos",
        "ogl",
        "hel",
        "fulli",
        "bl",
        "succ",
        "proc",
        "ex",
        "inn",
        "out",
        "can",
        "herr",
        "earr",
        "'",
        "nai\u{308}",
        "caf\u{e9}",
        "\u{3bf}\u{3b4}",
        "str\u{e4}",
    ];
    let ends = [
        "", "s", "'s", "'s'", "'", "sses", "ied", "ies", "us", "ss", "eed", "eedly", "ed", "edly", "ing", "ingly",
        "at", "bl", "iz", "bb", "dd", "ff", "gg", "mm", "nn", "pp", "rr", "tt", "y", "ey", "tional", "enci", "anci",
        "abli", "entli", "izer", "ization", "ational", "ation", "ator", "alism", "aliti", "alli", "fulness", "ousli",
        "ousness", "iveness", "iviti", "biliti", "bli", "ogi", "logi", "fulli", "lessli", "li", "cli", "xli", "alize",
        "icate", "iciti", "ical", "ful", "ness", "ative", "al", "ance", "ence", "er", "ic", "able", "ible", "ant",
        "ement", "ment", "ent", "ism", "ate", "iti", "ous", "ive", "ize", "ion", "sion", "tion", "xion", "e", "le",
        "ll", "ly", "eing", "ying", "yed", "ning", "ting", "ssing", "ated",
    ];
    for s in starts {
        for e in ends {
            words.insert(format!("{s}{e}"));
        }
    }
    for exception in ["skis", "skies", "dying", "lying", "tying", "idly", "gently", "ugly", "early", "only", "singly"] {
        words.insert(exception.to_string());
    }
    for invariant in ["sky", "news", "howe", "atlas", "cosmos", "bias", "andes", "inning", "outings", "exceeding"] {
        words.insert(invariant.to_string());
    }
    words.into_iter().filter(|w| !w.is_empty()).collect()
}

#[test]
fn the_browsers_stemmer_agrees_with_the_indexers() {
    let words = stemmer_words();
    assert!(words.len() > 5_000, "{} words", words.len());
    let answer = search_js(shipped(), &json!({ "stem": words }));
    let js: Vec<&str> = answer["stem"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
    let stemmer = rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English);
    let differ: Vec<String> = words
        .iter()
        .zip(&js)
        .filter(|(w, j)| stemmer.stem(w) != **j)
        .map(|(w, j)| format!("{w}: rust {}, js {j}", stemmer.stem(w)))
        .collect();
    assert!(differ.is_empty(), "{} of {} words differ:\n{}", differ.len(), words.len(), differ.join("\n"));
}

/// The minimal site with `pages` (file name, front matter lines, body) added to its topic, built.
fn built_with(pages: &[(&str, &str, &str)]) -> tempfile::TempDir {
    let dir = site("minimal");
    for (name, front, body) in pages {
        let text = format!("---\n{front}\ndate: 2024-01-02\n---\n\n{body}\n");
        std::fs::write(dir.path().join(format!("content/basics/{name}.md")), text).unwrap();
    }
    let report = build_at(dir.path());
    assert!(report.written.is_some(), "{:?}", report.diagnostics);
    dir
}

fn query(public: &Path, q: &str) -> Value {
    search_js(public, &json!({ "queries": [q], "top": 50 }))["queries"][0].clone()
}

fn result_hrefs(found: &Value) -> Vec<&str> {
    found["results"].as_array().unwrap().iter().map(|r| r["href"].as_str().unwrap()).collect()
}

fn animals() -> tempfile::TempDir {
    built_with(&[
        ("both", "title: \"Stripes\"\ndescription: \"A page.\"", "The zebra and the giraffe graze."),
        ("one", "title: \"Plains\"\ndescription: \"A page.\"", "A zebra runs."),
        ("mood", "title: \"Mood\"\ndescription: \"A page.\"", "Depression can lift. The hippopotamus naps."),
    ])
}

#[test]
fn a_query_word_is_stemmed_as_the_index_is() {
    let dir = animals();
    let public = dir.path().join("public");
    // no page says "depressed"; one says "Depression", and both stem to "depress"
    let found = query(&public, "depressed");
    assert_eq!(found["terms"][0]["stem"], "depress");
    assert_eq!(result_hrefs(&found), ["basics/mood/index.html"]);
    assert!(found["results"][0]["passage"].as_str().unwrap().contains("<mark>Depression</mark>"));
    // as the last word, still being typed, a word also matches the words it begins
    assert_eq!(result_hrefs(&query(&public, "hippo")), ["basics/mood/index.html"]);
    assert!(result_hrefs(&query(&public, "hippo ")).is_empty(), "a finished word is a whole word");
}

#[test]
fn pages_with_some_of_the_words_follow_those_with_all_and_common_words_are_not_required() {
    let dir = animals();
    let public = dir.path().join("public");
    let found = query(&public, "zebra giraffe");
    assert_eq!(result_hrefs(&found), ["basics/both/index.html", "basics/one/index.html"]);
    assert_eq!((found["every"].as_u64(), found["total"].as_u64()), (Some(1), Some(2)));
    // a word no page has leaves the others to rank
    let found = query(&public, "zebra okapi");
    assert_eq!(found["every"], 0);
    assert_eq!(result_hrefs(&found).len(), 2);
    // "the" and "and" are left out of what a page must have, not out of a query made of nothing else
    let found = query(&public, "the zebra and");
    assert_eq!(found["stop"], json!(["the", "and"]));
    assert_eq!((found["every"].as_u64(), found["total"].as_u64()), (Some(2), Some(2)));
    assert!(query(&public, "the")["total"].as_u64().unwrap() >= 2);
}

#[test]
fn misspelt_words_of_five_letters_or_more_find_the_nearest_words() {
    let dir = animals();
    let public = dir.path().join("public");
    for (typo, page) in [
        ("zebar", "basics/one/index.html"),         // two letters swapped: one edit
        ("girafe", "basics/both/index.html"),       // one letter missing
        ("hippopotamas", "basics/mood/index.html"), // two edits in a long word
        ("depresion", "basics/mood/index.html"),
    ] {
        let found = query(&public, typo);
        assert_eq!(found["terms"][0]["corrected"], true, "{typo}");
        assert!(result_hrefs(&found).contains(&page), "{typo}: {found}");
    }
    let found = query(&public, "zebar");
    assert!(found["results"][0]["passage"].as_str().unwrap().contains("<mark>zebra</mark>"));
    // shorter words, and words further off, find nothing
    assert_eq!(query(&public, "zbra")["total"], 0);
    assert_eq!(query(&public, "zebraxx")["total"], 0, "two edits from a stem of five letters");
    // a word the index has is never corrected
    assert_eq!(query(&public, "zebra")["terms"][0]["corrected"], false);
}

#[test]
fn passages_mark_the_matched_words_and_show_page_text_as_text() {
    let dir = built_with(&[(
        "markup",
        "title: \"Why <script> tags show\"\ndescription: \"About <b>markup</b>.\"",
        "Some pages quote &lt;script&gt;alert(1)&lt;/script&gt; in their prose, and &amp; too.",
    )]);
    let public = dir.path().join("public");
    let found = query(&public, "script alert");
    let r = &found["results"][0];
    assert_eq!(r["href"], "basics/markup/index.html");
    assert_eq!(r["title"], "Why &lt;<mark>script</mark>&gt; tags show");
    let passage = r["passage"].as_str().unwrap();
    assert!(
        passage.contains("quote &lt;<mark>script</mark>&gt;<mark>alert</mark>(1)&lt;/<mark>script</mark>&gt; in their prose, and &amp; too"),
        "{passage}"
    );
}

#[test]
fn results_link_to_the_section_or_question_that_matched() {
    let dir = built_with(&[(
        "sections",
        "title: \"Daily life\"\ndescription: \"A page.\"\nfaq:\n  - q: \"Will it change my appetite?\"\n    a: \"Hunger may drop for a day.\"",
        "Intro text.\n\n## Sleep at night\n\nRest matters.\n\n## Work\n\nSome people take a day off.",
    )]);
    let public = dir.path().join("public");
    let page = std::fs::read_to_string(public.join("basics/sections/index.html")).unwrap();
    for (q, heading) in [
        ("rest", "Sleep at night"),
        ("appetite", "Will it change my <mark>appetite</mark>?"),
        ("hunger", "Will it change my appetite?"),
    ] {
        let r = &query(&public, q)["results"][0];
        let href = r["href"].as_str().unwrap();
        let (path, anchor) = href.split_once('#').unwrap_or_else(|| panic!("{q}: {href} has no section"));
        assert_eq!(path, "basics/sections/index.html");
        assert!(page.contains(&format!(" id=\"{anchor}\"")), "{q}: #{anchor} is on the page");
        assert_eq!(r["heading"], heading, "{q}");
    }
    // a word only in the title links to the page itself
    let r = &query(&public, "daily")["results"][0];
    assert_eq!(r["href"], "basics/sections/index.html");
}

#[test]
fn every_match_is_returned_past_the_first_batch() {
    let pages: Vec<(String, String)> =
        (0..25).map(|i| (format!("p{i}"), format!("title: \"Page {i}\"\ndescription: \"A page.\""))).collect();
    let pages: Vec<(&str, &str, &str)> =
        pages.iter().map(|(n, f)| (n.as_str(), f.as_str(), "A walrus sleeps on the ice.")).collect();
    let dir = built_with(&pages);
    let found = query(&dir.path().join("public"), "walrus");
    assert_eq!(found["total"], 25);
    let hrefs = result_hrefs(&found);
    assert_eq!(hrefs.iter().collect::<std::collections::BTreeSet<_>>().len(), 25, "{hrefs:?}");
}

/// Accents are left out on both sides, as readers type words on phones and
/// in other languages: "dépression" finds a page that says "depression",
/// and "naive" one that says "naïve"; the passage marks the word as the
/// page writes it.
#[test]
fn a_word_with_or_without_its_accents_finds_the_same_pages() {
    let dir = built_with(&[
        ("mood", "title: \"Mood\"\ndescription: \"A page.\"", "Depression can lift."),
        ("naive", "title: \"Naïve\"\ndescription: \"A page.\"", "A naïve café reader."),
    ]);
    let public = dir.path().join("public");
    for (q, page) in [
        ("dépression", "basics/mood/index.html"),
        ("DÉPRESSION", "basics/mood/index.html"),
        ("naive", "basics/naive/index.html"),
        ("naïve", "basics/naive/index.html"),
        ("cafe", "basics/naive/index.html"),
    ] {
        let found = query(&public, q);
        assert_eq!(result_hrefs(&found), [page], "{q}: {found}");
    }
    let found = query(&public, "cafe");
    assert!(found["results"][0]["passage"].as_str().unwrap().contains("<mark>café</mark>"), "{found}");
}

/// A pasted page as a query looks up its first 32 different words and says
/// how many more it left out (every word was looked up: thousands of stem
/// and vocabulary files loaded for one search), and the page's title and
/// status show a long query shortened (it was echoed whole into both).
#[test]
fn a_pasted_page_as_a_query_is_searched_by_its_first_words_and_shown_short() {
    let dir = built_with(&[("walrus", "title: \"Walrus\"\ndescription: \"A page.\"", "A walrus sleeps on the ice.")]);
    let public = dir.path().join("public");
    // 100 different words; the page's own word comes after the 32nd
    let filler: Vec<String> = (0..99).map(|i| format!("zq{i}")).collect();
    let pasted = format!("{} walrus", filler.join(" "));
    let answer = search_js(&public, &json!({ "queries": [pasted, "walrus"], "brief": ["x".repeat(10_000), "walrus"] }));
    let [pasted, plain] = [&answer["queries"][0], &answer["queries"][1]];
    assert_eq!(pasted["terms"].as_array().unwrap().len(), 32, "{pasted}");
    assert_eq!(pasted["unread"], 68);
    assert_eq!(pasted["total"], 0, "the word past the 32nd is not looked up");
    assert_eq!((plain["unread"].as_u64(), plain["total"].as_u64()), (Some(0), Some(1)));
    let brief = answer["brief"].as_array().unwrap();
    assert_eq!(brief[0].as_str().unwrap(), format!("{}…", "x".repeat(80)));
    assert_eq!(brief[1], "walrus");
}
