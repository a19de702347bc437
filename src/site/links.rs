//! Resolving what an author links to (`../safety/side-effects.md#bp`,
//! `figures/trial.png`) into relative URLs that work under any sub-path and
//! from disk, and confining every path to `content/`.

use std::collections::{HashMap, HashSet};

use crate::config::CareCards;
use crate::diagnostics::Suggestions;
use crate::markdown::{LinkError, ResolvedLink, Resolver, TermMatcher};
use crate::sources::Bibliography;

/// What the link table shares with the site, made once per plan: each
/// page's address by its file, and the glossary's matcher and its entries'
/// addresses. The site keeps it (`Site::links`), so `serve` re-renders one
/// saved article without making it again.
#[derive(Default)]
pub struct Links {
    /// `efficacy/ketamine-vs-ect.md` → `efficacy/ketamine-vs-ect/`.
    pub pages: HashMap<String, String>,
    /// Glossary terms to explain on first use, when the site has a glossary.
    pub terms: Option<TermMatcher>,
    /// Root-relative link to each term's entry on the glossary (its page
    /// and anchor: `glossary/index.html#g-bdnf`, `glossary/b/index.html#g-bdnf`).
    pub term_targets: Vec<String>,
}

impl std::fmt::Debug for Links {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Links").field("pages", &self.pages.len()).finish_non_exhaustive()
    }
}

/// What every page's resolver shares: built once per build.
pub struct LinkTable<'a> {
    pub links: &'a Links,
    pub assets: HashSet<&'a str>,
    /// The width and height of images among `assets`.
    pub image_sizes: &'a HashMap<String, (u32, u32)>,
    /// What care cards say (site.yaml's `care_cards:`).
    pub care_cards: &'a CareCards,
    pub bibliography: &'a Bibliography,
    /// Who may be named as an author (`content/people.yaml`).
    pub people: &'a crate::content::people::People,
    /// Markdown files that failed to load (`content::Content::failed`):
    /// a link to one follows from its own error and is not reported.
    pub failed: &'a HashSet<String>,
    /// Each page's file by its address (without the `/` at its end): made
    /// at the first broken link, for the help that names the file meant.
    pub by_address: std::sync::OnceLock<HashMap<String, String>>,
}

/// The resolver for one Markdown text: where it sits and where it is shown.
pub(crate) struct PageResolver<'a> {
    pub table: &'a LinkTable<'a>,
    /// Folder of the Markdown file, relative to `content/`.
    pub dir: &'a str,
    /// Output path of the page the HTML is shown on (`efficacy/x/`).
    pub page: &'a str,
    /// Output path of the page the Markdown is written for: `page`, but for
    /// an FAQ answer shown on the FAQ index, its article's. A link to a
    /// `#fragment` of its own page leads there.
    pub home: &'a str,
    /// Collect the plain text and prose (see [`Resolver::collect_text`]).
    pub text: bool,
    /// "Did you mean" help for the page's sources and links, within a budget.
    pub suggestions: Suggestions,
}

