//! The exact words of diagnostics a new author meets first, pinned: each
//! names the mistake in the author's terms (dates as YYYY-MM-DD), never a
//! library's.

use crate::support::{build_at, site};

fn with_date(date: &str) -> Vec<String> {
    let dir = site("minimal");
    let file = dir.path().join("content/basics/first.md");
    let text = std::fs::read_to_string(&file).unwrap();
    let start = text.find("\ndate: ").expect("the article has a date") + 1;
    let end = start + text[start..].find('\n').unwrap();
    std::fs::write(&file, format!("{}date: {date}{}", &text[..start], &text[end..])).unwrap();
    build_at(dir.path()).diagnostics.iter().filter(|d| d.is_error()).map(|d| d.message.clone()).collect()
}

#[test]
fn a_wrong_date_is_named_in_the_authors_words() {
    assert_eq!(
        with_date("2026-13-45"),
        ["date: `2026-13-45` is not a date: there is no month 13 (YYYY-MM-DD: the month comes second)"]
    );
    assert_eq!(with_date("2026-02-29"), ["date: `2026-02-29` is not a date: February 2026 has 28 days"]);
    assert_eq!(
        with_date("01/02/2026"),
        ["date: `01/02/2026` is not a date: write dates as YYYY-MM-DD, e.g. 2026-01-31"]
    );
}

#[test]
fn a_full_date_and_time_is_read_as_its_day() {
    assert!(with_date("2026-01-01T10:00:00Z").is_empty());
    assert!(with_date("\"2026-01-01 10:00\"").is_empty());
}

#[test]
fn an_unknown_source_type_is_named_at_its_key_with_the_types_once_each() {
    let dir = site("minimal");
    let file = dir.path().join("content/sources.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    let (i, _) = text.match_indices("type: ").next().expect("a source with a type");
    let end = i + text[i..].find('\n').unwrap();
    std::fs::write(&file, format!("{}type: artcle{}", &text[..i], &text[end..])).unwrap();
    let report = build_at(dir.path());
    let errors: Vec<_> = report.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert_eq!(errors.len(), 1, "{}", report.diagnostics.render_text(false));
    assert_eq!(errors[0].message, "`artcle` is not a source type");
    let help = errors[0].help.as_deref().unwrap();
    assert!(help.starts_with("did you mean `article`? The types: article, chapter,"), "{help}");
    assert_eq!(help.matches("article").count(), 2, "each type once, in lower case: {help}");
    let line = text[..i].matches('\n').count() + 1;
    assert_eq!(errors[0].line(), Some(line), "at the `type:` key");
}

/// The front matter of the minimal site's first article with `edit` applied,
/// and the errors a build gives.
fn with_front_matter(edit: impl Fn(&str) -> String) -> Vec<sourcebook::diagnostics::Diagnostic> {
    let dir = site("minimal");
    let file = dir.path().join("content/basics/first.md");
    std::fs::write(&file, edit(&std::fs::read_to_string(&file).unwrap())).unwrap();
    build_at(dir.path()).diagnostics.iter().filter(|d| d.is_error()).cloned().collect()
}

/// A new author's front matter with several mistakes gets all of them in
/// one build, each at its line, and each as it is when made alone: serde's
/// typed parse stops at the first, so an author fixed one, built, and met
/// the next.
#[test]
fn every_mistake_in_one_front_matter_is_reported_in_one_build() {
    let edits: [(&str, &str); 4] = [
        ("date: 2024-01-02", "date: 2026-13-45"),
        ("\ndescription:", "\nauthor: me\ndescription:"),
        ("  - \"Another point.\"", "  - [nested]"),
        ("    a: \"Yes, and it is sourced [@doe2020].\"", "    a: [x]\n  - q: ok\n  - q: fine\n    a: [y]"),
    ];
    let errors = with_front_matter(|t| edits.iter().fold(t.to_string(), |t, (from, to)| t.replacen(from, to, 1)));
    let found: Vec<_> = errors.iter().map(|d| (d.code.as_str(), d.line(), d.message.as_str())).collect();
    assert_eq!(
        found,
        [
            ("unknown-key", Some(3), "unknown key `author`"),
            (
                "invalid-value",
                Some(5),
                "date: `2026-13-45` is not a date: there is no month 13 (YYYY-MM-DD: the month comes second)"
            ),
            ("invalid-value", Some(9), "`key_points[1]` must be text, not a list"),
            ("invalid-value", Some(12), "`faq[0].a` must be text, not a list"),
            ("missing-key", Some(13), "missing required key `a`"),
            ("invalid-value", Some(15), "`faq[2].a` must be text, not a list"),
        ]
    );
    // the same findings as the mistakes made one at a time
    let told = |d: &sourcebook::diagnostics::Diagnostic| {
        (d.code.as_str().to_string(), d.message.clone(), d.help.clone(), d.span.as_ref().map(|s| s.column))
    };
    let mut alone: Vec<_> =
        edits.iter().flat_map(|(from, to)| with_front_matter(|t| t.replacen(from, to, 1))).collect();
    alone.sort_by_key(told);
    let mut together = errors.clone();
    together.sort_by_key(told);
    assert_eq!(together.iter().map(told).collect::<Vec<_>>(), alone.iter().map(told).collect::<Vec<_>>());
}

#[test]
fn a_tab_in_front_matter_is_named_a_tab() {
    let errors = with_front_matter(|t| t.replacen("\ndescription:", "\n\tdescription:", 1));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].message, "a tab character: YAML indents with spaces only");
    assert_eq!(errors[0].line(), Some(3));
}

