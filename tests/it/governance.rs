//! Editorial governance: people, signed reviews, what a page claims after
//! an edit, the change log, the review dashboard and the trust pages.

use std::path::Path;

use crate::support::{build_at, site, sourcebook};

const PEOPLE: &str = "jane-lee:\n  name: \"Jane Lee\"\n  credentials: \"MD\"\n  roles: [clinical reviewer, author]\n  orcid: \"0000-0002-1825-0097\"\n  affiliation: \"Example Hospital\"\n\
team:\n  name: \"The editorial team\"\n  organization: true\n  roles: [editor, author]\n\
sam:\n  name: \"Sam Reader\"\n  roles: [lay reviewer]\n";

const PAGE: &str = "content/basics/first.md";

/// The minimal site with people, its review block removed (so the record
/// alone speaks) and an author.
fn governed() -> tempfile::TempDir {
    let dir = site("minimal");
    std::fs::write(dir.path().join("content/people.yaml"), PEOPLE).unwrap();
    edit(dir.path(), |t| {
        t.replace("reviewed: { by: \"Editorial team\", on: 2024-02-01 }\n", "authors: [jane-lee, team]\n")
    });
    dir
}

fn edit(root: &Path, change: impl Fn(&str) -> String) {
    edit_file(root, PAGE, change);
}

/// Rewrite the file `rel` of the site at `root` with `change`, which must
/// change it; its text before.
fn edit_file(root: &Path, rel: &str, change: impl Fn(&str) -> String) -> String {
    let path = root.join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    let changed = change(&text);
    assert_ne!(text, changed, "the edit of {rel} changed nothing");
    std::fs::write(path, changed).unwrap();
    text
}

fn sign(root: &Path, args: &[&str]) -> assert_cmd::assert::Assert {
    let today = jiff::Zoned::now().date().to_string();
    let mut cmd = sourcebook();
    cmd.arg("--root").arg(root).args(["review", "sign", PAGE]).args(args);
    if !args.contains(&"--on") {
        cmd.args(["--on", &today]);
    }
    cmd.assert()
}

