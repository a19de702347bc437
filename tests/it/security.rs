//! Nothing an author, a source or a configuration writes becomes markup or
//! script on a reader's page (issue 16).
//!
//! Hostile text carries a marker, `sb-evil`, as an element name and as an
//! attribute name. The built HTML, JSON-LD, feed, sitemap and search index
//! are parsed as a browser and a feed reader would parse them, and must hold
//! no element or attribute of that name, no event handler, no script but
//! JSON-LD and the theme's own, and no link outside the URL policy.

use std::path::Path;
use std::time::{Duration, Instant};

use sourcebook::build::BuildOptions;

use crate::support::{Rng, build_at, site, sourcebook};

/// The URL policy, checked as a browser reads a URL (the WHATWG parser
/// of the `url` crate: tabs and newlines dropped, any case), independently
/// of the crate's own check: a link resolves to http, https, mailto, tel or
/// sms, or stays on the site.
fn check_url(value: &str) -> Result<(), String> {
    let base = url::Url::parse("https://site.invalid/a/b/").unwrap();
    match base.join(value) {
        Ok(u) if ["http", "https", "mailto", "tel", "sms"].contains(&u.scheme()) => Ok(()),
        Ok(u) => Err(format!("scheme `{}`", u.scheme())),
        // a browser does not follow what it cannot parse
        Err(_) => Ok(()),
    }
}

/// Text a page may hold as text, never as markup.
const HOSTILE: &[&str] = &[
    "<script>alert(1)</script>",
    "</script><sb-evil>",
    "<sb-evil sb-evil=1>",
    "\" sb-evil=\"1",
    "' sb-evil='1",
    "\"><sb-evil>",
    "<img src=x onerror=alert(1)>",
    "&lt;sb-evil&gt;",
    "&#60;sb-evil&#62;",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "jav&#x61;script:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html,<sb-evil>",
    "<!--",
    "-->",
    "]]>",
    "<![CDATA[<sb-evil>]]>",
    "{{ site }}",
    "{% raw %}",
    "\u{0}",
    "\u{1}",
    "\u{b}",
    "\u{1b}[31m",
    "\u{7f}",
    "\u{85}",
    "\u{2028}",
    "\u{fffe}",
    // a bidirectional override left open reorders the rest of the paragraph
    "\u{202e}dessim si esod",
    "&#x202E;\u{2067}",
    "\\",
    "@",
    "[@",
    "ü 𝕏 ﷺ",
];

/// Markdown constructs around hostile text (bodies and FAQ answers only).
const MARKDOWN: &[&str] = &[
    "<sb-evil>{}</sb-evil>",
    "*{}*",
    "`{}`",
    "[{}](https://example.org/)",
    // an image of the site's own (one from another site is an error)
    "![{}](x.png \"{}\")",
    "## {} {{#sec .no-toc}}",
    "> {}",
    "| {} | x |\n| --- | --- |\n| {} | y |",
];

