//! `serve`: incremental rebuilds equal a fresh build after any sequence of
//! edits (search index included); a broken edit keeps the last good site;
//! the HTTP server serves only the site, with the right status, type and
//! caching headers, and copied files as `build` copies them.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sourcebook::build::{self, BuildOptions};
use sourcebook::serve::session::{Action, Session};

use crate::support::site;

/// What `build` writes, read back (its marker file left out).
fn fresh(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let out = tempfile::tempdir().unwrap();
    let options =
        BuildOptions { root: root.to_path_buf(), output: Some(out.path().join("public")), ..Default::default() };
    let report = build::build(&options).unwrap();
    assert!(!report.diagnostics.has_errors(), "{}", report.diagnostics.render_text(false));
    let written = crate::support::snapshot_tree(&out.path().join("public"));
    written
        .into_iter()
        .map(|(path, bytes)| (path.to_string_lossy().replace('\\', "/"), bytes))
        .filter(|(path, _)| path != sourcebook::build::OUTPUT_MARKER)
        .collect()
}

/// The files `serve` serves, copied ones read from disk.
fn served(session: &Session) -> BTreeMap<String, Vec<u8>> {
    let root = session.root();
    session.files().iter().map(|(k, v)| (k.clone(), v.bytes(&root).unwrap().to_vec())).collect()
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
    std::fs::write(root.join("content/guide/figures/leaflet.pdf"), "%PDF-1.4 first").unwrap();
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
            "a title that keeps the article's place (every page shows it: all re-rendered from memory)",
            Box::new(|r| {
                vec![edit(r, "content/guide/cited.md", "title: \"Cited article\"", "title: \"A cited article\"")]
            }),
            Some(Action::Article("guide/cited.md".into())),
        ),
        (
            "a weight that moves the article after another (the plan changes)",
            Box::new(|r| vec![edit(r, "content/guide/cited.md", "weight: 1", "weight: 3")]),
            Some(Action::Full),
        ),
        (
            "tags (the tag pages change)",
            Box::new(|r| vec![edit(r, "content/guide/cited.md", "weight: 3\n", "weight: 3\ntags: [Trials, ECT]\n")]),
            Some(Action::Full),
        ),
        (
            "an alias (a redirect page appears)",
            Box::new(|r| vec![edit(r, "content/guide/cited.md", "weight: 3\n", "weight: 3\naliases: [old/cited/]\n")]),
            Some(Action::Full),
        ),
        (
            "the description of a tagged article with an alias (its tag pages list it)",
            Box::new(|r| vec![edit(r, "content/guide/cited.md", "Every kind of citation.", "Citations, every kind.")]),
            Some(Action::Article("guide/cited.md".into())),
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
                std::fs::write(r.join("content/guide/figures/leaflet.pdf"), "%PDF-1.4 second").unwrap();
                vec![r.join("content/guide/figures/leaflet.pdf")]
            }),
            Some(Action::Assets),
        ),
        (
            // read whole and checked by the walk (it may only draw)
            "an SVG",
            Box::new(|r| {
                std::fs::write(
                    r.join("content/guide/figures/trial.svg"),
                    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><circle r=\"5\"/></svg>",
                )
                .unwrap();
                vec![r.join("content/guide/figures/trial.svg")]
            }),
            Some(Action::Full),
        ),
        (
            // the pages showing it give its width and height
            "an image that changes size",
            Box::new(|r| {
                std::fs::write(
                    r.join("content/guide/figures/trial.svg"),
                    "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
                )
                .unwrap();
                vec![r.join("content/guide/figures/trial.svg")]
            }),
            Some(Action::Full),
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

/// The findings `build` makes on `root` now, as (code, file), and whether
/// it failed as a program (exit 2) rather than with findings.
fn build_findings(root: &Path) -> Vec<(String, String)> {
    let out = tempfile::tempdir().unwrap();
    let options =
        BuildOptions { root: root.to_path_buf(), output: Some(out.path().join("public")), ..Default::default() };
    let report = build::build(&options).expect("findings, not a failure of the program");
    findings(&report.diagnostics)
}

fn findings(diags: &sourcebook::diagnostics::Diagnostics) -> Vec<(String, String)> {
    let mut found: Vec<_> = diags
        .iter()
        .filter(|d| d.is_error())
        .map(|d| (d.code.as_str().to_string(), d.span.as_ref().map(|s| s.file.clone()).unwrap_or_default()))
        .collect();
    found.sort();
    found
}

/// A file put in the site while `serve` runs that `build` refuses is
/// refused by `serve` too, with the same findings, and the last good site
/// stays served: a large SVG edited to run a script (served as it was, on
/// the preview's origin), a FIFO made among the articles, and a file whose
/// name is not UTF-8 text (for which `build` failed as a program, exit 2,
/// and `check` said nothing).
#[test]
fn a_file_build_refuses_is_refused_by_serve_when_it_appears_while_serving() {
    use std::os::unix::ffi::OsStrExt as _;
    let dir = site("minimal");
    let root = dir.path();
    let svg = root.join("content/basics/figure.svg");
    let drawing = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><!-- {} --><rect width=\"10\" height=\"10\"/></svg>\n",
        "x".repeat(2 << 20)
    );
    std::fs::write(&svg, &drawing).unwrap();
    let mut s = Session::new(root, false).unwrap();
    assert!(!s.has_errors(), "{}", s.diagnostics.render_text(false));
    let good = served(&s);

    let scripted = drawing.replace("<rect", "<script>alert(document.domain)</script><rect");
    let bad_name = root.join(std::ffi::OsStr::from_bytes(b"content/basics/pic\xfe.png"));
    let fifo = root.join("content/basics/pipe.md");
    type Step<'a> = Box<dyn Fn() + 'a>;
    let breaks: [(&str, Step, Step); 3] = [
        (
            "a script in a large SVG",
            Box::new(|| std::fs::write(&svg, &scripted).unwrap()),
            Box::new(|| std::fs::write(&svg, &drawing).unwrap()),
        ),
        (
            "a FIFO among the articles",
            Box::new(|| assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success())),
            Box::new(|| std::fs::remove_file(&fifo).unwrap()),
        ),
        (
            "a name that is not text",
            Box::new(|| std::fs::write(&bad_name, b"x").unwrap()),
            Box::new(|| std::fs::remove_file(&bad_name).unwrap()),
        ),
    ];
    for (what, break_it, fix_it) in &breaks {
        break_it();
        let changed = [svg.clone(), fifo.clone(), bad_name.clone()];
        s.update(&changed, false);
        let want = build_findings(root);
        assert!(!want.is_empty(), "{what}: build refuses it");
        assert_eq!(findings(&s.diagnostics), want, "{what}: serve finds what build finds");
        assert!(served(&s) == good, "{what}: the last good site stays served");
        fix_it();
        s.update(&changed, false);
        assert!(!s.has_errors(), "{what} undone: {}", s.diagnostics.render_text(false));
        assert_same(&s, root, &format!("after undoing {what}"));
    }
}

