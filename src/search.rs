//! The full-text index behind the `/search/` page: made while `build`
//! renders the pages, written as static JavaScript files under [`BUNDLE`],
//! queried in the browser by the theme's `search.js`.
//!
//! [`Indexer::add_article`] (and `add_topic`, `add_home`) counts the words
//! of one page as soon as its Markdown is rendered: its title, description
//! and key points (weighted up), headings, prose, and its questions and
//! answers. Code, citations, references and the page furniture are not
//! indexed. It also keeps the page's text cut into sections (at each
//! heading, and one per question) for the passages results show.
//! [`Indexer::write`] then groups the words by English stem (Snowball),
//! scores each page for each stem with BM25, and writes:
//!
//! - `meta.js`: the format, the number of pages, the first stem of each
//!   stem file, the lengths that have a vocabulary file, and how many pages
//!   each text file holds;
//! - `stems-N.js`: a run of the sorted stems, and for each the pages that
//!   use it (as gaps between page numbers) with their scores;
//! - `vocabulary-L.js`: every stem of L characters without a digit, sorted:
//!   what a misspelt word is compared with;
//! - `text-N.js`: page N's address (from the site's root), title,
//!   description and sections (`[anchor, heading, text]`; the first has no
//!   heading when the page has text before its first heading). One page a
//!   file, so `build` writes each article's as soon as the article is
//!   counted ([`Indexer::stream_text`]) and never holds the text of the
//!   whole site (about 10 kB a page).
//!
//! Each file is one call, `sourcebookSearchIndex("name", {…JSON…});`, so
//! the search page can load it with a `<script>` element: that works from a
//! server and from a folder opened from disk (`file://`, where browsers
//! refuse `fetch`). The browser stems each query word as this module stems
//! the index (`search.js` carries a port of the same Snowball algorithm,
//! checked against `rust-stemmers` by the test suite), then loads `meta.js`,
//! the stem files its stems fall in and the text files of the results it
//! shows.
//!
//! `serve` keeps its [`Indexer`]: a page added again (an edited article)
//! replaces its earlier version, and [`Indexer::write`] writes the index
//! again from what it holds, the same bytes as a fresh build's.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use rayon::prelude::*;
use serde::Serialize;

use crate::markdown::{Heading, Rendered};
use crate::output::Output;
use crate::site::{FAQ_PATH, Page, Site, TopicPage};

/// The folder of the output holding the index.
pub(crate) const BUNDLE: &str = "search-index";
/// Bumped when the files change shape; `search.js` checks it.
const FORMAT: u32 = 2;
/// About how many numbers of postings a stem file holds before the next
/// begins (about 20 kB; a stem used on more pages makes its file larger).
const NUMBERS_PER_FILE: usize = 4_000;
/// Pages in each text file: one (`meta.js` says it, for `search.js`, which
/// reads page `p` from `text-{p / pages_per_text}`).
const PAGES_PER_TEXT: usize = 1;
/// The name of the function each index file calls with its contents.
const CALLBACK: &str = "sourcebookSearchIndex";
/// Longer "words" (URLs, identifiers run together) are not indexed.
const MAX_WORD_BYTES: usize = 48;

/// How much one occurrence counts, by where it is on the page.
const TITLE: u32 = 6;
const SUMMARY: u32 = 3; // description, key points, headings, questions
const TEXT: u32 = 1;

type Map<K, V> = HashMap<K, V, foldhash::fast::FixedState>;

/// Collects the pages' words; shared by the threads rendering them.
pub struct Indexer {
    pages: Mutex<Pages>,
    /// One word count per rendering thread, so that counting never waits.
    shards: Vec<Mutex<Shard>>,
    /// With [`Indexer::stream_text`]: the page number of the site's first
    /// article (the home page and topics come before it).
    first_article: std::sync::OnceLock<u32>,
}

impl Default for Indexer {
    fn default() -> Self {
        let shards = (0..=rayon::current_num_threads()).map(|_| Mutex::default()).collect();
        Indexer { pages: Mutex::default(), shards, first_article: Default::default() }
    }
}

/// The pages counted so far.
#[derive(Default)]
struct Pages {
    /// Each page's place in the site and description, by page id (the
    /// order they came in); `None` once a later version replaced it.
    list: Vec<Option<(Slot, PageInfo)>>,
    /// The id of each page's latest version.
    ids: HashMap<Slot, u32>,
}

#[derive(Default)]
struct Shard {
    /// Word → its number in `postings`.
    words: Map<Box<str>, u32>,
    postings: Vec<Postings>,
    /// The page being counted: each word's weighted count so far, by its
    /// number (0 when not on the page), and the words it has.
    counts: Vec<u32>,
    on_page: Vec<u32>,
}

