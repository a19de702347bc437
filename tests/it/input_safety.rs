//! What the site's files can do to a build: every file is read through
//! `sourcebook::input` (links kept inside the site, regular files only, a
//! size limit, never blocking) and every YAML through `yaml.rs`'s limits.
//! Each test names the input that used to hang, exhaust memory, publish what
//! it should not, or fail without a code.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use sourcebook::build::{BuildOptions, BuildReport, build};
use sourcebook::diagnostics::Diagnostic;

use crate::support::{site, snapshot_tree, sourcebook};

/// A build that must finish in seconds: run on a thread, so one that hangs
/// (reading a FIFO, or `/dev/zero`) fails the test instead of stalling it.
fn build_within(root: &Path, drafts: bool) -> BuildReport {
    let options = BuildOptions { root: root.to_path_buf(), drafts, ..BuildOptions::default() };
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(build(&options).unwrap());
    });
    rx.recv_timeout(Duration::from_secs(20)).expect("the build did not finish within 20 s")
}

fn mkfifo(path: &Path) {
    let _ = std::fs::remove_file(path);
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success(), "mkfifo {}", path.display());
}

/// The diagnostic with `code` about `file`, or a panic listing what there was.
fn find<'a>(report: &'a BuildReport, code: &str, file: &str) -> &'a Diagnostic {
    report.diagnostics.iter().find(|d| d.code.as_str() == code && d.file.as_deref() == Some(file)).unwrap_or_else(
        || {
            let got: Vec<_> = report.diagnostics.iter().map(|d| (d.code.as_str(), d.file.clone())).collect();
            panic!("no {code} for {file}; got {got:?}")
        },
    )
}

#[test]
fn fifo_at_site_yaml_is_a_diagnostic_not_a_hang() {
    let dir = site("minimal");
    mkfifo(&dir.path().join("site.yaml"));
    let report = build_within(dir.path(), false);
    let d = find(&report, "unreadable-file", "site.yaml");
    assert!(d.message.contains("FIFO") && d.help.is_some(), "{d:?}");
    assert!(report.written.is_none());
}

#[test]
fn fifo_at_sources_yaml_is_a_diagnostic_not_a_hang() {
    // read twice: ahead, beside the content walk, and by the walk
    let dir = site("minimal");
    mkfifo(&dir.path().join("content/sources.yaml"));
    let report = build_within(dir.path(), false);
    find(&report, "unreadable-file", "content/sources.yaml");
    assert!(report.written.is_none());
}

/// Run as a child under a 2 GB address-space limit, so a regression (which
/// reads the device until memory runs out) fails instead of filling the
/// machine; what the build read is in its shell's I/O count, which takes in
/// the child's once it is reaped.
#[cfg(target_os = "linux")]
#[test]
fn sources_yaml_linked_to_dev_zero_is_unsafe_path_and_never_read() {
    let dir = site("minimal");
    let sources = dir.path().join("content/sources.yaml");
    std::fs::remove_file(&sources).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &sources).unwrap();
    let script = r#"ulimit -v 2000000 && "$@"; echo "exit $?"; cat /proc/$$/io"#;
    let out = assert_cmd::Command::new("sh")
        .args(["-c", script, "sh", env!("CARGO_BIN_EXE_sourcebook"), "--root"])
        .arg(dir.path())
        .arg("build")
        .env("NO_COLOR", "1")
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("exit 1"), "{stdout}\n{stderr}");
    assert!(stderr.contains("error[unsafe-path]") && stderr.contains("--> content/sources.yaml"), "{stderr}");
    let read: u64 = stdout
        .lines()
        .find_map(|l| l.strip_prefix("rchar:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no rchar in {stdout}"));
    assert!(read < 64 << 20, "the build read {read} bytes: /dev/zero was read");
    assert!(!dir.path().join("public").exists());
}

/// `repeat` aliases of a 100 kB anchored string: 20 MB once expanded, from
/// a file of 100 kB (as a 1 MB string made a 210 MB page).
fn laughs(repeat: usize) -> (String, String) {
    let long = "ha ".repeat(100_000 / 3);
    let aliases = vec!["*laugh"; repeat].join(", ");
    (long, aliases)
}