/// Every text field of a site, filled from `pick`.
fn write_site(root: &Path, pick: &mut dyn FnMut() -> String, markdown: &mut dyn FnMut() -> String) {
    let q = yaml_quoted;
    let w = |p: &str, text: String| {
        let path = root.join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    w(
        "site.yaml",
        format!(
            "title: {}\ndescription: {}\nbase_url: \"https://example.org/guide/\"\ntopics: [basics]\ndisclaimer: {}\ncrisis:\n  text: {}\n  links:\n    - {{ label: {}, url: \"tel:988\" }}\n",
            q(pick()),
            q(pick()),
            q(pick()),
            q(pick()),
            q(pick())
        ),
    );
    let image = std::fs::read(crate::support::fixtures().join("blocks/content/guide/blocks/square.png")).unwrap();
    for folder in ["content", "content/basics"] {
        std::fs::create_dir_all(root.join(folder)).unwrap();
        std::fs::write(root.join(folder).join("x.png"), &image).unwrap();
    }
    w(
        "content/index.md",
        format!("---\ntitle: {}\ndescription: {}\ndate: 2024-01-01\n---\n\n{}\n", q(pick()), q(pick()), markdown()),
    );
    w(
        "content/basics/_index.md",
        format!("---\ntitle: {}\ndescription: {}\n---\n\n{}\n", q(pick()), q(pick()), markdown()),
    );
    w(
        "content/basics/first.md",
        format!(
            "---\ntitle: {}\ndescription: {}\ndate: 2024-01-02\nauthors: [{}]\nreviewed: {{ by: {}, on: 2024-02-01 }}\nkey_points: [{}, {}]\ntags: [{}]\nfaq:\n  - q: {}\n    a: {}\n---\n\n## Background\n\n{} [@doe2020]\n\n{}\n",
            q(pick()),
            q(pick()),
            q(pick()),
            q(pick()),
            q(pick()),
            q(pick()),
            q(pick()),
            q(pick()),
            q(format!("{} [@doe2020]", markdown())),
            markdown(),
            markdown()
        ),
    );
    w(
        "content/sources.yaml",
        format!(
            "doe2020:\n  type: article\n  title: {}\n  author: [{}, {{ name: {}, given-name: {} }}]\n  date: 2020\n  note: {}\n  serial-number: {{ doi: {}, pmid: \"12345678\" }}\n  publisher: {}\n  parent:\n    type: periodical\n    title: {{ value: {}, short: {} }}\n    volume: 3\n  evidence: rct\n",
            q(pick()),
            q(format!("{}, Jane", pick())),
            q(pick()),
            q(pick()),
            q(pick()),
            q(format!("10.1000/{}", pick().replace(|c: char| c.is_whitespace() || c.is_control(), ""))),
            q(pick()),
            q(pick()),
            q(pick())
        ),
    );
    w("content/glossary.yaml", format!("Background:\n  definition: {}\n  aliases: [{}]\n", q(pick()), q(pick())));
}

/// `text` as a YAML double-quoted scalar: every character YAML does not
/// allow raw (controls, line separators, BOM, non-characters) as an escape,
/// so the value reaches the site as written.
fn yaml_quoted(text: String) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}') => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// No injected element, attribute, handler, script or URL in anything the
/// build wrote. Returns how many files were looked at.
fn assert_no_injected_markup(public: &Path) -> usize {
    let mut seen = 0;
    for entry in walkdir::WalkDir::new(public) {
        let entry = entry.unwrap();
        let path = entry.path();
        let name = path.display().to_string();
        let Ok(text) = std::fs::read(path) else { continue };
        if name.ends_with(".png") {
            continue; // the test's own image, copied as it is
        }
        assert!(!text.contains(&0), "{name}: a NUL byte");
        let Ok(text) = String::from_utf8(text) else { continue };
        match path.extension().and_then(|e| e.to_str()) {
            Some("html") => assert_html_is_clean(&name, &text),
            Some("xml") => assert_xml_is_clean(&name, &text),
            Some("json") => {
                serde_json::from_str::<serde_json::Value>(&text).unwrap_or_else(|e| panic!("{name}: not JSON: {e}"));
            }
            // a search index file is one call with JSON data: no text may end the JSON and add code
            Some("js") if path.parent().is_some_and(|p| p.ends_with("search-index")) => {
                let file = path.file_stem().unwrap().to_string_lossy();
                let json = text
                    .strip_prefix(&format!("sourcebookSearchIndex(\"{file}\","))
                    .and_then(|t| t.strip_suffix(");\n"))
                    .unwrap_or_else(|| panic!("{name}: not one call of sourcebookSearchIndex"));
                serde_json::from_str::<serde_json::Value>(json).unwrap_or_else(|e| panic!("{name}: not JSON: {e}"));
                // the text files hold what search results show (stems and vocabulary do not)
                let shown = file.starts_with("text-");
                assert!(
                    !shown || !json.chars().any(is_bidi),
                    "{name}: a bidirectional control in search results' text"
                );
            }
            _ => continue,
        }
        seen += 1;
    }
    seen
}

const URL_ATTRIBUTES: &[&str] = &["href", "src", "action", "formaction", "poster", "cite", "data", "srcset"];

fn assert_html_is_clean(name: &str, text: &str) {
    let doc = scraper::Html::parse_document(text);
    for node in doc.tree.nodes() {
        if let Some(t) = node.value().as_text() {
            let in_script = node.parent().and_then(|p| p.value().as_element()).is_some_and(|p| p.name() == "script");
            assert!(in_script || !t.chars().any(is_bidi), "{name}: a bidirectional control in the text {:?}", &**t);
            continue;
        }
        let Some(el) = node.value().as_element() else { continue };
        let tag = el.name();
        assert!(
            !matches!(tag, "sb-evil" | "iframe" | "object" | "embed" | "base" | "style" | "svg" | "math" | "frame"),
            "{name}: a <{tag}> element"
        );
        for (attr, value) in el.attrs() {
            assert!(
                attr != "sb-evil" && !attr.starts_with("on") && attr != "style" && attr != "srcdoc",
                "{name}: <{tag} {attr}=\"{value}\">"
            );
            if URL_ATTRIBUTES.contains(&attr) {
                assert!(check_url(value).is_ok(), "{name}: <{tag} {attr}=\"{value}\"> is outside the URL policy");
            }
        }
        if tag == "script" {
            let body: String = node.children().filter_map(|c| c.value().as_text().map(|t| t.to_string())).collect();
            match el.attr("type") {
                Some("application/ld+json") => {
                    // shown by search engines beside the page: the same rule as its text
                    assert!(!body.chars().any(is_bidi), "{name}: a bidirectional control in JSON-LD");
                    serde_json::from_str::<serde_json::Value>(&body)
                        .unwrap_or_else(|e| panic!("{name}: JSON-LD does not parse ({e}): {body}"));
                }
                _ => assert!(
                    body.trim().is_empty() && el.attr("src").is_some_and(|s| s.contains("assets/")),
                    "{name}: a script that is not the theme's: {body}"
                ),
            }
        }
    }
}

