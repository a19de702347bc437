//! Rendering the pages of the site through the theme, in parallel, into an
//! [`Output`]: all of them for a build, a chosen few for `serve`'s
//! incremental rebuilds. Each page's context is small; `site` is one shared
//! value.

use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Value};

use super::context::*;
use super::{StaticFile, Theme, feeds, jsonld};
use crate::content::Article;
use crate::diagnostics::Diagnostic;
use crate::markdown::Citations;
use crate::output::Output;
use crate::site::links::root_prefix;
use crate::site::paths::site_replaces;
use crate::site::{FAQ_PATH, FaqIndex, Page, PageAnswers, Site};

/// What to render.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Part {
    /// One article, by index.
    Article(usize),
    Home,
    Topics,
    Faq,
    Sources,
    Glossary,
    /// The `/search/` page (when `site.yaml` has `search` on).
    Search,
    /// The trust pages `trust_pages` turns on.
    Trust,
    /// The tag index and a page per tag (when the site has tags).
    Tags,
    /// A redirect page at each old address of a page (`aliases:`).
    Aliases,
    NotFound,
    /// sitemap.xml, atom.xml, robots.txt.
    Feeds,
    /// The theme's static files.
    Statics,
    /// Files copied from content/.
    Assets,
}

/// Every part of the site.
pub(crate) fn all_parts(site: &Site) -> Vec<Part> {
    let mut parts: Vec<Part> = (0..site.articles.len()).map(Part::Article).collect();
    parts.push(Part::Faq);
    parts.extend(site_wide_parts());
    parts
}

/// Every part but the articles and the FAQ index (which a build writes
/// while the articles render), as a build writes them once the articles are
/// done (see `site::PageSink`). The source list, the longest, first.
pub(crate) fn site_wide_parts() -> Vec<Part> {
    vec![
        Part::Sources,
        Part::Home,
        Part::Topics,
        Part::Glossary,
        Part::Tags,
        Part::Aliases,
        Part::Search,
        Part::Trust,
        Part::NotFound,
        Part::Feeds,
        Part::Statics,
        Part::Assets,
    ]
}

/// What of the `site` context a saved article can change besides its own
/// summary (`serve` compares it at each save): the context as JSON with
/// each article's summary replaced by its number.
pub(crate) struct SiteSkeleton(String);

impl SiteSkeleton {
    pub(crate) fn new(site: &Site) -> SiteSkeleton {
        SiteSkeleton(serde_json::to_string(&super::context::site_context_with(site, |i| i)).unwrap_or_default())
    }

    /// Article `index` was `old` before the save (at the same address):
    /// whether the `site` context changed. That value is the skeleton with
    /// the summaries in place (every article is listed under its topic),
    /// so it changed when this article's summary did (no other can have)
    /// or the skeleton did (the most recently updated, a flag).
    pub(crate) fn update(&mut self, site: &Site, index: usize, old: &Article) -> bool {
        let page = &site.articles[index];
        let summary_changed = summary_of(old, &page.path) != article_summary(page);
        let skeleton = SiteSkeleton::new(site);
        let moved = skeleton.0 != self.0;
        *self = skeleton;
        summary_changed || moved
    }
}

/// The `site` value every page shares, serialized once.
pub(crate) fn shared_context(site: &Site) -> Shared {
    Shared(Value::from_serializable(&site_context(site)))
}

/// The `site` value every page's template gets, made once per build
/// ([`shared_context`]); opaque outside `theme` (Tera's types stay here).
#[derive(Clone)]
pub(crate) struct Shared(Value);

/// Write article `index` of `site`, rendered as `page` (which may not be in
/// `site` yet: see `site::PageSink`), with `shared` from [`shared_context`].
pub(crate) fn render_article(
    site: &Site,
    theme: &Theme,
    shared: &Shared,
    index: usize,
    page: &Page,
    out: &dyn Output,
) -> anyhow::Result<Option<Diagnostic>> {
    Renderer { site, theme, shared: shared.0.clone() }.article(page, Some(index), out)
}

/// Write page `page` of the FAQ index of `site`, `index` (which may not be
/// in `site` yet: see `site::PageSink`), showing `answers`, if the site has
/// an FAQ index.
pub(crate) fn render_faq_page(
    site: &Site,
    theme: &Theme,
    shared: &Shared,
    index: &FaqIndex,
    page: usize,
    answers: &PageAnswers,
    out: &dyn Output,
) -> anyhow::Result<Option<Diagnostic>> {
    if !has_faq_page(site) {
        return Ok(None);
    }
    Renderer { site, theme, shared: shared.0.clone() }.faq_page(index, page, answers, out)
}

/// Whether the site has an FAQ index page: some article asks a question, or
/// the `faq` topic has a landing.
fn has_faq_page(site: &Site) -> bool {
    site.has_faq() || site.topics.iter().any(|t| t.path == FAQ_PATH)
}

