//! The output folder under stress: two builds at once, a build killed
//! mid-swap, a symbolic link as output, output paths that name the site
//! itself, read-only folders. After any of them the output path holds one
//! whole site, never half of one or none.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::{site, snapshot_tree, sourcebook};

fn binary() -> PathBuf {
    assert_cmd::cargo::cargo_bin("sourcebook")
}

/// The names in `dir` that a build writes beside its output while it runs.
fn staging_leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("sourcebook-tmp"))
        .collect()
}

/// Every name below `dir`, hidden ones too: to see that nothing was written.
fn names(dir: &Path) -> Vec<PathBuf> {
    let mut names: Vec<_> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap().path().strip_prefix(dir).unwrap().to_owned())
        .collect();
    names.sort();
    names
}

fn break_an_article(root: &Path) {
    std::fs::write(root.join("content/basics/first.md"), "---\ntitle: [broken\n---\n").unwrap();
}

/// A change that a build would publish.
fn change_a_title(root: &Path) {
    let article = root.join("content/basics/first.md");
    let text = std::fs::read_to_string(&article).unwrap();
    std::fs::write(&article, text.replacen("title: ", "title: Changed ", 1)).unwrap();
}

/// Whether folder permissions stop this process (not so for root).
#[cfg(unix)]
fn permissions_bind(dir: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    let probe = dir.join("permission-probe");
    std::fs::create_dir(&probe).unwrap();
    std::fs::set_permissions(&probe, std::fs::Permissions::from_mode(0o555)).unwrap();
    let binds = std::fs::write(probe.join("x"), "").is_err();
    std::fs::set_permissions(&probe, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::remove_dir_all(&probe).unwrap();
    binds
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn a_second_build_into_the_same_folder_waits_for_the_first() {
    let dir = site("minimal");
    // the first build, as far as the second can tell: it holds the lock
    let lock = std::fs::File::create(dir.path().join(".public.sourcebook-lock")).unwrap();
    lock.lock().unwrap();
    let stderr_path = dir.path().join("stderr.txt");
    let mut second = Command::new(binary())
        .env("NO_COLOR", "1")
        .arg("--root")
        .arg(dir.path())
        .arg("build")
        .stderr(std::fs::File::create(&stderr_path).unwrap())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        if let Some(status) = second.try_wait().unwrap() {
            panic!("the second build finished ({status}) while the first held the lock");
        }
        if std::fs::read_to_string(&stderr_path).unwrap().contains("waiting for another build") {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "the second build neither waited nor finished");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!dir.path().join("public").exists(), "the second build wrote while waiting");
    lock.unlock().unwrap();
    assert!(second.wait().unwrap().success());
    assert!(dir.path().join("public/basics/first/index.html").is_file());
    assert!(staging_leftovers(dir.path()).is_empty());
}

/// Two processes into one folder, each with its own base URL, several times:
/// what is left must be exactly one of the two sites, whole.
#[test]
fn two_builds_at_once_leave_exactly_one_complete_site() {
    let dir = site("full");
    let base_urls = ["https://a.example/", "https://b.example/"];
    let whole: Vec<_> = base_urls
        .iter()
        .map(|url| {
            let out = dir.path().join(format!("reference-{}", &url[8..9]));
            sourcebook()
                .arg("--root")
                .arg(dir.path())
                .args(["build", "--base-url", url, "-o"])
                .arg(&out)
                .assert()
                .success();
            snapshot_tree(&out)
        })
        .collect();
    let public = dir.path().join("public");
    for round in 0..4 {
        // each waits for the other, so both succeed
        let args: Vec<Vec<String>> =
            base_urls.iter().map(|url| ["--quiet", "build", "--base-url", url].map(String::from).to_vec()).collect();
        crate::support::run_at_once(dir.path(), &args, &[]);
        let result = snapshot_tree(&public);
        assert!(whole.contains(&result), "round {round}: the output is not one whole site");
        assert!(staging_leftovers(dir.path()).is_empty(), "round {round}");
    }
}

/// What a build killed between the two renames of a swap leaves (the
/// fallback swap, and every swap before the exchange): no output, the
/// previous site aside, a partial new one.
#[test]
fn a_leftover_staging_folder_from_a_killed_build_does_not_block_the_next_build() {
    let dir = site("minimal");
    let public = dir.path().join("public");
    sourcebook().arg("--root").arg(dir.path()).arg("build").assert().success();
    let previous = snapshot_tree(&public);
    std::fs::rename(&public, dir.path().join(".public.sourcebook-tmp.old")).unwrap();
    let partial = dir.path().join(".public.sourcebook-tmp");
    std::fs::create_dir_all(partial.join("basics")).unwrap();
    std::fs::write(partial.join("basics/index.html"), "<p>half a").unwrap();

    // a failed build must leave the previous site in place: here, put it back
    let article = std::fs::read_to_string(dir.path().join("content/basics/first.md")).unwrap();
    break_an_article(dir.path());
    sourcebook().arg("--root").arg(dir.path()).arg("build").assert().code(1);
    assert_eq!(snapshot_tree(&public), previous);
    assert!(staging_leftovers(dir.path()).is_empty(), "{:?}", staging_leftovers(dir.path()));

    std::fs::write(dir.path().join("content/basics/first.md"), article).unwrap();
    std::fs::create_dir(&partial).unwrap();
    std::fs::write(partial.join("junk"), "from another killed build").unwrap();
    sourcebook().arg("--root").arg(dir.path()).arg("build").assert().success();
    assert_eq!(snapshot_tree(&public), previous);
    assert!(staging_leftovers(dir.path()).is_empty(), "{:?}", staging_leftovers(dir.path()));
}

/// `public -> www/site`: the build replaces `www/site` and the link stays,
/// so whatever serves the link's target serves the new site.
#[cfg(unix)]
#[test]
fn a_symlinked_output_folder_is_updated_behind_the_link() {
    let dir = site("minimal");
    let www = dir.path().join("www");
    std::fs::create_dir_all(www.join("site")).unwrap();
    let public = dir.path().join("public");
    std::os::unix::fs::symlink("www/site", &public).unwrap();
    for _ in 0..2 {
        sourcebook().arg("--root").arg(dir.path()).arg("build").assert().success();
        assert!(public.symlink_metadata().unwrap().file_type().is_symlink(), "the link was replaced");
        assert_eq!(std::fs::read_link(&public).unwrap(), Path::new("www/site"));
        assert!(www.join("site/basics/first/index.html").is_file());
        assert!(www.join("site/.sourcebook-output").is_file());
        assert!(staging_leftovers(dir.path()).is_empty() && staging_leftovers(&www).is_empty());
    }

    // a link to nothing: a usage error saying what to do, the link untouched
    let dangling = dir.path().join("dangling");
    std::os::unix::fs::symlink("nowhere", &dangling).unwrap();
    let out = sourcebook().arg("--root").arg(dir.path()).arg("build").arg("-o").arg(&dangling).assert().code(2);
    assert!(String::from_utf8_lossy(&out.get_output().stderr).contains("does not exist"));
    assert_eq!(std::fs::read_link(&dangling).unwrap(), Path::new("nowhere"));
    assert!(!dir.path().join("nowhere").exists());
}

/// `--output .` from the site folder would replace the site with its own
/// build (and failed with "Device or resource busy", leaving junk).
#[test]
fn output_dot_and_the_folders_above_the_site_are_refused_as_usage_errors() {
    let dir = site("minimal");
    let before = names(dir.path());
    for output in [".", "..", "content/..", "/"] {
        let out = sourcebook().current_dir(dir.path()).args(["build", "--output", output]).assert().code(2);
        let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
        assert!(stderr.contains("refusing to write the site"), "{output}: {stderr}");
        assert_eq!(names(dir.path()), before, "{output} wrote something");
    }
}

#[test]
fn output_with_dot_dot_builds_into_the_folder_it_names() {
    let dir = site("minimal");
    for _ in 0..2 {
        sourcebook().current_dir(dir.path()).args(["build", "--output", "public/sub/.."]).assert().success();
        let public = dir.path().join("public");
        assert!(public.join("basics/first/index.html").is_file());
        assert!(!public.join("sub").exists());
        assert!(staging_leftovers(dir.path()).is_empty() && staging_leftovers(&public).is_empty());
    }
}

/// An output inside `content/` was published as part of the site by the
/// next build, growing on every build.
#[test]
fn output_inside_content_themes_or_templates_is_refused_as_a_usage_error() {
    let dir = site("full");
    let before = names(dir.path());
    for output in ["content/x", "content", "themes/x", "templates/x"] {
        let out = sourcebook()
            .arg("--root")
            .arg(dir.path())
            .args(["build", "--output"])
            .arg(dir.path().join(output))
            .assert()
            .code(2);
        let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
        assert!(stderr.contains("refusing to write the site"), "{output}: {stderr}");
        assert_eq!(names(dir.path()), before, "{output} wrote something");
    }
}

#[cfg(unix)]
#[test]
fn a_read_only_output_parent_is_reported_before_anything_is_written() {
    let dir = site("minimal");
    if !permissions_bind(dir.path()) {
        eprintln!("skipped: folder permissions do not bind this user (root?)");
        return;
    }
    let parent = dir.path().join("served");
    let public = parent.join("public");
    sourcebook().arg("--root").arg(dir.path()).arg("build").arg("-o").arg(&public).assert().success();
    let before = (names(&parent), snapshot_tree(&public));
    change_a_title(dir.path());
    set_mode(&parent, 0o555);
    let out = sourcebook().arg("--root").arg(dir.path()).arg("build").arg("-o").arg(&public).assert().code(2);
    let after = (names(&parent), snapshot_tree(&public));
    set_mode(&parent, 0o755);
    assert_eq!(after, before);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(stderr.contains("error[io-error]") && stderr.contains("is not writable"), "{stderr}");
}

/// A read-only output folder: the swap itself would work (a rename needs
/// write permission on the folder above), then removing the old site would
/// fail: the build exited 1 with the new site already in place.
#[cfg(unix)]
#[test]
fn a_build_that_could_not_finish_its_swap_fails_before_it_and_keeps_the_old_output() {
    let dir = site("minimal");
    if !permissions_bind(dir.path()) {
        eprintln!("skipped: folder permissions do not bind this user (root?)");
        return;
    }
    let public = dir.path().join("public");
    sourcebook().arg("--root").arg(dir.path()).arg("build").assert().success();
    let before = snapshot_tree(&public);
    change_a_title(dir.path());
    set_mode(&public, 0o555);
    let out = sourcebook().arg("--root").arg(dir.path()).arg("build").assert().code(2);
    let after = snapshot_tree(&public);
    set_mode(&public, 0o755);
    assert_eq!(after, before);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(stderr.contains("error[io-error]") && stderr.contains("read-only"), "{stderr}");
    assert!(staging_leftovers(dir.path()).is_empty());
}

/// A write that fails in the middle of a build (here a file-size limit,
/// `ulimit -f`, standing in for a full disk: both fail `write` with the
/// file half written) is an `io-error` diagnostic naming the file, with
/// advice, and exit 2; the previous site stays as it was.
#[test]
fn a_write_failing_mid_build_is_an_io_error_and_keeps_the_previous_site() {
    let dir = site("minimal");
    let root = dir.path();
    sourcebook().arg("--root").arg(root).args(["--quiet", "build"]).assert().success();
    let before = snapshot_tree(&root.join("public"));
    change_a_title(root);
    // SIGXFSZ ignored (inherited through exec), so the write fails with EFBIG instead of killing the process
    let out = Command::new("sh")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 4; exec \"$0\" --root \"$1\" build")
        .arg(binary())
        .arg(root)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("error[io-error]: writing "), "{stderr}");
    assert!(stderr.contains("index.html: File too large"), "{stderr}");
    assert!(stderr.contains("= help: the file is larger than this system or process allows"), "{stderr}");
    assert_eq!(snapshot_tree(&root.join("public")), before, "the previous site is untouched");
    assert!(staging_leftovers(root).is_empty(), "the partial build is removed");
}
