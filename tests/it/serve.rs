//! `serve`: incremental rebuilds equal a fresh build after any sequence of
//! edits; a broken edit keeps the last good site; the HTTP server serves
//! only the site, with the right status, type and caching headers.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sourcebook::build::{self, BuildOptions};
use sourcebook::diagnostics::Diagnostics;
use sourcebook::output::Memory;
use sourcebook::serve::session::{Action, Session};

use crate::support::site;

/// What `build` would write, in memory.
fn fresh(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut diags = Diagnostics::new();
    let loaded = build::load(&BuildOptions { root: root.to_path_buf(), ..BuildOptions::default() }, &mut diags)
        .unwrap()
        .unwrap();
    let memory = Memory::default();
    build::render(&loaded, root, &memory, &mut diags).unwrap();
    assert!(!diags.has_errors(), "{}", diags.render_text(false));
    memory.into_files()
}

fn served(session: &Session) -> BTreeMap<String, Vec<u8>> {
    session.files().iter().map(|(k, v)| (k.clone(), v.to_vec())).collect()
}

fn assert_same(session: &Session, root: &Path, step: &str) {
    let want = fresh(root);
    let got = served(session);
    let keys = |m: &BTreeMap<String, Vec<u8>>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&got), keys(&want), "{step}: the same files");
    for (k, v) in &want {
        assert!(got[k] == *v, "{step}: {k} differs from a fresh build");
    }
}

fn edit(root: &Path, rel: &str, from: &str, to: &str) -> PathBuf {
    let path = root.join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{rel} has no `{from}`");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    path
}

#[test]
fn every_sequence_of_edits_serves_what_build_would_write() {
    let dir = site("full");
    let root = dir.path();
    let mut s = Session::new(root, false).unwrap();
    assert_same(&s, root, "start");

    type Change = Box<dyn Fn(&Path) -> Vec<PathBuf>>;
    let steps: Vec<(&str, Change, Option<Action>)> = vec![
        (
            "body text",
            Box::new(|r| vec![edit(r, "content/guide/cited.md", "A second heading", "A changed heading")]),
            Some(Action::Article("guide/cited.md".into())),
        ),
        (
            "a new citation",
            Box::new(|r| {
                vec![edit(r, "content/guide/with-figure/index.md", "Back to", "Cited [@webpage2024]. Back to")]
            }),
            Some(Action::Article("guide/with-figure/index.md".into())),
        ),
        (
            "a FAQ answer",
            Box::new(|r| vec![edit(r, "content/guide/cited.md", "then the book", "and then the book")]),
            Some(Action::Article("guide/cited.md".into())),
        ),
        (
            "a description (shared context)",
            Box::new(|r| {
                vec![edit(r, "content/guide/cited.md", "Citations of every kind.", "Every kind of citation.")]
            }),
            Some(Action::Article("guide/cited.md".into())),
        ),
        (
            "a title (order may change)",
            Box::new(|r| {
                vec![edit(r, "content/guide/cited.md", "title: \"Cited article\"", "title: \"A cited article\"")]
            }),
            Some(Action::Full),
        ),
        (
            "a template",
            Box::new(|r| vec![edit(r, "themes/test/templates/article.html", "<h1>", "<h1 class=\"t\">")]),
            Some(Action::Theme),
        ),
        (
            "a theme static file",
            Box::new(|r| vec![edit(r, "themes/test/static/test.css", "black", "navy")]),
            Some(Action::Statics),
        ),
        (
            "an asset",
            Box::new(|r| {
                std::fs::write(
                    r.join("content/guide/figures/trial.svg"),
                    "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
                )
                .unwrap();
                vec![r.join("content/guide/figures/trial.svg")]
            }),
            Some(Action::Assets),
        ),
        (
            "a new article",
            Box::new(|r| {
                let p = r.join("content/guide/new.md");
                std::fs::write(
                    &p,
                    "---\ntitle: \"New\"\ndescription: \"Added.\"\ndate: 2024-06-01\n---\n\nNew text [@trial2023].\n",
                )
                .unwrap();
                vec![p]
            }),
            Some(Action::Full),
        ),
        (
            "the bibliography",
            Box::new(|r| {
                vec![edit(
                    r,
                    "content/sources.yaml",
                    "Essential Psychopharmacology",
                    "Essential Psychopharmacology, 5th ed.",
                )]
            }),
            Some(Action::Full),
        ),
        (
            "a deleted article",
            Box::new(|r| {
                let p = r.join("content/guide/new.md");
                std::fs::remove_file(&p).unwrap();
                vec![p]
            }),
            Some(Action::Full),
        ),
        (
            "site.yaml",
            Box::new(|r| vec![edit(r, "site.yaml", "Every feature of the build.", "All features.")]),
            Some(Action::Full),
        ),
        (
            "an editor's temporary file",
            Box::new(|r| vec![r.join("content/guide/.cited.md.swp"), r.join("content/guide/4913")]),
            Some(Action::Nothing),
        ),
    ];
    for (name, change, want) in steps {
        let paths = change(root);
        let action = s.update(&paths, false);
        if let Some(want) = want {
            assert_eq!(action, want, "{name}");
        }
        assert!(!s.has_errors(), "{name}: {}", s.diagnostics.render_text(false));
        assert_same(&s, root, name);
    }
}

