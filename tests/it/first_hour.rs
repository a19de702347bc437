//! What a new author meets in their first hour: `init`'s next step and
//! `.gitignore`, `new` with the topics a build shows, counts in words,
//! `--quiet`, and the exit code of a refusal.

use std::path::Path;

use crate::support::sourcebook;

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The findings of `check --format json` on the site at `root`, which
/// must fail (exit 1).
fn failing_check(root: &Path) -> Vec<serde_json::Value> {
    let out = at(root).args(["check", "--format", "json"]).assert().code(1).get_output().clone();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    json.as_array().unwrap().clone()
}

/// One finding as the tests below compare it: file, line, column, message
/// and help.
type Finding = (String, Option<u64>, Option<u64>, String, String);

fn finding(file: &str, at: Option<(u64, u64)>, message: &str, help: &str) -> Finding {
    (file.into(), at.map(|a| a.0), at.map(|a| a.1), message.into(), help.into())
}

/// The findings of code `code` that `check --format json` (exiting with
/// `exit`) reports on the site at `root`.
fn findings_coded(root: &Path, exit: i32, code: &str) -> Vec<Finding> {
    let out = at(root).args(["check", "--format", "json"]).assert().code(exit).get_output().clone();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let text = |d: &serde_json::Value, k: &str| d[k].as_str().unwrap_or_default().to_string();
    let coded = json.as_array().unwrap().iter().filter(|d| d["code"] == code);
    coded
        .map(|d| (text(d, "file"), d["line"].as_u64(), d["column"].as_u64(), text(d, "message"), text(d, "help")))
        .collect()
}

/// The sample article of a site `init` made.
const ARTICLE: &str = "content/basics/first-article.md";

/// Rewrite the file `rel` of the site at `root` with `change`; its text
/// before.
fn edit(root: &Path, rel: &str, change: impl Fn(&str) -> String) -> String {
    let path = root.join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, change(&text)).unwrap();
    text
}

fn at(root: &Path) -> assert_cmd::Command {
    let mut cmd = sourcebook();
    cmd.arg("--root").arg(root);
    cmd
}

/// A new site from `init` in `dir/site`, with `site.yaml` edited by `edit`.
fn new_site(dir: &Path, edit: impl Fn(&str) -> String) -> std::path::PathBuf {
    let root = dir.join("site");
    sourcebook().arg("init").arg(&root).assert().success();
    let config = std::fs::read_to_string(root.join("site.yaml")).unwrap();
    std::fs::write(root.join("site.yaml"), edit(&config)).unwrap();
    root
}

#[test]
fn init_suggests_serve_as_the_next_step() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("my-site");
    let out = sourcebook().arg("init").arg(&root).assert().success().get_output().clone();
    assert_eq!(
        stderr(&out),
        format!("created a new site in {0} (7 files); preview it with `sourcebook serve --root {0}`\n", root.display())
    );
    // from inside the new folder, no --root to type
    let here = dir.path().join("here");
    std::fs::create_dir(&here).unwrap();
    let out = sourcebook().current_dir(&here).arg("init").assert().success().get_output().clone();
    assert_eq!(stderr(&out), "created a new site in . (7 files); preview it with `sourcebook serve`\n");
}

/// The `.gitignore` `init` writes keeps out of git exactly what a build
/// leaves in the site folder (git itself is asked), and the names a build
/// stages under.
#[test]
fn init_writes_a_gitignore_that_keeps_what_a_build_writes_out_of_git() {
    let dir = tempfile::tempdir().unwrap();
    let root = new_site(dir.path(), str::to_string);
    assert_eq!(
        std::fs::read_to_string(root.join(".gitignore")).unwrap(),
        "# what `sourcebook build` writes, and what a build keeps beside it while it works\n\
         /public/\n/.public.sourcebook-*\n"
    );
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git").arg("-C").arg(&root).args(args).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    git(&["init", "-q"]);
    let before = git(&["status", "--porcelain", "--untracked-files=all"]);
    at(&root).arg("build").assert().success();
    assert!(root.join("public/index.html").is_file() && root.join(".public.sourcebook-lock").is_file());
    assert_eq!(git(&["status", "--porcelain", "--untracked-files=all"]), before, "the build left nothing for git");
    let staged =
        [".public.sourcebook-tmp/index.html", ".public.sourcebook-tmp.old/index.html", ".public.sourcebook-tmp-2/a"];
    let ignored = git(&[&["check-ignore", "--no-index"][..], &staged[..]].concat());
    assert_eq!(ignored.lines().collect::<Vec<_>>(), staged);
    assert_eq!(git(&["check-ignore", "--no-index", "content/index.md", "site.yaml"]), "", "the site itself is kept");
}

