//! Every file a build writes, named once, site-wide, before anything is
//! written: two things that would be written to the same place (an asset
//! and a rendered page, a topic called `sources` and the source list, two
//! files that differ only in case) are a `path-collision` naming both; a
//! name that breaks on another host (a Windows device name, a character a
//! URL or a file system cannot hold, a segment too long) is `invalid-value`.
//!
//! An alias (`aliases:`, see [`super::aliases`]) is claimed like a page,
//! after everything else: when it collides, it is the one reported, at
//! the line and column where it is written. A file `content/favicon.svg`
//! replaces the theme's, and `content/robots.txt` the generated one (see
//! [`SITE_OWN`]), instead of colliding.
//!
//! Compared case-insensitively, as macOS, Windows and FAT compare names: a
//! site built on Linux is copied to all of them. One pass through a hash
//! map, whatever the number of pages.

use foldhash::HashMap;

use crate::config::{Config, is_slug};
use crate::content::Content;
use crate::diagnostics::{Code, Diagnostic, Span};

use super::{FAQ_PATH, GLOSSARY_PATH, aliases, faq, split, tags};

/// Files a build writes that a file of the same name at the top of
/// `content/` replaces: the site's own icon wins over the theme's, and its
/// own `robots.txt` (a staging copy that asks crawlers to stay away) over
/// the generated one naming the sitemap.
const SITE_OWN: &[&str] = &["favicon.svg", "robots.txt"];

/// Whether the site's own file (one of `assets`) takes the place of the
/// file a build would write at `path` (see [`SITE_OWN`]).
pub(crate) fn site_replaces(path: &str, assets: &[String]) -> bool {
    SITE_OWN.contains(&path) && assets.iter().any(|a| a == path)
}

/// The longest file or folder name a build writes, in bytes: file systems
/// allow 255, and a folder is often copied under a longer one.
pub(crate) const MAX_SEGMENT: usize = 200;

