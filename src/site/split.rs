//! Long generated lists cut into pages, so that no page grows with the
//! site. A list of more than `paginate_by` entries (site.yaml) is split:
//!
//! - in order (a topic's articles, a topic's questions on the FAQ index):
//!   `<list>/`, `<list>/page/2/`, `<list>/page/3/`… (Zola's and Hugo's
//!   names; the first page keeps the list's address);
//! - by first letter (the source list, the glossary): `<list>/` keeps the
//!   A–Z bar, and each letter has its own pages, `<list>/a/`,
//!   `<list>/a/page/2/`…
//!
//! A list that fits stays one page (with its A–Z bar jumping to
//! `#letter-a`…). Every layout here is a function of what is known before
//! any page is rendered (front matter, the bibliography, the glossary), so
//! every link the build makes into a list points at the right page from
//! the first page written.

use std::collections::HashMap;

use crate::sources::Bibliography;

/// The folder of a list's later pages: `<list>/page/2/`.
pub(crate) const PAGE_SEGMENT: &str = "page";

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListPage {
    /// Output folder: `sources/a/page/2/`.
    pub path: String,
    /// The letter whose entries it shows (a lettered list split by letter).
    pub letter: Option<Letter>,
    /// 1-based, among the pages of its list (or of its letter).
    pub number: usize,
    /// How many pages its list (or letter) has.
    pub count: usize,
    /// The output folder of its list's (or letter's) first page: page `n`
    /// is at [`page_path`]`(first, n)`.
    pub first: String,
    /// Indexes of its entries, in list order.
    pub entries: Vec<usize>,
}

/// The path of page `number` (1-based) of a list at `base`.
pub(crate) fn page_path(base: &str, number: usize) -> String {
    if number <= 1 { base.to_string() } else { format!("{base}{PAGE_SEGMENT}/{number}/") }
}

/// `entries` (indexes) at `base`, in pages of at most `per`: always at
/// least one page, so an empty list still has its address.
pub(crate) fn paged(base: &str, entries: &[usize], per: usize, letter: Option<Letter>) -> Vec<ListPage> {
    let per = per.max(1);
    let count = entries.len().div_ceil(per).max(1);
    (0..count)
        .map(|k| ListPage {
            path: page_path(base, k + 1),
            letter,
            number: k + 1,
            count,
            first: base.to_string(),
            entries: entries.iter().skip(k * per).take(per).copied().collect(),
        })
        .collect()
}

/// A letter of the A–Z bar: `a`–`z`, or everything else (digits,
/// punctuation, letters beyond ASCII), which comes first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Letter {
    Other,
    Az(u8),
}

impl Letter {
    /// The letter a list entry is filed under: the first character of its
    /// sort key, ignoring case.
    pub fn of(key: &str) -> Letter {
        match key.trim_start().bytes().next() {
            Some(b) if b.is_ascii_alphabetic() => Letter::Az(b.to_ascii_lowercase()),
            _ => Letter::Other,
        }
    }

    /// Every letter, in bar order.
    pub fn all() -> impl Iterator<Item = Letter> {
        std::iter::once(Letter::Other).chain((b'a'..=b'z').map(Letter::Az))
    }

    /// As the bar shows it: `A`, `#`.
    pub fn label(self) -> String {
        match self {
            Letter::Az(b) => char::from(b.to_ascii_uppercase()).to_string(),
            Letter::Other => "#".into(),
        }
    }

    /// Its folder under a split list, and the end of its anchor on one page: `a`, `0-9`.
    pub fn slug(self) -> String {
        match self {
            Letter::Az(b) => char::from(b).to_string(),
            Letter::Other => "0-9".into(),
        }
    }

    /// Its id on a list of one page: `letter-a`.
    pub fn anchor(self) -> String {
        format!("letter-{}", self.slug())
    }
}

/// A list filed by first letter, and the pages it is shown on.
#[derive(Debug, Clone, Default)]
pub struct Lettered {
    /// Split into pages per letter (more entries than `paginate_by`).
    pub split: bool,
    /// Letters that have entries, in bar order, with their entries' indexes
    /// in list order.
    pub letters: Vec<(Letter, Vec<usize>)>,
    /// Every page: first the list's own address (on a split list, the A–Z
    /// bar with no entries), then each letter's pages.
    pub pages: Vec<ListPage>,
    /// For each entry, the page (index into `pages`) it is on.
    pub page_of: Vec<usize>,
}