/// An existing `.gitignore` is refused like every other starter file: exit
/// 2, and nothing written.
#[test]
fn init_never_overwrites_a_gitignore_and_refusing_exits_2_as_new_does() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    std::fs::create_dir(&root).unwrap();
    std::fs::write(root.join(".gitignore"), "mine\n").unwrap();
    let out = sourcebook().arg("init").arg(&root).assert().code(2).get_output().clone();
    assert_eq!(
        stderr(&out),
        format!("error: {}/.gitignore already exists; `init` never overwrites files\n", root.display())
    );
    assert_eq!(std::fs::read_to_string(root.join(".gitignore")).unwrap(), "mine\n");
    assert!(!root.join("site.yaml").exists(), "nothing written");

    std::fs::remove_file(root.join(".gitignore")).unwrap();
    sourcebook().arg("init").arg(&root).assert().success();
    at(&root).args(["new", "basics/twice"]).assert().success();
    let out = at(&root).args(["new", "basics/twice"]).assert().code(2).get_output().clone();
    assert_eq!(stderr(&out), "error: content/basics/twice.md already exists; `new` never overwrites files\n");
}

/// `init` inside a site's folders (its `content/`, run by a newcomer who
/// `cd`-ed there) is refused, naming the site around it: it wrote a second
/// site there, and the outer site's build then failed with ten errors about
/// the inner one's files.
#[test]
fn init_inside_another_site_is_refused_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = new_site(dir.path(), str::to_string);
    let inside = root.join("content");
    let before = std::fs::read_dir(&inside).unwrap().count();
    let out = sourcebook().current_dir(&inside).arg("init").assert().code(2).get_output().clone();
    let outer = std::path::absolute(&root).unwrap();
    assert!(
        stderr(&out).contains(&format!("is inside the site at {} (its site.yaml)", outer.display())),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_dir(&inside).unwrap().count(), before, "nothing written");
    sourcebook().arg("init").arg(inside.join("basics/deeper")).assert().code(2);
    assert!(!inside.join("basics/deeper").exists());
    at(&root).arg("build").assert().success();
}

/// `new` takes the topics a build puts in the navigation: with no `topics:`
/// in site.yaml, every folder of content/ with an `_index.md`; with a list,
/// those and any other such folder.
#[test]
fn new_accepts_every_topic_the_build_puts_in_the_navigation() {
    let dir = tempfile::tempdir().unwrap();
    let root = new_site(dir.path(), |c| c.replace("topics: [basics]\n", ""));
    assert!(!std::fs::read_to_string(root.join("site.yaml")).unwrap().contains("topics"));
    at(&root).args(["new", "basics/a-b"]).assert().success();
    std::fs::create_dir(root.join("content/extra")).unwrap();
    std::fs::write(root.join("content/extra/_index.md"), "---\ntitle: \"Extra\"\n---\n").unwrap();
    at(&root).args(["new", "extra/more"]).assert().success();
    at(&root).args(["build", "--drafts", "--no-search"]).assert().success();
    let home = std::fs::read_to_string(root.join("public/index.html")).unwrap();
    let nav = home.split("aria-label=\"Topics\">").nth(1).and_then(|n| n.split("</nav>").next()).unwrap();
    for (topic, page) in [("basics", "a-b"), ("extra", "more")] {
        assert!(nav.contains(&format!("href=\"{topic}/index.html\"")), "{topic} is in the navigation: {nav}");
        assert!(root.join(format!("public/{topic}/{page}/index.html")).is_file());
    }

    // a listed site: an unlisted topic folder is still a topic
    let dir = tempfile::tempdir().unwrap();
    let root = new_site(dir.path(), str::to_string);
    std::fs::create_dir(root.join("content/later")).unwrap();
    std::fs::write(root.join("content/later/_index.md"), "---\ntitle: \"Later\"\n---\n").unwrap();
    at(&root).args(["new", "later/one"]).assert().success();

    let refused = |path: &str, says: &str| {
        let out = at(&root).args(["new", path]).assert().code(2).get_output().clone();
        assert_eq!(stderr(&out), format!("error: {says}\n"));
    };
    refused(
        "dosing/one",
        "`dosing` is not a topic of this site (this site's topics are: basics, later); to start one, \
         make content/dosing/_index.md with a `title:`",
    );
    std::fs::create_dir(root.join("content/dosing")).unwrap();
    refused(
        "dosing/one",
        "content/dosing/ has no _index.md, so it is not a topic: add content/dosing/_index.md with a `title:`, \
         then run `new` again",
    );
    refused(
        "Dosing/one",
        "`Dosing` is not a topic name: use a-z, 0-9 and `-` (not at either end); this site's topics are: \
         basics, later",
    );
    // what a build would refuse as a name, `new` refuses before writing it
    refused(
        "basics/con",
        "`con` is a device name on Windows, where it cannot be a file or folder: choose another slug",
    );
    let long = "a".repeat(230);
    refused(
        &format!("basics/{long}"),
        &format!("`{long}` is 230 bytes long; names may be at most 200: choose another slug"),
    );
    assert!(!root.join("content/basics/con.md").exists());
}

