//! Tags (issue 21): `tags:` make `/tags/` and a page per tag, linked from
//! each article and listed in the sitemap; spellings of one address are one
//! tag; a theme or the site may override the templates; `tags: false`
//! turns it all off.

use std::path::Path;

use crate::support::{build_at, resolve, site};

fn add_front_matter(root: &Path, rel: &str, lines: &str) {
    let path = root.join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("---\n", &format!("---\n{lines}\n"), 1)).unwrap();
}

const SECOND: &str = "---\ntitle: \"Second article\"\ndescription: \"Another one.\"\ndate: 2024-01-03\ntags: [side-effects, Safety]\n---\n\nText.\n";

/// The minimal site with two tagged articles; `site.yaml` gets `extra`.
fn tagged(extra: &str) -> tempfile::TempDir {
    let dir = site("minimal");
    let root = dir.path();
    add_front_matter(root, "content/basics/first.md", "tags: [Side effects, ECT]");
    std::fs::write(root.join("content/basics/second.md"), SECOND).unwrap();
    let yaml = std::fs::read_to_string(root.join("site.yaml")).unwrap();
    std::fs::write(root.join("site.yaml"), format!("{yaml}{extra}")).unwrap();
    dir
}

fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join("public").join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Every `href` of the `<ul class="tag-list">` on a page.
fn tag_links(html: &str) -> Vec<(String, String)> {
    let Some(start) = html.find("<ul class=\"tag-list\">") else { return Vec::new() };
    let list = &html[start..start + html[start..].find("</ul>").unwrap()];
    list.split("<a href=\"")
        .skip(1)
        .map(|a| {
            let (href, rest) = a.split_once("\">").unwrap();
            (href.to_string(), rest.split_once("</a>").unwrap().0.to_string())
        })
        .collect()
}

#[test]
fn tags_make_an_index_and_a_page_each_that_articles_link_to() {
    let dir = tagged("");
    let root = dir.path();
    let report = build_at(root);
    assert!(report.written.is_some(), "{}", report.diagnostics.render_text(false));
    // `side-effects` in second.md is `Side effects` where first written: one tag, and a warning
    let warnings: Vec<_> = report.diagnostics.iter().map(|d| (d.code.as_str(), d.file.clone(), d.line())).collect();
    assert!(warnings.contains(&("invalid-value", Some("content/basics/second.md".into()), Some(5))), "{warnings:?}");
    let index = read(root, "tags/index.html");
    for (slug, name, count) in [("ect", "ECT", 1), ("safety", "Safety", 1), ("side-effects", "Side effects", 2)] {
        assert!(index.contains(&format!("<a href=\"../tags/{slug}/index.html\">{name}</a>")), "{slug} on /tags/");
        let page = read(root, &format!("tags/{slug}/index.html"));
        let listed = page.matches("<h2><a href=").count();
        assert_eq!(listed, count, "{slug}: its articles");
        assert!(index.contains(&format!("{name}</a> <span class=\"meta\">{count} article")), "{slug}: its count");
    }
    // each article links each of its tags to a page that was written
    for (file, want) in [
        ("basics/first/index.html", vec!["Side effects", "ECT"]),
        ("basics/second/index.html", vec!["side-effects", "Safety"]),
    ] {
        let links = tag_links(&read(root, file));
        let names: Vec<&str> = links.iter().map(|(_, n)| n.as_str()).collect();
        assert_eq!(names, want, "{file}");
        for (href, _) in &links {
            let target = resolve(file, href);
            assert!(root.join("public").join(&target).is_file(), "{file}: {href} → {target}");
            let back = read(root, &target);
            let article = format!("{}index.html", file.trim_end_matches("index.html"));
            assert!(back.contains(&format!("href=\"../../{article}\"")), "{target} lists {file}");
        }
    }
    let sitemap = read(root, "sitemap.xml");
    for path in ["tags/", "tags/ect/", "tags/safety/", "tags/side-effects/"] {
        assert!(sitemap.contains(&format!("<loc>https://example.org/guide/{path}</loc>")), "{path} in the sitemap");
    }
    assert!(read(root, "index.html").contains("href=\"tags/index.html\""), "the footer links the tag index");
}

