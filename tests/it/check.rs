//! `sourcebook check` as an editor and a CI job use it.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::support::{copy_tree, fixtures, site, sourcebook};

fn check_json(root: &Path, extra: &[&str]) -> (i32, serde_json::Value) {
    let out = sourcebook().arg("--root").arg(root).args(["check", "--format", "json"]).args(extra).output().unwrap();
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code().unwrap(), json)
}

/// The JSON shape of SPEC §7, checked against docs/diagnostics.schema.json by hand:
/// exactly these keys, these types, 1-based positions.
fn assert_matches_schema(json: &serde_json::Value) {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/diagnostics.schema.json")).unwrap(),
    )
    .unwrap();
    let item = &schema["items"];
    let required: Vec<&str> = item["required"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    let codes: Vec<&str> =
        item["properties"]["code"]["enum"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    for d in json.as_array().expect("an array") {
        // `help` is optional: present when there is advice
        let keys: Vec<&str> = d.as_object().unwrap().keys().map(String::as_str).filter(|k| *k != "help").collect();
        let mut sorted = required.clone();
        sorted.sort();
        assert_eq!(keys, sorted, "exactly the schema's keys, and `help`");
        assert!(d.get("help").is_none_or(|h| h.as_str().is_some_and(|h| !h.is_empty())), "{d}");
        assert!(["error", "warning"].contains(&d["severity"].as_str().unwrap()));
        assert!(codes.contains(&d["code"].as_str().unwrap()), "{d}");
        assert!(d["message"].is_string());
        assert!(d["file"].is_string() || d["file"].is_null());
        for k in ["line", "column"] {
            assert!(d[k].is_null() || d[k].as_u64().is_some_and(|n| n >= 1), "{d}");
        }
    }
}

#[test]
fn schema_lists_every_code() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/diagnostics.schema.json")).unwrap(),
    )
    .unwrap();
    let codes: Vec<&str> =
        schema["items"]["properties"]["code"]["enum"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    let ours: Vec<&str> = sourcebook::diagnostics::Code::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(codes, ours);
}

#[test]
fn json_output_follows_the_schema_and_exit_codes_follow_severity() {
    let dir = site("minimal");
    copy_tree(&fixtures().join("invalid/safe-messaging"), dir.path());
    copy_tree(&fixtures().join("invalid/unused-source"), dir.path());
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_matches_schema(&json);
    let d = json.as_array().unwrap().iter().find(|d| d["code"] == "safe-messaging").unwrap();
    assert_eq!(d["file"], "content/basics/first.md");
    assert_eq!((d["line"].as_u64(), d["column"].as_u64()), (Some(8), Some(22)));
    assert!(d["message"].as_str().unwrap().contains("committed suicide"));
}

#[test]
fn warnings_pass_unless_denied() {
    let dir = site("minimal");
    copy_tree(&fixtures().join("invalid/promotional-language"), dir.path());
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!(code, 0, "{json}");
    assert!(json.as_array().unwrap().iter().all(|d| d["severity"] == "warning"));
    let (code, _) = check_json(dir.path(), &["--deny-warnings"]);
    assert_eq!(code, 1);
}

#[test]
fn site_yaml_tunes_severities_and_word_lists() {
    let dir = site("minimal");
    copy_tree(&fixtures().join("invalid/promotional-language"), dir.path());
    let config = std::fs::read_to_string(dir.path().join("site.yaml")).unwrap();
    let strict =
        format!("{config}check:\n  severity: {{ promotional-language: error }}\n  promotional: [\"for some\"]\n");
    std::fs::write(dir.path().join("site.yaml"), &strict).unwrap();
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!(code, 1);
    let found: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "promotional-language")
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert_eq!(found.len(), 2, "{found:?}");
    let relaxed = format!("{config}check:\n  severity: {{ promotional-language: off, review-overdue: off }}\n");
    std::fs::write(dir.path().join("site.yaml"), &relaxed).unwrap();
    let (code, json) = check_json(dir.path(), &["--deny-warnings"]);
    assert_eq!((code, json.as_array().unwrap().len()), (0, 0), "{json}");
}