impl Resolver for PageResolver<'_> {
    fn collect_text(&self) -> bool {
        self.text
    }

    fn link(&self, dest: &str) -> Result<ResolvedLink, LinkError> {
        let (path, fragment) = match dest.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (dest, None),
        };
        if path.is_empty() {
            let fragment = fragment.unwrap_or_default().to_string();
            let anchor = Some((self.home.to_string(), fragment.clone()));
            // shown on another page (an FAQ answer on the FAQ index), `#x`
            // would name a place of that page
            let href = match self.home == self.page {
                true => format!("#{fragment}"),
                false => format!("{}{}index.html#{fragment}", root_prefix(self.page), self.home),
            };
            return Ok(ResolvedLink { href, anchor, size: None, asset: None });
        }
        let path = path.split('?').next().unwrap_or(path);
        // a destination is a URL: `dose%20chart.png` names `dose chart.png`
        // (decoded before it is confined, so `%2e%2e/` climbs like `../`)
        let path = percent_encoding::percent_decode_str(path).decode_utf8().unwrap_or(std::borrow::Cow::Borrowed(path));
        let joined =
            if let Some(abs) = path.strip_prefix('/') { abs.to_string() } else { format!("{}/{path}", self.dir) };
        let target =
            normalize(&joined).ok_or_else(|| LinkError::Unsafe(format!("`{dest}` points outside content/")))?;
        let with_fragment = |href: String| match fragment {
            Some(f) => format!("{href}#{f}"),
            None => href,
        };
        if let Some(page) =
            self.table.links.pages.get(&target).or_else(|| self.table.links.pages.get(&format!("{target}/_index.md")))
        {
            let href = with_fragment(format!("{}{}index.html", root_prefix(self.page), page));
            let anchor = fragment.map(|f| (page.clone(), f.to_string()));
            return Ok(ResolvedLink { href, anchor, size: None, asset: None });
        }
        if self.table.failed.contains(&target) || self.table.failed.contains(&format!("{target}/_index.md")) {
            // the page is not there because its file has an error of its
            // own, reported where it is; the build stops on it
            return Ok(ResolvedLink {
                href: with_fragment(format!("{}{target}", root_prefix(self.page))),
                anchor: None,
                size: None,
                asset: None,
            });
        }
        if self.table.assets.contains(target.as_str()) {
            // a file's name may hold what a URL reads as its end (`#`, `?`)
            // or as an escape (`%`): its address is its name encoded
            return Ok(ResolvedLink {
                href: with_fragment(format!("{}{}", root_prefix(self.page), crate::html::path_component(&target))),
                anchor: None,
                size: self.table.image_sizes.get(&target).copied(),
                asset: Some(target),
            });
        }
        let message = format!("`{dest}` points to content/{target}, which does not exist");
        let help = match self.meant(&target).map(|file| with_fragment(relative_link(self.dir, &file))) {
            Some(write) if write != dest => format!("did you mean `{write}`?"),
            // a file (an image, a PDF): it belongs in content/ (an HTML
            // page does not: content/ publishes none)
            _ if !target.ends_with(".md")
                && html_page(&target).is_none()
                && target.rsplit('/').next().is_some_and(|name| name.contains('.')) =>
            {
                format!("put the file at content/{target}, or correct its name")
            }
            _ => {
                // an example from this site, written from this page, and not
                // the link itself: the home page, found without going through
                // every page (a page may have thousands of broken links)
                let home = self.table.links.pages.contains_key(HOME).then(|| relative_link(self.dir, HOME));
                match home.filter(|e| e != dest) {
                    Some(e) => format!("link to a page by its Markdown file, relative to this one, e.g. `{e}`"),
                    None => "link to a page by its Markdown file, relative to this one".into(),
                }
            }
        };
        Err(LinkError::Broken(message, help))
    }

    fn has_source(&self, id: &str) -> bool {
        self.table.bibliography.contains(id)
    }

    fn suggest_source(&self, id: &str) -> Option<String> {
        self.suggestions.nearest(id, self.table.bibliography.sources.keys().map(String::as_str)).map(str::to_string)
    }

    fn source_failed(&self, id: &str) -> bool {
        self.table.bibliography.failed_to_load(id)
    }

    fn narrative(&self, id: &str) -> Option<String> {
        self.table.bibliography.get(id).map(|s| s.narrative.clone()).filter(|n| !n.is_empty())
    }

    fn care_cards(&self) -> CareCards {
        self.table.care_cards.clone()
    }

    fn terms(&self) -> Option<&TermMatcher> {
        self.table.links.terms.as_ref()
    }

    fn term_href(&self, index: usize) -> String {
        format!("{}{}", root_prefix(self.page), self.table.links.term_targets[index])
    }
}

impl PageResolver<'_> {
    /// The file of the site a link to the missing `target` (relative to
    /// `content/`) most likely meant: the article with `.md` added, the
    /// article whose address it is (`basics/first-article/`, as a reader's
    /// URL), or the nearest name among the pages (for `.md`) or the other
    /// files.
    fn meant(&self, target: &str) -> Option<String> {
        let pages = &self.table.links.pages;
        if pages.contains_key(&format!("{target}.md")) {
            return Some(format!("{target}.md"));
        }
        // `x.html` for the article `x.md` (its page is `x/index.html`)
        if let Some(file) = html_page(target).map(|stem| format!("{stem}.md")).filter(|f| pages.contains_key(f)) {
            return Some(file);
        }
        let address = target.strip_suffix("index.html").unwrap_or(target).trim_end_matches('/');
        let by_address = self.table.by_address.get_or_init(|| {
            pages.iter().map(|(file, page)| (page.trim_end_matches('/').to_string(), file.clone())).collect()
        });
        if let Some(file) = by_address.get(address) {
            return Some(file.clone());
        }
        let nearest = match target.ends_with(".md") {
            true => self.suggestions.nearest(target, pages.keys().map(String::as_str)),
            false => self.suggestions.nearest(target, self.table.assets.iter().copied()),
        };
        // never the page itself (`risks.md` from `dose.md` is no typo of
        // it), and only a name close to the one written: the folders both
        // share make any two short names of one folder look close
        let own = by_address.get(self.home.trim_end_matches('/'));
        nearest
            .filter(|file| Some(*file) != own.map(String::as_str) && crate::diagnostics::close_file_names(target, file))
            .map(str::to_string)
    }
}

