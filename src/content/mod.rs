//! Walk `content/`, split and validate front matter, and return the site's
//! raw material: [`Article`]s, [`Topic`]s, assets, and the bibliography and
//! glossary files. Nothing here renders Markdown or knows about URLs beyond
//! the slug; that is `site`'s job.
//!
//! Layout (SPEC §4): `index.md` (home), `<topic>/_index.md`,
//! `<topic>/<slug>.md`, `<topic>/<slug>/index.md` (with co-located assets),
//! `sources.yaml`, `sources.bib`, `glossary.yaml`; any other file is an asset.
//! Files are found and read through [`crate::input`]: names it ignores are
//! never seen here. The files beside a draft's `index.md` are assets only
//! when drafts are built.

pub(crate) mod dates;
pub(crate) mod front_matter;
pub(crate) mod glossary;
pub(crate) mod images;
pub(crate) mod people;
pub(crate) mod record;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::{Config, is_slug};
use crate::diagnostics::{Code, Diagnostic, Lines, Span, relative};
use crate::input;
pub(crate) use front_matter::{
    Audience, FrontMatter, NEW_DESCRIPTION, NEW_PLACEHOLDERS, RawFaq, Review, ReviewRole, Split, TopicFrontMatter,
};

/// A Markdown file with valid front matter: an article, or the home page.
#[derive(Debug, Clone)]
pub struct Article {
    /// Relative to the site root: `content/efficacy/ketamine-vs-ect.md`.
    pub file: String,
    pub text: String,
    pub split: Split,
    /// Folder of the topic; empty for the home page.
    pub topic: String,
    /// URL segment; empty for the home page.
    pub slug: String,
    /// The folder the Markdown file sits in, relative to `content/`, `/`-separated.
    pub dir: String,
    /// Shared: each rendered page starts from a copy of its article as the
    /// site was laid out, and a large site's front matter should be held once.
    pub front: std::sync::Arc<FrontMatter>,
    /// Byte offsets in `text` of each FAQ entry's question and answer.
    pub faq_offsets: Vec<(usize, usize)>,
    /// Set when `text` holds the front matter only and the body was left in
    /// the file, to be read again when the page is rendered
    /// ([`Article::read_body`]).
    pub later: Option<Later>,
}

/// How to read an article's body again, and what it was when the front
/// matter was read: `build` and `check` leave every body in its file between
/// loading and rendering, so the 100 MB of Markdown of 10,000 articles are
/// never all in memory at once (ARCHITECTURE.md, "Where the memory goes").
#[derive(Debug, Clone)]
pub struct Later {
    /// The site's folder (the file is `Article::file` in it).
    root: std::sync::Arc<Path>,
    /// The body's length in bytes and hash, as first read.
    len: usize,
    hash: u64,
}

/// What tells a body read again from the one read first (not a defence
/// against anyone: the author's own file, saved meanwhile).
fn body_hash(body: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::quality::FixedState::with_seed(0).hash_one(body)
}

impl Article {
    pub fn body(&self) -> &str {
        &self.text[self.split.body_start..]
    }

    /// Read the body left in the file at loading (see [`Later`]) back into
    /// `text`; nothing to do when it was kept. A file that can no longer be
    /// read, or whose front matter or body differ from what was read first
    /// (saved during the build), is an `unreadable-file` error: the page
    /// would not match what the rest of the site was made from.
    pub(crate) fn read_body(&mut self) -> Result<(), Diagnostic> {
        let Some(later) = self.later.take() else { return Ok(()) };
        let text = input::text(&later.root, &later.root.join(&self.file))?;
        let front = self.text.len();
        let same = text.len() == front + later.len
            && text.starts_with(self.text.as_str())
            && body_hash(&text[front..]) == later.hash;
        if !same {
            return Err(Diagnostic::error(Code::UnreadableFile, "the file changed while the site was being built")
                .in_file(self.file.clone())
                .with_help("nothing was written; build again"));
        }
        self.text = text;
        Ok(())
    }

    /// Leave the body in the file until [`Article::read_body`].
    fn leave_body(&mut self, root: &std::sync::Arc<Path>) {
        let body = self.body();
        let (len, hash) = (body.len(), body_hash(body));
        self.text.truncate(self.split.body_start);
        self.text.shrink_to_fit();
        self.later = Some(Later { root: root.clone(), len, hash });
    }

