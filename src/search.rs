//! The full-text index behind the `/search/` page: made while `build`
//! renders the pages, written as a few static JSON files under [`BUNDLE`],
//! queried in the browser by the theme's `search.js`.
//!
//! [`Indexer::add_article`] (and `add_topic`, `add_home`) counts the words
//! of one page as soon as its Markdown is rendered: its title, description
//! and key points (weighted up), headings, prose, and its questions and
//! answers. Code, citations, references and the page furniture are not
//! indexed. [`Indexer::write`] then groups the words by English stem
//! (Snowball), scores each page for each stem with BM25, and writes:
//!
//! - `meta.json`: the format, the number of pages, how many pages each page
//!   file holds, and the first word of each word file;
//! - `words-N.json`: a run of the sorted vocabulary; for each word the stem
//!   it belongs to, and for each of those stems the pages that use it (as
//!   gaps between page numbers) with their scores;
//! - `pages-N.json`: each page's address (from the site's root), title and
//!   description.
//!
//! A query word matches every indexed word it begins, and through them
//! their stems: `depress` finds pages that say "depression" or "depressed".
//! The browser loads only `meta.json`, the word files its words fall in and
//! the page files of the results it shows.
//!
//! `serve` keeps its [`Indexer`]: a page added again (an edited article)
//! replaces its earlier version, and [`Indexer::write`] writes the index
//! again from what it holds, the same bytes as a fresh build's.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use rayon::prelude::*;
use serde::Serialize;

use crate::output::Output;
use crate::site::{FAQ_PATH, Page, Site, TopicPage};

/// The folder of the output holding the index.
pub const BUNDLE: &str = "search-index";
/// Bumped when the files change shape; `search.js` checks it.
const FORMAT: u32 = 1;
/// Pages described in each `pages-N.json`.
const PAGES_PER_FILE: usize = 100;
/// About how many numbers of postings a word file holds before the next
/// begins (about 20 kB of JSON; a stem used on more pages makes its file larger).
const NUMBERS_PER_FILE: usize = 4_000;
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
}

impl Default for Indexer {
    fn default() -> Self {
        let shards = (0..=rayon::current_num_threads()).map(|_| Mutex::default()).collect();
        Indexer { pages: Mutex::default(), shards }
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

    fn iter(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        let mut bytes = self.bytes.iter();
        let mut next = move || {
            let (mut n, mut shift) = (0u32, 0);
            for &b in bytes.by_ref() {
                n |= u32::from(b & 0x7f) << shift;
                if b < 0x80 {
                    return Some(n);
                }
                shift += 7;
            }
            None
        };
        let mut page = 0;
        std::iter::from_fn(move || {
            page += next()?;
            Some((page, next()?))
        })
    }
}

/// What a result shows of a page (written to `pages-N.json` as
/// `[href, title, description]`), and its weighted length for BM25.
struct PageInfo {
    href: String,
    title: String,
    description: String,
    length: u32,
}

impl Indexer {
    /// Article `index` of the site, just rendered; replaces what an earlier
    /// call counted for the same article.
    pub fn add_article(&self, index: usize, page: &Page) {
        let front = &page.article.front;
        let mut texts = vec![(front.title.as_str(), TITLE), (front.description.as_str(), SUMMARY)];
        texts.extend(front.key_points.iter().map(|k| (k.as_str(), SUMMARY)));
        texts.extend(page.body.headings.iter().map(|h| (h.title.as_str(), SUMMARY)));
        texts.push((page.body.plain.as_str(), TEXT));
        for entry in &page.faq {
            texts.push((entry.question.as_str(), SUMMARY));
            texts.push((entry.answer.plain.as_str(), TEXT));
        }
        let info = info(format!("{}index.html", page.path), &front.title, &front.description);
        self.add(Slot::Article(index), info, &texts);
    }

    /// The home page.
    pub fn add_home(&self, page: &Page) {
        let front = &page.article.front;
        self.add_landing(Slot::Home, "index.html".into(), &front.title, &front.description, &page.body.plain);
    }

    /// Topic page `index` of the site.
    pub fn add_topic(&self, index: usize, page: &TopicPage) {
        let front = &page.topic.front;
        let href = format!("{}index.html", page.path);
        self.add_landing(Slot::Topic(index), href, &front.title, &front.description, &page.body.plain);
    }

