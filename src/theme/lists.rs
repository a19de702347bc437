//! The pages of the site's long lists, cut as `site::split` lays them out:
//! topic pages (`topic.html`), the FAQ index (`faq.html`), the source list
//! (`sources.html`) and the glossary (`glossary.html`). A list of one page
//! is written as before, with an A–Z bar of jump links on the source list
//! and the glossary; a split list gets `pagination` on each page, and the
//! first page of a split list (source list, glossary, FAQ index) keeps,
//! under their old ids, a short link to every entry that moved (`moved`),
//! so an old `#src-…`, `#g-…` or `#faq-…` link still leads to the entry
//! (while that list stays within [`MOVED_BUDGET`]).

use rayon::prelude::*;
use std::collections::HashMap;
use tera::Value;

use super::context::*;
use super::jsonld;
use super::pages::{Renderer, with_field};
use crate::diagnostics::Diagnostic;
use crate::markdown::Rendered;
use crate::output::Output;
use crate::site::faq::{FaqIndex, IndexEntry, PageAnswers};
use crate::site::split::{self, Letter, Lettered, ListPage};
use crate::site::{FAQ_PATH, TopicPage};

/// The most bytes of links the first page of a split list spends on the
/// old ids of its entries (about 100 bytes a source, 150 a question): past
/// it the list of them is left out, so that page too stays well below
/// 1 MB, and an old link lands on the page's top (the A–Z bar, the topics).
pub(super) const MOVED_BUDGET: usize = 600_000;

/// Collected results of writing several pages.
type Written = anyhow::Result<Vec<Diagnostic>>;

/// An entry of the FAQ index and its answer as rendered for the page showing it.
type Answered<'a> = (&'a IndexEntry, &'a Rendered);

fn collect(results: Vec<anyhow::Result<Option<Diagnostic>>>) -> Written {
    let mut diags = Vec::new();
    for r in results {
        diags.extend(r?);
    }
    Ok(diags)
}

impl<'a> Renderer<'a> {
    /// A topic's pages: its landing and the first `paginate_by` articles at
    /// its address, the rest on `<topic>/page/2/`….
    pub(super) fn topic(&self, t: &'a TopicPage, out: &dyn Output) -> Written {
        let pages = t.pages(self.site.config.paginate_by);
        collect(pages.par_iter().map(|list| self.topic_page(t, list, out)).collect())
    }

    fn topic_page(&self, t: &'a TopicPage, list: &ListPage, out: &dyn Output) -> anyhow::Result<Option<Diagnostic>> {
        let site = self.site;
        let title = numbered(&t.topic.front.title, list);
        let mut topic = topic_summary(site, t, false);
        topic.articles = list.entries.iter().map(|&k| article_summary(&site.articles[t.articles[k]])).collect();
        let mut page = PageContext {
            kind: "topic",
            title: &title,
            description: &t.topic.front.description,
            path: list.path.clone(),
            permalink: self.permalink(&list.path),
            // the landing's text on its first page only
            content: if list.number == 1 { (&t.body.html).into() } else { Default::default() },
            topic: Some(topic),
            ..Default::default()
        };
        let mut ctx = self.context(&list.path);
        ctx.insert("topic", &page.topic);
        ctx.insert("pagination", &pagination(list));
        self.insert_page(&mut ctx, &mut page);
        self.write("topic.html", &list.path, &format!("{}index.html", list.path), ctx, out)
    }

    /// Every page of the FAQ index, from the answers it keeps.
    pub(super) fn faq(&self, index: &FaqIndex, out: &dyn Output) -> Written {
        let pages = index.answers.par_iter().enumerate();
        collect(pages.map(|(p, answers)| self.faq_page(index, p, answers, out)).collect())
    }