    /// `topic/slug/`, or `""` for the home page.
    pub fn path(&self) -> String {
        if self.slug.is_empty() { String::new() } else { format!("{}/{}/", self.topic, self.slug) }
    }
}

/// A topic: a folder of `content/` holding `_index.md`.
#[derive(Debug, Clone)]
pub struct Topic {
    pub name: String,
    pub file: String,
    pub text: String,
    pub split: Split,
    pub front: TopicFrontMatter,
}

impl Topic {
    pub fn body(&self) -> &str {
        &self.text[self.split.body_start..]
    }
}

/// A text file the site reads as data (bibliography, glossary).
#[derive(Debug, Clone)]
pub struct DataFile {
    pub file: String,
    pub text: String,
}

/// Everything `content/` holds, validated.
#[derive(Debug, Default)]
pub(crate) struct Content {
    /// The site's folder (what `content/` is in).
    pub root: std::path::PathBuf,
    pub home: Option<Article>,
    /// In navigation order.
    pub topics: Vec<Topic>,
    /// By topic order, then weight, then title, then slug.
    pub articles: Vec<Article>,
    /// Other files, relative to `content/` (`efficacy/figures/trial.png`).
    pub assets: Vec<String>,
    /// The width and height of each image among the assets whose file says
    /// them (`images`).
    pub image_sizes: HashMap<String, (u32, u32)>,
    pub sources_yaml: Option<DataFile>,
    pub sources_bib: Option<DataFile>,
    /// `sources.json`: CSL-JSON, as Zotero exports it.
    pub sources_json: Option<DataFile>,
    pub glossary: Option<DataFile>,
    /// `people.yaml`: who writes and reviews.
    pub people: Option<DataFile>,
    /// `reviews.yaml`: the signed review record.
    pub reviews: Option<DataFile>,
    /// Markdown files (relative to `content/`) that are there but failed to
    /// load, each with its error: what only follows from their absence
    /// (links to them) is not reported again.
    pub failed: Vec<String>,
    /// A bibliography file is there but could not be read (not UTF-8, a
    /// link out of the site…), with its error: no citation is unknown.
    pub sources_unread: bool,
}

/// The bibliography files of `content/`.
const SOURCE_FILES: &[&str] = &["content/sources.yaml", "content/sources.bib", "content/sources.json"];

/// The files of `content/` that must be files (a folder there is reported).
/// `sources.lock.yaml` is `check`'s (it reads it itself); listed so it is
/// never published as an asset.
const DATA_FILES: &[&str] = &[
    "sources.yaml",
    "sources.bib",
    "sources.json",
    "sources.lock.yaml",
    "glossary.yaml",
    "people.yaml",
    "reviews.yaml",
];

/// How [`load`] holds the articles' bodies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Bodies {
    /// In memory, for whoever needs them all at once (`serve`, `review`, `source`).
    Keep,
    /// Left in their files until each page is rendered ([`Later`]).
    Later,
}

