//! Mutated sites: the fixture sites (`minimal`, `full`, and `minimal` with
//! people, signed reviews and trust pages) with their site.yaml, front
//! matter, sources.yaml, glossary.yaml, sources.bib, theme.yaml,
//! people.yaml and reviews.yaml (and sometimes an article's text) damaged byte by byte
//! (flipped bits, control characters, invalid UTF-8, deleted bytes) and by
//! structure (lines duplicated, dropped, swapped, indented; values swapped,
//! nested, replaced by odd scalars; YAML anchors and aliases; files cut
//! short; and, in YAML that parses, keys dropped, added or renamed, values
//! of another type, lists and maps nested deeper), then built over a
//! previous good build and checked. Whatever the input:
//!
//! - neither `build` nor `check` panics, and neither runs past a limit;
//! - a build writes the site or reports at least one error;
//! - a build that fails leaves the previous output byte for byte;
//! - `check` reports an error whenever `build` did.
//!
//! Seeded, so every run tries the same sites, for about 25 seconds.
//! `MUTATIONS_SECONDS=600` runs longer, `MUTATIONS_SEED=<n>` starts from
//! another seed, and a failure names the seed of its case:
//! `MUTATIONS_CASE=<seed>` replays that one case alone; `MUTATIONS_TRACE=1`
//! prints each case's mutations and the codes of its errors.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use sourcebook::build::{BuildOptions, BuildReport, build};
use sourcebook::check::{CheckOptions, CheckReport, check};
use sourcebook::review::ReviewRole;
use sourcebook::review::{SignRequest, Signing};

use crate::support::{Rng, copy_tree, fixtures, snapshot_tree};

/// How long the loop runs by default: 50 to 100 sites in a debug build,
/// fewer beside the rest of the suite (each build reads hayagriva's CSL
/// locales, most of its time).
const SECONDS: u64 = 25;
/// A build or a check past this has hung (a debug build of a fixture takes
/// well under a second, even beside the rest of the suite).
const HANG: Duration = Duration::from_secs(30);

/// The files each fixture's mutations are made in.
const MINIMAL: &[&str] =
    &["site.yaml", "content/sources.yaml", "content/index.md", "content/basics/_index.md", "content/basics/first.md"];
const FULL: &[&str] = &[
    "site.yaml",
    "content/sources.yaml",
    "content/glossary.yaml",
    "content/sources.bib",
    "content/index.md",
    "content/guide/_index.md",
    "content/guide/cited.md",
    "content/guide/unfinished.md",
    "content/guide/with-figure/index.md",
    "themes/test/theme.yaml",
];
const GOVERNED: &[&str] = &[
    "site.yaml",
    "content/sources.yaml",
    "content/people.yaml",
    "content/reviews.yaml",
    "content/index.md",
    "content/basics/first.md",
];

#[test]
fn mutated_sites_never_panic_hang_or_lose_the_previous_output() {
    let seconds = env_number("MUTATIONS_SECONDS").unwrap_or(SECONDS);
    let good = [
        GoodBuild::new("minimal", "minimal", MINIMAL, |_| {}),
        GoodBuild::new("full", "full", FULL, |_| {}),
        GoodBuild::new("governed", "minimal", GOVERNED, govern),
    ];
    if let Some(case) = env_number("MUTATIONS_CASE") {
        if let Err(failure) = run_case(&good, case) {
            panic!("{failure}");
        }
        return;
    }
    let started = Instant::now();
    let mut seeds = Rng(env_number("MUTATIONS_SEED").unwrap_or(0x6d75_7461_7465) | 1);
    let (mut cases, mut written) = (0, 0);
    while started.elapsed() < Duration::from_secs(seconds) {
        let case = seeds.next();
        match run_case(&good, case) {
            Ok(wrote) => written += usize::from(wrote),
            Err(failure) => panic!("{failure}\n(replay with MUTATIONS_CASE={case:#x})"),
        }
        cases += 1;
    }
    eprintln!("mutations: {cases} sites, {written} built, {} refused", cases - written);
}