#[test]
fn a_yaml_error_gives_one_position_the_files_own() {
    let errors = with_front_matter(|t| t.replacen("\ndescription:", "\ndescription: [unclosed\nother:", 1));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].message, "a list opened with `[` is not closed with `]`");
    assert_eq!(errors[0].line(), Some(3), "at the `[`, not where the reader gave up");
    assert!(!errors[0].message.contains(" line "), "no second line number: {}", errors[0].message);
}

/// A list or map left open at the end of a YAML file is named at its `[`
/// or `{`, not on the line after the file's last line, where the reader
/// gave up.
#[test]
fn a_bracket_left_open_at_the_end_of_a_yaml_file_is_named_at_the_bracket() {
    for (name, added, message) in [
        ("site.yaml", "description2: [\n", "a list opened with `[` is not closed with `]`"),
        ("site.yaml", "description2: [a,\n", "a list opened with `[` is not closed with `]`"),
        ("content/sources.yaml", "doe2021: {\n", "a map opened with `{` is not closed with `}`"),
    ] {
        let dir = site("minimal");
        let file = dir.path().join(name);
        let text = std::fs::read_to_string(&file).unwrap();
        std::fs::write(&file, format!("{text}{added}")).unwrap();
        let report = build_at(dir.path());
        let errors: Vec<_> = report.diagnostics.iter().filter(|d| d.is_error()).collect();
        assert_eq!(errors.len(), 1, "{name} + {added:?}: {errors:?}");
        let placed = (errors[0].file.as_deref(), errors[0].line(), errors[0].span.as_ref().map(|s| s.column));
        let column = added.find(['[', '{']).unwrap() + 1;
        assert_eq!(placed, (Some(name), Some(text.lines().count() + 1), Some(column)), "{name} + {added:?}");
        assert_eq!(errors[0].message, message, "{name} + {added:?}");
    }
}

/// The minimal site with `added` after its article's text, built: its
/// report and the line `added` starts on.
fn built_with_text(added: &str) -> (tempfile::TempDir, sourcebook::build::BuildReport, usize) {
    let dir = site("minimal");
    let file = dir.path().join("content/basics/first.md");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("{text}\n{added}\n")).unwrap();
    let report = build_at(dir.path());
    (dir, report, text.lines().count() + 2)
}

/// The findings of `code` in `report`: message, line and column.
fn placed<'r>(report: &'r sourcebook::build::BuildReport, code: &str) -> Vec<(&'r str, Option<usize>, Option<usize>)> {
    let found = report.diagnostics.iter().filter(|d| d.code.as_str() == code);
    found.map(|d| (d.message.as_str(), d.line(), d.span.as_ref().map(|s| s.column))).collect()
}

/// `[doe2020]`, a citation written without its `@` (the form other tools
/// use), would reach readers as the bracketed id: it is an error at the
/// bracket that says how to write it. A bracket holding other words, or
/// written `\[doe2020]`, is text as meant.
#[test]
fn a_citation_without_its_at_is_named_with_the_form_to_write() {
    let added = "A claim [doe2020]. Both [doe2020; doe2020]. Text \\[doe2020] and [other] words.";
    let (_dir, report, line) = built_with_text(added);
    let found: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.code.as_str() == "malformed-citation")
        .map(|d| (d.message.as_str(), d.help.as_deref(), d.line(), d.span.as_ref().map(|s| s.column)))
        .collect();
    assert_eq!(
        found,
        [
            (
                "`[doe2020]` is a citation without its `@`",
                Some("write `[@doe2020]`; brackets meant as text are written `\\[doe2020]`"),
                Some(line),
                Some(9)
            ),
            (
                "`[doe2020; doe2020]` is a citation without its `@`",
                Some("write `[@doe2020; @doe2020]`; brackets meant as text are written `\\[doe2020; doe2020]`"),
                Some(line),
                Some(25)
            ),
        ]
    );
}

