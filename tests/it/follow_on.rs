//! One mistake, one error: what only follows from an entity that failed to
//! load (links to an article whose front matter has an error, citations of
//! a source whose entry or file has one) is not reported again, so the real
//! error is the one the author sees. Tried on a copy of the shipped site,
//! where many pages link to each other and cite the same sources.

use std::collections::BTreeMap;
use std::path::Path;

use sourcebook::diagnostics::Diagnostic;

use crate::support::{build_at, copy_tree};

/// A copy of the shipped site (site.yaml and content/).
fn shipped() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(repo.join("site.yaml"), dir.path().join("site.yaml")).unwrap();
    copy_tree(&repo.join("content"), &dir.path().join("content"));
    dir
}

/// The day the shipped content was last signed: a day on which none of it
/// is dated in the future and no review is overdue, whenever the test runs.
fn last_signed(root: &Path) -> jiff::civil::Date {
    let text = std::fs::read_to_string(root.join("content/reviews.yaml")).unwrap();
    let record: BTreeMap<String, Vec<yaml_serde::Value>> = yaml_serde::from_str(&text).unwrap();
    let days = record.values().flatten().map(|review| review["on"].as_str().unwrap().parse().unwrap());
    days.max().expect("the shipped content is signed")
}

fn replace(root: &Path, rel: &str, from: &str, to: &str) {
    let path = root.join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{rel} has no `{from}`");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

fn errors(root: &Path) -> Vec<(String, String, Option<usize>)> {
    let report = build_at(root);
    report
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d: &Diagnostic| (d.code.as_str().to_string(), d.file.clone().unwrap_or_default(), d.line()))
        .collect()
}

#[test]
fn a_front_matter_typo_is_one_error_not_a_broken_link_on_every_page_that_links_there() {
    let dir = shipped();
    assert!(errors(dir.path()).is_empty(), "the shipped site builds");
    replace(dir.path(), "content/safety/side-effects.md", "\ntitle:", "\ntitel:");
    assert_eq!(errors(dir.path()), [("unknown-key".into(), "content/safety/side-effects.md".into(), Some(2))]);
}

#[test]
fn a_key_typo_in_a_source_is_one_error_not_one_per_citation() {
    let dir = shipped();
    replace(dir.path(), "content/sources.yaml", "anand2023:\n  type:", "anand2023:\n  typo:");
    assert_eq!(errors(dir.path()), [("unknown-key".into(), "content/sources.yaml".into(), Some(17))]);
}

#[test]
fn a_sources_file_that_does_not_parse_is_one_error_not_one_per_citation() {
    let dir = shipped();
    let path = dir.path().join("content/sources.yaml");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str("  - broken: [\n");
    std::fs::write(&path, text).unwrap();
    let found = errors(dir.path());
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!((found[0].0.as_str(), found[0].1.as_str()), ("front-matter-yaml", "content/sources.yaml"));
}

/// The same for a bibliography file that cannot be read at all (not UTF-8,
/// a CSL-JSON syntax error) and for a CSL-JSON item refused with its own
/// error: each was one error plus `unknown-source` at every citation.
#[test]
fn a_sources_file_unread_or_a_csl_json_item_refused_is_one_error_not_one_per_citation() {
    let not_utf8 = shipped();
    let path = not_utf8.path().join("content/sources.yaml");
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.extend_from_slice(b"\xff\n");
    std::fs::write(&path, bytes).unwrap();
    let found = errors(not_utf8.path());
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!((found[0].0.as_str(), found[0].1.as_str()), ("invalid-encoding", "content/sources.yaml"));

    let item = r#"{"id":"jsonitem2020","type":"webpage","title":"A page","URL":"https://example.org/","issued":{"date-parts":[["2020","x"]]}}"#;
    for (json, code) in [(format!("[{item}]"), "invalid-value"), (format!("[{item}"), "invalid-value")] {
        let dir = shipped();
        replace(dir.path(), "content/safety/side-effects.md", "[@", "[@jsonitem2020; @");
        std::fs::write(dir.path().join("content/sources.json"), &json).unwrap();
        let found = errors(dir.path());
        assert_eq!(found.len(), 1, "{json}: {found:?}");
        assert_eq!((found[0].0.as_str(), found[0].1.as_str()), (code, "content/sources.json"), "{json}");
    }
}

/// The suppression is only for what follows: a citation of an id that was
/// never a source is still reported, beside the broken entry's own error.
#[test]
fn a_citation_of_an_id_that_is_no_source_is_still_reported_beside_a_broken_entry() {
    let dir = shipped();
    replace(dir.path(), "content/sources.yaml", "anand2023:\n  type:", "anand2023:\n  typo:");
    replace(dir.path(), "content/safety/side-effects.md", "[@", "[@nosuchsource2099; @");
    let found = errors(dir.path());
    assert!(found.iter().any(|e| e.0 == "unknown-source" && e.1 == "content/safety/side-effects.md"), "{found:?}");
    assert_eq!(found.len(), 2, "{found:?}");
}

/// With an article unread, nothing can be said about which sources and
/// glossary terms are cited or used: the typo is the only finding, warnings
/// included (before, each source only that article cites, such as
/// `duman2012`, was "never cited").
#[test]
fn a_front_matter_typo_is_the_only_finding_not_also_unused_sources_or_terms() {
    let dir = shipped();
    replace(dir.path(), "content/mechanism/how-ketamine-works.md", "\ntitle:", "\ntitel:");
    let options = sourcebook::check::CheckOptions {
        root: dir.path().to_path_buf(),
        drafts: false,
        external: None,
        today: last_signed(dir.path()),
        sources: None,
    };
    let report = sourcebook::check::check(&options).unwrap();
    let said: Vec<(&str, Option<&str>)> =
        report.diagnostics.iter().map(|d| (d.code.as_str(), d.span.as_ref().map(|s| s.file.as_str()))).collect();
    assert_eq!(
        said,
        [("unknown-key", Some("content/mechanism/how-ketamine-works.md"))],
        "{}",
        report.diagnostics.render_text(false)
    );
}

/// A mistake in a topic's `_index.md` is the one error: its articles are
/// not said to have no topic, the links to them are not said to be broken,
/// and site.yaml's list is not said to name a missing folder.
#[test]
fn a_topic_page_typo_is_one_error_not_one_per_article_and_link() {
    for (from, to, code, line) in [
        ("\nweight: 3\n", "\nweight: \"three\"\n", "invalid-value", Some(4)),
        ("\ntitle:", "\ntitel:", "unknown-key", Some(2)),
    ] {
        let dir = shipped();
        replace(dir.path(), "content/safety/_index.md", from, to);
        assert_eq!(errors(dir.path()), [(code.into(), "content/safety/_index.md".into(), line)], "{to}");
    }
}

/// A topic listed twice in site.yaml is said so there, once.
#[test]
fn a_topic_listed_twice_is_one_error_at_the_second() {
    let dir = shipped();
    let text = std::fs::read_to_string(dir.path().join("site.yaml")).unwrap();
    let line = text.lines().position(|l| l.starts_with("topics:")).unwrap() + 1;
    replace(dir.path(), "site.yaml", "topics: [", "topics: [safety, ");
    let found = errors(dir.path());
    assert_eq!(found, [("invalid-value".into(), "site.yaml".into(), Some(line))]);
}
