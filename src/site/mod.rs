//! The site model: every page that will exist, with its rendered Markdown,
//! citations, FAQ entries and URL; the FAQ index; the glossary; which page
//! cites which source. No Tera and no file system here: `theme` turns this
//! into HTML and `output` writes it.

pub(crate) mod aliases;
pub(crate) mod faq;
pub(crate) mod links;
pub(crate) mod paths;
pub(crate) mod review;
pub(crate) mod split;
pub(crate) mod tags;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::Config;
use crate::content::glossary::Glossary;
use crate::content::people::People;
use crate::content::record::Record;
use crate::content::{Article, Content, Topic};
use crate::diagnostics::{Code, Diagnostic, Lines, Suggestions};
use crate::markdown::{self, Citations, Rendered, Source, TermMatcher};
use crate::sources::Bibliography;
pub(crate) use faq::{FaqIndex, PageAnswers};
use links::{LinkTable, PageResolver};

/// A rendered article (or the home page).
#[derive(Debug)]
pub struct Page {
    pub article: Article,
    /// `topic/slug/`, `""` for home.
    pub path: String,
    pub body: Rendered,
    pub faq: Vec<FaqEntry>,
    /// Citation numbering and glossary terms of the whole page (body and FAQ).
    pub citations: Citations,
}

/// One question and its answer, rendered for the page it came from.
#[derive(Debug, Clone)]
pub struct FaqEntry {
    pub question: String,
    /// Stable id on the article page.
    pub anchor: String,
    pub answer: Rendered,
}

/// A topic landing, rendered.
#[derive(Debug)]
pub struct TopicPage {
    pub topic: Topic,
    pub path: String,
    pub body: Rendered,
    /// Indexes into `Site::articles`, in order.
    pub articles: Vec<usize>,
}

impl TopicPage {
    /// The pages its list of articles is shown on, `per` to a page.
    pub fn pages(&self, per: usize) -> Vec<split::ListPage> {
        let all: Vec<usize> = (0..self.articles.len()).collect();
        split::paged(&self.path, &all, per, None)
    }
}

/// A page that cites a source: which article (`None`: the home page), and
/// the FAQ anchor when the citation is in an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CitedAt {
    pub article: Option<usize>,
    pub faq: Option<usize>,
}

/// Everything a build knows, assembled.
#[derive(Debug)]
pub struct Site {
    /// The site's folder: where the files a page shows are read from when
    /// a review's fingerprint covers them.
    pub root: std::path::PathBuf,
    pub config: Config,
    pub home: Option<Page>,
    pub topics: Vec<TopicPage>,
    pub articles: Vec<Page>,
    pub faq: FaqIndex,
    pub glossary: Glossary,
    /// For each glossary term, the articles that explain it (indexes).
    pub term_use: Vec<Vec<usize>>,
    pub bibliography: Bibliography,
    /// Who writes and reviews (`content/people.yaml`).
    pub people: People,
    /// Signed reviews (`content/reviews.yaml`).
    pub record: Record,
    /// Source id → every place citing it, in page order.
    pub cited_in: BTreeMap<String, Vec<CitedAt>>,
    pub assets: Vec<String>,
    /// The width and height of the images among `assets` that say them.
    pub image_sizes: HashMap<String, (u32, u32)>,
    /// `duplicate-faq` findings, kept until a FAQ entry changes.
    pub faq_duplicates: Option<Vec<Arc<Diagnostic>>>,
    /// The pages' addresses and the glossary's matcher, made once per plan.
    links: links::Links,
    /// What is wrong with the tags ([`tags::check`]), kept until a tag
    /// changes or an article with a finding is saved (its text, and so the
    /// finding's place, moved).
    tag_findings: Option<Vec<Arc<Diagnostic>>>,
    /// Pages are rendered with their plain text and prose (see [`assemble`]).
    pub text: bool,
    /// The tags of the articles, by address (none when `tags: false`).
    pub tags: Vec<tags::Tag>,
    /// Markdown files that failed to load (`content::Content::failed`).
    pub failed: HashSet<String>,
    /// Where each source is shown on the source list (`split`).
    pub source_list: split::SourceList,
    /// Where each glossary term is shown (`split`).
    pub glossary_list: split::Lettered,
}

