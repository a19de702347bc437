//! The files crawlers and feed readers expect: sitemap.xml, atom.xml,
//! robots.txt. Absolute URLs from `base_url`; dates from front matter only
//! (no wall-clock time, so the same input gives the same bytes).

use std::fmt::Write as _;

use super::context::first_sorted;
use crate::content::Article;
use crate::html::xml_text as escape;
use crate::site::Site;

/// What the feeds show of an article besides its path: the same facts,
/// the same entries (`serve` re-makes the feeds only when they changed).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Facts<'a> {
    title: &'a str,
    description: &'a str,
    /// `updated`, else `date`.
    date: jiff::civil::Date,
    /// The first author, if any.
    author: Option<&'a str>,
}

pub(crate) fn facts(article: &Article) -> Facts<'_> {
    let f = &article.front;
    Facts {
        title: &f.title,
        description: &f.description,
        date: f.updated.unwrap_or(f.date),
        author: f.authors.first().map(String::as_str),
    }
}

pub(super) fn sitemap(site: &Site) -> String {
    let base = &site.config.base_url;
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    // escaped one character at a time, so the base and the path apart are
    // the two together; the base once, not once per page
    let base = escape(base);
    let mut url = |path: &str, lastmod: Option<String>| {
        let _ = write!(s, "  <url><loc>{base}{}</loc>", escape(path));
        if let Some(d) = lastmod {
            let _ = write!(s, "<lastmod>{d}</lastmod>");
        }
        s.push_str("</url>\n");
    };
    url("", None);
    let per = site.config.paginate_by;
    for t in &site.topics {
        // the `faq` topic's landing is the FAQ index's first page
        if t.path == crate::site::FAQ_PATH {
            url(&t.path, None);
            continue;
        }
        for page in t.pages(per) {
            url(&page.path, None);
        }
    }
    for p in &site.articles {
        url(&p.path, Some(facts(&p.article).date.to_string()));
    }
    let faq_landing = site.topics.iter().any(|t| t.path == crate::site::FAQ_PATH);
    if !site.faq.groups.is_empty() || faq_landing {
        // the FAQ index's later pages (its first is there already with a landing)
        for page in site.faq.pages.iter().skip(usize::from(faq_landing)) {
            url(&page.list.path, None);
        }
    }
    for page in &site.source_list.layout.pages {
        url(&page.path, None);
    }
    if !site.glossary.terms.is_empty() {
        for page in &site.glossary_list.pages {
            url(&page.path, None);
        }
    }
    if !site.tags.is_empty() {
        url(crate::site::tags::TAGS_PATH, None);
        for tag in &site.tags {
            for page in tag.pages(per) {
                url(&page.path, None);
            }
        }
    }
    // the trust pages a site shows: readers look for them by search too
    for page in crate::site::trust_pages(&site.config) {
        url(page.path, None);
    }
    if site.config.search {
        url(crate::site::SEARCH_PATH, None);
    }
    // redirect pages (`aliases:`) are left out: they are not pages to index
    s.push_str("</urlset>\n");
    s
}

pub(super) fn atom(site: &Site) -> String {
    let base = &site.config.base_url;
    // the newest 50 are the feed, newest first (paths differ: no two tie)
    const ENTRIES: usize = 50;
    let pages = first_sorted(site.articles.iter().collect(), ENTRIES, |p: &&crate::site::Page| {
        std::cmp::Reverse((facts(&p.article).date, p.path.as_str()))
    });
    let updated = pages.first().map(|p| facts(&p.article).date.to_string()).unwrap_or_else(|| "1970-01-01".into());
    let mut s =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    let _ = writeln!(
        s,
        "  <title>{}</title>\n  <id>{}</id>\n  <link href=\"{}\"/>\n  <link rel=\"self\" href=\"{}atom.xml\"/>\n  <updated>{updated}T00:00:00Z</updated>",
        escape(&site.config.title),
        escape(base),
        escape(base),
        escape(base)
    );
    for p in &pages {
        let f = facts(&p.article);
        let link = format!("{base}{}", p.path);
        let _ = writeln!(
            s,
            "  <entry>\n    <title>{}</title>\n    <id>{}</id>\n    <link href=\"{}\"/>\n    <updated>{}T00:00:00Z</updated>\n    <author><name>{}</name></author>\n    <summary>{}</summary>\n  </entry>",
            escape(f.title),
            escape(&link),
            escape(&link),
            f.date,
            escape(f.author.unwrap_or(&site.config.title)),
            escape(f.description)
        );
    }
    s.push_str("</feed>\n");
    s
}

pub(super) fn robots(site: &Site) -> String {
    format!("User-agent: *\nAllow: /\n\nSitemap: {}sitemap.xml\n", site.config.base_url)
}
