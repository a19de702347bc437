//! The command line as a user meets it.

use crate::support::{site, snapshot_tree, sourcebook};

#[test]
fn build_writes_the_site_and_a_marker() {
    let dir = site("minimal");
    sourcebook().arg("--root").arg(dir.path()).arg("build").assert().success();
    let public = dir.path().join("public");
    for file in [
        "index.html",
        "basics/index.html",
        "basics/first/index.html",
        "sources/index.html",
        "faq/index.html",
        "404.html",
        "sitemap.xml",
        "atom.xml",
        "robots.txt",
        ".sourcebook-output",
    ] {
        assert!(public.join(file).is_file(), "missing {file}");
    }
}

#[test]
fn a_failed_build_leaves_public_byte_for_byte_intact() {
    let dir = site("minimal");
    sourcebook().arg("--root").arg(dir.path()).arg("build").assert().success();
    let before = snapshot_tree(&dir.path().join("public"));
    std::fs::write(dir.path().join("content/basics/first.md"), "---\ntitle: [broken\n---\n").unwrap();
    sourcebook().arg("--root").arg(dir.path()).arg("build").assert().code(1);
    assert_eq!(snapshot_tree(&dir.path().join("public")), before);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().contains("sourcebook-tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_foreign_non_empty_output_folder_is_refused() {
    let dir = site("minimal");
    let home = dir.path().join("home");
    std::fs::create_dir(&home).unwrap();
    std::fs::write(home.join("thesis.txt"), "years of work").unwrap();
    let out = sourcebook()
        .arg("--root")
        .arg(dir.path())
        .arg("build")
        .arg("--output")
        .arg(&home)
        .assert()
        .code(2)
        .get_output()
        .clone();
    assert!(String::from_utf8_lossy(&out.stderr).contains("refusing to replace"));
    assert_eq!(std::fs::read_to_string(home.join("thesis.txt")).unwrap(), "years of work");
    assert_eq!(std::fs::read_dir(&home).unwrap().count(), 1);
}

#[test]
fn an_empty_output_folder_and_our_own_output_are_accepted() {
    let dir = site("minimal");
    let out = dir.path().join("empty");
    std::fs::create_dir(&out).unwrap();
    sourcebook().arg("--root").arg(dir.path()).arg("build").arg("-o").arg(&out).assert().success();
    sourcebook().arg("--root").arg(dir.path()).arg("build").arg("-o").arg(&out).assert().success();
    assert!(out.join("index.html").is_file());
}

#[test]
fn usage_errors_exit_2() {
    sourcebook().arg("build").arg("--no-such-flag").assert().code(2);
    sourcebook().arg("frobnicate").assert().code(2);
}

#[test]
fn a_folder_without_site_yaml_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = sourcebook().arg("--root").arg(dir.path()).arg("build").assert().code(2).get_output().clone();
    assert!(String::from_utf8_lossy(&out.stderr).contains("no site.yaml"));
}

/// A new site checks clean but for what only its makers can state: who
/// pays for it, their conflicts of interest, and a check of the sample
/// article (`init` makes none of them up).
#[test]
fn init_makes_a_site_that_builds_and_claims_no_review_nobody_made() {
    let dir = tempfile::tempdir().unwrap();
    let new = dir.path().join("new-site");
    sourcebook().arg("init").arg(&new).assert().success();
    let out = sourcebook().arg("--root").arg(&new).arg("build").assert().success().get_output().clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("warning"), "{stderr}");
    assert!(new.join("public/basics/first-article/index.html").is_file());
    let out = sourcebook().arg("--root").arg(&new).args(["check", "--format", "json"]).assert().success();
    let json: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let codes: Vec<&str> = json.as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["review-missing", "transparency-missing", "transparency-missing"], "{json}");
    let page = std::fs::read_to_string(new.join("public/basics/first-article/index.html")).unwrap();
    assert!(page.contains("<dt>Checked against its sources</dt><dd>Not yet."), "{page}");
    assert!(page.contains("Not yet clinically reviewed"), "{page}");
    let config = std::fs::read_to_string(new.join("site.yaml")).unwrap();
    std::fs::write(new.join("site.yaml"), format!("{config}funding: \"Our own time.\"\nconflicts: \"None.\"\n"))
        .unwrap();
    // the README's next step, with the team init names
    sourcebook()
        .arg("--root")
        .arg(&new)
        .args(["review", "sign", "content/basics/first-article.md", "--by", "editorial-team", "--role", "editorial"])
        .assert()
        .success();
    sourcebook().arg("--root").arg(&new).args(["check", "--deny-warnings"]).assert().success();
    let out = sourcebook().arg("init").arg(&new).assert().code(2).get_output().clone(); // never overwrites
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
}