#[test]
fn billion_laughs_in_front_matter_is_refused() {
    let dir = site("minimal");
    let (long, aliases) = laughs(200);
    let page = format!(
        "---\ntitle: &laugh \"{long}\"\ndescription: \"Aliases.\"\ndate: 2024-01-02\nkey_points: [{aliases}]\n---\n\nText.\n"
    );
    std::fs::write(dir.path().join("content/basics/laughs.md"), page).unwrap();
    let report = build_within(dir.path(), false);
    let d = find(&report, "front-matter-yaml", "content/basics/laughs.md");
    assert!(d.message.contains("aliases expand"), "{d:?}");
    assert!(report.written.is_none());
}

/// Markdown dense with markup is refused before it exhausts the memory:
/// 15 MB of `**a** ` (under the 16 MiB file limit) took 3 GB to build, 1.5
/// GB of it in the Markdown parser's own tree. A text over 2 MiB is an error
/// where the limit falls; one with more than 500,000 elements, at the next.
/// A page of the same size as prose builds.
#[test]
fn markdown_too_long_or_too_dense_to_render_is_an_error_at_its_place() {
    let head = "---\ntitle: \"Dense\"\ndescription: \"Markup.\"\ndate: 2024-01-02\n---\n\n";
    for (body, message, line, column) in [
        ("**a** ".repeat(2_600_000), "this text is 14.9 MiB of Markdown; at most 2 MiB", 7, 2_097_152),
        (
            "**a** ".repeat(200_000),
            "this text has more than 500000 Markdown elements; here is the next one",
            7,
            750_000,
        ),
    ] {
        let dir = site("minimal");
        std::fs::write(dir.path().join("content/basics/dense.md"), format!("{head}{body}\n")).unwrap();
        let report = build_within(dir.path(), false);
        let d = find(&report, "invalid-value", "content/basics/dense.md");
        assert!(d.message.starts_with(message), "{d:?}");
        assert_eq!(d.span.as_ref().map(|s| (s.line, s.column)), Some((line, column)), "{message}");
        assert!(d.help.as_deref().is_some_and(|h| h.starts_with("split it into several pages")), "{d:?}");
        assert!(report.written.is_none());
    }
    let dir = site("minimal");
    let prose = "A plain word. ".repeat(140_000);
    std::fs::write(dir.path().join("content/basics/long.md"), format!("{head}{prose}\n")).unwrap();
    let report = build_within(dir.path(), false);
    assert!(report.written.is_some(), "{:?}", report.diagnostics);
}

#[test]
fn billion_laughs_in_sources_yaml_is_refused() {
    let dir = site("minimal");
    let (long, _) = laughs(0);
    let mut yaml = std::fs::read_to_string(dir.path().join("content/sources.yaml")).unwrap();
    yaml.push_str(&format!("laugh0:\n  type: misc\n  title: &laugh \"{long}\"\n"));
    for i in 1..200 {
        yaml.push_str(&format!("laugh{i}: {{ type: misc, title: *laugh }}\n"));
    }
    std::fs::write(dir.path().join("content/sources.yaml"), yaml).unwrap();
    let report = build_within(dir.path(), false);
    let d = find(&report, "front-matter-yaml", "content/sources.yaml");
    assert!(d.message.contains("aliases expand"), "{d:?}");
    assert!(report.written.is_none());
}

#[test]
fn hidden_folders_and_editor_leftovers_are_not_published() {
    let dir = site("minimal");
    let content = dir.path().join("content");
    for folder in [".git", ".secret"] {
        std::fs::create_dir_all(content.join(folder)).unwrap();
    }
    let leftovers = [
        ".git/config",
        ".secret/x",
        "basics/a.md~",
        "basics/#a.md#",
        "basics/a.md.orig",
        "basics/.a.md.swp",
        "basics/a.bak",
        "basics/4913",
        ".DS_Store",
        "basics/Thumbs.db",
    ];
    for file in leftovers {
        std::fs::write(content.join(file), "---\nnot: [valid\n").unwrap();
    }
    // Emacs's lock file is a link to nowhere: ignored, not an unsafe path
    std::os::unix::fs::symlink("someone@host.1234:1700000000", content.join("basics/.#a.md")).unwrap();
    std::fs::write(content.join("basics/kept.txt"), "published").unwrap();
    let report = build_within(dir.path(), false);
    assert!(report.diagnostics.is_empty(), "{:?}", report.diagnostics);
    let public = dir.path().join("public");
    let published: Vec<String> =
        snapshot_tree(&public).into_iter().map(|(p, _)| p.to_string_lossy().into_owned()).collect();
    assert!(published.contains(&"basics/kept.txt".to_string()), "{published:?}");
    for file in leftovers.iter().chain(&["basics/.#a.md"]) {
        assert!(!public.join(file).exists(), "{file} was published");
    }
    // the output's own marker is its only hidden file
    let hidden: Vec<&String> =
        published.iter().filter(|p| p.split('/').any(|c| c.starts_with('.')) && *p != ".sourcebook-output").collect();
    assert!(hidden.is_empty(), "{hidden:?}");
}