#[test]
fn counts_of_one_are_singular() {
    let dir = tempfile::tempdir().unwrap();
    let root = new_site(dir.path(), |c| format!("{c}funding: \"Our own time.\"\nconflicts: \"None.\"\n"));
    let out = at(&root).arg("build").assert().success().get_output().clone();
    let said = stderr(&out);
    assert!(said.starts_with("built 1 article into "), "{said}");
    let sign = ["review", "sign", "content/basics/first-article.md", "--by", "editorial-team", "--role", "editorial"];
    let out = at(&root).args(sign).assert().success().get_output().clone();
    assert!(stderr(&out).starts_with("signed content/basics/first-article.md: editorial review by the editorial team"));
    let out = at(&root).arg("check").assert().success().get_output().clone();
    assert_eq!(stderr(&out), "checked 1 article: no problems found\n");
}

/// `--quiet` prints the errors as a plain run does, and one line for the
/// warnings it leaves out; JSON is the same with or without it.
#[test]
fn quiet_prints_errors_and_one_line_counting_the_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let root = new_site(dir.path(), str::to_string); // two transparency-missing warnings, one review-missing
    let out = at(&root).args(["--quiet", "check"]).assert().success().get_output().clone();
    assert_eq!(stderr(&out), "3 warnings not shown (--quiet); run without --quiet to see them\n");
    // --deny-warnings makes them fail the check: then they are shown
    let quiet = at(&root).args(["--quiet", "check", "--deny-warnings"]).assert().code(1).get_output().clone();
    let plain = at(&root).args(["check", "--deny-warnings"]).assert().code(1).get_output().clone();
    assert_eq!(stderr(&quiet), stderr(&plain));

    edit(&root, ARTICLE, |t| t.replace("cite each claim [@example2020]", "cite each claim [@nobody2020]"));
    let plain = at(&root).arg("check").assert().code(1).get_output().clone();
    let quiet = at(&root).args(["--quiet", "check"]).assert().code(1).get_output().clone();
    let (plain, quiet) = (stderr(&plain), stderr(&quiet));
    let blocks: Vec<&str> = plain.split("\n\n").collect();
    let (summary, findings) = blocks.split_last().unwrap();
    assert_eq!(*summary, "1 error, 3 warnings\n", "{plain}");
    let errors: Vec<&str> = findings.iter().copied().filter(|b| b.starts_with("error[")).collect();
    assert_eq!(errors.len(), 1, "{plain}");
    assert_eq!(
        quiet,
        format!("{}\n\n1 error; 3 warnings not shown (--quiet); run without --quiet to see them\n", errors[0])
    );

    let json = |args: &[&str]| at(&root).args(args).assert().code(1).get_output().stdout.clone();
    assert_eq!(json(&["--quiet", "check", "--format", "json"]), json(&["check", "--format", "json"]));
}

/// The findings of `check` on the site at `root` other than the three
/// warnings a new site starts with (two transparency warnings, and no
/// review of the sample article), as printed.
fn findings(root: &Path) -> Vec<String> {
    let out = at(root).arg("check").output().unwrap();
    let text = stderr(&out);
    let blocks: Vec<&str> = text.split("\n\n").collect();
    let (_, findings) = blocks.split_last().unwrap();
    let new_site = |b: &&&str| {
        b.starts_with("warning[transparency-missing]")
            || b.starts_with("warning[review-missing]: no review: readers cannot tell whether this page was checked\n --> content/basics/first-article.md:1:1")
    };
    findings.iter().filter(|b| !new_site(b)).map(|b| b.to_string()).collect()
}