fn check_json(root: &Path) -> serde_json::Value {
    let out = sourcebook().arg("--root").arg(root).args(["check", "--format", "json", "--report"]).output().unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

/// The message of the `edited-since-review` finding of `check`, or "".
fn edited_message(root: &Path) -> String {
    let json = check_json(root);
    let found = json["diagnostics"].as_array().unwrap().iter().find(|d| d["code"] == "edited-since-review");
    found.map(|d| d["message"].as_str().unwrap().to_string()).unwrap_or_default()
}

fn codes(json: &serde_json::Value) -> Vec<String> {
    json["diagnostics"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap().to_string()).collect()
}

/// The article page and its JSON-LD, freshly built.
fn page(root: &Path) -> (String, serde_json::Value) {
    let report = build_at(root);
    assert!(report.written.is_some(), "{:?}", report.diagnostics);
    let html = std::fs::read_to_string(root.join("public/basics/first/index.html")).unwrap();
    let start = html.find("<script type=\"application/ld+json\">").unwrap() + 35;
    let end = start + html[start..].find("</script>").unwrap();
    let ld = serde_json::from_str(&html[start..end]).unwrap();
    (html, ld)
}

fn byline(html: &str) -> &str {
    let start = html.find("<p class=\"byline\">").unwrap();
    &html[start..start + html[start..].find("</p>").unwrap()]
}

#[test]
fn a_page_edited_after_its_clinical_review_stops_claiming_it_until_signed_again() {
    let dir = governed();
    let root = dir.path();
    // before any review: nothing claimed
    let (html, ld) = page(root);
    assert!(byline(&html).contains("Not yet clinically reviewed"), "{html}");
    assert!(ld.get("reviewedBy").is_none() && ld.get("lastReviewed").is_none(), "{ld}");

    // signed: the page says so, with credentials, and so does its JSON-LD
    sign(root, &["--by", "jane-lee", "--role", "clinical"]).success();
    let record = std::fs::read_to_string(root.join("content/reviews.yaml")).unwrap();
    assert!(record.contains("\"basics/first.md\":") && record.contains("role: clinical"), "{record}");
    assert!(record.contains("\"section: Background\":"), "{record}");
    let today = jiff::Zoned::now().date().to_string();
    let (html, ld) = page(root);
    assert!(byline(&html).contains("Clinically reviewed by Jane Lee, MD on"), "{html}");
    assert_eq!(ld["reviewedBy"]["@type"], "Person");
    assert_eq!(ld["reviewedBy"]["name"], "Jane Lee");
    assert_eq!(ld["reviewedBy"]["honorificSuffix"], "MD");
    assert_eq!(ld["reviewedBy"]["sameAs"], "https://orcid.org/0000-0002-1825-0097");
    assert_eq!(ld["lastReviewed"], today.as_str());
    let json = check_json(root);
    assert!(!codes(&json).iter().any(|c| c == "edited-since-review" || c == "change-unlogged"), "{json}");
    assert!(!root.join("public/reviews.yaml").exists() && !root.join("public/people.yaml").exists());

    // reflowing whitespace is not an edit
    edit(root, |t| t.replace("A claim with a source [@doe2020].", "A claim   with a source\n[@doe2020].  "));
    assert!(!codes(&check_json(root)).iter().any(|c| c == "edited-since-review"));

    // edited: the claim goes, check says why and what changed
    edit(root, |t| {
        t.replace("A claim with", "A stronger claim with").replace("A claim   with", "A stronger claim with")
    });
    let json = check_json(root);
    let edited: Vec<&serde_json::Value> =
        json["diagnostics"].as_array().unwrap().iter().filter(|d| d["code"] == "edited-since-review").collect();
    assert_eq!(edited.len(), 1, "{json}");
    assert_eq!(edited[0]["file"], PAGE);
    assert!(edited[0]["message"].as_str().unwrap().contains("changed: section: Background"), "{json}");
    assert!(codes(&json).iter().any(|c| c == "change-unlogged"), "{json}");
    assert_eq!(json["reviews"][0]["status"], "edited", "{json}");
    assert_eq!(json["reviews"][0]["reviews"][0]["changed"][0], "changed: section: Background");
    let (html, ld) = page(root);
    assert!(byline(&html).contains("Edited since its last clinical review on"), "{html}");
    assert!(!html.contains("Clinically reviewed by"), "{html}");
    assert!(ld.get("reviewedBy").is_none() && ld.get("lastReviewed").is_none(), "{ld}");

    // a change entry answers change-unlogged, and shows on the page
    edit(root, |t| {
        t.replacen(
            "---\n\n",
            &format!("changes:\n  - {{ on: {today}, summary: \"Made the claim stronger.\" }}\n---\n\n"),
            1,
        )
    });
    let json = check_json(root);
    assert!(!codes(&json).iter().any(|c| c == "change-unlogged"), "{json}");
    assert!(codes(&json).iter().any(|c| c == "edited-since-review"), "{json}");
    let (html, _) = page(root);
    assert!(html.contains("What changed") && html.contains("Made the claim stronger."), "{html}");

    // signed again: claimed again
    sign(root, &["--by", "jane-lee", "--role", "clinical"]).success();
    let json = check_json(root);
    assert!(!codes(&json).iter().any(|c| c == "edited-since-review"), "{json}");
    let (html, ld) = page(root);
    assert!(byline(&html).contains("Clinically reviewed by Jane Lee, MD"), "{html}");
    assert_eq!(ld["reviewedBy"]["name"], "Jane Lee");
    let record = std::fs::read_to_string(root.join("content/reviews.yaml")).unwrap();
    assert_eq!(record.matches("role: clinical").count(), 2, "the history keeps both: {record}");
}

#[test]
fn each_review_gives_its_own_next_date_so_an_editorial_check_never_reads_as_a_clinical_review() {
    let dir = governed();
    let root = dir.path();
    let due = jiff::Zoned::now().date().checked_add(jiff::Span::new().months(12)).unwrap().to_string();
    let next_check = format!("Next check due <time datetime=\"{due}\">");
    let next_clinical = format!("Next clinical review due <time datetime=\"{due}\">");
    // an editorial check alone: its date is the next check's, and no review is said to be due
    sign(root, &["--by", "team", "--role", "editorial"]).success();
    let (html, _) = page(root);
    assert!(html.contains(&next_check), "{html}");
    assert!(!html.contains("Next clinical review due") && !html.contains("Next review due"), "{html}");
    // with a clinical review too, each gives its own
    sign(root, &["--by", "jane-lee", "--role", "clinical"]).success();
    let (html, _) = page(root);
    assert!(html.contains(&next_check) && html.contains(&next_clinical), "{html}");
}

#[test]
fn an_edit_to_a_cited_source_or_a_front_matter_fact_is_an_edit() {
    let dir = governed();
    let root = dir.path();
    sign(root, &["--by", "jane-lee", "--role", "clinical"]).success();
    let text = edit_file(root, "content/sources.yaml", |t| t.replace("volume: 3", "volume: 4"));
    let json = check_json(root);
    let message = json["diagnostics"].as_array().unwrap().iter().find(|d| d["code"] == "edited-since-review");
    assert!(message.unwrap()["message"].as_str().unwrap().contains("changed: source: doe2020"), "{json}");
    std::fs::write(root.join("content/sources.yaml"), text).unwrap();
    edit(root, |t| t.replace("  - \"One point.\"", "  - \"One new point.\""));
    let json = check_json(root);
    let message = json["diagnostics"].as_array().unwrap().iter().find(|d| d["code"] == "edited-since-review");
    assert!(message.unwrap()["message"].as_str().unwrap().contains("changed: key points"), "{json}");
}

#[test]
fn sign_refuses_what_the_record_could_not_support() {
    let dir = governed();
    let root = dir.path();
    let stderr = |a: assert_cmd::assert::Assert| String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    let out = stderr(sign(root, &["--by", "jane-le", "--role", "clinical"]).code(2));
    assert!(out.contains("no person `jane-le`") && out.contains("jane-lee"), "{out}");
    // nobody close: the people it has, to pick from
    let out = stderr(sign(root, &["--by", "someone", "--role", "clinical"]).code(2));
    assert!(out.contains("no person `someone` in content/people.yaml (it has `jane-lee`, `sam`, `team`)"), "{out}");
    let out = stderr(sign(root, &["--by", "team", "--role", "clinical"]).code(2));
    assert!(out.contains("not a clinical reviewer"), "{out}");
    let out = stderr(sign(root, &["--by", "jane-lee", "--role", "clinical", "--on", "2999-01-01"]).code(2));
    assert!(out.contains("in the future"), "{out}");
    let out = stderr(sign(root, &["--by", "jane-lee", "--role", "clinical", "--on", "2023-01-01"]).code(2));
    assert!(out.contains("before the page was published"), "{out}");
    let out = stderr(
        sourcebook()
            .arg("--root")
            .arg(root)
            .args(["review", "sign", "content/basics/none.md", "--by", "sam", "--role", "lay"])
            .assert()
            .code(2),
    );
    assert!(out.contains("no page"), "{out}");
    // a file that is not a page is named as the user wrote it, from the
    // working folder (it was "no page `content/site.yaml`"), and a path
    // from content/ still finds its page
    for (typed, said) in [
        ("site.yaml", "no page `site.yaml`"),
        ("/etc/passwd", "no page `/etc/passwd`"),
        ("basics/frist.md", "no page `content/basics/frist.md`; did you mean `content/basics/first.md`?"),
        // a name no page's is close to is not taken for a typo of one
        ("basics/nope.md", "no page `content/basics/nope.md`; name its Markdown file, e.g. `content/basics/first.md`"),
        // a topic's landing page is a page, but not one reviews are of
        ("basics/_index.md", "`content/basics/_index.md` is a topic's landing page"),
    ] {
        let out = stderr(
            sourcebook()
                .current_dir(root)
                .args(["review", "sign", typed, "--by", "sam", "--role", "lay"])
                .assert()
                .code(2),
        );
        assert!(out.contains(said), "{typed}: {out}");
    }
    let out = sourcebook()
        .current_dir(root)
        .args(["review", "sign", "basics/first.md", "--by", "sam", "--role", "lay"])
        .assert()
        .success();
    assert!(stderr(out).contains("signed content/basics/first.md"));
    std::fs::remove_file(root.join("content/reviews.yaml")).unwrap();
    // a site with errors is not signed
    edit(root, |t| t.replace("[@doe2020].\n", "[@nobody].\n"));
    let out = stderr(sign(root, &["--by", "jane-lee", "--role", "clinical"]).code(1));
    assert!(out.contains("fix the errors above first (drafts' too: `sourcebook check --drafts` lists them)"), "{out}");
    assert!(!root.join("content/reviews.yaml").exists());
}

#[test]
fn hand_written_reviews_are_history_not_claims() {
    let dir = governed();
    let root = dir.path();
    edit(root, |t| {
        t.replacen("---\n\n", "reviews:\n  - { by: jane-lee, role: clinical, on: 2024-02-01 }\n  - { by: sam, role: lay, on: 2024-02-02 }\n---\n\n", 1)
    });
    let json = check_json(root);
    assert_eq!(codes(&json).iter().filter(|c| *c == "review-unsigned").count(), 2, "{json}");
    let (html, ld) = page(root);
    assert!(!html.contains("Clinically reviewed by"), "{html}");
    assert!(byline(&html).contains("A clinician reviewed it on"), "{html}");
    assert!(ld.get("reviewedBy").is_none() && ld.get("lastReviewed").is_none(), "{ld}");
}

#[test]
fn people_are_checked_and_described_as_they_are() {
    let dir = governed();
    let root = dir.path();
    let (html, ld) = page(root);
    assert_eq!(ld["author"][0]["@type"], "Person");
    assert_eq!(ld["author"][0]["affiliation"]["name"], "Example Hospital");
    assert_eq!(ld["author"][1]["@type"], "Organization");
    assert!(html.contains("Jane Lee, MD; The editorial team"), "{html}");
    // the editorial team signs as an organization: `editor`, never a Person
    sign(root, &["--by", "team", "--role", "editorial"]).success();
    let (_, ld) = page(root);
    assert_eq!(ld["editor"]["@type"], "Organization");
    assert!(ld.get("reviewedBy").is_none(), "an editorial check is not a clinical review: {ld}");
    // unknown ids and roles, and future dates, are errors at their line
    edit(root, |t| {
        t.replace(
            "authors: [jane-lee, team]",
            "authors: [jane-lee, nobody]\nreviews:\n  - { by: sam, role: lay, on: 2999-01-01 }",
        )
    });
    let json = check_json(root);
    let at = |code: &str| -> Vec<(i64, String)> {
        json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["code"] == code)
            .map(|d| (d["line"].as_i64().unwrap_or(0), d["message"].as_str().unwrap().to_string()))
            .collect()
    };
    assert_eq!(at("unknown-person")[0].0, 5, "{json}");
    assert!(at("invalid-value").iter().any(|(line, m)| *line == 7 && m.contains("in the future")), "{json}");
    edit(root, |t| t.replace("role: lay, on: 2999-01-01", "role: surgeon, on: 2024-03-01"));
    let report = build_at(root);
    let d = report.diagnostics.iter().find(|d| d.code.as_str() == "invalid-value").unwrap();
    assert_eq!((d.file.as_deref(), d.line()), (Some(PAGE), Some(7)), "{d:?}");
}