pub(crate) const FAQ_PATH: &str = "faq/";
/// The search page's folder (with search on).
pub(crate) const SEARCH_PATH: &str = "search/";
pub(crate) const GLOSSARY_PATH: &str = "glossary/";

/// A trust page a site may turn on in `trust_pages:`.
#[derive(Debug)]
pub(crate) struct TrustPage {
    /// `page.kind`, and the template without `.html`.
    pub kind: &'static str,
    /// The output folder: `accessibility/`.
    pub path: &'static str,
    pub title: &'static str,
}

pub(crate) const TRUST_PAGES: [TrustPage; 3] = [
    TrustPage { kind: "accessibility", path: "accessibility/", title: "Accessibility statement" },
    TrustPage { kind: "editorial-policy", path: "editorial-policy/", title: "Editorial policy" },
    TrustPage { kind: "funding", path: "funding/", title: "Funding and conflicts of interest" },
];

/// The trust pages the site has turned on, in [`TRUST_PAGES`] order.
pub(crate) fn trust_pages(config: &Config) -> impl Iterator<Item = &'static TrustPage> {
    let t = &config.trust_pages;
    let on = [t.accessibility.is_some(), t.editorial_policy.is_some(), t.funding];
    TRUST_PAGES.iter().zip(on).filter(|(_, on)| *on).map(|(page, _)| page)
}

/// Told about each article as soon as its Markdown is rendered, while the
/// rest are still being rendered: `build` writes the page there and drops its
/// HTML, so a build never holds every rendered page at once.
pub(crate) trait PageSink: Sync {
    /// Called once before any page, with the site as known before rendering:
    /// every article's front matter and URL, the topics, the bibliography.
    fn start(&self, site: &Site);
    /// Article `index` has just been rendered; `site` is as in `start`.
    fn page(&self, site: &Site, index: usize, page: &mut Page);
    /// Page `page` of the FAQ index has just had its `answers` rendered
    /// (beside the articles, which may still be rendering, and the index's
    /// other pages); `site` is as in `start`, with the topic pages rendered.
    /// As with `page`, a sink that keeps nothing may drop them.
    fn faq_page(&self, site: &Site, index: &FaqIndex, page: usize, answers: &mut PageAnswers);
    /// Every page of the FAQ index has been to `faq_page`.
    fn faq(&self, site: &Site, index: &mut FaqIndex);
    /// Every page is rendered and `site` is whole (who cites what, which
    /// article explains which term) but for the diagnostics of its
    /// cross-checks, which are made after this call: the site-wide pages
    /// can be written.
    fn assembled(&self, site: &Site);
}

/// The most articles a rendering thread takes on at once.
const ARTICLES_PER_RUN: usize = 16;

