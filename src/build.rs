//! One build: load → render → assemble → theme → output, as a flat list of
//! calls. Nothing is written unless the site has no errors; then the whole
//! output is swapped in at once.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::Config;
use crate::content::glossary::Glossary;
use crate::content::people::People;
use crate::content::record::Record;
use crate::diagnostics::{Diagnostic, Diagnostics};
/// The file a build leaves in its output folder, so a later build knows the
/// folder is its own to replace.
pub use crate::output::MARKER as OUTPUT_MARKER;
use crate::output::{self, Output, Staging};
use crate::site::Site;
use crate::theme::Theme;
use crate::{content, site, sources, theme};

/// What the user asked for.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub root: PathBuf,
    /// Default: `root/public`.
    pub output: Option<PathBuf>,
    pub base_url: Option<String>,
    pub drafts: bool,
    /// Collect each page's plain text and prose as its Markdown is rendered
    /// (for `check`'s reading grade).
    pub text: bool,
    /// Leave search out whatever `site.yaml` says (`build --no-search`).
    pub no_search: bool,
    /// Called with the output path when another build into the same folder
    /// holds its lock, before waiting for it (the CLI says so).
    pub on_wait: Option<fn(&Path)>,
}

/// What happened.
#[derive(Debug)]
pub struct BuildReport {
    pub diagnostics: Diagnostics,
    /// Where the site was written; `None` when errors stopped the build.
    pub written: Option<PathBuf>,
    pub pages: usize,
    /// About the output folder, for the user, not errors: leftovers of
    /// earlier builds that could not be removed, a previous site put back.
    pub notes: Vec<String>,
    /// How long each step took, for `--verbose`.
    pub timings: Timings,
    /// The site as it was built: freed when the report is dropped.
    pub site: crate::Leftover,
}

impl BuildReport {
    /// A build that problems stopped: nothing was written.
    fn stopped(diags: Diagnostics, timings: Timings, notes: Vec<String>) -> BuildReport {
        BuildReport {
            diagnostics: diags.sorted(),
            written: None,
            pages: 0,
            notes,
            timings,
            site: crate::Leftover::none(),
        }
    }
}

pub use crate::Timings;

/// A loaded, rendered site with its theme: everything but the writing.
pub struct Loaded {
    pub site: Site,
    pub theme: Theme,
    /// Diagnostics of loading (config, content files, sources, glossary),
    /// apart from the site's own cross-checks, which `Site::finish` redoes.
    pub loading: Vec<crate::diagnostics::Diagnostic>,
    /// Every page was rendered and handed to an [`Emit`] that keeps them,
    /// with this template `site` value (`serve` renders later pages with
    /// it). `None` for [`load`], which renders Markdown only, for an emit
    /// that keeps no page (dropped once the site-wide pages are written),
    /// and when loading errors stopped a command that does not emit
    /// despite them.
    pub(crate) emitted: Option<theme::Shared>,
}

/// The one way pages are rendered, for every command: each article's
/// template is rendered as soon as its Markdown is, and handed to the
/// command's [`Emit`]; then the FAQ index and the site-wide pages. Unless the
/// emit keeps pages, each article's HTML is dropped once emitted: what keeps
/// a build's memory flat in the number of articles.
struct ArticleWriter<'a> {
    theme: &'a Theme,
    /// The site's folder (content assets are copied from it).
    root: &'a Path,
    out: &'a dyn Output,
    /// Sees each article after it is written, before its text is dropped.
    inspect: Option<&'a dyn Inspect>,
    /// Counts each article's words for search.
    search: Option<&'a crate::search::Indexer>,
    /// Keep each article's rendered Markdown (see [`Emit::keep`]).
    keep: bool,
    /// The pages' shared `site` value, made at `start`; unless the emit
    /// keeps pages, dropped once the site-wide pages are written (before
    /// the cross-checks make their findings: 138 MiB at 100,000 articles).
    shared: std::sync::Mutex<Option<theme::Shared>>,
    diagnostics: std::sync::Mutex<Vec<Diagnostic>>,
    error: std::sync::Mutex<Option<anyhow::Error>>,
}