#[test]
fn the_search_index_follows_an_article_edit_as_a_fresh_build_writes_it() {
    let dir = site("full");
    let root = dir.path();
    let mut s = Session::new(root, false).unwrap();
    assert!(s.files().contains_key("search-index/meta.js"), "serve has the search index");
    assert_same(&s, root, "start");
    let before = served(&s);
    let word = "quetzalcoatlus";
    let has_word = |files: &BTreeMap<String, Vec<u8>>| {
        files.iter().any(|(k, v)| k.starts_with("search-index/stems-") && String::from_utf8_lossy(v).contains(word))
    };
    assert!(!has_word(&before));

    let p = edit(root, "content/guide/cited.md", "A second heading", &format!("A {word} heading"));
    // the page first, the index after (the server publishes in between)
    assert_eq!(s.update_pages(std::slice::from_ref(&p), false), Action::Article("guide/cited.md".into()));
    assert!(s.index_behind());
    let pages_only = served(&s);
    assert!(String::from_utf8_lossy(&pages_only["guide/cited/index.html"]).contains(word));
    assert!(pages_only.iter().filter(|(k, _)| k.starts_with("search-index/")).all(|(k, v)| before[k] == *v));
    assert!(s.update_index());
    assert!(!s.index_behind() && !s.has_errors());
    assert!(has_word(&served(&s)), "the edited article's new word is indexed");
    assert_same(&s, root, "after the edit");

    // an edit back: the word leaves the index as it would a fresh build's
    let p = edit(root, "content/guide/cited.md", &format!("A {word} heading"), "A second heading");
    s.update(&[p], false);
    assert!(!has_word(&served(&s)));
    assert_same(&s, root, "after the edit back");
    assert!(served(&s) == before, "the same site as at the start");
}