/// Write the given parts of the site, with `shared` from [`shared_context`].
pub(crate) fn render_parts(
    site: &Site,
    theme: &Theme,
    root: &Path,
    shared: &Shared,
    parts: &[Part],
    out: &dyn Output,
) -> anyhow::Result<Vec<Diagnostic>> {
    let renderer = Renderer { site, theme, shared: shared.0.clone() };
    let results: Vec<anyhow::Result<Vec<Diagnostic>>> =
        parts.par_iter().map(|part| renderer.part(*part, root, out)).collect();
    let mut diags = Vec::new();
    for r in results {
        diags.extend(r?);
    }
    Ok(diags)
}

impl Renderer<'_> {
    fn part(&self, part: Part, root: &Path, out: &dyn Output) -> anyhow::Result<Vec<Diagnostic>> {
        let site = self.site;
        let one = |r: anyhow::Result<Option<Diagnostic>>| r.map(|d| d.into_iter().collect::<Vec<_>>());
        match part {
            Part::Article(i) => one(self.article(&site.articles[i], Some(i), out)),
            Part::Home => match &site.home {
                Some(p) => one(self.article(p, None, out)),
                None => {
                    let page = PageContext {
                        kind: "home",
                        title: &site.config.title,
                        description: &site.config.description,
                        ..Default::default()
                    };
                    one(self.page("index.html", "", "index", page, out))
                }
            },
            Part::Topics => {
                let mut diags = Vec::new();
                for t in site.topics.iter().filter(|t| t.path != FAQ_PATH) {
                    diags.extend(self.topic(t, out)?);
                }
                Ok(diags)
            }
            Part::Faq if has_faq_page(site) => self.faq(&site.faq, out),
            Part::Sources => self.sources(out),
            Part::Glossary if !site.glossary.terms.is_empty() => self.glossary(out),
            Part::Search if site.config.search => {
                let page = PageContext {
                    kind: "search",
                    title: "Search",
                    description: "Search every article on this site.",
                    ..Default::default()
                };
                let path = crate::site::SEARCH_PATH;
                one(self.page(&format!("{path}index.html"), path, "search", page, out))
            }
            Part::Trust => {
                let mut diags = Vec::new();
                for page in crate::site::trust_pages(&site.config) {
                    diags.extend(self.trust(page, out)?);
                }
                Ok(diags)
            }
            Part::Tags => self.tags(out),
            Part::Aliases => self.redirects(out),
            Part::NotFound => {
                let page = PageContext { kind: "404", title: "Page not found", ..Default::default() };
                one(self.page("404.html", "404.html", "404", page, out))
            }
            Part::Feeds => {
                out.write("sitemap.xml", feeds::sitemap(site).as_bytes())?;
                out.write("atom.xml", feeds::atom(site).as_bytes())?;
                // the site's own robots.txt is copied instead (`Part::Assets`)
                if !site_replaces("robots.txt", &site.assets) {
                    out.write("robots.txt", feeds::robots(site).as_bytes())?;
                }
                Ok(Vec::new())
            }
            Part::Statics => {
                for (path, file) in &self.theme.statics {
                    // the site's own file of that name is copied instead (`Part::Assets`)
                    if site_replaces(path, &site.assets) {
                        continue;
                    }
                    match file {
                        StaticFile::Builtin(bytes) => out.write(path, bytes)?,
                        StaticFile::Disk(from) => out.copy(path, from)?,
                    }
                }
                Ok(Vec::new())
            }
            Part::Assets => {
                site.assets.par_iter().try_for_each(|a| out.copy(a, &root.join("content").join(a)))?;
                Ok(Vec::new())
            }
            Part::Faq | Part::Glossary | Part::Search => Ok(Vec::new()),
        }
    }
}

pub(super) struct Renderer<'a> {
    pub(super) site: &'a Site,
    theme: &'a Theme,
    shared: Value,
}

impl<'a> Renderer<'a> {
    pub(super) fn context(&self, path: &str) -> Context {
        let mut ctx = Context::new();
        ctx.insert_value("site", self.shared.clone());
        ctx.insert("root", &root_prefix(path));
        ctx
    }

    pub(super) fn permalink(&self, path: &str) -> String {
        format!("{}{path}", self.site.config.base_url)
    }

    /// `page` into `ctx`, with what every page has filled in (its feedback link).
    pub(super) fn insert_page(&self, ctx: &mut Context, page: &mut PageContext) {
        page.feedback_url = self.site.config.feedback_url_for(&page.permalink, page.title);
        ctx.insert("page", page);
    }

    /// Render `template` for a page whose output folder is `path`.
    pub(super) fn write(
        &self,
        template: &str,
        path: &str,
        file: &str,
        ctx: Context,
        out: &dyn Output,
    ) -> anyhow::Result<Option<Diagnostic>> {
        match self.theme.render(template, &ctx) {
            Ok(html) => {
                out.write(file, html.as_bytes())?;
                Ok(None)
            }
            Err(d) => Ok(Some(d.with_help(format!("{}{path}", crate::diagnostics::WHILE_RENDERING)))),
        }
    }