#[test]
fn the_dashboard_puts_the_most_urgent_page_first() {
    let dir = governed();
    let root = dir.path();
    let second = root.join("content/basics/second.md");
    std::fs::write(
        &second,
        "---\ntitle: \"Second\"\ndescription: \"Another.\"\ndate: 2024-01-02\n---\n\nText [@doe2020].\n",
    )
    .unwrap();
    for file in [PAGE, "content/basics/second.md"] {
        sourcebook()
            .arg("--root")
            .arg(root)
            .args(["review", "sign", file, "--by", "jane-lee", "--role", "clinical"])
            .assert()
            .success();
        sourcebook()
            .arg("--root")
            .arg(root)
            .args(["review", "sign", file, "--by", "team", "--role", "editorial"])
            .assert()
            .success();
    }
    let json = check_json(root);
    let order: Vec<&str> = json["reviews"].as_array().unwrap().iter().map(|l| l["file"].as_str().unwrap()).collect();
    assert_eq!(order, [PAGE, "content/basics/second.md"], "same urgency: by file");
    std::fs::write(&second, std::fs::read_to_string(&second).unwrap().replace("Text", "New text")).unwrap();
    let json = check_json(root);
    let lines = json["reviews"].as_array().unwrap();
    assert_eq!(
        (lines[0]["file"].as_str(), lines[0]["status"].as_str()),
        (Some("content/basics/second.md"), Some("edited"))
    );
    assert_eq!(lines[1]["status"], "current");
    let due = jiff::Zoned::now().date().checked_add(jiff::Span::new().months(12)).unwrap().to_string();
    assert_eq!(lines[1]["next_due"], due.as_str());
    let out = sourcebook().arg("--root").arg(root).args(["check", "--report"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let row = text
        .lines()
        .find(|l| l.starts_with("| content/basics/second.md | edited |"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(row.contains(" edited |") && row.contains(&due), "{row}");
}

#[test]
fn trust_pages_are_made_from_the_sites_settings() {
    let dir = site("minimal");
    let root = dir.path();
    std::fs::write(root.join("content/people.yaml"), PEOPLE).unwrap();
    let config = std::fs::read_to_string(root.join("site.yaml")).unwrap();
    let trust = "review_interval_months: 6\ntrust_pages:\n  accessibility: { standard: \"WCAG 2.2 level AA\", last_audit: 2026-11-01, tools: \"axe-core\" }\n  editorial_policy: { sources: \"We cite trials and regulators.\" }\n  funding: true\n";
    std::fs::write(root.join("site.yaml"), format!("{config}{trust}")).unwrap();
    let report = build_at(root);
    assert!(report.written.is_some(), "{:?}", report.diagnostics);
    let read = |p: &str| std::fs::read_to_string(root.join("public").join(p)).unwrap();
    let a11y = read("accessibility/index.html");
    assert!(
        a11y.contains("WCAG 2.2 level AA") && a11y.contains("<time datetime=\"2026-11-01\">1 November 2026</time>")
    );
    let policy = read("editorial-policy/index.html");
    assert!(policy.contains("We cite trials and regulators."), "{policy}");
    // the interval is each review's, never a promise that every page is reviewed
    assert!(policy.contains("Each review a page has is done again at least every 6 months"), "{policy}");
    assert!(policy.contains("Done by: Jane Lee, MD.") && policy.contains("Sam Reader"), "{policy}");
    let funding = read("funding/index.html");
    assert!(funding.contains("A test site: nobody pays for it.") && funding.contains("None declared."), "{funding}");
    let home = read("index.html");
    assert!(home.contains("href=\"editorial-policy/index.html\"") && home.contains("href=\"funding/index.html\""));
    // a funding page with nothing to say is refused
    let without = config.replace("funding: \"A test site: nobody pays for it.\"\n", "");
    let written = format!("{without}{trust}");
    std::fs::write(root.join("site.yaml"), &written).unwrap();
    let report = build_at(root);
    // at `funding: true`, the setting that asks for the missing keys
    let on = written.lines().position(|l| l == "  funding: true").map(|i| i + 1);
    assert!(
        report.diagnostics.iter().any(|d| d.code.as_str() == "invalid-value" && d.line() == on),
        "{:?}",
        report.diagnostics
    );
}

/// `date:` is shown to readers as "Published" and `updated:` as "Last
/// updated": a day in the future, or an update before the page was first
/// published, is an error at the date, as a review or change so dated is.
/// (A publication date in the future passed `check`, and the page said it
/// was published on 9999-12-31.)
#[test]
fn a_date_readers_see_in_the_future_or_before_publication_is_an_error_at_the_date() {
    for (dates, message, at) in [
        ("date: 9999-12-31\n", "published on 9999-12-31 is in the future", (4, 7)),
        ("date: 2024-01-02\nupdated: 9999-12-31\n", "updated on 9999-12-31 is in the future", (5, 10)),
        (
            "date: 2024-01-02\nupdated: 2001-01-01\n",
            "updated on 2001-01-01 is before the page was first published (2024-01-02)",
            (5, 10),
        ),
        // a change before the page existed, and a next check due before the check
        (
            "date: 2024-01-02\nchanges:\n  - { on: 2023-05-01, summary: \"Older advice.\" }\n",
            "a change dated 2023-05-01 is before the page was first published (2024-01-02)",
            (6, 3),
        ),
        (
            "date: 2024-01-02\nreviewed: { by: \"Team\", on: 2024-03-02, next: 2024-03-01 }\n",
            "the next check, due 2024-03-01, is not after this one (2024-03-02)",
            (5, 47),
        ),
    ] {
        let dir = governed();
        edit(dir.path(), |t| t.replace("date: 2024-01-02\n", dates));
        let json = check_json(dir.path());
        let found: Vec<_> = json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["message"] == message)
            .map(|d| {
                (d["code"].as_str().unwrap(), d["file"].as_str().unwrap(), d["line"].as_u64(), d["column"].as_u64())
            })
            .collect();
        assert_eq!(found, [("invalid-value", PAGE, Some(at.0), Some(at.1))], "{json}");
    }
}

/// A change whose summary says nothing, empty or YAML's null (`~`, which
/// the reader hands over as its letter), is an error at the change: the
/// page's "What changed" list would show "~".
#[test]
fn a_change_that_says_nothing_is_an_error_even_spelled_as_yaml_s_null() {
    for summary in ["\"\"", "~", "null"] {
        let dir = governed();
        edit(dir.path(), |t| {
            t.replace(
                "date: 2024-01-02\n",
                &format!("date: 2024-01-02\nchanges:\n  - {{ on: 2024-01-03, summary: {summary} }}\n"),
            )
        });
        let json = check_json(dir.path());
        let found: Vec<_> = json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["message"] == "a change with an empty `summary`")
            .map(|d| (d["code"].as_str().unwrap(), d["file"].as_str().unwrap(), d["line"].as_u64()))
            .collect();
        assert_eq!(found, [("invalid-value", PAGE, Some(6))], "{summary}: {json}");
    }
}

/// A signed page renamed leaves its reviews behind: `check` names the
/// entry (`review-orphaned`, at its key in the record) beside the renamed
/// page's `review-missing`. Before, `check` said only `review-missing`, and
/// entries for pages that no longer exist stayed in the record unseen. A
/// draft's reviews are not reported: its file is there.
#[test]
fn reviews_of_a_renamed_page_are_reported_where_they_are_recorded() {
    let dir = governed();
    let root = dir.path();
    sign(root, &["--by", "team", "--role", "editorial"]).success();
    assert!(!codes(&check_json(root)).contains(&"review-orphaned".to_string()));
    std::fs::rename(root.join(PAGE), root.join("content/basics/renamed.md")).unwrap();
    let json = check_json(root);
    let orphaned: Vec<&serde_json::Value> =
        json["diagnostics"].as_array().unwrap().iter().filter(|d| d["code"] == "review-orphaned").collect();
    assert_eq!(orphaned.len(), 1, "{json}");
    assert_eq!(orphaned[0]["file"], "content/reviews.yaml");
    assert_eq!(orphaned[0]["message"], format!("reviews of `{PAGE}`, which is not a page of the site"));
    assert!(
        json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "review-missing" && d["file"] == "content/basics/renamed.md")
    );
    // renamed back as a draft: its reviews are its own again
    let text = std::fs::read_to_string(root.join("content/basics/renamed.md")).unwrap();
    std::fs::write(root.join(PAGE), text.replacen("---\n", "---\ndraft: true\n", 1)).unwrap();
    std::fs::remove_file(root.join("content/basics/renamed.md")).unwrap();
    assert!(!codes(&check_json(root)).contains(&"review-orphaned".to_string()));
}

/// Signing the same review of the same version twice records it once (the
/// second said it signed, and the record held the entry twice); a page that
/// still holds the text `sourcebook new` wrote is not signed (it was, with
/// no word: a review of placeholder text).
#[test]
fn a_review_is_recorded_once_and_never_of_placeholder_text() {
    let dir = governed();
    let root = dir.path();
    sign(root, &["--by", "team", "--role", "editorial"]).success();
    let record = std::fs::read_to_string(root.join("content/reviews.yaml")).unwrap();
    let again = sign(root, &["--by", "team", "--role", "editorial"]).success();
    let said = String::from_utf8_lossy(&again.get_output().stderr).into_owned();
    assert!(
        said.contains("this review is already recorded, for this version of the page; nothing was written"),
        "{said}"
    );
    assert_eq!(std::fs::read_to_string(root.join("content/reviews.yaml")).unwrap(), record);
    sourcebook().arg("--root").arg(root).args(["new", "basics/draft"]).assert().success();
    let out = sourcebook()
        .arg("--root")
        .arg(root)
        .args(["review", "sign", "content/basics/draft.md", "--by", "team", "--role", "editorial"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("content/basics/draft.md:3 still holds the placeholder text `sourcebook new` wrote"),
        "{said}"
    );
    assert_eq!(std::fs::read_to_string(root.join("content/reviews.yaml")).unwrap(), record, "nothing written");
}

/// The accessibility statement says when the site was last audited: a day
/// in the future is an error at the date in `check` (the page stated an
/// audit that had not happened).
#[test]
fn an_accessibility_audit_in_the_future_is_an_error_at_its_date() {
    let dir = governed();
    let root = dir.path();
    let config = std::fs::read_to_string(root.join("site.yaml")).unwrap();
    let trust = "trust_pages:\n  accessibility:\n    standard: \"WCAG 2.2 level AA\"\n    last_audit: 2999-01-01\n";
    std::fs::write(root.join("site.yaml"), format!("{config}{trust}")).unwrap();
    let line = config.lines().count() as u64 + 4;
    let json = check_json(root);
    let found: Vec<_> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["message"] == "the last accessibility audit, 2999-01-01, is in the future")
        .map(|d| (d["code"].as_str().unwrap(), d["file"].as_str().unwrap(), d["line"].as_u64(), d["column"].as_u64()))
        .collect();
    assert_eq!(found, [("invalid-value", "site.yaml", Some(line), Some(17))], "{json}");
}

/// `review sign` run several times at once, on different pages, records
/// every review: each rewrote the whole record from what it had read, so
/// all said "signed" and only the last one's was kept. A record that is a
/// link to a file inside the site (a shared record) is written through the
/// link, not replaced by a copy. A page named by its absolute path is found
/// when the site is given as a relative `--root`.
#[test]
fn reviews_signed_at_once_are_all_recorded_through_a_linked_record() {
    let dir = governed();
    let root = dir.path();
    let pages: Vec<String> = (0..6).map(|i| format!("content/basics/page-{i}.md")).collect();
    let text = std::fs::read_to_string(root.join(PAGE)).unwrap();
    for (i, page) in pages.iter().enumerate() {
        std::fs::write(root.join(page), text.replace("title: ", &format!("title: Page {i} "))).unwrap();
    }
    std::fs::create_dir(root.join("shared")).unwrap();
    std::fs::write(root.join("shared/reviews.yaml"), "").unwrap();
    std::os::unix::fs::symlink("../shared/reviews.yaml", root.join("content/reviews.yaml")).unwrap();
    let today = jiff::Zoned::now().date().to_string();
    let args: Vec<Vec<String>> = pages
        .iter()
        .map(|page| {
            ["review", "sign", page, "--by", "team", "--role", "editorial", "--on", &today].map(String::from).to_vec()
        })
        .collect();
    crate::support::run_at_once(root, &args, &[]);
    assert!(std::fs::symlink_metadata(root.join("content/reviews.yaml")).unwrap().file_type().is_symlink());
    let record = std::fs::read_to_string(root.join("shared/reviews.yaml")).unwrap();
    for page in &pages {
        let key = page.trim_start_matches("content/");
        assert!(record.contains(&format!("\n\"{key}\":\n")), "{key} lost:\n{record}");
    }

    // an absolute page path, the site given as `.`
    let absolute = root.join(PAGE).canonicalize().unwrap();
    sourcebook()
        .current_dir(root)
        .args(["--root", ".", "review", "sign"])
        .arg(&absolute)
        .args(["--by", "team", "--role", "editorial", "--on", &today])
        .assert()
        .success();
    let record = std::fs::read_to_string(root.join("shared/reviews.yaml")).unwrap();
    assert!(record.contains("basics/first.md"), "{record}");
}

/// A review dated before the page's last change (its `updated:` or a
/// `changes:` entry) saw an earlier version: `sign` refuses the date, and a
/// record that says so anyway (signed before the dates were moved, or
/// edited by hand) is not claimed by the page, whatever its fingerprint.
#[test]
fn a_review_dated_before_the_pages_last_change_is_never_claimed() {
    let dir = governed();
    let root = dir.path();
    edit(root, |t| {
        t.replacen(
            "date: 2024-01-02\n",
            "date: 2024-01-02\nupdated: 2024-06-01\nchanges:\n  - { on: 2024-09-01, summary: \"New dose advice.\" }\n",
            1,
        )
    });
    let out = sign(root, &["--by", "jane-lee", "--role", "clinical", "--on", "2024-08-31"]).code(2);
    let said = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(said.contains("2024-08-31 is before the page's last change (2024-09-01"), "{said}");
    assert!(!root.join("content/reviews.yaml").exists(), "nothing written");
    sign(root, &["--by", "jane-lee", "--role", "clinical", "--on", "2024-09-01"]).success();
    let (html, ld) = page(root);
    assert!(byline(&html).contains("Clinically reviewed by Jane Lee"), "{html}");
    assert_eq!(ld["lastReviewed"], "2024-09-01");
    // the record edited to an earlier day: same fingerprint, not claimed
    let record = root.join("content/reviews.yaml");
    let text = std::fs::read_to_string(&record).unwrap();
    std::fs::write(&record, text.replace("on: 2024-09-01", "on: 2024-08-15")).unwrap();
    let (html, ld) = page(root);
    assert!(byline(&html).contains("Edited since its last clinical review"), "{html}");
    assert!(ld.get("reviewedBy").is_none() && ld.get("lastReviewed").is_none(), "{ld}");
    let message = edited_message(root);
    assert_eq!(
        message,
        "edited since its clinical review on 2024-08-15 (the page says it changed on 2024-09-01, after the review)"
    );
    // a hand-written review of an earlier version is not offered for signing on its day
    std::fs::remove_file(&record).unwrap();
    edit(root, |t| {
        t.replacen(
            "date: 2024-01-02\n",
            "date: 2024-01-02\nreviews: [{ by: jane-lee, role: clinical, on: 2024-05-01 }]\n",
            1,
        )
    });
    let json = check_json(root);
    let unsigned = json["diagnostics"].as_array().unwrap().iter().find(|d| d["code"] == "review-unsigned").unwrap();
    let help = unsigned["help"].as_str().unwrap();
    assert!(help.starts_with("the page changed on 2024-09-01, after this review: have it reviewed again"), "{help}");
    assert!(!help.contains("--on 2024-05-01"), "{help}");
}

/// A PNG of 640 × 480 whose bytes end with `tail`: two of them are two
/// versions of one chart, the same size.
fn png(tail: &[u8]) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    bytes.extend(640u32.to_be_bytes());
    bytes.extend(480u32.to_be_bytes());
    bytes.extend([8, 2, 0, 0, 0, 0, 0, 0, 0]);
    bytes.extend(tail);
    bytes
}