#[cfg(unix)]
#[test]
fn init_and_new_never_write_through_a_symlink_or_out_of_the_site() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let outside = dir.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    let victim = outside.join("victim.md");
    let refused = |cmd: &mut assert_cmd::Command, says: &str| {
        let out = cmd.assert().code(2).get_output().clone();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(says), "{stderr}");
    };

    // init: a dangling link where a starter file goes, then a folder linked out of the site
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("content/basics")).unwrap();
    symlink(&victim, site.join("content/basics/first-article.md")).unwrap();
    refused(sourcebook().arg("init").arg(&site), "content/basics/first-article.md is a symbolic link");
    assert!(!victim.exists() && !site.join("site.yaml").exists(), "nothing written");
    std::fs::remove_dir_all(site.join("content")).unwrap();
    symlink(&outside, site.join("content")).unwrap();
    refused(sourcebook().arg("init").arg(&site), "content is a symbolic link that leads out of the site");
    assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 0, "nothing written outside");
    std::fs::remove_file(site.join("content")).unwrap();
    sourcebook().arg("init").arg(&site).assert().success();

    // new: a dangling link at the article's path, then a topic folder linked out of the site
    let new = |path: &str| {
        let mut cmd = sourcebook();
        cmd.arg("--root").arg(&site).arg("new").arg(path);
        cmd
    };
    symlink(&victim, site.join("content/basics/linked.md")).unwrap();
    refused(&mut new("basics/linked"), "content/basics/linked.md is a symbolic link");
    assert!(!victim.exists());
    std::fs::rename(site.join("content/basics"), dir.path().join("basics-moved")).unwrap();
    symlink(&outside, site.join("content/basics")).unwrap();
    refused(&mut new("basics/elsewhere"), "content/basics is a symbolic link that leads out of the site");
    assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 0, "nothing written outside");

    // a folder linked inside the site is followed, as a build reads it
    std::fs::remove_file(site.join("content/basics")).unwrap();
    std::fs::rename(dir.path().join("basics-moved"), site.join("content/intro")).unwrap();
    symlink(site.join("content/intro"), site.join("content/basics")).unwrap();
    new("basics/inside").assert().success();
    assert!(site.join("content/intro/inside.md").is_file());
}

#[test]
fn base_url_and_drafts_flags() {
    let dir = site("full");
    sourcebook()
        .arg("--root")
        .arg(dir.path())
        .args(["build", "--base-url", "https://mirror.example.net/x"])
        .assert()
        .success();
    let sitemap = std::fs::read_to_string(dir.path().join("public/sitemap.xml")).unwrap();
    assert!(sitemap.contains("<loc>https://mirror.example.net/x/guide/cited/</loc>"), "{sitemap}");
    assert!(!dir.path().join("public/guide/unfinished/index.html").exists());
    sourcebook().arg("--root").arg(dir.path()).args(["build", "--drafts"]).assert().success();
    assert!(dir.path().join("public/guide/unfinished/index.html").exists());
}