    fn page(
        &self,
        file: &str,
        path: &str,
        template: &str,
        mut page: PageContext,
        out: &dyn Output,
    ) -> anyhow::Result<Option<Diagnostic>> {
        let dir = if file.ends_with("/index.html") || file == "index.html" { path } else { "" };
        page.path = dir.to_string();
        page.permalink = self.permalink(path);
        let mut ctx = self.context(dir);
        self.insert_page(&mut ctx, &mut page);
        self.write(&format!("{template}.html"), path, file, ctx, out)
    }

    fn article(&self, p: &'a Page, index: Option<usize>, out: &dyn Output) -> anyhow::Result<Option<Diagnostic>> {
        let f = &p.article.front;
        let permalink = self.permalink(&p.path);
        let interval = self.site.config.review_interval_months;
        let site = self.site;
        let history = crate::site::review::history(p, site.record.of(&p.article.file));
        let now = crate::site::review::fingerprint_if_signed(p, &history, site);
        let statuses = crate::site::review::status(&history, now.as_ref(), f.last_changed(), interval);
        let mut changes: Vec<ChangeContext> =
            f.changes.iter().map(|c| ChangeContext { on: c.on.to_string(), summary: &c.summary }).collect();
        changes.sort_by(|a, b| b.on.cmp(&a.on));
        let mut page = PageContext {
            kind: if index.is_some() { "article" } else { "home" },
            title: &f.title,
            description: &f.description,
            path: p.path.clone(),
            permalink: permalink.clone(),
            date: Some(f.date.to_string()),
            updated: f.updated.map(|d| d.to_string()),
            reviewed: f.reviewed.as_ref().map(|r| ReviewContext {
                by: &r.by,
                on: r.on.to_string(),
                next: next_review(r, interval),
            }),
            reviews: Some(reviews_context(site, &statuses)),
            changes,
            authors: f.authors.iter().map(|id| person(site, id)).collect(),
            key_points: &f.key_points,
            tags: self.tag_links(&f.tags),
            audience: Some(f.audience),
            content: (&p.body.html).into(),
            toc: p.body.headings.iter().filter(|h| h.level == 2 || h.level == 3).collect(),
            references: self.references(&p.citations),
            faq: p
                .faq
                .iter()
                .map(|e| FaqContext {
                    question: &e.question,
                    anchor: &e.anchor,
                    answer: (&e.answer.html).into(),
                    article: None,
                    href: None,
                })
                .collect(),
            json_ld: jsonld::article(self.site, p, &permalink, &statuses),
            ..Default::default()
        };
        if let Some(i) = index {
            let topic = self.site.topics.iter().find(|t| t.topic.name == p.article.topic);
            if let Some(t) = topic {
                let pos = t.articles.iter().position(|&a| a == i);
                page.previous =
                    pos.and_then(|k| k.checked_sub(1)).map(|k| article_summary(&self.site.articles[t.articles[k]]));
                page.next = pos.and_then(|k| t.articles.get(k + 1)).map(|&a| article_summary(&self.site.articles[a]));
                page.topic = Some(topic_summary(self.site, t, false));
            }
        }
        let template = if index.is_some() { "article.html" } else { "index.html" };
        let file = format!("{}index.html", p.path);
        let mut ctx = self.context(&p.path);
        self.insert_page(&mut ctx, &mut page);
        self.write(template, &p.path, &file, ctx, out)
    }

    pub(super) fn references(&self, citations: &'a Citations) -> Vec<Reference<'a>> {
        citations
            .order
            .iter()
            .enumerate()
            .filter_map(|(i, id)| {
                let source = self.site.bibliography.get(id)?;
                let backlinks = citations.backlinks[i].iter().map(|g| format!("#{g}")).collect();
                let href = self.site.source_list.href(id);
                Some(reference(source, (i + 1, citations.reference_id(i + 1)), backlinks, href))
            })
            .collect()
    }

    fn trust(&self, trust: &crate::site::TrustPage, out: &dyn Output) -> anyhow::Result<Option<Diagnostic>> {
        let path = trust.path;
        let mut page = PageContext {
            kind: trust.kind,
            title: trust.title,
            path: path.into(),
            permalink: self.permalink(path),
            ..Default::default()
        };
        let mut ctx = self.context(path);
        ctx.insert("trust", &trust_context(self.site));
        self.insert_page(&mut ctx, &mut page);
        self.write(&format!("{}.html", trust.kind), path, &format!("{path}index.html"), ctx, out)
    }
}

/// `context` as a template value, with `key` set to `value` (a value made
/// once and shared, or made in parallel).
pub(super) fn with_field(context: &impl Serialize, key: &'static str, value: Value) -> Value {
    let mut map = Value::from_serializable(context).into_map().unwrap_or_default();
    map.insert(key.into(), value);
    Value::from(map)
}

/// `next`, or `on` plus the site's review interval.
fn next_review(r: &crate::content::Review, months: u32) -> String {
    r.next
        .or_else(|| r.on.checked_add(jiff::Span::new().months(i64::from(months))).ok())
        .map(|d| d.to_string())
        .unwrap_or_default()
}
