//! Rendered HTML over the small test theme, as insta snapshots, and the
//! citation numbering property.

use crate::support::{build_at, override_404, site};

fn page(dir: &std::path::Path, path: &str) -> String {
    std::fs::read_to_string(dir.join("public").join(path)).unwrap()
}

#[test]
fn article_html_snapshot() {
    let dir = site("full");
    let report = build_at(dir.path());
    assert!(report.written.is_some(), "{:?}", report.diagnostics);
    insta::assert_snapshot!("cited_article", page(dir.path(), "guide/cited/index.html"));
}

#[test]
fn source_list_and_faq_index_snapshots() {
    let dir = site("full");
    build_at(dir.path());
    insta::assert_snapshot!("source_list", page(dir.path(), "sources/index.html"));
    insta::assert_snapshot!("faq_index", page(dir.path(), "faq/index.html"));
}

#[test]
fn full_fixture_builds_without_any_diagnostic() {
    let dir = site("full");
    let report = build_at(dir.path());
    let found: Vec<_> = report.diagnostics.iter().map(|d| d.render(false)).collect();
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn theme_static_files_are_copied() {
    let dir = site("full");
    build_at(dir.path());
    let copied: Vec<String> = std::fs::read_dir(dir.path().join("public"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("test.") && n.ends_with(".css"))
        .collect();
    assert_eq!(copied.len(), 1, "test.css, fingerprinted: {copied:?}");
}

#[test]
fn site_templates_override_theme_templates() {
    let dir = site("full");
    override_404(dir.path(), "Lost? Overridden.");
    build_at(dir.path());
    assert!(page(dir.path(), "404.html").contains("Lost? Overridden."));
}

#[test]
fn default_theme_is_built_in_when_the_site_has_none() {
    let dir = site("minimal");
    assert!(!dir.path().join("themes").exists());
    build_at(dir.path());
    let html = page(dir.path(), "basics/first/index.html");
    let at = html.find("assets/style.").expect("a link to the stylesheet");
    let name = &html[at..at + html[at..].find('"').unwrap()];
    assert!(dir.path().join("public").join(name).is_file(), "{name}");
    assert!(html.contains("tel:988"), "the crisis notice is on every page");
}

#[test]
fn a_site_without_a_home_page_file_gets_the_themes_home_page() {
    // content/index.md is optional: the home page is then the theme's index.html
    let dir = crate::support::site("minimal");
    std::fs::remove_file(dir.path().join("content/index.md")).unwrap();
    let report = crate::support::build_at(dir.path());
    assert!(report.written.is_some(), "{:?}", report.diagnostics);
    let home = std::fs::read_to_string(dir.path().join("public/index.html")).unwrap();
    assert!(home.contains("<body data-kind=\"home\""), "{home}");
}

#[test]
fn with_two_broken_templates_every_load_reports_the_same_one() {
    let dir = site("full");
    let root = dir.path();
    for name in ["article.html", "topic.html"] {
        let path = root.join("themes/test/templates").join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replacen("{% endblock content %}", "{% endblock content", 1)).unwrap();
    }
    let found = || {
        let report = build_at(root);
        assert!(report.written.is_none(), "the broken templates load");
        report
            .diagnostics
            .iter()
            .map(|d| format!("{:?} {:?} {}", d.code, d.span.as_ref().map(|s| (&s.file, s.line, s.column)), d.message))
            .collect::<Vec<_>>()
    };
    let first = found();
    // each load has its own hash order: ten of them would not agree by chance
    for _ in 0..10 {
        assert_eq!(found(), first);
    }
}

/// Templates that include or extend each other in a circle, or extend one
/// the theme does not have, are an error at the tag that does it, in the
/// author's words (Tera says "Circular include detected…" with no place).
#[test]
fn a_template_circle_or_missing_parent_is_an_error_at_its_tag() {
    let cases = [
        (
            "loop.html",
            "<p>{% include \"loop.html\" %}</p>\n",
            "templates include each other in a circle: 404.html → loop.html → loop.html",
            "themes/test/templates/loop.html",
            (1, 7),
        ),
        (
            "tag-parent.html",
            "{% extends \"no-such-base.html\" %}\n",
            "template `tag-parent.html` extends `no-such-base.html`, which the theme does not have",
            "themes/test/templates/tag-parent.html",
            (1, 4),
        ),
    ];
    for (name, text, message, file, at) in cases {
        let dir = site("full");
        let templates = dir.path().join("themes/test/templates");
        std::fs::write(templates.join(name), text).unwrap();
        if name == "loop.html" {
            let page =
                "{% extends \"base.html\" %}{% block content %}{% include \"loop.html\" %}{% endblock content %}";
            std::fs::write(templates.join("404.html"), page).unwrap();
        }
        let report = build_at(dir.path());
        assert!(report.written.is_none(), "{name}");
        let found: Vec<_> = report
            .diagnostics
            .iter()
            .filter(|d| d.code.as_str() == "template-error")
            .map(|d| (d.message.as_str(), d.file.as_deref(), d.span.as_ref().map(|s| (s.line, s.column))))
            .collect();
        assert_eq!(found, [(message, Some(file), Some(at))], "{name}");
    }
}

/// A theme's loops or components that run away (Tera has no limit of its
/// own on loops inside loops) stop at the page's budget with a
/// `template-error` in the template's file, instead of running for hours
/// and holding the page in memory as it grows.
#[test]
fn a_template_that_runs_away_is_stopped_with_an_error() {
    let dir = site("full");
    let text = "0123456789".repeat(10);
    let runaway = format!(
        "{{% extends \"base.html\" %}}{{% block content %}}{{% for i in range(end=3000) %}}\
         {{% for j in range(end=3000) %}}{{% for k in range(end=3000) %}}{text}{{% endfor %}}\
         {{% endfor %}}{{% endfor %}}{{% endblock content %}}"
    );
    std::fs::write(dir.path().join("themes/test/templates/404.html"), runaway).unwrap();
    let report = build_at(dir.path());
    assert!(report.written.is_none());
    let found: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.code.as_str() == "template-error")
        .map(|d| (d.message.as_str(), d.file.as_deref()))
        .collect();
    assert_eq!(
        found,
        [(
            "template `404.html`: the page grew past 64 MiB, so it was stopped: a loop or a component of the theme runs away",
            Some("themes/test/templates/404.html")
        )]
    );
}

