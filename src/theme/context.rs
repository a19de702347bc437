//! The template context: the contract between sourcebook and every theme.
//! Documented field by field in README.md ("Template context"). Site-wide
//! collections (`site`) are serialized once per build and shared by every
//! page through Tera's reference-counted values, never copied per page.

use serde::Serialize;

use crate::config::ReviewRole;
use crate::config::{Config, Crisis};
use crate::content::{Article, Audience};
use crate::html::Html;
use crate::markdown::Heading;
use crate::site::review::{Reviewer, RoleStatus, State};
use crate::site::{Page, Site};
use crate::sources::Source;

/// Trusted HTML ([`Html`]) as a template sees it: printed as it is, with no
/// `| safe`. Every other string a template prints is escaped.
#[derive(Clone, Copy, Default)]
pub(crate) struct Markup<'a>(&'a str);

impl<'a> From<&'a Html> for Markup<'a> {
    fn from(html: &'a Html) -> Markup<'a> {
        Markup(html.as_str())
    }
}

impl Serialize for Markup<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        tera::Value::safe_string(self.0).serialize(s)
    }
}

impl Serialize for Html {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Markup::from(self).serialize(s)
    }
}

/// `site`: the same for every page. `S` is how an article's summary is
/// held: an [`ArticleSummary`], or the article's number (`serve`, which
/// compares the rest of the value at each save: see `pages::SiteSkeleton`).
#[derive(Serialize)]
pub(crate) struct SiteContext<'a, S = ArticleSummary<'a>> {
    pub title: &'a str,
    pub description: &'a str,
    pub base_url: &'a str,
    pub language: &'a str,
    pub crisis: &'a Crisis,
    pub disclaimer: &'a str,
    pub feedback_url: Option<&'a str>,
    pub topics: Vec<TopicSummary<'a, S>>,
    /// The most recently updated articles (`updated`, else `date`), newest
    /// first (up to 5).
    pub recently_updated: Vec<S>,
    pub has_faq: bool,
    pub has_sources: bool,
    pub has_glossary: bool,
    /// The site has a `/search/` page (`search` in site.yaml).
    pub has_search: bool,
    /// The site has tag pages: `tags` is on and some article has a tag.
    pub has_tags: bool,
    /// The trust pages `trust_pages` turns on, for the footer.
    pub trust_pages: Vec<TrustLink>,
}

/// A trust page: its title and root-relative link.
#[derive(Serialize, Clone)]
pub(crate) struct TrustLink {
    pub title: &'static str,
    pub href: String,
}

/// `trust`: what the trust pages show.
#[derive(Serialize)]
pub(crate) struct TrustContext<'a> {
    pub accessibility: Option<&'a crate::config::Accessibility>,
    /// The sentence on how sources are chosen.
    pub sources: Option<&'a str>,
    pub review_interval_months: u32,
    /// The kinds of review every page should have, with who may do them.
    pub roles: Vec<PolicyRole>,
    pub funding: Option<&'a str>,
    pub conflicts: Option<&'a str>,
}

/// A kind of review, as the editorial policy states it.
#[derive(Serialize)]
pub(crate) struct PolicyRole {
    /// `clinical`, `lay`, `editorial`.
    pub role: &'static str,
    /// Whether the site requires it of every page (`review_roles`).
    pub required: bool,
    /// Who may sign it (from people.yaml).
    pub people: Vec<PersonContext>,
}

pub(crate) fn trust_context(site: &Site) -> TrustContext<'_> {
    let config = &site.config;
    let roles = ReviewRole::ALL
        .iter()
        .map(|&role| PolicyRole {
            role: role.as_str(),
            required: config.review_roles.contains(&role),
            people: site
                .people
                .by_id
                .values()
                .filter(|p| p.can(crate::content::people::Capacity::for_role(role)))
                .map(|p| person(site, &p.id))
                .collect(),
        })
        .collect();
    TrustContext {
        accessibility: config.trust_pages.accessibility.as_ref(),
        sources: config.trust_pages.editorial_policy.as_ref().map(|p| p.sources.as_str()),
        review_interval_months: config.review_interval_months,
        roles,
        funding: config.funding.as_deref(),
        conflicts: config.conflicts.as_deref(),
    }
}