/// Names Windows reserves for devices, with or without an extension.
const DEVICE_NAMES: &[&str] = &[
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8", "com9", "lpt1", "lpt2",
    "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// Who wants to write a path: a file of the site, or the generator itself.
#[derive(Clone, Copy)]
enum Origin<'a> {
    /// A file under the site root, and the text to point at.
    File(&'a str, Option<&'a str>),
    /// A page or file sourcebook makes (`the source list`).
    Generated(&'static str),
    /// An alias of the page in a file: the file, its text, where the alias
    /// is written, and the alias as read.
    Alias(&'a str, &'a str, usize, &'a str),
    /// An article: pointed at its `slug:` when it has one (the name that
    /// gives it its address), else at its file's start.
    Article(&'a crate::content::Article),
}

impl Origin<'_> {
    fn describe(&self) -> String {
        match self {
            Origin::File(f, _) => format!("`{f}`"),
            Origin::Article(a) => format!("`{}`", a.file),
            Origin::Generated(what) => (*what).to_string(),
            Origin::Alias(f, _, _, from) => format!("the alias `{from}` of `{f}`"),
        }
    }

    /// Where to point: the alias, or the start of the file.
    fn place(&self, d: Diagnostic) -> Diagnostic {
        match *self {
            Origin::File(file, Some(text)) => d.with_span(Span::at(file, text, 0)),
            Origin::File(file, None) => d.in_file(file),
            Origin::Alias(file, text, at, _) => d.with_span(Span::at(file, text, at)),
            // where `slug:` is written, looked up only when there is something to say
            Origin::Article(a) => {
                let doc = a.split.document(&a.file, &a.text);
                let at = match a.front.slug.is_some() {
                    true => doc.value_offset("slug").map_or(0, |v| doc.offset + v),
                    false => 0,
                };
                d.with_span(Span::at(&a.file, &a.text, at))
            }
            Origin::Generated(_) => d,
        }
    }
}

/// The pages sourcebook makes in a folder of their own, as a collision
/// names them ([`check`]) and `new` does ([`made_at`]).
const SOURCE_LIST: &str = "the source list (/sources/)";
const GLOSSARY: &str = "the glossary (/glossary/)";
const SEARCH_PAGE: &str = "the search page (/search/)";
const SEARCH_INDEX: &str = "the search index (/search-index/)";
const TAG_INDEX: &str = "the tag index (/tags/)";
const TRUST_PAGE: &str = "a trust page (`trust_pages`)";

/// What sourcebook makes at `/{folder}/` on a site with `config`, if
/// anything: a topic of that name would collide with it there ([`check`]
/// says so once the topic exists; `new` says so before). The FAQ index is
/// not one: a topic called `faq` is its landing, by design. The glossary
/// is named whether or not the site has one yet.
pub(crate) fn made_at(folder: &str, config: &Config) -> Option<&'static str> {
    let path = format!("{folder}/");
    match path.as_str() {
        "sources/" => Some(SOURCE_LIST),
        p if p == GLOSSARY_PATH => Some(GLOSSARY),
        p if p == super::SEARCH_PATH && config.search => Some(SEARCH_PAGE),
        "search-index/" if config.search => Some(SEARCH_INDEX),
        p if p == tags::TAGS_PATH && config.tags => Some(TAG_INDEX),
        p => crate::site::trust_pages(config).find(|t| t.path == p).map(|_| TRUST_PAGE),
    }
}

/// Check every output path of the site that `content` and `config`
/// describe, with the theme's static files (`theme_files`, output paths).
pub(crate) fn check(content: &Content, config: &Config, theme_files: &[&str]) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let asset_files: Vec<String> = content.assets.iter().map(|a| format!("content/{a}")).collect();
    let mut claims: Claims = Claims::default();
    let generated = [
        ("index.html", "the home page"),
        ("404.html", "the page for missing addresses (404.html)"),
        ("sitemap.xml", "the sitemap"),
        ("atom.xml", "the Atom feed"),
        ("robots.txt", "robots.txt"),
        ("sources/index.html", SOURCE_LIST),
    ];
    for (path, what) in generated {
        if site_replaces(path, &content.assets) {
            continue; // the site's own file is claimed as an asset, below
        }
        claims.claim(path, Origin::Generated(what), &mut diags);
    }
    if content.glossary.is_some() {
        claims.claim(&format!("{GLOSSARY_PATH}index.html"), Origin::Generated(GLOSSARY), &mut diags);
    }
    for page in crate::site::trust_pages(config) {
        claims.claim(&format!("{}index.html", page.path), Origin::Generated(TRUST_PAGE), &mut diags);
    }
    if config.search {
        let page = format!("{}index.html", super::SEARCH_PATH);
        claims.claim(&page, Origin::Generated(SEARCH_PAGE), &mut diags);
        claims.claim_folder("search-index", Origin::Generated(SEARCH_INDEX));
    }
    // a topic called `faq` is the FAQ index's landing, by design
    if !content.topics.iter().any(|t| format!("{}/", t.name) == FAQ_PATH) {
        claims.claim(&format!("{FAQ_PATH}index.html"), Origin::Generated("the FAQ index (/faq/)"), &mut diags);
    }
    if config.tags {
        let found = tags::collect(&content.articles);
        if !found.is_empty() {
            claims.claim(&format!("{}index.html", tags::TAGS_PATH), Origin::Generated(TAG_INDEX), &mut diags);
        }
        for tag in &found {
            claims.claim(&format!("{}index.html", tag.path()), Origin::Generated("a tag page"), &mut diags);
        }
    }
    claim_list_pages(content, config, &mut claims, &mut diags);
    for file in theme_files {
        if site_replaces(file, &content.assets) {
            continue;
        }
        claims.claim(file, Origin::Generated("a file of the theme"), &mut diags);
    }
    for topic in &content.topics {
        let origin = Origin::File(&topic.file, Some(&topic.text));
        if !is_slug(&topic.name) {
            diags.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    format!("topic folder `{}` is not a URL-safe name", topic.name.escape_debug()),
                )
                .in_file(&topic.file)
                .with_help(format!(
                    "rename the folder to lowercase letters, digits and `-`, e.g. `{}`",
                    crate::markdown::slugify(&topic.name)
                )),
            );
        }
        portable(&topic.name, origin, &mut diags);
        claims.claim(&format!("{}/index.html", topic.name), origin, &mut diags);
    }
    for article in content.articles.iter() {
        let origin = Origin::Article(article);
        portable(&article.slug, origin, &mut diags);
        claims.claim(&format!("{}index.html", article.path()), origin, &mut diags);
    }
    for (asset, file) in content.assets.iter().zip(&asset_files) {
        let origin = Origin::File(file, None);
        for segment in asset.split('/') {
            portable(segment, origin, &mut diags);
        }
        claims.claim(asset, origin, &mut diags);
    }
    // last: a colliding alias is the claim reported, where it is written
    for article in content.home.iter().chain(&content.articles) {
        if article.front.aliases.is_empty() {
            continue;
        }
        let (found, problems) = aliases::of(article);
        diags.extend(problems);
        for alias in found {
            let origin = Origin::Alias(&article.file, &article.text, alias.at, &article.front.aliases[alias.index]);
            claims.claim(&alias.file, origin, &mut diags);
        }
    }
    diags
}