/// A review's fingerprint covers the images the page shows: a chart
/// redrawn under the same name, at the same size, is a change the review
/// did not see. `check`, the page, its JSON-LD and `serve`'s preview all
/// say so (the preview copied a redrawn image and left the page as it was).
#[test]
fn a_chart_redrawn_after_a_review_is_a_change_the_review_did_not_see() {
    use sourcebook::serve::session::{Action, Session};
    let dir = governed();
    let root = dir.path();
    let chart = root.join("content/basics/chart.png");
    std::fs::write(&chart, png(b"first")).unwrap();
    edit(root, |t| format!("{t}\n![Doses by week](chart.png)\n"));
    // with no signed review, a redrawn image is only copied again
    let mut session = Session::new(root, false).unwrap();
    std::fs::write(&chart, png(b"second")).unwrap();
    assert_eq!(session.update(std::slice::from_ref(&chart), false), Action::Assets);
    sign(root, &["--by", "jane-lee", "--role", "clinical"]).success();
    let record = std::fs::read_to_string(root.join("content/reviews.yaml")).unwrap();
    assert!(record.contains("\"image: basics/chart.png\":"), "{record}");
    let (html, ld) = page(root);
    assert!(byline(&html).contains("Clinically reviewed by Jane Lee"), "{html}");
    assert_eq!(ld["reviewedBy"]["name"], "Jane Lee");
    assert_eq!(edited_message(root), "");

    let mut session = Session::new(root, false).unwrap();
    std::fs::write(&chart, png(b"third")).unwrap();
    let (html, ld) = page(root);
    assert!(byline(&html).contains("Edited since its last clinical review"), "{html}");
    assert!(ld.get("reviewedBy").is_none() && ld.get("lastReviewed").is_none(), "{ld}");
    let message = edited_message(root);
    assert!(message.ends_with("(changed: image: basics/chart.png)"), "{message}");
    // the preview shows the page as a build does
    assert_eq!(session.update(std::slice::from_ref(&chart), false), Action::Full);
    let served = session.files()["basics/first/index.html"].bytes(&session.root()).unwrap().to_vec();
    assert_eq!(String::from_utf8_lossy(&served), html);
}