#[test]
fn draft_bundle_files_are_published_only_with_drafts() {
    let dir = site("minimal");
    let bundle = dir.path().join("content/basics/draft-article");
    std::fs::create_dir_all(bundle.join("figures")).unwrap();
    std::fs::write(
        bundle.join("index.md"),
        "---\ntitle: \"Draft\"\ndescription: \"Not yet.\"\ndate: 2024-01-02\ndraft: true\n---\n\n![A figure](img.png)\n",
    )
    .unwrap();
    std::fs::write(bundle.join("img.png"), "png").unwrap();
    std::fs::write(bundle.join("figures/more.png"), "png").unwrap();
    let public = dir.path().join("public");
    let report = build_within(dir.path(), false);
    assert!(report.written.is_some(), "{:?}", report.diagnostics);
    for file in ["basics/draft-article/img.png", "basics/draft-article/figures/more.png"] {
        assert!(!public.join(file).exists(), "{file} of a draft was published");
    }
    let report = build_within(dir.path(), true);
    assert!(report.written.is_some(), "{:?}", report.diagnostics);
    for file in
        ["basics/draft-article/index.html", "basics/draft-article/img.png", "basics/draft-article/figures/more.png"]
    {
        assert!(public.join(file).exists(), "{file} missing with --drafts");
    }
}

#[test]
fn byte_order_marks_are_accepted_in_site_yaml_and_other_text_files() {
    let dir = site("minimal");
    for file in ["site.yaml", "content/sources.yaml", "content/basics/first.md"] {
        let path = dir.path().join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, format!("\u{feff}{text}")).unwrap();
    }
    let report = build_within(dir.path(), false);
    assert!(report.diagnostics.is_empty(), "{:?}", report.diagnostics);
    assert!(report.written.is_some());
}

/// Whether this process can read a file it has no permission for (root).
fn reads_anything(path: &Path) -> bool {
    std::fs::read(path).is_ok()
}

#[test]
fn unreadable_file_is_a_coded_diagnostic_and_check_json_still_prints() {
    let dir = site("minimal");
    // a FIFO cannot be read by anyone, root included
    mkfifo(&dir.path().join("content/sources.yaml"));
    let mut unreadable = vec!["content/sources.yaml"];
    let first = dir.path().join("content/basics/first.md");
    std::fs::set_permissions(&first, std::os::unix::fs::PermissionsExt::from_mode(0o000)).unwrap();
    if reads_anything(&first) {
        eprintln!("note: running as root, so chmod 000 leaves content/basics/first.md readable: not tested");
    } else {
        unreadable.push("content/basics/first.md");
    }
    let out = sourcebook()
        .arg("--root")
        .arg(dir.path())
        .args(["check", "--format", "json"])
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    for file in &unreadable {
        assert!(
            json.as_array().unwrap().iter().any(|d| d["code"] == "unreadable-file" && d["file"] == *file),
            "no unreadable-file for {file}: {json}"
        );
    }
    let out =
        sourcebook().arg("--root").arg(dir.path()).arg("build").timeout(Duration::from_secs(20)).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("error[unreadable-file]") && stderr.contains("--> content/sources.yaml"), "{stderr}");
    std::fs::set_permissions(&first, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
}