/// The home page's Markdown file, relative to `content/`.
const HOME: &str = "index.md";

/// `target` without its `.html` or `.htm` (any case), if it names an HTML page.
fn html_page(target: &str) -> Option<&str> {
    let (stem, extension) = target.rsplit_once('.')?;
    (extension.eq_ignore_ascii_case("html") || extension.eq_ignore_ascii_case("htm")).then_some(stem)
}

/// How a page in folder `dir` (relative to `content/`) links to `file`:
/// `../efficacy/x.md` from `safety`.
fn relative_link(dir: &str, file: &str) -> String {
    let from: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    let to: Vec<&str> = file.split('/').collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts = vec![".."; from.len() - common];
    parts.extend(&to[common..]);
    parts.join("/")
}

/// `a/./b/../c` → `a/c`; `None` if it climbs above the root.
pub(crate) fn normalize(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p if p.contains('\\') || p.contains(':') => return None,
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// The relative way back to the site root from a page path (`a/b/` → `../../`).
pub(crate) fn root_prefix(page: &str) -> String {
    "../".repeat(page.matches('/').count())
}

#[cfg(test)]
mod tests {
    use super::*;

    static NONE_FAILED: std::sync::LazyLock<HashSet<String>> = std::sync::LazyLock::new(HashSet::new);
    static SIZES: std::sync::LazyLock<HashMap<String, (u32, u32)>> =
        std::sync::LazyLock::new(|| [("efficacy/figures/trial.png".to_string(), (640, 480))].into_iter().collect());
    static CARDS: std::sync::LazyLock<CareCards> = std::sync::LazyLock::new(CareCards::default);
    static PEOPLE: std::sync::LazyLock<crate::content::people::People> = std::sync::LazyLock::new(Default::default);

    static LINKS: std::sync::LazyLock<Links> = std::sync::LazyLock::new(|| Links {
        pages: [
            ("safety/side-effects.md", "safety/side-effects/"),
            ("safety/_index.md", "safety/"),
            ("index.md", ""),
            ("efficacy/ketamine.md", "efficacy/ketamine/"),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect(),
        ..Links::default()
    });

    fn table(bib: &Bibliography) -> LinkTable<'_> {
        LinkTable {
            links: &LINKS,
            image_sizes: &SIZES,
            care_cards: &CARDS,
            assets: ["efficacy/figures/trial.png", "efficacy/figures/dose chart.png", "efficacy/figures/a#b?%.pdf"]
                .into_iter()
                .collect(),
            bibliography: bib,
            people: &PEOPLE,
            failed: &NONE_FAILED,
            by_address: Default::default(),
        }
    }

    /// The resolver of a page of `efficacy/`.
    fn in_efficacy<'t>(t: &'t LinkTable<'t>) -> PageResolver<'t> {
        PageResolver {
            table: t,
            dir: "efficacy",
            page: "efficacy/ketamine/",
            home: "efficacy/ketamine/",
            text: true,
            suggestions: Suggestions::default(),
        }
    }

    #[test]
    fn links_to_articles_assets_and_anchors_become_relative() {
        let bib = Bibliography::default();
        let t = table(&bib);
        let r = in_efficacy(&t);
        let l = r.link("../safety/side-effects.md#blood-pressure").unwrap();
        assert_eq!(l.href, "../../safety/side-effects/index.html#blood-pressure");
        assert_eq!(l.anchor, Some(("safety/side-effects/".into(), "blood-pressure".into())));
        let image = r.link("figures/trial.png").unwrap();
        assert_eq!((image.href.as_str(), image.size), ("../../efficacy/figures/trial.png", Some((640, 480))));
        assert_eq!(r.link("../safety/").unwrap().href, "../../safety/index.html");
        assert_eq!(r.link("../index.md").unwrap().href, "../../index.html");
        let home =
            PageResolver { table: &t, dir: "", page: "", home: "", text: true, suggestions: Suggestions::default() };
        assert_eq!(home.link("safety/side-effects.md").unwrap().href, "safety/side-effects/index.html");
    }

    #[test]
    fn a_broken_link_suggests_what_to_write_from_where_it_is() {
        let bib = Bibliography::default();
        let t = table(&bib);
        let r = in_efficacy(&t);
        let said = |dest: &str| match r.link(dest) {
            Err(LinkError::Broken(_, help)) => help,
            other => panic!("{dest}: {other:?}"),
        };
        for dest in [
            "../safety/side-effects",
            "/safety/side-effects/",
            "../safety/side-efects.md",
            "/safety/side-effects/index.html",
        ] {
            assert_eq!(said(dest), "did you mean `../safety/side-effects.md`?", "{dest}");
        }
        assert_eq!(said("../safety/side-effects#bp"), "did you mean `../safety/side-effects.md#bp`?");
        assert_eq!(said("figures/trail.png"), "did you mean `figures/trial.png`?");
        // an HTML page is never a file to put in content/ (it would be refused)
        assert_eq!(said("../safety/side-effects.html"), "did you mean `../safety/side-effects.md`?");
        assert_eq!(said("../safety/side-effects.HTM"), "did you mean `../safety/side-effects.md`?");
        assert!(said("../nothing/like/it.html").starts_with("link to a page by its Markdown file"));
        assert!(!said("../nothing/like/it.md").contains("did you mean"));
        // a short name of the same folder is no typo of another, nor of the page itself
        for dest in ["risks.md", "ketamne.md", "abc.md", "../safety/risks.md", "../safety/sides.md"] {
            assert!(!said(dest).contains("did you mean"), "{dest}: {}", said(dest));
        }
        assert_eq!(said("../safety/sideeffects.md"), "did you mean `../safety/side-effects.md`?");
        assert_eq!(said("../safty/side-effects.md"), "did you mean `../safety/side-effects.md`?");
        assert_eq!(relative_link("", "safety/a.md"), "safety/a.md");
        assert_eq!(relative_link("safety", "safety/a.md"), "a.md");
        assert_eq!(relative_link("a/b", "c/d.md"), "../../c/d.md");
    }

    #[test]
    fn broken_and_escaping_links() {
        let bib = Bibliography::default();
        let t = table(&bib);
        let r = in_efficacy(&t);
        assert!(
            matches!(r.link("../safety/side-effect.md"), Err(LinkError::Broken(_, help)) if help.contains("did you mean"))
        );
        assert!(matches!(r.link("../../../etc/passwd"), Err(LinkError::Unsafe(_))));
        assert!(matches!(r.link("missing.png"), Err(LinkError::Broken(..))));
        // decoded before they are confined: `%2e%2e` is `..`, `%5c` a backslash
        assert!(matches!(r.link("%2e%2e/%2E%2E/etc/passwd"), Err(LinkError::Unsafe(_))));
        assert!(matches!(r.link("..%2f..%2fetc/passwd"), Err(LinkError::Unsafe(_))));
        assert!(matches!(r.link("figures%5c..%5c..%5csecret"), Err(LinkError::Unsafe(_))));
    }

    #[test]
    fn a_percent_encoded_destination_names_the_file_it_decodes_to() {
        let bib = Bibliography::default();
        let t = table(&bib);
        let r = in_efficacy(&t);
        for dest in ["figures/dose%20chart.png", "figures/dose chart.png", "/efficacy/figures/dose%20chart.png"] {
            let link = r.link(dest).unwrap_or_else(|e| panic!("{dest}: {e:?}"));
            assert_eq!(link.asset.as_deref(), Some("efficacy/figures/dose chart.png"), "{dest}");
        }
        assert_eq!(r.link("figures/dose%20chart.png").unwrap().href, "../../efficacy/figures/dose%20chart.png");
        assert_eq!(r.link("figures/dose%20chart.png#x").unwrap().href, "../../efficacy/figures/dose%20chart.png#x");
        assert_eq!(r.link("figures/a%23b%3F%25.pdf").unwrap().href, "../../efficacy/figures/a%23b%3F%25.pdf");
        assert_eq!(r.link("../safety/side%2Deffects.md#bp").unwrap().href, "../../safety/side-effects/index.html#bp");
        // not UTF-8 once decoded: taken as written, and reported as missing
        assert!(matches!(r.link("figures/%ff.png"), Err(LinkError::Broken(..))));
    }
}