/// A bidirectional embedding, override or isolate: one left open reorders
/// the rest of its paragraph as readers see it.
fn is_bidi(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn assert_xml_is_clean(name: &str, text: &str) {
    let doc = roxmltree::Document::parse(text).unwrap_or_else(|e| panic!("{name}: not well-formed XML: {e}"));
    for node in doc.descendants().filter(|n| n.is_text()) {
        let t = node.text().unwrap_or_default();
        assert!(!t.chars().any(is_bidi), "{name}: a bidirectional control in the text {t:?}");
    }
    for node in doc.descendants().filter(|n| n.is_element()) {
        assert_ne!(node.tag_name().name(), "sb-evil", "{name}");
        for a in node.attributes() {
            assert_ne!(a.name(), "sb-evil", "{name}");
            if a.name() == "href" {
                assert!(check_url(a.value()).is_ok(), "{name}: href {}", a.value());
            }
        }
    }
}

#[test]
fn hostile_text_in_every_field_is_shown_as_text() {
    for (i, hostile) in HOSTILE.iter().enumerate() {
        // the same text in every field, once in each Markdown construct
        let dir = site("minimal");
        let mut k = 0;
        let mut markdown = || {
            k += 1;
            MARKDOWN[(i + k) % MARKDOWN.len()].replace("{}", hostile)
        };
        write_site(dir.path(), &mut || (*hostile).to_string(), &mut markdown);
        let report = build_at(dir.path());
        let errors: Vec<_> = report.diagnostics.iter().filter(|d| d.is_error()).map(|d| d.render(false)).collect();
        // a control character in YAML is refused by the parser (with a
        // diagnostic): nothing was written, so nothing leaked
        if report.written.is_none() {
            assert!(!errors.is_empty(), "{hostile:?}: nothing written and no error");
            continue;
        }
        assert!(assert_no_injected_markup(&dir.path().join("public")) > 10, "{hostile:?}: pages were looked at");
    }
}

#[test]
fn the_markup_characters_of_a_source_are_escaped_in_every_reference_list() {
    let dir = site("minimal");
    write_site(dir.path(), &mut || "<sb-evil>\"'&".to_string(), &mut || "Text.".to_string());
    let report = build_at(dir.path());
    assert!(report.written.is_some(), "{:?}", report.diagnostics);
    let public = dir.path().join("public");
    for page in ["basics/first/index.html", "faq/index.html", "sources/index.html"] {
        let html = std::fs::read_to_string(public.join(page)).unwrap();
        assert!(html.contains("&lt;sb-evil&gt;&quot;&#39;&amp;"), "{page}: the title is shown as text");
        // the DOI is percent-encoded into its resolver URL
        assert!(html.contains("\"https://doi.org/10.1000/%3Csb-evil%3E%22"), "{page}");
    }
    assert_no_injected_markup(&public);
}

/// One `unsafe-url` case: a file to write over the minimal site, and the
/// file, line and column the error must name.
struct UnsafeCase {
    what: &'static str,
    file: &'static str,
    text: &'static str,
    at: (usize, usize),
}

const ARTICLE: &str = "---\ntitle: \"First article\"\ndescription: \"An article.\"\ndate: 2024-01-02\n---\n\n";

fn unsafe_cases() -> Vec<UnsafeCase> {
    let body = |what: &'static str, line: &str, col: usize| UnsafeCase {
        what,
        file: "content/basics/first.md",
        text: Box::leak(format!("{ARTICLE}A claim [@doe2020].\n\n{line}\n").into_boxed_str()),
        at: (9, col),
    };
    vec![
        body("a link", "See [this](javascript:alert(1)).", 12),
        body("upper and mixed case", "See [this](JaVaScRiPt:alert(1)).", 12),
        body("an entity-encoded scheme", "See [this](jav&#x61;script:alert(1)).", 12),
        body("a tab inside the scheme", "See [this](<java\tscript:alert(1)>).", 12),
        body("vbscript", "See [this](vbscript:msgbox(1)).", 12),
        body("an image from data:", "![A chart](data:image/svg+xml;base64,PHN2Zz4=)", 12),
        body("an autolink", "See <javascript:alert(1)>.", 5),
        body("a reference definition", "See [this][x].\n\n[x]: javascript:alert(1)", 5),
        body("file:", "See [this](file:///etc/passwd).", 12),
        body("a user name before the host", "See [the NHS](https://www.nhs.uk@evil.example/).", 15),
        UnsafeCase {
            what: "a FAQ answer",
            file: "content/basics/first.md",
            text: "---\ntitle: \"First article\"\ndescription: \"An article.\"\ndate: 2024-01-02\nfaq:\n  - q: \"Is it?\"\n    a: \"Yes [@doe2020], [see](javascript:alert(1)).\"\n---\n\nText [@doe2020].\n",
            at: (7, 31),
        },
        UnsafeCase {
            what: "a source url",
            file: "content/sources.yaml",
            text: "doe2020:\n  type: article\n  title: A study\n  author: [\"Doe, Jane\"]\n  date: 2020\n  url: \"javascript:alert(1)\"\n",
            at: (6, 9),
        },
        UnsafeCase {
            what: "a source url in BibTeX",
            file: "content/sources.bib",
            text: "@article{bib2020,\n  title = {A study},\n  author = {Doe, Jane},\n  year = {2020},\n  url = {javascript:alert(1)}\n}\n",
            at: (1, 9),
        },
        UnsafeCase {
            what: "feedback_url",
            file: "site.yaml",
            text: "title: \"Minimal site\"\nbase_url: \"https://example.org/guide/\"\ntopics: [basics]\nfeedback_url: \"javascript:alert(1)\"\n",
            at: (4, 16),
        },
        UnsafeCase {
            what: "feedback_url with a password",
            file: "site.yaml",
            text: "title: \"Minimal site\"\nbase_url: \"https://example.org/guide/\"\ntopics: [basics]\nfeedback_url: \"https://editor:s3cret@example.org/feedback\"\n",
            at: (4, 16),
        },
        UnsafeCase {
            what: "a crisis link",
            file: "site.yaml",
            text: "title: \"Minimal site\"\nbase_url: \"https://example.org/guide/\"\ntopics: [basics]\ncrisis:\n  text: \"Help\"\n  links:\n    - { label: \"Call\", url: \"JAVASCRIPT:alert(1)\" }\n",
            at: (7, 30),
        },
    ]
}