/// An article made by `new`, published (`draft:` removed) without a word
/// changed: one warning, at its first placeholder, counting the others.
#[test]
fn a_published_new_template_is_one_template_text_warning() {
    let dir = tempfile::tempdir().unwrap();
    let root = new_site(dir.path(), str::to_string);
    at(&root).args(["new", "basics/untouched"]).assert().success();
    let file = root.join("content/basics/untouched.md");
    // a draft left out says nothing of itself (build warned of the
    // placeholders of a page it did not publish); `--drafts` reads it all
    let quiet = |args: &[&str]| {
        let out = at(&root).args(args).assert().success().get_output().clone();
        !stderr(&out).contains("untouched.md")
    };
    assert!(quiet(&["build", "--no-search"]) && quiet(&["check"]));
    assert!(!quiet(&["build", "--no-search", "--drafts"]) && !quiet(&["check", "--drafts"]));
    let text = std::fs::read_to_string(&file).unwrap();
    let published: String = text.lines().filter(|l| !l.starts_with("draft:")).map(|l| format!("{l}\n")).collect();
    std::fs::write(&file, published).unwrap();
    let said = findings(&root);
    let ours: Vec<&String> = said.iter().filter(|f| f.contains("content/basics/untouched.md")).collect();
    assert_eq!(ours.len(), 2, "{said:#?}"); // no review yet, and the placeholder
    assert!(ours[1].starts_with("warning[template-text]: this is still the placeholder text `sourcebook new` wrote (and 4 more placeholders)\n --> content/basics/untouched.md:3:1\n"), "{}", ours[1]);
    assert!(ours[0].starts_with("warning[review-missing]"), "{}", ours[0]);
    at(&root).args(["check", "--deny-warnings"]).assert().code(1);
}

/// A second `---` that ends the front matter early: the FAQ and tags below
/// it would be shown as text; `check` says so at the first such key.
#[test]
fn a_stray_dashes_line_that_cuts_the_front_matter_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let root = new_site(dir.path(), str::to_string);
    let text = edit(&root, ARTICLE, |t| t.replacen("\nfaq:", "\n---\nfaq:", 1));
    let said = findings(&root);
    assert_eq!(said.len(), 1, "{said:#?}");
    let line = text[..text.find("\nfaq:").unwrap()].lines().count() + 2;
    assert_eq!(
        said[0],
        format!(
            "warning[stray-front-matter]: `faq:` is in the page's text, not its front matter\n{pad}--> content/basics/first-article.md:{line}:1\n{pad} |\n{line} | faq:\n{pad} | ^^^^\n{pad} |\n{pad} = help: the front matter ends at the `---` on line {}: remove that line, so it runs on to the `---` on line {}",
            line - 1,
            line + 3,
            pad = " ".repeat(line.to_string().len()),
        )
    );
}

/// HTML in an article is shown to readers as text, and `check` says how to
/// write it in Markdown, once per tag; an HTML comment is left out.
#[test]
fn raw_html_is_a_warning_that_says_how_to_write_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = new_site(dir.path(), str::to_string);
    let text = edit(&root, ARTICLE, |t| {
        format!("{t}\nA <br> break, <b>bold</b> and <b>more</b>.\n\n<!-- for editors only -->\n")
    });
    let line = text.lines().count() + 2;
    let said = findings(&root);
    assert_eq!(said.len(), 2, "{said:#?}");
    assert!(said[0].starts_with(&format!("warning[raw-html]: `<br>` is shown to readers as text: pages hold no HTML\n  --> content/basics/first-article.md:{line}:3\n")), "{}", said[0]);
    assert!(
        said[0].ends_with("= help: for a line break, end the line with `\\`; for a new paragraph, leave a blank line"),
        "{}",
        said[0]
    );
    assert!(said[1].ends_with("= help: for bold, write `**words**`"), "{}", said[1]);
    at(&root).args(["--quiet", "build"]).assert().success();
    let page = std::fs::read_to_string(root.join("public/basics/first-article/index.html")).unwrap();
    assert!(page.contains("A &lt;br&gt; break"), "shown as text");
    assert!(!page.contains("for editors only"), "a comment is left out");
}

/// Run from a folder inside the site (here `content/basics/`), every
/// command finds the site's site.yaml above it, as git and cargo do, and
/// prints paths that open from where the user is; `review sign` takes the
/// page as the shell completes it there.
#[test]
fn a_command_run_inside_the_site_finds_the_site_above_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = new_site(dir.path(), str::to_string);
    let inside = root.join("content/basics");
    let out = sourcebook().current_dir(&inside).arg("build").assert().success().get_output().clone();
    assert!(stderr(&out).contains("into ../../public in"), "{}", stderr(&out));
    assert!(root.join("public/basics/first-article/index.html").is_file());
    assert!(!inside.join("public").exists() && !inside.join("content").exists());
    let sign = ["review", "sign", "first-article.md", "--by", "editorial-team", "--role", "editorial"];
    let out = sourcebook().current_dir(&inside).args(sign).assert().success().get_output().clone();
    assert!(stderr(&out).starts_with("signed content/basics/first-article.md: editorial review"), "{}", stderr(&out));
    sourcebook().current_dir(&inside).args(["new", "basics/second"]).assert().success();
    assert!(inside.join("second.md").is_file());
}

