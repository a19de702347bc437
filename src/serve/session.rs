//! The site as `serve` keeps it: built in memory, updated by the smallest
//! rebuild a change allows, and kept at the last good version when a change
//! has errors. Correctness first: after any sequence of changes the files
//! equal what `build` would write from the same sources (tested).
//!
//! | change | action |
//! | --- | --- |
//! | text of an existing article (same URL, title, weight, sources) | re-render that article; redo cross-checks; re-render the FAQ index, source list, glossary and feeds only if their inputs changed; every page if the shared `site` context changed |
//! | a template | reload the theme, re-render every page with parsed content kept |
//! | a theme static file | reload the theme (new fingerprints), re-render every page |
//! | an existing content asset | copy it |
//! | anything else (site.yaml, sources, glossary, new, renamed or deleted files, folders made or moved in or out) | full rebuild in memory |
//!
//! A rebuild that fails as a program (an I/O error, or a panic: a bug)
//! keeps the last good files too, and is reported where diagnostics are
//! ([`Session::errors_text`]); what it may have half-updated is dropped, so
//! the next change rebuilds in full.

use std::collections::{BTreeMap, HashMap};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Bytes;

use crate::build::{self, BuildOptions, Loaded};
use crate::content::{self, Article};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::output::Memory;
use crate::theme::{self, Part, Theme};

/// The served files: output path → bytes.
pub type Files = HashMap<String, Bytes>;