/// The pages that use a word, with its weighted count on each: pairs of
/// (gap from the previous page id, count) as LEB128 varints, pages rising.
/// About a quarter of the memory of a `Vec<(u32, u32)>`.
#[derive(Default)]
struct Postings {
    last: u32,
    bytes: Vec<u8>,
}

impl Postings {
    fn push(&mut self, page: u32, count: u32) {
        for mut n in [page - self.last, count] {
            while n >= 0x80 {
                self.bytes.push(n as u8 | 0x80);
                n >>= 7;
            }
            self.bytes.push(n as u8);
        }
        self.last = page;
    }

    /// The pages and their counts, pages rising.
    fn iter(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        let mut numbers = self.numbers();
        let mut page = 0;
        std::iter::from_fn(move || {
            page += numbers.next()?;
            Some((page, numbers.next()?))
        })
    }

    /// The numbers as stored: gap, count, gap, count…
    fn numbers(&self) -> impl Iterator<Item = u32> + '_ {
        let mut bytes = self.bytes.iter();
        std::iter::from_fn(move || {
            let (mut n, mut shift) = (0u32, 0);
            for &b in bytes.by_ref() {
                n |= u32::from(b & 0x7f) << shift;
                if b < 0x80 {
                    return Some(n);
                }
                shift += 7;
            }
            None
        })
    }

    /// How many numbers [`Postings::numbers`] gives.
    fn len(&self) -> usize {
        self.bytes.iter().filter(|&&b| b < 0x80).count()
    }
}

/// A stem's postings in the index file: the numbers as stored, a JSON array.
impl Serialize for Postings {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.numbers())
    }
}

/// What a result shows of a page (written to `text-N.js` as
/// `[href, title, description, sections]`), and its weighted length for BM25.
struct PageInfo {
    href: String,
    title: String,
    description: String,
    /// `[[anchor, heading, text], …]` as JSON: kept serialized, one string a
    /// page; empty once written ([`PageInfo::streamed`]).
    sections: String,
    length: u32,
    /// The page number whose text file already holds this page.
    streamed: Option<u32>,
}

impl Indexer {
    /// From now on, [`Indexer::add_article_to`] writes each article's text
    /// file as it counts the article, and keeps only its words: for a
    /// `build`, which counts every article of `site` once and then
    /// [`Indexer::add_landings`]. The numbers are those [`Indexer::write`]
    /// gives when every article and landing is counted.
    pub fn stream_text(&self, site: &Site) {
        let landings = usize::from(site.home.is_some()) + indexed_topics(site).count();
        let _ = self.first_article.set(landings as u32);
    }

    /// [`Indexer::add_article`], writing the article's text file into `out`
    /// now when [`Indexer::stream_text`] was called.
    pub fn add_article_to(&self, index: usize, page: &Page, out: &dyn Output) -> anyhow::Result<()> {
        let Some(&first) = self.first_article.get() else {
            self.add_article(index, page);
            return Ok(());
        };
        let (mut info, texts) = article_info(page);
        let number = first + index as u32;
        write_text(out, number as usize, &info)?;
        info.sections = String::new();
        info.streamed = Some(number);
        self.add(Slot::Article(index), info, &texts);
        Ok(())
    }

    /// Article `index` of the site, just rendered; replaces what an earlier
    /// call counted for the same article.
    pub fn add_article(&self, index: usize, page: &Page) {
        let (info, texts) = article_info(page);
        self.add(Slot::Article(index), info, &texts);
    }

    /// The home page.
    pub fn add_home(&self, page: &Page) {
        let front = &page.article.front;
        self.add_landing(Slot::Home, "index.html".into(), &front.title, &front.description, &page.body);
    }

    /// Topic page `index` of the site.
    pub fn add_topic(&self, index: usize, page: &TopicPage) {
        let front = &page.topic.front;
        let href = format!("{}index.html", page.path);
        self.add_landing(Slot::Topic(index), href, &front.title, &front.description, &page.body);
    }

    /// The home page and the topic pages of `site` ([`indexed_topics`]), as
    /// `build` indexes them once the articles are counted.
    pub fn add_landings(&self, site: &Site) {
        if let Some(home) = &site.home {
            self.add_home(home);
        }
        for (i, topic) in indexed_topics(site) {
            self.add_topic(i, topic);
        }
    }

    /// Every page of `site` (rendered with its plain text), as `build`
    /// indexes them.
    pub fn add_site(&self, site: &Site) {
        site.articles.par_iter().enumerate().for_each(|(i, page)| self.add_article(i, page));
        self.add_landings(site);
    }

    /// A page that is its title, description and text (home, topics).
    fn add_landing(&self, slot: Slot, href: String, title: &str, description: &str, body: &Rendered) {
        let texts = [(title, TITLE), (description, SUMMARY), (body.plain.as_str(), TEXT)];
        let info = info(href, title, description, &sections(&body.plain, &body.headings));
        self.add(slot, info, &texts);
    }

