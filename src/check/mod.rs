//! `sourcebook check`: the whole pipeline without writing (pages are
//! rendered into memory, so template errors and missing crisis information
//! are found), then the medical editor's checks.
//!
//! Differences from `build`: `citation-artifact`, `image-alt-missing` and
//! `unknown-person` are errors (warnings there); the `check:`
//! block of site.yaml may raise, lower or turn off any severity; the
//! sources are judged against `content/sources.lock.yaml`, and with
//! `--sources` the registries are asked and the lock rewritten (the one
//! file `check` writes).

/// Codes `build` reports as warnings that are errors here: a chatbot's
/// citation marker, an image without alt text, an author people.yaml
/// does not name (left out of the byline).
const BUILD_WARNS: [Code; 3] = [Code::CitationArtifact, Code::ImageAltMissing, Code::UnknownPerson];

mod editorial;
mod external;
pub mod governance;
pub mod readability;
mod sources;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use jiff::civil::Date;

use crate::build::{self, BuildOptions, Timings};
use crate::config::Level;
use crate::diagnostics::{Code, Diagnostic, Diagnostics, Severity};
use crate::output::{Output, confine};
use crate::site::{Page, Site};
pub use crate::sources::registry::Registries;
pub use editorial::ArticleReport;
use editorial::Editor;
pub use external::DEFAULT_BUDGET as DEFAULT_EXTERNAL_BUDGET;

#[derive(Debug, Clone)]
pub struct CheckOptions {
    pub root: PathBuf,
    pub drafts: bool,
    /// Probe http(s) links too, all within this time budget
    /// ([`DEFAULT_EXTERNAL_BUDGET`] unless the user says otherwise).
    pub external: Option<Duration>,
    /// The date reviews (and the source lock) are measured against.
    pub today: Date,
    /// Ask these registries about every DOI and PMID and rewrite the
    /// source lock (`check --sources`); without them the lock is only read.
    pub sources: Option<Registries>,
}

#[derive(Debug)]
pub struct CheckReport {
    pub diagnostics: Diagnostics,
    pub articles: Vec<ArticleReport>,
    /// How long each step took, for `--verbose`.
    pub timings: Timings,
    /// The site as it was checked: freed when the report is dropped.
    pub site: crate::Leftover,
    /// `check --sources` wrote a new `content/sources.lock.yaml`.
    pub lock_written: bool,
}

impl CheckReport {
    /// The review dashboard: every article's line, most urgent first
    /// (edited since a review, overdue, a required review missing,
    /// unsigned, current), then by next due date and file.
    pub fn review_dashboard(&self) -> Vec<&governance::ReviewLine> {
        let mut lines: Vec<&governance::ReviewLine> = self.articles.iter().map(|a| &a.review).collect();
        lines.sort_by(|a, b| {
            (a.urgency(), a.next_due.is_none(), a.next_due, &a.file).cmp(&(
                b.urgency(),
                b.next_due.is_none(),
                b.next_due,
                &b.file,
            ))
        });
        lines
    }
}

