//! Long lists cut into pages (`paginate_by`): a generated site with a small
//! limit, so a few dozen articles split every list (topics, a tag, the FAQ
//! index, the source list, the glossary). Each page holds no more
//! entries than the limit, every link and `#anchor` the build makes
//! resolves (article references into the source list's letter pages,
//! glossary terms into the glossary's), old anchors on a split list's first
//! page still lead to their entries, and the sitemap lists every page.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::support::{build_at, resolve};

/// Entries on one list page in the generated site.
const PER: usize = 3;
const TOPICS: [&str; 2] = ["alpha", "beta"];
const ARTICLES: usize = 8;
/// Authors (sources) and glossary terms: several share a first letter,
/// so letters get more than one page.
const AUTHORS: [&str; 9] = ["Anand", "Abbot", "Adams", "Avery", "Baker", "Brown", "Chen", "Zhou", "5HT Group"];
const TERMS: [&str; 8] = ["apple", "apricot", "avocado", "anise", "banana", "cherry", "date", "5-HT"];

/// Write a site whose topics, FAQ index, source list and glossary are all
/// longer than `per`.
fn generated_site(root: &Path, per: usize) {
    let write = |rel: &str, text: &str| {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        "site.yaml",
        &format!(
            "title: \"Split\"\nbase_url: \"https://example.org/split/\"\ntopics: [{}]\npaginate_by: {per}\n",
            TOPICS.join(", ")
        ),
    );
    let mut sources = String::new();
    for (i, author) in AUTHORS.iter().enumerate() {
        sources.push_str(&format!(
            "s{i}:\n  type: article\n  title: \"Study {i}\"\n  author: [\"{author}, Pat\"]\n  date: {}\n",
            2000 + i
        ));
    }
    write("content/sources.yaml", &sources);
    let glossary: String = TERMS.iter().map(|t| format!("\"{t}\":\n  definition: \"About {t}.\"\n")).collect();
    write("content/glossary.yaml", &glossary);
    write("content/index.md", "---\ntitle: Home\ndescription: Home.\ndate: 2024-01-01\n---\n\nWelcome.\n");
    let mut n = 0;
    for topic in TOPICS {
        write(
            &format!("content/{topic}/_index.md"),
            &format!("---\ntitle: \"Topic {topic}\"\n---\n\nAbout {topic}.\n"),
        );
        for a in 0..ARTICLES {
            let cite = n % AUTHORS.len();
            let term = TERMS[n % TERMS.len()];
            write(
                &format!("content/{topic}/a{a}.md"),
                &format!(
                    "---\ntitle: \"Article {topic} {a}\"\ndescription: \"D.\"\ndate: 2024-01-01\ntags: [common]\nfaq:\n  - q: \"Question {n} one?\"\n    a: \"Answer [@s{cite}].\"\n  - q: \"Question {n} two?\"\n    a: \"See the [home page](../index.md).\"\n---\n\nText about {term} [@s{cite}] and [@s{}].\n",
                    (n + 1) % AUTHORS.len()
                ),
            );
            n += 1;
        }
    }
}

/// Every HTML page below `public`: path (with `/`) → text.
fn pages(public: &Path) -> BTreeMap<String, String> {
    walkdir::WalkDir::new(public)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| {
            let rel = e.path().strip_prefix(public).unwrap().to_string_lossy().replace('\\', "/");
            (rel, std::fs::read_to_string(e.path()).unwrap())
        })
        .collect()
}