#[test]
fn a_severity_set_in_site_yaml_applies_to_findings_the_site_keeps_too() {
    // repeated questions are found once and shared with the site as they
    // are kept: raising one copies it, and only it
    let dir = site("minimal");
    copy_tree(&fixtures().join("invalid/duplicate-faq"), dir.path());
    let severity = |json: &serde_json::Value| -> Vec<String> {
        let found = json.as_array().unwrap().iter().filter(|d| d["code"] == "duplicate-faq");
        found.map(|d| d["severity"].as_str().unwrap().to_string()).collect()
    };
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!((code, severity(&json)), (0, vec!["warning".to_string(); 2]), "{json}");
    let config = std::fs::read_to_string(dir.path().join("site.yaml")).unwrap();
    std::fs::write(dir.path().join("site.yaml"), format!("{config}check:\n  severity: {{ duplicate-faq: error }}\n"))
        .unwrap();
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!((code, severity(&json)), (1, vec!["error".to_string(); 2]), "{json}");
}

#[test]
fn text_output_has_a_summary_and_report_has_grades() {
    let dir = site("minimal");
    copy_tree(&fixtures().join("invalid/readability"), dir.path());
    let out =
        sourcebook().arg("--root").arg(dir.path()).args(["check", "--report"]).assert().success().get_output().clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("warning[readability]: reading grade"), "{stderr}");
    assert!(stderr.contains("0 errors, 1 warning"), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("| content/basics/first.md | patients |"), "{stdout}");
}

/// A one-thread HTTP server on loopback: `/ok` answers 200, anything else 404.
fn serve_twice(requests: usize) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(requests) {
            let mut stream = stream.unwrap();
            let mut buf = [0u8; 2048];
            let n = stream.read(&mut buf).unwrap_or(0);
            let request = String::from_utf8_lossy(&buf[..n]);
            let status = if request.contains(" /ok ") { "200 OK" } else { "404 Not Found" };
            let _ = write!(stream, "HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        }
    });
    port
}

#[test]
fn external_links_are_probed() {
    let port = serve_twice(2);
    let dir = site("minimal");
    let path = dir.path().join("content/basics/first.md");
    let text = std::fs::read_to_string(&path).unwrap()
        + &format!(
            "\n[fine](http://127.0.0.1:{port}/ok) and [gone](http://127.0.0.1:{port}/gone) and [fine again](http://127.0.0.1:{port}/ok).\n"
        );
    std::fs::write(&path, text).unwrap();
    let (code, json) = check_json(dir.path(), &["--external"]);
    let broken: Vec<&serde_json::Value> =
        json.as_array().unwrap().iter().filter(|d| d["code"] == "broken-link").collect();
    assert_eq!(broken.len(), 1, "{json}");
    assert!(broken[0]["message"].as_str().unwrap().contains("/gone"));
    assert_eq!(broken[0]["line"], 18);
    assert_eq!(code, 1);
}

#[test]
fn no_network_is_one_message_not_a_flood() {
    let dir = site("minimal");
    let path = dir.path().join("content/basics/first.md");
    // a closed loopback port: refused at once, as with no network
    let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let links: String = (0..5).map(|i| format!("[l{i}](http://127.0.0.1:{closed}/{i}) ")).collect();
    std::fs::write(&path, std::fs::read_to_string(&path).unwrap() + "\n" + &links + "\n").unwrap();
    let (_, json) = check_json(dir.path(), &["--external"]);
    let external: Vec<&serde_json::Value> = json
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "external-unreachable" || d["code"] == "broken-link")
        .collect();
    assert_eq!(external.len(), 1, "{json}");
    assert_eq!(external[0]["code"], "external-unreachable");
    assert!(external[0]["message"].as_str().unwrap().contains("5 links not checked"));
}

/// A loopback server that accepts every connection and never answers nor
/// closes it, as a host that has gone silent.
fn silent_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            held.push(stream);
        }
    });
    port
}

/// A loopback server answering every request with `status`; counts them.
fn answering_server(status: &'static str) -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&hits);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0u8; 2048];
            let _ = stream.read(&mut buf);
            counted.fetch_add(1, Ordering::SeqCst);
            let _ = write!(stream, "HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        }
    });
    (port, hits)
}