/// Load `root/content`. `drafts` keeps articles marked `draft: true`, and
/// the files beside a draft's `index.md`.
pub(crate) fn load(root: &Path, config: &Config, drafts: bool, bodies: Bodies) -> (Content, Vec<Diagnostic>) {
    let dir = root.join("content");
    let mut diags = Vec::new();
    match input::folder(root, &dir) {
        Ok(true) => {}
        Ok(false) => {
            diags.push(Diagnostic::error(Code::MissingKey, "there is no content/ folder").in_file("content"));
            return (Content::default(), diags);
        }
        Err(d) => return (Content::default(), vec![d]),
    }
    let (files, found) = input::walk(root, &dir, DATA_FILES);
    diags.extend(found);
    let mut content = Content { root: root.to_path_buf(), ..Content::default() };
    let mut markdown = Vec::new();
    let mut assets = Vec::new();
    for (rel, path) in files {
        match rel.as_str() {
            "sources.yaml" => content.sources_yaml = read_data(root, &path, &mut diags),
            "sources.bib" => content.sources_bib = read_data(root, &path, &mut diags),
            "sources.json" => content.sources_json = read_data(root, &path, &mut diags),
            "sources.lock.yaml" => {}
            "glossary.yaml" => content.glossary = read_data(root, &path, &mut diags),
            "people.yaml" => content.people = read_data(root, &path, &mut diags),
            "reviews.yaml" => content.reviews = read_data(root, &path, &mut diags),
            _ if rel.ends_with(".md") => markdown.push((rel, path)),
            _ => match screen_file(&rel) {
                Some(d) => diags.push(d),
                None => assets.push((rel, path)),
            },
        }
    }
    // (the walk refuses a link out of the site; reading, a file not UTF-8)
    content.sources_unread =
        diags.iter().any(|d| d.is_error() && d.file.as_deref().is_some_and(|f| SOURCE_FILES.contains(&f)));
    let shared_root: std::sync::Arc<Path> = root.into();
    let loaded: Vec<(Option<Loaded>, Vec<Diagnostic>)> = markdown
        .par_iter()
        .map(|(rel, path)| {
            let (mut loaded, diags) = load_markdown(root, rel, path);
            if let (Some(Loaded::Article(a)), Bodies::Later) = (&mut loaded, bodies) {
                a.leave_body(&shared_root);
            }
            (loaded, diags)
        })
        .collect();
    let mut topics = Vec::new();
    let mut articles = Vec::new();
    // `<topic>/<slug>/` of each draft bundle left out
    let mut unpublished = Vec::new();
    for ((loaded, d), (rel, _)) in loaded.into_iter().zip(&markdown) {
        if loaded.is_none() && d.iter().any(Diagnostic::is_error) {
            content.failed.push(rel.clone());
        }
        // a draft left out says nothing of itself: its body is not read
        // either, and `--drafts` (check's too) reads it all
        if !matches!(&loaded, Some(Loaded::Article(a)) if !published(a, drafts)) {
            diags.extend(d);
        }
        match loaded {
            Some(Loaded::Home(a)) => content.home = Some(a),
            Some(Loaded::Topic(t)) => topics.push(t),
            // a bundle (`<topic>/<slug>/index.md`): the files beside it stay out too
            Some(Loaded::Article(a)) if !published(&a, drafts) && a.file.ends_with("/index.md") => {
                unpublished.push(format!("{}/", a.dir));
            }
            Some(Loaded::Article(a)) if !published(&a, drafts) => {}
            Some(Loaded::Article(a)) => articles.push(a),
            None => {}
        }
    }
    assets.retain(|(rel, _)| !unpublished.iter().any(|dir| rel.starts_with(dir.as_str())));
    (content.assets, content.image_sizes) = readable_assets(root, assets, &mut diags);
    content.assets.sort();
    content.topics = order_topics(topics, config, &content.failed, &mut diags);
    content.articles = order_articles(articles, &content.topics, &mut content.failed, &mut diags);
    (content, diags)
}

/// The assets that can be read (they are copied later, not read here but
/// for the first bytes of an image, which tell its size), and the sizes.
fn readable_assets(
    root: &Path,
    assets: Vec<(String, PathBuf)>,
    diags: &mut Vec<Diagnostic>,
) -> (Vec<String>, HashMap<String, (u32, u32)>) {
    type Checked = Result<Option<(u32, u32)>, input::Unread>;
    let checked: Vec<(String, Checked)> = assets
        .into_par_iter()
        .map(|(rel, path)| {
            let result = match images::is_image(&rel) {
                // read whole: what it would run when opened is refused
                true if images::is_svg(&rel) => {
                    input::text(root, &path).and_then(|text| match images::svg_hazard(&text) {
                        None => Ok(images::size(&rel, text.as_bytes())),
                        Some((why, at)) => Err(input::refused(unsafe_svg(&rel, &text, &why, at))),
                    })
                }
                true => input::head(root, &path, images::HEAD).map(|head| images::size(&rel, &head)),
                false => input::readable(root, &path).map(|()| None),
            };
            (rel, result)
        })
        .collect();
    let mut kept = Vec::with_capacity(checked.len());
    let mut sizes = HashMap::new();
    for (rel, result) in checked {
        match result {
            Ok(size) => {
                if let Some(size) = size {
                    sizes.insert(rel.clone(), size);
                }
                kept.push(rel);
            }
            Err(unread) => diags.push(unread.diagnostic),
        }
    }
    (kept, sizes)
}