impl site::PageSink for ArticleWriter<'_> {
    fn start(&self, site: &Site) {
        *crate::lock(&self.shared) = Some(theme::shared_context(site));
        if let Some(search) = self.search.filter(|_| !self.keep) {
            search.stream_text(site);
        }
    }

    fn page(&self, site: &Site, index: usize, page: &mut site::Page) {
        let Some(shared) = self.shared() else { return };
        self.written(theme::render_article(site, self.theme, &shared, index, page, self.out));
        if let Some(inspect) = self.inspect {
            inspect.page(site, index, page);
        }
        if let Some(Err(e)) = self.search.map(|search| search.add_article_to(index, page, self.out)) {
            crate::lock(&self.error).get_or_insert(e);
        }
        if self.keep {
            return;
        }
        for rendered in std::iter::once(&mut page.body).chain(page.faq.iter_mut().map(|e| &mut e.answer)) {
            rendered.written();
        }
        page.citations.written();
        // the body's diagnostics are made; what is left to check (FAQ
        // questions and answers) is in the front matter
        let article = &mut page.article;
        article.text.truncate(article.split.body_start);
        article.text.shrink_to_fit();
    }

    fn faq_page(&self, site: &Site, index: &site::FaqIndex, page: usize, answers: &mut site::PageAnswers) {
        let Some(shared) = self.shared() else { return };
        self.written(theme::render_faq_page(site, self.theme, &shared, index, page, answers, self.out));
        if !self.keep {
            *answers = site::PageAnswers::default();
        }
    }

    fn faq(&self, _: &Site, index: &mut site::FaqIndex) {
        if !self.keep {
            // written: nothing reads its entries again (the sitemap lists
            // its pages, the cross-checks read the articles' own answers)
            for (_, entries) in &mut index.groups {
                *entries = Vec::new();
            }
            index.answers = Vec::new();
        }
    }

    fn assembled(&self, site: &Site) {
        let Some(shared) = self.shared() else { return };
        self.written(theme::render_parts(site, self.theme, self.root, &shared, &theme::site_wide_parts(), self.out));
        if !self.keep {
            *crate::lock(&self.shared) = None;
        }
    }
}

impl ArticleWriter<'_> {
    /// The pages' `site` value, while it is there.
    fn shared(&self) -> Option<theme::Shared> {
        crate::lock(&self.shared).clone()
    }

    /// Keep what writing pages found: template problems, or the first failure.
    fn written(&self, result: anyhow::Result<impl IntoIterator<Item = Diagnostic>>) {
        match result {
            Ok(found) => crate::lock(&self.diagnostics).extend(found),
            Err(e) => {
                crate::lock(&self.error).get_or_insert(e);
            }
        }
    }
}

/// Load and assemble the site, its Markdown rendered but no page put
/// through the theme (`review sign` needs only what pages say); `None`
/// when a problem stops it early.
pub fn load(options: &BuildOptions, diags: &mut Diagnostics) -> anyhow::Result<Option<Loaded>> {
    load_timed(options, diags, &mut Timings::default(), None)
}

/// What a command does with the rendered pages: the only part of the
/// pipeline that differs between `build` (write them to the staging folder
/// and index them for search), `check` (look at each one, keep nothing) and
/// `serve` (keep them in memory).
#[derive(Clone, Copy)]
pub struct Emit<'a> {
    /// Where each page's file goes.
    pub out: &'a dyn Output,
    /// Sees each article once it is emitted.
    pub inspect: Option<&'a dyn Inspect>,
    /// Index the articles for search too (when the site has search on).
    pub search: Option<&'a crate::search::Indexer>,
    /// Keep each article's rendered Markdown in the site (`serve`
    /// re-renders one page from the rest); otherwise it is dropped once
    /// emitted.
    pub keep: bool,
    /// With search on, count no article as it is emitted: their text is
    /// kept (with `keep`) for the caller to count once the pages are out
    /// (`serve`'s start: the first page is served sooner).
    pub count_later: bool,
    /// Render and emit the pages even when loading found errors (`check`:
    /// template problems and the editor's findings on every page). Without
    /// it, a site with errors renders no page.
    pub despite_errors: bool,
}

/// Looks at each article right after it is rendered and emitted, before
/// its Markdown, HTML and plain text are dropped (`check`'s editorial checks).
pub trait Inspect: Sync {
    /// `page` is `site.articles[index]` (whose own slot is still a skeleton).
    fn page(&self, site: &Site, index: usize, page: &site::Page);
}

/// Load, assemble and render the site, every page through the theme, each
/// handed to `emit` as soon as it is rendered.
pub fn load_and_emit(
    options: &BuildOptions,
    diags: &mut Diagnostics,
    timings: &mut Timings,
    emit: Emit,
) -> anyhow::Result<Option<Loaded>> {
    load_timed(options, diags, timings, Some(emit))
}