impl Lettered {
    /// File the entries with sort keys `keys` (in list order) under their
    /// letters; split at `base` when there are more than `per`.
    pub fn new<'k>(base: &str, keys: impl Iterator<Item = &'k str>, per: usize) -> Lettered {
        let mut by_letter: std::collections::BTreeMap<Letter, Vec<usize>> = Default::default();
        let mut n = 0;
        for (i, key) in keys.enumerate() {
            by_letter.entry(Letter::of(key)).or_default().push(i);
            n = i + 1;
        }
        let letters: Vec<(Letter, Vec<usize>)> = by_letter.into_iter().collect();
        let split = n > per;
        let mut pages = Vec::new();
        if split {
            let (path, first) = (base.to_string(), base.to_string());
            pages.push(ListPage { path, letter: None, number: 1, count: 1, first, entries: Vec::new() });
            for (letter, entries) in &letters {
                pages.extend(paged(&format!("{base}{}/", letter.slug()), entries, per, Some(*letter)));
            }
        } else {
            let all = letters.iter().flat_map(|(_, e)| e.iter().copied()).collect();
            let (path, first) = (base.to_string(), base.to_string());
            pages.push(ListPage { path, letter: None, number: 1, count: 1, first, entries: all });
        }
        let mut page_of = vec![0; n];
        for (p, page) in pages.iter().enumerate() {
            for &e in &page.entries {
                page_of[e] = p;
            }
        }
        Lettered { split, letters, pages, page_of }
    }

    /// The folder of the page entry `i` is on.
    pub fn path_of(&self, i: usize) -> &str {
        &self.pages[self.page_of[i]].path
    }

    /// The first page of each letter that has entries (its folder), or on
    /// a list of one page, none.
    pub fn letter_path(&self, letter: Letter) -> Option<&str> {
        self.pages.iter().find(|p| p.letter == Some(letter) && p.number == 1).map(|p| p.path.as_str())
    }
}

/// The source list's layout: every source of the bibliography, in list
/// order (first author, year, title), filed by letter. Uncited sources are
/// not shown but keep their place, so where a source is shown is known
/// before any page is rendered (articles link to it as they are written).
#[derive(Debug, Clone, Default)]
pub struct SourceList {
    /// Source ids in list order.
    pub order: Vec<String>,
    position: HashMap<String, usize>,
    pub layout: Lettered,
}

/// Where the source list is: `sources/`.
pub(crate) const SOURCES_PATH: &str = "sources/";

impl SourceList {
    pub fn new(bibliography: &Bibliography, per: usize) -> SourceList {
        let mut keyed: Vec<((String, String, String), &str)> =
            bibliography.sources.values().map(|s| (s.sort_key(), s.id.as_str())).collect();
        keyed.sort();
        let layout = Lettered::new(SOURCES_PATH, keyed.iter().map(|(k, _)| k.0.as_str()), per);
        let order: Vec<String> = keyed.into_iter().map(|(_, id)| id.to_string()).collect();
        let position = order.iter().enumerate().map(|(i, id)| (id.clone(), i)).collect();
        SourceList { order, position, layout }
    }

    /// Root-relative link to a source's entry: `sources/h/index.html#src-hamilton2012`.
    pub fn href(&self, id: &str) -> String {
        let page = self.position.get(id).map_or(SOURCES_PATH, |&i| self.layout.path_of(i));
        format!("{page}index.html#{}", anchor(id))
    }
}

/// A source's id on the source list (and, on a split list, on its A–Z page).
pub(crate) fn anchor(id: &str) -> String {
    format!("src-{id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_that_fits_is_one_page_at_its_own_address() {
        let pages = paged("efficacy/", &[0, 1, 2], 3, None);
        assert_eq!(pages.len(), 1);
        assert_eq!(pages[0].path, "efficacy/");
        assert_eq!(paged("efficacy/", &[], 3, None).len(), 1);
    }

    #[test]
    fn later_pages_are_numbered_under_page() {
        let pages = paged("efficacy/", &(0..7).collect::<Vec<_>>(), 3, None);
        let paths: Vec<&str> = pages.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(paths, ["efficacy/", "efficacy/page/2/", "efficacy/page/3/"]);
        assert_eq!(pages[2].entries, [6]);
        assert!(pages.iter().all(|p| p.count == 3));
    }

    #[test]
    fn letters_ignore_case_and_file_the_rest_first() {
        assert_eq!(Letter::of("anand"), Letter::of("Anand"));
        assert_eq!(Letter::of("5-HT"), Letter::Other);
        assert_eq!(Letter::of("Émile"), Letter::Other);
        assert!(Letter::Other < Letter::Az(b'a'));
        assert_eq!(Letter::Az(b'q').slug(), "q");
    }

    #[test]
    fn a_lettered_list_splits_by_letter_only_past_the_limit() {
        let keys = ["apple", "avocado", "banana", "apricot"];
        let one = Lettered::new("glossary/", keys.iter().copied(), 4);
        assert!(!one.split);
        assert_eq!(one.pages.len(), 1);
        assert_eq!(one.path_of(2), "glossary/");
        let split = Lettered::new("glossary/", keys.iter().copied(), 2);
        assert!(split.split);
        // the A–Z page, then a: two pages (three entries), b: one
        let paths: Vec<&str> = split.pages.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(paths, ["glossary/", "glossary/a/", "glossary/a/page/2/", "glossary/b/"]);
        assert_eq!(split.path_of(3), "glossary/a/page/2/");
        assert_eq!(split.path_of(2), "glossary/b/");
        assert_eq!(split.letter_path(Letter::Az(b'b')), Some("glossary/b/"));
    }
}