/// A source's page is outside the site: its `url` is a full address, or
/// it would lead somewhere else from each page that lists the source (and
/// `//host` to another site under no scheme's check). The error is at the
/// address as written, in the site's words, not the entry's first line in
/// a URL library's ("relative URL without a base").
#[test]
fn a_source_url_is_a_full_address_and_an_error_at_its_field() {
    for (url, at) in
        [("\"reports/x.html\"", (6, 9)), ("\"/reports/x.html\"", (6, 9)), ("{ value: \"//evil.example/x\" }", (6, 18))]
    {
        let dir = site("minimal");
        let text = format!(
            "doe2020:\n  type: article\n  title: A study\n  author: [\"Doe, Jane\"]\n  date: 2020\n  url: {url}\n"
        );
        std::fs::write(dir.path().join("content/sources.yaml"), text).unwrap();
        let report = build_at(dir.path());
        let found: Vec<_> = report
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| (d.code.as_str(), d.file.as_deref(), d.span.as_ref().map(|s| (s.line, s.column))))
            .collect();
        assert_eq!(found, [("unsafe-url", Some("content/sources.yaml"), Some(at))], "{url}: {:?}", report.diagnostics);
        assert!(
            report.diagnostics.iter().any(|d| d.message.contains("it is not a full address")),
            "{:?}",
            report.diagnostics
        );
    }
}