/// A good state of the site.
struct State {
    loaded: Loaded,
    /// The shared `site` template context, serialized, to see whether it changed.
    shared_json: String,
    shared: tera::Value,
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

/// `serve`'s view of the site.
pub struct Session {
    root: PathBuf,
    /// The root resolved (absolute, links followed), as a watcher reports
    /// paths under it whatever form the root was given in.
    resolved: PathBuf,
    drafts: bool,
    state: Option<State>,
    files: Arc<Files>,
    /// Diagnostics of the latest attempt; errors mean the files are the last good ones.
    pub diagnostics: Diagnostics,
    /// Why the latest attempt failed as a program (an I/O error, a panic),
    /// if it did; the files are then the last good ones.
    failure: Option<String>,
}

impl Session {
    /// Build the site in memory for the first time.
    pub fn new(root: &Path, drafts: bool) -> anyhow::Result<Session> {
        let mut session = Session {
            root: root.to_path_buf(),
            resolved: std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf()),
            drafts,
            state: None,
            files: Arc::new(Files::new()),
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

    /// Bring the site up to date after `changed` paths (absolute or relative
    /// to the root) changed on disk. `rescan` forces a full rebuild. Never
    /// fails and never unwinds: a rebuild that returns an error or panics
    /// is [`Action::Failed`], with the last good files kept, the reason in
    /// [`Session::errors_text`], and the next update a full rebuild.
    pub fn update(&mut self, changed: &[PathBuf], rescan: bool) -> Action {
        let why = match std::panic::catch_unwind(AssertUnwindSafe(|| self.rebuild(changed, rescan))) {
            Ok(Ok(action)) => {
                self.failure = None;
                return action;
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
        Action::Failed
    }

    fn rebuild(&mut self, changed: &[PathBuf], rescan: bool) -> anyhow::Result<Action> {
        let plan = if rescan || self.state.is_none() || self.has_errors() { Plan::Full } else { self.plan(changed) };
        match plan {
            Plan::Nothing => return Ok(Action::Nothing),
            Plan::Full => self.full()?,
            Plan::Theme => self.theme()?,
            // A stylesheet's new content is a new fingerprinted name in every page.
            Plan::Statics => self.theme()?,
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

    fn full(&mut self) -> anyhow::Result<()> {
        panic_if_a_test_asked();
        let options = BuildOptions { root: self.root.clone(), drafts: self.drafts, ..BuildOptions::default() };
        let mut diags = Diagnostics::new();
        let loaded = build::load(&options, &mut diags)?;
        // as in a build, the pages are rendered (and their template errors
        // found) unless loading itself, before the cross-checks, had errors
        let Some(loaded) = loaded.filter(|l| !l.loading.iter().any(Diagnostic::is_error)) else {
            self.diagnostics = diags.sorted();
            return Ok(());
        };
        let shared = theme::shared_context(&loaded.site);
        let memory = Memory::default();
        let parts = theme::all_parts(&loaded.site);
        diags.extend(theme::render_parts(&loaded.site, &loaded.theme, &self.root, &shared, &parts, &memory)?);
        if diags.has_errors() {
            self.diagnostics = diags.sorted();
            return Ok(());
        }
        self.files = Arc::new(to_files(memory));
        let shared_json = theme::shared_json(&loaded.site);
        self.state = Some(State { loaded, shared_json, shared });
        self.diagnostics = diags.sorted();
        Ok(())
    }

    /// Reload templates and re-render every page with the parsed content kept.
    fn theme(&mut self) -> anyhow::Result<()> {
        let Some(state) = &mut self.state else { return self.full() };
        let theme = match Theme::load(&self.root, &state.loaded.site.config) {
            Ok(t) => t,
            Err(d) => {
                // as a build reports it: with what loading and the cross-checks found
                let mut diags = Diagnostics::new();
                diags.extend(state.loaded.loading.iter().cloned());
                diags.extend(state.loaded.site.finish(false));
                diags.extend(d);
                self.diagnostics = diags.sorted();
                return Ok(());
            }
        };
        let memory = Memory::default();
        let site = &state.loaded.site;
        let found = theme::render_parts(site, &theme, &self.root, &state.shared, &theme::all_parts(site), &memory)?;
        let mut diags = Diagnostics::new();
        diags.extend(state.loaded.loading.iter().cloned());
        diags.extend(state.loaded.site.finish(false));
        diags.extend(found);
        if !diags.has_errors() {
            state.loaded.theme = theme;
            self.files = Arc::new(to_files(memory));
        }
        self.diagnostics = diags.sorted();
        Ok(())
    }

    /// Re-render or re-copy some parts into the current files.
    fn parts(&mut self, parts: &[Part]) -> anyhow::Result<()> {
        let Some(state) = &self.state else { return self.full() };
        let memory = Memory::default();
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
        if found.iter().any(Diagnostic::is_error) || !same_place(&state.loaded.site.articles[index].article, &article) {
            return Ok(false);
        }
        let site = &mut state.loaded.site;
        let before = Snapshot::of(site);
        let old = site.articles[index].article.clone();
        let faq_changed = site.replace_article(index, article);
        panic_if_a_test_asked(); // here the parsed site is half-updated
        let cross = site.finish(faq_changed);
        let file = old.file.clone();
        let mut diags = Diagnostics::new();
        diags.extend(state.loaded.loading.iter().filter(|d| d.file.as_deref() != Some(&file)).cloned());
        diags.extend(found.iter().cloned());
        diags.extend(cross);
        // the shared `site` context holds each article's summary: unchanged summary, unchanged context
        let summary_kept = same_summary(&old, &site.articles[index].article);
        // sitemap and feed show dates, titles, descriptions and authors only
        let feeds_kept = summary_kept && old.front.authors == site.articles[index].article.front.authors;
        let (shared, shared_json, shared_changed) = if summary_kept {
            (state.shared.clone(), state.shared_json.clone(), false)
        } else {
            let json = theme::shared_json(site);
            let changed = json != state.shared_json;
            (theme::shared_context(site), json, changed)
        };
        let mut parts = vec![Part::Article(index)];
        if !feeds_kept {
            parts.push(Part::Feeds);
        }
        if shared_changed {
            parts = theme::all_parts(site).into_iter().filter(|p| !matches!(p, Part::Statics | Part::Assets)).collect();
        } else {
            let after = Snapshot::of(site);
            if faq_changed {
                parts.push(Part::Faq);
            }
            // the source list shows each citing question and its anchor
            if before.cited_in != after.cited_in || faq_changed {
                parts.push(Part::Sources);
            }
            if before.term_use != after.term_use {
                parts.push(Part::Glossary);
            }
        }
        let memory = Memory::default();
        diags.extend(theme::render_parts(site, &state.loaded.theme, &self.root, &shared, &parts, &memory)?);
        if diags.has_errors() {
            // keep the last good site: put the old article back
            site.replace_article(index, old);
            site.finish(faq_changed);
            self.diagnostics = diags.sorted();
            return Ok(true);
        }
        state.loaded.loading.retain(|d| d.file.as_deref() != Some(&file));
        state.loaded.loading.extend(found);
        state.shared = shared;
        state.shared_json = shared_json;
        self.diagnostics = diags.sorted();
        self.merge(memory);
        Ok(true)
    }

    fn merge(&mut self, memory: Memory) {
        let mut files: Files = (*self.files).clone();
        files.extend(to_files(memory));
        self.files = Arc::new(files);
    }

    fn plan(&self, changed: &[PathBuf]) -> Plan {
        let Some(state) = &self.state else { return Plan::Full };
        let site = &state.loaded.site;
        let theme_dir = format!("themes/{}/", site.config.theme);
        let mut plans: Vec<Plan> = Vec::new();
        for path in changed {
            let rel = path.strip_prefix(&self.root).or_else(|_| path.strip_prefix(&self.resolved)).unwrap_or(path);
            let rel = crate::diagnostics::relative(Path::new(""), rel);
            if rel.split('/').any(crate::input::ignored) || rel.starts_with("public/") || rel.starts_with("target/") {
                continue;
            }
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
                let exists = full.is_file();
                let article = site.articles.iter().position(|p| p.article.file == rel);
                let asset = site.assets.iter().any(|a| a == in_content);
                let known = article.is_some() || asset || self.known(&rel);
                match (exists, known, article) {
                    // an editor's temporary file, created and gone again
                    (false, false, _) => continue,
                    (true, true, Some(i)) => Plan::Article(i, in_content.to_string()),
                    (true, true, None) if asset => Plan::Assets,
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

/// What decides which generated pages a one-article change touches.
struct Snapshot {
    cited_in: BTreeMap<String, Vec<crate::site::CitedAt>>,
    term_use: Vec<Vec<usize>>,
}

impl Snapshot {
    fn of(site: &crate::site::Site) -> Snapshot {
        Snapshot { cited_in: site.cited_in.clone(), term_use: site.term_use.clone() }
    }
}

/// What the shared `site` context shows of an article is unchanged.
fn same_summary(old: &Article, new: &Article) -> bool {
    let (a, b) = (&old.front, &new.front);
    a.title == b.title
        && a.description == b.description
        && a.date == b.date
        && a.updated == b.updated
        && a.audience == b.audience
        && a.reviewed.as_ref().map(|r| (r.on, &r.by, r.next)) == b.reviewed.as_ref().map(|r| (r.on, &r.by, r.next))
}

/// The new version keeps the article's URL and its place in the order, its
/// local sources, and is still published: only then can the rest stay.
fn same_place(old: &Article, new: &Article) -> bool {
    old.path() == new.path()
        && old.front.title == new.front.title
        && old.front.weight == new.front.weight
        && old.front.draft == new.front.draft
        && old.front.sources == new.front.sources
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

fn to_files(memory: Memory) -> Files {
    memory.into_files().into_iter().map(|(k, v)| (k, Bytes::from(v))).collect()
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

    fn page(session: &Session) -> String {
        String::from_utf8_lossy(&session.files()["basics/first-article/index.html"]).into_owned()
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
