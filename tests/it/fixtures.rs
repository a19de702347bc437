//! Each `tests/fixtures/invalid/<case>/` is laid over the minimal site and
//! must yield the diagnostic its `expected` file names: severity, code, file,
//! line and column.

use sourcebook::check::{CheckOptions, check};
use sourcebook::diagnostics::Severity;

use crate::support::{build_at, copy_tree, fixtures, site, sourcebook};

struct Expected {
    /// Found by `check` (the editor's review) rather than `build`.
    check: bool,
    severity: Severity,
    code: String,
    file: String,
    /// `None` where no position applies (written `-`).
    position: Option<(usize, usize)>,
}

fn expected(case: &str) -> Expected {
    let text = std::fs::read_to_string(fixtures().join("invalid").join(case).join("expected")).unwrap();
    let mut parts: Vec<&str> = text.split_whitespace().collect();
    let check = parts[0] == "check";
    if check {
        parts.remove(0);
    }
    Expected {
        check,
        severity: if parts[0] == "error" { Severity::Error } else { Severity::Warning },
        code: parts[1].into(),
        file: parts[2].into(),
        position: parts[3].parse().ok().zip(parts[4].parse().ok()),
    }
}

fn cases() -> Vec<String> {
    let mut cases: Vec<String> = std::fs::read_dir(fixtures().join("invalid"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    cases.sort();
    cases
}

#[test]
fn every_invalid_fixture_yields_its_code_file_line_and_column() {
    let mut failures = Vec::new();
    for case in cases() {
        let want = expected(&case);
        let (diagnostics, built) = if want.check {
            (check_fixture(&case).0, None)
        } else {
            let dir = site("minimal");
            copy_tree(&fixtures().join("invalid").join(&case), dir.path());
            let report = build_at(dir.path());
            let built = report.written.is_some();
            (report.diagnostics, Some(built))
        };
        let found = diagnostics.iter().any(|d| {
            d.code.as_str() == want.code
                && d.severity == want.severity
                && d.file.as_deref() == Some(want.file.as_str())
                && d.span.as_ref().map(|s| (s.line, s.column)) == want.position
        });
        if !found {
            let got: Vec<String> = diagnostics
                .iter()
                .map(|d| {
                    format!(
                        "{:?} {} {:?} {:?}",
                        d.severity,
                        d.code.as_str(),
                        d.file,
                        d.span.as_ref().map(|s| (s.line, s.column))
                    )
                })
                .collect();
            failures.push(format!(
                "{case}: want {:?} {} {}:{:?}, got {got:?}",
                want.severity, want.code, want.file, want.position
            ));
        }
        if let Some(built) = built
            && built == (want.severity == Severity::Error)
        {
            failures.push(format!("{case}: an error must stop the build and a warning must not (built: {built})"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_diagnostic_code_has_a_fixture() {
    let covered: Vec<String> = cases().iter().map(|c| expected(c).code).collect();
    for code in sourcebook::diagnostics::Code::ALL {
        // needs a network or a server: covered by check::external_links_are_probed;
        // a failing disk: output_safety::a_write_failing_mid_build_is_an_io_error_and_keeps_the_previous_site
        if ["external-unreachable", "io-error"].contains(&code.as_str()) {
            continue;
        }
        assert!(covered.iter().any(|c| c == code.as_str()), "no fixture triggers `{}`", code.as_str());
    }
}

#[test]
fn cli_reports_rustc_style_and_exits_1() {
    let dir = site("minimal");
    copy_tree(&fixtures().join("invalid/unknown-source"), dir.path());
    let out = sourcebook().arg("--root").arg(dir.path()).arg("build").assert().code(1).get_output().clone();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("error[unknown-source]: no source with id `doe2002`"), "{stderr}");
    assert!(stderr.contains("--> content/basics/first.md:7:30"), "{stderr}");
    assert!(stderr.contains("Known [@doe2020] and a typo [@doe2002]."), "{stderr}");
    assert!(stderr.contains("did you mean `doe2020`?"), "{stderr}");
    assert!(stderr.contains("1 error, 0 warnings"), "{stderr}");
}

#[test]
fn all_errors_are_reported_at_once() {
    let dir = site("minimal");
    copy_tree(&fixtures().join("invalid/unknown-source"), dir.path());
    copy_tree(&fixtures().join("invalid/unknown-key-source"), dir.path());
    let report = build_at(dir.path());
    let codes: Vec<&str> = report.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert!(codes.contains(&"unknown-key") && codes.contains(&"unknown-source"), "{codes:?}");
}

/// What `check` finds in a fixture laid over the minimal site, on a fixed
/// day so dates in messages do not move; and the site's folder, whose path
/// no message may hold.
fn check_fixture(case: &str) -> (sourcebook::diagnostics::Diagnostics, tempfile::TempDir) {
    let dir = site("minimal");
    copy_tree(&fixtures().join("invalid").join(case), dir.path());
    let options = CheckOptions {
        root: dir.path().to_path_buf(),
        drafts: false,
        external: None,
        today: jiff::civil::date(2026, 11, 29),
        sources: None,
    };
    (check(&options).unwrap().diagnostics, dir)
}

/// What `check` says about a fixture, as an author reads it in a terminal.
fn check_text(case: &str) -> String {
    check_fixture(case).0.render_text(false)
}

/// The exact words of every fixture's diagnostics, pinned: a change to any
/// message shows up in review as a changed snapshot
/// (docs/diagnostics-style.md says how a message is written).
#[test]
fn every_fixture_says_exactly_its_pinned_words() {
    for case in cases() {
        insta::assert_snapshot!(format!("fixture__{case}"), check_text(&case));
    }
}

/// Words of the libraries sourcebook is built on, which an author never
/// wrote and cannot act on (docs/diagnostics-style.md, "The message").
const LIBRARY_WORDS: &[&str] = &[
    "serde",
    "hayagriva",
    "jiff",
    "libyaml",
    "pulldown",
    "invalid type:",
    "unknown variant",
    "expected struct",
    "while parsing",
    "while scanning",
    "timestamp",
    "i64",
    "u32",
    "usize",
    "a sequence",
    "scalar",
    "unwrap",
    "panicked",
];

/// Every diagnostic every fixture yields (not only the one it is for)
/// follows docs/diagnostics-style.md where a machine can tell.
#[test]
fn every_diagnostic_follows_the_style_guide() {
    let mut failures = Vec::new();
    for case in cases() {
        let (diagnostics, dir) = check_fixture(&case);
        for d in diagnostics.iter() {
            let mut fail = |why: &str| failures.push(format!("{case}: [{}] {}: {why}", d.code.as_str(), d.message));
            let help = d.help.as_deref().unwrap_or_default();
            let said = format!("{} {help}", d.message).to_lowercase();
            for word in LIBRARY_WORDS {
                // Tera's own messages are kept for theme authors, who write Tera
                if said.contains(word) && d.code.as_str() != "template-error" {
                    fail(&format!("a library's word `{word}`"));
                }
            }
            if d.message.ends_with('.') {
                fail("the message ends with a full stop");
            }
            if d.message.contains('\n') {
                fail("the message runs over several lines");
            }
            let first = d.message.split([' ', ':']).next().unwrap_or_default();
            if first.chars().next().is_some_and(char::is_uppercase)
                && first.chars().filter(|c| c.is_alphabetic()).any(char::is_lowercase)
                && !["February", "Crossref", "PubMed"].contains(&first)
            {
                fail("the message starts with a capital (not a name or an abbreviation)");
            }
            if d.is_error() && d.help.is_none() {
                fail("an error without help");
            }
            if let Some(span) = &d.span {
                if span.line == 0
                    || span.column < span.shown_from.max(1)
                    || span.column + 1 - span.shown_from > span.source_line.chars().count() + 1
                {
                    fail("the position is outside its line");
                }
                if d.file.is_some() && d.file.as_deref() != Some(span.file.as_str()) {
                    fail("the file and the position's file differ");
                }
            }
            if let Some(suggested) = help.split("did you mean `").nth(1).and_then(|s| s.split('`').next()) {
                let written = d.message.split('`').nth(1).unwrap_or_default();
                let at_caret = d.span.as_ref().map(|s| s.source_line.as_str()).unwrap_or_default();
                if suggested == written || at_caret.contains(&format!("({suggested})")) {
                    fail("\"did you mean\" repeats what was written");
                }
            }
            if said.contains(&dir.path().to_string_lossy().to_lowercase()) {
                fail("an absolute path: files are named from the site root");
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
