//! Sources by identifier (`source add`, `check --sources`, the source lock)
//! against a local HTTP server that replays Crossref's and E-utilities'
//! answers from `tests/fixtures/registry/` (see its README): a normal work,
//! a retracted one, a corrected one, one under an expression of concern, a
//! 404, a 429 with `Retry-After`, a malformed body.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};

use crate::support::{fixtures, site, sourcebook};

/// What the replay server was asked: each request's target and User-Agent.
type Log = Arc<Mutex<Vec<(String, String)>>>;

struct Replay {
    port: u16,
    log: Log,
}

impl Replay {
    fn start() -> Replay {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let log: Log = Arc::default();
        let seen = log.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let seen = seen.clone();
                std::thread::spawn(move || answer(stream, &seen));
            }
        });
        Replay { port, log }
    }

    fn env(&self, cmd: &mut assert_cmd::Command) {
        cmd.env("SOURCEBOOK_CROSSREF_API", format!("http://127.0.0.1:{}/crossref", self.port));
        cmd.env("SOURCEBOOK_PUBMED_API", format!("http://127.0.0.1:{}/pubmed/", self.port));
    }

    /// `sourcebook --root <root> <args>` with the registries replayed here.
    fn run(&self, root: &Path, args: &[&str]) -> std::process::Output {
        let mut cmd = sourcebook();
        self.env(&mut cmd);
        cmd.arg("--root").arg(root).args(args).output().unwrap()
    }

    fn requests(&self) -> Vec<(String, String)> {
        self.log.lock().unwrap().clone()
    }
}

fn answer(mut stream: TcpStream, log: &Log) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let target = line.split_whitespace().nth(1).unwrap_or_default().to_string();
    let mut agent = String::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
            break;
        }
        if let Some(v) = header.to_ascii_lowercase().strip_prefix("user-agent:") {
            agent = v.trim().to_string();
        }
    }
    let earlier = {
        let mut log = log.lock().unwrap();
        let n = log.iter().filter(|(t, _)| *t == target).count();
        log.push((target.clone(), agent));
        n
    };
    let (status, extra, body) = route(&target, earlier);
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        _ => "Too Many Requests",
    };
    let head =
        format!("HTTP/1.1 {status} {reason}\r\nContent-Length: {}\r\nConnection: close\r\n{extra}\r\n", body.len());
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body.as_bytes());
}

fn replay(file: &str) -> String {
    std::fs::read_to_string(fixtures().join("registry").join(file)).unwrap()
}