/// What site.yaml says on the care cards a page shows, and the glossary's
/// definitions under "Words used on this page", are part of what its review
/// saw: an urgent card reworded after the review ("get help today" → "it
/// can wait"), or a definition changed, is a change to the reviewed page.
#[test]
fn a_care_card_or_definition_reworded_after_a_review_is_a_change_the_review_did_not_see() {
    let dir = governed();
    let root = dir.path();
    std::fs::write(root.join("content/glossary.yaml"), "claim: \"Something a page says is true.\"\n").unwrap();
    edit(root, |t| format!("{t}\n> [!URGENT]\n> Your mood drops sharply in the days after a dose.\n"));
    sign(root, &["--by", "jane-lee", "--role", "clinical"]).success();
    let record = std::fs::read_to_string(root.join("content/reviews.yaml")).unwrap();
    assert!(record.contains("\"care card: URGENT\":") && record.contains("\"glossary: claim\":"), "{record}");
    let (html, _) = page(root);
    assert!(byline(&html).contains("Clinically reviewed by Jane Lee"), "{html}");
    assert_eq!(edited_message(root), "");

    let config = root.join("site.yaml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("{text}care_cards:\n  urgent: {{ heading: \"This can wait a few days:\" }}\n"))
        .unwrap();
    let (html, ld) = page(root);
    assert!(html.contains("This can wait a few days:"), "the card says it");
    assert!(byline(&html).contains("Edited since its last clinical review"), "{html}");
    assert!(ld.get("reviewedBy").is_none(), "{ld}");
    assert!(edited_message(root).ends_with("(changed: care card: URGENT)"), "{}", edited_message(root));

    std::fs::write(&config, text).unwrap();
    assert_eq!(edited_message(root), "", "the card as it was reviewed");
    std::fs::write(root.join("content/glossary.yaml"), "claim: \"Something proven.\"\n").unwrap();
    let (html, _) = page(root);
    assert!(html.contains("Something proven."), "the page shows the definition");
    assert!(byline(&html).contains("Edited since its last clinical review"), "{html}");
    assert!(edited_message(root).ends_with("(changed: glossary: claim)"), "{}", edited_message(root));
}

/// A review of part of a page (`--scope`) is told as that: the line under
/// the title names the part, the JSON-LD claims no review of the page, and
/// the dashboard shows the part.
#[test]
fn a_review_of_part_of_a_page_is_never_shown_as_a_review_of_the_whole() {
    let dir = governed();
    let root = dir.path();
    sign(root, &["--by", "jane-lee", "--role", "clinical", "--scope", "the dosing | section"]).success();
    let (html, ld) = page(root);
    let line = byline(&html);
    assert!(line.contains("Part of this page clinically reviewed (the dosing | section) by Jane Lee"), "{line}");
    assert!(!line.contains("class=\"reviewed\""), "{line}");
    assert!(ld.get("reviewedBy").is_none() && ld.get("lastReviewed").is_none(), "{ld}");
    let json = check_json(root);
    let line = &json["reviews"][0]["reviews"][0];
    assert_eq!((line["state"].as_str(), line["scope"].as_str()), (Some("current"), Some("the dosing | section")));
    let out = sourcebook().arg("--root").arg(root).args(["check", "--report"]).output().unwrap();
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains(" current (part: the dosing \\| section) |"), "{table}");
}