fn env_number(name: &str) -> Option<u64> {
    let value = std::env::var(name).ok()?;
    let value = value.trim();
    match value.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => value.parse().ok(),
    }
}

/// A fixture built once, unchanged: what every mutated case starts from.
struct GoodBuild {
    /// What a failure calls it.
    name: &'static str,
    files: &'static [&'static str],
    /// The fixture with its good build in `public/`.
    dir: tempfile::TempDir,
    public: Vec<(PathBuf, Vec<u8>)>,
}

impl GoodBuild {
    /// The fixture `fixture`, changed by `setup`, built.
    fn new(name: &'static str, fixture: &str, files: &'static [&'static str], setup: fn(&Path)) -> GoodBuild {
        let dir = tempfile::tempdir().unwrap();
        copy_tree(&fixtures().join(fixture), dir.path());
        setup(dir.path());
        let report = build(&BuildOptions { root: dir.path().to_path_buf(), ..BuildOptions::default() }).unwrap();
        assert!(report.written.is_some(), "the {name} fixture builds: {:?}", report.diagnostics);
        let public = snapshot_tree(&dir.path().join("public"));
        GoodBuild { name, files, dir, public }
    }
}

/// The minimal site under editorial governance: people, authors, a review
/// and a change by hand, two signed reviews in content/reviews.yaml, and
/// every trust page (the fixture states its funding and conflicts).
fn govern(root: &Path) {
    let people = "jane-lee:\n  name: \"Jane Lee\"\n  credentials: \"MD\"\n  roles: [clinical reviewer, author]\n  \
                  orcid: \"0000-0002-1825-0097\"\n  affiliation: \"Example Hospital\"\n\
                  team:\n  name: \"The editorial team\"\n  organization: true\n  roles: [editor, author]\n\
                  sam:\n  name: \"Sam Reader\"\n  roles: [lay reviewer]\n";
    std::fs::write(root.join("content/people.yaml"), people).unwrap();
    let site = std::fs::read_to_string(root.join("site.yaml")).unwrap()
        + "review_roles: [clinical, lay, editorial]\n\
           trust_pages:\n  accessibility: { standard: \"WCAG 2.2 level AA\", last_audit: 2024-03-01 }\n  \
           editorial_policy: { sources: \"Primary sources first.\" }\n  funding: true\n";
    std::fs::write(root.join("site.yaml"), site).unwrap();
    let page = root.join("content/basics/first.md");
    let text = std::fs::read_to_string(&page).unwrap().replace(
        "reviewed: { by: \"Editorial team\", on: 2024-02-01 }\n",
        "authors: [jane-lee, team]\nreviews:\n  - { by: sam, role: lay, on: 2024-02-01, scope: \"the background\" }\n\
         changes:\n  - { on: 2024-02-01, summary: \"First version.\" }\n",
    );
    std::fs::write(&page, text).unwrap();
    for (by, role) in [("jane-lee", ReviewRole::Clinical), ("team", ReviewRole::Editorial)] {
        let request = SignRequest {
            page: "content/basics/first.md".into(),
            by: by.into(),
            role,
            on: jiff::civil::date(2024, 2, 1),
            scope: None,
            today: jiff::civil::date(2025, 1, 1),
        };
        let signed = sourcebook::review::sign(root, &request).unwrap();
        assert!(matches!(signed, Signing::Signed { .. }), "{signed:?}");
    }
}

/// Mutate one site, build and check it. `Ok(true)` when it built, `Err`
/// with a description of the case when a property failed.
fn run_case(good: &[GoodBuild], case: u64) -> Result<bool, String> {
    let mut rng = Rng(case | 1);
    let base = &good[rng.below(good.len())];
    let dir = tempfile::tempdir().unwrap();
    copy_tree(base.dir.path(), dir.path());
    let mut log = Vec::new();
    for _ in 0..1 + rng.below(3) {
        let file = base.files[rng.below(base.files.len())];
        let path = dir.path().join(file);
        let mut bytes = std::fs::read(&path).unwrap_or_default();
        let what = mutate(&mut rng, file, &mut bytes);
        log.push(format!("{file}: {what}"));
        std::fs::write(&path, &bytes).unwrap();
    }
    let drafts = rng.below(4) == 0;
    let describe = |problem: &str| {
        let files: String = base
            .files
            .iter()
            .map(|f| {
                let text = std::fs::read(dir.path().join(f)).unwrap_or_default();
                format!("--- {f}\n{}\n", String::from_utf8_lossy(&text))
            })
            .collect();
        format!(
            "{problem}\ncase {case:#x}: site {}, drafts {drafts}, mutations:\n  {}\nfiles after mutation:\n{files}",
            base.name,
            log.join("\n  ")
        )
    };

    let built = build_within(dir.path(), drafts).map_err(|e| describe(&e))?;
    let errors: Vec<String> = built.diagnostics.iter().filter(|d| d.is_error()).map(summary).collect();
    let wrote = built.written.is_some();
    if wrote && !errors.is_empty() {
        return Err(describe(&format!("the build wrote the site despite errors: {errors:?}")));
    }
    if !wrote {
        if errors.is_empty() {
            let all: Vec<String> = built.diagnostics.iter().map(summary).collect();
            return Err(describe(&format!("the build wrote nothing and reported no error: {all:?}")));
        }
        let public = dir.path().join("public");
        if !public.is_dir() || snapshot_tree(&public) != base.public {
            return Err(describe(&format!("a failed build changed the previous output (errors: {errors:?})")));
        }
    }

    if std::env::var_os("MUTATIONS_TRACE").is_some() {
        let codes: Vec<&str> = built.diagnostics.iter().filter(|d| d.is_error()).map(|d| d.code.as_str()).collect();
        eprintln!("{case:#x} {} {log:?} -> {}", base.name, if wrote { "written".into() } else { codes.join(" ") });
    }
    let checked = check_within(dir.path(), drafts).map_err(|e| describe(&e))?;
    if !wrote && !checked.diagnostics.has_errors() {
        let found: Vec<String> = checked.diagnostics.iter().map(summary).collect();
        return Err(describe(&format!("build reported {errors:?}, check no error: {found:?}")));
    }
    Ok(wrote)
}

fn summary(d: &sourcebook::diagnostics::Diagnostic) -> String {
    format!("{} {}: {} ({:?})", d.code.as_str(), d.file.as_deref().unwrap_or("-"), d.message, d.severity)
}

fn build_within(root: &Path, drafts: bool) -> Result<BuildReport, String> {
    let options = BuildOptions { root: root.to_path_buf(), drafts, ..BuildOptions::default() };
    within("build", move || build(&options))?.map_err(|e| format!("build failed as a program, not a diagnostic: {e:#}"))
}

fn check_within(root: &Path, drafts: bool) -> Result<CheckReport, String> {
    let today = jiff::civil::date(2025, 1, 1);
    let options = CheckOptions { root: root.to_path_buf(), drafts, external: None, today, sources: None };
    within("check", move || check(&options)).and_then(|r| r.map_err(|e| format!("check failed as a program: {e:#}")))
}

/// Run `f` on a thread of its own: a panic is caught and a hang is a
/// failure (the thread is left behind; the test fails anyway).
fn within<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> Result<T, String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(catch_unwind(AssertUnwindSafe(f)));
    });
    match rx.recv_timeout(HANG) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(panic)) => {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "(no message)".into());
            Err(format!("{what} panicked: {message}"))
        }
        Err(_) => Err(format!("{what} did not finish within {HANG:?}")),
    }
}