/// A text readers see that is empty, only spaces or only characters that
/// show nothing (a zero-width space, a soft hyphen) is an error at its
/// place, in every file that has one: a page titled "" shows an empty
/// heading and tab, a key point of nothing an empty bullet, a reference
/// with no title a number and a journal. The build stops before writing.
#[test]
fn an_empty_text_readers_would_see_is_an_error_at_its_place() {
    let first = "content/basics/first.md";
    // each text with what it says, and the ways of writing nothing in its
    // place: empty, spaces, and YAML's null, which the reader hands a text
    // field as its letters (a page titled "~", a question saying "null")
    let cases: &[(&str, &str, &[&str], &str, usize)] = &[
        (
            first,
            "title: \"First article\"",
            // characters that show nothing: an empty heading all the same
            &["title: \"  \"", "title: \"\"", "title: ~", "title: \"\\u200b\\u2060\\u200e\""],
            "`title` is empty",
            2,
        ),
        (
            first,
            "description: \"An article that cites a source.\"",
            &["description: \"\"", "description: null", "description: \"\\u00ad\""],
            "`description` is empty",
            3,
        ),
        (first, "  - \"Another point.\"", &["  - \"\"", "  - ~", "  - \"\\u3164\""], "key point 2 is empty", 8),
        (
            first,
            "  - q: \"Is this a question?\"",
            &["  - q: ~", "  - q: \"\\u200b\""],
            "FAQ entry 1 has an empty `q`",
            10,
        ),
        (first, "    a: \"Yes, and it is sourced [@doe2020].\"", &["    a: Null"], "FAQ entry 1 has an empty `a`", 11),
        ("content/basics/_index.md", "title: \"Basics\"", &["title: \"\"", "title: NULL"], "`title` is empty", 2),
        ("site.yaml", "title: \"Minimal site\"", &["title: \" \"", "title: ~"], "`title` is empty", 1),
        ("content/sources.yaml", "  title: An example study", &["  title: \"\"", "  title: ~"], "`title` is empty", 3),
    ];
    for (file, from, to, message, line) in
        cases.iter().flat_map(|&(f, from, tos, m, l)| tos.iter().map(move |to| (f, from, *to, m, l)))
    {
        let dir = site("minimal");
        let path = dir.path().join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{file}: {from}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
        let report = build_within(dir.path(), false);
        assert!(report.written.is_none(), "{file} {to}: the build must stop");
        let found = report.diagnostics.iter().find(|d| d.message.starts_with(message));
        let found = found.unwrap_or_else(|| panic!("{to}: {:?}", report.diagnostics));
        assert_eq!(
            (found.code.as_str(), found.file.as_deref(), found.line()),
            ("invalid-value", Some(file), Some(line))
        );
    }
}

/// A glossary word (term or alias, in any case) two terms claim, or an
/// empty one, is an error: the text would link the word to whichever
/// definition came first and call the other unused.
#[test]
fn a_glossary_word_two_terms_claim_is_an_error() {
    for (glossary, message) in [
        (
            "alpha:\n  definition: A.\n  aliases: [ketamine]\ngamma:\n  definition: G.\n  aliases: [Ketamine]\n",
            "`ketamine` names two glossary terms, `alpha` and `gamma`",
        ),
        ("BDNF: A protein.\nbdnf: The same protein.\n", "`bdnf` names two glossary terms, `BDNF` and `bdnf`"),
        (
            "alpha:\n  definition: A.\n  aliases: [beta]\nbeta: B.\n",
            "`beta` names two glossary terms, `alpha` and `beta`",
        ),
        ("\"\": Nothing.\n", "a glossary term or alias is empty"),
        ("alpha: ~\n", "glossary term `alpha` needs a `definition:` (and optional `aliases:`)"),
        ("~: Nothing.\n", "a glossary term or alias is empty"),
    ] {
        let dir = site("minimal");
        std::fs::write(dir.path().join("content/glossary.yaml"), glossary).unwrap();
        let report = build_within(dir.path(), false);
        assert!(report.written.is_none(), "{glossary}");
        let found = report.diagnostics.iter().find(|d| d.message == message);
        let found = found.unwrap_or_else(|| panic!("{glossary}: {:?}", report.diagnostics));
        assert_eq!((found.code.as_str(), found.file.as_deref()), ("invalid-value", Some("content/glossary.yaml")));
        assert!(found.line().is_some());
    }
}

