//! `content/sources.bib` on a fresh `sourcebook init` site: BibTeX that
//! would send the `biblatex` crate round a loop (and overflow the stack,
//! aborting the process) is an error at the entry, and the rest is read.
//! Every build runs in a child process, so a regression is a failed test,
//! not a crashed test binary.

use std::path::Path;

use crate::support::sourcebook;

/// A fresh `init` site whose first article also cites `cite`, with `bib`
/// as its `content/sources.bib`.
fn init_with_bib(dir: &Path, bib: &str, cite: &str) {
    sourcebook().arg("init").arg(dir).assert().success();
    let article = dir.join("content/basics/first-article.md");
    let text = std::fs::read_to_string(&article).unwrap();
    std::fs::write(&article, format!("{text}\nAnother claim [@{cite}].\n")).unwrap();
    std::fs::write(dir.join("content/sources.bib"), bib).unwrap();
}

/// The errors `check --format json` reports, as (code, file, line, column,
/// message), after it exits 1 (not killed by a signal).
fn check_errors(dir: &Path) -> Vec<(String, String, u64, u64, String)> {
    let out = sourcebook().arg("--root").arg(dir).args(["check", "--format", "json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "check: {:?}\n{}", out.status, String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let text = |d: &serde_json::Value, key: &str| d[key].as_str().unwrap_or_default().to_string();
    let number = |d: &serde_json::Value, key: &str| d[key].as_u64().unwrap_or_default();
    json.as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| (text(d, "code"), text(d, "file"), number(d, "line"), number(d, "column"), text(d, "message")))
        .collect()
}

/// `build` exits 1 (not killed by a signal), and `check --format json`
/// reports `invalid-value` at each of `at` (line, column, words).
fn assert_left_out(dir: &Path, at: &[(u64, u64, &str)]) {
    let out = sourcebook().arg("--root").arg(dir).arg("build").output().unwrap();
    assert_eq!(out.status.code(), Some(1), "build: {:?}\n{}", out.status, String::from_utf8_lossy(&out.stderr));
    let found: Vec<(u64, u64, String)> = check_errors(dir)
        .into_iter()
        .filter(|(code, file, ..)| code == "invalid-value" && file == "content/sources.bib")
        .map(|(_, _, line, column, message)| (line, column, message))
        .collect();
    assert_eq!(found.len(), at.len(), "{found:?}");
    for ((line, column, message), (want_line, want_column, words)) in found.iter().zip(at) {
        assert_eq!((line, column), (want_line, want_column), "{message}");
        assert!(message.contains(words), "`{message}` does not name `{words}`");
    }
}

#[test]
fn a_cyclic_string_is_an_error_at_the_entry_not_a_stack_overflow() {
    let dir = tempfile::tempdir().unwrap();
    let bib = "@string{a = b}\n@string{b = a}\n\n@article{looped, title = a, year = 2020}\n";
    init_with_bib(dir.path(), bib, "looped");
    assert_left_out(dir.path(), &[(4, 1, "`@string` `a` refers to itself: a -> b -> a")]);
}

/// biblatex reads a command's argument by recursion and joins a value's
/// pieces in time that grows with the square of their number: 100,000
/// nested `\emph{` overflowed the stack, 100,000 nested braces took 25 s.
#[test]
fn deep_braces_and_long_concatenations_in_bibtex_are_errors_at_the_entry_not_a_hang() {
    let dir = tempfile::tempdir().unwrap();
    let n = 100_000;
    let bib = format!(
        "@misc{{fine, title = {{A {{DNA}} study}}, year = 2020}}\n\
         @misc{{deep, title = {{{}a{}}}}}\n\
         @misc{{parts, title = {}}}\n",
        "\\emph{".repeat(n),
        "}".repeat(n),
        vec!["\"a\""; n].join(" # ")
    );
    init_with_bib(dir.path(), &bib, "fine");
    assert_left_out(
        dir.path(),
        &[(2, 1, "its `title` nests braces more than 32 deep"), (3, 1, "too many pieces to join")],
    );
}

#[test]
fn a_crossref_cycle_is_an_error_at_each_entry_not_a_stack_overflow() {
    let dir = tempfile::tempdir().unwrap();
    let bib = "@article{x, title = {X}, crossref = {y}, year = 2020}\n  @article{y, title = {Y}, crossref = {x}, year = 2021}\n";
    init_with_bib(dir.path(), bib, "x");
    assert_left_out(dir.path(), &[(1, 1, "x -> y -> x"), (2, 3, "y -> x -> y")]);
}

#[test]
fn an_entry_that_is_its_own_crossref_is_an_error_not_a_stack_overflow() {
    let dir = tempfile::tempdir().unwrap();
    init_with_bib(dir.path(), "@article{me, title = {Me}, crossref = {me}, year = 2020}\n", "me");
    assert_left_out(dir.path(), &[(1, 1, "me -> me")]);
}

#[test]
fn a_valid_crossref_still_gives_the_child_its_parents_fields() {
    let dir = tempfile::tempdir().unwrap();
    let bib = "@string{conf = \"Proceedings of the Example Meeting\"}\n\
               @inproceedings{talk, author = {Roe, Richard}, title = {A talk}, crossref = {meeting}, pages = {1--5}}\n\
               @proceedings{meeting, title = conf, booktitle = conf, year = 2019, publisher = {Example Press}}\n";
    init_with_bib(dir.path(), bib, "talk");
    let out = sourcebook().arg("--root").arg(dir.path()).arg("build").assert().success().get_output().clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("error["), "{stderr}");
    let page = std::fs::read_to_string(dir.path().join("public/basics/first-article/index.html")).unwrap();
    let reference = &page[page.find("ref-text\">Roe R. A talk").expect("the talk is in the references")..];
    let reference = &reference[..reference.find("</p>").unwrap_or(reference.len())];
    assert!(reference.contains("2019"), "the year comes from the parent: {reference}");
    assert!(
        reference.contains("Example Meeting") && reference.contains("Example Press"),
        "the proceedings' title and publisher come from the parent: {reference}"
    );
}