/// Render and cross-check everything `content` holds. `text`: collect the
/// plain text and prose of every page (for `check`). `sink` sees each
/// article as it is rendered, and may drop what it no longer needs.
pub(crate) fn assemble(
    content: Content,
    bibliography: Bibliography,
    glossary: Glossary,
    (people, record): (People, Record),
    config: Config,
    text: bool,
    sink: Option<&dyn PageSink>,
) -> (Site, Vec<Arc<Diagnostic>>) {
    let Content { root, home, topics, mut articles, assets, image_sizes, failed, .. } = content;
    let mut site = Site {
        root,
        config,
        home: None,
        topics: Vec::new(),
        articles: Vec::new(),
        faq: FaqIndex::default(),
        glossary,
        term_use: Vec::new(),
        bibliography,
        people,
        record,
        cited_in: BTreeMap::new(),
        assets,
        image_sizes,
        faq_duplicates: None,
        tag_findings: None,
        links: links::Links::default(),
        text,
        tags: Vec::new(),
        failed: failed.into_iter().collect(),
        source_list: split::SourceList::default(),
        glossary_list: split::Lettered::default(),
    };
    site.lay_out_lists();
    let mut paths = HashMap::new();
    for a in home.iter().chain(&articles) {
        paths.insert(content_rel(&a.file), a.path());
    }
    for t in &topics {
        paths.insert(content_rel(&t.file), format!("{}/", t.name));
    }
    // first the site as the front matter describes it, then the Markdown
    let texts: Vec<String> = articles.iter_mut().map(|a| std::mem::take(&mut a.text)).collect();
    site.articles = articles.into_iter().map(Page::unrendered).collect();
    // the home page too is there, unrendered, while the articles render
    site.home = home.map(Page::unrendered);
    site.tags = site.collect_tags();
    site.topics = topic_pages(topics, &site.articles);
    site.links = links((&site.glossary, &site.glossary_list), paths);
    let table = link_table(
        &site.links,
        (&site.assets, &site.image_sizes),
        (&site.bibliography, &site.people),
        &site.failed,
        &site.config.care_cards,
    );
    for t in &mut site.topics {
        t.body = render_topic(t, &table, site.text);
    }
    if let Some(sink) = sink {
        sink.start(&site);
    }
    // the FAQ index (each page's answers rendered one after another, so
    // their citations number in page order) beside the articles
    let (pages, faq) = rayon::join(
        || {
            site.articles
                .par_iter()
                .zip(texts)
                .enumerate()
                // in short runs: rayon splits a range about as many times
                // as there are threads (more only when a piece is stolen),
                // so one thread could be left alone with a long run at the end
                .with_max_len(ARTICLES_PER_RUN)
                .map(|(i, (skeleton, text))| {
                    let mut page = read_and_render(Article { text, ..skeleton.article.clone() }, &table, site.text);
                    if let Some(sink) = sink {
                        sink.page(&site, i, &mut page);
                    }
                    page
                })
                .collect::<Vec<Page>>()
        },
        || {
            let (topics, per) = (&site.topics, site.config.paginate_by);
            let Some(sink) = sink else { return faq::index(topics, &site.articles, &table, per) };
            let each = |index: &FaqIndex, p: usize, answers: &mut PageAnswers| sink.faq_page(&site, index, p, answers);
            let mut index = faq::index_each(topics, &site.articles, &table, per, each);
            sink.faq(&site, &mut index);
            index
        },
    );
    let home = site.home.take().map(|p| read_and_render(p.article, &table, site.text));
    drop(table);
    site.articles = pages;
    site.home = home;
    site.faq = faq;
    site.index_uses();
    // the site-wide pages, then the cross-checks: a sink that keeps no
    // page lets go of what the pages shared before the findings are made
    // (320,000 repeated questions at 100,000 articles)
    if let Some(sink) = sink {
        sink.assembled(&site);
    }
    let checks = site.cross_check(true);
    let diags = site.keep(checks);
    (site, diags)
}

/// What resolves links, sources and glossary terms on every page (from the
/// site's fields, so a caller may change others meanwhile).
fn link_table<'a>(
    links: &'a links::Links,
    (assets, image_sizes): (&'a [String], &'a HashMap<String, (u32, u32)>),
    (bibliography, people): (&'a Bibliography, &'a People),
    failed: &'a HashSet<String>,
    care_cards: &'a crate::config::CareCards,
) -> LinkTable<'a> {
    LinkTable {
        links,
        assets: assets.iter().map(String::as_str).collect(),
        image_sizes,
        care_cards,
        bibliography,
        people,
        failed,
        by_address: Default::default(),
    }
}