/// The registries' answers: (status, extra header lines, body).
fn route(target: &str, earlier: usize) -> (u16, String, String) {
    let ok = |body: String| (200, String::new(), body);
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if let Some(name) = path.strip_prefix("/crossref/works/10.5555/") {
        return match name {
            "busy" if earlier == 0 => (429, "Retry-After: 1\r\n".into(), "Too many requests".into()),
            "busy" => ok(replay("crossref/normal.json").replace("10.5555/normal", "10.5555/busy")),
            "malformed" => ok(r#"{"status":"ok","message-type":"work","message":{"DOI":"10.5555/mal"#.into()),
            // another work's record, for this DOI
            "elsewhere" => ok(replay("crossref/normal.json")),
            // Crossref's record is this work's; PubMed's search finds another's
            "mixed" => ok(replay("crossref/concern.json").replace("10.5555/concern", "10.5555/mixed")),
            // a record whose texts hold line breaks, tabs and terminal escapes
            "hostile" => ok(replay("crossref/normal.json")
                .replace("10.5555/normal", "10.5555/hostile")
                .replace("Treatment-Resistant", "Treatment-\\u001b[31mResistant\\u0007")
                .replace(": A Randomized Trial", ":\\n\\tA Randomized\\r\\nTrial")
                .replace("\"390\"", "\"39\\u001b[2J0\"")
                .replace("\"301-312\"", "\"301-\\n312\"")
                .replace("\"Maria\"", "\"Ma\\u0000ria\"")
                .replace("Example Psychiatry Journal", "Example\\u0085Psychiatry\\nJournal")),
            // as many works as a test asks for, each its own DOI
            copy if copy.starts_with("copy-") => {
                ok(replay("crossref/normal.json").replace("10.5555/normal", &format!("10.5555/{copy}")))
            }
            _ => match std::fs::read_to_string(fixtures().join(format!("registry/crossref/{name}.json"))) {
                Ok(body) => ok(body),
                Err(_) => (404, String::new(), "Resource not found.".into()),
            },
        };
    }
    if path == "/crossref/works" {
        let updates = query.split('&').find_map(|p| p.strip_prefix("filter=updates:")).unwrap_or_default();
        let name = updates.rsplit('/').next().unwrap_or_default();
        return ok(std::fs::read_to_string(fixtures().join(format!("registry/crossref/{name}-updates.json")))
            .unwrap_or_else(|_| replay("crossref/no-updates.json")));
    }
    if path == "/pubmed/efetch.fcgi" {
        let ids = query.split('&').find_map(|p| p.strip_prefix("id=")).unwrap_or_default().replace("%2C", ",");
        let mut articles = String::new();
        for id in ids.split(',') {
            let file = match id {
                "99000001" => "pubmed/normal.xml",
                "99000002" => "pubmed/retracted.xml",
                _ => continue,
            };
            let xml = replay(file);
            let start = xml.find("<PubmedArticle>").unwrap();
            let end = xml.rfind("</PubmedArticle>").unwrap() + "</PubmedArticle>".len();
            articles.push_str(&xml[start..end]);
        }
        let empty = replay("pubmed/empty.xml");
        return ok(empty.replace(
            "<PubmedArticleSet></PubmedArticleSet>",
            &format!("<PubmedArticleSet>{articles}</PubmedArticleSet>"),
        ));
    }
    if path == "/pubmed/esearch.fcgi" {
        // (`mixed` and PMC9900002 find the normal work: a search gone wrong)
        let found =
            ["10.5555%2Fnormal", "10.5555/normal", "PMC9900001", "10.5555%2Fmixed", "10.5555/mixed", "PMC9900002"]
                .iter()
                .any(|term| query.contains(term));
        return ok(replay(if found { "pubmed/esearch-one.json" } else { "pubmed/esearch-none.json" }));
    }
    (404, String::new(), "no such route".into())
}

/// A minimal site whose site.yaml gives a contact address.
fn polite_site() -> tempfile::TempDir {
    let dir = site("minimal");
    let path = dir.path().join("site.yaml");
    let text = std::fs::read_to_string(&path).unwrap() + "contact_email: editors@example.org\n";
    std::fs::write(path, text).unwrap();
    dir
}

fn sources_yaml(root: &Path) -> String {
    std::fs::read_to_string(root.join("content/sources.yaml")).unwrap()
}

#[test]
fn source_add_by_doi_and_by_pmid_write_the_same_complete_entry() {
    let registry = Replay::start();
    let mut appended = Vec::new();
    for identifier in ["https://doi.org/10.5555/normal", "99000001"] {
        let dir = polite_site();
        let before = sources_yaml(dir.path());
        let out = registry.run(dir.path(), &["source", "add", identifier, "--evidence", "rct"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{identifier}: {stderr}");
        let after = sources_yaml(dir.path());
        assert!(after.starts_with(&before), "{identifier}: the file's text is kept as it was");
        let entry = after[before.len()..].to_string();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.starts_with(entry.trim_start()), "{identifier}: the entry is printed\n{stdout}");
        // the file still loads, and the new entry with it
        let report = crate::support::build_at(dir.path());
        assert!(!report.diagnostics.has_errors(), "{:?}", report.diagnostics);
        appended.push((entry, stdout.to_string()));
    }
    assert_eq!(appended[0], appended[1], "by DOI and by PMID, the same entry and reference");
    let (entry, printed) = &appended[0];
    assert!(entry.starts_with("\nnunez2024:\n  type: article\n"), "{entry}");
    // every author, from the registry whose list is marked complete
    for name in [
        "\"Núñez, Maria\"",
        "\"Okafor, Sanjay J\"",
        "name: \"van der Berg\", given-name: \"Lena\"",
        "\"O'Brien, Peter\"",
        "\"Chen, David\"",
    ] {
        assert!(entry.contains(name), "{name}: {entry}");
    }
    assert_eq!(entry.matches("\n    - ").count(), 8, "every author: {entry}");
    for field in [
        "serial-number: { doi: \"10.5555/normal\", pmid: \"99000001\", pmcid: \"PMC9900001\" }",
        "title: { value: \"Example Psychiatry Journal\", short: \"Ex Psychiatry J\" }",
        "date: 2024-04-11",
        "page-range: \"301-312\"",
        "volume: 390",
        "issue: 4",
        "evidence: rct",
    ] {
        assert!(entry.contains(field), "{field}: {entry}");
    }
    // the style, not the data, shortens the author list
    let reference = printed.lines().last().unwrap();
    assert!(reference.contains("et al") && !reference.contains("Chen"), "{reference}");
    // polite: who is asking, in the User-Agent and the query
    let requests = registry.requests();
    assert!(requests.iter().all(|(_, agent)| agent.contains("mailto:editors@example.org")), "{requests:?}");
    assert!(
        requests.iter().any(|(t, _)| t.starts_with("/crossref/works/") && t.contains("mailto=editors%40example.org"))
    );
    assert!(
        requests
            .iter()
            .any(|(t, _)| t.starts_with("/pubmed/") && t.contains("tool=sourcebook&email=editors%40example.org"))
    );
}

#[test]
fn source_add_writes_a_registry_s_line_breaks_and_escapes_as_plain_text() {
    let registry = Replay::start();
    let dir = polite_site();
    let before = sources_yaml(dir.path());
    let out = registry.run(dir.path(), &["source", "add", "10.5555/hostile"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains(|c: char| c.is_control() && c != '\n'), "nothing reaches the terminal raw: {stdout:?}");
    let entry = sources_yaml(dir.path())[before.len()..].to_string();
    // no escape written into the file: each control character became a space, and runs of spaces one
    for escape in ["\\e", "\\a", "\\0", "\\n", "\\t", "\\r", "\\N", "\\x", "\\u"] {
        assert!(!entry.contains(escape), "{escape} in {entry}");
    }
    for field in [
        "title: \"Ketamine Versus Placebo for Treatment- [31mResistant Depression: A Randomized Trial\"",
        "\"Núñez, Ma ria\"",
        "volume: \"39 [2J0\"",
        "page-range: \"301- 312\"",
        "value: \"Example Psychiatry Journal\"",
    ] {
        assert!(entry.contains(field), "{field}: {entry}");
    }
    let report = crate::support::build_at(dir.path());
    assert!(!report.diagnostics.has_errors(), "{:?}", report.diagnostics);
}

#[test]
fn source_add_refuses_an_identifier_already_cited_naming_its_id() {
    let registry = Replay::start();
    let dir = polite_site();
    let before = sources_yaml(dir.path());
    let out = registry.run(dir.path(), &["source", "add", "doi:10.1000/EXAMPLE.1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("as `doe2020`"), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(registry.requests().is_empty(), "refused before asking anyone");
    // known only once the registry is asked: the PMID's DOI is already cited
    let cited = before.replace("10.1000/example.1", "10.5555/normal");
    std::fs::write(dir.path().join("content/sources.yaml"), &cited).unwrap();
    let out = registry.run(dir.path(), &["source", "add", "PMID:99000001"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("DOI 10.5555/normal is already in the bibliography as `doe2020`")
    );
    assert_eq!(sources_yaml(dir.path()), cited, "nothing written");
}

/// An `--id` already taken is said before any registry is asked (it was
/// said only once one answered, after a network failure told first), and
/// a registry that cannot be reached is said with what to do instead.
#[test]
fn source_add_says_a_taken_id_before_asking_and_what_to_do_when_offline() {
    let registry = Replay::start();
    let dir = polite_site();
    let before = sources_yaml(dir.path());
    let out = registry.run(dir.path(), &["source", "add", "10.5555/normal", "--id", "doe2020"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("the id `doe2020` is taken; choose another with `--id`"), "{stderr}");
    assert!(registry.requests().is_empty(), "refused before asking anyone");
    // nothing listens on port 1 of this machine: as offline
    let out = sourcebook()
        .env("SOURCEBOOK_CROSSREF_API", "http://127.0.0.1:1/crossref")
        .env("SOURCEBOOK_PUBMED_API", "http://127.0.0.1:1/pubmed/")
        .arg("--root")
        .arg(dir.path())
        .args(["source", "add", "10.5555/normal"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("could not be reached"), "{stderr}");
    assert!(stderr.contains("help: check this machine's connection and try again, or write the entry"), "{stderr}");
    assert_eq!(sources_yaml(dir.path()), before, "nothing written");
}

/// A registry's record of another work is never written, or checked, as
/// the one asked for: Crossref answering `works/{doi}` with another DOI's
/// work, or PubMed's search by DOI or PMCID finding a PMID filed under
/// another. Before, the other work's title, authors and identifiers were
/// written under the identifier the author gave, and `source add` said it
/// was added.
#[test]
fn a_registry_s_record_of_another_work_is_never_taken_for_the_one_asked() {
    let registry = Replay::start();
    let add = |identifier: &str| {
        let dir = polite_site();
        let before = sources_yaml(dir.path());
        let out = registry.run(dir.path(), &["source", "add", identifier]);
        let after = sources_yaml(dir.path());
        let entry = after.strip_prefix(&before).expect("the file's text is kept").to_string();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
            entry,
        )
    };
    let (code, _, stderr, entry) = add("10.5555/elsewhere");
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("Crossref answered with the work 10.5555/normal when asked for 10.5555/elsewhere"),
        "{stderr}"
    );
    assert_eq!(entry, "", "nothing written");
    let (code, _, stderr, entry) = add("PMC9900002");
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("PubMed's search for PMC9900002 found PMID 99000001, filed under PMC9900001"), "{stderr}");
    assert_eq!(entry, "", "nothing written");
    // Crossref's record is the one asked for: written, without PubMed's
    let (code, stdout, stderr, entry) = add("10.5555/mixed");
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        format!("{stdout}{stderr}").contains(
            "no PMID or PMCID: PubMed's search for DOI 10.5555/mixed found PMID 99000001, filed under DOI 10.5555/normal"
        ),
        "{stdout}{stderr}"
    );
    assert!(entry.contains("serial-number: { doi: \"10.5555/mixed\" }"), "{entry}");
    assert!(
        entry.contains("Long-term ketamine use and memory") && !entry.contains("Ketamine versus placebo"),
        "{entry}"
    );
    // `check --sources` asks Crossref the same way: nothing of the other work is locked
    let dir = polite_site();
    std::fs::write(
        dir.path().join("content/sources.yaml"),
        "elsewhere:\n  type: article\n  title: Ketamine versus placebo for treatment-resistant depression\n  date: 2024\n  serial-number: { doi: \"10.5555/elsewhere\" }\n",
    )
    .unwrap();
    let out = registry.run(dir.path(), &["check", "--sources"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning[external-unreachable]: DOI 10.5555/elsewhere was not checked: Crossref answered with the work 10.5555/normal when asked for 10.5555/elsewhere"),
        "{stderr}"
    );
    let lock = std::fs::read_to_string(dir.path().join("content/sources.lock.yaml")).unwrap_or_default();
    assert!(!lock.contains("10.5555/normal") && !lock.contains("Ketamine versus placebo"), "{lock}");
}

/// `source add` writes only what `check` then reads: an id YAML would read
/// as a number is refused as a usage error, and an entry appended where it
/// would not be read (after a `...` that ends the file's document, after a
/// file written as one `{…}`) is refused with the file left as it was,
/// where it used to be written, reported as added, and break every
/// citation of the site.
#[test]
fn source_add_writes_nothing_check_would_not_read() {
    let registry = Replay::start();
    for id in ["0x10", "1e3", "0o7", "123"] {
        let dir = polite_site();
        let before = sources_yaml(dir.path());
        let out = registry.run(dir.path(), &["source", "add", "10.5555/normal", "--id", id]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "--id {id}: {stderr}");
        assert!(stderr.contains("would be read by YAML as a number"), "{stderr}");
        assert_eq!(sources_yaml(dir.path()), before, "--id {id}: nothing written");
    }
    for ending in ["...\n", "# the end\n...\n"] {
        let dir = polite_site();
        let before = sources_yaml(dir.path()) + ending;
        std::fs::write(dir.path().join("content/sources.yaml"), &before).unwrap();
        assert!(!crate::support::build_at(dir.path()).diagnostics.has_errors(), "the file reads before");
        let out = registry.run(dir.path(), &["source", "add", "10.5555/normal"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("would not read"), "{stderr}");
        assert_eq!(sources_yaml(dir.path()), before, "nothing written");
    }
}

/// Sources of every kind the replay server knows, cited by the page.
const SOURCES: &str = r#"
normal:
  type: article
  title: "Ketamine versus placebo for treatment-resistant depression: a randomized trial"
  author: ["Núñez, Maria", "Okafor, Sanjay J"]
  date: 2024-04-11
  serial-number: { doi: "10.5555/normal", pmid: "99000001" }
  parent: { type: periodical, title: { value: Example Psychiatry Journal, short: Ex Psychiatry J } }
retracted:
  type: article
  title: Ketamine infusions in adolescents with depression
  author: ["Weber, Jonas"]
  date: 2019
  serial-number: { doi: "10.5555/retracted", pmid: "99000002" }
  parent: { type: periodical, title: Example Psychiatry Journal }
corrected:
  type: article
  title: Dissociation after esketamine nasal spray
  author: ["Mensah, Kofi"]
  date: 2022
  serial-number: { doi: "10.5555/corrected" }
  parent: { type: periodical, title: Example Psychiatry Journal }
concern:
  type: article
  title: Long-term ketamine use and memory
  author: ["Moreau, Ines"]
  date: 2020
  serial-number: { doi: "10.5555/concern" }
  parent: { type: periodical, title: Example Psychiatry Journal }
missing:
  type: article
  title: A paper nobody registered
  date: 2020
  serial-number: { doi: "10.5555/missing" }
busy:
  type: article
  title: A title that is not the registry's
  author: ["Núñez, Maria"]
  date: 2024
  serial-number: { doi: "10.5555/busy" }
  parent: { type: periodical, title: Example Psychiatry Journal }
malformed:
  type: article
  title: An answer that is cut short
  date: 2020
  serial-number: { doi: "10.5555/malformed" }
"#;

/// (code, source id or file) of each finding about sources, sorted.
fn findings(root: &Path, registry: &Replay, args: &[&str]) -> (i32, Vec<(String, String)>) {
    let out = registry.run(root, &[&["check", "--format", "json"], args].concat());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes = [
        "source-not-found",
        "source-mismatch",
        "retracted-source",
        "corrected-source",
        "expression-of-concern",
        "stale-source-lock",
        "external-unreachable",
    ];
    let mut found: Vec<(String, String)> = json
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| codes.contains(&d["code"].as_str().unwrap()))
        .map(|d| {
            let message = d["message"].as_str().unwrap();
            let id = message.split('`').nth(1).filter(|_| message.starts_with("source `"));
            let about = id.map_or_else(|| message.to_string(), str::to_string);
            (d["code"].as_str().unwrap().to_string(), about)
        })
        .collect();
    found.sort();
    (out.status.code().unwrap(), found)
}

fn site_with_every_kind() -> tempfile::TempDir {
    let dir = polite_site();
    let path = dir.path().join("content/sources.yaml");
    std::fs::write(&path, std::fs::read_to_string(&path).unwrap() + SOURCES).unwrap();
    dir
}

#[test]
fn check_sources_reports_each_kind_and_plain_check_agrees_offline() {
    let registry = Replay::start();
    let dir = site_with_every_kind();
    let (code, asked) = findings(dir.path(), &registry, &["--sources"]);
    assert_eq!(code, 1, "a retracted source is an error");
    let pairs: Vec<(&str, &str)> = asked.iter().map(|(c, a)| (c.as_str(), a.as_str())).collect();
    let unreachable: Vec<&&str> = pairs.iter().filter(|(c, _)| *c == "external-unreachable").map(|(_, a)| a).collect();
    assert_eq!(unreachable.len(), 1, "{pairs:?}");
    assert!(unreachable[0].contains("DOI 10.5555/malformed"), "{unreachable:?}");
    let about: Vec<(&str, &str)> = pairs.iter().copied().filter(|(c, _)| *c != "external-unreachable").collect();
    assert_eq!(
        about,
        [
            ("corrected-source", "corrected"),
            ("expression-of-concern", "concern"),
            ("retracted-source", "retracted"),
            ("source-mismatch", "busy"),
            // the minimal site's own doe2020: neither its DOI nor its PMID is known
            ("source-not-found", "doe2020"),
            ("source-not-found", "doe2020"),
            ("source-not-found", "missing"),
        ],
        "{pairs:?}"
    );
    // the busy server was asked again after its Retry-After
    let requests = registry.requests();
    let busy = requests.iter().filter(|(t, _)| t.starts_with("/crossref/works/10.5555/busy")).count();
    assert_eq!(busy, 2, "{requests:?}");
    // the lock holds what was said, notices named with their dates
    let lock = std::fs::read_to_string(dir.path().join("content/sources.lock.yaml")).unwrap();
    for said in ["\"doi:10.5555/retraction-notice\"", "\"2021-05-28\"", "\"pmid:99000003\"", "expression-of-concern"] {
        assert!(lock.contains(said), "{said}: {lock}");
    }
    assert!(!lock.contains("malformed"), "a failed answer is not written down");
    // plain check reads the lock offline and finds the same
    let before = registry.requests().len();
    let (code, offline) = findings(dir.path(), &registry, &[]);
    assert_eq!(registry.requests().len(), before, "plain check asks no registry");
    let without_network: Vec<&(String, String)> = asked.iter().filter(|(c, _)| c != "external-unreachable").collect();
    let offline_found: Vec<&(String, String)> = offline.iter().filter(|(c, _)| c != "stale-source-lock").collect();
    assert_eq!(offline_found, without_network);
    assert!(offline.iter().any(|(c, a)| c == "stale-source-lock" && a.contains("`malformed`")), "{offline:?}");
    assert_eq!(code, 1);
}

#[test]
fn retracted_source_names_both_registries_notices_and_their_dates() {
    let registry = Replay::start();
    let dir = site_with_every_kind();
    let out = registry.run(dir.path(), &["check", "--sources", "--format", "json"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("wrote content/sources.lock.yaml"));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let retracted = json.as_array().unwrap().iter().find(|d| d["code"] == "retracted-source").unwrap();
    let message = retracted["message"].as_str().unwrap();
    for part in
        ["Retraction (doi:10.5555/retraction-notice, 2021-05-28, retraction-watch)", "(pmid:99000003, 2021-06, pubmed)"]
    {
        assert!(message.contains(part), "{part}: {message}");
    }
    assert_eq!(
        (retracted["file"].as_str(), retracted["severity"].as_str()),
        (Some("content/sources.yaml"), Some("error"))
    );
}

#[test]
fn no_registry_is_one_message_and_the_lock_is_kept() {
    let registry = Replay::start();
    let dir = site_with_every_kind();
    findings(dir.path(), &registry, &["--sources"]);
    let lock = std::fs::read_to_string(dir.path().join("content/sources.lock.yaml")).unwrap();
    // a closed loopback port: refused at once, as with no network
    let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let nowhere = Replay { port: closed, log: Arc::default() };
    let (_, found) = findings(dir.path(), &nowhere, &["--sources"]);
    let unreachable: Vec<&(String, String)> = found.iter().filter(|(c, _)| c == "external-unreachable").collect();
    assert_eq!(unreachable.len(), 1, "{found:?}");
    assert!(unreachable[0].1.contains("the registries could not be reached"), "{unreachable:?}");
    assert!(
        found.iter().any(|(c, a)| c == "retracted-source" && a == "retracted"),
        "the lock still says so: {found:?}"
    );
    assert_eq!(std::fs::read_to_string(dir.path().join("content/sources.lock.yaml")).unwrap(), lock);
    // a site without a lock gets none from a run that reached nobody
    let fresh = site_with_every_kind();
    let mut cmd = sourcebook();
    nowhere.env(&mut cmd);
    let out = cmd.arg("--root").arg(fresh.path()).args(["check", "--sources"]).output().unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("wrote"));
    assert!(!fresh.path().join("content/sources.lock.yaml").exists());
}

#[test]
fn the_lock_is_never_published() {
    let dir = site("minimal");
    std::fs::write(dir.path().join("content/sources.lock.yaml"), "{}\n").unwrap();
    let report = crate::support::build_at(dir.path());
    assert!(!report.diagnostics.has_errors(), "{:?}", report.diagnostics);
    let public = dir.path().join("public");
    assert!(
        walkdir::WalkDir::new(&public).into_iter().flatten().all(|e| !e.file_name().to_string_lossy().contains("lock"))
    );
}

#[test]
fn csl_json_sources_are_cited_like_yaml_ones_and_share_the_duplicate_rule() {
    let dir = site("minimal");
    let page = dir.path().join("content/basics/first.md");
    let text = std::fs::read_to_string(&page).unwrap() + "\nAs a Zotero export says [@nunez2024].\n";
    std::fs::write(&page, text).unwrap();
    let item = |id: &str, title: &str| {
        format!(
            r#"{{"id": "{id}", "type": "article-journal", "title": "{title}", "container-title": "Example Psychiatry Journal",
  "author": [{{"family": "Núñez", "given": "Maria"}}], "issued": {{"date-parts": [[2024, 4, 11]]}}, "DOI": "10.5555/normal"}}"#
        )
    };
    let json = dir.path().join("content/sources.json");
    std::fs::write(&json, format!("[\n{}\n]\n", item("nunez2024", "Ketamine versus placebo"))).unwrap();
    let report = crate::support::build_at(dir.path());
    assert!(!report.diagnostics.has_errors(), "{:?}", report.diagnostics);
    let sources = std::fs::read_to_string(dir.path().join("public/sources/index.html")).unwrap();
    assert!(
        sources.contains("Ketamine versus placebo") && sources.contains("https://doi.org/10.5555/normal"),
        "{sources}"
    );
    // the same id with other data in sources.yaml: named in both places
    let yaml = dir.path().join("content/sources.yaml");
    let text = std::fs::read_to_string(&yaml).unwrap() + "nunez2024:\n  type: misc\n  title: Something else\n";
    std::fs::write(&yaml, text).unwrap();
    let report = crate::support::build_at(dir.path());
    let duplicate: Vec<_> = report.diagnostics.iter().filter(|d| d.code.as_str() == "duplicate-source").collect();
    assert_eq!(duplicate.len(), 1, "{:?}", report.diagnostics);
    assert!(duplicate[0].message.contains("content/sources"), "{}", duplicate[0].message);
}

/// `source add` run several times at once adds every source: each rewrote
/// sources.yaml from what it had read, so all said "added" and only the
/// last one's entry was kept. A sources.yaml that is a link to a file
/// inside the site (a bibliography shared by sites) is written through the
/// link, not replaced by a copy that the other sites never see.
#[test]
fn sources_added_at_once_are_all_kept_through_a_linked_file() {
    let registry = Replay::start();
    let dir = polite_site();
    let root = dir.path();
    std::fs::create_dir(root.join("shared")).unwrap();
    std::fs::rename(root.join("content/sources.yaml"), root.join("shared/sources.yaml")).unwrap();
    std::os::unix::fs::symlink("../shared/sources.yaml", root.join("content/sources.yaml")).unwrap();
    let args: Vec<Vec<String>> = (0..4)
        .map(|i| {
            ["source", "add", &format!("10.5555/copy-{i}"), "--id", &format!("added{i}")].map(String::from).to_vec()
        })
        .collect();
    let env = [
        ("SOURCEBOOK_CROSSREF_API", format!("http://127.0.0.1:{}/crossref", registry.port)),
        ("SOURCEBOOK_PUBMED_API", format!("http://127.0.0.1:{}/pubmed/", registry.port)),
    ];
    crate::support::run_at_once(root, &args, &env);
    assert!(std::fs::symlink_metadata(root.join("content/sources.yaml")).unwrap().file_type().is_symlink());
    let shared = std::fs::read_to_string(root.join("shared/sources.yaml")).unwrap();
    for i in 0..4 {
        assert!(shared.contains(&format!("\nadded{i}:\n")), "added{i} lost:\n{shared}");
    }
    let report = crate::support::build_at(root);
    assert!(!report.diagnostics.has_errors(), "{:?}", report.diagnostics);
}