/// The same review signed again is recorded once, wherever it stands in
/// the page's record (it was compared with the last entry only).
#[test]
fn the_same_review_is_recorded_once_wherever_it_stands_in_the_record() {
    let dir = governed();
    let root = dir.path();
    let today = jiff::Zoned::now().date();
    let earlier = today.yesterday().unwrap().to_string();
    let today = today.to_string();
    for on in [&today, &earlier, &today, &earlier] {
        sign(root, &["--by", "jane-lee", "--role", "clinical", "--on", on]).success();
    }
    let record = std::fs::read_to_string(root.join("content/reviews.yaml")).unwrap();
    assert_eq!(record.matches("role: clinical").count(), 2, "{record}");
}

/// A data file keyed by name with a key written twice is an error at the
/// second one: serde's maps kept the last silently, and the next `review
/// sign` rewrote reviews.yaml without the first page's reviews.
#[test]
fn a_key_written_twice_in_a_data_file_is_an_error_not_a_loss() {
    let dir = governed();
    let root = dir.path();
    sign(root, &["--by", "jane-lee", "--role", "clinical"]).success();
    let record = root.join("content/reviews.yaml");
    let text = std::fs::read_to_string(&record).unwrap();
    let entry = &text[text.find("\"basics/first.md\":").unwrap()..];
    std::fs::write(&record, format!("{text}{}", entry.replace("jane-lee", "sam").replace("clinical", "lay"))).unwrap();
    let people = format!("{PEOPLE}sam:\n  name: \"Sam Again\"\n  roles: [lay reviewer]\n");
    let glossary = "dose:\n  definition: \"How much.\"\ndose:\n  definition: \"Take ten times as much.\"\n";
    std::fs::write(root.join("content/glossary.yaml"), glossary).unwrap();
    std::fs::write(root.join("content/people.yaml"), &people).unwrap();
    let lines_of = |text: &str, key: &str| -> Vec<usize> {
        text.lines().enumerate().filter(|(_, l)| l.starts_with(key)).map(|(i, _)| i + 1).collect()
    };
    let json = check_json(root);
    let found: Vec<(String, String, u64)> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["message"].as_str().unwrap().contains("is written twice"))
        .map(|d| {
            (d["file"].as_str().unwrap().into(), d["message"].as_str().unwrap().into(), d["line"].as_u64().unwrap())
        })
        .collect();
    let second = |text: &str, key: &str| lines_of(text, key)[1] as u64;
    // said at the second, naming the line of the first
    let twice = |key: &str, text: &str, starts: &str| {
        format!("the key `{key}` is written twice in one map (first on line {})", lines_of(text, starts)[0])
    };
    let text = std::fs::read_to_string(&record).unwrap();
    assert_eq!(
        found,
        [
            ("content/glossary.yaml".into(), twice("dose", glossary, "dose:"), 3),
            ("content/people.yaml".into(), twice("sam", &people, "sam:"), second(&people, "sam:")),
            (
                "content/reviews.yaml".into(),
                twice("basics/first.md", &text, "\"basics/first.md\":"),
                second(&text, "\"basics/first.md\":")
            ),
        ]
    );
    // and nothing is signed over it
    sign(root, &["--by", "jane-lee", "--role", "clinical", "--scope", "again"]).code(1);
    assert_eq!(std::fs::read_to_string(&record).unwrap(), text);
}