#[derive(Serialize, Clone)]
pub(crate) struct TopicSummary<'a, S = ArticleSummary<'a>> {
    pub name: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    /// Root-relative link target: prefix it with `root`.
    pub href: String,
    pub articles: Vec<S>,
}

#[derive(Serialize, Clone, PartialEq)]
pub(crate) struct ArticleSummary<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub href: String,
    pub topic: &'a str,
    pub date: String,
    /// `updated`, else `date`.
    pub updated: String,
    /// When the page was last checked against its sources (`reviewed.on`).
    pub reviewed_on: Option<String>,
    pub audience: Audience,
}

/// `page`: what is shown on this page.
#[derive(Serialize, Default)]
pub(crate) struct PageContext<'a> {
    /// `home`, `article`, `topic`, `faq`, `sources`, `glossary`, `search`, `404`.
    pub kind: &'static str,
    pub title: &'a str,
    pub description: &'a str,
    /// Output path (`efficacy/ketamine-vs-ect/`), `""` for home.
    pub path: String,
    /// Absolute canonical URL.
    pub permalink: String,
    pub date: Option<String>,
    pub updated: Option<String>,
    pub reviewed: Option<ReviewContext<'a>>,
    /// The last review of each role and whether it still covers the page.
    pub reviews: Option<ReviewsContext>,
    /// `changes:`, newest first.
    pub changes: Vec<ChangeContext<'a>>,
    /// The authors, from `people.yaml` (an unknown id is shown as written).
    pub authors: Vec<PersonContext>,
    pub key_points: &'a [String],
    /// The article's tags, each with the link to its tag page.
    pub tags: Vec<TagLink<'a>>,
    /// The site's `feedback_url` for this page, placeholders filled in.
    pub feedback_url: Option<String>,
    pub audience: Option<Audience>,
    /// Rendered body HTML (markup: printed as it is).
    pub content: Markup<'a>,
    pub toc: Vec<&'a Heading>,
    pub references: Vec<Reference<'a>>,
    pub faq: Vec<FaqContext<'a>>,
    pub topic: Option<TopicSummary<'a>>,
    pub previous: Option<ArticleSummary<'a>>,
    pub next: Option<ArticleSummary<'a>>,
    /// JSON-LD, serialized so that nothing in it can end its `<script>`
    /// (markup: printed as it is).
    pub json_ld: Html,
}

/// A tag of an article.
#[derive(Serialize)]
pub(crate) struct TagLink<'a> {
    /// As the article writes it.
    pub name: &'a str,
    /// Root-relative link to its tag page; none when the site has tags off.
    pub href: Option<String>,
}

/// A tag on `/tags/` (without `articles`) and on its own page.
#[derive(Serialize)]
pub(crate) struct TagSummary<'a> {
    /// As the first article in site order writes it.
    pub name: &'a str,
    pub slug: &'a str,
    /// Root-relative link to its page.
    pub href: String,
    /// How many articles carry it.
    pub count: usize,
    pub articles: Vec<ArticleSummary<'a>>,
}

/// `redirect`: what a redirect page (an old address, `aliases:`) points to.
#[derive(Serialize)]
pub(crate) struct RedirectContext<'a> {
    /// The old address, from the site's root: `old-name/`.
    pub from: &'a str,
    /// Root-relative link to the page now.
    pub href: String,
    /// Its absolute URL.
    pub url: String,
}

#[derive(Serialize)]
pub(crate) struct ReviewContext<'a> {
    pub by: &'a str,
    pub on: String,
    pub next: String,
}

/// A person (or organization) of `people.yaml`, or a reviewer named in the
/// old `reviewed:` block.
#[derive(Serialize, Clone, Default)]
pub(crate) struct PersonContext {
    /// Its id in `people.yaml`; empty for a name as written.
    pub id: String,
    pub name: String,
    pub credentials: Option<String>,
    /// `name, credentials`.
    pub display: String,
    pub organization: bool,
    pub orcid: Option<String>,
    pub affiliation: Option<String>,
}