    /// Page `p` of the FAQ index, showing `answers`.
    pub(super) fn faq_page(
        &self,
        index: &FaqIndex,
        p: usize,
        answers: &PageAnswers,
        out: &dyn Output,
    ) -> anyhow::Result<Option<Diagnostic>> {
        let site = self.site;
        let on = &index.pages[p];
        let list = &on.list;
        let landing = site.topics.iter().find(|t| t.path == FAQ_PATH);
        let base_title = landing.map_or("Frequently asked questions", |t| t.topic.front.title.as_str());
        let title = match on.group {
            Some(g) => numbered(&format!("{base_title}: {}", site.topics[index.groups[g].0].topic.front.title), list),
            None => base_title.to_string(),
        };
        // each shown entry with its answer (rendered in this order)
        let shown = index.shown(p);
        debug_assert_eq!(shown.len(), answers.answers.len(), "page {p}: an answer for each entry");
        let entries: Vec<Answered> = shown.iter().map(|&(_, entry)| entry).zip(&answers.answers).collect();
        // each article's summary made once for all its questions on this
        // page (30,000 questions at 10,000 articles; only this page's are held)
        let mut summaries: HashMap<usize, Value> = HashMap::new();
        for (entry, _) in &entries {
            let summary = || Value::from_serializable(&article_summary(&site.articles[entry.article]));
            summaries.entry(entry.article).or_insert_with(summary);
        }
        // a group for each run of its entries
        let mut values = Vec::new();
        let mut at = 0;
        for run in shown.chunk_by(|a, b| a.0 == b.0) {
            let topic = index.groups[run[0].0].0;
            values.push(self.faq_group(topic, &entries[at..at + run.len()], &summaries));
            at += run.len();
        }
        let mut page = PageContext {
            kind: "faq",
            title: &title,
            description: landing.map_or("", |t| t.topic.front.description.as_str()),
            path: list.path.clone(),
            permalink: self.permalink(&list.path),
            content: match (landing, on.group) {
                (Some(t), None) => (&t.body.html).into(),
                _ => Default::default(),
            },
            references: self.references(&answers.citations),
            json_ld: if entries.is_empty() { Default::default() } else { jsonld::faq(site, &entries) },
            ..Default::default()
        };
        let mut ctx = self.context(&list.path);
        ctx.insert_value("faq", Value::from(values));
        if index.split && on.group.is_none() {
            ctx.insert("faq_topics", &self.faq_topics(index));
            moved_ids(&mut ctx, "faq", self.faq_moved(index), out)?;
        }
        if on.group.is_some() {
            ctx.insert("pagination", &pagination(list));
        }
        self.insert_page(&mut ctx, &mut page);
        self.write("faq.html", &list.path, &format!("{}index.html", list.path), ctx, out)
    }

    /// The template value of the entries `shown` of topic `t`'s group, with their answers.
    fn faq_group(&self, t: usize, shown: &[Answered], summaries: &HashMap<usize, Value>) -> Value {
        let site = self.site;
        let topic = &site.topics[t];
        let entries: Vec<Value> = shown
            .par_iter()
            .map(|&(ix, answer)| {
                let page = &site.articles[ix.article];
                let context = FaqContext {
                    question: &page.article.front.faq[ix.entry].q,
                    anchor: &ix.anchor,
                    answer: (&answer.html).into(),
                    article: None,
                    href: Some(format!("{}index.html#{}", page.path, ix.page_anchor)),
                };
                with_field(&context, "article", summaries[&ix.article].clone())
            })
            .collect();
        let group = FaqGroup {
            topic: topic_summary(site, topic, false),
            anchor: format!("topic-{}", topic.topic.name),
            entries: Vec::new(),
        };
        with_field(&group, "entries", Value::from(entries))
    }

    /// On `faq/` of a split index: every question, under the id it had
    /// there, linking to where it is now.
    fn faq_moved(&self, index: &FaqIndex) -> Vec<MovedEntry> {
        let site = self.site;
        let entries = index.groups.iter().flat_map(|(_, entries)| entries);
        entries
            .map(|e| MovedEntry {
                anchor: e.anchor.clone(),
                label: site.articles[e.article].article.front.faq[e.entry].q.clone(),
                href: format!("{}index.html#{}", index.pages[e.page].list.path, e.anchor),
            })
            .collect()
    }