#[test]
fn quiet_prints_nothing_on_success() {
    let dir = site("minimal");
    sourcebook().arg("--root").arg(dir.path()).args(["--quiet", "build"]).assert().success().stderr("");
}

#[cfg(unix)]
#[test]
fn symlink_loops_and_links_out_of_the_site_do_not_hang_or_escape() {
    let dir = site("minimal");
    let content = dir.path().join("content/basics");
    std::os::unix::fs::symlink(&content, content.join("loop")).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", content.join("passwd.md")).unwrap();
    let out = sourcebook()
        .arg("--root")
        .arg(dir.path())
        .arg("build")
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .code(1)
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("error[unsafe-path]"), "{stderr}");
    assert!(!dir.path().join("public").exists());
}

#[cfg(unix)]
#[test]
fn links_to_hidden_files_inside_the_site_are_not_published() {
    let dir = site("minimal");
    let root = dir.path();
    std::fs::create_dir(root.join(".git")).unwrap();
    std::fs::write(root.join(".git/config"), "[remote \"origin\"]\n\turl = https://user:token@example.com/r.git\n")
        .unwrap();
    std::fs::create_dir_all(root.join("content/basics/files")).unwrap();
    std::os::unix::fs::symlink("../../../.git/config", root.join("content/basics/files/config.txt")).unwrap();
    let out = sourcebook().arg("--root").arg(root).arg("build").assert().code(1).get_output().clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("error[unsafe-path]") && stderr.contains("content/basics/files/config.txt"), "{stderr}");
    assert!(stderr.contains("hidden or ignored"), "{stderr}");
    assert!(!root.join("public").exists(), "nothing published");
}

#[test]
fn script_in_a_title_is_escaped_everywhere() {
    let dir = site("minimal");
    let path = dir.path().join("content/basics/first.md");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("title: \"First article\"", "title: \"<script>alert(1)</script>\"");
    std::fs::write(&path, text + "\nRaw <script>alert(2)</script> html.\n").unwrap();
    sourcebook().arg("--root").arg(dir.path()).arg("build").assert().success();
    for file in ["basics/first/index.html", "basics/index.html", "sources/index.html", "faq/index.html", "atom.xml"] {
        let html = std::fs::read_to_string(dir.path().join("public").join(file)).unwrap();
        assert!(!html.contains("<script>alert"), "{file} has an unescaped script");
    }
}