/// One mutation of `bytes` (the content of `file`); says what it did.
/// Front matter is aimed at: in a Markdown file most mutations land between
/// its `---` lines, the others anywhere in the file.
fn mutate(rng: &mut Rng, file: &str, bytes: &mut Vec<u8>) -> String {
    let (start, end) = match front_matter(bytes) {
        Some(range) if file.ends_with(".md") && rng.below(10) >= 3 => range,
        _ => (0, bytes.len()),
    };
    let mut part = bytes[start..end].to_vec();
    let yaml = file.ends_with(".yaml") || start > 0;
    let what = match rng.below(3) {
        0 => bytewise(rng, &mut part),
        1 if yaml => tree(rng, &mut part).unwrap_or_else(|| structural(rng, &mut part)),
        _ => structural(rng, &mut part),
    };
    bytes.splice(start..end, part);
    what
}

/// The bytes between the opening `---\n` and the closing `\n---`.
fn front_matter(bytes: &[u8]) -> Option<(usize, usize)> {
    let rest = bytes.strip_prefix(b"---\n")?;
    let end = rest.windows(4).position(|w| w == b"\n---")?;
    Some((4, 4 + end + 1))
}

/// Bytes that mean something to YAML, BibTeX, Markdown or UTF-8.
const BYTES: &[u8] = b"\x00\x01\x07\x08\x0b\x0c\r\x1b\x7f\x80\xbf\xc0\xc3\xe2\xed\xef\xf0\xf4\xf5\xfe\xff\n\t :-[]{}&*!|>'\"#%@`\\,?=$<~";
/// Sequences that are valid UTF-8 but odd, or not UTF-8 at all.
const SEQUENCES: &[&[u8]] = &[
    "\u{feff}".as_bytes(),
    b"\r\n",
    "\u{2028}".as_bytes(),
    "\u{202e}".as_bytes(),
    "\u{200b}".as_bytes(),
    b"\xc0\xaf",
    b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80",
    b"\xe2\x82",
    b"\0\0\0\0",
    b"\n---\n",
    b"---",
    b"...",
    b"\n@article{x,\n",
    // Markdown bodies: multi-byte characters beside the syntax sourcebook reads
    "é".as_bytes(),
    "😀".as_bytes(),
    "\u{301}".as_bytes(),
    b"[@",
    b"[@doe2020",
    b"; @",
    b", p. ",
    b"{#",
    b" {.x}",
    b"](",
    b"![",
    b"](#",
    "【6†source】".as_bytes(),
    "【".as_bytes(),
    b"```",
    b"<!--",
    b"\n## ",
    b"\n| a |\n|---|\n",
];