    /// On `faq/` of a split index: each topic, its number of questions and
    /// the first page of them, under the id its group had on one page.
    fn faq_topics(&self, index: &FaqIndex) -> Vec<FaqTopic<'a>> {
        let site = self.site;
        index
            .groups
            .iter()
            .map(|(t, entries)| {
                let topic = &site.topics[*t];
                FaqTopic {
                    title: &topic.topic.front.title,
                    anchor: format!("topic-{}", topic.topic.name),
                    href: format!("{}index.html", crate::site::faq::topic_path(&topic.topic.name)),
                    count: entries.len(),
                }
            })
            .collect()
    }

    /// Every page of the source list.
    pub(super) fn sources(&self, out: &dyn Output) -> Written {
        let site = self.site;
        let layout = &site.source_list.layout;
        let order = &site.source_list.order;
        // what every page shows of the whole list, counted once (1,000 pages at 50,000 sources)
        let whole = WholeList {
            letters: letters_shown(layout, |i| site.cited_in.contains_key(&order[i])),
            count: site.cited_in.keys().filter(|id| site.bibliography.get(id).is_some()).count(),
        };
        collect(layout.pages.par_iter().map(|list| self.sources_page(list, &whole, out)).collect())
    }

    fn sources_page(&self, list: &ListPage, whole: &WholeList, out: &dyn Output) -> anyhow::Result<Option<Diagnostic>> {
        let site = self.site;
        let order = &site.source_list.order;
        let layout = &site.source_list.layout;
        let cited = |i: &usize| site.cited_in.contains_key(&order[*i]);
        let groups = letter_groups(layout, list, cited, |i| self.source_entry(&order[i]));
        let moved: Vec<MovedEntry> = if layout.split && list.letter.is_none() {
            let all = layout.letters.iter().flat_map(|(_, e)| e.iter()).filter(|i| cited(i));
            all.filter_map(|&i| {
                let s = site.bibliography.get(&order[i])?;
                Some(MovedEntry {
                    anchor: split::anchor(&s.id),
                    label: short_name(s),
                    href: site.source_list.href(&s.id),
                })
            })
            .collect()
        } else {
            Vec::new()
        };
        let title = lettered_title("Sources", list);
        let mut page = PageContext {
            kind: "sources",
            title: &title,
            description: "Every source this site cites, with the pages that cite it.",
            path: list.path.clone(),
            permalink: self.permalink(&list.path),
            ..Default::default()
        };
        let mut ctx = self.context(&list.path);
        ctx.insert("source_groups", &groups);
        // the entries of this page, in list order (themes written before the A–Z groups)
        ctx.insert("sources", &groups.iter().flat_map(|g| &g.entries).collect::<Vec<_>>());
        ctx.insert("source_count", &whole.count);
        ctx.insert("az", &az(layout, list, &whole.letters));
        moved_ids(&mut ctx, "sources", moved, out)?;
        ctx.insert("pagination", &pagination(list));
        self.insert_page(&mut ctx, &mut page);
        self.write("sources.html", &list.path, &format!("{}index.html", list.path), ctx, out)
    }

    fn source_entry(&self, id: &'a str) -> Option<SourceEntry<'a>> {
        let site = self.site;
        let s = site.bibliography.get(id)?;
        let places = site.cited_in.get(id)?;
        let r = reference(s, (0, String::new()), Vec::new(), String::new());
        let mut cited_in: Vec<CitedIn> = Vec::new();
        let mut last = None;
        for place in places {
            let page = match place.article {
                Some(i) => &site.articles[i],
                None => site.home.as_ref()?,
            };
            // places come in page order: one entry per page
            if last != Some(place.article) {
                last = Some(place.article);
                let href = format!("{}index.html", page.path);
                cited_in.push(CitedIn { title: &page.article.front.title, href, questions: Vec::new() });
            }
            if let (Some(e), Some(entry)) = (place.faq, cited_in.last_mut()) {
                entry.questions.push(CitedQuestion {
                    question: &page.faq[e].question,
                    href: format!("{}index.html#{}", page.path, page.faq[e].anchor),
                });
            }
        }
        Some(SourceEntry {
            id: &s.id,
            anchor: split::anchor(&s.id),
            formatted: r.formatted,
            evidence: r.evidence,
            doi_url: r.doi_url,
            pubmed_url: r.pubmed_url,
            url: r.url,
            cited_in,
        })
    }

    /// Every page of the glossary.
    pub(super) fn glossary(&self, out: &dyn Output) -> Written {
        let layout = &self.site.glossary_list;
        let letters = letters_shown(layout, |_| true);
        collect(layout.pages.par_iter().map(|list| self.glossary_page(list, &letters, out)).collect())
    }

    fn glossary_page(
        &self,
        list: &ListPage,
        letters: &[Letter],
        out: &dyn Output,
    ) -> anyhow::Result<Option<Diagnostic>> {
        let site = self.site;
        let layout = &site.glossary_list;
        let terms = &site.glossary.terms;
        let groups = letter_groups(
            layout,
            list,
            |_| true,
            |i| {
                let t = &terms[i];
                Some(GlossaryEntry {
                    term: &t.term,
                    anchor: &t.anchor,
                    definition: &t.definition,
                    aliases: &t.aliases,
                    used_in: site.term_use[i].iter().map(|&a| article_summary(&site.articles[a])).collect(),
                })
            },
        );
        let moved: Vec<MovedEntry> = if layout.split && list.letter.is_none() {
            (0..terms.len())
                .map(|i| MovedEntry {
                    anchor: terms[i].anchor.clone(),
                    label: terms[i].term.clone(),
                    href: format!("{}index.html#{}", layout.path_of(i), terms[i].anchor),
                })
                .collect()
        } else {
            Vec::new()
        };
        let title = lettered_title("Glossary", list);
        let mut page = PageContext {
            kind: "glossary",
            title: &title,
            description: "Plain-language explanations of the terms this site uses.",
            path: list.path.clone(),
            permalink: self.permalink(&list.path),
            ..Default::default()
        };
        let mut ctx = self.context(&list.path);
        ctx.insert("glossary_groups", &groups);
        ctx.insert("glossary", &groups.iter().flat_map(|g| &g.entries).collect::<Vec<_>>());
        ctx.insert("az", &az(layout, list, letters));
        moved_ids(&mut ctx, "glossary", moved, out)?;
        ctx.insert("pagination", &pagination(list));
        self.insert_page(&mut ctx, &mut page);
        self.write("glossary.html", &list.path, &format!("{}index.html", list.path), ctx, out)
    }
}

