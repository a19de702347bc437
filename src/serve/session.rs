//! The site as `serve` keeps it: built in memory by the same pipeline as
//! `build` (`build::load_and_emit`, pages kept), updated by the smallest
//! rebuild a change allows, and kept at the last good version when a change
//! has errors. Correctness first: after any sequence of changes the files
//! equal what `build` would write from the same sources (tested against the
//! real build).
//!
//! | change | action |
//! | --- | --- |
//! | one article, when the site's plan stays (still published, same URL, same place in the order, same sources, tags and aliases of its own) | re-render that article; redo the cross-checks; compare derived values: the shared `site` context every page gets (changed: every page re-rendered from the kept Markdown), and the facts the site-wide pages fold (FAQ entries, who cites which source, glossary use: each page whose facts changed is re-rendered); feeds re-made |
//! | an existing content asset (not an SVG, which the walk reads whole and checks; not an image whose size changed, nor one a page with a signed review shows, whose fingerprint covers it) | copy it |
//! | anything else (a template, a theme file, site.yaml, sources, glossary, new, renamed or deleted files, folders made or moved in or out) | the whole site again, as `build` makes it |
//!
//! Copied files (content assets, a theme's own static files) are served
//! from their source files ([`Served::Copied`]), not held in memory. With
//! search on, the session keeps the search `Indexer`: a full rebuild
//! indexes every page, an article's edit counts that article again, and
//! [`Session::update_index`] writes the index files again (a step of its
//! own, so the edited page can be shown first).
//!
//! A rebuild that fails as a program (an I/O error, or a panic: a bug)
//! keeps the last good files too, and is reported where diagnostics are
//! ([`Session::errors_text`]); what it may have half-updated is dropped, so
//! the next change rebuilds in full.

use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use super::files::{Files, Served};

use super::files::Collect;
use crate::build::{self, BuildOptions, Loaded};
use crate::content::{self, Article};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::search::Indexer;
use crate::theme::{self, Part};

/// A good state of the site.
struct State {
    loaded: Loaded,
    /// What of the shared `site` template context a save may change besides
    /// the article's own summary, to see whether it changed.
    skeleton: theme::SiteSkeleton,
    shared: theme::Shared,
    /// Every page's words, when the site has search on.
    search: Option<Indexer>,
    /// The articles' text is kept, not counted for search yet (after a
    /// full rebuild, until the index is written: see [`Session::full`]).
    uncounted: bool,
}

/// What a rebuild did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Full,
    Article(String),
    Theme,
    Statics,
    Assets,
    Nothing,
    /// The rebuild failed as a program: see [`Session::errors_text`].
    Failed,
}

/// What a rebuild redid, as the terminal says it.
impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Action::Full => f.write_str("the whole site"),
            Action::Article(file) => write!(f, "content/{file}"),
            Action::Theme => f.write_str("the theme's pages"),
            Action::Statics => f.write_str("the theme's files"),
            Action::Assets => f.write_str("content's files"),
            Action::Nothing => f.write_str("nothing"),
            Action::Failed => f.write_str("failed"),
        }
    }
}

/// `serve`'s view of the site.
pub struct Session {
    root: Arc<Path>,
    /// The root resolved (absolute, links followed), as a watcher reports
    /// paths under it whatever form the root was given in.
    resolved: PathBuf,
    drafts: bool,
    state: Option<State>,
    files: Arc<Files>,
    /// The served search index is older than the pages: an article was
    /// counted again since it was written ([`Session::update_index`]).
    index_behind: bool,
    /// Diagnostics of the latest attempt; errors mean the files are the last good ones.
    pub diagnostics: Diagnostics,
    /// Why the latest attempt failed as a program (an I/O error, a panic),
    /// if it did; the files are then the last good ones.
    failure: Option<String>,
}