/// The last review of one role.
#[derive(Serialize)]
pub(crate) struct RoleReviewContext {
    pub by: PersonContext,
    pub on: String,
    pub scope: Option<String>,
    /// `current` (signed, and the page is what was reviewed), `edited`
    /// (signed, and the page changed since) or `unsigned` (recorded by
    /// hand: what it covered is unknown).
    pub state: &'static str,
    /// When the next review of this role is due.
    pub due: Option<String>,
}

/// `page.reviews`: what each kind of review says about the page now.
#[derive(Serialize, Default)]
pub(crate) struct ReviewsContext {
    pub clinical: Option<RoleReviewContext>,
    pub lay: Option<RoleReviewContext>,
    pub editorial: Option<RoleReviewContext>,
    /// The earliest due date of its reviews.
    pub next_due: Option<String>,
}

#[derive(Serialize)]
pub(crate) struct ChangeContext<'a> {
    pub on: String,
    pub summary: &'a str,
}

/// One numbered reference of a page.
#[derive(Serialize)]
pub(crate) struct Reference<'a> {
    pub number: usize,
    /// The id of the list item: `ref-3`.
    pub anchor: String,
    pub id: &'a str,
    /// Formatted by the CSL style (markup: printed as it is).
    pub formatted: Markup<'a>,
    pub evidence: Option<&'static str>,
    pub doi_url: Option<String>,
    pub pubmed_url: Option<String>,
    pub url: Option<String>,
    /// `#cite-…` ids of every place this page cites it.
    pub backlinks: Vec<String>,
    /// Root-relative link to the entry on the source list.
    pub source_href: String,
}

#[derive(Serialize)]
pub(crate) struct FaqContext<'a> {
    pub question: &'a str,
    /// Its id on this page.
    pub anchor: &'a str,
    /// Rendered answer HTML (markup: printed as it is).
    pub answer: Markup<'a>,
    /// On the FAQ index: the article it comes from, and a root-relative link
    /// to the entry on that article's page.
    pub article: Option<ArticleSummary<'a>>,
    pub href: Option<String>,
}

/// A page citing a source, for the source list, with the FAQ entries of it
/// that cite it.
#[derive(Serialize)]
pub(crate) struct CitedIn<'a> {
    pub title: &'a str,
    /// Root-relative link to the page.
    pub href: String,
    /// The FAQ answers on this page that cite the source.
    pub questions: Vec<CitedQuestion<'a>>,
}

#[derive(Serialize)]
pub(crate) struct CitedQuestion<'a> {
    pub question: &'a str,
    /// Root-relative link to the entry on its page.
    pub href: String,
}

/// An entry of the glossary page.
#[derive(Serialize)]
pub(crate) struct GlossaryEntry<'a> {
    pub term: &'a str,
    pub anchor: &'a str,
    pub definition: &'a str,
    pub aliases: &'a [String],
    pub used_in: Vec<ArticleSummary<'a>>,
}

/// A group of the FAQ index.
#[derive(Serialize)]
pub(crate) struct FaqGroup<'a> {
    pub topic: TopicSummary<'a>,
    pub anchor: String,
    pub entries: Vec<FaqContext<'a>>,
}

/// `pagination`: where a page is among the pages of its list (only on a
/// list of more than one page). Links are root-relative.
#[derive(Serialize)]
pub(super) struct Pagination {
    pub number: usize,
    pub count: usize,
    pub previous: Option<String>,
    pub next: Option<String>,
    pub pages: Vec<PageLink>,
}

/// A page of a list, for the numbered links of [`Pagination`].
#[derive(Serialize)]
pub(super) struct PageLink {
    pub number: usize,
    pub href: String,
    pub current: bool,
    /// Numbers between the link before this one and this one are left out.
    pub gap_before: bool,
}