/// YAML's null (`~`, `null`) where a list or a record wants words is
/// nothing, as an empty text is: the reader hands it over as its letters,
/// which would show readers a tag, a name or a change called "~".
#[test]
fn yaml_s_null_where_words_are_wanted_is_an_error_not_the_word_null() {
    let first = "content/basics/first.md";
    let cases: &[(&str, &str, &str, &str)] = &[(first, "key_points:", "tags: [null]\nkey_points:", "an empty tag")];
    for &(file, from, to, message) in cases {
        let dir = site("minimal");
        let path = dir.path().join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
        let report = build_within(dir.path(), false);
        let found = report.diagnostics.iter().find(|d| d.message.starts_with(message));
        let found = found.unwrap_or_else(|| panic!("{to}: {:?}", report.diagnostics));
        assert_eq!((found.code.as_str(), found.file.as_deref()), ("invalid-value", Some(file)), "{to}");
        assert!(found.line().is_some(), "{to}");
    }
    // an optional text left as YAML's null is none: no topic page says "~"
    let dir = site("minimal");
    let topic = dir.path().join("content/basics/_index.md");
    let text = std::fs::read_to_string(&topic).unwrap();
    std::fs::write(&topic, text.replacen("description: \"Start here.\"", "description: ~", 1)).unwrap();
    let report = build_within(dir.path(), false);
    assert!(report.written.is_some(), "{:?}", report.diagnostics);
    for page in ["public/basics/index.html", "public/index.html"] {
        let html = std::fs::read_to_string(dir.path().join(page)).unwrap();
        assert!(!html.contains(">~<") && !html.contains("lede\">~"), "{page}: {html}");
    }
    let dir = site("minimal");
    std::fs::write(dir.path().join("content/people.yaml"), "ed:\n  name: ~\n  roles: [editor]\n").unwrap();
    let report = build_within(dir.path(), false);
    let found = report.diagnostics.iter().find(|d| d.message.contains("must be text, not nothing"));
    let found = found.unwrap_or_else(|| panic!("{:?}", report.diagnostics));
    assert_eq!((found.code.as_str(), found.file.as_deref()), ("invalid-value", Some("content/people.yaml")));
}

/// A source's title the citation library would print without some of its
/// characters (a `$`, which starts a formula to it; a brace without its
/// pair) is an error at the title: "costs $500" would read "costs 500".
/// `{BDNF}` (words kept as written) and `\$500` print as meant.
#[test]
fn a_source_title_that_would_lose_characters_is_an_error_at_the_title() {
    for (title, message) in [
        ("\"Ketamine costs $500 a dose\"", "a `$` starts a formula"),
        ("\"A study }of{ dosing\"", "a `}` closes no `{`"),
        ("\"The {R-enantiomer\"", "a `{` is never closed"),
        ("{ value: \"Fine\", short: \"$hort\" }", "a `$` starts a formula"),
    ] {
        let (_dir, report) = with_source_title(title);
        let found = report.diagnostics.iter().find(|d| d.message.contains(message));
        let found = found.unwrap_or_else(|| panic!("{title}: {:?}", report.diagnostics));
        assert_eq!(
            (found.code.as_str(), found.file.as_deref(), found.line()),
            ("invalid-value", Some("content/sources.yaml"), Some(3)),
            "{title}"
        );
    }
    for (title, shown) in [
        ("\"Levels of {BDNF} after ketamine\"", "Levels of BDNF after ketamine"),
        ("'Costs \\$500 a dose'", "Costs $500 a dose"),
    ] {
        let (dir, report) = with_source_title(title);
        assert!(report.written.is_some(), "{title}: {:?}", report.diagnostics);
        let list = std::fs::read_to_string(dir.path().join("public/sources/index.html")).unwrap();
        assert!(list.contains(shown), "{title}: {list}");
    }
}

/// The minimal site with its source's title written as `title`, built.
fn with_source_title(title: &str) -> (tempfile::TempDir, BuildReport) {
    let dir = site("minimal");
    let path = dir.path().join("content/sources.yaml");
    let text =
        std::fs::read_to_string(&path).unwrap().replacen("  title: An example study", &format!("  title: {title}"), 1);
    std::fs::write(&path, text).unwrap();
    let report = build_within(dir.path(), false);
    (dir, report)
}