impl Session {
    /// Build the site in memory for the first time, search index included.
    pub fn new(root: &Path, drafts: bool) -> anyhow::Result<Session> {
        let mut session = Session::start(root, drafts)?;
        session.update_index();
        Ok(session)
    }

    /// Build the site's pages in memory for the first time; the search index
    /// is behind them ([`Session::index_behind`]) until
    /// [`Session::update_index`]: `serve` serves the first page sooner.
    pub fn start(root: &Path, drafts: bool) -> anyhow::Result<Session> {
        let mut session = Session {
            root: Arc::from(root),
            resolved: std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf()),
            drafts,
            state: None,
            files: Arc::new(Files::new()),
            index_behind: false,
            diagnostics: Diagnostics::new(),
            failure: None,
        };
        session.full()?;
        Ok(session)
    }

    /// The current (last good) files.
    pub fn files(&self) -> Arc<Files> {
        Arc::clone(&self.files)
    }

    /// The site's folder, as given.
    pub fn root(&self) -> Arc<Path> {
        Arc::clone(&self.root)
    }

    /// Whether the served search index is older than the pages (until
    /// [`Session::update_index`]).
    pub fn index_behind(&self) -> bool {
        self.index_behind
    }

    pub fn has_errors(&self) -> bool {
        self.failure.is_some() || self.diagnostics.has_errors()
    }

    /// What keeps the latest changes from being served, as the terminal and
    /// the browser overlay show it: the failure, or the errors among the
    /// diagnostics (not the warnings). `None` when the site is up to date.
    pub fn errors_text(&self, color: bool) -> Option<String> {
        match &self.failure {
            Some(failure) => Some(format!("error: {failure}\n")),
            None => self.diagnostics.has_errors().then(|| self.diagnostics.errors().render_text(color)),
        }
    }

    /// Bring the site, search index included, up to date after `changed`
    /// paths (absolute or relative to the root) changed on disk: see
    /// [`Session::update_pages`] and [`Session::update_index`].
    pub fn update(&mut self, changed: &[PathBuf], rescan: bool) -> Action {
        let action = self.update_pages(changed, rescan);
        self.update_index();
        action
    }

    /// Bring the site up to date after `changed` paths (absolute or relative
    /// to the root) changed on disk, but for the search index after an
    /// article's edit ([`Session::index_behind`]). `rescan` forces a full
    /// rebuild. Never fails and never unwinds: a rebuild that returns an
    /// error or panics is [`Action::Failed`], with the last good files
    /// kept, the reason in [`Session::errors_text`], and the next update a
    /// full rebuild.
    pub fn update_pages(&mut self, changed: &[PathBuf], rescan: bool) -> Action {
        self.guarded(|s| s.rebuild(changed, rescan)).unwrap_or(Action::Failed)
    }

    /// Write the search index again if it is behind the pages; whether the
    /// files changed. Fails as [`Session::update_pages`] does.
    pub fn update_index(&mut self) -> bool {
        if !std::mem::take(&mut self.index_behind) {
            return false;
        }
        self.guarded(Session::write_index).is_some()
    }

    /// Run a rebuild step; `None` when it returned an error or panicked
    /// (then the last good files are kept, and the next update is a full
    /// rebuild).
    fn guarded<T>(&mut self, step: impl FnOnce(&mut Session) -> anyhow::Result<T>) -> Option<T> {
        let why = match std::panic::catch_unwind(AssertUnwindSafe(|| step(self))) {
            Ok(Ok(done)) => {
                self.failure = None;
                return Some(done);
            }
            Ok(Err(e)) => format!("the rebuild failed: {e:#}"),
            Err(panic) => {
                format!("the rebuild crashed (a bug in sourcebook; please report it): {}", panic_message(&*panic))
            }
        };
        // whatever it had half-updated goes; the files are the last good ones
        self.state = None;
        self.diagnostics = Diagnostics::new();
        self.failure = Some(format!("{why}\nthe last good site is still served; the next save rebuilds it in full"));
        None
    }

    /// The search index, written again from what the indexer holds.
    fn write_index(&mut self) -> anyhow::Result<()> {
        let Some(state) = self.state.as_mut() else { return Ok(()) };
        let Some(search) = state.search.as_ref() else { return Ok(()) };
        panic_if_a_test_asked();
        if std::mem::take(&mut state.uncounted) {
            // counted as `build` counts them: the articles (page numbers
            // are in site order, whatever order they are counted in), the landings
            let site = &mut state.loaded.site;
            search.add_site(site);
            search.add_landings(site);
            site.articles.iter_mut().for_each(drop_text);
        }
        let memory = Collect::within(&self.root);
        search.write(&memory)?;
        // the index is written whole: files the new one no longer has go
        // (a word length no word has any more, fewer pages)
        let index = format!("{}/", crate::search::BUNDLE);
        // the published version keeps the files it has (see `merge`)
        let files = Arc::make_mut(&mut self.files);
        files.remove_under(&index);
        files.extend(memory.into_files());
        Ok(())
    }

    fn rebuild(&mut self, changed: &[PathBuf], rescan: bool) -> anyhow::Result<Action> {
        // a file beside site.yaml (a log, a note) is no input, even to a
        // site that failed: rebuilding for it would print to that log
        let input = rescan || changed.iter().any(|path| self.input(path).is_some());
        let plan = match () {
            _ if !input => Plan::Nothing,
            _ if rescan || self.state.is_none() || self.has_errors() => Plan::Full,
            _ => self.plan(changed),
        };
        match plan {
            Plan::Nothing => return Ok(Action::Nothing),
            // a template or a stylesheet (whose new content is a new
            // fingerprinted name in every page): every page, the one way
            Plan::Full | Plan::Theme | Plan::Statics => self.full()?,
            Plan::Assets => self.parts(&[Part::Assets])?,
            Plan::Article(i, rel) => {
                if !self.article(i, &rel)? {
                    self.full()?;
                    return Ok(Action::Full);
                }
                return Ok(Action::Article(rel));
            }
        }
        Ok(match plan {
            Plan::Full => Action::Full,
            Plan::Theme => Action::Theme,
            Plan::Statics => Action::Statics,
            Plan::Assets => Action::Assets,
            Plan::Nothing | Plan::Article(..) => Action::Nothing,
        })
    }

    /// Load and render the whole site, the way `build` does, keeping the
    /// pages in memory.
    fn full(&mut self) -> anyhow::Result<()> {
        panic_if_a_test_asked();
        // as `build`: with search on, the pages' plain text is collected
        // for it; counted once the pages are out (`write_index`), then dropped
        let options = BuildOptions { root: self.root.to_path_buf(), drafts: self.drafts, ..BuildOptions::default() };
        let mut diags = Diagnostics::new();
        let memory = Collect::within(&self.root);
        let indexer = Indexer::default();
        let emit = build::Emit {
            out: &memory,
            inspect: None,
            search: Some(&indexer),
            keep: true,
            count_later: true,
            despite_errors: false,
        };
        let loaded = build::load_and_emit(&options, &mut diags, &mut build::Timings::default(), emit)?;
        let Some((loaded, shared)) =
            loaded.filter(|_| !diags.has_errors()).and_then(|mut l| l.emitted.take().map(|shared| (l, shared)))
        else {
            self.diagnostics = diags.sorted();
            return Ok(());
        };
        let search = loaded.site.config.search.then_some(indexer);
        let uncounted = search.is_some();
        self.files = Arc::new(memory.into_files().collect());
        // the pages first, as after an article's edit: the index is counted
        // and written by `update_index` (at the start, the first page is
        // served sooner)
        self.index_behind = uncounted;
        let skeleton = theme::SiteSkeleton::new(&loaded.site);
        self.state = Some(State { loaded, skeleton, shared, search, uncounted });
        self.diagnostics = diags.sorted();
        Ok(())
    }

    /// Re-render or re-copy some parts into the current files.
    fn parts(&mut self, parts: &[Part]) -> anyhow::Result<()> {
        let Some(state) = &self.state else { return self.full() };
        let memory = Collect::within(&self.root);
        let found =
            theme::render_parts(&state.loaded.site, &state.loaded.theme, &self.root, &state.shared, parts, &memory)?;
        if found.iter().any(Diagnostic::is_error) {
            let mut diags = Diagnostics::new();
            diags.extend(found);
            self.diagnostics = diags.sorted();
            return Ok(());
        }
        self.merge(memory);
        Ok(())
    }

    /// One article's text changed. Returns `false` when the change is not
    /// one this path can take (the caller then rebuilds in full).
    fn article(&mut self, index: usize, rel: &str) -> anyhow::Result<bool> {
        let Some(state) = &mut self.state else { return Ok(false) };
        let (loaded, found) = content::load_file(&self.root, rel);
        let Some(content::Loaded::Article(article)) = loaded else { return Ok(false) };
        if found.iter().any(Diagnostic::is_error) || !keeps_plan(&state.loaded.site, index, &article, self.drafts) {
            return Ok(false);
        }
        let site = &mut state.loaded.site;
        let old = site.articles[index].article.clone();
        let replaced = site.replace_article(index, article);
        let faq_changed = replaced.faq;
        panic_if_a_test_asked(); // here the parsed site is half-updated
        let cross = site.finish(faq_changed);
        let file = old.file.clone();
        let mut diags = Diagnostics::new();
        diags.extend(state.loaded.loading.iter().filter(|d| d.file.as_deref() != Some(&file)).cloned());
        diags.extend(found.iter().cloned());
        diags.extend_shared(cross);
        // what every page shows of the others (titles, summaries, order):
        // compared as the value the templates get, not field by field
        let shared_changed = state.skeleton.update(site, index, &old);
        let parts = if shared_changed {
            theme::all_parts(site).into_iter().filter(|p| !matches!(p, Part::Statics | Part::Assets)).collect()
        } else {
            // the page itself and the site-wide pages whose facts changed
            let mut parts = vec![Part::Article(index)];
            if faq_changed {
                parts.push(Part::Faq);
            }
            // the source list shows each citing question and its anchor
            let sources = replaced.cited_in || faq_changed;
            if sources {
                parts.push(Part::Sources);
            }
            if replaced.term_use {
                parts.push(Part::Glossary);
            }
            // the feeds: the article's entry, and the sitemap's list of
            // the FAQ index's, source list's and glossary's pages
            if theme::feed_facts(&old) != theme::feed_facts(&site.articles[index].article)
                || sources
                || replaced.term_use
            {
                parts.push(Part::Feeds);
            }
            parts
        };
        let shared = if shared_changed { theme::shared_context(site) } else { state.shared.clone() };
        let memory = Collect::within(&self.root);
        diags.extend(theme::render_parts(site, &state.loaded.theme, &self.root, &shared, &parts, &memory)?);
        if diags.has_errors() {
            // keep the last good site: put the old article back
            site.replace_article(index, old);
            if !state.uncounted {
                drop_text(&mut site.articles[index]);
            }
            site.finish(faq_changed);
            state.skeleton = theme::SiteSkeleton::new(site);
            self.diagnostics = diags.sorted();
            return Ok(true);
        }
        match &state.search {
            // the site was just built: counted with the rest, text kept till then
            Some(_) if state.uncounted => {}
            Some(search) => {
                search.add_article(index, &site.articles[index]);
                drop_text(&mut site.articles[index]);
                self.index_behind = true;
            }
            None => drop_text(&mut site.articles[index]),
        }
        state.loaded.loading.retain(|d| d.file.as_deref() != Some(&file));
        state.loaded.loading.extend(found);
        state.shared = shared;
        self.diagnostics = diags.sorted();
        self.merge(memory);
        Ok(true)
    }

    /// The rebuilt files over the others. The published version keeps the
    /// files it has: [`Files`] copies only those written since its base
    /// was made (a one-article save: a few), or the base too when those
    /// have grown to a quarter of it.
    fn merge(&mut self, memory: Collect) {
        Arc::make_mut(&mut self.files).extend(memory.into_files());
    }

    /// The path of `path` relative to the root when it may be an input of
    /// the site: site.yaml, or anything in or of content/, templates/ and
    /// themes/ but what every walk leaves out (`.git`, editors' files).
    pub(super) fn input(&self, path: &Path) -> Option<String> {
        let rel = path.strip_prefix(&self.root).or_else(|_| path.strip_prefix(&self.resolved)).unwrap_or(path);
        let rel = crate::diagnostics::relative(Path::new(""), rel);
        let top = rel.split('/').next().unwrap_or_default();
        let watched = rel == crate::config::FILE || matches!(top, "content" | "templates" | "themes");
        (watched && !rel.split('/').any(crate::input::ignored)).then_some(rel)
    }

    fn plan(&self, changed: &[PathBuf]) -> Plan {
        let Some(state) = &self.state else { return Plan::Full };
        let site = &state.loaded.site;
        let theme_dir = format!("themes/{}/", site.config.theme);
        let mut plans: Vec<Plan> = Vec::new();
        for path in changed {
            let Some(rel) = self.input(path) else { continue };
            // site.yaml, or a watched folder made, removed or replaced (its
            // files may have changed before it was watched anew), or the
            // theme's folder or one of its own moved in or out (one event
            // for the folder, none for its files)
            let theme_folder =
                [theme_dir.trim_end_matches('/'), &format!("{theme_dir}templates"), &format!("{theme_dir}static")]
                    .contains(&rel.as_str());
            let plan = if rel == crate::config::FILE
                || matches!(rel.as_str(), "content" | "templates" | "themes")
                || theme_folder
            {
                Plan::Full
            } else if rel.starts_with("templates/") || rel.starts_with(&format!("{theme_dir}templates/")) {
                Plan::Theme
            } else if rel.starts_with(&format!("{theme_dir}static/")) {
                Plan::Statics
            } else if rel.starts_with("themes/") {
                continue;
            } else if let Some(in_content) = rel.strip_prefix("content/") {
                let full = self.root.join(&rel);
                // a folder made, moved in or moved out: its files are not
                // reported one by one (a watch sees one rename)
                if full.is_dir() || self.holds(&rel) {
                    plans.push(Plan::Full);
                    continue;
                }
                // anything there (a FIFO too: the walk reports it)
                let exists = std::fs::symlink_metadata(&full).is_ok();
                let article = site.articles.iter().position(|p| p.article.file == rel);
                let asset = site.assets.iter().any(|a| a == in_content);
                let known = article.is_some() || asset || self.known(&rel);
                match (exists, known, article) {
                    // an editor's temporary file, created and gone again
                    (false, false, _) => continue,
                    (true, true, Some(i)) => Plan::Article(i, in_content.to_string()),
                    // an image whose size changed: the pages showing it say its size;
                    // an SVG is read whole and checked by the walk (it may not run anything);
                    // a signed review of a page showing it saw its bytes
                    (true, true, None)
                        if asset
                            && !crate::content::images::is_svg(in_content)
                            && !resized(&self.root, &full, in_content, site)
                            && !site.shown_on_signed_page(in_content) =>
                    {
                        Plan::Assets
                    }
                    _ => Plan::Full, // new, deleted, or a topic, home page, bibliography, glossary
                }
            } else {
                continue;
            };
            plans.push(plan);
        }
        plans.dedup();
        match plans.as_slice() {
            [] => Plan::Nothing,
            [one] => one.clone(),
            many if many.iter().all(|p| matches!(p, Plan::Theme | Plan::Statics)) => Plan::Theme,
            _ => Plan::Full,
        }
    }
}