#[test]
fn new_scaffolds_a_draft_that_builds_and_refuses_bad_requests() {
    let dir = site("minimal");
    let root = dir.path();
    let new = |args: &[&str]| sourcebook().arg("--root").arg(root).arg("new").args(args).assert();
    new(&["basics/how-long-it-lasts"]).success();
    let file = root.join("content/basics/how-long-it-lasts.md");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.starts_with("---\ntitle: \"How long it lasts\"\n"), "{text}");
    assert!(text.contains("\ndraft: true"), "{text}");

    // a draft: left out of a plain build, built with --drafts with one
    // finding only: the text `new` wrote is still to be replaced
    sourcebook().arg("--root").arg(root).args(["build", "--no-search"]).assert().success();
    assert!(!root.join("public/basics/how-long-it-lasts/index.html").exists());
    let out = sourcebook().arg("--root").arg(root).args(["build", "--no-search", "--drafts"]).assert().success();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains("warning[template-text]: this is still the placeholder text `sourcebook new` wrote (and 4 more placeholders)"), "{stderr}");
    assert!(stderr.contains("\n0 errors, 1 warning\n"), "{stderr}");
    let page = std::fs::read_to_string(root.join("public/basics/how-long-it-lasts/index.html")).unwrap();
    assert!(page.contains("How long it lasts"));

    // the file's path as the author sees it names the same article
    // (`content/basics/x.md` was refused: "`content` is not a topic")
    new(&["content/basics/by-its-path.md"]).success();
    assert!(root.join("content/basics/by-its-path.md").exists());
    new(&["./content/basics/by-dot-path.md"]).success();
    assert!(root.join("content/basics/by-dot-path.md").exists());

    // a title with quotes stays valid YAML
    new(&["basics/quoted", "--title", "Is it \"safe\"?"]).success();
    sourcebook().arg("--root").arg(root).args(["build", "--no-search", "--drafts"]).assert().success();
    assert!(
        std::fs::read_to_string(root.join("public/basics/quoted/index.html"))
            .unwrap()
            .contains("Is it &quot;safe&quot;?")
    );

    // usage errors: exit 2, nothing written or overwritten
    std::fs::write(&file, "mine").unwrap();
    let refused = |args: &[&str], says: &str| {
        let out = new(args).code(2).get_output().clone();
        assert!(String::from_utf8_lossy(&out.stderr).contains(says), "{args:?}");
    };
    refused(&["basics/how-long-it-lasts"], "already exists");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "mine");
    std::fs::create_dir_all(root.join("content/basics/with-images")).unwrap();
    std::fs::write(root.join("content/basics/with-images/index.md"), "mine").unwrap();
    refused(&["basics/with-images"], "content/basics/with-images/index.md already exists");
    assert!(!root.join("content/basics/with-images.md").exists());
    // an article of another name holds the address with its `slug:` (it
    // was written, and the build then failed with `duplicate-slug`)
    std::fs::write(
        root.join("content/basics/renamed.md"),
        "---\ntitle: \"Renamed\"\ndescription: \"An article.\"\ndate: 2024-01-02\nslug: dosing-guide\n---\n\nText.\n",
    )
    .unwrap();
    refused(&["basics/dosing-guide"], "content/basics/renamed.md is already at /basics/dosing-guide/ (its `slug:`)");
    assert!(!root.join("content/basics/dosing-guide.md").exists());
    refused(&["dosing/new-one"], "this site's topics are: basics");
    refused(&["basics/Not_A_Slug"], "not a valid slug");
    refused(&["no-topic"], "is not <topic>/<slug>");
    // a control character (it was written into the title, shown as U+FFFD)
    refused(&["basics/bell", "--title", "Ring \u{7} twice"], "the title holds a control character (`\\u{7}`)");
    assert!(!root.join("content/basics/bell.md").exists());
    // a title a build reads as none (it was written, and `check` then said `title` is empty)
    for null in ["null", "~", " NULL "] {
        refused(&["basics/nothing", "--title", null], "reads as no title (YAML's null)");
    }
    // a title that shows nothing (it was written, or the slug taken without a word)
    for nothing in ["   ", "\u{200b}\u{2060}", "\u{ad}", " \u{3164} "] {
        refused(&["basics/nothing", "--title", nothing], "the title shows nothing");
    }
    assert!(!root.join("content/basics/nothing.md").exists());
    assert!(!root.join("content/dosing").exists());
}

#[test]
fn verbose_prints_the_time_of_each_step_of_build_and_check() {
    let dir = site("minimal");
    for (command, steps) in [
        ("build", &["load content", "format sources (CSL)", "render and write pages", "draw diagnostics"][..]),
        ("check", &["load content", "render and check pages", "check the rest", "draw diagnostics"][..]),
    ] {
        let out = sourcebook().arg("--root").arg(dir.path()).arg("-v").arg(command).assert().success();
        let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
        for step in steps {
            let line = stderr.lines().find(|l| l.trim_start().starts_with(&format!("{step}:")));
            assert!(line.is_some_and(|l| l.trim_end().ends_with(" ms")), "{command}: no `{step}` time in\n{stderr}");
        }
        let quiet = sourcebook().arg("--root").arg(dir.path()).arg(command).assert().success();
        assert!(
            !String::from_utf8_lossy(&quiet.get_output().stderr).contains("draw diagnostics:"),
            "{command} without -v"
        );
    }
}
