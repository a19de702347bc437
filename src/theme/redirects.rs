//! Redirect pages: at each old address of a page (`aliases:`), a small page
//! (`redirect.html`) that sends the reader on at once (`<meta
//! http-equiv="refresh">`, with a link for when it does not), names the
//! page's address as canonical and asks search engines not to index it.
//! No sitemap, feed or search index lists them. Which aliases are valid is
//! `site::aliases`'s.

use super::context::{PageContext, RedirectContext};
use super::pages::Renderer;
use crate::diagnostics::Diagnostic;
use crate::output::Output;
use crate::site::Page;
use crate::site::aliases;

impl Renderer<'_> {
    /// Write the redirect page of every alias of the home page and articles.
    pub(super) fn redirects(&self, out: &dyn Output) -> anyhow::Result<Vec<Diagnostic>> {
        let site = self.site;
        let mut diags = Vec::new();
        for page in site.home.iter().chain(&site.articles) {
            for alias in aliases::valid(&page.article) {
                diags.extend(self.redirect(page, &alias, out)?);
            }
        }
        Ok(diags)
    }

    fn redirect(&self, to: &Page, alias: &aliases::Alias, out: &dyn Output) -> anyhow::Result<Option<Diagnostic>> {
        let url = self.permalink(&to.path);
        let mut page = PageContext {
            kind: "redirect",
            title: &to.article.front.title,
            path: alias.dir.clone(),
            // canonical: the page where it is now
            permalink: url.clone(),
            ..Default::default()
        };
        let mut ctx = self.context(&alias.dir);
        ctx.insert("redirect", &RedirectContext { from: &alias.from, href: format!("{}index.html", to.path), url });
        self.insert_page(&mut ctx, &mut page);
        self.write("redirect.html", &alias.from, &alias.file, ctx, out)
    }
}