impl Session {
    /// Whether `rel` was one of the site's files other than articles and
    /// assets (home page, topics, bibliography, glossary, people, review
    /// record) or a draft.
    fn known(&self, rel: &str) -> bool {
        let Some(state) = &self.state else { return false };
        let site = &state.loaded.site;
        site.home.as_ref().is_some_and(|h| h.article.file == rel)
            || site.topics.iter().any(|t| t.topic.file == rel)
            || matches!(
                rel,
                "content/sources.yaml"
                    | "content/sources.bib"
                    | "content/glossary.yaml"
                    | "content/people.yaml"
                    | "content/reviews.yaml"
            )
            || (rel.ends_with(".md") && self.root.join(rel).is_file())
    }
}

impl Session {
    /// Whether `rel` was a folder holding some of the site's files.
    fn holds(&self, rel: &str) -> bool {
        let Some(state) = &self.state else { return false };
        let site = &state.loaded.site;
        let folder = format!("{rel}/");
        site.articles.iter().any(|p| p.article.file.starts_with(&folder))
            || site.topics.iter().any(|t| t.topic.file.starts_with(&folder))
            || site.assets.iter().any(|a| format!("content/{a}").starts_with(&folder))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Plan {
    Nothing,
    Full,
    Theme,
    Statics,
    Assets,
    Article(usize, String),
}

/// Whether `new`, a re-read version of article `index`, leaves the site's
/// plan as it is: still published, at the same URL, at the same place in
/// the order (by the order `content` sorts with), with the same sources of
/// its own (which join the bibliography), the same tags (tag pages) and
/// aliases (redirect pages, named with every output path before anything
/// is written). Otherwise the session plans the site again (a full rebuild).
fn keeps_plan(site: &crate::site::Site, index: usize, new: &Article, drafts: bool) -> bool {
    let old = &site.articles[index].article;
    let rank = |topic: &str| site.topics.iter().position(|t| t.topic.name == topic);
    let Some(topic) = rank(&new.topic) else { return false };
    let key = content::order_key(new, topic);
    let neighbour = |i: usize| {
        let a = &site.articles[i].article;
        rank(&a.topic).map(|r| content::order_key(a, r))
    };
    let after_previous = index == 0 || neighbour(index - 1).is_some_and(|k| k < key);
    let before_next = index + 1 == site.articles.len() || neighbour(index + 1).is_some_and(|k| key < k);
    content::published(new, drafts)
        && new.path() == old.path()
        && after_previous
        && before_next
        && new.front.sources == old.front.sources
        && new.front.tags == old.front.tags
        && new.front.aliases == old.front.aliases
        // the FAQ index's pages are laid out by the number of questions
        // (`site::split`): another number may add or drop a page
        && new.front.faq.len() == old.front.faq.len()
}

/// The text a panic was raised with.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("a panic without a message")
}

#[cfg(test)]
thread_local! {
    /// Set by a test: the next rebuild step on this thread that checks it panics.
    static PANIC_NEXT_REBUILD: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Make the next rebuild step on this thread panic (tests only).
#[cfg(test)]
pub(super) fn panic_in_next_rebuild() {
    PANIC_NEXT_REBUILD.with(|p| p.set(true));
}

/// A panic where a test asked for one (nothing in a site is known to make a
/// rebuild panic); nothing outside tests.
fn panic_if_a_test_asked() {
    #[cfg(test)]
    if PANIC_NEXT_REBUILD.with(|p| p.replace(false)) {
        panic!("a panic injected by a test");
    }
}

/// Drop an article's plain text and prose once search has counted it:
/// nothing else `serve` renders uses them (the FAQ index renders its answers
/// anew).
fn drop_text(page: &mut crate::site::Page) {
    for rendered in std::iter::once(&mut page.body).chain(page.faq.iter_mut().map(|e| &mut e.answer)) {
        rendered.plain = String::new();
        rendered.prose = String::new();
    }
}

/// Whether the image `rel` (under `content/`, at `path`) now has another
/// size than the one the site's pages were rendered with.
fn resized(root: &Path, path: &Path, rel: &str, site: &crate::site::Site) -> bool {
    use crate::content::images;
    if !images::is_image(rel) {
        return false;
    }
    let now = crate::input::head(root, path, images::HEAD).ok().and_then(|head| images::size(rel, &head));
    now != site.image_sizes.get(rel).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh `init` site and its first article.
    fn site() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let date = jiff::civil::date(2026, 1, 15);
        crate::init::init(dir.path(), date).expect("init").expect("init refused");
        let article = dir.path().join("content/basics/first-article.md");
        (dir, article)
    }

    fn replace(path: &Path, from: &str, to: &str) {
        let text = std::fs::read_to_string(path).expect("the article");
        assert!(text.contains(from), "no `{from}`");
        std::fs::write(path, text.replacen(from, to, 1)).expect("saved");
    }

    /// Save `from` as `to` in `article`, a change the one-article path
    /// takes; the same site built afresh.
    fn save_one(s: &mut Session, article: &Path, from: &str, to: &str) -> Session {
        replace(article, from, to);
        assert!(matches!(s.update(&[article.to_path_buf()], false), Action::Article(_)), "after `{to}`");
        Session::new(&s.root, false).expect("a fresh build")
    }

    fn page(session: &Session) -> String {
        let bytes = session.files()["basics/first-article/index.html"].bytes(&session.root).expect("the page");
        String::from_utf8_lossy(&bytes).into_owned()
    }

    #[test]
    fn one_saved_article_leaves_the_uses_indexes_as_a_fresh_build_makes_them() {
        let (dir, article) = site();
        let glossary = "ECT:\n  definition: \"Electroconvulsive therapy.\"\nplain words:\n  definition: \"Words.\"\n";
        std::fs::write(dir.path().join("content/glossary.yaml"), glossary).expect("glossary");
        let mut s = Session::new(dir.path(), false).expect("first build");
        let indexes = |s: &Session| {
            let site = &s.state.as_ref().expect("a built site").loaded.site;
            (site.cited_in.clone(), site.term_use.clone(), site.tags.iter().map(|t| t.slug.clone()).collect::<Vec<_>>())
        };
        // each step takes the one-article path: the body's citations and
        // terms change, the front matter's list shapes do not
        let steps = [
            ("Write in plain words and cite each claim [@example2020].", "Write in words."),
            ("Write in words.", "ECT and plain words [@example2020], again [@example2020]."),
            ("ECT and plain words", "Plain words"),
        ];
        for (from, to) in steps {
            let fresh = save_one(&mut s, &article, from, to);
            assert_eq!(indexes(&s), indexes(&fresh), "after `{to}`");
        }
    }

    /// The feeds are made again when what they show changed (the first
    /// author is in the Atom entry, not in the pages' `site` value) and
    /// kept when it did not; either way they are what a fresh build writes.
    #[test]
    fn a_save_leaves_the_feeds_as_a_fresh_build_writes_them() {
        let (dir, article) = site();
        let mut s = Session::new(dir.path(), false).expect("first build");
        let steps = [
            ("date: ", "authors: [\"Ada Lovelace\"]\ndate: "),
            ("Ada Lovelace", "Grace Hopper"),
            ("Write in plain words", "Write in simple words"),
        ];
        for (from, to) in steps {
            let fresh = save_one(&mut s, &article, from, to);
            for feed in ["atom.xml", "sitemap.xml"] {
                assert_eq!(s.files()[feed], fresh.files()[feed], "{feed} after `{to}`");
            }
            assert!(*s.files() == *fresh.files(), "the same files as a fresh build after `{to}`");
        }
        let atom = s.files()["atom.xml"].bytes(&s.root).expect("atom.xml");
        assert!(String::from_utf8_lossy(&atom).contains("Grace Hopper"));
    }

    #[test]
    fn a_kept_tag_finding_moves_with_its_article_s_text() {
        let (dir, article) = site();
        replace(&article, "date: ", "tags: [ECT, ect]\ndate: ");
        let mut s = Session::new(dir.path(), false).expect("first build");
        let line = |s: &Session| {
            let found: Vec<usize> = s
                .diagnostics
                .iter()
                .filter(|d| d.message.contains("listed twice"))
                .filter_map(Diagnostic::line)
                .collect();
            assert_eq!(found.len(), 1, "one finding: {found:?}");
            found[0]
        };
        let before = line(&s);
        // the tags stay as they are; the line they are written on moves down
        replace(&article, "---\n", "---\n# a note\n");
        assert!(matches!(s.update(std::slice::from_ref(&article), false), Action::Article(_)));
        assert_eq!(line(&s), before + 1);
        let fresh = Session::new(dir.path(), false).expect("a fresh build");
        assert_eq!(line(&s), line(&fresh));
    }

    #[test]
    fn an_article_saved_before_the_first_index_is_counted_as_a_fresh_build_counts_it() {
        let (dir, article) = site();
        std::fs::write(dir.path().join("site.yaml"), {
            let yaml = std::fs::read_to_string(dir.path().join("site.yaml")).expect("site.yaml");
            format!("{}\nsearch: true\n", yaml.trim_end())
        })
        .expect("search on");
        // the pages are out, the index is not counted yet
        let mut s = Session::start(dir.path(), false).expect("first build");
        assert!(s.index_behind());
        replace(&article, "Write in plain words", "Write in zebra words");
        assert!(matches!(s.update_pages(std::slice::from_ref(&article), false), Action::Article(_)));
        replace(&article, "Where do the facts", "Where do the zebra facts");
        assert!(matches!(s.update_pages(std::slice::from_ref(&article), false), Action::Article(_)));
        assert!(s.update_index());
        let fresh = Session::new(dir.path(), false).expect("a fresh build");
        assert!(fresh.files().keys().any(|k| k.starts_with(crate::search::BUNDLE)), "the site has a search index");
        assert!(*s.files() == *fresh.files(), "the same files, search index included, as a fresh build");
    }

    #[test]
    fn a_panic_in_a_rebuild_keeps_the_last_good_site_and_the_next_save_rebuilds_in_full() {
        let (dir, article) = site();
        let mut s = Session::new(dir.path(), false).expect("first build");
        let good = s.files();

        // in the one-article path, after the parsed site was half-updated
        replace(&article, "Write in plain words", "Written once");
        panic_in_next_rebuild();
        assert_eq!(s.update(std::slice::from_ref(&article), false), Action::Failed);
        assert!(s.has_errors());
        let shown = s.errors_text(false).expect("an error to show");
        assert!(shown.contains("a panic injected by a test") && shown.contains("next save"), "{shown}");
        assert!(Arc::ptr_eq(&s.files(), &good), "the last good site stays served");

        replace(&article, "Written once", "Written twice");
        assert_eq!(s.update(std::slice::from_ref(&article), false), Action::Full);
        assert_eq!(s.errors_text(false), None);
        assert!(page(&s).contains("Written twice"));
        let fresh = Session::new(dir.path(), false).expect("a fresh build");
        assert!(*s.files() == *fresh.files(), "the same files as a fresh build");

        // in a full rebuild
        panic_in_next_rebuild();
        assert_eq!(s.update(&[], true), Action::Failed);
        assert!(s.errors_text(false).is_some_and(|e| e.contains("a panic injected by a test")));
        assert_eq!(s.update(&[], true), Action::Full);
        assert!(!s.has_errors(), "{:?}", s.errors_text(false));
    }
}