/// A folder with no site in it or above it is named in full, and `serve`
/// stops there rather than serving an empty folder: a usage error (exit 2),
/// as a mistyped path is (it was exit 1, a `missing-key` finding about a
/// site.yaml that is not there, and `review sign` said to fix the errors
/// above first). `--root` at a folder that is not there says so.
#[test]
fn outside_any_site_each_command_names_the_folder_and_serve_stops() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let sign = ["review", "sign", "content/x.md", "--by", "a", "--role", "editorial"];
    for command in [
        &["build"][..],
        &["check"],
        &["check", "--format", "json"],
        &["serve", "--port", "0"],
        &["new", "basics/x"],
        &sign,
    ] {
        let mut cmd = sourcebook();
        cmd.current_dir(&empty).args(command).timeout(std::time::Duration::from_secs(20));
        let out = cmd.assert().code(2).get_output().clone();
        let text = stderr(&out);
        let full = std::path::absolute(&empty).unwrap();
        assert!(
            text.starts_with(&format!("error: no site.yaml in {} or any folder above it\n", full.display())),
            "{command:?}: {text}"
        );
        assert!(text.contains("or any folder inside it, or pass `--root DIR`"), "{text}");
    }
    let out =
        sourcebook().arg("--root").arg(dir.path().join("not-there")).arg("check").assert().code(2).get_output().clone();
    assert!(stderr(&out).contains("not-there: no such folder"), "{}", stderr(&out));
    assert_eq!(std::fs::read_dir(&empty).unwrap().count(), 0, "nothing was written");
}

