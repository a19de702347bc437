//! Footnotes: a definition is taken out of the text's flow as it is
//! rendered and written at the end of the text, under "Notes" (a heading
//! in an article's body, a label elsewhere), lettered a, b, … in order of
//! first reference across the page, each with links back to every place
//! that refers to it. A reference to no definition and a definition
//! nothing refers to are diagnostics.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use pulldown_cmark::{CowStr, Event, TagEnd};

use super::{Heading, Renderer};
use crate::diagnostics::{Code, Diagnostic};

/// The footnotes of one text. Labels are looked up in maps: a text of tens
/// of thousands of notes is linear, not a search of every label per reference.
#[derive(Default)]
pub(super) struct Notes<'a> {
    /// Each definition's label and where it is in the Markdown, in order.
    defined: Vec<(CowStr<'a>, usize)>,
    /// The labels of `defined`.
    known: HashSet<CowStr<'a>>,
    /// (label, number on the page, times referenced so far), in order of
    /// first reference.
    used: Vec<(CowStr<'a>, usize, usize)>,
    /// Label → its place in `used`.
    used_at: HashMap<CowStr<'a>, usize>,
    /// Label → the definition's rendered events.
    pub(super) bodies: HashMap<String, Vec<Event<'a>>>,
    /// The definition being rendered: its label and first event.
    pub(super) open: Option<(CowStr<'a>, usize)>,
}

impl<'a> Notes<'a> {
    /// A definition of footnote `label` at `at` in the Markdown.
    pub(super) fn define(&mut self, label: &CowStr<'a>, at: usize) {
        self.defined.push((label.clone(), at));
        self.known.insert(label.clone());
    }
}

impl<'a> Renderer<'a, '_> {
    /// `[^label]` left as text: a reference to a footnote the text does not
    /// define (pulldown-cmark makes a reference only of a defined label).
    pub(super) fn missing_notes(&mut self, text: &str, locate: &dyn Fn(usize) -> usize) {
        // a byte search: a string pattern's searcher, set up for each of a
        // page's pieces of text, cost more than the search
        let bytes = text.as_bytes();
        for i in memchr::memchr_iter(b'[', bytes).filter(|&i| bytes.get(i + 1) == Some(&b'^')) {
            let rest = &text[i + 2..];
            let Some(len) = rest.find([']', '[', ' ', '\t', '\n']).filter(|&l| l > 0 && rest.as_bytes()[l] == b']')
            else {
                continue;
            };
            let label = &rest[..len];
            let mut d = Diagnostic::error(Code::UnknownFootnote, format!("no footnote `[^{label}]` in this text"))
                .with_span(self.span(locate(i)));
            let labels = self.notes.defined.iter().map(|(l, _)| l.as_ref());
            d = match self.suggestions.nearest(label, labels) {
                Some(near) => d.with_help(format!("did you mean `[^{near}]`?")),
                None => d.with_help(format!("define it below the paragraph: `[^{label}]: The note's text.`")),
            };
            self.out.diagnostics.push(d);
        }
    }

    /// A reference to footnote `label` (defined in this text): a superscript
    /// letter, so notes never look like the numbered citations.
    pub(super) fn note_reference(&mut self, label: &CowStr<'a>) -> String {
        let known = self.notes.known.contains(label.as_ref());
        let at = match self.notes.used_at.get(label.as_ref()) {
            Some(&at) => at,
            None => {
                self.citations.notes += 1;
                self.notes.used.push((label.clone(), self.citations.notes, 0));
                self.notes.used_at.insert(label.clone(), self.notes.used.len() - 1);
                self.notes.used.len() - 1
            }
        };
        let entry = &mut self.notes.used[at];
        entry.2 += 1;
        let (letter, k) = (note_letter(entry.1), entry.2);
        let p = &self.citations.prefix;
        if !known {
            return format!("<sup class=\"note-ref\">{letter}</sup>");
        }
        format!(
            "<sup class=\"note-ref\"><a href=\"#{p}fn_{letter}\" id=\"{p}fnref_{letter}_{k}\" aria-label=\"Note {letter}\">{letter}</a></sup>"
        )
    }

    /// The footnotes referenced in this text, lettered in order of first
    /// reference, each with a link back to every place that refers to it;
    /// a definition nothing refers to is a warning.
    pub(super) fn notes_section(&mut self, events: &mut Vec<Event<'a>>) {
        for (label, offset) in &self.notes.defined {
            if !self.notes.used_at.contains_key(label.as_ref()) {
                self.out.diagnostics.push(
                    Diagnostic::warning(Code::UnusedFootnote, format!("footnote `[^{label}]` is never referred to"))
                        .with_span(self.span(*offset))
                        .with_help(format!("refer to it with `[^{label}]` where it belongs, or delete it")),
                );
            }
        }
        let used = std::mem::take(&mut self.notes.used);
        self.notes.used_at.clear();
        let Some(first) = used.first().map(|u| u.1) else { return };
        let p = self.citations.prefix.clone();
        let mut open = String::new();
        if self.body {
            let id = self.ids.unique(format!("{p}notes"));
            // at the end of the text, where the notes are shown
            let offset = self.source.text.len().saturating_sub(self.source.offset);
            let plain_offset = self.out.plain.len();
            self.out.headings.push(Heading { level: 2, id: id.clone(), title: "Notes".into(), offset, plain_offset });
            let _ = write!(open, "<section class=\"notes\" aria-labelledby=\"{id}\">\n<h2 id=\"{id}\">Notes</h2>\n");
        } else {
            // a part of a page (a FAQ answer): not a landmark, as there may be many
            open.push_str("<div class=\"notes\">\n<p class=\"notes-title\">Notes</p>\n");
        }
        let _ = writeln!(open, "<ol class=\"notes-list\" type=\"a\" start=\"{first}\">");
        events.push(Event::Html(CowStr::from(open)));
        for (label, number, count) in used {
            let letter = note_letter(number);
            events.push(Event::Html(CowStr::from(format!("<li id=\"{p}fn_{letter}\">"))));
            let mut body = self.notes.bodies.remove(label.as_ref()).unwrap_or_default();
            let mut back = String::new();
            for k in 1..=count {
                // the name is the visible text and what it does (WCAG 2.5.3)
                let (place, sup) = match count {
                    1 => (String::new(), String::new()),
                    _ => (", place".to_string(), format!("<sup>{k}</sup>")),
                };
                let _ = write!(
                    back,
                    " <a class=\"note-back\" href=\"#{p}fnref_{letter}_{k}\">↩<span class=\"visually-hidden\"> back to the text of note {letter}{place}</span>{sup}</a>"
                );
            }
            // the links back go at the end of the note's last paragraph
            let at = match body.last() {
                Some(Event::End(TagEnd::Paragraph)) => body.len() - 1,
                _ => body.len(),
            };
            body.insert(at, Event::InlineHtml(CowStr::from(back)));
            events.extend(body);
            events.push(Event::Html(CowStr::Borrowed("</li>\n")));
        }
        events.push(Event::Html(CowStr::Borrowed(if self.body { "</ol>\n</section>\n" } else { "</ol>\n</div>\n" })));
    }
}

/// The letter of footnote `n` on its page: a … z, then aa, ab ….
fn note_letter(n: usize) -> String {
    let mut n = n;
    let mut letters = Vec::new();
    while n > 0 {
        n -= 1;
        letters.push(char::from(b'a' + (n % 26) as u8));
        n /= 26;
    }
    letters.iter().rev().collect()
}
