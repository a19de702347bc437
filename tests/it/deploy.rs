//! The deploy and release configurations do what they say, run as they are
//! written: the `run:` steps of `.github/workflows/pages.yml`'s build job
//! and `netlify.toml`'s build command, in a copy of the repository, publish
//! a folder holding the site at the address they were given; the step of
//! `.github/workflows/release.yml` that packs a binary makes an archive
//! holding it, the README, the changelog and both licences.
//!
//! They compile sourcebook with `--release`, so a plain `cargo test` skips
//! them: `cargo test --test it deploy -- --ignored` (`.ci/run` does). No
//! network: the copy's `target/` is this repository's, so the compile
//! reuses what is already built, as a CI cache would.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| repo().join("target"), PathBuf::from)
}

/// What a fresh clone would hold: every file git tracks or would track
/// (not the ignored ones), as it is in the working tree, with `target/`
/// linked to this repository's.
fn clone_like_copy() -> tempfile::TempDir {
    let out = Command::new("git")
        .arg("-C")
        .arg(repo())
        .args(["ls-files", "-z", "--cached", "--others", "--exclude-standard"])
        .output()
        .unwrap();
    assert!(out.status.success(), "git ls-files: {}", String::from_utf8_lossy(&out.stderr));
    let copy = tempfile::tempdir().unwrap();
    for rel in out.stdout.split(|&b| b == 0).filter(|r| !r.is_empty()) {
        let rel = Path::new(std::str::from_utf8(rel).unwrap());
        let from = repo().join(rel);
        if !from.is_file() {
            continue; // deleted in the working tree, not yet in the index
        }
        let to = copy.path().join(rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(&from, &to).unwrap();
    }
    assert!(!copy.path().join("public").exists() && !copy.path().join("target").exists());
    #[cfg(unix)]
    std::os::unix::fs::symlink(target_dir(), copy.path().join("target")).unwrap();
    copy
}

/// Run `script` in `dir` as GitHub Actions and Netlify run a step: bash,
/// stopping at the first failing command.
fn run(dir: &Path, script: &str, env: &BTreeMap<String, String>) {
    let status = Command::new("bash")
        .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
        .current_dir(dir)
        .envs(env)
        .env_remove("CARGO_TARGET_DIR")
        .status()
        .unwrap();
    assert!(status.success(), "`{script}` failed in {}", dir.display());
}

/// A workflow file's job `job`: its steps.
fn steps(workflow: &str, job: &str) -> Vec<yaml_serde::Value> {
    let text = std::fs::read_to_string(repo().join(".github/workflows").join(workflow)).unwrap();
    let doc: yaml_serde::Value = yaml_serde::from_str(&text).unwrap();
    doc["jobs"][job]["steps"].as_sequence().unwrap().clone()
}

/// A step's `env:`, each `${{ expression }}` replaced by `values[expression]`.
fn step_env(step: &yaml_serde::Value, values: &BTreeMap<&str, &str>) -> BTreeMap<String, String> {
    let mut env = BTreeMap::new();
    for (key, value) in step["env"].as_mapping().into_iter().flatten() {
        let mut value = value.as_str().unwrap().to_string();
        while let Some(start) = value.find("${{") {
            let end = start + value[start..].find("}}").unwrap() + 2;
            let expression = value[start + 3..end - 2].trim();
            let known = values.get(expression).unwrap_or_else(|| panic!("no test value for `{expression}`"));
            value.replace_range(start..end, known);
        }
        env.insert(key.as_str().unwrap().to_string(), value);
    }
    env
}

/// The site's home page in `dir` holds a canonical link to `base`.
fn published(dir: &Path, base: &str) {
    let home = std::fs::read_to_string(dir.join("index.html")).unwrap();
    assert!(home.contains(&format!("<link rel=\"canonical\" href=\"{base}\">")), "home page canonical is not {base}");
    let sitemap = std::fs::read_to_string(dir.join("sitemap.xml")).unwrap();
    assert!(sitemap.contains(&format!("<loc>{base}")), "{sitemap}");
}

/// One copy for both (each compile of it takes minutes).
#[test]
#[ignore = "compiles sourcebook with --release; run by .ci/run"]
fn deploy_and_release_configurations_run_as_written() {
    let copy = clone_like_copy();
    pages_workflow_and_netlify_publish_the_site_they_build(copy.path());
    release_workflow_packs_the_binary_readme_changelog_and_licences(copy.path());
}

fn pages_workflow_and_netlify_publish_the_site_they_build(dir: &Path) {
    // GitHub Pages: every `run:` step of the build job, with its env
    let base = "https://example.github.io/sourcebook";
    let values = BTreeMap::from([("steps.pages.outputs.base_url", base)]);
    let mut ran = 0;
    let mut publish = None;
    for step in steps("pages.yml", "build") {
        if let Some(script) = step["run"].as_str() {
            run(dir, script, &step_env(&step, &values));
            ran += 1;
        }
        if step["uses"].as_str().is_some_and(|u| u.starts_with("actions/upload-pages-artifact@")) {
            publish = step["with"]["path"].as_str().map(str::to_string);
        }
    }
    assert_eq!(ran, 2, "the workflow's build is two commands");
    let publish = dir.join(publish.expect("the workflow uploads a folder"));
    published(&publish, &format!("{base}/"));
    std::fs::remove_dir_all(&publish).unwrap();

    // Netlify: [build] command and publish
    let toml = std::fs::read_to_string(repo().join("netlify.toml")).unwrap();
    let (command, publish) = (netlify_key(&toml, "command"), netlify_key(&toml, "publish"));
    let site = "https://sourcebook-example.netlify.app";
    run(dir, &command, &BTreeMap::from([("URL".to_string(), site.to_string())]));
    published(&dir.join(publish), &format!("{site}/"));
}

/// `key = "value"` or `key = 'value'` under `[build]` in netlify.toml (a
/// value with a backslash escape is refused rather than misread).
fn netlify_key(toml: &str, key: &str) -> String {
    let build = toml.split("[build]").nth(1).expect("a [build] table");
    let build = build.split("\n[").next().unwrap_or(build);
    let line = build
        .lines()
        .find_map(|l| l.trim().strip_prefix(key).and_then(|rest| rest.trim_start().strip_prefix('=')))
        .unwrap_or_else(|| panic!("no `{key}` under [build]"))
        .trim();
    let quote = line.chars().next().unwrap();
    assert!(matches!(quote, '"' | '\'') && line.ends_with(quote) && line.len() > 1, "{line}");
    let value = &line[1..line.len() - 1];
    assert!(quote == '\'' || !value.contains('\\'), "escapes are not read here: {line}");
    value.to_string()
}

fn release_workflow_packs_the_binary_readme_changelog_and_licences(dir: &Path) {
    let host = String::from_utf8(Command::new("rustc").arg("-vV").output().unwrap().stdout).unwrap();
    let host = host.lines().find_map(|l| l.strip_prefix("host: ")).unwrap().to_string();
    let version = env!("CARGO_PKG_VERSION");

    let step = steps("release.yml", "package")
        .into_iter()
        .find(|s| s["run"].as_str().is_some_and(|r| r.contains(".ci/package")))
        .expect("a step running .ci/package");
    let script = step["run"].as_str().unwrap().replace("${{ matrix.target }}", &host);
    assert!(!script.contains("${{"), "{script}");
    let env = BTreeMap::from([("GITHUB_REF_NAME".to_string(), format!("v{version}"))]);
    run(dir, &script, &env);

    let name = format!("sourcebook-{version}-{host}");
    let archive = dir.join("dist").join(format!("{name}.tar.gz"));
    let listed = Command::new("tar").arg("-tzf").arg(&archive).output().unwrap();
    let mut listed: Vec<String> = String::from_utf8(listed.stdout).unwrap().lines().map(str::to_string).collect();
    listed.sort();
    let expected: Vec<String> = ["", "CHANGELOG.md", "LICENSE-APACHE", "LICENSE-MIT", "README.md", "sourcebook"]
        .iter()
        .map(|f| format!("{name}/{f}"))
        .collect();
    assert_eq!(listed, expected);

    // the checksum file is sha256sum's line for the archive
    use sha2::Digest as _;
    let sum = sha2::Sha256::digest(std::fs::read(&archive).unwrap());
    let hex: String = sum.iter().map(|b| format!("{b:02x}")).collect();
    let line = std::fs::read_to_string(dir.join("dist").join(format!("{name}.tar.gz.sha256"))).unwrap();
    assert_eq!(line, format!("{hex}  {name}.tar.gz\n"));

    // what is inside is the repository's files and a binary that runs
    let unpacked = tempfile::tempdir().unwrap();
    let status = Command::new("tar").arg("-xzf").arg(&archive).arg("-C").arg(unpacked.path()).status().unwrap();
    assert!(status.success());
    let inside = unpacked.path().join(&name);
    for file in ["README.md", "CHANGELOG.md", "LICENSE-MIT", "LICENSE-APACHE"] {
        assert_eq!(std::fs::read(inside.join(file)).unwrap(), std::fs::read(repo().join(file)).unwrap(), "{file}");
    }
    let out = Command::new(inside.join("sourcebook")).arg("--version").output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), format!("sourcebook {version}\n"));
}