#[test]
fn tags_false_leaves_out_the_pages_the_links_and_the_sitemap_entries() {
    let dir = tagged("tags: false\n");
    let root = dir.path();
    let report = build_at(root);
    assert!(report.written.is_some(), "{}", report.diagnostics.render_text(false));
    assert!(!root.join("public/tags").exists());
    assert!(tag_links(&read(root, "basics/first/index.html")).is_empty());
    assert!(!read(root, "sitemap.xml").contains("/tags/"));
    assert!(!read(root, "index.html").contains("tags/index.html"));
    // the spelling warning belongs to the tag pages: gone with them
    assert!(report.diagnostics.is_empty(), "{}", report.diagnostics.render_text(false));
}

#[test]
fn a_sites_own_tag_templates_replace_the_themes() {
    let dir = tagged("");
    let root = dir.path();
    std::fs::create_dir_all(root.join("templates")).unwrap();
    let own = |body: &str| {
        format!(
            "{{% extends \"base.html\" %}}{{% block content %}}<h1>Own {{{{ page.kind }}}}</h1>{body}{{% endblock content %}}"
        )
    };
    let each = "{% for t in tags %}<p>{{ t.name }}={{ t.count }}</p>{% endfor %}";
    std::fs::write(root.join("templates/tags.html"), own(each)).unwrap();
    std::fs::write(root.join("templates/tag.html"), own("<p>{{ tag.name }}={{ tag.count }}</p>")).unwrap();
    let report = build_at(root);
    assert!(report.written.is_some(), "{}", report.diagnostics.render_text(false));
    assert!(
        read(root, "tags/index.html").contains("<h1>Own tags</h1><p>ECT=1</p><p>Safety=1</p><p>Side effects=2</p>")
    );
    assert!(read(root, "tags/side-effects/index.html").contains("<h1>Own tag</h1><p>Side effects=2</p>"));
}

#[test]
fn a_topic_called_tags_collides_with_the_tag_index() {
    let dir = tagged("");
    let root = dir.path();
    std::fs::create_dir_all(root.join("content/tags")).unwrap();
    std::fs::write(root.join("content/tags/_index.md"), "---\ntitle: \"Tags\"\n---\n\nText.\n").unwrap();
    let report = build_at(root);
    assert!(report.written.is_none());
    let d = report.diagnostics.iter().find(|d| d.code.as_str() == "path-collision").expect("a path-collision");
    assert!(d.message.contains("the tag index") && d.message.contains("content/tags/_index.md"), "{}", d.message);
}

/// A tag whose address would be a folder name too long to write, or a
/// Windows device name, is an error at the tag, in `check` as in `build`.
/// `check` passed it, and `build` failed as it wrote, with the file
/// system's "File name too long" (`io-error`, exit 2) and no place.
#[test]
fn a_tag_too_long_for_a_folder_name_is_an_error_at_the_tag() {
    let dir = site("minimal");
    let long = "side effects ".repeat(23); // 299 characters, a 298-byte address
    add_front_matter(dir.path(), "content/basics/first.md", &format!("tags: [ECT, \"{}\"]", long.trim()));
    for command in ["build", "check"] {
        let out = crate::support::sourcebook().arg("--root").arg(dir.path()).arg(command).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{command}: {stderr}");
        assert!(
            stderr.contains("makes a folder under /tags/ whose name is 298 bytes long; names may be at most 200"),
            "{command}: {stderr}"
        );
        assert!(stderr.contains("--> content/basics/first.md:2:14"), "{command}: {stderr}");
        assert!(stderr.contains("help: a tag is a word or a few: shorten it"), "{command}: {stderr}");
    }
    let dir = site("minimal");
    add_front_matter(dir.path(), "content/basics/first.md", "tags: [ECT, Aux]");
    let report = build_at(dir.path());
    assert!(
        report.diagnostics.iter().any(|d| d.message == "tag `Aux` makes a folder under /tags/ whose name is a device name on Windows, where it cannot be a file or folder"),
        "{:?}",
        report.diagnostics
    );
    assert!(report.written.is_none());
}