fn bytewise(rng: &mut Rng, bytes: &mut Vec<u8>) -> String {
    let at = rng.below(bytes.len() + 1);
    match rng.below(5) {
        0 if at < bytes.len() => {
            let bit = rng.below(8);
            bytes[at] ^= 1 << bit;
            format!("flip bit {bit} of byte {at}")
        }
        1 => {
            let inserted: Vec<u8> = (0..1 + rng.below(4)).map(|_| BYTES[rng.below(BYTES.len())]).collect();
            bytes.splice(at..at, inserted.iter().copied());
            format!("insert {inserted:?} at {at}")
        }
        2 => {
            let sequence = SEQUENCES[rng.below(SEQUENCES.len())];
            bytes.splice(at..at, sequence.iter().copied());
            format!("insert {:?} at {at}", String::from_utf8_lossy(sequence))
        }
        3 => {
            let byte = rng.below(256) as u8;
            bytes.insert(at, byte);
            format!("insert byte {byte:#04x} at {at}")
        }
        _ => {
            let end = (at + 1 + rng.below(8)).min(bytes.len());
            bytes.drain(at..end);
            format!("delete bytes {at}..{end}")
        }
    }
}

/// Scalars a key may be given: other types, edge cases, YAML syntax.
const VALUES: &[&str] = &[
    "",
    "~",
    "null",
    "[]",
    "{}",
    "-1",
    "0",
    "1e400",
    "99999999999999999999999",
    "2024-02-30",
    "0000-00-00",
    "9999-12-31",
    "!!binary aGk=",
    "!custom x",
    "|",
    ">-",
    "\"unterminated",
    "'",
    "*undefined",
    "&a",
    "? complex",
    "[a, [b, {c: d}]]",
    "{title: x, title: y}",
    "yes",
    ".nan",
    "-.inf",
    "\"\\u0000\"",
    "\"\\ud800\"",
    "\"[@unknown2020]\"",
    "javascript:alert(1)",
    "https://",
    "../../../../etc/passwd",
    "CON",
    "a\tb",
    // BibTeX
    "{2020/..}",
    "{-5}",
    "{5--}",
    "{and and}",
    "{13}",
    "{\\\"{o}}",
    "{$x^2$}",
    "{{unbalanced}",
    "\"quoted\" # x",
    "{bibentry2018}",
    "{}",
    "@string{s = {x}}",
];