/// A letter of the A–Z bar (`az`) of the source list and the glossary.
#[derive(Serialize)]
pub(super) struct AzLetter {
    /// `A`, or `#` for what does not start with a letter A to Z.
    pub label: String,
    /// What a screen reader says: `A`, `Other`.
    pub name: String,
    /// Root-relative link to its first page, or on a list of one page to
    /// its heading (`sources/index.html#letter-a`); none when no entry
    /// starts with it.
    pub href: Option<String>,
    /// It is the letter this page shows.
    pub current: bool,
}

/// A letter's entries on a page of a lettered list.
#[derive(Serialize)]
pub(super) struct LetterGroup<T> {
    pub label: String,
    /// Its heading's id: `letter-a`.
    pub anchor: String,
    pub entries: Vec<T>,
}

/// On the first page of a split list: an entry now on another page, under
/// the id it had here, so an old link to it still leads there.
#[derive(Serialize)]
pub(super) struct MovedEntry {
    /// Its id, as it was on this page: `src-anand2023`.
    pub anchor: String,
    pub label: String,
    /// Root-relative link to it now.
    pub href: String,
}

/// An entry of the source list.
#[derive(Serialize)]
pub(crate) struct SourceEntry<'a> {
    pub id: &'a str,
    pub anchor: String,
    pub formatted: Markup<'a>,
    pub evidence: Option<&'static str>,
    pub doi_url: Option<String>,
    pub pubmed_url: Option<String>,
    pub url: Option<String>,
    pub cited_in: Vec<CitedIn<'a>>,
}

pub(crate) fn site_context<'a>(site: &'a Site) -> SiteContext<'a> {
    site_context_with(site, |i| article_summary(&site.articles[i]))
}

/// How many articles `site.recently_updated` lists.
const RECENTLY_UPDATED: usize = 5;

/// [`site_context`] with article `i`'s summary made by `summary(i)`.
pub(crate) fn site_context_with<'a, S>(site: &'a Site, summary: impl Fn(usize) -> S) -> SiteContext<'a, S> {
    let config: &Config = &site.config;
    let topics = site.topics.iter().map(|t| topic_with(t, t.articles.iter().map(|&i| summary(i)).collect())).collect();
    // newest first; the same date in site order
    let updated = first_sorted((0..site.articles.len()).collect(), RECENTLY_UPDATED, |&i| {
        let f = &site.articles[i].article.front;
        (std::cmp::Reverse(f.updated.unwrap_or(f.date)), i)
    });
    SiteContext {
        title: &config.title,
        description: &config.description,
        base_url: &config.base_url,
        language: &config.language,
        crisis: &config.crisis,
        disclaimer: &config.disclaimer,
        feedback_url: config.feedback_url.as_deref(),
        topics,
        recently_updated: updated.into_iter().map(summary).collect(),
        // both known before any page is rendered, so a build can write each
        // article as soon as it is rendered (`site::PageSink`)
        has_faq: site.has_faq(),
        has_sources: !site.bibliography.sources.is_empty(),
        has_glossary: !site.glossary.terms.is_empty(),
        has_search: config.search,
        has_tags: !site.tags.is_empty(),
        trust_pages: crate::site::trust_pages(config)
            .map(|p| TrustLink { title: p.title, href: format!("{}index.html", p.path) })
            .collect(),
    }
}

/// The first `k` of `items` sorted by `key`, which no two items share: they
/// are picked, then only they are sorted (`serve` makes the `site` value
/// at each save; the feed is the newest of every article).
pub(super) fn first_sorted<T, K: Ord>(mut items: Vec<T>, k: usize, key: impl Fn(&T) -> K) -> Vec<T> {
    if items.len() > k && k > 0 {
        items.select_nth_unstable_by_key(k - 1, &key);
    }
    items.truncate(k);
    items.sort_unstable_by_key(key);
    items
}

pub(crate) fn topic_summary<'a>(
    site: &'a Site,
    t: &'a crate::site::TopicPage,
    with_articles: bool,
) -> TopicSummary<'a> {
    let articles = if with_articles {
        t.articles.iter().map(|&i| article_summary(&site.articles[i])).collect()
    } else {
        Vec::new()
    };
    topic_with(t, articles)
}