/// Markup inside a citation's brackets (`[@doe2020, p. *5*]`) cut its
/// text, and the citation was shown as the author's name between a stray
/// `[` and `]` ("[Doe¹, p. 5]"): an error at it. Two citations side by
/// side (`[@a][@b]`, `[@a] [@b]`) were two superscripts that read as one
/// number (² ³ as 23): they are one citation now, as `[@a; @b]` is.
#[test]
fn a_citation_cut_by_markup_is_an_error_and_two_side_by_side_are_kept_apart() {
    let (_dir, report, line) = built_with_text("Seen [@doe2020, p. *5*].");
    assert_eq!(
        placed(&report, "malformed-citation"),
        [("`[@doe2020, p.…` is a citation whose `]` is not in the same plain text", Some(line), Some(7))]
    );
    assert!(report.written.is_none());
    let (dir, report, _) =
        built_with_text("Twice [@doe2020][@doe2020], or [@doe2020] [@doe2020]; once [@doe2020, p. 3].");
    assert!(report.written.is_some(), "{:?}", report.diagnostics);
    let page = std::fs::read_to_string(dir.path().join("public/basics/first/index.html")).unwrap();
    let start = page.find("Twice").unwrap();
    let paragraph = &page[start..start + page[start..].find("</p>").unwrap()];
    // one superscript for each pair, its comma before it as for one bracket
    assert_eq!(paragraph.matches("<sup class=\"citation\"").count(), 3, "{paragraph}");
    assert!(paragraph.starts_with("Twice,<sup class=\"citation\""), "{paragraph}");
}

/// A citation where it cannot be numbered is an error at it: in a heading
/// (the contents, the search results and the heading's id showed
/// `Results [@doe2020]`), and in the title, description or a key point,
/// shown as typed on the page, in its tab and in search results.
#[test]
fn a_citation_in_a_heading_or_a_text_shown_as_written_is_an_error() {
    let dir = site("minimal");
    let file = dir.path().join("content/basics/first.md");
    let text = std::fs::read_to_string(&file).unwrap();
    let text = text.replacen("  - \"Another point.\"", "  - \"Works well [@doe2020].\"", 1).replacen(
        "description: \"An article that cites a source.\"",
        "description: \"An article [@doe2020].\"",
        1,
    );
    let line = text.lines().count() + 2;
    std::fs::write(&file, format!("{text}\n## Results [@doe2020]\n\nText.\n")).unwrap();
    let report = build_at(dir.path());
    assert_eq!(
        placed(&report, "malformed-citation"),
        [
            ("the description holds a citation, which is shown as typed there", Some(3), Some(14)),
            ("key point 2 holds a citation, which is shown as typed there", Some(8), Some(5)),
            ("`[@doe2020]` is in a heading", Some(line), Some(12)),
        ],
        "{:?}",
        report.diagnostics
    );
}

/// A block with its marker and nothing else is an error at it: an urgent
/// care card said "Ask for an urgent appointment or get help now if:" and
/// listed nothing. A marker on a line with other words is told to stand
/// alone; a marker that names no kind is told the kinds (it was told to
/// stand alone).
#[test]
fn an_empty_block_is_an_error_and_each_marker_mistake_gets_its_own_help() {
    let (_dir, report, line) = built_with_text("> [!URGENT]\n\nMore.\n\n> [!DANGER]\n> Text.");
    let found: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| {
            (
                d.code.as_str(),
                d.message.as_str(),
                d.line(),
                d.help.as_deref().unwrap_or_default().split(';').next().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (
                "invalid-value",
                "this `[!URGENT]` block has nothing in it",
                Some(line),
                "write what it says on the lines after the marker, each starting `> `, or remove it"
            ),
            (
                "unknown-block",
                "`[!DANGER]` is not a kind of block",
                Some(line + 4),
                "the kinds are `[!NOTE]`, `[!TIP]`, `[!IMPORTANT]`, `[!WARNING]`, `[!CAUTION]`, `[!NON-URGENT]`, `[!URGENT]`, `[!EMERGENCY]`"
            ),
        ]
    );
}

/// An author written "et al." is an error at the source: every reference
/// said "Doe J, al." and the text "Doe and et al.". (BibTeX's `and others`
/// is read as "et al." instead: see `bibtex::bibtex_and_others_is_et_al_not_an_author`.)
#[test]
fn an_author_called_et_al_is_an_error_at_the_source() {
    for author in ["\"et al.\"", "\"et al\"", "\"Others\""] {
        let dir = site("minimal");
        let file = dir.path().join("content/sources.yaml");
        let text = std::fs::read_to_string(&file).unwrap();
        std::fs::write(
            &file,
            text.replacen("author: [\"Doe, Jane\"]", &format!("author: [\"Doe, Jane\", {author}]"), 1),
        )
        .unwrap();
        let report = build_at(dir.path());
        let found: Vec<_> = report
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| (d.code.as_str(), d.message.as_str(), d.file.as_deref(), d.line()))
            .collect();
        assert_eq!(
            found,
            [(
                "invalid-value",
                "source `doe2020` lists an author called \"et al.\"",
                Some("content/sources.yaml"),
                Some(1)
            )],
            "{author}"
        );
    }
}