#[test]
fn every_unsafe_url_is_an_error_at_its_place() {
    let mut failures = Vec::new();
    for case in unsafe_cases() {
        let dir = site("minimal");
        std::fs::write(dir.path().join(case.file), case.text).unwrap();
        let report = build_at(dir.path());
        let found = report.diagnostics.iter().find(|d| d.code.as_str() == "unsafe-url");
        match found {
            Some(d)
                if d.file.as_deref() == Some(case.file)
                    && d.span.as_ref().map(|s| (s.line, s.column)) == Some(case.at) =>
            {
                let why = ["is not allowed", "has a user name or password before an `@`"];
                assert!(why.iter().any(|w| d.message.contains(w)), "{}: {}", case.what, d.message);
            }
            other => failures.push(format!(
                "{}: want unsafe-url at {}:{:?}, got {:?}",
                case.what,
                case.file,
                case.at,
                other.map(|d| (d.file.clone(), d.span.as_ref().map(|s| (s.line, s.column)), d.message.clone()))
            )),
        }
        assert!(report.written.is_none(), "{}: an unsafe URL stops the build", case.what);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Each unsafe link is an error at its own destination, however it is
/// written: the place of one written with entities was looked for in the
/// text after it, so it took a later link's place when that link led to the
/// same address (a footnote's), and the two errors were one.
#[test]
fn each_unsafe_link_is_an_error_at_its_own_destination_even_beside_one_to_the_same_address() {
    let dir = site("minimal");
    let body = "See [the trial](&#106;avascript:alert(1)).\n\nA note[^a].\n\n\
                [^a]: See [this](javascript:alert(1)).\n\n\
                An image ![x](&#106;avascript:y) and [![i](a.png)](j&#97;vascript:y).\n";
    std::fs::write(dir.path().join("content/basics/first.md"), format!("{ARTICLE}A claim [@doe2020].\n\n{body}"))
        .unwrap();
    let report = build_at(dir.path());
    let mut found: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.code.as_str() == "unsafe-url")
        .map(|d| d.span.as_ref().map(|s| (s.line, s.column)))
        .collect();
    found.sort();
    assert_eq!(found, [Some((9, 17)), Some((13, 18)), Some((15, 15)), Some((15, 52))], "{:?}", report.diagnostics);
}

#[test]
fn base_urls_must_be_absolute_http() {
    for bad in [
        "javascript:alert(1)//",
        "example.org",
        "https://x.org/\"><sb-evil>",
        "data:text/html,x",
        // published in every page, the feed, the sitemap and robots.txt
        "https://user:s3cret@staging.example.org/",
    ] {
        let dir = site("minimal");
        let yaml =
            format!("title: \"Minimal site\"\nbase_url: {}\ntopics: [basics]\n", serde_json::to_string(bad).unwrap());
        std::fs::write(dir.path().join("site.yaml"), yaml).unwrap();
        let report = build_at(dir.path());
        let d =
            report.diagnostics.iter().find(|d| d.code.as_str() == "invalid-value").unwrap_or_else(|| panic!("{bad}"));
        // the caret under the value, after `base_url: `
        assert_eq!(d.span.as_ref().map(|s| (s.line, s.column)), Some((2, 11)), "{bad}");
        // and on the command line: a usage error, nothing built
        let dir = site("minimal");
        let out = sourcebook().arg("--root").arg(dir.path()).args(["build", "--base-url", bad]).assert().code(2);
        let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert!(stderr.contains("--base-url"), "{stderr}");
        assert!(!dir.path().join("public").exists());
    }
}

#[test]
fn heading_attributes_outside_the_allow_list_are_errors_naming_them() {
    let dir = site("minimal");
    let text = format!(
        "{ARTICLE}## Hi {{tabindex=0 autofocus=1 onfocus=alert(1)}}\n\n## Ok {{#fine .no-toc}}\n\n## Bad {{.evil}}\n\nText [@doe2020].\n"
    );
    std::fs::write(dir.path().join("content/basics/first.md"), text).unwrap();
    let report = build_at(dir.path());
    let got: Vec<(String, usize, usize)> = report
        .diagnostics
        .iter()
        .filter(|d| d.code.as_str() == "invalid-value")
        .map(|d| (d.message.clone(), d.span.as_ref().unwrap().line, d.span.as_ref().unwrap().column))
        .collect();
    assert_eq!(
        got,
        vec![
            ("heading attribute `tabindex` is not allowed".to_string(), 7, 8),
            ("heading attribute `autofocus` is not allowed".to_string(), 7, 19),
            ("heading attribute `onfocus` is not allowed".to_string(), 7, 31),
            ("heading class `evil` is not one a heading may have".to_string(), 11, 10),
        ]
    );
    // the allowed form renders, without what was refused
    std::fs::write(
        dir.path().join("content/basics/first.md"),
        format!("{ARTICLE}## Ok {{#fine .no-toc}}\n\nText [@doe2020].\n"),
    )
    .unwrap();
    assert!(build_at(dir.path()).written.is_some());
    let html = std::fs::read_to_string(dir.path().join("public/basics/first/index.html")).unwrap();
    assert!(html.contains("<h2 id=\"fine\" class=\"no-toc\">Ok</h2>"), "{html}");
}

#[test]
fn the_default_templates_mark_nothing_safe() {
    // trusted markup reaches templates as markup (`Html`); nothing else may
    for entry in std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("| safe") && !text.contains("|safe"), "{}", path.display());
    }
}

#[test]
fn only_the_renderers_make_trusted_html() {
    // `Html::trusted` is how markup is made without escaping: only the
    // renderers that escape every piece of input may call it
    let allowed = ["src/html.rs", "src/markdown.rs", "src/sources/format.rs", "src/theme/jsonld.rs"];
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    for entry in walkdir::WalkDir::new(&src) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap().display().to_string();
        if entry.path().extension().is_some_and(|e| e == "rs") && !allowed.contains(&rel.as_str()) {
            let text = std::fs::read_to_string(entry.path()).unwrap();
            assert!(!text.contains("Html::trusted") && !text.contains("trusted("), "{rel} makes trusted HTML");
        }
    }
}