fn structural(rng: &mut Rng, bytes: &mut Vec<u8>) -> String {
    let mut lines: Vec<Vec<u8>> = bytes.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
    let n = lines.len();
    let i = rng.below(n);
    let j = rng.below(n);
    let what = match rng.below(11) {
        0 => {
            let copy = lines[i].clone();
            lines.insert(j, copy);
            format!("duplicate line {i} at {j}")
        }
        1 => {
            let end = (i + 1 + rng.below(3)).min(n);
            lines.drain(i..end);
            format!("drop lines {i}..{end}")
        }
        2 => {
            let (a, b) = (value_of(&lines[i]), value_of(&lines[j]));
            match (a, b) {
                (Some(a), Some(b)) if i != j => {
                    let (va, vb) = (lines[i][a..].to_vec(), lines[j][b..].to_vec());
                    lines[i].truncate(a);
                    lines[i].extend(vb);
                    lines[j].truncate(b);
                    lines[j].extend(va);
                    format!("swap the values of lines {i} and {j}")
                }
                _ => {
                    lines.swap(i, j);
                    format!("swap lines {i} and {j}")
                }
            }
        }
        3 => {
            let end = (i + 1 + rng.below(4)).min(n);
            let indent: &[u8] = [&b"  "[..], b" ", b"\t", b"    - "][rng.below(4)];
            for line in &mut lines[i..end] {
                line.splice(0..0, indent.iter().copied());
            }
            format!("indent lines {i}..{end} with {:?}", String::from_utf8_lossy(indent))
        }
        4 => {
            let depth = [1, 2, 5, 60, 200][rng.below(5)];
            let line = &mut lines[i];
            let at = value_of(line).unwrap_or(line.len());
            let value = line.split_off(at);
            let (open, close) = if rng.below(2) == 0 { ("[", "]") } else { ("{k: ", "}") };
            line.extend(open.repeat(depth).bytes());
            line.extend(value);
            line.extend(close.repeat(depth).bytes());
            format!("nest the value of line {i} {depth} deep")
        }
        5 => anchors(rng, &mut lines, i, j),
        6 => {
            let at = rng.below(bytes.len() + 1);
            bytes.truncate(at);
            return format!("truncate at byte {at}");
        }
        7 => {
            let value = VALUES[rng.below(VALUES.len())];
            let line = &mut lines[i];
            let at = value_of(line).unwrap_or(line.len());
            line.truncate(at);
            line.extend(value.bytes());
            format!("set the value of line {i} to {value:?}")
        }
        8 => {
            let end = (i + 1 + rng.below(6)).min(n);
            let block: Vec<Vec<u8>> = lines[i..end].to_vec();
            let at = rng.below(lines.len() + 1);
            lines.splice(at..at, block);
            format!("duplicate lines {i}..{end} at {at}")
        }
        9 => {
            let line = &mut lines[i];
            let spaces = line.iter().take_while(|&&b| b == b' ').count();
            line.drain(..spaces);
            format!("dedent line {i}")
        }
        _ => {
            let value = VALUES[rng.below(VALUES.len())];
            let key =
                ["title", "date", "x", "faq", "sources", "<<", "? a", "- b", "topics", "type", "crossref", "month"]
                    [rng.below(12)];
            let indent = " ".repeat([0, 2, 4][rng.below(3)]);
            let line = match rng.below(3) {
                0 => format!("{indent}{key} = {value},"),
                _ => format!("{indent}{key}: {value}"),
            };
            lines.insert(i, line.clone().into_bytes());
            format!("insert `{line}` at line {i}")
        }
    };
    *bytes = lines.join(&b'\n');
    what
}