/// The pages' addresses by file and the glossary's matcher: made once per
/// plan, kept in the site ([`links::Links`]).
fn links((glossary, glossary_list): (&Glossary, &split::Lettered), pages: HashMap<String, String>) -> links::Links {
    let terms = (!glossary.terms.is_empty()).then(|| {
        TermMatcher::new(glossary.terms.iter().map(|t| {
            (std::iter::once(t.term.clone()).chain(t.aliases.iter().cloned()).collect(), t.definition.clone())
        }))
    });
    links::Links {
        pages,
        terms,
        term_targets: glossary
            .terms
            .iter()
            .enumerate()
            .map(|(i, t)| format!("{}index.html#{}", glossary_list.path_of(i), t.anchor))
            .collect(),
    }
}

fn content_rel(file: &str) -> String {
    file.strip_prefix("content/").unwrap_or(file).to_string()
}

impl Site {
    /// Whether a page with a signed review shows the image `rel` (under
    /// `content/`): the review's fingerprint covers the image's bytes, so
    /// a new version of it changes what the page says of its review.
    pub(crate) fn shown_on_signed_page(&self, rel: &str) -> bool {
        self.home
            .iter()
            .chain(&self.articles)
            .any(|p| !self.record.of(&p.article.file).is_empty() && p.images_shown().any(|i| i == rel))
    }

    /// Where the source list and the glossary show each entry: known from
    /// the bibliography and the glossary alone, before any page.
    fn lay_out_lists(&mut self) {
        let per = self.config.paginate_by;
        self.source_list = split::SourceList::new(&self.bibliography, per);
        let terms = self.glossary.terms.iter().map(|t| t.term.as_str());
        self.glossary_list = split::Lettered::new(GLOSSARY_PATH, terms, per);
    }

    /// Whether the site has an FAQ index: some article in a topic asks a
    /// question. Known from the front matter, before any page is rendered.
    pub fn has_faq(&self) -> bool {
        self.topics.iter().flat_map(|t| &t.articles).any(|&a| !self.articles[a].article.front.faq.is_empty())
    }

    /// The tags of the articles, when the site has tags on.
    fn collect_tags(&self) -> Vec<tags::Tag> {
        if !self.config.tags {
            return Vec::new();
        }
        tags::collect(self.articles.iter().map(|p| &p.article))
    }

