//! The generated FAQ index: every question of the site, grouped by topic in
//! navigation order, answers rendered again so their citations are numbered
//! against the reference list of the index page they are on; and the
//! duplicate check.
//!
//! When the site has no more questions than `paginate_by`, the index is one
//! page, `faq/`. Past that it is split (see [`super::split`]): `faq/` lists
//! the topics, and each topic's questions are on `faq/<topic>/`,
//! `faq/<topic>/page/2/`…, each page with its own references.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::Arc;

use rayon::prelude::*;

use super::links::{LinkTable, PageResolver};
use super::split::{self, ListPage};
use super::{FAQ_PATH, Page, TopicPage, faq_anchors};
use crate::diagnostics::{Code, Diagnostic, Lines, Suggestions};
use crate::markdown::{self, Citations, Rendered, Source};

/// One entry of the index.
#[derive(Debug)]
pub struct IndexEntry {
    pub article: usize,
    pub entry: usize,
    /// Unique across the site: the entry's id on `/faq/`.
    pub anchor: String,
    /// Its id on the article's page.
    pub page_anchor: String,
    /// The index page it is on (into [`FaqIndex::pages`]).
    pub page: usize,
}

/// The FAQ index.
#[derive(Debug, Default)]
pub struct FaqIndex {
    /// (topic index, entries).
    pub groups: Vec<(usize, Vec<IndexEntry>)>,
    /// Its pages: `faq/` first. Split, `faq/` holds no questions.
    pub pages: Vec<FaqPage>,
    /// Split into a page (or pages) per topic.
    pub split: bool,
    /// Each page's answers, by page; empty when the pages were handed on
    /// as they were rendered ([`index_each`]) and not kept.
    pub answers: Vec<PageAnswers>,
}

/// One page of the FAQ index.
#[derive(Debug)]
pub struct FaqPage {
    /// Its folder, number and how many pages its topic has; `entries`
    /// index the entries of group `group`.
    pub list: ListPage,
    /// The group (into [`FaqIndex::groups`]) it shows; `None`: every group
    /// (not split), or the list of topics (split).
    pub group: Option<usize>,
}

/// The answers one page of the index shows, rendered for it.
#[derive(Debug, Default)]
pub struct PageAnswers {
    /// In the order of [`FaqIndex::shown`].
    pub answers: Vec<Rendered>,
    /// The numbering of their citations.
    pub citations: Citations,
}

impl FaqIndex {
    /// The entries page `page` shows, in order, each with its group: the
    /// order its answers are rendered in and shown in.
    pub fn shown(&self, page: usize) -> Vec<(usize, &IndexEntry)> {
        let on = &self.pages[page];
        match on.group {
            Some(g) => on.list.entries.iter().map(|&e| (g, &self.groups[g].1[e])).collect(),
            None if self.split => Vec::new(),
            None => self
                .groups
                .iter()
                .enumerate()
                .flat_map(|(g, (_, entries))| entries.iter().map(move |e| (g, e)))
                .collect(),
        }
    }
}

/// Every FAQ entry of the site, by topic, rendered for the index pages they
/// are on (`per`: `paginate_by`). Only the pages' front matter is read: the
/// index can be made while the pages are still being rendered.
pub(crate) fn index(topics: &[TopicPage], pages: &[Page], table: &LinkTable, per: usize) -> FaqIndex {
    index_each(topics, pages, table, per, |_, _, _| {})
}

/// [`index`], handing each of its pages to `each` as soon as its answers
/// are rendered (pages in parallel), so that a build holds no more than a
/// few pages' answers at once: `each` may drop them.
pub(crate) fn index_each(
    topics: &[TopicPage],
    pages: &[Page],
    table: &LinkTable,
    per: usize,
    each: impl Fn(&FaqIndex, usize, &mut PageAnswers) + Sync,
) -> FaqIndex {
    let mut index = layout(topics, pages, per);
    let answers = (0..index.pages.len())
        .into_par_iter()
        .map(|p| {
            let mut answers = render_page(&index, p, pages, table);
            each(&index, p, &mut answers);
            answers
        })
        .collect();
    index.answers = answers;
    index
}

/// Where every entry goes: its topic's group, its anchor and its page.
fn layout(topics: &[TopicPage], pages: &[Page], per: usize) -> FaqIndex {
    let counts: Vec<usize> =
        topics.iter().map(|t| t.articles.iter().map(|&a| pages[a].article.front.faq.len()).sum()).collect();
    let split = is_split(counts.iter().sum(), per);
    let mut index = FaqIndex { split, ..FaqIndex::default() };
    index.pages.push(FaqPage { list: split::paged(FAQ_PATH, &[], 1, None).remove(0), group: None });
    let mut taken = markdown::UniqueIds::new(markdown::RESERVED_IDS.iter().map(|s| s.to_string()));
    for (t, topic) in topics.iter().enumerate() {
        taken.insert(format!("topic-{}", topic.topic.name));
        if counts[t] == 0 {
            continue;
        }
        let group = index.groups.len();
        // this topic's pages (split), or `faq/` for all
        let first = index.pages.len();
        if split {
            let all: Vec<usize> = (0..counts[t]).collect();
            for list in split::paged(&topic_path(&topic.topic.name), &all, per, None) {
                index.pages.push(FaqPage { list, group: Some(group) });
            }
        }
        let mut entries = Vec::new();
        for &a in &topic.articles {
            let article = &pages[a].article;
            for (e, page_anchor) in faq_anchors(article).into_iter().enumerate() {
                let page = if split { first + entries.len() / per } else { 0 };
                if !split {
                    index.pages[0].list.entries.push(entries.len());
                }
                let anchor = taken.unique(page_anchor.clone());
                entries.push(IndexEntry { article: a, entry: e, anchor, page_anchor, page });
            }
        }
        index.groups.push((t, entries));
    }
    index
}