    fn add(&self, slot: Slot, info: PageInfo, texts: &[(&str, u32)]) {
        let shard = rayon::current_thread_index().map_or(0, |i| 1 + i) % self.shards.len();
        let mut shard = crate::lock(&self.shards[shard]);
        // each word looked up once in the shard's vocabulary, counted for this page by its number there
        let mut lower = String::with_capacity(MAX_WORD_BYTES);
        let mut length = 0;
        for &(text, weight) in texts {
            let mut words = Words(text);
            while let Some((word, case)) = words.next_word() {
                length += weight;
                if word.len() > MAX_WORD_BYTES {
                    continue;
                }
                if case == Case::Lower {
                    // most words are already lower case: counted as they are
                    shard.tally(word, weight);
                    continue;
                }
                lower.clear();
                if case == Case::Upper {
                    lower.push_str(word);
                    lower.make_ascii_lowercase();
                } else {
                    // as the query is lowered in `search.js` (a final Σ becomes ς), its
                    // accents left out ("dépression" is "depression", "naïve" "naive")
                    let folded = word.to_lowercase();
                    lower.extend(unicode_normalization::UnicodeNormalization::nfd(folded.as_str()));
                    lower.retain(|c| !unicode_normalization::char::is_combining_mark(c));
                }
                if lower.is_empty() {
                    continue; // a "word" of marks alone
                }
                shard.tally(&lower, weight);
            }
        }
        // numbered under the shard's lock: each shard sees its pages in rising order
        let id = {
            let mut pages = crate::lock(&self.pages);
            let id = pages.list.len() as u32;
            if let Some(earlier) = pages.ids.insert(slot, id) {
                pages.list[earlier as usize] = None;
            }
            pages.list.push(Some((slot, PageInfo { length, ..info })));
            id
        };
        shard.post(id);
    }

    /// Write the index into `out`: the latest version of each page counted.
    /// It can be written again after more pages are counted.
    pub fn write(&self, out: &dyn Output) -> anyhow::Result<()> {
        // locked in the order `add` locks them
        let shards: Vec<_> = self.shards.iter().map(crate::lock).collect();
        let counted = crate::lock(&self.pages);
        // Page numbers in site order (home, topics, articles), whatever order the pages were rendered in.
        let mut latest: Vec<(usize, Slot, &PageInfo)> =
            counted.list.iter().enumerate().filter_map(|(id, p)| p.as_ref().map(|(s, info)| (id, *s, info))).collect();
        latest.sort_by_key(|&(_, slot, _)| slot);
        let mut number = vec![REPLACED; counted.list.len()];
        for (n, (id, _, _)) in latest.iter().enumerate() {
            number[*id] = n as u32;
        }
        let pages: Vec<&PageInfo> = latest.into_iter().map(|(_, _, page)| page).collect();
        let replaced = pages.len() < number.len();
        let vocabulary = Shard::merge(&shards, replaced.then_some(&number[..]));

        let stemmer = rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English);
        let stemmed: Vec<String> = vocabulary.par_iter().map(|(w, _)| stemmer.stem(w).into_owned()).collect();
        let stems = Stems::group(&vocabulary, &stemmed, &number, &pages);
        drop(vocabulary);
        let mut order: Vec<usize> = (0..stems.names.len()).collect();
        order.par_sort_unstable_by(|&a, &b| stems.names[a].cmp(&stems.names[b]));

        // Stem files: runs of the sorted stems, cut after about NUMBERS_PER_FILE numbers.
        let mut files = Vec::new();
        let mut file = StemFile::default();
        for &s in &order {
            file.stems.push(&stems.names[s]);
            file.pages.push(&stems.postings[s]);
            file.numbers += stems.postings[s].len();
            if file.numbers >= NUMBERS_PER_FILE {
                files.push(std::mem::take(&mut file));
            }
        }
        if !file.stems.is_empty() {
            files.push(file);
        }
        let first_stems: Vec<&str> = files.iter().map(|f| f.stems[0]).collect();

        // Vocabulary files: the stems a misspelt word may be meant for, by length.
        let mut by_length: std::collections::BTreeMap<usize, Vec<&str>> = Default::default();
        for &s in &order {
            let stem = stems.names[s].as_str();
            if !stem.chars().any(char::is_numeric) {
                by_length.entry(stem.chars().count()).or_default().push(stem);
            }
        }

        // Text files: one a page; those already written (`stream_text`)
        // must have the number they were written under.
        if let Some((n, p)) = pages.iter().enumerate().find(|(n, p)| p.streamed.is_some_and(|s| s as usize != *n)) {
            anyhow::bail!("search: the text of {} was written as page {:?}, but it is page {n}", p.href, p.streamed);
        }