    /// The link resolution table of this site, as its pages were rendered with.
    pub fn link_table(&self) -> LinkTable<'_> {
        link_table(
            &self.links,
            (&self.assets, &self.image_sizes),
            (&self.bibliography, &self.people),
            &self.failed,
            &self.config.care_cards,
        )
    }

    /// After [`Site::replace_article`]: recompute what is derived from the
    /// rendered pages (the FAQ index and duplicate questions when `faq` is
    /// set, or the first time; anchors) and return every diagnostic of the
    /// pages and of these cross-checks.
    pub fn finish(&mut self, faq: bool) -> Vec<Arc<Diagnostic>> {
        let redo_duplicates = faq || self.faq_duplicates.is_none();
        let this = &*self;
        // the FAQ index (each page's answers rendered one after another, so
        // their citations number in page order) beside everything else
        let (index, checks) = rayon::join(
            || faq.then(|| faq::index(&this.topics, &this.articles, &this.link_table(), this.config.paginate_by)),
            || this.cross_check(redo_duplicates),
        );
        if let Some(index) = index {
            self.faq = index;
        }
        self.keep(checks)
    }

    /// Keep what the cross-checks derived; their diagnostics.
    fn keep(&mut self, checks: CrossChecks) -> Vec<Arc<Diagnostic>> {
        if let Some(duplicates) = checks.duplicates {
            self.faq_duplicates = Some(duplicates);
        }
        if let Some(findings) = checks.tag_findings {
            self.tag_findings = Some(findings);
        }
        checks.diagnostics
    }

    /// Who cites which source, and which articles explain which glossary
    /// term, from the rendered pages.
    fn index_uses(&mut self) {
        self.cited_in = cited_in(&self.home, &self.articles);
        self.term_use = term_use(&self.glossary, &self.articles);
        self.tags = self.collect_tags();
    }

    /// [`Site::index_uses`] for one article whose page was `old`: its old
    /// places leave the indexes and its new ones join them where the whole
    /// index puts them (in page order), so one saved article costs what it
    /// cites and uses, not what the site does.
    fn reindex_uses(&mut self, index: usize, old: &Page) {
        let new = &self.articles[index];
        // a place sorts by page: the home page (`None`) first, then articles in order
        let up_to = |c: &CitedAt| c.article.is_none_or(|a| a <= index);
        for id in old.cited() {
            if let Some(places) = self.cited_in.get_mut(id) {
                places.retain(|c| c.article != Some(index));
                if places.is_empty() {
                    self.cited_in.remove(id);
                }
            }
        }
        for (id, place) in new.places(Some(index)) {
            let places = self.cited_in.entry(id.to_string()).or_default();
            let at = places.partition_point(up_to);
            places.insert(at, place);
        }
        for &t in &old.citations.terms_used {
            self.term_use[t].retain(|&a| a != index);
        }
        for &t in &new.citations.terms_used {
            let uses = &mut self.term_use[t];
            let at = uses.partition_point(|&a| a <= index);
            uses.insert(at, index);
        }
        // the tags are made from every article's list: the same lists, the same tags
        if new.article.front.tags != old.article.front.tags {
            self.tags = self.collect_tags();
            self.tag_findings = None;
        } else if self
            .tag_findings
            .iter()
            .flatten()
            .any(|d| d.span.as_ref().is_some_and(|s| s.file == new.article.file))
        {
            self.tag_findings = None;
        }
    }

    /// The diagnostics of the whole site (after [`Site::index_uses`]): the
    /// pages' own, duplicate questions (found again when `redo_duplicates`),
    /// anchors, unused sources, unused glossary terms.
    fn cross_check(&self, redo_duplicates: bool) -> CrossChecks {
        // room for the kept findings up front: tens of thousands on a large site
        let kept = self.faq_duplicates.as_ref().map_or(0, Vec::len) + self.tag_findings.as_ref().map_or(0, Vec::len);
        let mut diags = Vec::with_capacity(kept + 64);
        for page in self.home.iter().chain(&self.articles) {
            diags.extend(page.body.diagnostics.iter().cloned().map(Arc::new));
            for entry in &page.faq {
                diags.extend(entry.answer.diagnostics.iter().cloned().map(Arc::new));
            }
        }
        for t in &self.topics {
            diags.extend(t.body.diagnostics.iter().cloned().map(Arc::new));
        }
        let duplicates = redo_duplicates.then(|| faq::duplicates(&self.articles));
        diags.extend(duplicates.as_ref().or(self.faq_duplicates.as_ref()).into_iter().flatten().cloned());
        let mut anchors = Vec::new();
        check_anchors(&self.home, &self.topics, &self.articles, &mut anchors);
        diags.extend(anchors.into_iter().map(Arc::new));
        let tag_findings = (self.config.tags && self.tag_findings.is_none()).then(|| {
            tags::check(self.articles.iter().map(|p| &p.article)).into_iter().map(Arc::new).collect::<Vec<_>>()
        });
        diags.extend(tag_findings.as_ref().or(self.tag_findings.as_ref()).into_iter().flatten().cloned());
        // an article that failed to load may cite any source and use any
        // term: saying one is unused would follow only from that failure
        let uses_known = self.failed.is_empty();
        for (id, source) in &self.bibliography.sources {
            if uses_known && !self.cited_in.contains_key(id) {
                diags.push(Arc::new(
                    Diagnostic::warning(Code::UnusedSource, format!("source `{id}` is never cited"))
                        .with_span(source.span.clone())
                        .with_help("cite it with `[@id]` where it supports a claim, or remove it"),
                ));
            }
        }
        for (term, used) in self.glossary.terms.iter().zip(&self.term_use) {
            if uses_known && used.is_empty() {
                diags.push(Arc::new(
                    Diagnostic::warning(
                        Code::UnusedTerm,
                        format!("glossary term `{}` is not used in any article", term.term),
                    )
                    .with_span(term.span.clone())
                    .with_help("remove it, or add the wording articles actually use to its `aliases:`"),
                ));
            }
        }
        CrossChecks { duplicates, tag_findings, diagnostics: diags }
    }

    /// Put a re-read version of article `index` in place: the caller made
    /// sure it keeps its URL and its place in the order. Returns what else
    /// the change touches, found from the article's old and new page alone.
    pub fn replace_article(&mut self, index: usize, article: Article) -> Replaced {
        let table = self.link_table();
        let page = render_page(article, &table, self.text);
        drop(table);
        let old = &self.articles[index];
        let (old_faq, new_faq) = (&old.article.front.faq, &page.article.front.faq);
        let faq = old_faq.len() != new_faq.len()
            || old_faq.iter().zip(new_faq).any(|(a, b)| a.q != b.q || a.a != b.a)
            || old.article.faq_offsets != page.article.faq_offsets;
        // the article's places are all it adds to `cited_in` (in page
        // order), its terms all it adds to `term_use`: the same places and
        // terms leave both as they were
        let cited_in = !old.places(Some(index)).eq(page.places(Some(index)));
        let term_use = old.citations.terms_used != page.citations.terms_used;
        let old = std::mem::replace(&mut self.articles[index], page);
        self.reindex_uses(index, &old);
        Replaced { faq, cited_in, term_use }
    }
}