/// A topic on `faq/` of a split FAQ index.
#[derive(serde::Serialize)]
pub(super) struct FaqTopic<'a> {
    pub title: &'a str,
    /// The id its group had on the index of one page: `topic-safety`.
    pub anchor: String,
    /// Root-relative link to the first page of its questions.
    pub href: String,
    pub count: usize,
}

/// `title`, with "(page 2 of 5)" past the first page.
pub(super) fn numbered(title: &str, list: &ListPage) -> String {
    if list.number > 1 { format!("{title} (page {} of {})", list.number, list.count) } else { title.to_string() }
}

/// "Sources", "Sources: A", "Sources: A (page 2 of 3)".
fn lettered_title(title: &str, list: &ListPage) -> String {
    match list.letter {
        Some(letter) => numbered(&format!("{title}: {}", letter.label()), list),
        None => title.to_string(),
    }
}

/// The entries of `list` to show (`keep`), as `make` makes them, in groups by letter.
fn letter_groups<T>(
    layout: &Lettered,
    list: &ListPage,
    keep: impl Fn(&usize) -> bool,
    make: impl Fn(usize) -> Option<T>,
) -> Vec<LetterGroup<T>> {
    let mut groups: Vec<LetterGroup<T>> = Vec::new();
    for (letter, entries) in &layout.letters {
        if list.letter.is_some_and(|l| l != *letter) {
            continue;
        }
        // a letter's page holds some of its entries; a list of one page, all;
        // the A–Z page of a split list, none
        let candidates = match list.letter {
            Some(_) => &list.entries,
            None if layout.split => continue,
            None => entries,
        };
        let on_page: Vec<T> = candidates.iter().filter(|i| keep(i)).filter_map(|&i| make(i)).collect();
        if !on_page.is_empty() {
            groups.push(LetterGroup { label: letter.label(), anchor: letter.anchor(), entries: on_page });
        }
    }
    groups
}