pub fn check(options: &CheckOptions) -> anyhow::Result<CheckReport> {
    let build_options =
        BuildOptions { root: options.root.clone(), drafts: options.drafts, text: true, ..BuildOptions::default() };
    let mut diags = Diagnostics::new();
    let mut timings = Timings::default();
    // pages are rendered only to be looked at once: for crisis links
    // (a site.yaml that does not load is reported by `load`, which then stops)
    let hrefs = crate::config::Config::load(&options.root).map(|c| editorial::crisis_hrefs(&c)).unwrap_or_default();
    let probe = CrisisProbe::new(hrefs);
    let inspector = Inspector { probe: &probe, today: options.today, editor: OnceLock::new(), found: Mutex::default() };
    // every page rendered and looked at, even when loading found errors
    // (template problems and the editor's findings are wanted all the same)
    let emit = build::Emit {
        out: &probe,
        inspect: Some(&inspector),
        search: None,
        keep: false,
        count_later: false,
        despite_errors: true,
    };
    let Some(loaded) = build::load_and_emit(&build_options, &mut diags, &mut timings, emit)? else {
        return Ok(CheckReport {
            diagnostics: diags.sorted(),
            articles: Vec::new(),
            timings,
            site: crate::Leftover::none(),
            lock_written: false,
        });
    };
    let mut at = timings.start();
    let site = &loaded.site;
    let (found, articles) = editorial_findings(&loaded, &probe, inspector, options.today);
    diags.extend(found);
    timings.record("check the rest", at);
    diags.extend(transparency(&site.config));
    diags.extend(unlinked_files(site));
    diags.extend(orphaned_reviews(&options.root, &site.record));
    diags.extend(audit_in_the_future(&site.config, options.today));
    let (found, lock_written) =
        sources::check(&options.root, &site.bibliography, &site.config, options.today, options.sources.as_ref())?;
    diags.extend(found);
    if let Some(budget) = options.external {
        let links: Vec<_> =
            site.home.iter().chain(&site.articles).flat_map(|p| p.texts().flat_map(|t| &t.external)).cloned().collect();
        diags.extend(external::check(&links, budget));
    }
    let severities = &site.config.check.severity;
    // tens of thousands of findings, most shared with the site (repeated
    // questions): only one whose severity changes is copied
    let adjusted = diags.into_shared().into_iter().filter_map(|mut d| {
        let severity = match severities.get(d.code.as_str()) {
            Some(Level::Off) => return None,
            Some(Level::Error) => Severity::Error,
            Some(Level::Warning) => Severity::Warning,
            // warnings in `build` and `serve`, which publish the page anyway
            None if BUILD_WARNS.contains(&d.code) => Severity::Error,
            None => d.severity,
        };
        if d.severity != severity {
            Arc::make_mut(&mut d).severity = severity;
        }
        Some(d)
    });
    let mut diagnostics = Diagnostics::new();
    diagnostics.extend_shared(adjusted);
    at = timings.start();
    let diagnostics = diagnostics.sorted();
    timings.record("sort diagnostics", at);
    Ok(CheckReport { diagnostics, articles, timings, site: crate::Leftover::new(loaded), lock_written })
}

/// A file in a topic's folder that no page links to or shows: published
/// all the same (every file under `content/` is), which an author who left
/// notes or a draft there did not mean. Files at the top of `content/`
/// (`favicon.svg`, a host's `CNAME`) are the site's own, for
/// no page to link.
fn unlinked_files(site: &Site) -> Vec<Diagnostic> {
    let texts = site.home.iter().chain(&site.articles).flat_map(Page::texts).chain(site.topics.iter().map(|t| &t.body));
    let used: std::collections::HashSet<&str> =
        texts.flat_map(|t| t.images.iter().chain(&t.files)).map(String::as_str).collect();
    site.assets
        .iter()
        .filter(|asset| asset.contains('/') && !used.contains(asset.as_str()))
        .map(|asset| {
            Diagnostic::warning(
                Code::UnlinkedFile,
                format!("content/{asset} is published at /{asset}, but no page links to it or shows it"),
            )
            .in_file(format!("content/{asset}"))
            .with_help("link it from the page it belongs to, or move it out of content/ if it is not for readers")
        })
        .collect()
}

/// The accessibility statement's last audit dated in the future: the page
/// would state an audit that has not happened.
fn audit_in_the_future(config: &crate::config::Config, today: Date) -> Option<Diagnostic> {
    let accessibility = config.trust_pages.accessibility.as_ref()?;
    let audit = accessibility.last_audit;
    if audit <= today {
        return None;
    }
    let d = Diagnostic::error(Code::InvalidValue, format!("the last accessibility audit, {audit}, is in the future"))
        .with_help(format!("give the day the site was last audited (today is {today})"));
    Some(match &accessibility.last_audit_at {
        Some(at) => d.with_span(at.clone()),
        None => d.in_file(crate::config::FILE),
    })
}

/// Reviews recorded for a file that is not in `content/` any more: a page
/// renamed, moved or deleted leaves its reviews behind (the page under its
/// new name has none), and nothing else would say so. Looked up on disk, so
/// a draft's reviews, kept while it is not built, are not reported.
fn orphaned_reviews(root: &std::path::Path, record: &crate::content::record::Record) -> Vec<Diagnostic> {
    record
        .keys
        .iter()
        .filter(|(page, _)| !root.join("content").join(page).is_file())
        .map(|(page, span)| {
            Diagnostic::warning(
                Code::ReviewOrphaned,
                format!("reviews of `content/{page}`, which is not a page of the site"),
            )
            .with_span(span.clone())
            .with_help(
                "a renamed page does not keep its reviews: if this page was renamed and the review still holds, sign it again under its new name; then remove this entry",
            )
        })
        .collect()
}