/// A key written twice in sources.bib is a `duplicate-source` error at the
/// second entry, which is left out; every other entry is read. Before, the
/// parser refused the whole file for it ("biblatex parse error: duplicate
/// key …: 142-202", a byte range), and every citation of the file then
/// failed as an unknown source.
#[test]
fn a_key_written_twice_in_bibtex_leaves_out_only_the_second_entry() {
    let dir = tempfile::tempdir().unwrap();
    let bib = "@article{twice, author={Doe, Jane}, title={A study}, journal={J}, year=2020}\n\
               @article{twice, author={Roe, Rick}, title={Another}, journal={J}, year=2021}\n\
               @article{other, author={Poe, Pat}, title={A third}, journal={J}, year=2022}\n";
    init_with_bib(dir.path(), bib, "other");
    let message = "source `twice` is written twice (first on line 1); this one is left out";
    let want = [("duplicate-source", "content/sources.bib", 2, 1, message)]
        .map(|(c, f, l, col, m)| (c.to_string(), f.to_string(), l, col, m.to_string()));
    assert_eq!(check_errors(dir.path()), want);
}

/// BibTeX's `and others` says the author list goes on: the reference ends
/// the list with "et al.", as the style does for a list cut short. It was
/// read as an author called "others" ("Smith A, others.").
#[test]
fn bibtex_and_others_is_et_al_not_an_author() {
    let dir = tempfile::tempdir().unwrap();
    let bib = "@article{smith2020, author={Smith, Ann and others}, title={A study}, journal={J}, year=2020}\n";
    init_with_bib(dir.path(), bib, "smith2020");
    sourcebook().arg("--root").arg(dir.path()).arg("build").assert().success();
    let page = std::fs::read_to_string(dir.path().join("public/basics/first-article/index.html")).unwrap();
    assert!(page.contains("Smith A, et al. A study."), "{page}");
    assert!(!page.contains("others"), "{page}");
}

/// LaTeX the BibTeX parser leaves as it is (`\textit{…}`, `\alpha`) is an
/// error at the entry: readers saw it as typed. (The same `$…$` in
/// sources.yaml was an error already.)
#[test]
fn latex_left_in_a_bibtex_title_is_an_error_at_the_entry() {
    let dir = tempfile::tempdir().unwrap();
    let bib = "@article{coli2020, author={Doe, Jane}, title={\\textit{Escherichia coli} in the gut}, journal={J}, year=2020}\n";
    init_with_bib(dir.path(), bib, "coli2020");
    assert_left_out(dir.path(), &[(1, 9, "holds the LaTeX command `\\textit`, which readers would see as typed")]);
}