/// One mistake in a template every page extends is one finding, not one
/// per page: its help names the first page and counts the others.
#[test]
fn a_template_mistake_met_on_every_page_is_one_error() {
    let dir = site("full");
    let base = dir.path().join("themes/test/templates/base.html");
    let text = std::fs::read_to_string(&base).unwrap();
    // the pages that extend base.html, counted in a build that marks them
    std::fs::write(&base, text.replacen("<body>", "<body><!-- from base.html -->", 1)).unwrap();
    let built = build_at(dir.path()).written.expect("the site builds");
    let pages = walkdir::WalkDir::new(&built)
        .into_iter()
        .flatten()
        .filter(|e| std::fs::read_to_string(e.path()).is_ok_and(|t| t.contains("<!-- from base.html -->")))
        .count();
    std::fs::write(&base, text.replacen("<body>", "<body>{{ no_such_value }}", 1)).unwrap();
    let report = build_at(dir.path());
    let found: Vec<_> = report.diagnostics.iter().filter(|d| d.code.as_str() == "template-error").collect();
    assert_eq!(found.len(), 1, "{}", report.diagnostics.render_text(false));
    assert_eq!(found[0].file.as_deref(), Some("themes/test/templates/base.html"));
    let help = found[0].help.as_deref().unwrap();
    let others: usize = help
        .strip_prefix("while rendering /")
        .and_then(|rest| rest.split_once(" and "))
        .and_then(|(_, n)| n.strip_suffix(" other pages"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{help}"));
    assert_eq!(others + 1, pages, "{help}");
    // each kind of page lists its own variables: the list is left out
    assert_eq!(found[0].message, "template `base.html`: Variable `no_such_value` is not defined.");
}