        let written: Vec<anyhow::Result<()>> = files
            .par_iter()
            .enumerate()
            .map(|(n, f)| write_js(out, &format!("stems-{n}"), &[&serde_json::to_string(f)?]))
            .chain(by_length.par_iter().map(|(length, words)| {
                write_js(out, &format!("vocabulary-{length}"), &[&serde_json::to_string(words)?])
            }))
            .chain(
                pages.par_iter().enumerate().filter(|(_, p)| p.streamed.is_none()).map(|(n, p)| write_text(out, n, p)),
            )
            .collect();
        written.into_iter().collect::<anyhow::Result<()>>()?;
        let meta = Meta {
            format: FORMAT,
            pages: pages.len(),
            stems: first_stems,
            vocabulary: by_length.keys().copied().collect(),
            pages_per_text: PAGES_PER_TEXT,
        };
        write_js(out, "meta", &[&serde_json::to_string(&meta)?])
    }
}

/// An article's result text, and its texts to count with their weights.
fn article_info(page: &Page) -> (PageInfo, Vec<(&str, u32)>) {
    let front = &page.article.front;
    let mut texts = vec![(front.title.as_str(), TITLE), (front.description.as_str(), SUMMARY)];
    texts.extend(front.key_points.iter().map(|k| (k.as_str(), SUMMARY)));
    texts.extend(page.body.headings.iter().map(|h| (h.title.as_str(), SUMMARY)));
    texts.push((page.body.plain.as_str(), TEXT));
    for entry in &page.faq {
        texts.push((entry.question.as_str(), SUMMARY));
        texts.push((entry.answer.plain.as_str(), TEXT));
    }
    let mut parts = sections(&page.body.plain, &page.body.headings);
    parts.extend(page.faq.iter().map(|e| (e.anchor.as_str(), e.question.as_str(), e.answer.plain.trim())));
    (info(format!("{}index.html", page.path), &front.title, &front.description, &parts), texts)
}

/// The topics whose landing is indexed, with their index in the site: all
/// but the FAQ index's, which heads a page of questions that are all on
/// articles.
fn indexed_topics(site: &Site) -> impl Iterator<Item = (usize, &TopicPage)> {
    site.topics.iter().enumerate().filter(|(_, t)| t.path != FAQ_PATH)
}

/// Write index file `name` (`name.js`): a call of [`CALLBACK`] with the JSON
/// that `json`'s pieces make, copied once (an article's text file holds its
/// whole text).
fn write_js(out: &dyn Output, name: &str, json: &[&str]) -> anyhow::Result<()> {
    let pieces = || [CALLBACK, "(\"", name, "\","].into_iter().chain(json.iter().copied()).chain([");\n"]);
    let mut js = String::with_capacity(pieces().map(str::len).sum());
    pieces().for_each(|piece| js.push_str(piece));
    out.write(&format!("{BUNDLE}/{name}.js"), js.as_bytes())
}

/// Write the text file of page `p`, page number `number`:
/// `[[href, title, description, sections]]`.
fn write_text(out: &dyn Output, number: usize, p: &PageInfo) -> anyhow::Result<()> {
    let head = serde_json::to_string(&(&p.href, &p.title, &p.description)).unwrap_or_default();
    // `[[href,title,description` + `,` + sections + `]]`
    let open = format!("[{},", &head[..head.len() - 1]);
    write_js(out, &format!("text-{number}"), &[&open, &p.sections, "]]"])
}

impl Shard {
    /// Count `weight` for `word` on the page being counted.
    fn tally(&mut self, word: &str, weight: u32) {
        let w = match self.words.get(word) {
            Some(&w) => w as usize,
            None => {
                self.words.insert(word.into(), self.postings.len() as u32);
                self.postings.push(Postings::default());
                self.counts.push(0);
                self.postings.len() - 1
            }
        };
        if self.counts[w] == 0 {
            self.on_page.push(w as u32);
        }
        self.counts[w] += weight;
    }

    /// The page counted since the last call is page `page`: add its counts
    /// to the postings (in the order its words came; each word's postings
    /// rise by page) and start the next.
    fn post(&mut self, page: u32) {
        for w in self.on_page.drain(..) {
            let count = std::mem::take(&mut self.counts[w as usize]);
            self.postings[w as usize].push(page, count);
        }
    }