/// The later pages of the lists `split` cuts: a topic's `page/2/`…, and
/// the FAQ index's pages per topic (`faq/<topic>/`, which an article of
/// the `faq` topic could also want). Claimed before the articles, so an
/// article in their way is the one reported. (The source list's and the
/// glossary's letter pages are under folders only they use.)
fn claim_list_pages<'a>(content: &'a Content, config: &Config, claims: &mut Claims<'a>, diags: &mut Vec<Diagnostic>) {
    let per = config.paginate_by;
    let mut articles: HashMap<&str, usize> = HashMap::default();
    let mut questions: HashMap<&str, usize> = HashMap::default();
    for a in &content.articles {
        *articles.entry(a.topic.as_str()).or_default() += 1;
        *questions.entry(a.topic.as_str()).or_default() += a.front.faq.len();
    }
    let faq_split = faq::is_split(questions.values().sum(), per);
    for topic in &content.topics {
        let name = topic.name.as_str();
        let count = articles.get(name).copied().unwrap_or(0);
        let all: Vec<usize> = (0..count).collect();
        if format!("{name}/") != FAQ_PATH {
            for page in split::paged(&format!("{name}/"), &all, per, None).iter().skip(1) {
                claims.claim(
                    &format!("{}index.html", page.path),
                    Origin::Generated("a page of a topic's list of articles"),
                    diags,
                );
            }
        }
        let asked = questions.get(name).copied().unwrap_or(0);
        if faq_split && asked > 0 {
            let all: Vec<usize> = (0..asked).collect();
            for page in split::paged(&faq::topic_path(name), &all, per, None) {
                claims.claim(&format!("{}index.html", page.path), Origin::Generated("a page of the FAQ index"), diags);
            }
        }
    }
}