impl Rng {
    fn hostile(&mut self) -> String {
        let mut s = String::new();
        for _ in 0..1 + self.below(4) {
            match self.below(4) {
                0 => s.push_str(["a", " ", "x y", "Claim.", "-", ":"][self.below(6)]),
                1 => s.push(char::from_u32(self.below(0x80) as u32).unwrap_or('?')),
                _ => s.push_str(HOSTILE[self.below(HOSTILE.len())]),
            }
        }
        s
    }
}

#[test]
fn random_hostile_strings_in_every_field_never_become_markup() {
    // bounded: at most 300 sites, or 20 seconds once 40 are done (a loaded
    // machine still tries enough sites for the count below to mean something)
    let started = Instant::now();
    let mut rng = Rng(0x5eed_cafe_f00d);
    let (mut built, mut refused) = (0, 0);
    for _ in 0..300 {
        if started.elapsed() > Duration::from_secs(20) && built + refused >= 40 {
            break;
        }
        let dir = site("minimal");
        let mut pick_rng = Rng(rng.next() | 1);
        let mut md_rng = Rng(rng.next() | 1);
        let mut markdown = || {
            let mut text = String::new();
            for _ in 0..3 {
                text.push_str(&MARKDOWN[md_rng.below(MARKDOWN.len())].replace("{}", &md_rng.hostile()));
                text.push_str("\n\n");
            }
            text
        };
        write_site(dir.path(), &mut || pick_rng.hostile(), &mut markdown);
        let options = BuildOptions { root: dir.path().to_path_buf(), ..BuildOptions::default() };
        let report = sourcebook::build::build(&options).unwrap();
        if report.written.is_some() {
            built += 1;
            assert_no_injected_markup(&dir.path().join("public"));
        } else {
            refused += 1;
            assert!(report.diagnostics.iter().any(|d| d.is_error()), "nothing written and no error");
            if std::env::var_os("SECURITY_TRACE").is_some() {
                for d in report.diagnostics.iter().filter(|d| d.is_error()) {
                    eprintln!("refused: {} {}", d.code.as_str(), d.message);
                }
            }
        }
    }
    assert!(built > 10, "most random sites build ({built} built, {refused} refused)");
}

/// A file under `content/` that a browser would run as a page of the site
/// (an HTML page, an SVG image that does more than draw, a script) is
/// refused by `build` and `check` alike, in any case of its ending: copied
/// as it is, it would put script on the site's origin, one link away from
/// an article, past every check an article's text gets. The previous
/// output is kept.
#[test]
fn a_page_image_or_script_in_content_is_refused_never_published() {
    let dir = site("minimal");
    let out = dir.path().join("public");
    sourcebook().arg("--root").arg(dir.path()).arg("build").assert().success();
    let before = crate::support::snapshot_tree(&out);
    for name in ["page.html", "page.HTM", "figure.svg", "app.js", "page.xhtml", "feed.xml"] {
        let file = dir.path().join("content/basics").join(name);
        std::fs::write(&file, "<script>alert(document.domain)</script>\n").unwrap();
        for command in ["build", "check"] {
            let run = sourcebook().arg("--root").arg(dir.path()).arg(command).assert().code(1);
            let stderr = String::from_utf8_lossy(&run.get_output().stderr).into_owned();
            assert!(stderr.contains("error[unsafe-file]: "), "{name} {command}: {stderr}");
            assert!(stderr.contains(&format!("--> content/basics/{name}")), "{name}: {stderr}");
        }
        assert_eq!(crate::support::snapshot_tree(&out), before, "{name}: the previous site stays as it was");
        std::fs::remove_file(&file).unwrap();
    }
    // an image a browser only shows is copied as before, an SVG that only draws too
    std::fs::write(dir.path().join("content/basics/chart.png"), b"\x89PNG\r\n\x1a\n").unwrap();
    let drawing =
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 4 2\"><rect width=\"4\" height=\"2\"/></svg>\n";
    std::fs::write(dir.path().join("content/basics/drawing.svg"), drawing).unwrap();
    sourcebook().arg("--root").arg(dir.path()).arg("build").assert().success();
    assert!(out.join("basics/chart.png").is_file());
    assert_eq!(std::fs::read_to_string(out.join("basics/drawing.svg")).unwrap(), drawing);
}

