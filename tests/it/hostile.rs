//! Large hostile inputs that used to take quadratic time or memory finish:
//! each runs the binary under a generous timeout, on an input the old code
//! took tens of seconds to minutes on (release build), and counts what was
//! found. Timings are measured by hand with bench/hostile.py, never here.

use std::path::Path;
use std::time::Duration;

use crate::support::{site, sourcebook};

/// Far more than a linear run needs, even in a debug build on a busy machine.
const GENEROUS: Duration = Duration::from_secs(120);

/// The minimal site with `body` appended to its article.
fn site_with(body: &str) -> tempfile::TempDir {
    let dir = site("minimal");
    let article = dir.path().join("content/basics/first.md");
    let mut text = std::fs::read_to_string(&article).unwrap();
    text.push('\n');
    text.push_str(body);
    std::fs::write(&article, text).unwrap();
    dir
}

/// `check --format json` under [`GENEROUS`]: the exit code and the codes found.
fn check_codes(root: &Path) -> (i32, Vec<String>) {
    let out =
        sourcebook().arg("--root").arg(root).args(["check", "--format", "json"]).timeout(GENEROUS).output().unwrap();
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let codes = json.as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap().to_string()).collect();
    (out.status.code().unwrap_or(-1), codes)
}

fn count(codes: &[String], code: &str) -> usize {
    codes.iter().filter(|c| *c == code).count()
}

/// `build` under [`GENEROUS`]: its exit code.
fn build(root: &Path) -> i32 {
    let out = root.join("public");
    let mut run = sourcebook();
    run.arg("--root").arg(root).args(["--quiet", "build", "--output"]).arg(&out).timeout(GENEROUS);
    run.output().unwrap().status.code().unwrap_or(-1)
}

/// Every external and `#anchor` link counted the lines before it
/// (quadratic in the article's length: 20,000 links took 9.2 s in a
/// release build, so 40,000, about as many as one text's 2 MiB holds, take
/// minutes in the debug build the tests run).
#[test]
fn many_links_in_one_article_find_their_positions_by_binary_search() {
    let mut body = String::from("## H\n\n");
    for i in 0..40_000 {
        body.push_str(&format!("[link {i}](https://example.org/{i})\n\n[x](#h)\n\n"));
    }
    assert_eq!(build(site_with(&body).path()), 0);
}

/// Each finding on one long line kept a copy of the line: 10,000 broken
/// anchors on one line took 31.6 s and 3.16 GB; 20,000 were killed.
#[test]
fn many_findings_on_one_long_line_keep_a_window_of_it_each() {
    let anchors: String = (0..20_000).map(|i| format!("[x{i}](#h{i}) ")).collect();
    let citations: String = (0..16_000).map(|i| format!("y [@m{i}] ")).collect();
    let links: String = (0..16_000).map(|i| format!("[a](nope{i}.md) ")).collect();
    let dir = site_with(&format!("{anchors}\n\n{citations}\n\n{links}\n"));
    let (code, codes) = check_codes(dir.path());
    assert_eq!(code, 1);
    assert_eq!(count(&codes, "broken-anchor"), 20_000);
    assert_eq!(count(&codes, "unknown-source"), 16_000);
    assert_eq!(count(&codes, "broken-link"), 16_000);
}

/// Footnotes were looked up by searching lists, and each undefined one was
/// compared with every defined label for "did you mean" (40,000 and 4,000
/// took 36 s in a release build, minutes in the debug build the tests run;
/// one text holds at most 500,000 Markdown elements, about 40,000 notes).
#[test]
fn many_footnotes_and_many_undefined_ones_are_linear() {
    let mut body = String::new();
    for i in 0..40_000 {
        body.push_str(&format!("Text[^f{i}].\n\n[^f{i}]: Note {i}.\n\n"));
    }
    for i in 0..4_000 {
        body.push_str(&format!("Missing[^g{i}].\n\n"));
    }
    let (code, codes) = check_codes(site_with(&body).path());
    assert_eq!(code, 1);
    assert_eq!(count(&codes, "unknown-footnote"), 4_000);
}

/// Each broken anchor was compared with every heading of its page for "did
/// you mean" (8,000 of each took 28 s in a release build, so 20,000 take
/// minutes): that help now has a budget per file.
#[test]
fn many_broken_anchors_among_many_headings_are_bounded() {
    let mut body = String::new();
    for i in 0..20_000 {
        body.push_str(&format!("## Heading {i}\n\n[x](#nope-{i})\n\n"));
    }
    let (code, codes) = check_codes(site_with(&body).path());
    assert_eq!(code, 1);
    assert_eq!(count(&codes, "broken-anchor"), 20_000);
}

/// `build` panicked ("failed printing to stderr: Broken pipe", exit 101)
/// when the reader of its stderr was gone (`build 2>&1 | true`); so did
/// `review sign` with errors. Every command's output goes through `ui`,
/// which takes a closed stream as nobody left to tell.
#[test]
fn a_closed_stdout_or_stderr_is_no_panic() {
    let dir = site_with("A link to [nowhere](missing.md).\n");
    let root = dir.path().to_str().unwrap().to_string();
    let out = dir.path().join("public").to_str().unwrap().to_string();
    let commands: [&[&str]; 6] = [
        &["build", "--output", &out],
        &["--verbose", "build", "--output", &out],
        &["check"],
        &["check", "--format", "json"],
        &["review", "sign", "content/basics/first.md", "--by", "nobody", "--role", "editorial"],
        &["source", "add", "nothing-at-all"],
    ];
    for args in commands {
        // both ends closed before the command starts: its first write fails
        let (stderr_read, stderr_write) = std::io::pipe().unwrap();
        let (stdout_read, stdout_write) = std::io::pipe().unwrap();
        drop((stderr_read, stdout_read));
        let status = std::process::Command::new(assert_cmd::cargo::cargo_bin("sourcebook"))
            .arg("--root")
            .arg(&root)
            .args(args)
            .stdout(stdout_write)
            .stderr(stderr_write)
            .status()
            .unwrap();
        assert_ne!(status.code(), Some(101), "{args:?} panicked");
        assert!(status.code().is_some(), "{args:?} was killed: {status}");
    }
    // and with only stderr closed, what reaches stdout says no panic happened
    let (stderr_read, stderr_write) = std::io::pipe().unwrap();
    drop(stderr_read);
    let output = std::process::Command::new(assert_cmd::cargo::cargo_bin("sourcebook"))
        .arg("--root")
        .arg(&root)
        .args(["build", "--output", &out])
        .stderr(stderr_write)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(!String::from_utf8_lossy(&output.stdout).contains("panicked"));
}