    /// The home page and the topic pages of `site`, as `build` indexes them
    /// once the articles are counted. The FAQ index's landing text is left
    /// out: it heads a page of questions that are all on articles.
    pub fn add_landings(&self, site: &Site) {
        if let Some(home) = &site.home {
            self.add_home(home);
        }
        for (i, topic) in site.topics.iter().enumerate().filter(|(_, t)| t.path != FAQ_PATH) {
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
    fn add_landing(&self, slot: Slot, href: String, title: &str, description: &str, text: &str) {
        let texts = [(title, TITLE), (description, SUMMARY), (text, TEXT)];
        self.add(slot, info(href, title, description), &texts);
    }

    fn add(&self, slot: Slot, info: PageInfo, texts: &[(&str, u32)]) {
        // Lower-case the words into one buffer and count them on this page first.
        let mut lower = String::new();
        let mut spans = Vec::new();
        let mut length = 0;
        for &(text, weight) in texts {
            for word in Words(text) {
                length += weight;
                if word.len() > MAX_WORD_BYTES {
                    continue;
                }
                let start = lower.len();
                if word.is_ascii() {
                    lower.push_str(word);
                    lower[start..].make_ascii_lowercase();
                } else {
                    // as the query is lowered in `search.js` (a final Σ becomes ς)
                    lower.push_str(&word.to_lowercase());
                }
                spans.push((start, lower.len(), weight));
            }
        }
        let mut counts: Map<&str, u32> = Map::default();
        for (start, end, weight) in spans {
            *counts.entry(&lower[start..end]).or_default() += weight;
        }
        let shard = rayon::current_thread_index().map_or(0, |i| 1 + i) % self.shards.len();
        let mut shard = crate::lock(&self.shards[shard]);
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
        for (word, count) in counts {
            shard.count(word, id, count);
        }
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

        let mut files = Vec::new();
        let mut first_words = Vec::new();
        let mut file = WordFile::default();
        let mut in_file: Map<u32, u32> = Map::default();
        for (i, (word, _)) in vocabulary.iter().enumerate() {
            if file.words.is_empty() {
                first_words.push(*word);
            }
            let stem = stems.of_word[i];
            let local = *in_file.entry(stem).or_insert_with(|| {
                file.stems.push(&stems.names[stem as usize]);
                file.pages.push(&stems.postings[stem as usize]);
                file.numbers += stems.postings[stem as usize].len();
                file.stems.len() as u32 - 1
            });
            file.words.push(word);
            file.stem.push(local);
            if file.numbers >= NUMBERS_PER_FILE {
                files.push(std::mem::take(&mut file));
                in_file.clear();
            }
        }
        if !file.words.is_empty() {
            files.push(file);
        }
        let written: Vec<anyhow::Result<()>> = files
            .par_iter()
            .enumerate()
            .map(|(n, f)| out.write(&format!("{BUNDLE}/words-{n}.json"), &serde_json::to_vec(f)?))
            .chain(pages.par_chunks(PAGES_PER_FILE).enumerate().map(|(n, chunk)| {
                let rows: Vec<_> = chunk.iter().map(|p| (&p.href, &p.title, &p.description)).collect();
                out.write(&format!("{BUNDLE}/pages-{n}.json"), &serde_json::to_vec(&rows)?)
            }))
            .collect();
        written.into_iter().collect::<anyhow::Result<()>>()?;
        let meta = Meta { format: FORMAT, pages: pages.len(), pages_per_file: PAGES_PER_FILE, words: first_words };
        out.write(&format!("{BUNDLE}/meta.json"), &serde_json::to_vec(&meta)?)
    }
}

impl Shard {
    fn count(&mut self, word: &str, page: u32, count: u32) {
        let w = match self.words.get(word) {
            Some(&w) => w as usize,
            None => {
                self.words.insert(word.into(), self.postings.len() as u32);
                self.postings.push(Postings::default());
                self.postings.len() - 1
            }
        };
        self.postings[w].push(page, count);
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

fn info(href: String, title: &str, description: &str) -> PageInfo {
    PageInfo { href, title: title.to_string(), description: description.to_string(), length: 0 }
}

/// The words of a text: runs of letters and digits (`char::is_alphanumeric`).
/// `search.js` splits a query the same way (`[^\p{Alphabetic}\p{N}]+`).
struct Words<'a>(&'a str);

impl<'a> Iterator for Words<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let text = self.0;
        let start = text.char_indices().find(|&(_, c)| c.is_alphanumeric())?.0;
        let rest = &text[start..];
        // ASCII letters and digits are most of any text: test those bytes without decoding
        let mut end = rest.bytes().position(|b| !b.is_ascii_alphanumeric()).unwrap_or(rest.len());
        if !rest[end..].starts_with(|c: char| c.is_ascii()) {
            end += rest[end..].find(|c: char| !c.is_alphanumeric()).unwrap_or(rest.len() - end);
        }
        self.0 = &rest[end..];
        Some(&rest[..end])
    }
}

/// The vocabulary grouped by stem, with each stem's scored postings.
struct Stems {
    /// For each word of the sorted vocabulary, its stem's number.
    of_word: Vec<u32>,
    names: Vec<String>,
    /// For each stem: gap to the previous page number, score; flattened.
    postings: Vec<Vec<u32>>,
}

impl Stems {
    fn group(vocabulary: &[(&str, Vec<&Postings>)], stemmed: &[String], number: &[u32], pages: &[&PageInfo]) -> Self {
        let mut ids: Map<&str, u32> = Map::default();
        let mut members: Vec<Vec<usize>> = Vec::new();
        let mut names = Vec::new();
        let of_word = stemmed
            .iter()
            .enumerate()
            .map(|(word, stem)| {
                let id = *ids.entry(stem).or_insert_with(|| {
                    names.push(stem.clone());
                    members.push(Vec::new());
                    names.len() as u32 - 1
                });
                members[id as usize].push(word);
                id
            })
            .collect();
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
                let mut flat = Vec::with_capacity(counts.len() * 2);
                let mut last = 0;
                for (page, count) in counts {
                    let length = f64::from(pages[page as usize].length) / average.max(1.0);
                    flat.extend([page - last, bm25(idf, f64::from(count), length)]);
                    last = page;
                }
                flat
            })
            .collect();
        Stems { of_word, names, postings }
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
    pages_per_file: usize,
    /// The first word of each word file.
    words: Vec<&'a str>,
}

#[derive(Default, Serialize)]
struct WordFile<'a> {
    /// Sorted.
    words: Vec<&'a str>,
    /// For each word, its stem's place in `stems`.
    stem: Vec<u32>,
    stems: Vec<&'a str>,
    /// For each stem, page-number gaps and scores, alternating.
    pages: Vec<&'a Vec<u32>>,
    #[serde(skip)]
    numbers: usize,
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use serde_json::Value;