/// Load and assemble; with `emit`, render every page and emit it (when
/// nothing has failed so far, or despite errors if it asks).
fn load_timed(
    options: &BuildOptions,
    diags: &mut Diagnostics,
    t: &mut Timings,
    stream: Option<Emit>,
) -> anyhow::Result<Option<Loaded>> {
    let root = &options.root;
    let mut at = t.start();
    let config = match Config::load(root) {
        Ok(c) => c,
        Err(d) => {
            diags.extend(d);
            return Ok(None);
        }
    };
    let mut config = match &options.base_url {
        Some(url) => config.with_base_url(url),
        None => config,
    };
    config.search &= !options.no_search;
    let search = stream.and_then(|s| s.search).filter(|_| config.search);
    // a command that drops each page once emitted reads each body when it
    // renders the page; one that keeps them reads them all now
    let bodies = match stream {
        Some(Emit { keep: false, .. }) => content::Bodies::Later,
        _ => content::Bodies::Keep,
    };
    // beside the content, two things that are one thread's work each: the
    // CSL locales, and sources.yaml's YAML
    let (content, (locales, sources_ahead)) = rayon::join(
        || content::load(root, &config, options.drafts, bodies),
        || rayon::join(|| sources::Locales::load(&config.citation_style), || sources::Parsed::ahead(root)),
    );
    let (content, d) = content;
    diags.extend(d);
    t.record("load content", at);
    at = t.start();
    let (mut bibliography, d) = sources::load(&content, sources_ahead);
    diags.extend(d);
    t.record("load sources", at);
    at = t.start();
    diags.extend(sources::format_all(&mut bibliography, &config, &locales));
    t.record("format sources (CSL)", at);
    at = t.start();
    let (glossary, d) = match &content.glossary {
        Some(file) => Glossary::load(file),
        None => (Glossary::default(), Vec::new()),
    };
    diags.extend(d);
    let (people, d) = content.people.as_ref().map(People::load).unwrap_or_default();
    diags.extend(d);
    let (record, d) = content.reviews.as_ref().map(Record::load).unwrap_or_default();
    diags.extend(d);
    let theme = Theme::load(root, &config);
    if let Ok(theme) = &theme {
        // every output path, named once before anything is written
        let files: Vec<&str> = theme.statics.iter().map(|(path, _)| path.as_str()).collect();
        diags.extend(site::paths::check(&content, &config, &files));
    }
    let loading: Vec<_> = diags.iter().cloned().collect();
    let writer = match (&theme, stream) {
        (Ok(theme), Some(Emit { out, inspect, keep, count_later, despite_errors, .. }))
            if despite_errors || !diags.has_errors() =>
        {
            Some(ArticleWriter {
                theme,
                root,
                out,
                inspect,
                search: search.filter(|_| !count_later),
                keep,
                shared: Default::default(),
                diagnostics: Default::default(),
                error: Default::default(),
            })
        }
        _ => None,
    };
    let sink = writer.as_ref().map(|w| w as &dyn site::PageSink);
    // search indexes the plain text of the pages
    let text = options.text || search.is_some();
    let (site, d) = site::assemble(content, bibliography, glossary, (people, record), config, text, sink);
    diags.extend_shared(d);
    let (mut emitted, rendered) = (None, writer.is_some());
    if let Some(w) = writer {
        if let Some(e) = w.error.into_inner().unwrap_or_else(|e| e.into_inner()) {
            return Err(e);
        }
        diags.extend(w.diagnostics.into_inner().unwrap_or_else(|e| e.into_inner()));
        // set by `start`, which `site::assemble` calls on every sink
        emitted = w.shared.into_inner().unwrap_or_else(|e| e.into_inner());
    }
    let step = match (rendered, stream.is_some_and(|s| s.inspect.is_some())) {
        (true, true) => "render and check pages",
        (true, false) => "render and write pages",
        (false, _) => "render Markdown, assemble site",
    };
    t.record(step, at);
    match theme {
        Ok(theme) => Ok(Some(Loaded { site, theme, loading, emitted })),
        Err(d) => {
            diags.extend(d);
            Ok(None)
        }
    }
}