/// What each page of the source list shows of the whole list.
struct WholeList {
    /// The letters with a cited source.
    letters: Vec<Letter>,
    /// The sources cited.
    count: usize,
}

/// The letters of `layout` with an entry to show (`shown`).
fn letters_shown(layout: &Lettered, shown: impl Fn(usize) -> bool) -> Vec<Letter> {
    layout.letters.iter().filter(|(_, e)| e.iter().any(|&i| shown(i))).map(|(l, _)| *l).collect()
}

/// The A–Z bar of a page of `layout`: the letters with an entry to show
/// ([`letters_shown`]) link to their heading on a list of one page, else to
/// their first page (root-relative, as every link a template gets).
fn az(layout: &Lettered, list: &ListPage, shown: &[Letter]) -> Vec<AzLetter> {
    Letter::all()
        .map(|letter| {
            let has = shown.contains(&letter);
            let href = has.then(|| match layout.letter_path(letter) {
                Some(path) => format!("{path}index.html"),
                None => format!("{}index.html#{}", list.path, letter.anchor()),
            });
            AzLetter {
                label: letter.label(),
                name: if letter == Letter::Other { "Other".into() } else { letter.label() },
                href,
                current: list.letter == Some(letter),
            }
        })
        .collect()
}

/// Where `list` is among its list's (or letter's) pages: none for a list
/// of one page. Made from the page alone (its number, its list's count and
/// first page), so no page looks at the others.
pub(super) fn pagination(list: &ListPage) -> Option<Pagination> {
    if list.count < 2 {
        return None;
    }
    let href = |n: usize| format!("{}index.html", split::page_path(&list.first, n));
    let current = list.number;
    Some(Pagination {
        number: current,
        count: list.count,
        previous: (current > 1).then(|| href(current - 1)),
        next: (current < list.count).then(|| href(current + 1)),
        pages: shown_pages(list.count, current)
            .map(|(n, gap_before)| PageLink { number: n, href: href(n), current: n == current, gap_before })
            .collect(),
    })
}

/// Which page numbers (from 1) a list of `count` pages links to from page
/// `current`: the first, the last, and [`PAGE_WINDOW`] either side of the
/// current one, each with whether numbers were left out before it. Every
/// page linking to every other made a list's pages grow with the square of
/// its length (400 links on each of 400 pages of a 100,000-article FAQ).
fn shown_pages(count: usize, current: usize) -> impl Iterator<Item = (usize, bool)> {
    let near = current.saturating_sub(PAGE_WINDOW).max(1)..=(current + PAGE_WINDOW).min(count);
    let mut last = 0;
    // in rising order, each once: a window at either end takes in the first or the last
    std::iter::once(1).chain(near).chain(std::iter::once(count)).filter_map(move |n| {
        let shown = (n > last).then_some((n, n > last + 1));
        last = last.max(n);
        shown
    })
}

/// How many page numbers either side of the current one a list links to.
const PAGE_WINDOW: usize = 2;