/// Where a `key: value` (YAML) or `key = value` (BibTeX) line's value
/// starts, if it has one.
fn value_of(line: &[u8]) -> Option<usize> {
    let yaml = line.windows(2).position(|w| w == b": ").map(|p| p + 2);
    yaml.or_else(|| line.windows(3).position(|w| w == b" = ").map(|p| p + 3))
}

/// Anchors and aliases: an alias to another line's value, a merge key, an
/// alias to nothing, or a small fan-out of aliases.
fn anchors(rng: &mut Rng, lines: &mut Vec<Vec<u8>>, i: usize, j: usize) -> String {
    match rng.below(4) {
        0 => match (value_of(&lines[i]), value_of(&lines[j])) {
            (Some(a), Some(b)) => {
                lines[i].splice(a..a, b"&m ".iter().copied());
                let b = value_of(&lines[j]).unwrap_or(b);
                lines[j].truncate(b);
                lines[j].extend(b"*m");
                format!("anchor line {i}'s value, alias it at line {j}")
            }
            _ => {
                lines.insert(i, b"x: *m".to_vec());
                "an alias with no anchor".into()
            }
        },
        1 => {
            lines.insert(i, b"<<: *m".to_vec());
            lines.insert(0, b"m: &m { title: merged, date: 2024-01-01 }".to_vec());
            format!("a merge key at line {i}")
        }
        2 => {
            let fan = [
                &b"a: &a [x, x, x, x, x, x, x, x]"[..],
                b"b: &b [*a, *a, *a, *a, *a, *a, *a, *a]",
                b"c: &c [*b, *b, *b, *b, *b, *b, *b, *b]",
                b"d: [*c, *c, *c, *c, *c, *c, *c, *c]",
            ];
            lines.splice(i..i, fan.iter().map(|l| l.to_vec()));
            format!("aliases fanning out at line {i}")
        }
        _ => {
            lines.insert(i, b"self: &s [*s]".to_vec());
            format!("a recursive alias at line {i}")
        }
    }
}

/// Keys the site's YAML files know, for keys moved where they do not belong.
const KEYS: &[&str] = &[
    "title",
    "description",
    "date",
    "updated",
    "reviewed",
    "by",
    "on",
    "next",
    "key_points",
    "tags",
    "weight",
    "slug",
    "draft",
    "audience",
    "faq",
    "q",
    "a",
    "sources",
    "type",
    "author",
    "parent",
    "serial-number",
    "doi",
    "pmid",
    "url",
    "value",
    "short",
    "evidence",
    "page-range",
    "volume",
    "issue",
    "base_url",
    "topics",
    "theme",
    "search",
    "definition",
    "aliases",
    "check",
    "severity",
    "readability",
    "max_grade",
    "crisis",
    "links",
    "label",
    "text",
    "citation_style",
    "language",
    "disclaimer",
    "feedback_url",
    "review_interval_months",
];