#[test]
fn external_links_that_never_answer_end_with_the_budget() {
    let silent = silent_server();
    let (ok, ok_hits) = answering_server("200 OK");
    let (gone, _) = answering_server("404 Not Found");
    let dir = site("minimal");
    let path = dir.path().join("content/basics/first.md");
    let mut links: String = (0..40).map(|i| format!("[s{i}](http://127.0.0.1:{silent}/{i}) ")).collect();
    links += &format!("\n\n[fine](http://127.0.0.1:{ok}/fine) and [gone](http://127.0.0.1:{gone}/gone).\n");
    std::fs::write(&path, std::fs::read_to_string(&path).unwrap() + "\n" + &links).unwrap();
    let started = Instant::now();
    let (code, json) = check_json(dir.path(), &["--external", "--external-timeout", "2"]);
    // a bound against a hang (40 links at 10 s, 8 at a time, took 51 s), not a timing
    let took = started.elapsed();
    assert!(took < Duration::from_secs(15), "check --external-timeout 2 took {took:?}");
    let with = |code: &str| -> Vec<&serde_json::Value> {
        json.as_array().unwrap().iter().filter(|d| d["code"] == code).collect()
    };
    // the servers that answer were still asked, and the 404 is reported
    assert!(ok_hits.load(Ordering::SeqCst) >= 1, "the answering link was never probed");
    let broken = with("broken-link");
    assert_eq!(broken.len(), 1, "{json}");
    assert!(broken[0]["message"].as_str().unwrap().contains(&format!("127.0.0.1:{gone}/gone")), "{json}");
    assert_eq!(broken[0]["severity"], "error");
    // the silent ones are one summary, not 40 broken links
    let late = with("external-unreachable");
    assert_eq!(late.len(), 1, "{json}");
    assert_eq!(late[0]["severity"], "warning");
    assert_eq!(
        late[0]["message"],
        "40 external links were not reached within the 2 s budget: they are not checked, and not reported as broken"
    );
    assert_eq!(code, 1);
}

#[test]
fn external_timeout_needs_external_and_a_positive_number() {
    let dir = site("minimal");
    for args in [&["check", "--external-timeout", "5"][..], &["check", "--external", "--external-timeout", "0"]] {
        sourcebook().arg("--root").arg(dir.path()).args(args).assert().code(2);
    }
}

#[test]
fn the_shipped_site_passes_check_with_no_error_and_no_warning() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (code, json) = check_json(root, &["--deny-warnings"]);
    assert_eq!(json, serde_json::json!([]), "the shipped site must pass the editor's review");
    assert_eq!(code, 0);
}

/// With a problem found while loading, articles are not checked one by one
/// as they are rendered but all together afterwards: the editorial findings
/// (wording in the file, crisis information in the rendered page) must be
/// the same either way.
#[test]
fn editorial_checks_run_whether_or_not_loading_found_errors() {
    let codes = |broken: bool| {
        let dir = site("minimal");
        copy_tree(&fixtures().join("invalid/safe-messaging-theme"), dir.path());
        if broken {
            std::fs::write(dir.path().join("content/basics/broken.md"), "---\ntitle: [unclosed\n---\n").unwrap();
        }
        let (code, json) = check_json(dir.path(), &[]);
        assert_eq!(code, 1);
        let mut found: Vec<(String, String)> = json
            .as_array()
            .unwrap()
            .iter()
            .map(|d| (d["code"].as_str().unwrap().to_string(), d["file"].as_str().unwrap_or("").to_string()))
            .collect();
        found.sort();
        found
    };
    let streamed = codes(false);
    assert!(streamed.contains(&("safe-messaging".into(), "content/basics/first.md".into())), "{streamed:?}");
    let mut after_errors = codes(true);
    let broken = ("front-matter-yaml".to_string(), "content/basics/broken.md".to_string());
    assert!(after_errors.contains(&broken), "{after_errors:?}");
    after_errors.retain(|d| *d != broken);
    assert_eq!(after_errors, streamed);
}