/// An article or data file under a name sourcebook does not read is named
/// with the name to give it, and never published: left to be copied, a
/// draft saved as `notes.MD` would put its text, front matter and all, on
/// the site, and `people.yml` the reviewers' records.
#[test]
fn a_misnamed_article_or_data_file_is_named_never_published() {
    let cases = [
        ("content/basics/notes.MD", "rename it `notes.md`"),
        ("content/basics/notes.markdown", "rename it `notes.md`"),
        ("content/basics/notes.md.txt", "rename it `notes.md`"),
        ("content/people.yml", "reads this file only as `content/people.yaml`"),
        ("content/Sources.yaml", "reads this file only as `content/sources.yaml`"),
        ("content/basics/reviews.yaml", "reviews.yaml is read only at content/reviews.yaml"),
    ];
    for (file, help) in cases {
        let dir = site("minimal");
        std::fs::write(dir.path().join(file), "---\ntitle: \"Draft\"\ndate: 2026-01-10\ndraft: true\n---\n\nSecret.\n")
            .unwrap();
        let run = sourcebook().arg("--root").arg(dir.path()).arg("build").assert().code(1);
        let stderr = String::from_utf8_lossy(&run.get_output().stderr).into_owned();
        assert!(
            stderr.contains(&format!(
                "error[misnamed-file]: this file is not read, and would be published as it is\n--> {file}\n"
            )),
            "{stderr}"
        );
        assert!(stderr.contains(help), "{file}: {stderr}");
        assert!(!dir.path().join("public").exists(), "{file}: nothing was written");
    }
}

/// Every id on a page is there once, whatever the author's headings say:
/// a heading named like a section of the theme ("About this page", "What
/// changed"), the search box, or a citation or reference (`Ref 1`,
/// `Cite 1`) gets an id of its own, so the table of contents, each
/// citation and "Skip to main content" still lead where they say.
#[test]
fn a_heading_never_takes_an_id_the_page_gives_something_else() {
    let dir = site("minimal");
    let file = dir.path().join("content/basics/first.md");
    let text = std::fs::read_to_string(&file).unwrap().replace(
        "reviewed: { by: \"Editorial team\", on: 2024-02-01 }\n",
        "reviewed: { by: \"Editorial team\", on: 2024-02-01 }\nchanges:\n  - { on: 2024-01-03, summary: \"Fixed a typo.\" }\n",
    );
    let headings = "\n## Ref 1\n\n## Cite 1\n\n## About this page\n\n## What changed\n\n## Main\n\n## Site search\n\n## Key points title\n\n## References\n";
    std::fs::write(&file, format!("{text}{headings}")).unwrap();
    let report = build_at(dir.path());
    assert!(report.written.is_some(), "{:?}", report.diagnostics);
    let page = std::fs::read_to_string(dir.path().join("public/basics/first/index.html")).unwrap();
    let mut ids: Vec<&str> =
        page.match_indices(" id=\"").map(|(i, _)| &page[i + 5..i + 5 + page[i + 5..].find('"').unwrap()]).collect();
    ids.sort_unstable();
    let twice: Vec<&&str> = ids.windows(2).filter(|w| w[0] == w[1]).map(|w| &w[0]).collect();
    assert!(twice.is_empty(), "ids given twice: {twice:?}");
    for id in
        ["ref-1", "cite-1", "about-this-page", "what-changed", "main", "site-search", "key-points-title", "references"]
    {
        assert!(ids.contains(&id), "{id} is the page's own");
    }
    // the table of contents leads to the author's headings, under their own ids
    for id in ["ref-1-section", "cite-1-section", "about-this-page-1", "what-changed-1", "references-1"] {
        assert!(page.contains(&format!("<a href=\"#{id}\">")), "{id}: {page}");
    }
}

/// An id the author gives a heading (`{#main}`) that the page already
/// gives something else is an error at the id: renamed quietly, the
/// author's own `(#main)` links would lead to the theme's main content,
/// a citation or an earlier heading instead.
#[test]
fn a_heading_id_the_author_chose_is_the_heading_s_or_an_error() {
    for (heading, id, column) in [
        ("## Safety {#main}", "main", 13),
        ("## Search {#site-search}", "site-search", 13),
        ("## Cite 1 {#cite-1}", "cite-1", 13),
        ("## Background again {#background}", "background", 23),
        ("## Asked {#faq-is-this-a-question}", "faq-is-this-a-question", 12),
    ] {
        let (report, _, line) = build_with_line(heading);
        assert!(report.written.is_none(), "{heading}");
        let d = report.diagnostics.iter().find(|d| d.message.starts_with(&format!("heading id `{id}` is taken")));
        let d = d.unwrap_or_else(|| panic!("{heading}: {:?}", report.diagnostics));
        assert_eq!(d.code.as_str(), "invalid-value");
        assert_eq!(
            d.span.as_ref().map(|s| (s.line, s.column, s.width)),
            Some((line, column, Some(id.len()))),
            "{heading}"
        );
    }
    let (report, page, _) = build_with_line("## Safety {#safety-details}\n\nSee [the details](#safety-details).");
    assert!(report.written.is_some(), "{:?}", report.diagnostics);
    assert!(page.contains("<h2 id=\"safety-details\">"), "{page}");
}