#[test]
fn a_broken_edit_keeps_the_last_good_site_and_fixing_it_recovers() {
    let dir = site("full");
    let root = dir.path();
    let mut s = Session::new(root, false).unwrap();
    let good = served(&s);
    for (break_it, fix_it) in [
        (
            ("content/guide/cited.md", "[@book2019, p. 12]", "[@nosuch]"),
            ("content/guide/cited.md", "[@nosuch]", "[@book2019, p. 12]"),
        ),
        (
            ("content/guide/with-figure/index.md", "../cited.md#claims", "../cited.md#nothere"),
            ("content/guide/with-figure/index.md", "#nothere", "#claims"),
        ),
        (
            ("themes/test/templates/article.html", "{% endblock content %}", "{% endblock content"),
            ("themes/test/templates/article.html", "{% endblock content", "{% endblock content %}"),
        ),
        (("site.yaml", "theme: test", "theme: tets"), ("site.yaml", "theme: tets", "theme: test")),
        (
            ("content/guide/cited.md", "date: 2024-03-01", "date: 2024-13-01"),
            ("content/guide/cited.md", "date: 2024-13-01", "date: 2024-03-01"),
        ),
    ] {
        let p = edit(root, break_it.0, break_it.1, break_it.2);
        s.update(&[p], false);
        assert!(s.has_errors(), "{break_it:?} must be an error");
        assert!(served(&s) == good, "{break_it:?}: the last good site stays served");
        let p = edit(root, fix_it.0, fix_it.1, fix_it.2);
        s.update(&[p], false);
        assert!(!s.has_errors(), "{fix_it:?}: {}", s.diagnostics.render_text(false));
        assert_same(&s, root, &format!("after fixing {break_it:?}"));
    }
}

/// A running `sourcebook serve` on a free port.
pub(crate) struct Server {
    child: Child,
    pub(crate) base: String,
}

impl Server {
    /// As README says to: `sourcebook serve` run from the site's folder.
    pub(crate) fn start(root: &Path) -> Server {
        Server::start_with(root, &[])
    }

    /// Run from `cwd` with `args` before `serve` (`--root site` for a root
    /// relative to it).
    fn start_with(cwd: &Path, args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sourcebook"))
            .current_dir(cwd)
            .args(args)
            .args(["serve", "--port", "0"])
            .env("NO_COLOR", "1")
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let line = lines.find_map(|l| l.ok().filter(|l| l.contains("http://"))).expect("a serving line");
        std::thread::spawn(move || for _ in lines {}); // keep draining
        let base =
            line[line.find("http://").unwrap()..].split_whitespace().next().unwrap().trim_end_matches('/').to_string();
        Server { child, base }
    }

    fn get(&self, path: &str) -> (u16, String) {
        let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
        let mut r = agent.get(format!("{}{path}", self.base)).call().unwrap();
        (r.status().as_u16(), r.body_mut().read_to_string().unwrap_or_default())
    }

