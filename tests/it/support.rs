//! Helpers: temporary copies of fixture sites, overlays, running builds.

use std::path::{Path, PathBuf};

use sourcebook::build::{BuildOptions, BuildReport, build};

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Copy `from` into `to`, replacing files that exist.
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else if rel != Path::new("expected") {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A temporary copy of fixture `name` (`minimal`, `full`).
pub fn site(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixtures().join(name), dir.path());
    dir
}

/// Give the site at `root` its own `templates/404.html` (overriding the
/// theme's) whose content block is `block`.
pub fn override_404(root: &Path, block: &str) {
    std::fs::create_dir_all(root.join("templates")).unwrap();
    let template = format!("{{% extends \"base.html\" %}}{{% block content %}}{block}{{% endblock content %}}");
    std::fs::write(root.join("templates/404.html"), template).unwrap();
}

pub fn build_at(root: &Path) -> BuildReport {
    build(&BuildOptions { root: root.to_path_buf(), ..BuildOptions::default() }).unwrap()
}

pub fn sourcebook() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("sourcebook").unwrap();
    cmd.env("NO_COLOR", "1");
    cmd
}

/// Run sourcebook once per item of `args` (each after `--root root`), all
/// at once, and assert that every run succeeds.
pub fn run_at_once(root: &Path, args: &[Vec<String>], env: &[(&str, String)]) {
    let children: Vec<_> = args
        .iter()
        .map(|args| {
            std::process::Command::new(assert_cmd::cargo::cargo_bin("sourcebook"))
                .envs(env.iter().map(|(k, v)| (k, v)))
                .arg("--root")
                .arg(root)
                .args(args)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
}

/// Every file below `dir` with its bytes, for byte-for-byte comparisons.
pub fn snapshot_tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<_> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().strip_prefix(dir).unwrap().to_path_buf(), std::fs::read(e.path()).unwrap()))
        .collect();
    files.sort();
    files
}

/// A small, seeded generator (xorshift64): the same sequence on every run.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in `0..n`; `n` must not be 0.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Where the relative link `href` on the page written at `from` (a path
/// of the output folder, `a/b/index.html`) leads: a path of the output
/// folder, without a fragment.
pub fn resolve(from: &str, href: &str) -> String {
    let href = href.split('#').next().unwrap_or_default();
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for part in href.split('/') {
        match part {
            ".." => {
                parts.pop().expect("a link that climbs out of the site");
            }
            "." | "" => {}
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// The value of attribute `attr` in the first tag of `html` that holds
/// `marker`.
pub fn attribute(html: &str, marker: &str, attr: &str) -> Option<String> {
    let at = html.find(marker)?;
    let start = html[..at].rfind('<')?;
    let end = at + html[at..].find('>')?;
    let tag = &html[start..end];
    let key = format!("{attr}=\"");
    let from = tag.find(&key)? + key.len();
    Some(tag[from..from + tag[from..].find('"')?].to_string())
}