/// The values of attribute `attr` (`href`, `id`) in `html`.
fn attributes<'h>(html: &'h str, attr: &str) -> Vec<&'h str> {
    let key = format!(" {attr}=\"");
    html.match_indices(&key)
        .map(|(i, _)| {
            let rest = &html[i + key.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect()
}

fn built(per: usize) -> (tempfile::TempDir, BTreeMap<String, String>) {
    let dir = tempfile::tempdir().unwrap();
    generated_site(dir.path(), per);
    let report = build_at(dir.path());
    assert!(report.written.is_some(), "the generated site builds: {:?}", report.diagnostics);
    let pages = pages(&dir.path().join("public"));
    (dir, pages)
}

#[test]
fn lists_longer_than_paginate_by_are_split_into_pages_of_at_most_that_many() {
    let (_dir, pages) = built(PER);
    // 8 articles a topic: 3 pages; 16 tagged: 6; 32 questions: a page per
    // topic (16 each: 6 pages); sources by letter: a has four (two pages),
    // 0-9 one; the glossary the same
    for path in [
        "alpha/page/2/index.html",
        "alpha/page/3/index.html",
        "tags/common/page/6/index.html",
        "faq/alpha/index.html",
        "faq/beta/page/6/index.html",
        "sources/a/index.html",
        "sources/a/page/2/index.html",
        "sources/0-9/index.html",
        "glossary/a/page/2/index.html",
    ] {
        assert!(pages.contains_key(path), "{path} is written");
    }
    assert!(!pages.contains_key("alpha/page/4/index.html"));
    // each list's entries, page by page: none over the limit, none lost
    let count = |html: &str, marker: &str| html.matches(marker).count();
    let mut totals: BTreeMap<&str, usize> = BTreeMap::new();
    for (path, html) in &pages {
        // (on a split list's A–Z page, no entries: only short links under the old ids)
        let (list, entries) = if path.starts_with("sources/") {
            ("sources", count(html, "class=\"ref-text\""))
        } else if path.starts_with("glossary/") {
            ("glossary", count(html, "class=\"glossary-entry\""))
        } else if path.starts_with("faq/") {
            ("faq", count(html, "<details class=\"faq-entry\">"))
        } else if path.starts_with("tags/common/") {
            ("tag", count(html, "<li><h2>"))
        } else if path == "alpha/index.html" || path.starts_with("alpha/page/") {
            ("alpha", count(html, "<li><h2>"))
        } else {
            continue;
        };
        assert!(entries <= PER, "{path} shows {entries} entries, more than paginate_by {PER}");
        *totals.entry(list).or_default() += entries;
    }
    let expected = [
        ("alpha", ARTICLES),
        ("faq", 2 * TOPICS.len() * ARTICLES),
        ("glossary", TERMS.len()),
        ("sources", AUTHORS.len()),
        ("tag", TOPICS.len() * ARTICLES),
    ];
    assert_eq!(totals, BTreeMap::from(expected));
    // the FAQ index's first page lists the topics, not the questions
    assert_eq!(count(&pages["faq/index.html"], "<details class=\"faq-entry\">"), 0);
    assert!(pages["faq/index.html"].contains("faq/alpha/index.html"));
}

#[test]
fn every_link_and_anchor_of_a_split_site_resolves() {
    let (_dir, pages) = built(PER);
    let ids: BTreeMap<&str, BTreeSet<&str>> =
        pages.iter().map(|(p, html)| (p.as_str(), attributes(html, "id").into_iter().collect())).collect();
    let mut broken = Vec::new();
    let mut fragments = 0;
    for (path, html) in &pages {
        for href in attributes(html, "href") {
            if href.contains(':') || href.starts_with('/') {
                continue;
            }
            let href = href.replace("&amp;", "&");
            let (file, fragment) = match href.split_once('#') {
                Some(("", f)) => (path.clone(), Some(f)),
                Some((_, f)) => (resolve(path, &href), Some(f)),
                None => (resolve(path, &href), None),
            };
            let Some(targets) = ids.get(file.as_str()) else {
                // assets, feeds: files that are not pages
                if !_dir.path().join("public").join(&file).is_file() {
                    broken.push(format!("{path} -> {href} (no file)"));
                }
                continue;
            };
            if let Some(f) = fragment {
                fragments += 1;
                if !targets.contains(f) {
                    broken.push(format!("{path} -> {href} (no id)"));
                }
            }
        }
    }
    assert!(fragments > 0);
    assert!(broken.is_empty(), "links that lead nowhere:\n{}", broken.join("\n"));
}

#[test]
fn links_into_a_split_list_go_to_the_entry_s_own_page_not_the_first() {
    let (_dir, pages) = built(PER);
    // Avery (s3) sorts last of the four A authors: the second page of a
    let html = &pages["alpha/a2/index.html"];
    assert!(html.contains("\"../../sources/a/page/2/index.html#src-s3\""));
    // (the first page keeps the old ids, so links to it would resolve too:
    // none may go there)
    let mut references = 0;
    let mut terms = 0;
    for (path, html) in pages.iter().filter(|(p, _)| !p.starts_with("sources/") && !p.starts_with("glossary/")) {
        for href in attributes(html, "href") {
            if href.contains("#src-") {
                references += 1;
                assert!(!href.contains("sources/index.html#"), "{path} -> {href}");
            }
            if href.contains("#g-") {
                terms += 1;
                assert!(!href.contains("glossary/index.html#"), "{path} -> {href}");
            }
        }
    }
    assert!(references > 0 && terms > 0);
}

#[test]
fn old_anchors_on_the_first_page_of_a_split_list_lead_to_the_entry() {
    let (_dir, pages) = built(PER);
    // the ids an entry had on the list of one page
    let (_one, single) = built(100);
    for (list, prefix) in [("sources/index.html", "src-"), ("glossary/index.html", "g-"), ("faq/index.html", "faq-")] {
        let before: BTreeSet<&str> =
            attributes(&single[list], "id").into_iter().filter(|id| id.starts_with(prefix)).collect();
        let after: BTreeSet<&str> =
            attributes(&pages[list], "id").into_iter().filter(|id| id.starts_with(prefix)).collect();
        assert!(!before.is_empty());
        assert_eq!(before, after, "{list} keeps every old id");
    }
    // and each is a link to its entry where it is now (the resolution test checks the target)
    assert!(
        pages["sources/index.html"].contains("<li id=\"src-s3\"><a href=\"../sources/a/page/2/index.html#src-s3\">")
    );
}

#[test]
fn a_list_that_fits_stays_one_page_with_an_a_to_z_bar() {
    let (_dir, pages) = built(100);
    assert!(!pages.keys().any(|p| p.contains("/page/") || p.starts_with("sources/a/") || p.starts_with("faq/alpha/")));
    let sources = &pages["sources/index.html"];
    assert!(sources.contains("class=\"az\""));
    assert!(sources.contains("href=\"../sources/index.html#letter-a\""));
    assert!(sources.contains("id=\"letter-a\""));
    // a letter with no entry is not a link
    assert!(sources.contains("<span class=\"az-empty\">Q</span>"));
    assert!(pages["glossary/index.html"].contains("id=\"letter-0-9\""));
}

#[test]
fn sitemap_lists_every_page_of_the_split_lists() {
    let (dir, pages) = built(PER);
    let sitemap = std::fs::read_to_string(dir.path().join("public/sitemap.xml")).unwrap();
    let listed: BTreeSet<String> = sitemap
        .split("<loc>https://example.org/split/")
        .skip(1)
        .map(|s| format!("{}index.html", &s[..s.find("</loc>").unwrap()]))
        .collect();
    let lists = ["alpha/", "beta/", "faq/", "sources/", "glossary/", "tags/"];
    let written: BTreeSet<String> = pages
        .keys()
        .filter(|p| lists.iter().any(|l| p.starts_with(l)))
        // the articles are pages of their own
        .filter(|p| !p.starts_with("alpha/a") && !p.starts_with("beta/a"))
        .cloned()
        .collect();
    assert!(written.len() > 20);
    let missing: Vec<&String> = written.difference(&listed).collect();
    assert!(missing.is_empty(), "pages not in the sitemap: {missing:?}");
    let absent: Vec<&String> = listed.iter().filter(|p| !pages.contains_key(p.as_str())).collect();
    assert!(absent.is_empty(), "sitemap entries with no page: {absent:?}");
}

/// Past the budget of old ids kept as links, JavaScript still takes an old
/// link on: each split list's data script maps every old id (the same ids
/// a single page had) to the page its entry is on now, and that page has it.
#[test]
fn a_split_list_s_data_script_maps_every_old_id_to_the_entry_s_page() {
    let (dir, pages) = built(PER);
    let (_one, single) = built(100);
    for (list, prefix, name) in [
        ("sources/index.html", "src-", "sources"),
        ("glossary/index.html", "g-", "glossary"),
        ("faq/index.html", "faq-", "faq"),
    ] {
        let script = format!("assets/moved/{name}.js");
        assert!(
            pages[list].contains(&format!("data-map=\"../{script}\" data-root=\"../\" defer></script>")),
            "{list} loads {script}"
        );
        let text = std::fs::read_to_string(dir.path().join("public").join(&script)).unwrap();
        let json = text
            .strip_prefix("sbMoved(")
            .and_then(|t| t.strip_suffix(");\n"))
            .unwrap_or_else(|| panic!("{script}: {text}"));
        let map: BTreeMap<String, String> = serde_json::from_str(json).unwrap();
        let before: BTreeSet<&str> =
            attributes(&single[list], "id").into_iter().filter(|id| id.starts_with(prefix)).collect();
        assert_eq!(map.keys().map(String::as_str).collect::<BTreeSet<_>>(), before, "{script} maps every old id");
        for (id, href) in &map {
            let (page, anchor) = href.split_once('#').unwrap();
            assert_eq!(anchor, id, "{script}: an entry keeps its id on its new page");
            let page = page.trim_end_matches("index.html");
            assert!(attributes(&pages[&format!("{page}index.html")], "id").contains(&id.as_str()), "{href}");
        }
    }
    // a list that fits on one page has no old ids to map
    assert!(!single["sources/index.html"].contains("assets/moved/"));
}