/// A topic site.yaml lists but no folder has yet: the build points at the
/// topic in site.yaml and says how to add it, and `new` adds its page with
/// the first article, so the next build works.
#[test]
fn new_gives_a_listed_topic_its_page_when_it_has_none() {
    let dir = tempfile::tempdir().unwrap();
    let root = new_site(dir.path(), |c| c.replace("topics: [basics]", "topics: [basics, dosing]"));
    let out = at(&root).arg("build").assert().code(1).get_output().clone();
    let text = stderr(&out);
    assert!(text.contains("error[invalid-value]: topic `dosing` has no folder content/dosing/ with an _index.md\n --> site.yaml:5:18\n"), "{text}");
    assert!(text.contains("`sourcebook new dosing/<slug>` makes it"), "{text}");
    let out = at(&root).args(["new", "dosing/first-dose"]).assert().success().get_output().clone();
    assert!(stderr(&out).starts_with("created content/dosing/_index.md, the topic's page"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(root.join("content/dosing/_index.md")).unwrap(),
        "---\ntitle: \"Dosing\"\n---\n"
    );
    at(&root).args(["build", "--drafts"]).assert().success();
    assert!(root.join("public/dosing/first-dose/index.html").is_file());
    // the next article of the topic leaves its page alone
    let out = at(&root).args(["new", "dosing/second"]).assert().success().get_output().clone();
    assert!(!stderr(&out).contains("_index.md"), "{}", stderr(&out));
}

/// `review sign` refuses a misspelt page or date in the author's words:
/// the page it probably meant, the date format to use.
#[test]
fn review_sign_names_the_page_meant_and_the_date_format() {
    let dir = tempfile::tempdir().unwrap();
    let root = new_site(dir.path(), str::to_string);
    let sign = |page: &str, on: &str| {
        let out = at(&root)
            .args(["review", "sign", page, "--by", "editorial-team", "--role", "editorial", "--on", on])
            .assert()
            .code(2)
            .get_output()
            .clone();
        stderr(&out)
    };
    let today = jiff::Zoned::now().date().to_string();
    let text = sign("content/basics/first-articel.md", &today);
    assert!(
        text.contains("no page `content/basics/first-articel.md`; did you mean `content/basics/first-article.md`?"),
        "{text}"
    );
    let text = sign("content/basics/first-article.md", "30/11/2026");
    assert!(text.contains("`30/11/2026` is not a date: write dates as YYYY-MM-DD"), "{text}");
    assert!(!root.join("content/reviews.yaml").exists(), "nothing was signed");
}

/// `new`'s next step names the site as it was given (`--root`), as
/// `init`'s does.
#[test]
fn new_suggests_serve_on_the_same_site() {
    let dir = tempfile::tempdir().unwrap();
    let root = new_site(dir.path(), str::to_string);
    let out = at(&root).args(["new", "basics/more"]).assert().success().get_output().clone();
    assert!(
        stderr(&out).contains(&format!("preview it with `sourcebook serve --drafts --root {}`", root.display())),
        "{}",
        stderr(&out)
    );
}

/// Whatever a review's scope holds (a DEL, a C1 control, U+FFFE, quotes, a
/// backslash), and a title without control characters (which `new`
/// refuses: no page can show them), the YAML `new` and `review sign` write
/// reads back as it was, and the site still builds.
#[test]
fn a_title_or_scope_with_any_character_is_written_as_yaml_that_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let root = new_site(dir.path(), str::to_string);
    let odd = "a\u{7f}b \u{81}\u{fffe} \"q\" \\ # c";
    at(&root).args(["new", "basics/odd", "--title", odd]).assert().code(2);
    let title = "a\u{fffe} \"q\" \\ # c";
    at(&root).args(["new", "basics/odd", "--title", title]).assert().success();
    let sign = ["review", "sign", "content/basics/first-article.md", "--by", "editorial-team", "--role", "editorial"];
    at(&root).args(sign).args(["--scope", odd]).assert().success();
    let out = at(&root).args(["build", "--drafts"]).assert().success().get_output().clone();
    assert!(!stderr(&out).contains("error["), "{}", stderr(&out));
    let page = std::fs::read_to_string(root.join("public/basics/odd/index.html")).unwrap();
    let h1 = &page[page.find("<h1>").unwrap()..page.find("</h1>").unwrap()];
    assert_eq!(h1, "<h1>a\u{fffe} &quot;q&quot; \\ # c");
    let record = std::fs::read_to_string(root.join("content/reviews.yaml")).unwrap();
    assert!(record.contains(r#"scope: "a\x7Fb \x81\uFFFE \"q\" \\ # c""#), "{record}");
}

/// A mistake in a person's entry is reported once, at the wrong value, and
/// the pages naming that person are not told the person does not exist
/// (which sent authors to add a second entry).
#[test]
fn a_mistake_in_people_yaml_is_reported_once_at_its_value() {
    for (entry, code, line, column) in [
        ("  roles: [clinician, author]\n", "invalid-value", 9, 11),
        ("  roles: [author]\n  credentail: MD\n", "unknown-key", 10, 3),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let root = new_site(dir.path(), str::to_string);
        edit(&root, "content/people.yaml", |t| format!("{t}jane-lee:\n  name: \"Jane Lee\"\n{entry}"));
        edit(&root, ARTICLE, |t| t.replacen("\ndate:", "\nauthors: [jane-lee]\ndate:", 1));
        let found = failing_check(&root);
        let errors: Vec<_> = found
            .iter()
            .filter(|d| d["severity"] == "error")
            .map(|d| {
                (d["code"].as_str().unwrap(), d["file"].as_str().unwrap(), d["line"].as_u64(), d["column"].as_u64())
            })
            .collect();
        assert_eq!(errors, [(code, "content/people.yaml", Some(line), Some(column))], "{entry}");
    }
}

/// The help of a broken link shows a link that works, from this site and
/// this page, never the broken link again; a missing file is told to be
/// put in content/.
#[test]
fn a_broken_link_s_help_never_repeats_the_link() {
    let dir = tempfile::tempdir().unwrap();
    let root = new_site(dir.path(), str::to_string);
    edit(&root, ARTICLE, |t| format!("{t}\nSee [this](../safety/side-effects.md) and [the chart](chart.png).\n"));
    let found = failing_check(&root);
    let helps: Vec<(&str, &str)> = found
        .iter()
        .filter(|d| d["code"] == "broken-link")
        .map(|d| (d["message"].as_str().unwrap(), d["help"].as_str().unwrap()))
        .collect();
    assert_eq!(
        helps,
        [
            (
                "`../safety/side-effects.md` points to content/safety/side-effects.md, which does not exist",
                "link to a page by its Markdown file, relative to this one, e.g. `../index.md`"
            ),
            (
                "`chart.png` points to content/basics/chart.png, which does not exist",
                "put the file at content/basics/chart.png, or correct its name"
            ),
        ]
    );
}

/// What `init`'s people.yaml says a clinician's entry needs is what
/// people.yaml reads: the entry made from its words loads, and that
/// person can sign a clinical review (it once named a role and a key that
/// do not exist, and the entry an author wrote from it was refused).
#[test]
fn init_s_people_yaml_says_how_to_list_a_clinician_in_words_that_work() {
    let dir = tempfile::tempdir().unwrap();
    let root = new_site(dir.path(), str::to_string);
    let people = root.join("content/people.yaml");
    let text = std::fs::read_to_string(&people).unwrap();
    let advice = text.lines().find(|l| l.contains("clinician")).expect("the comment says how to list a clinician");
    let said: Vec<&str> = advice.split('`').skip(1).step_by(2).collect();
    assert_eq!(said.len(), 2, "{advice}");
    let entry = format!("jane-lee:\n  name: \"Jane Lee\"\n  {}\n  {} \"MD\"\n", said[0], said[1]);
    std::fs::write(&people, format!("{text}{entry}")).unwrap();
    let sign = ["review", "sign", "content/basics/first-article.md", "--by", "jane-lee", "--role", "clinical"];
    let out = at(&root).args(sign).assert().success().get_output().clone();
    assert!(
        stderr(&out).starts_with("signed content/basics/first-article.md: clinical review by Jane Lee"),
        "{}",
        stderr(&out)
    );
}

/// What `check` calls an error but `build` still publishes (an author
/// people.yaml does not name, left out of the byline; an image without
/// alt text, shown as decoration) was said by `check` alone: an author
/// who only builds, or previews with `serve`, never heard of it. `build`
/// now warns of each, at the same place as `check`'s error.
#[test]
fn build_warns_where_check_errs_on_what_build_still_publishes() {
    let dir = tempfile::tempdir().unwrap();
    let root = new_site(dir.path(), str::to_string);
    std::fs::write(root.join("content/basics/chart.png"), b"\x89PNG\r\n\x1a\n").unwrap();
    edit(&root, ARTICLE, |t| {
        t.replacen("date:", "authors: [editorial-team, jane-le]\ndate:", 1) + "\n![](chart.png)\n"
    });
    const CODES: [&str; 2] = ["unknown-person", "image-alt-missing"];
    let out = at(&root).args(["check", "--format", "json"]).output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut checked: Vec<(String, String, u64, u64)> = json
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "error" && CODES.contains(&d["code"].as_str().unwrap()))
        .map(|d| {
            let s = |k: &str| d[k].as_str().unwrap().to_string();
            (s("code"), s("file"), d["line"].as_u64().unwrap(), d["column"].as_u64().unwrap())
        })
        .collect();
    checked.sort();
    assert_eq!(checked.len(), 2, "{checked:?}");
    let report = crate::support::build_at(&root);
    let mut built: Vec<(String, String, u64, u64)> = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == sourcebook::diagnostics::Severity::Warning && CODES.contains(&d.code.as_str()))
        .map(|d| {
            let span = d.span.as_ref().unwrap();
            (d.code.as_str().to_string(), d.file.clone().unwrap(), span.line as u64, span.column as u64)
        })
        .collect();
    built.sort();
    assert_eq!(built, checked, "build warns where check errs");
    assert!(report.written.is_some(), "and still publishes");
}