    /// Poll until `path` contains `text` (a save shows up in well under a second).
    fn wait_for(&self, path: &str, text: &str) -> (u16, String) {
        let start = Instant::now();
        loop {
            let got = self.get(path);
            if got.1.contains(text) || start.elapsed() > Duration::from_secs(10) {
                return got;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn the_server_follows_saves_creations_and_deletions() {
    let dir = site("minimal");
    let root = dir.path();
    let server = Server::start(root);
    let (status, html) = server.get("/basics/first/");
    assert_eq!(status, 200);
    assert!(html.contains("<script src=\"/__sourcebook/livereload.js\""), "the reload script is injected when serving");
    assert!(!root.join("public").exists(), "serve writes nothing to disk");

    edit(root, "content/basics/first.md", "A claim with a source", "A saved claim with a source");
    assert!(server.wait_for("/basics/first/", "A saved claim").1.contains("A saved claim"));

    // an atomic save: write a temporary file, rename it over the article
    let tmp = root.join("content/basics/.first.md.tmp");
    std::fs::write(
        &tmp,
        std::fs::read_to_string(root.join("content/basics/first.md"))
            .unwrap()
            .replace("A saved claim", "An atomic claim"),
    )
    .unwrap();
    std::fs::rename(&tmp, root.join("content/basics/first.md")).unwrap();
    assert!(server.wait_for("/basics/first/", "An atomic claim").1.contains("An atomic claim"));

    std::fs::write(
        root.join("content/basics/second.md"),
        "---\ntitle: \"Second\"\ndescription: \"New.\"\ndate: 2024-05-01\n---\n\nBrand new [@doe2020].\n",
    )
    .unwrap();
    assert_eq!(server.wait_for("/basics/second/", "Brand new").0, 200);
    std::fs::remove_file(root.join("content/basics/second.md")).unwrap();
    let start = Instant::now();
    while server.get("/basics/second/").0 != 404 && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let (status, html) = server.get("/basics/second/");
    assert_eq!(status, 404);
    assert!(html.contains("Page not found"), "the 404 page");
}

#[test]
fn http_is_done_right() {
    let dir = site("minimal");
    let server = Server::start(dir.path());
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).build().into();
    let url = |p: &str| format!("{}{p}", server.base);

    let (_, home) = server.get("/");
    let at = home.find("assets/style.").expect("a link to the stylesheet");
    let css = format!("/{}", &home[at..at + home[at..].find('"').unwrap()]);
    let r = agent.get(url(&css)).call().unwrap();
    assert_eq!(r.headers()["content-type"], "text/css; charset=utf-8");
    assert_eq!(r.headers()["cache-control"], "no-cache");
    let etag = r.headers()["etag"].to_str().unwrap().to_string();
    let r = agent.get(url(&css)).header("If-None-Match", &etag).call().unwrap();
    assert_eq!(r.status().as_u16(), 304);

    let r = agent.head(url("/basics/first/")).call().unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-type"], "text/html; charset=utf-8");

    let r = agent.get(url("/basics")).call().unwrap();
    assert_eq!((r.status().as_u16(), r.headers()["location"].to_str().unwrap()), (301, "/basics/"));
    assert_eq!(
        agent.get(url("/sitemap.xml")).call().unwrap().headers()["content-type"],
        "application/xml; charset=utf-8"
    );

    // nothing outside the site, however the path is written
    std::fs::write(dir.path().join("secret.txt"), "do not serve").unwrap();
    for path in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/basics/%2e%2e/%2e%2e/secret.txt",
        "/basics%2f..%2f..%2fsecret.txt",
        "//secret.txt",
        "/site.yaml",
        "/content/basics/first.md",
    ] {
        let mut r = agent.get(url(path)).call().unwrap();
        let body = r.body_mut().read_to_string().unwrap_or_default();
        assert!(!body.contains("do not serve") && !body.contains("base_url"), "{path} leaked a file");
        assert!([400, 404].contains(&r.status().as_u16()), "{path}: {}", r.status());
    }
    let r = agent.post(url("/index.html")).send("x").unwrap();
    assert_eq!(r.status().as_u16(), 405);
}

#[test]
fn serve_with_a_relative_root_follows_saves() {
    // `--root site` from the folder above, and `--root .` from inside it:
    // the watcher reports absolute paths, so the root must be resolved
    let dir = tempfile::tempdir().unwrap();
    crate::support::copy_tree(&crate::support::fixtures().join("minimal"), &dir.path().join("site"));
    let root = dir.path().join("site");
    for (cwd, args) in [(dir.path(), vec!["--root", "site"]), (root.as_path(), vec!["--root", "."])] {
        let server = Server::start_with(cwd, &args);
        let marker = format!("Saved from {}", args[1]);
        edit(&root, "content/basics/first.md", "A claim with a source", &format!("{marker}. A claim with a source"));
        assert!(server.wait_for("/basics/first/", &marker).1.contains(&marker), "{args:?}: the save shows");
    }
}

#[test]
fn serve_follows_folders_made_or_replaced_while_it_runs() {
    let dir = site("minimal");
    let root = dir.path();
    let server = Server::start(root);
    // content/ replaced by a copy (as `git checkout` or a sync tool does)
    let copy = root.join("content.new");
    crate::support::copy_tree(&root.join("content"), &copy);
    std::fs::remove_dir_all(root.join("content")).unwrap();
    std::fs::rename(&copy, root.join("content")).unwrap();
    edit(root, "content/basics/first.md", "A claim with a source", "A claim after the swap");
    assert!(
        server.wait_for("/basics/first/", "after the swap").1.contains("after the swap"),
        "content/ is watched anew"
    );
    // templates/ made after the start
    crate::support::override_404(root, "<p>Our own missing page</p>");
    assert!(server.wait_for("/nowhere/", "Our own missing page").1.contains("Our own missing page"));
    std::fs::write(
        root.join("templates/404.html"),
        "{% extends \"base.html\" %}{% block content %}<p>Edited again</p>{% endblock content %}",
    )
    .unwrap();
    assert!(server.wait_for("/nowhere/", "Edited again").1.contains("Edited again"), "templates/ is watched");
}

#[test]
fn serve_started_on_a_broken_site_shows_the_errors_until_they_are_fixed() {
    let dir = site("minimal");
    let root = dir.path();
    let good = std::fs::read_to_string(root.join("content/basics/first.md")).unwrap();
    std::fs::write(root.join("content/basics/first.md"), good.replace("[@doe2020]", "[@nobody]")).unwrap();
    let server = Server::start(root);
    let (status, html) = server.get("/");
    assert_eq!(status, 503, "{html}");
    assert!(html.contains("no source with id `nobody`"), "the errors, on the page: {html}");
    assert!(html.contains("/__sourcebook/livereload.js"), "and the script that reloads it once fixed");
    std::fs::write(root.join("content/basics/first.md"), good).unwrap();
    let (status, html) = server.wait_for("/basics/first/", "data-kind=\"article\"");
    assert_eq!(status, 200, "{html}");
}

#[test]
fn ctrl_c_stops_serve_while_pages_are_open() {
    let dir = site("minimal");
    let mut server = Server::start(dir.path());
    // an open page holds the event stream, which never ends by itself
    let url = format!("{}/__sourcebook/events", server.base);
    let stream = std::thread::spawn(move || {
        let agent: ureq::Agent = ureq::Agent::config_builder().build().into();
        let _ = agent.get(url).call().map(|mut r| std::io::Read::read(&mut r.body_mut().as_reader(), &mut [0; 64]));
        std::thread::sleep(Duration::from_secs(30));
    });
    std::thread::sleep(Duration::from_millis(300));
    let pid = server.child.id().to_string();
    assert!(Command::new("kill").args(["-INT", &pid]).status().unwrap().success());
    let start = Instant::now();
    let exited = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break Some(status);
        }
        if start.elapsed() > Duration::from_secs(5) {
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(exited.is_some(), "serve must stop within 5 s of Ctrl-C with a page open");
    drop(stream);
}

#[test]
fn the_theme_or_its_templates_folder_moved_out_and_replaced_is_followed() {
    // a folder moved is one event for the folder, none for its files
    let dir = site("full");
    let root = dir.path();
    let aside = tempfile::tempdir().unwrap();
    let mut s = Session::new(root, false).unwrap();
    for (n, folder) in ["themes/test/templates", "themes/test"].into_iter().enumerate() {
        let away = aside.path().join(n.to_string());
        std::fs::rename(root.join(folder), &away).unwrap();
        s.update(&[root.join(folder)], false);
        assert!(crate::support::build_at(root).written.is_none(), "the build fails without {folder}");
        assert!(s.has_errors(), "{folder} moved out: serve has errors too");
        // back in, edited meanwhile
        let template = if n == 0 { away.join("article.html") } else { away.join("templates/article.html") };
        let text = std::fs::read_to_string(&template).unwrap();
        std::fs::write(&template, text.replacen("<h1>", &format!("<h1 class=\"moved{n}\">"), 1)).unwrap();
        std::fs::rename(&away, root.join(folder)).unwrap();
        s.update(&[root.join(folder)], false);
        assert!(!s.has_errors(), "{folder}: {:?}", s.errors_text(false));
        assert_same(&s, root, folder);
    }
}

#[test]
fn a_template_that_does_not_parse_is_reported_with_the_sites_warnings_as_build_reports_it() {
    let dir = site("full");
    let root = dir.path();
    let sources = root.join("content/sources.yaml");
    let mut text = std::fs::read_to_string(&sources).unwrap();
    text.push_str("unused2024:\n  type: web\n  title: Unused\n  author: { name: \"Nobody\" }\n  date: 2024-01-01\n  evidence: other\n");
    std::fs::write(&sources, text).unwrap();
    let mut s = Session::new(root, false).unwrap();
    assert!(s.diagnostics.warning_count() > 0, "an unused source is a warning");
    let p = edit(root, "themes/test/templates/article.html", "{% endblock content %}", "{% endblock content");
    s.update(&[p], false);
    let built = crate::support::build_at(root);
    assert!(built.written.is_none());
    assert_eq!(s.diagnostics.render_text(false), built.diagnostics.render_text(false));
}

#[test]
fn a_broken_link_and_a_template_error_are_both_reported_as_build_reports_them() {
    let dir = site("full");
    let root = dir.path();
    edit(root, "content/guide/cited.md", "with-figure/index.md#the-figure", "nowhere.md");
    std::fs::remove_file(root.join("themes/test/static/test.css")).unwrap();
    let s = Session::new(root, false).unwrap();
    let built = crate::support::build_at(root);
    assert!(built.written.is_none());
    assert!(built.diagnostics.iter().any(|d| d.code.as_str() == "template-error"), "the build renders the pages");
    assert_eq!(s.diagnostics.render_text(false), built.diagnostics.render_text(false));
}