/// A source as the list of moved entries names it: "Anand et al. 2023".
fn short_name(s: &crate::sources::Source) -> String {
    let name = if s.narrative.is_empty() { s.id.as_str() } else { s.narrative.as_str() };
    match s.entry.date_any() {
        Some(d) => format!("{name} {}", d.year),
        None => name.to_string(),
    }
}

/// The old ids of a split list's entries (given on its first page only):
/// every one in a data script, `assets/moved/<list>.js`, which the theme's
/// `assets/moved.js` loads only for an address with a `#id` (the map of a
/// 10,000-article FAQ is megabytes) to take an old link
/// (`sources/#src-anand2023`) straight to the entry's page; and, for readers without JavaScript, as
/// links on the page while they stay within [`MOVED_BUDGET`].
fn moved_ids(ctx: &mut tera::Context, list: &str, moved: Vec<MovedEntry>, out: &dyn Output) -> anyhow::Result<()> {
    if !moved.is_empty() {
        let map: std::collections::BTreeMap<&str, &str> =
            moved.iter().map(|m| (m.anchor.as_str(), m.href.as_str())).collect();
        let path = format!("assets/moved/{list}.js");
        let script = format!("sbMoved({});\n", serde_json::to_string(&map)?);
        out.write(&path, script.as_bytes())?;
        ctx.insert("moved_script", &path);
    }
    ctx.insert("moved", &within_budget(moved));
    Ok(())
}

/// `moved`, or nothing when its markup would pass [`MOVED_BUDGET`].
fn within_budget(moved: Vec<MovedEntry>) -> Vec<MovedEntry> {
    // `<li id="…"><a href="../…">…</a></li>`: 33 bytes around the three
    // (a little more for `root` deeper down or a label that needs escaping)
    let bytes: usize = moved.iter().map(|m| m.anchor.len() + m.href.len() + m.label.len() + 33).sum();
    if bytes > MOVED_BUDGET { Vec::new() } else { moved }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_links_to_the_first_the_last_and_its_neighbours_with_the_gaps_marked() {
        let shown = |count, current| shown_pages(count, current).collect::<Vec<_>>();
        assert_eq!(shown(3, 1), [(1, false), (2, false), (3, false)]);
        assert_eq!(shown(10, 5), [(1, false), (3, true), (4, false), (5, false), (6, false), (7, false), (10, true)]);
        assert_eq!(shown(10, 1), [(1, false), (2, false), (3, false), (10, true)]);
        assert_eq!(shown(10, 10), [(1, false), (8, true), (9, false), (10, false)]);
        assert_eq!(shown(10, 4), [(1, false), (2, false), (3, false), (4, false), (5, false), (6, false), (10, true)]);
        // every page is reachable, and the links of all pages grow with the pages, not their square
        let count = 400;
        let links: usize = (1..=count).map(|c| shown(count, c).len()).sum();
        assert!(links <= count * (2 * PAGE_WINDOW + 3), "{links} links");
        for c in 1..=count {
            let numbers: Vec<usize> = shown(count, c).iter().map(|&(n, _)| n).collect();
            assert!(numbers.contains(&c) && numbers.contains(&1) && numbers.contains(&count));
        }
    }

    fn moved(n: usize) -> Vec<MovedEntry> {
        (0..n)
            .map(|i| MovedEntry {
                anchor: format!("src-author{i:05}"),
                label: format!("Author et al. {i}"),
                href: format!("../sources/a/page/9/index.html#src-author{i:05}"),
            })
            .collect()
    }

    #[test]
    fn the_list_of_old_ids_is_kept_within_its_budget_and_left_out_past_it() {
        // about 105 bytes each: 5,000 fit in the budget, 6,000 do not
        assert_eq!(within_budget(moved(5_000)).len(), 5_000);
        assert!(within_budget(moved(6_000)).is_empty());
    }
}
