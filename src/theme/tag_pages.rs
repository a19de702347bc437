//! The tag pages: `/tags/` (every tag, with how many articles carry it,
//! `tags.html`) and `/tags/<tag>/` (the articles carrying one, `tag.html`,
//! `paginate_by` to a page: `/tags/<tag>/page/2/`…), and the tag links of
//! an article. What the tags are is `site::tags`'s.

use rayon::prelude::*;

use super::context::{PageContext, TagLink, TagSummary, article_summary};
use super::lists::{numbered, pagination};
use super::pages::Renderer;
use crate::diagnostics::Diagnostic;
use crate::output::Output;
use crate::site::split::ListPage;
use crate::site::tags::{self, TAGS_PATH, Tag};

impl<'a> Renderer<'a> {
    /// Write `/tags/` and each tag's page (nothing when the site has no tags).
    pub(super) fn tags(&self, out: &dyn Output) -> anyhow::Result<Vec<Diagnostic>> {
        let site = self.site;
        if site.tags.is_empty() {
            return Ok(Vec::new());
        }
        let summaries: Vec<TagSummary> = site.tags.iter().map(|t| self.tag_summary(t)).collect();
        let mut page = PageContext {
            kind: "tags",
            title: "Tags",
            description: "Every tag on this site, with the number of articles that carry it.",
            path: TAGS_PATH.into(),
            permalink: self.permalink(TAGS_PATH),
            ..Default::default()
        };
        let mut ctx = self.context(TAGS_PATH);
        ctx.insert("tags", &summaries);
        self.insert_page(&mut ctx, &mut page);
        let mut diags: Vec<Diagnostic> =
            self.write("tags.html", TAGS_PATH, &format!("{TAGS_PATH}index.html"), ctx, out)?.into_iter().collect();
        let per = site.config.paginate_by;
        let pages: Vec<(&Tag, Vec<ListPage>)> = site.tags.iter().map(|t| (t, t.pages(per))).collect();
        let found: Vec<anyhow::Result<Option<Diagnostic>>> = pages
            .par_iter()
            .flat_map(|(t, list)| list.par_iter().map(move |page| (*t, page)))
            .map(|(t, page)| self.tag(t, page, out))
            .collect();
        for d in found {
            diags.extend(d?);
        }
        Ok(diags)
    }

    fn tag(&self, tag: &'a Tag, on: &ListPage, out: &dyn Output) -> anyhow::Result<Option<Diagnostic>> {
        let path = on.path.clone();
        let title = numbered(&format!("Tag: {}", tag.name), on);
        let description = format!(
            "The {} article{} tagged “{}”.",
            tag.articles.len(),
            if tag.articles.len() == 1 { "" } else { "s" },
            tag.name
        );
        let mut page = PageContext {
            kind: "tag",
            title: &title,
            description: &description,
            path: path.clone(),
            permalink: self.permalink(&path),
            ..Default::default()
        };
        let mut ctx = self.context(&path);
        let mut summary = self.tag_summary(tag);
        summary.articles = on.entries.iter().map(|&k| article_summary(&self.site.articles[tag.articles[k]])).collect();
        ctx.insert("tag", &summary);
        ctx.insert("pagination", &pagination(on));
        self.insert_page(&mut ctx, &mut page);
        self.write("tag.html", &path, &format!("{path}index.html"), ctx, out)
    }

    /// A tag without its articles (the page it is on adds those it shows).
    fn tag_summary(&self, tag: &'a Tag) -> TagSummary<'a> {
        TagSummary {
            name: &tag.name,
            slug: &tag.slug,
            href: format!("{}index.html", tag.path()),
            count: tag.articles.len(),
            articles: Vec::new(),
        }
    }

    /// An article's tags as written, each linked to its page when the site
    /// has tag pages (a tag with no address has no link).
    pub(super) fn tag_links(&self, names: &'a [String]) -> Vec<TagLink<'a>> {
        let on = self.site.config.tags;
        names
            .iter()
            .map(|name| TagLink {
                name,
                href: tags::slug(name).filter(|_| on).map(|slug| format!("{}index.html", tags::path(&slug))),
            })
            .collect()
    }
}