/// An image from another site is fetched by each reader's browser from
/// that host, which so learns who reads which page of a health site (the
/// theme itself loads nothing from elsewhere): an error at its address. A
/// link to the same address is the reader's choice, and builds.
#[test]
fn an_image_from_another_site_is_an_error_never_a_request_from_readers() {
    for (line, column) in [
        ("![A chart](https://tracker.example/p.gif?page=x)", 12),
        ("![A chart](HTTP://tracker.example/p.gif)", 12),
        // at the image, as for a link through a reference definition
        ("![A chart][pixel]\n\n[pixel]: https://tracker.example/p.gif", 1),
    ] {
        let (report, _, at) = build_with_line(line);
        assert!(report.written.is_none(), "{line}");
        let d = report.diagnostics.iter().find(|d| d.code.as_str() == "unsafe-url");
        let d = d.unwrap_or_else(|| panic!("{line}: {:?}", report.diagnostics));
        assert!(d.message.contains("is on another site"), "{}", d.message);
        assert_eq!(d.span.as_ref().map(|s| (s.line, s.column)), Some((at, column)), "{line}");
    }
    let (report, page, _) = build_with_line("See [the chart](https://example.org/p.gif).");
    assert!(report.written.is_some(), "{:?}", report.diagnostics);
    assert!(!page.contains("<img src=\"https://"), "{page}");
}

/// A citation in a link's text would put its number's link inside the
/// link, which a browser takes apart (the superscript lost, the rest of
/// the text out of the link): it is an error at the citation, and the
/// same citation after the link builds.
#[test]
fn a_citation_inside_a_link_s_text_is_an_error_not_a_link_in_a_link() {
    let (report, _, line) = build_with_line("See [the trial [@doe2020] here](https://example.org/).");
    assert!(report.written.is_none());
    let d = report.diagnostics.iter().find(|d| d.code.as_str() == "malformed-citation").expect("an error");
    assert_eq!(d.message, "`[@doe2020]` is inside a link's text");
    assert_eq!(d.span.as_ref().map(|s| (s.line, s.column)), Some((line, 16)));
    let (report, page, _) = build_with_line("See [the trial here](https://example.org/) [@doe2020].");
    assert!(report.written.is_some(), "{:?}", report.diagnostics);
    assert!(page.contains("<a href=\"https://example.org/\">the trial here</a>.<sup class=\"citation\""), "{page}");
}

/// The minimal site built with `line` appended to its article as a
/// paragraph of its own: the report, the article's page (empty when the
/// build stopped), and the line number `line` is written on.
fn build_with_line(line: &str) -> (sourcebook::build::BuildReport, String, usize) {
    let dir = site("minimal");
    let file = dir.path().join("content/basics/first.md");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("{text}\n{line}\n")).unwrap();
    let report = build_at(dir.path());
    let page = std::fs::read_to_string(dir.path().join("public/basics/first/index.html")).unwrap_or_default();
    (report, page, text.lines().count() + 2)
}

/// Words after a comment on the comment's own line are not lost with it
/// (CommonMark makes the whole line an HTML block): they are shown as
/// plain text, with a warning at them that says to give the comment a
/// line of its own.
#[test]
fn the_words_after_a_comment_on_its_line_are_shown_not_lost() {
    let (report, page, line) = build_with_line("<!-- note for editors --> Call 988 if you are in crisis.");
    assert!(report.written.is_some(), "{:?}", report.diagnostics);
    let d = report.diagnostics.iter().find(|d| d.code.as_str() == "raw-html").expect("a warning");
    assert_eq!(d.message, "the text after this comment, on its line, is shown as plain text");
    assert_eq!(d.span.as_ref().map(|s| (s.line, s.column)), Some((line, 27)));
    assert!(page.contains("<p>Call 988 if you are in crisis.</p>"), "{page}");
    assert!(!page.contains("note for editors"));
}

/// `https:host` without its `//` is a path relative to an https page for a
/// browser (and another site from an http one): in an article, as in
/// site.yaml, it is an `unsafe-url` error at the address.
#[test]
fn an_http_address_without_its_slashes_is_refused_in_an_article() {
    let (report, _, line) = build_with_line("See [the trial](https:example.org/trial).");
    assert!(report.written.is_none());
    let d = report.diagnostics.iter().find(|d| d.code.as_str() == "unsafe-url").expect("an error");
    assert_eq!(
        d.message,
        "unsafe link `https:example.org/trial`: it is not a full address, so from pages at different depths it would lead to different places"
    );
    assert_eq!(d.span.as_ref().map(|s| (s.line, s.column)), Some((line, 17)));
}