/// What replacing one article changed besides its own page
/// ([`Site::replace_article`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Replaced {
    /// Its FAQ entries (the FAQ index must be made again).
    pub faq: bool,
    /// Which sources it cites where ([`Site::cited_in`]: the source list).
    pub cited_in: bool,
    /// Which glossary terms it uses ([`Site::term_use`]: the glossary).
    pub term_use: bool,
}

impl Page {
    /// The site's images the page shows (paths under `content/`), in its
    /// body and its FAQ answers, in order.
    pub(crate) fn images_shown(&self) -> impl Iterator<Item = &str> {
        self.texts().flat_map(|t| &t.images).map(String::as_str)
    }

    /// The page's rendered texts: its body, then each FAQ answer.
    pub(crate) fn texts(&self) -> impl Iterator<Item = &Rendered> {
        std::iter::once(&self.body).chain(self.faq.iter().map(|e| &e.answer))
    }

    /// A page whose Markdown is not rendered yet.
    fn unrendered(article: Article) -> Page {
        Page {
            path: article.path(),
            body: Rendered::default(),
            faq: Vec::new(),
            citations: Citations::new(""),
            article,
        }
    }
}

/// [`render_page`] once the body left in the file is read
/// ([`Article::read_body`]); a body that cannot be read renders nothing,
/// the page holding why.
fn read_and_render(mut article: Article, table: &LinkTable, text: bool) -> Page {
    match article.read_body() {
        Ok(()) => render_page(article, table, text),
        Err(d) => {
            let mut page = Page::unrendered(article);
            page.body.diagnostics.push(d);
            page
        }
    }
}

fn render_page(article: Article, table: &LinkTable, text: bool) -> Page {
    let path = article.path();
    let resolver =
        PageResolver { table, dir: &article.dir, page: &path, home: &path, text, suggestions: Suggestions::default() };
    let mut citations = Citations::new("");
    let lines = Lines::default();
    let source = Source { file: &article.file, text: &article.text, offset: article.split.body_start, lines: &lines };
    let anchors = faq_anchors(&article);
    let body = markdown::render_around(article.body(), source, &resolver, &mut citations, &anchors);
    let faq = article
        .front
        .faq
        .iter()
        .zip(&article.faq_offsets)
        .zip(anchors)
        .map(|((item, (_, offset)), anchor)| {
            let source = Source { file: &article.file, text: &article.text, offset: *offset, lines: &lines };
            let answer = markdown::render(&item.a, source, &resolver, &mut citations);
            FaqEntry { question: item.q.clone(), anchor, answer }
        })
        .collect();
    let mut body = body;
    unknown_authors(&article, table.people, &mut body.diagnostics);
    Page { path, body, faq, citations, article }
}