/// What `review sign` and the dashboard print from a site's files (a name
/// in people.yaml, a scope) cannot drive the terminal: control characters
/// are shown as escapes.
#[test]
fn what_sign_prints_from_a_sites_files_never_drives_the_terminal() {
    let dir = governed();
    let root = dir.path();
    let people = PEOPLE.replace("\"Jane Lee\"", "\"Dr \\e[31mRED\\e[0m \\e]0;pwned\\a\"");
    std::fs::write(root.join("content/people.yaml"), people).unwrap();
    let out = sign(root, &["--by", "jane-lee", "--role", "clinical", "--scope", "part\u{1b}[2J"]).success();
    let said = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(said.contains("signed content/basics/first.md: clinical review by Dr \\u{1b}[31mRED"), "{said}");
    let out = sourcebook().arg("--root").arg(root).args(["check", "--report"]).output().unwrap();
    for text in
        [said, String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned()]
    {
        assert!(!text.contains(['\u{1b}', '\u{7}']), "{text:?}");
    }
}

/// A data file with an error said nothing of what it could not be read
/// for, and `check` went on as if it were empty: people.yaml with an
/// unclosed quote made each reviewer "no person" (with help to add them
/// again), sources.yaml or glossary.yaml with a key written twice made each
/// signed page "edited since its review" (a source or definition
/// "removed"), and reviews.yaml with a typo made each page "no review".
/// Now the file's own errors are all that is said; put right, the site is
/// as before.
#[test]
fn a_data_file_that_cannot_be_read_brings_no_findings_that_follow_from_it() {
    let dir = governed();
    let root = dir.path();
    std::fs::write(root.join("content/glossary.yaml"), "claim: \"Something said to be true.\"\n").unwrap();
    sign(root, &["--by", "jane-lee", "--role", "clinical"]).success();
    let codes = |root: &Path| -> Vec<(String, String)> {
        let json = check_json(root);
        let mut found: Vec<(String, String)> = json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| (d["code"].as_str().unwrap().to_string(), d["file"].as_str().unwrap_or_default().to_string()))
            .filter(|(code, _)| code != "transparency-missing")
            .collect();
        found.sort();
        found
    };
    let clean = codes(root);
    assert!(clean.iter().all(|(code, _)| code != "edited-since-review"), "signed and current: {clean:?}");
    type Break = fn(&str) -> String;
    let breaks: [(&str, Break); 4] = [
        ("content/people.yaml", |t| format!("{t}kim:\n  name: \"Kim\n")),
        ("content/sources.yaml", |t| format!("{t}doe2020:\n  type: article\n  title: Again\n")),
        ("content/glossary.yaml", |t| format!("{t}claim: \"Again.\"\n")),
        ("content/reviews.yaml", |t| t.replacen("role: clinical", "role: clinicial", 1)),
    ];
    for (file, break_it) in breaks {
        let good = edit_file(root, file, break_it);
        let found = codes(root);
        assert!(!found.is_empty() && found.iter().all(|(_, f)| f == file), "{file}: only its own errors: {found:?}");
        std::fs::write(root.join(file), good).unwrap();
        assert_eq!(codes(root), clean, "{file} put right");
    }
}

/// A value of a signed review that is not one it may hold is told in the
/// author's words, at the value, with the nearest it may be (it was
/// serde's "unknown variant", at the entry's first line).
#[test]
fn a_mistyped_role_in_the_record_is_placed_at_its_value_with_the_nearest() {
    let dir = governed();
    let root = dir.path();
    sign(root, &["--by", "jane-lee", "--role", "clinical"]).success();
    let text = edit_file(root, "content/reviews.yaml", |t| t.replacen("role: clinical", "role: clinicial", 1));
    let line = text[..text.find("role: clinical").unwrap()].matches('\n').count() + 1;
    let json = check_json(root);
    let d = json["diagnostics"].as_array().unwrap().iter().find(|d| d["code"] == "invalid-value").unwrap().clone();
    assert_eq!(
        (d["file"].as_str(), d["line"].as_u64(), d["column"].as_u64(), d["message"].as_str()),
        (
            Some("content/reviews.yaml"),
            Some(line as u64),
            Some(11),
            Some("a signed review: `role` cannot be `clinicial`")
        ),
        "{d}"
    );
    assert!(d["help"].as_str().unwrap().starts_with("did you mean `clinical`?"), "{d}");
}