/// `Side Effects.md` was told as "slug `Side Effects` is not a valid URL
/// segment", with help to write a `slug:` the author never wrote: the
/// finding names the file's (or folder's) name and the name it could take.
#[test]
fn a_file_name_that_cannot_be_an_address_is_told_with_the_name_to_give_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = new_site(dir.path(), str::to_string);
    let text = std::fs::read_to_string(root.join(ARTICLE)).unwrap();
    std::fs::write(root.join("content/basics/Side Effects.md"), &text).unwrap();
    std::fs::create_dir(root.join("content/basics/Dose Chart")).unwrap();
    std::fs::write(root.join("content/basics/Dose Chart/index.md"), &text).unwrap();
    // a name with no address in it: no address is made up for it
    std::fs::write(root.join("content/basics/用量.md"), &text).unwrap();
    let name = "cannot be the page's address: use only a-z, 0-9 and `-`";
    assert_eq!(
        findings_coded(&root, 1, "invalid-value"),
        [
            finding(
                "content/basics/Dose Chart/index.md",
                Some((1, 1)),
                &format!("`Dose Chart`, its folder's name, {name}"),
                "rename the folder `dose-chart`, or give it `slug: dose-chart`"
            ),
            finding(
                "content/basics/Side Effects.md",
                Some((1, 1)),
                &format!("`Side Effects`, its file name, {name}"),
                "rename the file `side-effects.md`, or give it `slug: side-effects`"
            ),
            finding(
                "content/basics/用量.md",
                Some((1, 1)),
                &format!("`用量`, its file name, {name}"),
                "rename the file with only a-z, 0-9 and `-`, or give it such a `slug:`"
            ),
        ]
    );
    // done as the help says, the site builds
    std::fs::rename(root.join("content/basics/Side Effects.md"), root.join("content/basics/side-effects.md")).unwrap();
    std::fs::rename(root.join("content/basics/Dose Chart"), root.join("content/basics/dose-chart")).unwrap();
    std::fs::rename(root.join("content/basics/用量.md"), root.join("content/basics/dosing.md")).unwrap();
    at(&root).arg("build").assert().success();
}

