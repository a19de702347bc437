//! Every output path is named once, site-wide, before anything is written
//! (issue 17, "names that break on other hosts"): nothing a site holds
//! silently replaces another page, and every name works on every host.

use std::path::Path;

use crate::support::{build_at, site};

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

const TOPIC: &str = "---\ntitle: \"A topic\"\ndescription: \"A topic.\"\n---\n\nText.\n";

/// The build's errors as (code, file, message), and that nothing was written.
fn refused(root: &Path) -> Vec<(String, String, String)> {
    let report = build_at(root);
    assert!(report.written.is_none(), "the build must stop: {:?}", report.diagnostics);
    assert!(!root.join("public").exists(), "nothing written");
    report
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| (d.code.as_str().to_string(), d.file.clone().unwrap_or_default(), d.message.clone()))
        .collect()
}

#[test]
fn a_file_in_content_never_replaces_a_rendered_article() {
    let dir = site("minimal");
    // a page of its own is refused as such (see security.rs) before it could collide
    write(dir.path(), "content/basics/first/index.html", "<p>stale copy</p>");
    let got = refused(dir.path());
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!((got[0].0.as_str(), got[0].1.as_str()), ("unsafe-file", "content/basics/first/index.html"));
    // any other file where the build writes the article is a collision,
    // naming both (a site's own `robots.txt` replaces the generated one:
    // `equivalence::a_site_s_own_robots_txt_replaces_the_generated_one_in_build_and_serve`)
    std::fs::remove_file(dir.path().join("content/basics/first/index.html")).unwrap();
    std::fs::remove_dir(dir.path().join("content/basics/first")).unwrap();
    write(dir.path(), "content/basics/first", "a stale copy\n");
    let got = refused(dir.path());
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!((got[0].0.as_str(), got[0].1.as_str()), ("path-collision", "content/basics/first"));
    assert!(got[0].2.contains("basics/first"), "{got:?}");
}

#[test]
fn topics_named_like_generated_pages_are_refused_naming_both() {
    for (name, page) in [("sources", "the source list"), ("search", "the search page"), ("glossary", "the glossary")] {
        let dir = site("minimal");
        write(dir.path(), &format!("content/{name}/_index.md"), TOPIC);
        // the glossary page exists only for a site with a glossary
        write(dir.path(), "content/glossary.yaml", "Claim:\n  definition: \"A statement.\"\n");
        let got = refused(dir.path());
        let collision = got.iter().find(|g| g.0 == "path-collision").unwrap_or_else(|| panic!("{name}: {got:?}"));
        assert_eq!(collision.1, format!("content/{name}/_index.md"));
        assert!(collision.2.starts_with(page), "{name}: {}", collision.2);
    }
    // a topic called `faq` is the FAQ index's landing, by design
    let dir = site("minimal");
    write(dir.path(), "content/faq/_index.md", TOPIC);
    assert!(build_at(dir.path()).written.is_some());
}

/// `new` refuses a topic named like a page sourcebook makes, saying what
/// is there (it advised making the topic's `_index.md`, which the build
/// then refused as a collision), and agrees with the build on which names
/// those are.
#[test]
fn new_refuses_a_topic_where_the_build_would_find_a_collision() {
    for name in ["sources", "search", "search-index", "glossary", "tags", "faq", "dosing"] {
        let dir = site("minimal");
        write(dir.path(), "content/glossary.yaml", "Claim:\n  definition: \"A statement.\"\n");
        let article = dir.path().join("content/basics/first.md");
        let text = std::fs::read_to_string(&article).unwrap();
        std::fs::write(&article, text.replacen("\ndate:", "\ntags: [\"a tag\"]\ndate:", 1)).unwrap();
        let out = crate::support::sourcebook()
            .arg("--root")
            .arg(dir.path())
            .args(["new", &format!("{name}/x")])
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&out.stderr);
        let refused_by_new = said.contains(&format!("`{name}` cannot be a topic: /{name}/ is "));
        write(dir.path(), &format!("content/{name}/_index.md"), TOPIC);
        let report = build_at(dir.path());
        let collision = report.diagnostics.iter().any(|d| d.code.as_str() == "path-collision");
        assert_eq!(refused_by_new, collision, "{name}: {said}");
        assert_eq!(refused_by_new, !matches!(name, "faq" | "dosing"), "{name}: {said}");
    }
}

#[test]
fn names_that_differ_only_in_case_collide() {
    let dir = site("minimal");
    write(dir.path(), "content/basics/Chart.png", "a");
    write(dir.path(), "content/basics/chart.png", "b");
    let got = refused(dir.path());
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, "path-collision");
    assert!(got[0].2.contains("same name on macOS, Windows"), "{got:?}");
}

#[test]
fn names_that_break_on_other_hosts_are_refused() {
    let long = "a".repeat(300);
    let cases: Vec<(&str, String, &str)> = vec![
        ("a Windows device name", "content/basics/aux.png".into(), "device name"),
        ("a Windows device name as a folder", "content/nul/x.png".into(), "device name"),
        ("a character URLs cannot hold", "content/basics/what?.png".into(), "cannot hold"),
        ("a percent sign", "content/basics/100%.png".into(), "cannot hold"),
        ("a trailing dot", "content/basics/x.".into(), "ends with a dot"),
    ];
    for (what, file, words) in cases {
        let dir = site("minimal");
        write(dir.path(), &file, "x");
        let got = refused(dir.path());
        assert!(got.iter().any(|g| g.0 == "invalid-value" && g.1 == file && g.2.contains(words)), "{what}: {got:?}");
    }
    // a slug too long for file systems: a diagnostic at the `slug:` the
    // author wrote (it was at the file's first line), not an OS error
    let dir = site("minimal");
    let text = std::fs::read_to_string(dir.path().join("content/basics/first.md")).unwrap();
    write(dir.path(), "content/basics/first.md", &text.replacen("date:", &format!("slug: {long}\ndate:"), 1));
    let line = text[..text.find("date:").unwrap()].lines().count() + 1;
    let report = build_at(dir.path());
    let d = report.diagnostics.iter().find(|d| d.message.contains("300 bytes")).expect("the slug is refused");
    assert_eq!(
        (d.code.as_str(), d.file.as_deref(), d.span.as_ref().map(|s| (s.line, s.column))),
        ("invalid-value", Some("content/basics/first.md"), Some((line, 7))),
        "{d:?}"
    );
    assert!(report.written.is_none());
    // a topic folder that is not a URL-safe name
    let dir = site("minimal");
    write(dir.path(), "content/Side Effects/_index.md", TOPIC);
    let got = refused(dir.path());
    assert!(
        got.iter().any(|g| g.1 == "content/Side Effects/_index.md" && g.2.contains("not a URL-safe name")),
        "{got:?}"
    );
}

#[test]
fn the_search_index_folder_is_the_generators_alone() {
    let dir = site("minimal");
    write(dir.path(), "content/search-index/meta.json", "{}");
    let got = refused(dir.path());
    assert!(got.iter().any(|g| g.0 == "path-collision" && g.2.contains("the search index")), "{got:?}");
    // without search, the folder is free
    let text = std::fs::read_to_string(dir.path().join("site.yaml")).unwrap();
    std::fs::write(dir.path().join("site.yaml"), format!("{text}search: false\n")).unwrap();
    assert!(build_at(dir.path()).written.is_some());
}