    /// The words of all shards, sorted, each with its postings in every
    /// shard; with `number` (page id → page number, [`REPLACED`] for a
    /// replaced version), only the words some latest version uses.
    fn merge<'a>(shards: &'a [MutexGuard<'_, Shard>], number: Option<&[u32]>) -> Vec<(&'a str, Vec<&'a Postings>)> {
        let mut all: Map<&str, Vec<&Postings>> = Map::default();
        for shard in shards {
            for (word, &w) in &shard.words {
                all.entry(&**word).or_default().push(&shard.postings[w as usize]);
            }
        }
        let mut words: Vec<_> = all.into_iter().collect();
        if let Some(number) = number {
            words.retain(|(_, postings)| {
                postings.iter().flat_map(|p| p.iter()).any(|(page, _)| number[page as usize] != REPLACED)
            });
        }
        words.par_sort_unstable_by(|a, b| a.0.cmp(b.0));
        words
    }
}

/// The page number of a replaced version of a page: it has none.
const REPLACED: u32 = u32::MAX;

/// Where a page sits in the site; sorts in the site's order: home, topics, articles.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Slot {
    Home,
    Topic(usize),
    Article(usize),
}

fn info(href: String, title: &str, description: &str, sections: &[(&str, &str, &str)]) -> PageInfo {
    // shown in search results: a bidirectional control replaced, as on the
    // page (a text without one is kept as it is, not copied)
    use crate::html::without_bidi_controls;
    let sections = serde_json::to_string(sections).unwrap_or_else(|_| "[]".into());
    let sections = without_bidi_controls(&sections).unwrap_or(sections);
    let shown = |text: &str| without_bidi_controls(text).unwrap_or_else(|| text.to_string());
    PageInfo { href, title: shown(title), description: shown(description), sections, length: 0, streamed: None }
}

/// A page's plain text cut at its headings: `(anchor, heading, text)`, the
/// text before the first heading first (with no anchor or heading), and no
/// empty piece.
fn sections<'a>(plain: &'a str, headings: &'a [Heading]) -> Vec<(&'a str, &'a str, &'a str)> {
    let mut out = Vec::new();
    let mut cut = |anchor: &'a str, heading: &'a str, text: &'a str| {
        // the section's text begins with its heading's words; the heading is shown on its own
        let text = text.trim();
        let text = text.strip_prefix(heading).unwrap_or(text).trim_start();
        if !text.is_empty() || !heading.is_empty() {
            out.push((anchor, heading, text));
        }
    };
    let (mut anchor, mut heading, mut start) = ("", "", 0);
    for h in headings {
        // offsets rise and fall on characters; anything else leaves the text in the section before
        let Some(text) = plain.get(start..h.plain_offset) else { continue };
        cut(anchor, heading, text);
        (anchor, heading, start) = (&h.id, &h.title, h.plain_offset);
    }
    cut(anchor, heading, plain.get(start..).unwrap_or_default());
    out
}

/// The words of a text: runs of letters and digits (`char::is_alphanumeric`).
/// `search.js` splits a query the same way (`[^\p{Alphabetic}\p{N}]+`).
struct Words<'a>(&'a str);

/// What [`Words::next_word`] saw of a word: the two things the counter
/// asks before it lowers one (found in the pass that finds the word).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Case {
    /// ASCII letters and digits, none upper case: counted as it is.
    Lower,
    /// ASCII with an upper-case letter.
    Upper,
    /// Not ASCII.
    Other,
}

/// What each byte is to a word: `IN_WORD` for ASCII letters and digits,
/// and `UPPER` too for upper-case letters.
const WORD_BYTES: [u8; 256] = {
    let mut class = [0; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        class[b] = if c.is_ascii_alphanumeric() { IN_WORD } else { 0 } | if c.is_ascii_uppercase() { UPPER } else { 0 };
        b += 1;
    }
    class
};
const IN_WORD: u8 = 1;
const UPPER: u8 = 2;

impl<'a> Words<'a> {
    /// The next word and its [`Case`].
    fn next_word(&mut self) -> Option<(&'a str, Case)> {
        let text = self.0;
        let bytes = text.as_bytes();
        // ASCII bytes are tested as they are; only others are decoded
        let mut start = 0;
        loop {
            let b = *bytes.get(start)?;
            if WORD_BYTES[usize::from(b)] & IN_WORD != 0 {
                break;
            }
            if b.is_ascii() {
                start += 1;
                continue;
            }
            let c = text[start..].chars().next()?;
            if c.is_alphanumeric() {
                break;
            }
            start += c.len_utf8();
        }
        // ASCII letters and digits are most of any text: one table lookup a byte
        let (mut end, mut seen) = (start, 0);
        while let Some(&b) = bytes.get(end) {
            let class = WORD_BYTES[usize::from(b)];
            if class == 0 {
                break;
            }
            seen |= class;
            end += 1;
        }
        let mut case = if seen & UPPER != 0 { Case::Upper } else { Case::Lower };
        if end < bytes.len() && !bytes[end].is_ascii() {
            // what follows the ASCII run starts with a character beyond ASCII:
            // the word goes on (and is not ASCII) if that one is a letter or digit
            let rest = &text[end..];
            let more = rest.find(|c: char| !c.is_alphanumeric()).unwrap_or(rest.len());
            if more > 0 {
                (end, case) = (end + more, Case::Other);
            }
        }
        self.0 = &text[end..];
        Some((&text[start..end], case))
    }
}