/// A site says who pays for it and declares its conflicts of interest
/// (PIF TICK's transparency criterion).
fn transparency(config: &crate::config::Config) -> Vec<Diagnostic> {
    let missing = [
        (
            config.funding.is_none(),
            "funding",
            "who pays for the site (or that nobody does), e.g. `funding: \"Run by volunteers; no advertising.\"`",
        ),
        (config.conflicts.is_none(), "conflicts", "the maintainers' conflicts of interest, or that they declare none"),
    ];
    missing
        .into_iter()
        .filter(|(absent, ..)| *absent)
        .map(|(_, key, what)| {
            Diagnostic::warning(
                Code::TransparencyMissing,
                format!(
                    "site.yaml has no `{key}:`: readers cannot tell {}",
                    if key == "funding" {
                        "who pays for the site"
                    } else {
                        "whether its makers have conflicts of interest"
                    }
                ),
            )
            .in_file(crate::config::FILE)
            .with_help(format!("state {what}; `trust_pages: {{ funding: true }}` shows it on a page"))
        })
        .collect()
}

/// The editorial findings and report lines of every page: those the
/// inspector made as articles were rendered, and the rest.
fn editorial_findings(
    loaded: &build::Loaded,
    probe: &CrisisProbe,
    inspector: Inspector,
    today: Date,
) -> (Vec<Diagnostic>, Vec<ArticleReport>) {
    let site = &loaded.site;
    let shows_crisis = |page: &Page| probe.shows_crisis(&format!("{}index.html", page.path));
    let editor = inspector.editor.into_inner().unwrap_or_else(|| Editor::new(site, today));
    let mut checked = inspector.found.into_inner().unwrap_or_else(|e| e.into_inner());
    checked.sort_by_key(|(i, _)| *i);
    let home = site.home.iter().map(|p| editor.page(site, p, shows_crisis(p)));
    let (mut diags, mut articles) = (Vec::new(), Vec::new());
    for (found, report) in home.chain(checked.into_iter().map(|(_, c)| c)) {
        diags.extend(found);
        articles.extend(report);
    }
    diags.extend(editor.topics(site, &|path| probe.shows_crisis(path)));
    (diags, articles)
}

/// Where `check` renders pages: it keeps, of each HTML page, only whether it
/// links to one of the site's crisis lines (so memory does not grow with the
/// site's size).
struct CrisisProbe {
    /// `href="…"` of each crisis line, as the theme writes it: a few, each
    /// found with a SIMD substring search (the FAQ index of a large site has
    /// megabytes of JSON-LD before its crisis box).
    hrefs: Vec<memchr::memmem::Finder<'static>>,
    pages: Mutex<HashMap<String, bool>>,
}

impl CrisisProbe {
    fn new(hrefs: Vec<String>) -> CrisisProbe {
        let hrefs = hrefs.iter().map(|h| memchr::memmem::Finder::new(h.as_bytes()).into_owned()).collect();
        CrisisProbe { hrefs, pages: Default::default() }
    }

    /// Whether the page at output `path` shows a crisis link; `None` if no
    /// such page was rendered.
    fn shows_crisis(&self, path: &str) -> Option<bool> {
        crate::lock(&self.pages).get(path).copied()
    }
}

impl Output for CrisisProbe {
    fn write(&self, path: &str, bytes: &[u8]) -> anyhow::Result<()> {
        let rel = confine(path).ok_or_else(|| anyhow::anyhow!("refusing to write `{path}`"))?;
        if path.ends_with(".html") {
            let shown = self.hrefs.iter().any(|href| href.find(bytes).is_some());
            let key = rel.to_string_lossy().replace('\\', "/");
            crate::lock(&self.pages).insert(key, shown);
        }
        Ok(())
    }

    fn copy(&self, path: &str, _from: &std::path::Path) -> anyhow::Result<()> {
        confine(path).map(|_| ()).ok_or_else(|| anyhow::anyhow!("refusing to copy to `{path}`"))
    }
}

/// What the editorial checks found on a page, and its report line.
type Checked = (Vec<Diagnostic>, Option<ArticleReport>);

/// Runs the editorial checks on each article as `build` renders it.
struct Inspector<'a> {
    probe: &'a CrisisProbe,
    today: Date,
    /// Made from the site the first time an article arrives.
    editor: OnceLock<Editor>,
    /// By article index.
    found: Mutex<Vec<(usize, Checked)>>,
}

impl build::Inspect for Inspector<'_> {
    fn page(&self, site: &Site, index: usize, page: &Page) {
        let editor = self.editor.get_or_init(|| Editor::new(site, self.today));
        let checked = editor.page(site, page, self.probe.shows_crisis(&format!("{}index.html", page.path)));
        crate::lock(&self.found).push((index, checked));
    }
}
