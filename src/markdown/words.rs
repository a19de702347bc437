//! Glossary terms in an article's body: the first use of each links to its
//! definition, written at the end of the text under "Words used on this
//! page" (a definition list), so that a reader reaches it by keyboard or
//! touch, not by hovering only; each entry links back to the text and on
//! to the term's entry in the glossary. A part of a page (a FAQ answer)
//! links its terms to the glossary instead.

use std::fmt::Write as _;

use pulldown_cmark::{CowStr, Event};

use super::{Heading, Renderer};
use crate::html::escape;

/// The heading of the section.
const TITLE: &str = "Words used on this page";

/// The terms an article's body explains, in order of first use.
#[derive(Default)]
pub(super) struct Words {
    /// (term index, id of its entry, id of its link in the text).
    used: Vec<(usize, String, String)>,
}

impl Renderer<'_, '_> {
    /// The link for the first use of `term`, showing `text`.
    pub(super) fn term_link(&mut self, term: usize, text: &str) -> String {
        let title = self.resolver.terms().map(|m| m.definitions[term].as_str()).unwrap_or_default();
        if !self.body {
            return format!(
                "<a class=\"term\" href=\"{}\" title=\"{}\">{}</a>",
                escape(&self.resolver.term_href(term)),
                escape(title),
                escape(text)
            );
        }
        let p = self.citations.prefix.clone();
        let n = self.words.used.len() + 1;
        let entry = self.ids.unique(format!("{p}word-{n}"));
        let back = self.ids.unique(format!("{p}wordref-{n}"));
        let html = format!(
            "<a class=\"term\" href=\"#{entry}\" id=\"{back}\" title=\"{}\">{}</a>",
            escape(title),
            escape(text)
        );
        self.words.used.push((term, entry, back));
        html
    }

    /// "Words used on this page": each term of the body, its definition, a
    /// link back to where the text uses it and one to its glossary entry.
    pub(super) fn words_section(&mut self, events: &mut Vec<Event<'_>>) {
        let used = std::mem::take(&mut self.words.used);
        let Some(terms) = self.resolver.terms().filter(|_| self.body && !used.is_empty()) else { return };
        let id = self.ids.unique(format!("{}words", self.citations.prefix));
        let offset = self.source.text.len().saturating_sub(self.source.offset);
        let plain_offset = self.out.plain.len();
        self.out.headings.push(Heading { level: 2, id: id.clone(), title: TITLE.into(), offset, plain_offset });
        let mut html = format!(
            "<section class=\"words\" aria-labelledby=\"{id}\">\n<h2 id=\"{id}\">{TITLE}</h2>\n<dl class=\"words-list\">\n"
        );
        for (term, entry, back) in used {
            let name = escape(terms.title(term));
            let _ = writeln!(
                html,
                "<div id=\"{entry}\"><dt>{name}</dt><dd>{} <a class=\"word-more\" href=\"{}\">In the glossary<span class=\"visually-hidden\">: {name}</span></a> <a class=\"note-back\" href=\"#{back}\">↩<span class=\"visually-hidden\"> back to the text ({name})</span></a></dd></div>",
                escape(&terms.definitions[term]),
                escape(&self.resolver.term_href(term)),
            );
        }
        html.push_str("</dl>\n</section>\n");
        events.push(Event::Html(CowStr::from(html)));
    }
}