/// The vocabulary grouped by stem, with each stem's scored postings.
struct Stems {
    names: Vec<String>,
    /// For each stem: its pages by number, each with its score (packed as
    /// the words' postings are: a 100,000-article index holds tens of
    /// millions of them until written).
    postings: Vec<Postings>,
}

impl Stems {
    fn group(vocabulary: &[(&str, Vec<&Postings>)], stemmed: &[String], number: &[u32], pages: &[&PageInfo]) -> Self {
        let mut ids: Map<&str, u32> = Map::default();
        let mut members: Vec<Vec<usize>> = Vec::new();
        let mut names = Vec::new();
        for (word, stem) in stemmed.iter().enumerate() {
            let id = *ids.entry(stem).or_insert_with(|| {
                names.push(stem.clone());
                members.push(Vec::new());
                names.len() as u32 - 1
            });
            members[id as usize].push(word);
        }
        let total = pages.len() as f64;
        let average = pages.iter().map(|p| f64::from(p.length)).sum::<f64>() / total.max(1.0);
        let postings = members
            .par_iter()
            .map(|words| {
                let mut counts: Vec<(u32, u32)> = words
                    .iter()
                    .flat_map(|&w| &vocabulary[w].1)
                    .flat_map(|p| p.iter())
                    .map(|(page, count)| (number[page as usize], count))
                    .filter(|&(page, _)| page != REPLACED)
                    .collect();
                counts.sort_unstable();
                counts.dedup_by(|b, a| {
                    let same = a.0 == b.0;
                    if same {
                        a.1 += b.1;
                    }
                    same
                });
                let idf = (1.0 + (total - counts.len() as f64 + 0.5) / (counts.len() as f64 + 0.5)).ln();
                let mut scored = Postings::default();
                for (page, count) in counts {
                    let length = f64::from(pages[page as usize].length) / average.max(1.0);
                    scored.push(page, bm25(idf, f64::from(count), length));
                }
                scored.bytes.shrink_to_fit();
                scored
            })
            .collect();
        Stems { names, postings }
    }
}

/// Okapi BM25 (k1 = 1.2, b = 0.75) of a stem counted `count` times on a
/// page `length` times the average length, in hundredths (at least 1).
fn bm25(idf: f64, count: f64, length: f64) -> u32 {
    const K1: f64 = 1.2;
    const B: f64 = 0.75;
    let score = idf * count * (K1 + 1.0) / (count + K1 * (1.0 - B + B * length));
    ((score * 100.0).round() as u32).max(1)
}

#[derive(Serialize)]
struct Meta<'a> {
    format: u32,
    pages: usize,
    /// The first stem of each stem file.
    stems: Vec<&'a str>,
    /// The lengths (in characters) that have a vocabulary file.
    vocabulary: Vec<usize>,
    /// Pages in each text file: page `p` is in `text-{p / pages_per_text}`.
    pages_per_text: usize,
}

