//! Tags: the `tags:` of the articles, one per address. A tag's address is
//! its words, lowercase, joined by `-` (`Side effects` → `/tags/side-effects/`);
//! spellings that make the same address are one tag, named as the first
//! article in site order writes it, and every other spelling is a warning.
//! The home page's `tags:` are not listed. Made from the front matter
//! alone, so the tag pages are known before any page is rendered; no
//! templates here (`theme` renders `/tags/` and `/tags/<tag>/`).

use std::collections::HashMap;

use crate::config::is_slug;
use crate::content::Article;
use crate::diagnostics::{Code, Diagnostic, Lines};

/// The folder of the tag pages: `/tags/` lists them all.
pub(crate) const TAGS_PATH: &str = "tags/";

/// One tag and the articles that carry it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    /// As the first article in site order writes it.
    pub name: String,
    /// Its address segment: `side-effects`.
    pub slug: String,
    /// Indexes into the site's articles, in site order.
    pub articles: Vec<usize>,
}

impl Tag {
    /// `tags/side-effects/`.
    pub fn path(&self) -> String {
        path(&self.slug)
    }

    /// The pages its articles are shown on, `per` to a page (`super::split`).
    pub fn pages(&self, per: usize) -> Vec<super::split::ListPage> {
        let all: Vec<usize> = (0..self.articles.len()).collect();
        super::split::paged(&self.path(), &all, per, None)
    }
}

/// The output folder of the tag page for `slug`.
pub(crate) fn path(slug: &str) -> String {
    format!("{TAGS_PATH}{slug}/")
}

/// The address segment of a tag, `None` when its words make none that is
/// URL-safe (`[a-z0-9-]`) and a folder on every host (not too long, not a
/// Windows device name: see [`crate::site::paths::problem`]).
pub(crate) fn slug(name: &str) -> Option<String> {
    if crate::yaml::blank(name) {
        return None;
    }
    let slug = crate::markdown::slugify(name);
    (is_slug(&slug) && crate::site::paths::problem(&slug).is_none()).then_some(slug)
}

/// The tags of `articles` (in site order), sorted by address. A tag that
/// makes no address is left out (see [`check`]).
pub(crate) fn collect<'a>(articles: impl IntoIterator<Item = &'a Article>) -> Vec<Tag> {
    let mut by_slug: HashMap<String, Tag> = HashMap::new();
    for (i, article) in articles.into_iter().enumerate() {
        for name in &article.front.tags {
            let Some(slug) = slug(name) else { continue };
            // the slug is moved into the map once, not copied per article
            if !by_slug.contains_key(&slug) {
                by_slug.insert(slug.clone(), Tag { name: name.clone(), slug: slug.clone(), articles: Vec::new() });
            }
            let tag = by_slug.get_mut(&slug).expect("inserted above");
            // a tag written twice in one article lists it once
            if tag.articles.last() != Some(&i) {
                tag.articles.push(i);
            }
        }
    }
    let mut tags: Vec<Tag> = by_slug.into_values().collect();
    tags.sort_by(|a, b| a.slug.cmp(&b.slug));
    tags
}

/// What is wrong with the tags of `articles` (in site order): a tag with
/// no address (error), one written twice in an article, one spelled
/// otherwise than where it is first written (warnings).
pub(crate) fn check<'a>(articles: impl IntoIterator<Item = &'a Article>) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    // address → (spelling, file) where first written
    let mut first: HashMap<String, (&str, &str)> = HashMap::new();
    for article in articles.into_iter().filter(|a| !a.front.tags.is_empty()) {
        // where each tag is written: looked up only when something is said
        // about one (this runs over every article at each `serve` save)
        let offsets = std::cell::OnceCell::new();
        let lines = Lines::default();
        let span = |i: usize| {
            let at = offsets.get_or_init(|| list_offsets(article, "tags", &article.front.tags))[i];
            lines.span(&article.file, &article.text, at)
        };
        // this article's tags so far (a few: a list, not a map)
        let mut here: Vec<(String, &str)> = Vec::new();
        for (i, name) in article.front.tags.iter().enumerate() {
            let Some(slug) = slug(name) else {
                let made = crate::markdown::slugify(name);
                let needs = "a tag needs letters a-z or digits, e.g. `side effects` (at /tags/side-effects/)";
                let (message, help) = if crate::yaml::blank(name) {
                    ("an empty tag".to_string(), needs)
                } else if made.is_empty() {
                    (format!("tag `{}` has no letter or digit to make its address from", name.escape_debug()), needs)
                } else if let Some(problem) = crate::site::paths::problem(&made) {
                    let message =
                        format!("tag `{}` makes a folder under /tags/ whose name {problem}", name.escape_debug());
                    (message, "a tag is a word or a few: shorten it, or add a word")
                } else {
                    let message = format!(
                        "tag `{}` would be at /tags/{made}/, which is not a URL-safe address",
                        name.escape_debug()
                    );
                    (message, needs)
                };
                diags.push(Diagnostic::error(Code::InvalidValue, message).with_span(span(i)).with_help(help));
                continue;
            };
            if let Some((_, before)) = here.iter().find(|(s, _)| *s == slug) {
                diags.push(
                    Diagnostic::warning(
                        Code::InvalidValue,
                        format!("tag `{name}` is listed twice (first as `{before}`)"),
                    )
                    .with_span(span(i))
                    .with_help("remove one of them"),
                );
                continue;
            }
            let (spelling, file) = match first.get(slug.as_str()) {
                Some(&found) => found,
                None => {
                    first.insert(slug.clone(), (name, &article.file));
                    (name.as_str(), article.file.as_str())
                }
            };
            if spelling != name {
                diags.push(
                    Diagnostic::warning(
                        Code::InvalidValue,
                        format!(
                            "tag `{name}` is written `{spelling}` in {file}; both are one tag, shown as `{spelling}` at /tags/{slug}/"
                        ),
                    )
                    .with_span(span(i))
                    .with_help(format!("write it `{spelling}` here too, or change it everywhere")),
                );
            }
            here.push((slug, name));
        }
    }
    diags
}