/// `sourcebook build`. An output folder `output::resolve` refuses is an
/// error holding an `output::Refused`.
pub fn build(options: &BuildOptions) -> anyhow::Result<BuildReport> {
    let mut diags = Diagnostics::new();
    let mut timings = Timings::default();
    let target = options.output.clone().unwrap_or_else(|| options.root.join("public"));
    let staging = stage(options, &target)?;
    let notes = staging.as_ref().map(|s| s.notes().to_vec()).unwrap_or_default();
    let indexer = crate::search::Indexer::default();
    let stream = staging.as_ref().map(|s| Emit {
        out: s,
        inspect: None,
        search: Some(&indexer),
        keep: false,
        count_later: false,
        despite_errors: false,
    });
    let loaded = load_timed(options, &mut diags, &mut timings, stream);
    let (loaded, staging) = match (loaded, staging) {
        (Ok(Some(loaded)), Some(staging)) if !diags.has_errors() => (loaded, staging),
        (loaded, staging) => {
            if let Some(s) = staging {
                s.abandon();
            }
            loaded?;
            return Ok(BuildReport::stopped(diags, timings, notes));
        }
    };
    // every page was written as it was rendered: a loader without errors
    // so far always emits (`Loaded::emitted`), and a page's
    // template problem is an error that stops the build here
    if diags.has_errors() {
        staging.abandon();
        return Ok(BuildReport::stopped(diags, timings, notes));
    }
    // every page is written (and the pages' shared `site` value gone with
    // the last of them): what the articles kept for the site-wide pages
    // and the cross-checks goes before the search index is merged (home
    // and topics are indexed now)
    let mut loaded = loaded;
    loaded.site.articles.par_iter_mut().for_each(|page| {
        page.body = crate::markdown::Rendered::default();
        page.faq = Vec::new();
        page.citations = crate::markdown::Citations::default();
    });
    if loaded.site.config.search {
        let at = timings.start();
        // the articles were counted as they were written (a build that could
        // not write them one by one has stopped with errors above)
        indexer.add_landings(&loaded.site);
        // on an error, dropping `staging` throws the partial build away
        indexer.write(&staging)?;
        timings.record("write the search index", at);
    }
    let at = timings.start();
    let notes = staging.commit()?;
    timings.record("swap output", at);
    let pages = loaded.site.articles.len();
    let at = timings.start();
    let diagnostics = diags.sorted();
    timings.record("sort diagnostics", at);
    let site = crate::Leftover::new(loaded);
    Ok(BuildReport { diagnostics, written: Some(target), pages, notes, timings, site })
}