/// One change to the parsed YAML of `bytes`, written back; `None` when it
/// does not parse (or is not UTF-8).
fn tree(rng: &mut Rng, bytes: &mut Vec<u8>) -> Option<String> {
    let mut value: yaml_serde::Value = yaml_serde::from_str(std::str::from_utf8(bytes).ok()?).ok()?;
    let mut path = Vec::new();
    let what = change_node(rng, &mut value, &mut path);
    *bytes = yaml_serde::to_string(&value).ok()?.into_bytes();
    Some(format!("at /{}: {what}", path.join("/")))
}

/// Walk down to a random node and change it.
fn change_node(rng: &mut Rng, node: &mut yaml_serde::Value, path: &mut Vec<String>) -> String {
    use yaml_serde::Value;
    let stop = rng.below(3) == 0;
    match node {
        Value::Mapping(map) if !map.is_empty() && !stop => {
            let key = map.keys().nth(rng.below(map.len())).cloned().unwrap_or(Value::Null);
            path.push(key.as_str().unwrap_or("?").to_string());
            return change_node(rng, map.get_mut(&key).unwrap(), path);
        }
        Value::Sequence(items) if !items.is_empty() && !stop => {
            let i = rng.below(items.len());
            path.push(i.to_string());
            return change_node(rng, &mut items[i], path);
        }
        _ => {}
    }
    match (rng.below(4), node) {
        (0, Value::Mapping(map)) if !map.is_empty() => {
            let key = map.keys().nth(rng.below(map.len())).cloned().unwrap_or(Value::Null);
            if rng.below(2) == 0 {
                map.remove(&key);
                format!("drop key {key:?}")
            } else {
                let moved = map.remove(&key).unwrap_or(Value::Null);
                let new = KEYS[rng.below(KEYS.len())];
                map.insert(Value::String(new.into()), moved);
                format!("rename key {key:?} to {new}")
            }
        }
        (1, Value::Mapping(map)) => {
            let key = KEYS[rng.below(KEYS.len())];
            let value = odd_value(rng, Value::Null);
            map.insert(Value::String(key.into()), value.clone());
            format!("add {key}: {value:?}")
        }
        (0 | 1, Value::Sequence(items)) if !items.is_empty() => {
            let i = rng.below(items.len());
            if rng.below(2) == 0 {
                items.remove(i);
                format!("remove item {i}")
            } else {
                let copy = items[i].clone();
                items.insert(i, copy);
                format!("duplicate item {i}")
            }
        }
        (_, node) => {
            let old = std::mem::take(node);
            *node = odd_value(rng, old);
            format!("replace with {node:?}")
        }
    }
}

/// A value of another type or shape than `old`, or `old` nested deeper.
fn odd_value(rng: &mut Rng, old: yaml_serde::Value) -> yaml_serde::Value {
    use yaml_serde::{Mapping, Value};
    let string = |s: &str| Value::String(s.to_string());
    match rng.below(14) {
        0 => Value::Null,
        1 => Value::Bool(rng.below(2) == 0),
        2 => Value::Number((-1i64).into()),
        3 => Value::Number(u64::MAX.into()),
        4 => Value::Number(1e300.into()),
        5 => string(""),
        6 => string(["\u{0}x", "a\u{7}b", "\u{202e}evil", "line\nbreak", "\u{feff}"][rng.below(5)]),
        7 => string(&"x".repeat([200, 5000][rng.below(2)])),
        8 => string(["2024-02-30", "2024-13-01", "0000-01-01", "10000-01-01", "2024-1-1"][rng.below(5)]),
        9 => string(["[@nobody2020]", "[@trial2023", "@", "javascript:x", "../x.md", "#", "%00"][rng.below(7)]),
        10 => Value::Sequence(vec![]),
        11 => Value::Mapping(Mapping::new()),
        12 => Value::Sequence(vec![old.clone(), old]),
        _ => {
            let mut map = Mapping::new();
            map.insert(string(KEYS[rng.below(KEYS.len())]), old);
            Value::Mapping(map)
        }
    }
}