    use super::*;
    use crate::output::Memory;

    /// An index of `pages` (slot, title, text), as written.
    fn index(pages: &[(Slot, &str, &str)]) -> Files {
        let indexer = Indexer::default();
        for (slot, title, text) in pages {
            let info = info(format!("{title}.html"), title, "");
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
        fn json(&self, name: &str) -> Value {
            serde_json::from_slice(&self.0[&format!("{BUNDLE}/{name}")]).unwrap()
        }

        fn meta(&self) -> Value {
            self.json("meta.json")
        }

        fn titles(&self) -> Vec<String> {
            let per = self.meta()["pages_per_file"].as_u64().unwrap() as usize;
            let pages = self.meta()["pages"].as_u64().unwrap() as usize;
            (0..pages)
                .map(|p| self.json(&format!("pages-{}.json", p / per))[p % per][1].as_str().unwrap().into())
                .collect()
        }

        /// The word files `search.js` loads for `term`.
        fn files_for(&self, term: &str) -> Vec<usize> {
            let starts: Vec<String> =
                self.meta()["words"].as_array().unwrap().iter().map(|w| w.as_str().unwrap().into()).collect();
            (0..starts.len())
                .filter(|&i| {
                    let before_next = starts.get(i + 1).is_none_or(|next| next.as_str() > term);
                    before_next && (starts[i].as_str() <= term || starts[i].starts_with(term))
                })
                .collect()
        }

        /// Page number → score for one query word, as `search.js` finds it;
        /// `all`: look in every word file instead of the ones it would load.
        fn look_up(&self, term: &str, all: bool) -> BTreeMap<u64, u64> {
            let files =
                if all { (0..self.meta()["words"].as_array().unwrap().len()).collect() } else { self.files_for(term) };
            let mut scores = BTreeMap::new();
            let mut seen = BTreeSet::new();
            for i in files {
                let file = self.json(&format!("words-{i}.json"));
                for (w, word) in file["words"].as_array().unwrap().iter().enumerate() {
                    let word = word.as_str().unwrap();
                    let s = file["stem"][w].as_u64().unwrap() as usize;
                    let matches = word == term || (term.len() >= 3 && word.starts_with(term));
                    if !matches || !seen.insert(file["stems"][s].as_str().unwrap().to_string()) {
                        continue;
                    }
                    let pages = file["pages"][s].as_array().unwrap();
                    let mut page = 0;
                    for pair in pages.chunks(2) {
                        page += pair[0].as_u64().unwrap();
                        let best = scores.entry(page).or_default();
                        *best = pair[1].as_u64().unwrap().max(*best);
                    }
                }
            }
            scores
        }
    }

    fn written(indexer: &Indexer) -> BTreeMap<String, Vec<u8>> {
        let memory = Memory::default();
        indexer.write(&memory).unwrap();
        memory.into_files()
    }

    fn add(indexer: &Indexer, slot: Slot, title: &str, text: &str) {
        indexer.add(slot, info(format!("{title}.html"), title, ""), &[(title, TITLE), (text, TEXT)]);
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

    #[test]
    fn words_are_runs_of_letters_and_digits() {
        let words: Vec<_> = Words("Don't stop—café, 2019 naïve; “IV”  ketamine-assisted").collect();
        assert_eq!(words, ["Don", "t", "stop", "café", "2019", "naïve", "IV", "ketamine", "assisted"]);
        assert_eq!(Words(" ,; ").count(), 0);
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
    }

    #[test]
    fn stems_prefixes_ranking_and_site_order() {
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
        // "depression" reaches "depressed" through their stem; the page using it more, and in its title, ranks first
        let depression = files.look_up("depression", false);
        assert_eq!(depression.keys().copied().collect::<Vec<_>>(), [2, 3]);
        assert!(depression[&3] > depression[&2], "{depression:?}");
        // a word of three letters or more matches the words it begins; shorter ones only themselves
        assert_eq!(files.look_up("keta", false).keys().copied().collect::<Vec<_>>(), [0, 3]);
        assert!(files.look_up("ke", false).is_empty());
        assert_eq!(files.look_up("a", false).keys().copied().collect::<Vec<_>>(), [2]);
        assert!(files.look_up("zebra", false).is_empty());
    }

    #[test]
    fn words_are_lowered_as_the_browser_lowers_a_query() {
        // "ΟΔΟΣ".toLowerCase() in JavaScript is "οδος", with a final sigma
        let files = index(&[(Slot::Home, "Welcome", "ΟΔΟΣ Straße")]);
        assert_eq!(files.look_up("οδος", false).len(), 1);
        assert_eq!(files.look_up("straße", false).len(), 1);
    }

    #[test]
    fn a_large_index_is_split_and_a_word_is_found_in_the_files_loaded_for_it() {
        let texts: Vec<(String, String)> =
            (0..3000).map(|i| (format!("page{i}"), format!("common word{i} w{}", i % 7))).collect();
        let pages: Vec<_> =
            texts.iter().enumerate().map(|(i, (t, x))| (Slot::Article(i), t.as_str(), x.as_str())).collect();
        let files = index(&pages);
        let starts = files.meta()["words"].as_array().unwrap().len();
        assert!(starts > 3, "{starts} word files");
        let mut vocabulary = Vec::new();
        for i in 0..starts {
            let file = files.json(&format!("words-{i}.json"));
            let words = file["words"].as_array().unwrap();
            assert_eq!(files.meta()["words"][i], words[0], "meta names the first word of each file");
            for (w, _) in words.iter().enumerate() {
                assert!((file["stem"][w].as_u64().unwrap() as usize) < file["stems"].as_array().unwrap().len());
            }
            vocabulary.extend(words.iter().map(|w| w.as_str().unwrap().to_string()));
        }
        assert!(vocabulary.windows(2).all(|w| w[0] < w[1]), "sorted, each word once");
        for term in ["common", "word2999", "word1", "word15", "page", "page0", "w3", "wor", "zzz", "0"] {
            assert_eq!(files.look_up(term, false), files.look_up(term, true), "{term}");
        }
        assert_eq!(files.look_up("common", false).len(), 3000);
        assert_eq!(files.look_up("word1", false).len(), 1111, "word1, word10–19, word100–199, word1000–1999");
        assert_eq!(files.look_up("word2999", false).keys().copied().collect::<Vec<_>>(), [2999]);
    }
}