fn read_data(root: &Path, path: &Path, diags: &mut Vec<Diagnostic>) -> Option<DataFile> {
    match input::text(root, path) {
        Ok(text) => Some(DataFile { file: relative(root, path), text }),
        Err(unread) => {
            diags.push(unread.diagnostic);
            None
        }
    }
}

/// What one Markdown file of `content/` turned out to be.
#[derive(Debug)]
pub(crate) enum Loaded {
    Home(Article),
    Topic(Topic),
    Article(Article),
}

/// Read and parse one Markdown file (`rel` is relative to `content/`), as
/// [`load`] does for each; for `serve`'s one-file rebuilds.
pub(crate) fn load_file(root: &Path, rel: &str) -> (Option<Loaded>, Vec<Diagnostic>) {
    load_markdown(root, rel, &root.join("content").join(rel))
}

/// Where a Markdown file sits decides what it is.
enum Role {
    Home,
    Topic(String),
    Article { topic: String, stem: String },
}

fn role(rel: &str) -> Option<Role> {
    let parts: Vec<&str> = rel.split('/').collect();
    match parts.as_slice() {
        ["index.md"] => Some(Role::Home),
        [topic, "_index.md"] => Some(Role::Topic(topic.to_string())),
        [topic, file] => Some(Role::Article { topic: topic.to_string(), stem: file.trim_end_matches(".md").into() }),
        [topic, dir, "index.md"] => Some(Role::Article { topic: topic.to_string(), stem: dir.to_string() }),
        _ => None,
    }
}

fn load_markdown(root: &Path, rel: &str, path: &Path) -> (Option<Loaded>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let text = match input::text(root, path) {
        Ok(text) => text,
        Err(unread) => return (None, vec![unread.diagnostic]),
    };
    let file = relative(root, path);
    let Some(role) = role(rel) else {
        diags.push(
            Diagnostic::error(Code::InvalidValue, "a Markdown file outside the layout sourcebook reads")
                .in_file(file)
                .with_help("articles live at content/<topic>/<slug>.md or content/<topic>/<slug>/index.md"),
        );
        return (None, diags);
    };
    let split = match front_matter::split(&file, &text) {
        Ok(s) => s,
        Err(d) => return (None, vec![d]),
    };
    let doc = split.document(&file, &text);
    let keys = match role {
        Role::Topic(_) => crate::yaml::fields::<TopicFrontMatter>(),
        _ => crate::yaml::fields::<FrontMatter>(),
    };
    diags.extend(front_matter::stray_key(&file, &text, split, keys));
    let loaded = match role {
        Role::Topic(name) => match parse_front::<TopicFrontMatter>(&doc, &file, &text, split) {
            Ok(mut front) => {
                if crate::yaml::blank(&front.title) {
                    diags.push(front_matter::blank_text(&doc, "`title`", "title".into()));
                }
                // optional: `description: ~` (or nothing but spaces) is none, not the words "~"
                if crate::yaml::blank(&front.description) {
                    front.description.clear();
                }
                Some(Loaded::Topic(Topic { name, file: file.clone(), text: text.clone(), split, front }))
            }
            Err(d) => {
                diags.extend(d);
                None
            }
        },
        Role::Home => {
            parse_article(&file, &text, split, String::new(), String::new(), "", &mut diags).map(Loaded::Home)
        }
        Role::Article { topic, stem } => {
            let dir = rel.rsplit_once('/').map_or("", |(d, _)| d);
            parse_article(&file, &text, split, topic, stem, dir, &mut diags).map(Loaded::Article)
        }
    };
    (loaded, diags)
}

