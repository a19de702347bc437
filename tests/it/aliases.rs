//! Stable URLs (issue 21): each `aliases:` entry of a page writes a redirect
//! page at the old address, pointing at the page where it is now, with the
//! page's canonical URL and `noindex`; no sitemap, feed or search index
//! lists it; an alias that would replace anything else is refused, naming both.

use std::path::Path;

use crate::support::{attribute, build_at, resolve, site};

fn add_front_matter(root: &Path, rel: &str, lines: &str) {
    let path = root.join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("---\n", &format!("---\n{lines}\n"), 1)).unwrap();
}

fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join("public").join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn each_alias_is_a_redirect_page_that_leads_to_the_page_and_names_it_canonical() {
    let dir = site("minimal");
    let root = dir.path();
    add_front_matter(root, "content/basics/first.md", "aliases: [old/first, /older/first.html, \"Old Name/\"]");
    add_front_matter(root, "content/index.md", "aliases: [start/]");
    let report = build_at(root);
    assert!(report.written.is_some(), "{}", report.diagnostics.render_text(false));
    let article = read(root, "basics/first/index.html");
    let canonical = attribute(&article, "rel=\"canonical\"", "href").unwrap();
    let home_canonical = attribute(&read(root, "index.html"), "rel=\"canonical\"", "href").unwrap();
    for (file, target, want_canonical) in [
        ("old/first/index.html", "basics/first/index.html", &canonical),
        ("older/first.html", "basics/first/index.html", &canonical),
        ("Old Name/index.html", "basics/first/index.html", &canonical),
        ("start/index.html", "index.html", &home_canonical),
    ] {
        let html = read(root, file);
        let refresh = attribute(&html, "http-equiv=\"refresh\"", "content").unwrap();
        let url = refresh.strip_prefix("0; url=").unwrap_or_else(|| panic!("{file}: {refresh}"));
        assert_eq!(resolve(file, url), target, "{file}: the refresh leads to the page");
        let link = attribute(&html, "<a href", "href").unwrap();
        assert_eq!(resolve(file, &link), target, "{file}: so does the visible link");
        assert!(root.join("public").join(target).is_file());
        assert_eq!(&attribute(&html, "rel=\"canonical\"", "href").unwrap(), want_canonical, "{file}");
        assert!(html.contains("<meta name=\"robots\" content=\"noindex\">"), "{file}");
    }
    let listed = [read(root, "sitemap.xml"), read(root, "atom.xml")].concat();
    let mut index = String::new();
    for entry in walkdir::WalkDir::new(root.join("public/search-index")) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            index.push_str(&std::fs::read_to_string(entry.path()).unwrap());
        }
    }
    for old in ["old/first", "older/", "Old Name", "Old%20Name", "start/"] {
        assert!(!listed.contains(old), "{old} in the sitemap or feed");
        assert!(!index.contains(old), "{old} in the search index");
    }
}

#[test]
fn an_alias_that_would_replace_something_else_is_refused_naming_both() {
    for (alias, other) in [
        ("basics/", "`content/basics/_index.md`"),
        ("sources/", "the source list"),
        ("basics/first/", "`content/basics/first.md`"),
        ("figure.svg/", "`content/figure.svg`"),
        ("twice/", "the alias `twice/` of `content/basics/first.md`"),
        // beside a folder's index.html: servers that look for index.htm
        // first (IIS) served the redirect for the folder (it was written)
        ("basics/index.htm", "`content/basics/_index.md`"),
        ("faq/INDEX.htm", "the FAQ index"),
    ] {
        let dir = site("minimal");
        let root = dir.path();
        std::fs::write(root.join("content/figure.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\"/>").unwrap();
        add_front_matter(root, "content/basics/first.md", &format!("aliases: [twice/, {alias}]"));
        let report = build_at(root);
        assert!(report.written.is_none(), "{alias}: the build must stop");
        let errors: Vec<_> = report.diagnostics.iter().filter(|d| d.is_error()).collect();
        assert_eq!(errors.len(), 1, "{alias}: {}", report.diagnostics.render_text(false));
        let d = errors[0];
        assert_eq!(d.code.as_str(), "path-collision", "{alias}");
        assert!(d.message.contains(other), "{alias}: {}", d.message);
        assert!(d.message.contains(&format!("the alias `{alias}` of `content/basics/first.md`")), "{}", d.message);
        // at the alias, on line 2 where the test wrote it
        assert_eq!((d.file.as_deref(), d.line()), (Some("content/basics/first.md"), Some(2)), "{alias}");
    }
}