/// A warning for each author the article names who is not in
/// people.yaml (an error in `check`): the page's byline and its JSON-LD
/// leave them out, which a build would otherwise do without a word.
fn unknown_authors(article: &Article, people: &People, diags: &mut Vec<Diagnostic>) {
    for (i, id) in article.front.authors.iter().enumerate() {
        if people.get(id).is_some() {
            continue;
        }
        let doc = article.split.document(&article.file, &article.text);
        let span = doc.value_span(crate::yaml::Path::from("authors").item(i));
        if let Some(mut d) = people.unknown(id, span) {
            d.severity = crate::diagnostics::Severity::Warning;
            diags.push(d);
        }
    }
}

/// The ids of an article's FAQ entries on its page: `faq-` and the question,
/// numbered when two questions make the same id. They come from the
/// questions alone (headings give way to them), so a new heading never
/// moves one, and the FAQ index can link to them before the page is rendered.
pub(crate) fn faq_anchors(article: &Article) -> Vec<String> {
    let mut taken = markdown::UniqueIds::new(markdown::RESERVED_IDS.iter().map(|s| s.to_string()));
    article.front.faq.iter().map(|item| taken.unique(format!("faq-{}", markdown::slugify(&item.q)))).collect()
}

/// What [`Site::cross_check`] found.
struct CrossChecks {
    duplicates: Option<Vec<Arc<Diagnostic>>>,
    tag_findings: Option<Vec<Arc<Diagnostic>>>,
    diagnostics: Vec<Arc<Diagnostic>>,
}

/// The topic pages, listing their articles in order; bodies not rendered yet.
fn topic_pages(topics: Vec<Topic>, pages: &[Page]) -> Vec<TopicPage> {
    let mut by_topic: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, p) in pages.iter().enumerate() {
        by_topic.entry(p.article.topic.as_str()).or_default().push(i);
    }
    topics
        .into_iter()
        .map(|topic| {
            let path = format!("{}/", topic.name);
            let articles = by_topic.get(topic.name.as_str()).cloned().unwrap_or_default();
            TopicPage { topic, path, body: Rendered::default(), articles }
        })
        .collect()
}

fn render_topic(page: &TopicPage, table: &LinkTable, text: bool) -> Rendered {
    let topic = &page.topic;
    let resolver = PageResolver {
        table,
        dir: &topic.name,
        page: &page.path,
        home: &page.path,
        text,
        suggestions: Suggestions::default(),
    };
    let lines = Lines::default();
    let source = Source { file: &topic.file, text: &topic.text, offset: topic.split.body_start, lines: &lines };
    markdown::render(topic.body(), source, &resolver, &mut Citations::new("topic-"))
}