/// A page's front matter as `T`. When the YAML reader cannot read it, and
/// it reads as a front matter left open above the page's text and closed
/// by a later `---`, that is the one error ([`front_matter::closed_late`]).
fn parse_front<T: serde::de::DeserializeOwned>(
    doc: &crate::yaml::Document,
    file: &str,
    text: &str,
    split: Split,
) -> Result<T, Vec<Diagnostic>> {
    doc.parse().map_err(|found| {
        let unread = found.iter().any(|d| d.code == Code::FrontMatterYaml);
        match unread.then(|| front_matter::closed_late(file, text, split)).flatten() {
            Some(late) => vec![late],
            None => found,
        }
    })
}

fn parse_article(
    file: &str,
    text: &str,
    split: Split,
    topic: String,
    stem: String,
    dir: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<Article> {
    let doc = split.document(file, text);
    let front: FrontMatter = match parse_front(&doc, file, text, split) {
        Ok(f) => f,
        Err(d) => {
            diags.extend(d);
            return None;
        }
    };
    let is_home = topic.is_empty();
    let slug = front.slug.clone().unwrap_or(stem);
    if !is_home && !is_slug(&slug) {
        // the address that was meant (`Side Effects` → `side-effects`), when
        // the name holds one
        let meant = Some(crate::markdown::slugify(&slug)).filter(|m| is_slug(m));
        let d = if front.slug.is_some() {
            let escapes = slug.contains('/') || slug.contains('\\') || slug.contains("..");
            let (code, what) = match escapes {
                true => (Code::UnsafePath, "would leave its topic folder"),
                false => (Code::InvalidValue, "is not a valid URL segment"),
            };
            let example = meant.as_deref().unwrap_or("side-effects");
            Diagnostic::error(code, format!("slug `{slug}` {what}"))
                .with_span(doc.value_span("slug"))
                .with_help(format!("use lowercase letters, digits and hyphens only, e.g. `slug: {example}`"))
        } else {
            // no `slug:`: the address is the file's name (or its folder's)
            let folder = file.ends_with("/index.md");
            let whose = if folder { "its folder's name" } else { "its file name" };
            let help = match (&meant, folder) {
                (Some(m), false) => format!("rename the file `{m}.md`, or give it `slug: {m}`"),
                (Some(m), true) => format!("rename the folder `{m}`, or give it `slug: {m}`"),
                (None, _) => format!(
                    "rename the {} with only a-z, 0-9 and `-`, or give it such a `slug:`",
                    if folder { "folder" } else { "file" }
                ),
            };
            Diagnostic::error(
                Code::InvalidValue,
                format!("`{slug}`, {whose}, cannot be the page's address: use only a-z, 0-9 and `-`"),
            )
            .with_span(Span::at(file, text, 0))
            .with_help(help)
        };
        diags.push(d);
        return None;
    }
    for (key, value) in [("title", &front.title), ("description", &front.description)] {
        if crate::yaml::blank(value) {
            diags.push(front_matter::blank_text(&doc, &format!("`{key}`"), key.into()));
        }
    }
    for (i, _) in front.key_points.iter().enumerate().filter(|(_, p)| crate::yaml::blank(p)) {
        let path = crate::yaml::Path::from("key_points").item(i);
        diags.push(front_matter::blank_text(&doc, &format!("key point {}", i + 1), path));
    }
    // texts shown as written (tab, lede, key points, search results): a
    // citation there reaches readers as `[@id]` (named only when found)
    let cited = |name: String, path: crate::yaml::Path| {
        Diagnostic::error(Code::MalformedCitation, format!("{name} holds a citation, which is shown as typed there"))
            .with_span(doc.value_span(path))
            .with_help("cite the claim in the page's text, where it gets its number and reference")
    };
    for (name, key, value) in
        [("the title", "title", &front.title), ("the description", "description", &front.description)]
    {
        if crate::markdown::holds_citation(value) {
            diags.push(cited(name.into(), key.into()));
        }
    }
    for (i, _) in front.key_points.iter().enumerate().filter(|(_, p)| crate::markdown::holds_citation(p)) {
        diags.push(cited(format!("key point {}", i + 1), crate::yaml::Path::from("key_points").item(i)));
    }
    diags.extend(front_matter::template_text(file, text, split, &front.description));
    let faq_offsets: Vec<(usize, usize)> = faq_offsets(text, split, &front.faq);
    let lines = Lines::default(); // thousands of empty entries: a binary search each
    for (i, item) in front.faq.iter().enumerate() {
        for (key, value, at) in [("q", &item.q, faq_offsets[i].0), ("a", &item.a, faq_offsets[i].1)] {
            if crate::yaml::blank(value) {
                diags.push(
                    Diagnostic::error(Code::InvalidValue, format!("FAQ entry {} has an empty `{key}`", i + 1))
                        .with_span(lines.span(file, text, at))
                        .with_help(format!(
                            "write the {}, or remove the entry",
                            if key == "q" { "question" } else { "answer" }
                        )),
                );
            }
        }
    }
    Some(Article {
        file: file.into(),
        text: text.into(),
        split,
        topic,
        slug,
        dir: dir.into(),
        front: front.into(),
        faq_offsets,
        later: None,
    })
}

/// Where each FAQ question and answer starts in the file. The `q:`/`a:` keys
/// are found in order; the value's first words refine the answer's position
/// (YAML quoting and folding make exact mapping impossible in general).
fn faq_offsets(text: &str, split: Split, faq: &[RawFaq]) -> Vec<(usize, usize)> {
    let yaml = &text[split.yaml_start..split.yaml_end];
    let mut from = yaml.find("\nfaq:").map_or(0, |i| i + 1);
    let mut out = Vec::with_capacity(faq.len());
    let key_at = |key: &str, from: usize| -> usize {
        let mut pos = from;
        for line in yaml[from..].split_inclusive('\n') {
            let t = line.trim_start().trim_start_matches("- ").trim_start();
            if t.starts_with(&format!("{key}:")) {
                return pos + (line.len() - t.len());
            }
            pos += line.len();
        }
        from
    };
    for item in faq {
        let q = key_at("q", from);
        let a = key_at("a", q);
        let probe: String = item.a.chars().take(24).collect();
        // the answer starts within a line or two of its key: look only there
        // (a whole-file search per answer was quadratic when escapes made
        // the text differ from the file)
        let mut end = (a + 200 + probe.len()).min(yaml.len());
        while !yaml.is_char_boundary(end) {
            end -= 1;
        }
        let value = yaml[a..end].find(probe.trim()).filter(|i| *i < 200).map_or(a, |i| a + i);
        out.push((split.yaml_start + q, split.yaml_start + value));
        from = a + 1;
    }
    out
}

/// Why a file of `content/` that is neither an article nor one of the
/// data files must not be copied to the output as it is, or `None`.
///
/// Two kinds are refused (errors, so the build stops before publishing):
/// - files a browser runs as a page of the site (`.html`, `.svg`, `.js` and
///   the like, `unsafe-file`): one could carry script onto every reader's
///   visit, out of reach of every check an article's text gets;
/// - an article or data file under a name sourcebook does not read
///   (`.MD`, `.markdown`, `notes.md.txt`, `people.yml`, a `sources.yaml`
///   in a topic folder: `misnamed-file`): it would be left out of the
///   site without a word, and its source (a draft's included) published
///   for anyone to read.
fn screen_file(rel: &str) -> Option<Diagnostic> {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let lower = name.to_ascii_lowercase();
    let extension = lower.rsplit_once('.').map_or("", |(_, e)| e);
    if ACTIVE_EXTENSIONS.contains(&extension) {
        return Some(
            Diagnostic::error(
                Code::UnsafeFile,
                format!(
                    "a `.{extension}` file would be published as part of the site, where a browser runs what it holds"
                ),
            )
            .in_file(format!("content/{rel}"))
            .with_help(match extension {
                "svgz" => "save the figure as a plain `.svg` (checked to draw and do nothing else), or as PNG",
                _ => "write the page as a Markdown article; pages, scripts and style come only from the theme",
            }),
        );
    }
    let stem = lower.strip_suffix(".txt").unwrap_or(&lower);
    let markdown = stem.rsplit_once('.').is_some_and(|(_, e)| MARKDOWN_EXTENSIONS.contains(&e));
    if markdown || lower.ends_with(".md") {
        let base = stem.rsplit_once('.').map_or(stem, |(b, _)| b);
        let base = &name[..base.len()];
        return Some(misnamed(
            rel,
            format!("an article is read only from a file ending in `.md`: rename it `{base}.md`"),
        ));
    }
    let data = DATA_FILES.iter().find(|&&d| {
        let yml = d.strip_suffix(".yaml").map(|base| format!("{base}.yml"));
        lower == d || yml.is_some_and(|yml| lower == yml)
    });
    match data {
        Some(data) if rel.contains('/') => {
            Some(misnamed(rel, format!("{data} is read only at content/{data}: here it would be published as a file")))
        }
        Some(data) => Some(misnamed(rel, format!("sourcebook reads this file only as `content/{data}`: rename it"))),
        None => None,
    }
}

/// An SVG that would do more than draw when opened, at `at` (a byte of `text`).
fn unsafe_svg(rel: &str, text: &str, why: &str, at: usize) -> Diagnostic {
    let file = format!("content/{rel}");
    let span = Span::at(&file, text, at);
    Diagnostic::error(Code::UnsafeFile, format!("this SVG would be published as a page of the site, and {why}"))
        .with_span(span)
        .with_help(
            "an SVG may only draw (shapes, text, gradients, filters, `#id` references): \
             export the figure again without scripts, links, animation or outside files, or as PNG",
        )
}

/// A file of `content/` left out under a name sourcebook does not read.
fn misnamed(rel: &str, help: String) -> Diagnostic {
    Diagnostic::error(Code::MisnamedFile, "this file is not read, and would be published as it is")
        .in_file(format!("content/{rel}"))
        .with_help(help)
}

/// Endings of files a browser opens as a page of the site, running any
/// script in them (lower case). Not `.svg`: an SVG is read whole and kept
/// when it only draws ([`images::svg_hazard`]); a compressed one cannot be.
const ACTIVE_EXTENSIONS: &[&str] = &["html", "htm", "xhtml", "xht", "shtml", "svgz", "js", "mjs", "xml", "xsl", "xslt"];

/// Endings that mark a Markdown file other than `.md` (lower case).
const MARKDOWN_EXTENSIONS: &[&str] = &["md", "markdown", "mdown", "mkd", "mkdn", "mdwn", "mdtxt", "mdtext"];

/// The topics in site.yaml's order, then the rest by weight and name. A
/// listed topic with no `_index.md` is an error; one whose `_index.md` has
/// errors of its own (`failed`) is said there, and only there.
fn order_topics(topics: Vec<Topic>, config: &Config, failed: &[String], diags: &mut Vec<Diagnostic>) -> Vec<Topic> {
    let mut by_name: BTreeMap<String, Topic> = topics.into_iter().map(|t| (t.name.clone(), t)).collect();
    let mut ordered: Vec<Topic> = Vec::new();
    for (i, name) in config.topics.iter().enumerate() {
        match by_name.remove(name) {
            Some(t) => ordered.push(t),
            // listed twice: site.yaml says so
            None if ordered.iter().any(|t| &t.name == name) => {}
            None if failed.contains(&format!("{name}/_index.md")) => {}
            None => {
                let d = Diagnostic::error(
                    Code::InvalidValue,
                    format!("topic `{name}` has no folder content/{name}/ with an _index.md"),
                )
                .with_help(format!(
                    "add content/{name}/_index.md with a `title:` (`sourcebook new {name}/<slug>` makes it with \
                     the topic's first article), or take `{name}` out of `topics:`"
                ));
                diags.push(match config.topics_at.get(i) {
                    Some(at) => d.with_span(at.clone()),
                    None => d.in_file(crate::config::FILE),
                });
            }
        }
    }
    let mut rest: Vec<Topic> = by_name.into_values().collect();
    rest.sort_by(|a, b| (a.front.weight, &a.name).cmp(&(b.front.weight, &b.name)));
    ordered.extend(rest);
    ordered
}

/// Where an article goes in the site's order, given its topic's place:
/// topic, `weight` (none: last), title, slug.
pub(crate) fn order_key(article: &Article, topic_rank: usize) -> (usize, i64, &str, &str) {
    (topic_rank, article.front.weight.unwrap_or(i64::MAX), &article.front.title, &article.slug)
}

/// Whether an article is published by a build (`drafts`: with `--drafts`).
pub(crate) fn published(article: &Article, drafts: bool) -> bool {
    drafts || !article.front.draft
}

/// The articles in the site's order. An article whose folder has no
/// `_index.md` is an error; one whose topic's `_index.md` has errors of
/// its own is left out and counted with the files that failed (`failed`),
/// so links to it are not said to be broken.
fn order_articles(
    mut articles: Vec<Article>,
    topics: &[Topic],
    failed: &mut Vec<String>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Article> {
    let rank: HashMap<&str, usize> = topics.iter().enumerate().map(|(i, t)| (t.name.as_str(), i)).collect();
    articles.retain(|a| {
        let known = rank.contains_key(a.topic.as_str());
        if !known && failed.contains(&format!("{}/_index.md", a.topic)) {
            failed.push(a.file.strip_prefix("content/").unwrap_or(&a.file).to_string());
        } else if !known {
            diags.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    format!("folder content/{}/ has no _index.md, so it is not a topic", a.topic),
                )
                .in_file(a.file.clone())
                .with_help(format!("add content/{}/_index.md with a `title:`", a.topic)),
            );
        }
        known
    });
    articles.sort_by(|a, b| order_key(a, rank[a.topic.as_str()]).cmp(&order_key(b, rank[b.topic.as_str()])));
    articles
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARTICLE: &str =
        "---\ntitle: Sleep\ndescription: How ketamine affects sleep.\ndate: 2026-01-01\n---\n\nRest **matters**.\n";

    /// A site folder holding one article, loaded with `bodies`.
    fn loaded(bodies: Bodies) -> (tempfile::TempDir, Article) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("content/safety")).unwrap();
        std::fs::write(dir.path().join("content/safety/_index.md"), "---\ntitle: Safety\n---\n").unwrap();
        std::fs::write(dir.path().join("content/safety/sleep.md"), ARTICLE).unwrap();
        let site = "title: T\nbase_url: \"https://example.org/\"\ntopics: [safety]\nfunding: \"None.\"\nconflicts: \"None.\"\n";
        std::fs::write(dir.path().join(crate::config::FILE), site).unwrap();
        let config = Config::load(dir.path()).unwrap();
        let (mut content, diags) = load(dir.path(), &config, false, bodies);
        assert!(diags.iter().all(|d| !d.is_error()), "{diags:?}");
        let article = content.articles.remove(0);
        (dir, article)
    }

    #[test]
    fn a_body_left_in_its_file_is_read_back_as_it_was_loaded() {
        let (_dir, kept) = loaded(Bodies::Keep);
        let (_dir2, mut later) = loaded(Bodies::Later);
        assert_eq!(kept.text, ARTICLE);
        assert_eq!(later.text, &ARTICLE[..kept.split.body_start], "only the front matter is held");
        later.read_body().unwrap();
        assert_eq!(later.text, kept.text);
        assert_eq!(later.body(), kept.body());
        // read once: a second call has nothing to do
        later.read_body().unwrap();
        assert_eq!(later.text, kept.text);
    }

    #[test]
    fn a_file_saved_between_loading_and_rendering_is_an_error_not_a_page_of_two_versions() {
        let file = "content/safety/sleep.md";
        for (what, now) in [
            ("body", Some(ARTICLE.replace("matters", "counts!"))),
            ("body of the same length", Some(ARTICLE.replace("matters", "mattres"))),
            ("front matter", Some(ARTICLE.replace("title: Sleep", "title: Sheep"))),
            ("appended text", Some(format!("{ARTICLE}More.\n"))),
            ("deleted", None),
        ] {
            let (dir, mut article) = loaded(Bodies::Later);
            match &now {
                Some(text) => std::fs::write(dir.path().join(file), text).unwrap(),
                None => std::fs::remove_file(dir.path().join(file)).unwrap(),
            }
            let d = article.read_body().expect_err(what);
            assert_eq!(d.code, Code::UnreadableFile, "{what}");
            assert!(d.is_error(), "{what}");
            assert_eq!(d.file.as_deref(), Some(file), "{what}");
            if now.is_some() {
                assert_eq!(d.message, "the file changed while the site was being built", "{what}");
                assert_eq!(d.help.as_deref(), Some("nothing was written; build again"), "{what}");
            }
        }
    }
}
