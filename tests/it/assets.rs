//! Theme assets are fingerprinted: a stylesheet's name carries a hash of its
//! content (so hosts can cache it forever), the hash follows the content,
//! and every page links to the file that was written.

use std::path::{Path, PathBuf};

use crate::support::{build_at, copy_tree, override_404, site};

/// The files in `public/assets/` named `style.<8 hex>.css`, and any plain `style.css`.
fn stylesheets(public: &Path) -> Vec<String> {
    let mut found: Vec<String> = std::fs::read_dir(public.join("assets"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("style.") && n.ends_with(".css"))
        .collect();
    found.sort();
    found
}

fn is_fingerprinted(name: &str) -> bool {
    let hash = name.strip_prefix("style.").and_then(|n| n.strip_suffix(".css")).unwrap_or_default();
    hash.len() == 8 && hash.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Every stylesheet each page links to, resolved to a file under `public`
/// (the 404 page's links from the site's path, `/guide/`, the others from the page's folder).
fn linked_stylesheets(public: &Path) -> Vec<(PathBuf, PathBuf)> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(public) {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|e| e != "html") {
            continue;
        }
        let html = std::fs::read_to_string(entry.path()).unwrap();
        for (i, _) in html.match_indices("<link rel=\"stylesheet\" href=\"") {
            let rest = &html[i + "<link rel=\"stylesheet\" href=\"".len()..];
            let href = &rest[..rest.find('"').unwrap()];
            let file = match href.strip_prefix("/guide/") {
                Some(from_root) => public.join(from_root),
                None => entry.path().parent().unwrap().join(href),
            };
            out.push((entry.path().to_path_buf(), file));
        }
    }
    out
}

#[test]
fn stylesheet_name_carries_a_hash_of_its_content_and_every_page_links_to_it() {
    let dir = site("minimal"); // the built-in default theme
    let public = dir.path().join("public");
    build_at(dir.path());
    let first = stylesheets(&public);
    assert_eq!(first.len(), 1, "one stylesheet: {first:?}");
    assert!(is_fingerprinted(&first[0]), "`{}` has no content hash in its name", first[0]);

    let links = linked_stylesheets(&public);
    assert!(links.len() > 5, "pages link to the stylesheet: {links:?}");
    for (page, file) in &links {
        assert!(file.is_file(), "{} links to {}, which was not written", page.display(), file.display());
        assert!(file.ends_with(&first[0]), "{} links to {}", page.display(), file.display());
    }

    // The same theme from disk gives the same name; one changed byte, a new one.
    copy_tree(&Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default"), &dir.path().join("themes/default"));
    build_at(dir.path());
    assert_eq!(stylesheets(&public), first, "the same bytes keep the same name");
    let css = dir.path().join("themes/default/static/assets/style.css");
    let text = std::fs::read_to_string(&css).unwrap();
    std::fs::write(&css, text.replace("--accent:#1d6fa5", "--accent:#1d6fa6")).unwrap();
    build_at(dir.path());
    let second = stylesheets(&public);
    assert_eq!(second.len(), 1, "the old stylesheet is gone: {second:?}");
    assert!(is_fingerprinted(&second[0]) && second != first, "{first:?} then {second:?}");
    for (page, file) in linked_stylesheets(&public) {
        assert!(file.is_file() && file.ends_with(&second[0]), "{} links to {}", page.display(), file.display());
    }
}

#[test]
fn unknown_asset_is_a_template_error_naming_it() {
    let dir = site("minimal");
    override_404(dir.path(), "{{ asset(path=\"assets/nope.css\") }}");
    let report = build_at(dir.path());
    let d = report.diagnostics.iter().find(|d| d.code.as_str() == "template-error").expect("a template-error");
    assert!(d.message.contains("assets/nope.css"), "{}", d.message);
}