/// Where each item of the front matter list `key` is written in the file,
/// in order: its text, inside its quotes if it has them (where the list is
/// written, for an item the YAML index does not hold; the file's start when
/// there is no such list).
pub(crate) fn list_offsets(article: &Article, key: &str, items: &[String]) -> Vec<usize> {
    if items.is_empty() {
        // no list: no YAML index to build (this runs for every page)
        return Vec::new();
    }
    let doc = article.split.document(&article.file, &article.text);
    let Some(list) = doc.key_offset(key) else { return vec![0; items.len()] };
    let item = |i: usize| {
        let at = doc.value_offset(crate::yaml::Path::from(key).item(i)).unwrap_or(list);
        at + usize::from(doc.yaml[at..].starts_with(['"', '\'']))
    };
    (0..items.len()).map(|i| doc.offset + item(i)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Severity;

    fn article(file: &str, front: &str) -> Article {
        let text = format!("---\ntitle: t\ndescription: d\ndate: 2026-01-01\n{front}---\nBody.\n");
        let split = crate::content::front_matter::split(file, &text).unwrap();
        let front: crate::content::FrontMatter = split.document(file, &text).parse().unwrap();
        Article {
            file: file.into(),
            text,
            split,
            topic: "t".into(),
            slug: "a".into(),
            dir: "t".into(),
            front: front.into(),
            faq_offsets: Vec::new(),
            later: None,
        }
    }

    #[test]
    fn spellings_of_one_address_are_one_tag_named_as_first_written() {
        let a = article("a.md", "tags: [Side effects, ECT]\n");
        let b = article("b.md", "tags: [side-effects, safety, ect]\n");
        let tags = collect([&a, &b]);
        let got: Vec<(&str, &str, &[usize])> =
            tags.iter().map(|t| (t.name.as_str(), t.slug.as_str(), t.articles.as_slice())).collect();
        assert_eq!(
            got,
            vec![
                ("ECT", "ect", &[0, 1][..]),
                ("safety", "safety", &[1][..]),
                ("Side effects", "side-effects", &[0, 1][..])
            ]
        );
        let d = check([&a, &b]);
        let found: Vec<(Severity, usize, usize)> =
            d.iter().map(|d| (d.severity, d.span.as_ref().unwrap().line, d.span.as_ref().unwrap().column)).collect();
        // `side-effects` and `ect` in b.md, line 5
        assert_eq!(found, vec![(Severity::Warning, 5, 8), (Severity::Warning, 5, 30)]);
    }

    #[test]
    fn tags_without_an_address_are_errors_where_written_and_left_out() {
        let a = article("a.md", "tags:\n  - ok\n  - \"!!!\"\n  - café\n  - OK\n");
        let d = check([&a]);
        let got: Vec<(bool, usize, usize)> =
            d.iter().map(|d| (d.is_error(), d.span.as_ref().unwrap().line, d.span.as_ref().unwrap().column)).collect();
        assert_eq!(got, vec![(true, 7, 6), (true, 8, 5), (false, 9, 5)]);
        assert_eq!(collect([&a]).len(), 1);
    }

    #[test]
    fn an_item_is_found_whole_not_inside_a_longer_one() {
        let a = article("a.md", "tags: [ab, a, b]\n");
        let offsets = list_offsets(&a, "tags", &a.front.tags);
        let at: Vec<&str> = offsets.iter().map(|&i| &a.text[i..i + 2]).collect();
        assert_eq!(at, vec!["ab", "a,", "b]"]);
    }
}