#[derive(Default, Serialize)]
struct StemFile<'a> {
    /// Sorted.
    stems: Vec<&'a str>,
    /// For each stem, page-number gaps and scores, alternating.
    pages: Vec<&'a Postings>,
    #[serde(skip)]
    numbers: usize,
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::Value;

    use super::*;
    use crate::output::Memory;

    /// An index of `pages` (slot, title, text), as written.
    fn index(pages: &[(Slot, &str, &str)]) -> Files {
        let indexer = Indexer::default();
        for (slot, title, text) in pages {
            let info = info(format!("{title}.html"), title, "", &[("", "", text)]);
            indexer.add(*slot, info, &[(title, TITLE), (text, TEXT)]);
        }
        let memory = Memory::default();
        indexer.write(&memory).unwrap();
        let files = Files(memory.into_files());
        assert_eq!(files.meta()["pages"], pages.len());
        files
    }

    struct Files(BTreeMap<String, Vec<u8>>);

    impl Files {
        /// The data of index file `name`, checking it is one call of the callback.
        fn js(&self, name: &str) -> Value {
            let text = std::str::from_utf8(&self.0[&format!("{BUNDLE}/{name}.js")]).unwrap();
            let json = text.strip_prefix(&format!("{CALLBACK}(\"{name}\",")).unwrap().strip_suffix(");\n").unwrap();
            serde_json::from_str(json).unwrap()
        }

        fn meta(&self) -> Value {
            self.js("meta")
        }

        fn titles(&self) -> Vec<String> {
            let per = self.meta()["pages_per_text"].as_u64().unwrap() as usize;
            let pages = self.meta()["pages"].as_u64().unwrap() as usize;
            (0..pages).map(|p| self.js(&format!("text-{}", p / per))[p % per][1].as_str().unwrap().into()).collect()
        }

        /// Page number → score for `stem`, read from the one file `search.js` loads for it.
        fn look_up(&self, stem: &str) -> BTreeMap<u64, u64> {
            let firsts = self.meta()["stems"].as_array().unwrap().clone();
            let file = firsts.iter().rposition(|f| f.as_str().unwrap() <= stem).unwrap_or(0);
            let file = self.js(&format!("stems-{file}"));
            let Some(at) = file["stems"].as_array().unwrap().iter().position(|s| s == stem) else {
                return BTreeMap::new();
            };
            let mut page = 0;
            file["pages"][at]
                .as_array()
                .unwrap()
                .chunks(2)
                .map(|pair| {
                    page += pair[0].as_u64().unwrap();
                    (page, pair[1].as_u64().unwrap())
                })
                .collect()
        }
    }

    fn written(indexer: &Indexer) -> BTreeMap<String, Vec<u8>> {
        let memory = Memory::default();
        indexer.write(&memory).unwrap();
        memory.into_files()
    }

    fn add(indexer: &Indexer, slot: Slot, title: &str, text: &str) {
        indexer.add(slot, info(format!("{title}.html"), title, "", &[]), &[(title, TITLE), (text, TEXT)]);
    }

    #[test]
    fn a_page_counted_again_replaces_its_earlier_version_as_a_fresh_index_would_have_it() {
        let pages = [
            (Slot::Home, "Welcome", "About ketamine and sleep."),
            (Slot::Article(0), "Sleep", "A depressed mood can follow poor sleep."),
            (Slot::Article(1), "Dosing", "Doses are weighed; unusual words: zygote quorum."),
        ];
        let kept = Indexer::default();
        for (slot, title, text) in pages {
            add(&kept, slot, title, text);
        }
        let before = written(&kept);
        // written twice, the same bytes
        assert_eq!(written(&kept), before);
        // article 1 edited: its old words (zygote, quorum) go, new ones come,
        // every score moves with the new average length
        add(&kept, Slot::Article(1), "Dosing", "Doses are weighed with care, again and again and again.");
        add(&kept, Slot::Article(1), "Dosing", "Doses are weighed with care.");
        let fresh = Indexer::default();
        for (slot, title, text) in [pages[0], pages[1], (Slot::Article(1), "Dosing", "Doses are weighed with care.")] {
            add(&fresh, slot, title, text);
        }
        let after = written(&kept);
        assert_ne!(after, before);
        assert_eq!(after, written(&fresh));
    }

    /// Every word of `text`, with its case.
    fn words(text: &str) -> Vec<(&str, Case)> {
        let mut words = Words(text);
        std::iter::from_fn(|| words.next_word()).collect()
    }

    #[test]
    fn words_are_runs_of_letters_and_digits() {
        let found: Vec<_> =
            words("Don't stop—café, 2019 naïve; “IV”  ketamine-assisted").into_iter().map(|(w, _)| w).collect();
        assert_eq!(found, ["Don", "t", "stop", "café", "2019", "naïve", "IV", "ketamine", "assisted"]);
        assert_eq!(words(" ,; "), []);
    }

    #[test]
    fn a_word_s_case_is_what_its_characters_say() {
        let text = "Don't stop—café, 2019 naïve; “IV”  ketamine-Assisted ÉCT déjà-vu x² İstanbul ΣΑΣ aB1 Zz";
        let found = words(text);
        for &(word, case) in &found {
            let expected = match (word.is_ascii(), word.bytes().any(|b| b.is_ascii_uppercase())) {
                (false, _) => Case::Other,
                (true, true) => Case::Upper,
                (true, false) => Case::Lower,
            };
            assert_eq!(case, expected, "{word}");
        }
        let found: Vec<_> = found.into_iter().map(|(w, _)| w).collect();
        assert_eq!(
            found,
            [
                "Don",
                "t",
                "stop",
                "café",
                "2019",
                "naïve",
                "IV",
                "ketamine",
                "Assisted",
                "ÉCT",
                "déjà",
                "vu",
                "x²",
                "İstanbul",
                "ΣΑΣ",
                "aB1",
                "Zz"
            ]
        );
    }

    #[test]
    fn postings_round_trip() {
        let mut p = Postings::default();
        let pairs = [(0, 1), (1, 200), (300, 3), (70_000, 1), (70_001, 1 << 20)];
        for (page, count) in pairs {
            p.push(page, count);
        }
        assert_eq!(p.iter().collect::<Vec<_>>(), pairs);
        assert!(p.bytes.len() < pairs.len() * 8 / 2, "{} bytes", p.bytes.len());
        // written as the gaps and counts, as a flat list of them would be
        let flat = [0, 1, 1, 200, 299, 3, 69_700, 1, 1, 1 << 20];
        assert_eq!(p.len(), flat.len());
        assert_eq!(serde_json::to_string(&p).unwrap(), serde_json::to_string(&flat).unwrap());
    }

    #[test]
    fn stems_ranking_and_site_order() {
        let files = index(&[
            (
                Slot::Article(1),
                "Ketamine and depression",
                "Ketamine may ease depression within hours. Depression often returns.",
            ),
            (Slot::Article(0), "Sleep", "A depressed mood can follow poor sleep."),
            (Slot::Home, "Welcome", "About ketamine."),
            (Slot::Topic(0), "Safety", "Side effects."),
        ]);
        // numbered in site order whatever order they were indexed in
        assert_eq!(files.titles(), ["Welcome", "Safety", "Sleep", "Ketamine and depression"]);
        // "depression" and "depressed" share a stem; the page using it more, and in its title, ranks first
        let depress = files.look_up("depress");
        assert_eq!(depress.keys().copied().collect::<Vec<_>>(), [2, 3]);
        assert!(depress[&3] > depress[&2], "{depress:?}");
        assert_eq!(files.look_up("ketamin").keys().copied().collect::<Vec<_>>(), [0, 3]);
        assert!(files.look_up("depression").is_empty(), "words are kept as their stems");
        // the vocabulary files hold the stems by length, numbers left out
        assert_eq!(files.js("vocabulary-7"), serde_json::json!(["depress", "ketamin"]));
    }

    #[test]
    fn words_are_lowered_as_the_browser_lowers_a_query() {
        // "ΟΔΟΣ".toLowerCase() in JavaScript is "οδος", with a final sigma
        let files = index(&[(Slot::Home, "Welcome", "ΟΔΟΣ Straße")]);
        assert_eq!(files.look_up("οδος").len(), 1);
        assert_eq!(files.look_up("straße").len(), 1);
    }

    #[test]
    fn a_large_index_is_split_and_each_stem_is_in_the_file_meta_points_to() {
        let texts: Vec<(String, String)> =
            (0..3000).map(|i| (format!("page{i}"), format!("common word{i} w{} zebra{}", i % 7, i % 50))).collect();
        let pages: Vec<_> =
            texts.iter().enumerate().map(|(i, (t, x))| (Slot::Article(i), t.as_str(), x.as_str())).collect();
        let files = index(&pages);
        let firsts = files.meta()["stems"].as_array().unwrap().clone();
        assert!(firsts.len() > 3, "{} stem files", firsts.len());
        let mut all = Vec::new();
        for (i, first) in firsts.iter().enumerate() {
            let file = files.js(&format!("stems-{i}"));
            assert_eq!(&file["stems"][0], first, "meta names the first stem of each file");
            assert_eq!(file["stems"].as_array().unwrap().len(), file["pages"].as_array().unwrap().len());
            all.extend(file["stems"].as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()));
        }
        assert!(all.windows(2).all(|w| w[0] < w[1]), "sorted, each stem once");
        for stem in &all {
            assert!(!files.look_up(stem).is_empty(), "{stem} is found where meta says");
        }
        assert_eq!(files.look_up("common").len(), 3000);
        assert_eq!(files.look_up("word2999").keys().copied().collect::<Vec<_>>(), [2999]);
        // text files hold the pages in order, a few each
        assert_eq!(files.titles().len(), 3000);
        assert_eq!(files.titles()[2999], "page2999");
    }

    #[test]
    fn sections_are_cut_at_headings() {
        let heading = |id: &str, title: &str, plain_offset| Heading {
            level: 2,
            id: id.into(),
            title: title.into(),
            offset: 0,
            plain_offset,
        };
        let plain = "Intro words. Sleep Rest matters. Work `code` Time off. ";
        let headings = [heading("sleep", "Sleep", 13), heading("work", "Work code", 33)];
        assert_eq!(
            sections(plain, &headings),
            [
                ("", "", "Intro words."),
                ("sleep", "Sleep", "Rest matters."),
                ("work", "Work code", "Work `code` Time off.")
            ]
        );
        // nothing before the first heading: no first section
        assert_eq!(sections("Sleep Rest.", &[heading("sleep", "Sleep", 0)]), [("sleep", "Sleep", "Rest.")]);
        // an offset that is not on a character leaves the text in the section before
        assert_eq!(sections("é b", &[heading("x", "X", 1)]), [("", "", "é b")]);
    }
}