/// The answers of page `p` of `index`, rendered one after another (so their
/// citations number in page order).
fn render_page(index: &FaqIndex, p: usize, pages: &[Page], table: &LinkTable) -> PageAnswers {
    let path = &index.pages[p].list.path;
    let mut citations = Citations::new("");
    let mut answers = Vec::new();
    // the lines of each article answers come from, found once per article
    let mut lines: HashMap<usize, Lines> = HashMap::new();
    for (_, entry) in index.shown(p) {
        let article = &pages[entry.article].article;
        let home = &pages[entry.article].path;
        let resolver = PageResolver {
            table,
            dir: &article.dir,
            page: path,
            home,
            text: true,
            suggestions: Suggestions::default(),
        };
        // (while pages render, `text` may be gone: positions only matter to diagnostics)
        let offset = article.faq_offsets[entry.entry].1;
        let lines = lines.entry(entry.article).or_default();
        let source = Source { file: &article.file, text: &article.text, offset, lines };
        let mut answer = markdown::render(&article.front.faq[entry.entry].a, source, &resolver, &mut citations);
        answer.diagnostics.clear(); // already reported from the article page
        answer.prose = String::new(); // only its HTML and plain text (JSON-LD) are used
        answers.push(answer);
    }
    PageAnswers { answers, citations }
}

/// Whether an index of `questions` questions is split by topic.
pub(crate) fn is_split(questions: usize, per: usize) -> bool {
    questions > per
}

/// The first page of a topic's questions on a split index: `faq/<topic>/`.
pub(crate) fn topic_path(topic: &str) -> String {
    format!("{FAQ_PATH}{topic}/")
}

/// The same question asked twice (ignoring case, punctuation and spacing),
/// shared as they are kept (`serve` merges them into each save's report).
pub(crate) fn duplicates(pages: &[Page]) -> Vec<Arc<Diagnostic>> {
    // tens of thousands of questions on a large site: normalized, and the
    // repeats reported, in parallel; only finding the first of each is not
    let keys: Vec<Vec<String>> =
        pages.par_iter().map(|p| p.article.front.faq.iter().map(|item| normalize(&item.q)).collect()).collect();
    // (page, entry) of each repeated question, and of where it was first asked
    let mut first: HashMap<&str, (usize, usize)> = HashMap::new();
    let mut repeats = Vec::new();
    for (p, page_keys) in keys.iter().enumerate() {
        for (e, key) in page_keys.iter().enumerate().filter(|(_, k)| !k.is_empty()) {
            match first.entry(key) {
                Entry::Occupied(seen) => repeats.push(((p, e), *seen.get())),
                Entry::Vacant(slot) => {
                    slot.insert((p, e));
                }
            }
        }
    }
    let at = |(p, e): (usize, usize)| {
        let a = &pages[p].article;
        (a, a.faq_offsets[e].0)
    };
    drop(first);
    drop(keys);
    // a page of thousands of repeats: each position a binary search
    let lines: Vec<Lines> = pages.iter().map(|_| Lines::default()).collect();
    // hundreds of thousands on a large site: each made where it is kept
    let mut found = repeats
        .into_par_iter()
        .map(|(repeat, earlier)| {
            let (a, q) = at(repeat);
            let (first, offset) = at(earlier);
            let line = lines[earlier.0].line(&first.text, offset);
            let message =
                format!("the question \"{}\" is also asked at {}:{line}", a.front.faq[repeat.1].q.trim(), first.file);
            Arc::new(
                Diagnostic::warning(Code::DuplicateFaq, message)
                    .with_span(lines[repeat.0].span(&a.file, &a.text, q))
                    .with_help("keep one, or ask a more specific question"),
            )
        })
        .collect::<Vec<_>>();
    // in report order: kept, and merged into the report at each `serve` save
    found.par_sort_by(|a, b| crate::diagnostics::report_order(a, b));
    found
}

/// Lowercase words, punctuation dropped, single spaces.
pub(crate) fn normalize(question: &str) -> String {
    question
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn normalized_questions_ignore_case_punctuation_and_spacing() {
        assert_eq!(super::normalize("  Is ketamine   SAFE?? "), super::normalize("is ketamine safe"));
        assert_ne!(super::normalize("Is ketamine safe?"), super::normalize("Is esketamine safe?"));
    }
}