/// A date the BibTeX reader half reads is an error at its field, and only
/// that entry is left out: `month = {13}` reached readers as "13 2020",
/// `month = {0}` as "256 2020", `year = {20x0}` as "20 AD", `year = {-5}`
/// as "6 BC", and `date = {2020-02-30}` was dropped without a word; a
/// year of five digits made the whole file unreadable. An address
/// hayagriva cannot read was dropped too. The entries left out are not
/// reported again as unknown where they are cited.
#[test]
fn a_bibtex_date_or_address_readers_would_see_wrong_is_an_error_at_its_field() {
    let rows = [
        ("month = {13}", 11, "`month = {13}` is not a month"),
        ("month = {0}", 11, "`month = {0}` is not a month"),
        ("month = {Mar-Apr}", 11, "`month = {Mar-Apr}` is not a month"),
        ("year = {20x0}", 10, "`year = {20x0}` is not a year of four digits"),
        ("year = {-5}", 10, "`year = {-5}` is not a year"),
        ("year = {99999}", 10, "`year = {99999}` is not a year"),
        ("date = {2020-13-01}", 10, "`date = {2020-13-01}` is not a date"),
        ("date = {2020-02-30}", 10, "`date = {2020-02-30}` is not a date"),
        ("month = feb, day = {29}", 22, "`day = {29}` is not a day of the month"),
        ("url = {not a url}", 9, "`url = {not a url}` is not a web address"),
    ];
    for (field, column, words) in rows {
        let dir = tempfile::tempdir().unwrap();
        let year = if field.starts_with("year") || field.starts_with("date") { "" } else { "year = {2021}, " };
        let bib = format!(
            "@article{{ok2020, author={{Roe, Bo}}, title={{Kept}}, journal={{J}}, year=2020}}\n\n@article{{bad,\n title = {{T}}, journal = {{J}}, {year}\n {field}\n}}\n"
        );
        init_with_bib(dir.path(), &bib, "bad");
        let errors = check_errors(dir.path());
        let found: Vec<_> =
            errors.iter().map(|(code, file, line, col, _)| (code.as_str(), file.as_str(), *line, *col)).collect();
        assert_eq!(found, [("invalid-value", "content/sources.bib", 5, column)], "{field}: {errors:?}");
        assert!(errors[0].4.contains(words), "{field}: `{}` does not say `{words}`", errors[0].4);
    }
}

/// The dates BibTeX writes are read as written: a month by number or name,
/// a leap day, an ISO date and a range.
#[test]
fn a_bibtex_date_written_any_usual_way_is_read() {
    let rows = [
        ("year = 2020, month = jan", "January 2020"),
        ("year = 2020, month = {March}", "March 2020"),
        ("year = 2020, month = {02}", "February 2020"),
        ("date = {2020-02-29}", "February 29, 2020"),
        ("year = {2024}, month = {2}, day = {29}", "February 29, 2024"),
        ("date = {2019/2020}", "2020"),
    ];
    for (date, shown) in rows {
        let dir = tempfile::tempdir().unwrap();
        let bib = format!("@article{{dated, author={{Doe, Jane}}, title={{A study}}, journal={{J}}, {date}}}\n");
        init_with_bib(dir.path(), &bib, "dated");
        let out = sourcebook().arg("--root").arg(dir.path()).arg("build").output().unwrap();
        assert!(out.status.success(), "{date}: {}", String::from_utf8_lossy(&out.stderr));
        let page = std::fs::read_to_string(dir.path().join("public/basics/first-article/index.html")).unwrap();
        let reference = format!("Doe J. A study. <i>J</i>. Published online {shown}.</p>");
        assert!(page.contains(&reference), "{date}: no `{reference}`");
    }
}

/// `\o{}` is "ø", as `{\o}` is: the biblatex crate read the braces as a
/// stroke put through the letter before ("M\o{}ller" became "M̸ller").
/// LaTeX left in a given name is an error, as in a family name.
#[test]
fn bibtex_letters_are_read_as_latex_writes_them() {
    let dir = tempfile::tempdir().unwrap();
    let bib = "@article{moller2020, author={M\\o{}ller, Anna and Stra\\ss{}e, Bo}, title={A study}, journal={J}, year=2020}\n";
    init_with_bib(dir.path(), bib, "moller2020");
    sourcebook().arg("--root").arg(dir.path()).arg("build").assert().success();
    let page = std::fs::read_to_string(dir.path().join("public/basics/first-article/index.html")).unwrap();
    assert!(page.contains("Møller A, Straße B. A study."), "{page}");

    let dir = tempfile::tempdir().unwrap();
    let bib = "@article{given2020, author={Doe, \\textit{Jane}}, title={A study}, journal={J}, year=2020}\n";
    init_with_bib(dir.path(), bib, "given2020");
    assert_left_out(dir.path(), &[(1, 9, "holds the LaTeX command `\\textit`")]);
}