/// Every `#fragment` must name an id on its page: a heading, a FAQ entry, a reference.
fn check_anchors(home: &Option<Page>, topics: &[TopicPage], pages: &[Page], diags: &mut Vec<Diagnostic>) {
    let all_refs: Vec<&crate::markdown::AnchorRef> = home
        .iter()
        .chain(pages)
        .flat_map(|p| p.texts().flat_map(|t| &t.anchors))
        .chain(topics.iter().flat_map(|t| t.body.anchors.iter()))
        .collect();
    if all_refs.is_empty() {
        return;
    }
    // the ids of the pages links point into, borrowed; only those pages
    let targets: HashSet<&str> = all_refs.iter().map(|r| r.page.as_str()).collect();
    let mut ids: HashMap<&str, HashSet<&str>> = HashMap::new();
    // each target's Markdown file, named in the message: the file the author
    // opens to find the heading, not the address it is published at
    let mut files: HashMap<&str, &str> = HashMap::new();
    for page in home.iter().chain(pages).filter(|p| targets.contains(p.path.as_str())) {
        files.insert(page.path.as_str(), page.article.file.as_str());
        let set = ids.entry(page.path.as_str()).or_default();
        set.extend(page.body.headings.iter().map(|h| h.id.as_str()));
        set.extend(page.faq.iter().map(|f| f.anchor.as_str()));
        set.extend(markdown::RESERVED_IDS.iter().copied());
    }
    for t in topics.iter().filter(|t| targets.contains(t.path.as_str())) {
        files.insert(t.path.as_str(), t.topic.file.as_str());
        ids.entry(t.path.as_str()).or_default().extend(t.body.headings.iter().map(|h| h.id.as_str()));
    }
    let references: HashMap<&str, usize> = home
        .iter()
        .chain(pages)
        .filter(|p| targets.contains(p.path.as_str()))
        .map(|p| (p.path.as_str(), p.citations.order.len()))
        .collect();
    // "did you mean" within a budget per linking file: thousands of broken
    // anchors among thousands of headings compare no more than that
    let mut suggestions: HashMap<&str, Suggestions> = HashMap::new();
    for r in all_refs {
        let is_reference = r
            .fragment
            .strip_prefix("ref-")
            .and_then(|n| n.parse::<usize>().ok())
            .is_some_and(|n| n >= 1 && n <= references.get(r.page.as_str()).copied().unwrap_or(0));
        let known = is_reference || ids.get(r.page.as_str()).is_some_and(|set| set.contains(r.fragment.as_str()));
        if !known {
            let suggestions = suggestions.entry(r.span.file.as_str()).or_default();
            let near = ids.get(r.page.as_str()).and_then(|set| {
                suggestions.nearest(&r.fragment, set.iter().copied().filter(|id| !markdown::RESERVED_IDS.contains(id)))
            });
            let help = match near {
                Some(id) => format!("did you mean `#{id}`?"),
                None => "heading ids are the heading text in lowercase with `-` between words; or set one with `## Title {#id}`".to_string(),
            };
            diags.push(
                Diagnostic::error(
                    Code::BrokenAnchor,
                    match files.get(r.page.as_str()) {
                        Some(file) if *file == r.span.file => format!("no heading or id `{}` on this page", r.fragment),
                        Some(file) => format!("no heading or id `{}` in {file}", r.fragment),
                        None => format!("no heading or id `{}` on /{}", r.fragment, r.page),
                    },
                )
                .with_span(r.span.clone())
                .with_help(help),
            );
        }
    }
}

fn cited_in(home: &Option<Page>, pages: &[Page]) -> BTreeMap<String, Vec<CitedAt>> {
    // borrowed keys while collecting: one allocation per source, not per citation
    let mut map: HashMap<&str, Vec<CitedAt>> = HashMap::new();
    let all = home.iter().map(|p| (None, p)).chain(pages.iter().enumerate().map(|(i, p)| (Some(i), p)));
    for (article, page) in all {
        for (id, place) in page.places(article) {
            map.entry(id).or_default().push(place);
        }
    }
    map.into_iter().map(|(id, places)| (id.to_string(), places)).collect()
}

impl Page {
    /// Each citation of this page (article `article`), in page order: the
    /// body's, then each FAQ answer's.
    fn places(&self, article: Option<usize>) -> impl Iterator<Item = (&str, CitedAt)> {
        let body = self.body.cited.iter().map(move |id| (id.as_str(), CitedAt { article, faq: None }));
        let answers = self.faq.iter().enumerate().flat_map(move |(e, entry)| {
            entry.answer.cited.iter().map(move |id| (id.as_str(), CitedAt { article, faq: Some(e) }))
        });
        body.chain(answers)
    }

    /// The source ids this page cites, anywhere (an id may repeat).
    fn cited(&self) -> impl Iterator<Item = &str> {
        self.places(None).map(|(id, _)| id)
    }
}

/// Which articles explain each term; an unused term is a warning.
fn term_use(glossary: &Glossary, pages: &[Page]) -> Vec<Vec<usize>> {
    let mut uses = vec![Vec::new(); glossary.terms.len()];
    for (i, page) in pages.iter().enumerate() {
        for &t in &page.citations.terms_used {
            uses[t].push(i);
        }
    }
    uses
}