#[test]
fn a_large_asset_is_streamed_as_build_copies_it_and_a_fifo_or_link_put_in_its_place_is_refused() {
    let dir = site("minimal");
    let root = dir.path();
    let asset = root.join("content/basics/big.pdf");
    let mut rng = crate::support::Rng(0x5eed);
    let bytes: Vec<u8> = (0..3 * 1024 * 1024 / 8).flat_map(|_| rng.next().to_le_bytes()).collect();
    std::fs::write(&asset, &bytes).unwrap();
    let built = fresh(root);
    let server = Server::start(root);
    let agent = agent();
    let url = format!("{}/basics/big.pdf", server.base);

    let mut r = agent.get(&url).call().unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert_eq!(r.headers()["cache-control"], "no-cache");
    assert_eq!(r.headers()["content-length"], bytes.len().to_string().as_str());
    let etag = r.headers()["etag"].to_str().unwrap().to_string();
    let got = r.body_mut().with_config().limit(64 << 20).read_to_vec().unwrap();
    assert!(got == built["basics/big.pdf"], "the bytes build copies");
    let r = agent.get(&url).header("If-None-Match", &etag).call().unwrap();
    assert_eq!(r.status().as_u16(), 304);
    let r = agent.head(&url).call().unwrap();
    assert_eq!((r.status().as_u16(), r.headers()["content-length"].to_str().unwrap()), (200, "3145728"));

    // a FIFO in its place: refused at once, not waited on
    std::fs::remove_file(&asset).unwrap();
    assert!(Command::new("mkfifo").arg(&asset).status().unwrap().success());
    let started = Instant::now();
    let r = agent.get(&url).call().expect("an answer, not a hang");
    assert_eq!(r.status().as_u16(), 404);
    assert!(started.elapsed() < Duration::from_secs(5));

    // a link out of the site in its place: never followed
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.pdf"), "do not serve").unwrap();
    std::fs::remove_file(&asset).unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret.pdf"), &asset).unwrap();
    for _ in 0..2 {
        // before and after the rebuild the change starts (which keeps the last good site: a link out is an error)
        let mut r = agent.get(&url).call().unwrap();
        assert_eq!(r.status().as_u16(), 404);
        assert!(!r.body_mut().read_to_string().unwrap_or_default().contains("do not serve"));
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// A folder of the site that holds a large asset, replaced by a link to a
/// folder outside it: the asset's name now leads out of the site, and is
/// never followed. (The last good site kept the asset's path, and its
/// file was opened through the link: the outside file was served.)
#[test]
fn a_folder_swapped_for_a_link_out_of_the_site_never_serves_what_is_outside() {
    let dir = site("minimal");
    let root = dir.path();
    std::fs::create_dir(root.join("content/media")).unwrap();
    std::fs::write(root.join("content/media/leaflet.pdf"), vec![b'G'; 2 << 20]).unwrap();
    let server = Server::start(root);
    let agent = agent();
    let url = format!("{}/media/leaflet.pdf", server.base);
    assert_eq!(agent.get(&url).call().unwrap().status().as_u16(), 200);

    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("leaflet.pdf"), "tiny secret").unwrap();
    std::fs::rename(root.join("content/media"), root.join("moved-away")).unwrap();
    std::os::unix::fs::symlink(outside.path(), root.join("content/media")).unwrap();
    for _ in 0..3 {
        // before the rebuild, and after it (which keeps the last good site)
        let mut r = agent.get(&url).call().unwrap();
        let body = r.body_mut().read_to_string().unwrap_or_default();
        assert!(!body.contains("tiny secret"), "served the file outside the site");
        assert_eq!(r.status().as_u16(), 404);
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// An HTTP client that reads every status as an answer, within 10 s.
fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into()
}

/// A running `sourcebook serve` on a free port.
pub(crate) struct Server {
    child: Child,
    pub(crate) base: String,
    /// What it has printed to the terminal since it said where it serves.
    said: std::sync::Arc<std::sync::Mutex<String>>,
    /// The line that says where it serves.
    serving: String,
}

impl Server {
    /// As README says to: `sourcebook serve` run from the site's folder.
    pub(crate) fn start(root: &Path) -> Server {
        Server::start_with(root, &[])
    }

    /// Run from `cwd` with `args` before `serve` (`--root site` for a root
    /// relative to it).
    fn start_with(cwd: &Path, args: &[&str]) -> Server {
        Server::start_serving(cwd, args, &[])
    }

    /// Run from `cwd` with `args` before `serve` and `serve_args` after it.
    fn start_serving(cwd: &Path, args: &[&str], serve_args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sourcebook"))
            .current_dir(cwd)
            .args(args)
            .args(["serve", "--port", "0"])
            .args(serve_args)
            .env("NO_COLOR", "1")
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let line = lines.find_map(|l| l.ok().filter(|l| l.contains("http://"))).expect("a serving line");
        let said = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let kept = said.clone();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                let mut kept = kept.lock().unwrap();
                kept.push_str(&line);
                kept.push('\n');
            }
        });
        let base =
            line[line.find("http://").unwrap()..].split_whitespace().next().unwrap().trim_end_matches('/').to_string();
        Server { child, base, said, serving: line }
    }

    /// Wait until the terminal shows `n` lines starting with `text`; what
    /// it showed so far.
    fn wait_said(&self, text: &str, n: usize) -> String {
        let start = Instant::now();
        loop {
            let said = self.said.lock().unwrap().clone();
            if said.lines().filter(|l| l.starts_with(text)).count() >= n || start.elapsed() > Duration::from_secs(10) {
                return said;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn get(&self, path: &str) -> (u16, String) {
        let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
        let mut r = agent.get(format!("{}{path}", self.base)).call().unwrap();
        (r.status().as_u16(), r.body_mut().read_to_string().unwrap_or_default())
    }

    /// Write `request` as given (a path as is, the absolute form, any
    /// `Host`: what an HTTP client would tidy up) and read the answer, head
    /// and body, until the server closes the connection.
    fn raw(&self, request: &str) -> String {
        let mut stream = TcpStream::connect(self.address()).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        String::from_utf8_lossy(&answer).into_owned()
    }

    /// `127.0.0.1:<port>`.
    fn address(&self) -> &str {
        self.base.trim_start_matches("http://")
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
    assert!(html.contains("<script src=\"/__sourcebook/livereload.js?"), "the reload script is injected when serving");
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

/// A warning a save brings is shown in the terminal in full, where the
/// author is looking, with the file that was rebuilt named in words; the
/// warnings already shown are only counted.
#[test]
fn a_warning_a_save_brings_is_shown_in_full_while_serving() {
    let dir = site("minimal");
    let root = dir.path();
    let server = Server::start(root);
    edit(root, "content/basics/first.md", "A claim with a source", "A <b>bold</b> claim with a source");
    let said = server.wait_said("rebuilt (content/basics/first.md)", 1);
    assert!(said.contains("warning[raw-html]: `<b>` is shown to readers as text"), "{said}");
    assert!(said.contains("--> content/basics/first.md:16:3"), "{said}");
    let line = said.lines().find(|l| l.starts_with("rebuilt (content/basics/first.md)")).unwrap();
    assert!(line.ends_with("1 warning (1 new, shown above)"), "{line}");
    // the next save keeps the warning: counted, not shown again
    edit(root, "content/basics/first.md", "A <b>bold</b> claim", "A <b>bold</b> saved claim");
    let said = server.wait_said("rebuilt (content/basics/first.md)", 2);
    assert_eq!(said.matches("warning[raw-html]").count(), 1, "{said}");
    assert!(said.lines().last().is_some_and(|l| l.ends_with(" ms, 1 warning")), "{said}");
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
    // named by its bytes: kept by the browser across reloads (other bytes, another name)
    assert_eq!(r.headers()["cache-control"], "public, max-age=31536000, immutable");
    let etag = r.headers()["etag"].to_str().unwrap().to_string();
    let r = agent.get(url(&css)).header("If-None-Match", &etag).call().unwrap();
    assert_eq!(r.status().as_u16(), 304);

    let r = agent.head(url("/basics/first/")).call().unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-type"], "text/html; charset=utf-8");
    // a page is asked for again at each reload: it may have been edited
    assert_eq!(r.headers()["cache-control"], "no-cache");

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

/// The value of header `name` in a raw answer's head.
fn header<'a>(answer: &'a str, name: &str) -> Option<&'a str> {
    let head = answer.split("\r\n\r\n").next().unwrap_or_default();
    head.lines().skip(1).find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

#[test]
fn a_redirect_never_names_another_host() {
    let dir = site("minimal");
    let root = dir.path();
    // a folder named like a host (an alias makes one) and one with a space
    let first = root.join("content/basics/first.md");
    let text = std::fs::read_to_string(&first).unwrap();
    std::fs::write(&first, text.replacen("---\n", "---\naliases: [evil.example/x/, \"Old Name/\"]\n", 1)).unwrap();
    let server = Server::start(root);
    let own = format!("http://{}", server.address());
    for (target, want) in [
        ("/basics", "/basics/"),
        ("//basics", "/basics/"),
        ("///basics", "/basics/"),
        ("/./basics", "/basics/"),
        ("/%2Fbasics", "/basics/"),
        ("//evil.example/x", "/evil.example/x/"),
        ("/Old%20Name", "/Old%20Name/"),
        (&format!("{own}//basics"), "/basics/"),
        (&format!("{own}//evil.example/x"), "/evil.example/x/"),
    ] {
        let answer = server.raw(&format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
        assert!(answer.starts_with("HTTP/1.1 301"), "{target}: {answer}");
        assert_eq!(header(&answer, "location"), Some(want), "{target}");
    }
    // a backslash never reaches a location: `/\host` is another host to a browser too
    for target in ["/\\basics", "/%5Cbasics", "/%5C%5Cevil.example/x"] {
        let answer = server.raw(&format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
        assert_eq!(header(&answer, "location"), None, "{target}: {answer}");
    }
}

/// How long `stream` stays open, reading (and dropping) what it is sent,
/// up to `limit`; `None` when it is still open then.
fn closed_within(stream: &mut TcpStream, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    let mut buffer = [0; 4096];
    while started.elapsed() < limit {
        stream.set_read_timeout(Some(limit - started.elapsed() + Duration::from_millis(1))).unwrap();
        match stream.read(&mut buffer) {
            Ok(0) => return Some(started.elapsed()),
            Ok(_) => {}
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
            Err(_) => return Some(started.elapsed()), // reset: closed too
        }
    }
    None
}

#[test]
fn a_request_never_finished_and_an_idle_connection_are_closed() {
    let dir = site("minimal");
    let server = Server::start(dir.path());
    let connect = |sent: &str| {
        let mut stream = TcpStream::connect(server.address()).unwrap();
        stream.write_all(sent.as_bytes()).unwrap();
        stream
    };
    // half a head, nothing at all, and a kept-alive connection after its answer
    let mut half = connect("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    let mut silent = connect("");
    let mut idle = connect("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    for (name, stream) in [("half a request", &mut half), ("no request", &mut silent), ("idle", &mut idle)] {
        let closed = closed_within(stream, Duration::from_secs(15));
        assert!(closed.is_some(), "{name}: still open after 15 s");
    }
}

#[test]
fn the_live_reload_stream_outlives_the_header_timeout() {
    let dir = site("minimal");
    let root = dir.path();
    let server = Server::start(root);
    let mut stream = TcpStream::connect(server.address()).unwrap();
    stream.write_all(b"GET /__sourcebook/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
    let mut lines = BufReader::new(stream).lines();
    // the state events until one with version `want` (the same version
    // comes again when the search index is written after the pages)
    let mut reaches = |want: &str| {
        let version = |line: &str| {
            let after = line.split("\"version\":").nth(1)?;
            Some(after.split([',', '}']).next()?.to_string())
        };
        let started = Instant::now();
        lines
            .by_ref()
            .map_while(Result::ok)
            .take_while(|_| started.elapsed() < Duration::from_secs(15))
            .any(|line| version(&line).as_deref() == Some(want))
    };
    assert!(reaches("1"));
    // longer than a request's head may take: an open page's stream is not a head
    std::thread::sleep(Duration::from_secs(7));
    edit(root, "content/basics/first.md", "A claim with a source", "A later claim with a source");
    assert!(reaches("2"), "the same stream tells the page of the save");
}

#[test]
fn half_sent_requests_hold_no_more_than_the_connection_cap_and_the_server_still_answers() {
    let dir = site("minimal");
    let server = Server::start(dir.path());
    let descriptors = || std::fs::read_dir(format!("/proc/{}/fd", server.child.id())).unwrap().count();
    let before = descriptors();
    let held: Vec<TcpStream> = (0..400)
        .map(|_| {
            let mut stream = TcpStream::connect(server.address()).unwrap();
            stream.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n").unwrap();
            stream
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    let open = descriptors() - before;
    assert!(open <= 256, "{open} connections accepted at once");
    // the held ones time out; a request behind them is answered
    let started = Instant::now();
    let answer = server.raw("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(15));
    drop(held);
}

#[test]
fn a_loopback_preview_answers_no_other_host_against_dns_rebinding() {
    let dir = site("minimal");
    let server = Server::start(dir.path());
    let port = server.address().rsplit(':').next().unwrap().to_string();
    let ask = |target: &str, head: &str| server.raw(&format!("GET {target} {head}Connection: close\r\n\r\n"));
    // a rebinding page's requests name its own host: every route refuses them
    for target in ["/", "/basics/first/", "/__sourcebook/events", "/__sourcebook/livereload.js", "/basics"] {
        for host in ["attacker.example", &format!("attacker.example:{port}"), "localhost.attacker.example"] {
            let answer = ask(target, &format!("HTTP/1.1\r\nHost: {host}\r\n"));
            assert!(answer.starts_with("HTTP/1.1 403"), "{target} for {host}: {answer}");
            assert_eq!(header(&answer, "content-type"), Some("text/plain; charset=utf-8"));
            assert!(answer.contains("answers only to localhost") && !answer.contains("attacker"), "{answer}");
            assert_eq!(header(&answer, "location"), None);
        }
    }
    // the absolute form names its host in the target, whatever Host says
    let answer = ask("http://evil.org//basics", "HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    assert!(answer.starts_with("HTTP/1.1 403") && header(&answer, "location").is_none(), "{answer}");
    // loopback names and addresses, any port, and HTTP/1.0 without a Host
    for host in ["localhost", &format!("localhost:{port}"), &format!("127.0.0.1:{port}"), &format!("[::1]:{port}")] {
        let answer = ask("/", &format!("HTTP/1.1\r\nHost: {host}\r\n"));
        assert!(answer.starts_with("HTTP/1.1 200"), "{host}: {answer}");
    }
    let answer = ask("/", "HTTP/1.0\r\n");
    assert!(answer.starts_with("HTTP/1.0 200") || answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(ask("/", "HTTP/1.1\r\n").starts_with("HTTP/1.1 400"), "HTTP/1.1 must name its host");
}

/// Another site's page that includes the preview's files (a `<script
/// src>` of the search index, whose files call a function the page can
/// define) names the preview's own host, so the `Host` check lets it
/// through: its requests, which the browser marks as another site's
/// resource fetches, are refused, and every answer is for the preview's own
/// pages only (for browsers that do not mark them). A link followed from
/// another site is answered.
#[test]
fn another_site_s_page_cannot_read_the_preview_through_its_scripts() {
    let dir = site("minimal");
    let server = Server::start(dir.path());
    let ask = |target: &str, fetch: &str| {
        server.raw(&format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n{fetch}Connection: close\r\n\r\n"))
    };
    let (status, _) = server.get("/search-index/meta.js");
    assert_eq!(status, 200, "the index is there to be read");
    for target in
        ["/search-index/meta.js", "/", "/basics/first/", "/__sourcebook/events", "/__sourcebook/livereload.js"]
    {
        for (site, mode, dest) in
            [("cross-site", "no-cors", "script"), ("same-site", "no-cors", "script"), ("cross-site", "cors", "empty")]
        {
            let answer =
                ask(target, &format!("Sec-Fetch-Site: {site}\r\nSec-Fetch-Mode: {mode}\r\nSec-Fetch-Dest: {dest}\r\n"));
            assert!(answer.starts_with("HTTP/1.1 403"), "{target} fetched by a {site} page: {answer}");
            assert!(!answer.contains("sourcebookSearchIndex"), "{answer}");
        }
    }
    for fetch in [
        "",
        "Sec-Fetch-Site: same-origin\r\nSec-Fetch-Mode: no-cors\r\nSec-Fetch-Dest: script\r\n",
        "Sec-Fetch-Site: none\r\nSec-Fetch-Mode: navigate\r\nSec-Fetch-Dest: document\r\n",
        "Sec-Fetch-Site: cross-site\r\nSec-Fetch-Mode: navigate\r\nSec-Fetch-Dest: document\r\n",
    ] {
        let answer = ask("/", fetch);
        assert!(answer.starts_with("HTTP/1.1 200"), "{fetch:?}: {answer}");
        assert_eq!(header(&answer, "cross-origin-resource-policy"), Some("same-origin"), "{answer}");
    }
    let refused = ask("/", "Sec-Fetch-Site: cross-site\r\nSec-Fetch-Mode: no-cors\r\n");
    assert_eq!(header(&refused, "cross-origin-resource-policy"), Some("same-origin"), "{refused}");
}

#[test]
fn open_event_streams_cannot_take_every_connection() {
    let dir = site("minimal");
    let server = Server::start(dir.path());
    let open = || {
        let mut stream = TcpStream::connect(server.address()).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        stream.write_all(b"GET /__sourcebook/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
        let mut head = [0; 12];
        stream.read_exact(&mut head).unwrap();
        (String::from_utf8_lossy(&head).into_owned(), stream)
    };
    // a client that keeps opening streams (each held open, as a page holds
    // its own) is refused one long before the server's 256 connections
    let mut held = Vec::new();
    let refused = loop {
        let (status, stream) = open();
        if status != "HTTP/1.1 200" {
            break status;
        }
        held.push(stream);
        assert!(held.len() < 200, "{} streams held and none refused", held.len());
    };
    assert_eq!(refused, "HTTP/1.1 503");
    assert!(held.len() >= 12, "a person's open pages have their streams: {}", held.len());
    // everyone's pages are still served
    let (status, html) = server.get("/basics/first/");
    assert_eq!(status, 200, "{html}");
    // a page closed gives its stream back
    drop(held.pop());
    let start = Instant::now();
    loop {
        let (status, stream) = open();
        if status == "HTTP/1.1 200" {
            held.push(stream);
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "the closed stream was never given back");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_preview_bound_to_another_address_answers_any_host() {
    let dir = site("minimal");
    let server = Server::start_serving(dir.path(), &[], &["--bind", "0.0.0.0"]);
    let answer = server.raw("GET / HTTP/1.1\r\nHost: preview.example:8080\r\nConnection: close\r\n\r\n");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

/// What `serve --port 0` with `args` on the site at `root` says as it
/// stops with a usage error (exit 2).
fn refused_to_serve(root: &Path, args: &[&str]) -> String {
    let out = crate::support::sourcebook()
        .arg("--root")
        .arg(root)
        .args(["serve", "--port", "0"])
        .args(args)
        .timeout(Duration::from_secs(30))
        .assert()
        .code(2)
        .get_output()
        .clone();
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `--bind localhost`, as an author writes it for other servers, is the
/// loopback address; a name that is not an address is a usage error that
/// says what to give.
#[test]
fn a_preview_bound_to_localhost_listens_on_loopback() {
    let dir = site("minimal");
    let server = Server::start_serving(dir.path(), &[], &["--bind", "localhost"]);
    assert!(server.base.starts_with("http://127.0.0.1:"), "{}", server.serving);
    assert_eq!(server.get("/").0, 200);
    let stderr = refused_to_serve(dir.path(), &["--bind", "my-laptop"]);
    assert!(stderr.contains("`my-laptop` is not an IP address"), "{stderr}");
    assert!(stderr.contains("127.0.0.1"), "{stderr}");
}

/// What `serve` says when it starts is what happened: a site with errors
/// is served with its errors counted (its pages list them), and the search
/// index the start left for later is "written", not "written again".
#[test]
fn serve_says_at_start_how_many_errors_it_built_with_and_writes_the_index_once() {
    let dir = site("minimal");
    let server = Server::start(dir.path());
    assert!(!server.serving.contains("error"), "{}", server.serving);
    let said = server.wait_said("search index written", 1);
    assert!(said.lines().any(|l| l.starts_with("search index written in ")), "{said}");
    assert!(!said.contains("written again"), "{said}");
    drop(server);

    edit(dir.path(), "content/basics/first.md", "[@doe2020].", "[@nobody2020].");
    let server = Server::start(dir.path());
    let (status, page) = server.get("/basics/first/");
    assert_eq!(status, 503, "{page}");
    assert!(
        server.serving.contains(" with 1 error (each page lists them until they are fixed); serving "),
        "{}",
        server.serving
    );
}

#[test]
fn an_address_serve_cannot_listen_on_is_a_usage_error() {
    let dir = site("minimal");
    // 192.0.2.1 is TEST-NET-1: documentation only, never an address of this machine
    let stderr = refused_to_serve(dir.path(), &["--bind", "192.0.2.1"]);
    assert!(stderr.contains("error: cannot listen on 192.0.2.1:0"), "{stderr}");
    assert!(stderr.contains("help: choose another --port, or a --bind address of this machine"), "{stderr}");
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

/// A file whose name holds a space or a letter outside ASCII is linked as
/// a URL writes it (`dose%20chart.pdf`, or as written between `<` and `>`),
/// and the address the page gives leads to that file in what `build`
/// writes and in what `serve` answers.
#[test]
fn a_file_named_with_a_space_is_linked_by_its_encoded_name_and_found_by_build_and_serve() {
    let dir = site("minimal");
    let root = dir.path();
    let name = "dose chart é.pdf";
    std::fs::write(root.join("content/basics").join(name), "%PDF-1.4 the chart").unwrap();
    edit(
        root,
        "content/basics/first.md",
        "A claim with a source",
        "[encoded](dose%20chart%20%C3%A9.pdf), [bracketed](<dose chart é.pdf>), [from the root](/basics/dose%20chart%20é.pdf). A claim with a source",
    );
    let built = fresh(root);
    let page = String::from_utf8(built["basics/first/index.html"].clone()).unwrap();
    let hrefs: Vec<&str> = ["encoded", "bracketed", "from the root"]
        .iter()
        .map(|text| {
            let end = page.find(&format!("\">{text}</a>")).unwrap_or_else(|| panic!("a link `{text}`: {page}"));
            let start = page[..end].rfind("href=\"").unwrap() + "href=\"".len();
            &page[start..end]
        })
        .collect();
    let decode = |href: &str| percent_encoding::percent_decode_str(href).decode_utf8().unwrap().into_owned();
    for href in &hrefs {
        assert!(!href.contains(' ') && href.is_ascii(), "an address holds no space or raw letter: {href}");
        let file = crate::support::resolve("basics/first/index.html", &decode(href));
        assert_eq!(file, format!("basics/{name}"), "{href}");
        assert_eq!(built[&file], b"%PDF-1.4 the chart", "{href}");
    }
    let server = Server::start(root);
    for href in &hrefs {
        let absolute = format!("/{}", crate::support::resolve("basics/first/index.html", href));
        let (status, body) = server.get(&absolute);
        assert_eq!((status, body.as_str()), (200, "%PDF-1.4 the chart"), "{absolute}");
    }
}

/// `sourcebook serve` started in `cwd` with its messages sent to the file
/// `log` (`2> log`), once it serves; and the log's text, read on demand.
fn serve_logging_to(cwd: &Path, log: &Path) -> (Child, impl Fn() -> String + use<>) {
    let file = std::fs::File::create(log).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_sourcebook"))
        .current_dir(cwd)
        .args(["serve", "--port", "0"])
        .env("NO_COLOR", "1")
        .stderr(file)
        .spawn()
        .unwrap();
    let log = log.to_path_buf();
    let read = move || std::fs::read_to_string(&log).unwrap_or_default();
    let start = Instant::now();
    while !read().contains("http://") {
        assert!(start.elapsed() < Duration::from_secs(20), "serve never said where it serves: {}", read());
        std::thread::sleep(Duration::from_millis(20));
    }
    (child, read)
}

/// How many lines of `text` start with `start`.
fn lines_starting(text: &str, start: &str) -> usize {
    text.lines().filter(|l| l.starts_with(start)).count()
}

/// Wait until `read()` has a line starting with `start`; its text then.
fn wait_for_line(read: &impl Fn() -> String, start: &str) -> String {
    let begun = Instant::now();
    loop {
        let text = read();
        if lines_starting(&text, start) > 0 || begun.elapsed() > Duration::from_secs(10) {
            return text;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `serve 2> serve.log` run in content/, as README allows: the log is a
/// file of the site, and each line serve wrote to it was a change that
/// rebuilt the site and wrote another line, a hundred times a second,
/// reloading every open page as often. Now a change to serve's own output
/// rebuilds nothing, serve says once why, and a save still rebuilds once.
#[test]
fn serve_writing_its_messages_into_content_never_rebuilds_for_them() {
    let dir = site("minimal");
    let content = dir.path().join("content");
    let (mut child, read) = serve_logging_to(&content, &content.join("serve.log"));
    std::thread::sleep(Duration::from_millis(1500));
    let said = read();
    assert_eq!(lines_starting(&said, "rebuilt"), 0, "no change, no rebuild:\n{said}");
    assert_eq!(lines_starting(&said, "warning: serve writes its messages to content/serve.log"), 1, "{said}");
    edit(dir.path(), "content/basics/first.md", "A claim with a source", "A saved claim with a source");
    wait_for_line(&read, "rebuilt (content/basics/first.md)");
    std::thread::sleep(Duration::from_millis(1500));
    let said = read();
    assert_eq!(lines_starting(&said, "rebuilt"), 1, "one save, one rebuild:\n{said}");
    let _ = child.kill();
    let _ = child.wait();
}

/// A file beside site.yaml (serve's log, a note) is no input of the site,
/// even while the site cannot be built: site.yaml renamed away for a
/// moment (`git stash`) made each write there a rebuild, whose error,
/// written to the log there, made the next one.
#[test]
fn a_file_beside_site_yaml_rebuilds_nothing_even_while_the_site_is_broken() {
    let dir = site("minimal");
    let root = dir.path();
    let (mut child, read) = serve_logging_to(root, &root.join("serve.log"));
    std::fs::rename(root.join("site.yaml"), root.join("site.yaml.old")).unwrap();
    wait_for_line(&read, "kept the last good site");
    std::fs::write(root.join("notes.txt"), "a note").unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let said = read();
    assert_eq!(lines_starting(&said, "kept the last good site"), 1, "one rename, one rebuild:\n{said}");
    std::fs::rename(root.join("site.yaml.old"), root.join("site.yaml")).unwrap();
    let said = wait_for_line(&read, "rebuilt");
    assert_eq!(lines_starting(&said, "rebuilt (the whole site)"), 1, "{said}");
    let _ = child.kill();
    let _ = child.wait();
}