#[derive(Default)]
struct Claims<'a> {
    /// Lowercased path → the path as written and who claims it.
    files: HashMap<String, (String, Origin<'a>)>,
    /// Lowercased folder → a file below it (so a file cannot take its name).
    folders: HashMap<String, (String, Origin<'a>)>,
    /// Lowercased folders the generator fills alone.
    reserved: HashMap<String, (String, Origin<'a>)>,
}

impl<'a> Claims<'a> {
    fn claim(&mut self, path: &str, origin: Origin<'a>, diags: &mut Vec<Diagnostic>) {
        let mut key = path.to_lowercase();
        // a folder's page for servers that look for `index.htm` first (IIS)
        if key == "index.htm" || key.ends_with("/index.htm") {
            key.push('l');
        }
        if let Some((first_path, first)) =
            self.files.get(&key).or_else(|| self.folders.get(&key)).or_else(|| self.reserved.get(&key))
        {
            diags.push(collision(first_path, *first, path, origin));
            return;
        }
        // each folder above it
        let mut end = 0;
        while let Some(i) = key[end..].find('/') {
            let folder = &key[..end + i];
            if let Some((first_path, first)) = self.files.get(folder).or_else(|| self.reserved.get(folder)) {
                diags.push(collision(first_path, *first, path, origin));
                return;
            }
            self.folders.entry(folder.to_string()).or_insert_with(|| (path[..end + i].to_string(), origin));
            end += i + 1;
        }
        self.files.insert(key, (path.to_string(), origin));
    }

    /// A folder the generator fills with files of its own.
    fn claim_folder(&mut self, folder: &str, origin: Origin<'a>) {
        self.reserved.insert(folder.to_lowercase(), (format!("{folder}/"), origin));
    }
}

fn collision(first_path: &str, first: Origin, path: &str, origin: Origin) -> Diagnostic {
    // generated paths are claimed first: the later claim is the one to move
    let (mine, theirs) = (origin, first);
    // two articles at one address: their file names (or `slug:`) say the same
    let article = |o: &Origin| matches!(o, Origin::Article(_));
    if first_path == path && article(&mine) && article(&theirs) {
        let page = path.strip_suffix("index.html").unwrap_or(path);
        let message = format!("{} and {} would both be written to /{page}", theirs.describe(), mine.describe());
        return mine
            .place(Diagnostic::error(Code::DuplicateSlug, message))
            .with_help("rename one file, or give it a different `slug:`");
    }
    let message = if first_path == path {
        format!("{} and {} would both be written to /{path}", theirs.describe(), mine.describe())
    } else if first_path.to_lowercase() == path.to_lowercase() {
        format!(
            "{} and {} would be written to /{first_path} and /{path}, which are the same name on macOS, Windows and many USB sticks",
            theirs.describe(),
            mine.describe()
        )
    } else {
        format!(
            "{} is written at /{first_path}, so {} cannot be written at /{path}",
            theirs.describe(),
            mine.describe()
        )
    };
    let help = match mine {
        Origin::Alias(..) => {
            "remove the alias, or move what is there: a page's old address cannot also be another page"
        }
        _ => "rename the file or folder (for an article, its file name or `slug:`)",
    };
    mine.place(Diagnostic::error(Code::PathCollision, message)).with_help(help)
}

/// A name that works as a file name on every common file system and as a
/// URL segment.
fn portable(segment: &str, origin: Origin, diags: &mut Vec<Diagnostic>) {
    if let Some(problem) = problem(segment) {
        let shown: String = segment.chars().take(60).collect();
        let ellipsis = if shown.len() < segment.len() { "…" } else { "" };
        let d =
            Diagnostic::error(Code::InvalidValue, format!("the name `{}{ellipsis}` {problem}", shown.escape_debug()));
        diags.push(origin.place(d).with_help("rename it with letters, digits and `-`"));
    }
}

/// Why `segment` does not work as a file name on every common file system
/// and as a URL segment, if it does not.
pub(crate) fn problem(segment: &str) -> Option<String> {
    if segment.len() > MAX_SEGMENT {
        Some(format!("is {} bytes long; names may be at most {MAX_SEGMENT}", segment.len()))
    } else if let Some(c) = segment
        .chars()
        .find(|c| c.is_control() || matches!(c, '<' | '>' | ':' | '"' | '\\' | '|' | '?' | '*' | '#' | '%'))
    {
        Some(format!("holds `{}`, which a URL or a file system cannot hold as it is", c.escape_debug()))
    } else if segment.ends_with(['.', ' ']) {
        Some("ends with a dot or a space, which Windows drops".to_string())
    } else if DEVICE_NAMES.contains(&segment.split('.').next().unwrap_or_default().to_ascii_lowercase().as_str()) {
        Some("is a device name on Windows, where it cannot be a file or folder".to_string())
    } else {
        None
    }
}