/// Two articles at one address because of a `slug:` were told at the
/// file's first line: the finding is at the `slug:` that gives the address.
#[test]
fn a_slug_that_takes_another_article_s_address_is_told_at_the_slug() {
    let dir = tempfile::tempdir().unwrap();
    let root = new_site(dir.path(), str::to_string);
    let text = std::fs::read_to_string(root.join(ARTICLE)).unwrap();
    let slugged = text.replacen("\ndate:", "\nslug: first-article\ndate:", 1);
    std::fs::write(root.join("content/basics/second.md"), &slugged).unwrap();
    let line = slugged.lines().position(|l| l.starts_with("slug:")).unwrap() as u64 + 1;
    assert_eq!(
        findings_coded(&root, 1, "duplicate-slug"),
        [finding(
            "content/basics/second.md",
            Some((line, 7)),
            "`content/basics/first-article.md` and `content/basics/second.md` would both be written to /basics/first-article/",
            "rename one file, or give it a different `slug:`"
        )]
    );
}

/// A build run from inside `public/` replaces the folder the shell is in:
/// the shell then lists nothing, as if the build wrote nothing. The build
/// says so, with the `cd` that shows the new files; from elsewhere it
/// says nothing of it.
#[test]
fn a_build_from_inside_public_says_how_to_see_the_new_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = new_site(dir.path(), str::to_string);
    let quiet = at(&root).arg("build").assert().success().get_output().clone();
    assert!(!stderr(&quiet).contains("note:"), "{}", stderr(&quiet));
    let public = std::fs::canonicalize(root.join("public")).unwrap();
    let out = sourcebook().current_dir(public.join("basics")).arg("build").assert().success().get_output().clone();
    let said = stderr(&out);
    assert!(said.contains("built 1 article into ../../public in "), "{said}");
    assert!(
        said.contains(&format!(
            "note: this shell is in the old ../../public, which the build replaced: `cd {}` to see the new files",
            public.join("basics").display()
        )),
        "{said}"
    );
    assert!(public.join("basics/first-article/index.html").exists());
}

/// A file left in a topic's folder (notes, an old draft) was published
/// without a word. `check` names each file of a topic's folder that no page
/// links to or shows; a linked file, a shown image and the site's own files
/// at the top of `content/` are not named.
#[test]
fn a_file_no_page_links_or_shows_is_named_by_check() {
    let dir = tempfile::tempdir().unwrap();
    let root = new_site(dir.path(), str::to_string);
    let write = |rel: &str, bytes: &[u8]| std::fs::write(root.join(rel), bytes).unwrap();
    write("content/basics/notes.txt", b"call the clinic");
    write("content/basics/leaflet.txt", b"a leaflet");
    write(
        "content/basics/chart.svg",
        br#"<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>"#,
    );
    write("content/CNAME", b"ketamine.example.org\n");
    edit(&root, ARTICLE, |t| format!("{t}\nThe [leaflet](leaflet.txt) and a chart:\n\n![A square chart](chart.svg)\n"));
    assert_eq!(
        findings_coded(&root, 0, "unlinked-file"),
        [finding(
            "content/basics/notes.txt",
            None,
            "content/basics/notes.txt is published at /basics/notes.txt, but no page links to it or shows it",
            "link it from the page it belongs to, or move it out of content/ if it is not for readers"
        )]
    );
    // published all the same, as README says: check only tells
    at(&root).arg("build").assert().success();
    assert!(root.join("public/basics/notes.txt").exists());
}

/// `empty-page` is an article with nothing for a reader under its title:
/// not one that shows only an image, or only answers questions.
#[test]
fn an_article_is_empty_only_with_no_text_no_image_and_no_questions() {
    let dir = tempfile::tempdir().unwrap();
    let root = new_site(dir.path(), str::to_string);
    let head = "---\ntitle: \"A page\"\ndescription: \"A page.\"\ndate: 2026-01-01\n";
    let write = |rel: &str, text: String| std::fs::write(root.join(rel), text).unwrap();
    write("content/basics/blank.md", format!("{head}---\n\n<!-- to write -->\n\n"));
    write("content/basics/picture.md", format!("{head}---\n\n![A square chart](chart.svg)\n"));
    write(
        "content/basics/chart.svg",
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>"#.into(),
    );
    write(
        "content/basics/questions.md",
        format!("{head}faq:\n  - q: \"Is it?\"\n    a: \"It is [@example2020].\"\n---\n"),
    );
    assert_eq!(
        findings_coded(&root, 0, "empty-page"),
        [finding(
            "content/basics/blank.md",
            Some((1, 1)),
            "the page has no text: readers would find only its title",
            "write the page, each claim cited with `[@id]`, or remove the file"
        )]
    );
}