/// A topic's summary listing `articles`.
fn topic_with<'a, S>(t: &'a crate::site::TopicPage, articles: Vec<S>) -> TopicSummary<'a, S> {
    TopicSummary {
        name: &t.topic.name,
        title: &t.topic.front.title,
        description: &t.topic.front.description,
        href: format!("{}index.html", t.path),
        articles,
    }
}

pub(crate) fn article_summary(page: &Page) -> ArticleSummary<'_> {
    summary_of(&page.article, &page.path)
}

/// [`article_summary`] of `article`, whose page is at `path`.
pub(crate) fn summary_of<'a>(article: &'a Article, path: &str) -> ArticleSummary<'a> {
    let f = &article.front;
    ArticleSummary {
        title: &f.title,
        description: &f.description,
        href: format!("{path}index.html"),
        topic: &article.topic,
        date: f.date.to_string(),
        updated: f.updated.unwrap_or(f.date).to_string(),
        reviewed_on: f.reviewed.as_ref().map(|r| r.on.to_string()),
        audience: f.audience,
    }
}

/// The reference list entry for `source`, numbered `n` on a page, linking
/// to its entry on the source list at `source_href`.
pub(super) fn reference<'a>(
    source: &'a Source,
    (number, anchor): (usize, String),
    backlinks: Vec<String>,
    source_href: String,
) -> Reference<'a> {
    Reference {
        number,
        anchor,
        id: &source.id,
        formatted: (&source.formatted).into(),
        evidence: source.evidence.map(|e| e.label()),
        doi_url: source.doi_url(),
        pubmed_url: source.pubmed_url(),
        url: source.url(),
        backlinks,
        source_href,
    }
}

/// A person of `people.yaml` by id (an unknown id: its name is the id).
pub(crate) fn person(site: &Site, id: &str) -> PersonContext {
    match site.people.get(id) {
        Some(p) => PersonContext {
            id: p.id.clone(),
            name: p.name.clone(),
            credentials: p.credentials.clone(),
            display: p.display(),
            organization: p.organization,
            orcid: p.orcid.clone(),
            affiliation: p.affiliation.clone(),
        },
        None => PersonContext { id: id.into(), name: id.into(), display: id.into(), ..Default::default() },
    }
}

/// `page.reviews` from the status of each role's last review.
pub(crate) fn reviews_context(site: &Site, statuses: &[RoleStatus]) -> ReviewsContext {
    let mut ctx = ReviewsContext::default();
    for s in statuses {
        let r = &s.review;
        let by = match &r.by {
            Reviewer::Person(id) => person(site, id),
            Reviewer::Named(name) => PersonContext { name: name.clone(), display: name.clone(), ..Default::default() },
        };
        let role = RoleReviewContext {
            by,
            on: r.on.to_string(),
            scope: r.scope.map(str::to_string),
            state: match s.state {
                State::Current => "current",
                State::Edited(_) => "edited",
                State::Unsigned => "unsigned",
            },
            due: s.due.map(|d| d.to_string()),
        };
        match r.role {
            ReviewRole::Clinical => ctx.clinical = Some(role),
            ReviewRole::Lay => ctx.lay = Some(role),
            ReviewRole::Editorial => ctx.editorial = Some(role),
        }
    }
    ctx.next_due = statuses.iter().filter_map(|s| s.due).min().map(|d| d.to_string());
    ctx
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first few picked are what sorting all of them puts first.
    #[test]
    fn the_first_few_are_the_first_of_a_whole_sort() {
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        for round in 0..300 {
            let n = (round % 40) as usize;
            let keys: Vec<u64> = (0..n)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    seed % 6
                })
                .collect();
            // newest first, ties in number order: as `recently_updated` keys them
            let key = |&i: &usize| (std::cmp::Reverse(keys[i]), i);
            for k in [0, 1, 5, 50] {
                let mut sorted: Vec<usize> = (0..n).collect();
                sorted.sort_by_key(key);
                sorted.truncate(k);
                assert_eq!(first_sorted((0..n).collect(), k, key), sorted, "keys {keys:?}, k {k}");
            }
        }
    }
}