/// The staging folder for `target`, locked, with the checks of
/// [`output::resolve`] and [`Staging::new`] passed; `None` for a folder
/// without `site.yaml` (no folder is made for a site that is not there:
/// [`load`] reports it).
fn stage(options: &BuildOptions, target: &Path) -> anyhow::Result<Option<Staging>> {
    if !options.root.join(crate::config::FILE).is_file() {
        return Ok(None);
    }
    let folder = output::resolve(&options.root, target)?;
    let waiting = || {
        if let Some(say) = options.on_wait {
            say(target);
        }
    };
    Ok(Some(Staging::new(&folder, waiting)?))
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};

    use super::*;
    use crate::diagnostics::Code;

    /// An output that keeps nothing, and saves `file` again (with new text)
    /// when the first article page is written.
    struct SavesMeanwhile {
        file: PathBuf,
        saved: AtomicBool,
    }

    impl Output for SavesMeanwhile {
        fn write(&self, path: &str, _: &[u8]) -> anyhow::Result<()> {
            if path.starts_with("safety/") && !self.saved.swap(true, Ordering::SeqCst) {
                let text = std::fs::read_to_string(&self.file)?;
                std::fs::write(&self.file, text.replace("Rest", "Sleep"))?;
            }
            Ok(())
        }

        fn copy(&self, _: &str, _: &Path) -> anyhow::Result<()> {
            Ok(())
        }
    }

    /// A site of two articles, Alpha (`a.md`, with a question) and Beta
    /// (`b.md`), in that order.
    fn two_articles() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let site = "title: T\nbase_url: \"https://example.org/\"\ntopics: [safety]\nfunding: \"None.\"\nconflicts: \"None.\"\n";
        std::fs::write(root.join(crate::config::FILE), site).unwrap();
        std::fs::create_dir_all(root.join("content/safety")).unwrap();
        std::fs::write(root.join("content/safety/_index.md"), "---\ntitle: Safety\n---\n").unwrap();
        for (slug, title, faq) in
            [("a", "Alpha", "faq:\n  - q: Is rest safe?\n    a: Rest is **safe**.\n"), ("b", "Beta", "")]
        {
            let text = format!(
                "---\ntitle: {title}\ndescription: About {title}.\ndate: 2026-01-01\n{faq}---\n\nRest [@doe2020].\n"
            );
            std::fs::write(root.join(format!("content/safety/{slug}.md")), text).unwrap();
        }
        let sources =
            "doe2020:\n  type: article\n  title: A study\n  author: [\"Doe, Jane\"]\n  date: 2020\n  evidence: other\n";
        std::fs::write(root.join("content/sources.yaml"), sources).unwrap();
        dir
    }

    /// An output that keeps every file it is given, in the order they were written.
    #[derive(Default)]
    struct Written(std::sync::Mutex<Vec<(String, Vec<u8>)>>);

    impl Output for Written {
        fn write(&self, path: &str, bytes: &[u8]) -> anyhow::Result<()> {
            crate::lock(&self.0).push((path.to_string(), bytes.to_vec()));
            Ok(())
        }

        fn copy(&self, path: &str, _: &Path) -> anyhow::Result<()> {
            self.write(path, &[])
        }
    }

    #[test]
    fn a_build_holds_no_page_s_text_once_the_page_is_written() {
        let dir = two_articles();
        let out = Written::default();
        let indexer = crate::search::Indexer::default();
        let emit = Emit {
            out: &out,
            inspect: None,
            search: Some(&indexer),
            keep: false,
            count_later: false,
            despite_errors: false,
        };
        let options = BuildOptions { root: dir.path().to_path_buf(), ..BuildOptions::default() };
        let mut diags = Diagnostics::new();
        // one thread: Alpha is rendered and written, then Beta
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let loaded = pool.install(|| load_and_emit(&options, &mut diags, &mut Timings::default(), emit)).unwrap();
        let loaded = loaded.expect("a site");
        assert!(loaded.emitted.is_none(), "the pages' shared `site` value went with the site-wide pages");
        let site = loaded.site;
        assert!(!diags.has_errors(), "{diags:?}");
        // Alpha's search text was written as it was counted, before Beta's page
        let order: Vec<String> = crate::lock(&out.0).iter().map(|(path, _)| path.clone()).collect();
        let at = |path: &str| order.iter().position(|p| p == path).unwrap_or_else(|| panic!("{path} in {order:?}"));
        assert!(at("search-index/text-1.js") < at("safety/b/index.html"), "{order:?}");
        // of every page, only the front matter and what the site-wide pages need is left
        for page in &site.articles {
            assert_eq!(page.article.text.len(), page.article.split.body_start, "{}", page.article.file);
            assert!(page.article.later.is_none(), "the body was read");
            assert!(page.body.html.is_empty() && page.body.plain.is_empty() && page.body.prose.is_empty());
            assert!(page.faq.iter().all(|e| e.answer.html.is_empty() && e.answer.plain.is_empty()));
            // what the site-wide pages read of the numbering is kept: the sources in order
            assert_eq!(page.citations.order, page.body.cited, "{}", page.article.file);
            assert!(page.citations.backlinks.is_empty(), "the numbering's lookups are dropped");
        }
        // the FAQ index, written, keeps its pages (the sitemap lists them) but no entries
        assert_eq!(site.faq.groups.len(), 1, "the FAQ index had Alpha's question");
        assert!(site.faq.groups.iter().all(|(_, entries)| entries.is_empty()));
        assert!(site.faq.answers.is_empty(), "no page's answers are kept");
        assert!(!site.faq.pages.is_empty());
        // the index written afterwards has the numbers the streamed text files were written under
        indexer.add_landings(&site);
        indexer.write(&out).unwrap();
    }

    #[test]
    fn faq_pages_written_as_their_answers_render_are_those_of_the_whole_index() {
        let dir = two_articles();
        let root = dir.path();
        // one question a page: the index is split, each page with its own references
        let site = std::fs::read_to_string(root.join(crate::config::FILE)).unwrap();
        std::fs::write(root.join(crate::config::FILE), format!("{site}paginate_by: 1\n")).unwrap();
        let c = "---\ntitle: Gamma\ndescription: About Gamma.\ndate: 2026-01-02\nfaq:\n  - q: Does sleep help?\n    a: Sleep helps [@doe2020].\n  - q: Is a nap enough?\n    a: Not always [@doe2020].\n---\n\nNaps.\n";
        std::fs::write(root.join("content/safety/c.md"), c).unwrap();
        let options = BuildOptions { root: root.to_path_buf(), ..BuildOptions::default() };
        // streamed: each page written as soon as its answers are rendered, then dropped
        let streamed = Written::default();
        let emit = Emit {
            out: &streamed,
            inspect: None,
            search: None,
            keep: false,
            count_later: false,
            despite_errors: false,
        };
        let mut diags = Diagnostics::new();
        let site = load_and_emit(&options, &mut diags, &mut Timings::default(), emit).unwrap().expect("a site").site;
        assert!(!diags.has_errors(), "{diags:?}");
        assert!(site.faq.split && site.faq.answers.is_empty());
        // whole: every answer rendered and kept, then the pages written from the index
        let loaded = load(&options, &mut Diagnostics::new()).unwrap().expect("a site");
        assert_eq!(loaded.site.faq.answers.len(), 4, "the landing and one page a question");
        let whole = Written::default();
        let shared = theme::shared_context(&loaded.site);
        theme::render_parts(&loaded.site, &loaded.theme, root, &shared, &[theme::Part::Faq], &whole).unwrap();
        // in path order (pages are written in parallel)
        let faq = |out: &Written| -> std::collections::BTreeMap<String, Vec<u8>> {
            let files = crate::lock(&out.0);
            files.iter().filter(|(path, _)| path.starts_with("faq/")).cloned().collect()
        };
        let (streamed, whole) = (faq(&streamed), faq(&whole));
        let paths: Vec<&str> = whole.keys().map(String::as_str).collect();
        assert_eq!(
            paths,
            ["faq/index.html", "faq/safety/index.html", "faq/safety/page/2/index.html", "faq/safety/page/3/index.html"]
        );
        let page3 = String::from_utf8_lossy(&whole["faq/safety/page/3/index.html"]);
        assert!(page3.contains("Not always") && page3.contains("A study"), "a page's answer and its reference");
        assert!(streamed == whole, "the streamed FAQ pages differ from the whole index's");
    }

    /// Counts the pages that share their front matter with the site's plan.
    #[derive(Default)]
    struct SharesFront(std::sync::atomic::AtomicUsize);

    impl Inspect for SharesFront {
        fn page(&self, site: &Site, index: usize, page: &site::Page) {
            if std::sync::Arc::ptr_eq(&site.articles[index].article.front, &page.article.front) {
                self.0.fetch_add(1, Ordering::SeqCst);
            }
        }
    }

    #[test]
    fn a_rendered_page_shares_its_front_matter_with_the_site_s_plan_not_a_copy() {
        let dir = two_articles();
        let out = Written::default();
        let shares = SharesFront::default();
        let emit = Emit {
            out: &out,
            inspect: Some(&shares),
            search: None,
            keep: false,
            count_later: false,
            despite_errors: false,
        };
        let options = BuildOptions { root: dir.path().to_path_buf(), ..BuildOptions::default() };
        let mut diags = Diagnostics::new();
        load_and_emit(&options, &mut diags, &mut Timings::default(), emit).unwrap().expect("a site");
        assert!(!diags.has_errors(), "{diags:?}");
        assert_eq!(shares.0.load(Ordering::SeqCst), 2, "both articles' pages hold the plan's front matter");
    }

    #[test]
    fn an_article_saved_while_the_site_renders_is_an_unreadable_file_error_not_a_page_of_two_versions() {
        let dir = two_articles();
        let root = dir.path();
        // one thread: Alpha is read, rendered and written (and Beta saved), then Beta is read again
        let out = SavesMeanwhile { file: root.join("content/safety/b.md"), saved: AtomicBool::new(false) };
        let emit =
            Emit { out: &out, inspect: None, search: None, keep: false, count_later: false, despite_errors: false };
        let options = BuildOptions { root: root.to_path_buf(), ..BuildOptions::default() };
        let mut diags = Diagnostics::new();
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        pool.install(|| load_and_emit(&options, &mut diags, &mut Timings::default(), emit)).unwrap();
        assert!(out.saved.load(Ordering::SeqCst), "an article page was written");
        let changed: Vec<&Diagnostic> = diags.iter().filter(|d| d.code == Code::UnreadableFile).collect();
        assert_eq!(changed.len(), 1, "{diags:?}");
        assert!(changed[0].is_error());
        assert_eq!(changed[0].file.as_deref(), Some("content/safety/b.md"));
        assert_eq!(changed[0].message, "the file changed while the site was being built");
        assert!(diags.has_errors(), "a build stops: nothing is written");
    }
}
