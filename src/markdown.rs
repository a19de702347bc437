//! The only module that knows pulldown-cmark. Markdown text in; HTML out,
//! with what the rest of the site needs to know about it: headings (stable
//! ids, table of contents), links (resolved through a [`Resolver`] and
//! rewritten), citations (numbered in first-appearance order, shared across
//! an article's body and FAQ answers through [`Citations`]), and positions
//! for every problem found.
//!
//! Raw HTML in Markdown is shown as text, never passed through: a health
//! page has no need for it, and it is how `<script>` would get in.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::ops::Range;

use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, Options as CmarkOptions, Parser, Tag, TagEnd};

use crate::config::CareCards;
use crate::diagnostics::{Code, Diagnostic, Lines, Span, Suggestions, nearest};
use crate::html::{Html, check_url, escape};

mod blocks;
mod cite;
mod notes;
mod words;

use blocks::BlockKind;
use cite::{CiteItem, Found, Part};
use notes::Notes;
use words::Words;

/// What markdown asks of the site while rendering one text.
pub(crate) trait Resolver {
    /// Resolve a link or image destination written in the Markdown.
    fn link(&self, dest: &str) -> Result<ResolvedLink, LinkError>;
    /// Whether `[@id]` names a known source.
    fn has_source(&self, id: &str) -> bool;
    /// The known source id closest to `id`, for "did you mean".
    fn suggest_source(&self, id: &str) -> Option<String>;
    /// Whether `id`, not a source, names one that failed to load (its own
    /// error is reported): its citations are then not reported again.
    fn source_failed(&self, _id: &str) -> bool {
        false
    }
    /// How running text names source `id` (`@id`): its authors as the
    /// citation style writes them, "Anand et al".
    fn narrative(&self, id: &str) -> Option<String> {
        let _ = id;
        None
    }
    /// What the care cards of the site say above their lists.
    fn care_cards(&self) -> CareCards {
        CareCards::default()
    }
    /// Glossary terms to explain on first use, if the site has a glossary.
    fn terms(&self) -> Option<&TermMatcher> {
        None
    }
    /// Where glossary term `index` is explained, relative to this page.
    fn term_href(&self, index: usize) -> String {
        let _ = index;
        String::new()
    }
    /// Whether to collect [`Rendered::plain`] and [`Rendered::prose`]:
    /// `check` and JSON-LD need them; a build's pages do not.
    fn collect_text(&self) -> bool {
        true
    }
}

/// Finds glossary terms (and their aliases) in text, as whole words,
/// ignoring ASCII case. Longer names win over shorter ones they contain.
#[derive(Debug, Clone, Default)]
pub struct TermMatcher {
    /// (lowercase name, term index), longest first.
    names: Vec<(String, usize)>,
    /// The definition of each term, shown as the link's title.
    definitions: Vec<String>,
    /// Each term's name as written (its first name).
    titles: Vec<String>,
    /// Which of `names` a text holds, in one pass (a text run holds few of a
    /// glossary's names); `None`: look for each in turn.
    present: Option<aho_corasick::AhoCorasick>,
}

impl TermMatcher {
    /// `terms`: for each term, its names (term first, then aliases) and definition.
    pub fn new(terms: impl IntoIterator<Item = (Vec<String>, String)>) -> TermMatcher {
        let mut m = TermMatcher::default();
        for (i, (names, definition)) in terms.into_iter().enumerate() {
            m.titles.push(names.first().cloned().unwrap_or_default());
            m.names.extend(names.into_iter().filter(|n| !n.trim().is_empty()).map(|n| (n.to_ascii_lowercase(), i)));
            m.definitions.push(definition);
        }
        m.names.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
        m.present = aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(m.names.iter().map(|(name, _)| name))
            .ok();
        m
    }

    /// Term `index`'s name as written.
    pub fn title(&self, index: usize) -> &str {
        &self.titles[index]
    }

    /// First occurrences of terms not in `used`, as (byte range, term), in
    /// text order. Names are tried longest first, at every place they stand
    /// as whole words and overlap no longer name's place: each such place
    /// is taken, whether or not its term is linked there (a term linked
    /// before, or further on), so a shorter name is never found inside a
    /// longer one's words ("NMDA" inside "NMDA receptor"); a term is linked
    /// at the first of its places in the text. Every place of every name comes from one
    /// pass of the automaton, and the places taken are kept in an ordered
    /// map: linear in the text and the names found, however many terms one
    /// paragraph uses.
    fn find(&self, text: &str, used: &HashSet<usize>) -> Vec<(Range<usize>, usize)> {
        let Some(automaton) = &self.present else { return self.find_each(text, used) };
        let mut places: HashMap<usize, Vec<usize>> = HashMap::new();
        for m in automaton.find_overlapping_iter(text) {
            places.entry(m.pattern().as_usize()).or_default().push(m.start());
        }
        let mut names: Vec<usize> = places.keys().copied().collect();
        names.sort_unstable(); // `names` is longest first
        // start → (end, term) of each place taken
        let mut taken: std::collections::BTreeMap<usize, (usize, usize)> = std::collections::BTreeMap::new();
        for i in names {
            let (name, term) = &self.names[i];
            for &start in &places[&i] {
                let r = start..start + name.len();
                let free = taken.range(..r.end).next_back().is_none_or(|(_, &(end, _))| end <= r.start);
                if free && whole_words(text, &r) {
                    taken.insert(r.start, (r.end, *term));
                }
            }
        }
        first_places(taken.into_iter().map(|(start, (end, term))| (start..end, term)), used)
    }

    /// [`TermMatcher::find`] without the automaton: each name looked for at
    /// every place in turn (the reference the test compares it with).
    fn find_each(&self, text: &str, used: &HashSet<usize>) -> Vec<(Range<usize>, usize)> {
        let lower = text.to_ascii_lowercase();
        let mut taken: Vec<(Range<usize>, usize)> = Vec::new();
        for (name, term) in &self.names {
            let places = (0..lower.len())
                .filter(|&i| lower.as_bytes()[i..].starts_with(name.as_bytes()))
                .map(|i| i..i + name.len());
            for r in places {
                if whole_words(text, &r) && !taken.iter().any(|(t, _)| t.start < r.end && r.start < t.end) {
                    taken.push((r, *term));
                }
            }
        }
        taken.sort_by_key(|(r, _)| r.start);
        first_places(taken, used)
    }
}

/// Of the places terms took (in text order), each term's first, but for
/// the terms in `used`.
fn first_places(
    taken: impl IntoIterator<Item = (Range<usize>, usize)>,
    used: &HashSet<usize>,
) -> Vec<(Range<usize>, usize)> {
    let mut linked: HashSet<usize> = HashSet::new();
    taken.into_iter().filter(|(_, term)| !used.contains(term) && linked.insert(*term)).collect()
}

/// Whether `range` of `text` starts and ends at word boundaries.
fn whole_words(text: &str, range: &Range<usize>) -> bool {
    crate::text::whole_word(text, range.clone(), &[])
}

/// A destination rewritten for the output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ResolvedLink {
    pub href: String,
    /// For internal links with a `#fragment`: the page path and fragment to
    /// check once every page's ids are known (empty path: this page).
    pub anchor: Option<(String, String)>,
    /// An image of the site's: its width and height in CSS pixels, when its
    /// file says them.
    pub size: Option<(u32, u32)>,
    /// A file of the site's other than a page: its path under `content/`.
    pub asset: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LinkError {
    /// What is wrong, and the help (the nearest file, or how to link).
    Broken(String, String),
    Unsafe(String),
}

/// Where the text sits in its file, for positions.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Source<'a> {
    pub file: &'a str,
    /// The whole file, so positions are real lines.
    pub text: &'a str,
    /// Byte offset of the Markdown in `text`.
    pub offset: usize,
    /// Where `text`'s lines start, shared by every part of a page (the
    /// body, each FAQ answer): every link and finding costs a binary
    /// search, not a count of the lines before it.
    pub lines: &'a Lines,
}

/// One heading of the page.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub title: String,
    #[serde(skip)]
    pub offset: usize,
    /// Byte offset in [`Rendered::plain`] where the heading's text begins
    /// (its section runs to the next heading's): search shows the section a word is in.
    #[serde(skip)]
    pub plain_offset: usize,
}

/// A link to check once all pages are rendered.
#[derive(Debug, Clone)]
pub struct AnchorRef {
    pub page: String,
    pub fragment: String,
    pub span: Span,
}

/// The result of rendering one Markdown text.
#[derive(Debug, Default, Clone)]
pub struct Rendered {
    pub html: Html,
    pub headings: Vec<Heading>,
    pub anchors: Vec<AnchorRef>,
    /// External `http(s)` links, for `check --external`.
    pub external: Vec<(String, Span)>,
    /// The site's images this text shows, by their paths under `content/`,
    /// in order (what a review of the page saw of them is fingerprinted).
    pub images: Vec<String>,
    /// The site's other files this text links to (a PDF, a data sheet), by
    /// their paths under `content/`.
    pub files: Vec<String>,
    /// The prose as plain text (no code, no citations), for search and readability.
    pub plain: String,
    /// Running prose only (paragraphs and list items: no headings, tables,
    /// code, image text or citations), blocks separated by newlines: what
    /// readability is measured on.
    pub prose: String,
    /// Source ids cited in this text, in order of first citation here.
    pub cited: Vec<String>,
    /// How many care cards (`> [!URGENT]` …) the text has.
    pub care_cards: usize,
    pub diagnostics: Vec<Diagnostic>,
}

/// Citation numbering for one page: numbers by first appearance, and where
/// each source was cited so its reference can link back.
#[derive(Debug, Default, Clone)]
pub struct Citations {
    /// Source ids in order of first citation; number = index + 1.
    pub order: Vec<String>,
    number: foldhash::HashMap<String, usize>,
    /// For each number (index), the ids of the citation groups citing it.
    pub backlinks: Vec<Vec<String>>,
    groups: usize,
    /// Glossary terms already explained on this page, in order of first use.
    pub terms_used: Vec<usize>,
    /// The same, as a set.
    terms_seen: HashSet<usize>,
    /// Prefix of group ids, so two numberings on one page never collide.
    prefix: String,
    /// Footnotes numbered on this page so far (they are lettered a, b, …).
    notes: usize,
    /// Callouts and care cards on this page so far (their labels' ids).
    blocks: usize,
    /// The care-card levels shown on this page so far, each once: the
    /// first card of each is a landmark ([`Citations::care_cards`]).
    care_levels: Vec<BlockKind>,
}

impl Citations {
    pub fn new(prefix: &str) -> Citations {
        Citations { prefix: prefix.to_string(), ..Citations::default() }
    }

    fn cite(&mut self, id: &str, group: &str) -> usize {
        let n = match self.number.get(id) {
            Some(n) => *n,
            None => {
                self.order.push(id.to_string());
                self.backlinks.push(Vec::new());
                self.number.insert(id.to_string(), self.order.len());
                self.order.len()
            }
        };
        let links = &mut self.backlinks[n - 1];
        if links.last().map(String::as_str) != Some(group) {
            links.push(group.to_string());
        }
        n
    }

    fn next_group(&mut self) -> String {
        self.groups += 1;
        format!("{}cite-{}", self.prefix, self.groups)
    }

    /// Each level of care card the page shows, once, by its marker word
    /// (`URGENT`), with what site.yaml's `cards` say on it: part of what
    /// a review of the page saw.
    pub(crate) fn care_cards<'c>(
        &self,
        cards: &'c CareCards,
    ) -> impl Iterator<Item = (&'static str, &'c crate::config::CareCard)> + use<'_, 'c> {
        self.care_levels.iter().filter_map(|kind| Some((kind.name(), kind.card(cards)?)))
    }

    /// The anchor id of reference `n` on this page.
    pub fn reference_id(&self, n: usize) -> String {
        format!("{}ref-{n}", self.prefix)
    }

    /// Once its page is written: keep what the site-wide pages and checks
    /// read (the sources in order, the terms used), drop what numbering
    /// more citations would need (the lookups, the backlinks' ids).
    pub fn written(&mut self) {
        self.number = Default::default();
        self.backlinks = Vec::new();
        self.terms_seen = HashSet::new();
        self.order.shrink_to_fit();
        self.terms_used.shrink_to_fit();
    }
}

impl Rendered {
    /// Once its page is written: drop the HTML and text, and the room the
    /// kept lists grew into (a site's worth of them stays until the end).
    pub fn written(&mut self) {
        self.html = Html::default();
        self.plain = String::new();
        self.prose = String::new();
        self.headings.shrink_to_fit();
        self.anchors.shrink_to_fit();
        self.external.shrink_to_fit();
        self.images.shrink_to_fit();
        self.files.shrink_to_fit();
        self.cited.shrink_to_fit();
        self.diagnostics.shrink_to_fit();
    }
}

/// Render `markdown` (found at `source`) to HTML: a part of a page (a FAQ
/// answer, a topic's introduction), whose footnotes are listed at its end
/// under a label rather than a heading.
pub(crate) fn render(markdown: &str, source: Source, resolver: &dyn Resolver, citations: &mut Citations) -> Rendered {
    render_text(markdown, source, resolver, citations, &[], false)
}

/// An article's body: [`render`], with heading ids kept clear of `taken`
/// too (the ids the page gives its FAQ entries), and its footnotes under
/// their own heading, "Notes".
pub(crate) fn render_around(
    markdown: &str,
    source: Source,
    resolver: &dyn Resolver,
    citations: &mut Citations,
    taken: &[String],
) -> Rendered {
    render_text(markdown, source, resolver, citations, taken, true)
}

fn render_text(
    markdown: &str,
    source: Source,
    resolver: &dyn Resolver,
    citations: &mut Citations,
    taken: &[String],
    body: bool,
) -> Rendered {
    let ids = UniqueIds::new(RESERVED_IDS.iter().map(|s| s.to_string()).chain(taken.iter().cloned()));
    let text = resolver.collect_text();
    let mut r = Renderer {
        source,
        resolver,
        citations,
        out: Rendered::default(),
        ids,
        no_terms: 0,
        in_heading: false,
        not_prose: 0,
        text,
        body,
        quotes: Vec::new(),
        notes: Notes::default(),
        in_comment: false,
        comment_at: 0,
        in_link: 0,
        html_warned: HashSet::new(),
        suggestions: Suggestions::default(),
        words: Words::default(),
    };
    let events = r.transform(markdown);
    let mut html = String::with_capacity(markdown.len() + markdown.len() / 4);
    pulldown_cmark::html::push_html(&mut html, events.into_iter().map(without_bidi_controls));
    // CommonMark replaces NUL with U+FFFD, and HTML holds no other control
    // character either; pulldown-cmark copies them
    if html.bytes().any(|b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) {
        html = html
            .chars()
            .map(|c| if c.is_control() && !matches!(c, '\t' | '\n' | '\r') { '\u{FFFD}' } else { c })
            .collect();
    }
    // every piece of input in it went through pulldown-cmark's escaping, the
    // URL policy (`link`) and the heading attribute allow-list (`heading_attrs`)
    r.out.html = Html::trusted(html);
    r.out
}

/// Classes an author may give a heading (`## Title {.no-toc}`); any other
/// class, and any attribute but `#id`, is an error.
pub(crate) const HEADING_CLASSES: &[&str] = &["no-toc", "visually-hidden", "print-only", "no-print"];

/// Ids made unique by numbering (`x`, `x-1`, `x-2` …) in time linear in
/// their number, however many share a base: each base remembers the next
/// number to try, so 40,000 headings of the same text are not 800 million
/// set look-ups. The ids are the ones a search from `-1` upwards would give.
#[derive(Debug, Default, Clone)]
pub(crate) struct UniqueIds {
    taken: foldhash::HashSet<String>,
    next: foldhash::HashMap<String, usize>,
}

impl UniqueIds {
    pub(crate) fn new(taken: impl IntoIterator<Item = String>) -> UniqueIds {
        UniqueIds { taken: taken.into_iter().collect(), next: Default::default() }
    }

    /// Take `id` as it is; false if it was taken.
    pub(crate) fn insert(&mut self, id: String) -> bool {
        self.taken.insert(id)
    }

    /// `base`, or `base-N` with the smallest free N.
    pub(crate) fn unique(&mut self, base: String) -> String {
        if !self.taken.contains(&base) {
            self.taken.insert(base.clone());
            return base;
        }
        let n = self.next.entry(base.clone()).or_insert(1);
        loop {
            let id = format!("{base}-{n}");
            *n += 1;
            if self.taken.insert(id.clone()) {
                return id;
            }
        }
    }
}

/// Ids the default theme gives its own parts of a page (every `id="…"`
/// written in its templates; a test keeps the list whole): a heading
/// never takes one, or the theme's links (the table of contents, "Skip to
/// main content", the search form's label) would lead to the heading.
pub(crate) const RESERVED_IDS: &[&str] = &[
    "about-this-page",
    "all-questions",
    "all-sources",
    "all-terms",
    "browse-title",
    "conflicts",
    "faq",
    "funding",
    "how-it-is-tested",
    "key-points-title",
    "main",
    "references",
    "report-a-barrier",
    "reviews",
    "search-form",
    "search-more",
    "search-query",
    "search-results",
    "search-status",
    "site-search",
    "sources",
    "toc-title",
    "topics-title",
    "updated-title",
    "what-changed",
];

fn options() -> CmarkOptions {
    CmarkOptions::ENABLE_TABLES
        | CmarkOptions::ENABLE_FOOTNOTES
        | CmarkOptions::ENABLE_STRIKETHROUGH
        | CmarkOptions::ENABLE_HEADING_ATTRIBUTES
        | CmarkOptions::ENABLE_GFM
}

struct Renderer<'a, 'c> {
    source: Source<'a>,
    resolver: &'a dyn Resolver,
    citations: &'c mut Citations,
    out: Rendered,
    ids: UniqueIds,
    /// Inside a heading, link or image: no glossary links there.
    no_terms: usize,
    /// Inside a heading: no citation there.
    in_heading: bool,
    /// Inside a heading, table or image: not prose.
    not_prose: usize,
    /// Collect `plain` and `prose`.
    text: bool,
    /// An article's body (footnotes under a heading), not a part of a page.
    body: bool,
    /// The block quotes open, innermost last: the callout or care card each is.
    quotes: Vec<Option<(BlockKind, bool)>>,
    notes: Notes<'a>,
    /// Inside an HTML comment that runs over several lines.
    in_comment: bool,
    /// Where the last comment opened.
    comment_at: usize,
    /// Inside a link's text: no citation there.
    in_link: usize,
    /// The HTML tags already warned about (one `raw-html` per tag and text).
    html_warned: HashSet<String>,
    /// "Did you mean" help for this text's footnotes and blocks, within a budget.
    suggestions: Suggestions,
    /// The glossary terms an article's body explains at its end.
    words: Words,
}

impl<'a> Renderer<'a, '_> {
    /// Where `dest` is written in the link or image that starts at `at`:
    /// its `(target)` in an inline link; `at` where it is written elsewhere
    /// (a reference definition, an autolink).
    /// Where the destination of the link written at `link` (its whole
    /// text) starts: found as it was read, or else (written with entities
    /// or escapes) after the link's last `](`; the link's start for one
    /// that names a reference (`[x][ref]`). Only the link's own text is
    /// searched: a later link to the same address is another place.
    fn dest_offset(&self, link: &Range<usize>, dest: &str) -> usize {
        let own = (self.source.offset + link.start)..(self.source.offset + link.end);
        let window = self.source.text.as_bytes().get(own).unwrap_or_default();
        let pattern = format!("]({dest}");
        memchr::memmem::find(window, pattern.as_bytes())
            .or_else(|| memchr::memmem::rfind(window, b"]("))
            .map_or(link.start, |i| link.start + i + 2)
    }

    fn span(&self, local: usize) -> Span {
        self.source.lines.span(self.source.file, self.source.text, self.source.offset + local)
    }

    /// The place at `local` with the caret under `written`, what is found
    /// there (not the word around it: `[@nope].` is not `@nope].`).
    fn span_over(&self, local: usize, written: &str) -> Span {
        self.span(local).with_width(written.chars().count())
    }

    /// `raw-html` for the first of each opening tag in this text.
    fn raw_html(&mut self, html: &str, at: usize) {
        let Some(start) = html.find('<') else { return };
        let tag = &html[start + 1..];
        if tag.starts_with('/') {
            return; // the opening tag was named already
        }
        let name: String = tag.chars().take_while(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase();
        if self.html_warned.contains(&name) {
            return;
        }
        let help = raw_html_help(&name);
        let shown = if name.is_empty() { "HTML".to_string() } else { format!("`<{name}>`") };
        self.out.diagnostics.push(
            Diagnostic::warning(Code::RawHtml, format!("{shown} is shown to readers as text: pages hold no HTML"))
                .with_span(self.span(at + start))
                .with_help(help),
        );
        self.html_warned.insert(name);
    }

    fn transform(&mut self, markdown: &'a str) -> Vec<Event<'a>> {
        if markdown.len() > MAX_MARKDOWN {
            let mut limit = MAX_MARKDOWN;
            while !markdown.is_char_boundary(limit) {
                limit -= 1;
            }
            self.out.diagnostics.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    format!(
                        "this text is {:.1} MiB of Markdown; at most {} MiB of one text is rendered, and it ends here",
                        markdown.len() as f64 / (1024.0 * 1024.0),
                        MAX_MARKDOWN >> 20
                    ),
                )
                .with_span(self.span(limit))
                .with_help("split it into several pages: no article needs this much, and the Markdown parser needs up to 100 times its size in memory"),
            );
            return Vec::new();
        }
        // one event for every 27-31 bytes of Markdown (the generated corpus,
        // the shipped site), rarely fewer than 24: the list is not grown
        // (and copied) a dozen times on the way
        let mut raw: Vec<(Event<'a>, Range<usize>)> = Vec::with_capacity((markdown.len() / 24).min(MAX_ELEMENTS));
        for (event, range) in Parser::new_ext(markdown, options()).into_offset_iter() {
            if raw.len() == MAX_ELEMENTS {
                self.out.diagnostics.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        format!("this text has more than {MAX_ELEMENTS} Markdown elements; here is the next one"),
                    )
                    .with_span(self.span(range.start))
                    .with_help("split it into several pages: no article needs this many, and each element costs memory to render"),
                );
                return Vec::new();
            }
            raw.push((event, range));
        }
        for (event, range) in &raw {
            if let Event::Start(Tag::FootnoteDefinition(label)) = event {
                self.notes.define(label, range.start);
            }
        }
        let mut events = Vec::with_capacity(raw.len());
        let mut i = 0;
        let mut in_code = false;
        while i < raw.len() {
            let (event, range) = &raw[i];
            // images (and figures) are written here whole, their alt text with them
            if let Some(next) = self.image(&raw, i, &mut events) {
                i = next;
                continue;
            }
            match event {
                Event::Start(Tag::CodeBlock(_)) => in_code = true,
                Event::End(TagEnd::CodeBlock) => in_code = false,
                Event::Start(Tag::Heading { .. }) => (self.no_terms, self.in_heading) = (self.no_terms + 1, true),
                Event::End(TagEnd::Heading(_)) => (self.no_terms, self.in_heading) = (self.no_terms - 1, false),
                Event::Start(Tag::Image { .. }) => self.no_terms += 1,
                Event::End(TagEnd::Image) => self.no_terms -= 1,
                Event::Start(Tag::Link { .. }) => (self.no_terms, self.in_link) = (self.no_terms + 1, self.in_link + 1),
                Event::End(TagEnd::Link) => (self.no_terms, self.in_link) = (self.no_terms - 1, self.in_link - 1),
                _ => {}
            }
            match event {
                Event::Start(Tag::Heading { .. } | Tag::Table(_) | Tag::Image { .. }) => self.not_prose += 1,
                Event::End(TagEnd::Heading(_) | TagEnd::Table | TagEnd::Image) => self.not_prose -= 1,
                Event::End(TagEnd::Paragraph | TagEnd::Item) | Event::SoftBreak | Event::HardBreak
                    if self.text && !self.out.prose.ends_with('\n') && !self.out.prose.is_empty() =>
                {
                    self.out.prose.push(if matches!(event, Event::SoftBreak) { ' ' } else { '\n' });
                }
                _ => {}
            }
            // words of separate blocks and lines must not run together in the plain text
            if self.text
                && matches!(event, Event::SoftBreak | Event::HardBreak | Event::End(_))
                && !self.out.plain.ends_with(' ')
            {
                let inline = matches!(
                    event,
                    Event::End(TagEnd::Link | TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough)
                );
                if !inline {
                    self.out.plain.push(' ');
                }
            }
            match event {
                Event::Text(_) if !in_code => {
                    let start = i;
                    while i < raw.len() && matches!(raw[i].0, Event::Text(_)) {
                        i += 1;
                    }
                    self.text_run(markdown, &raw[start..i], &mut events);
                    continue;
                }
                // an author's note to other authors: never shown to readers
                Event::Html(h) | Event::InlineHtml(h) if self.in_comment || h.trim_start().starts_with("<!--") => {
                    self.comment(h, range.start, &mut events);
                }
                // HTML is shown as the text it is (an author's or a pasted
                // source's markup never reaches readers as markup), with a
                // warning that says how to write it in Markdown
                Event::Html(h) | Event::InlineHtml(h) => {
                    self.raw_html(h, range.start);
                    // shown as text: the plain text (JSON-LD, search) says it too
                    if self.text {
                        self.out.plain.push_str(h);
                        if self.not_prose == 0 {
                            self.out.prose.push_str(h);
                        }
                    }
                    events.push(Event::Text(h.clone()));
                }
                Event::Start(Tag::Heading { level, id, classes, attrs }) => {
                    let end = raw[i..]
                        .iter()
                        .position(|(e, _)| matches!(e, Event::End(TagEnd::Heading(_))))
                        .map_or(raw.len(), |p| i + p);
                    let title = heading_text(&raw[i + 1..end]);
                    self.heading_attrs(id.as_deref(), classes, attrs, &markdown[range.clone()], range.start);
                    let explicit = id.as_deref().filter(|id| is_id(id));
                    let id = self.heading_id(explicit, &title);
                    if let Some(wanted) = explicit.filter(|wanted| !wanted.is_empty() && *wanted != id) {
                        // the author's own `(#wanted)` links would reach what holds it
                        let span = attribute_span(self.source, &markdown[range.clone()], range.start, wanted);
                        self.out.diagnostics.push(
                            Diagnostic::error(
                                Code::InvalidValue,
                                format!("heading id `{wanted}` is taken on this page, so the heading would be `{id}`"),
                            )
                            .with_span(span)
                            .with_help(
                                "the page gives that id to an earlier heading, a question, a citation or a part of \
                                 the theme (main content, the table of contents…), where a link to it would lead: \
                                 choose another, e.g. `{#safety-details}`",
                            ),
                        );
                    }
                    self.out.headings.push(Heading {
                        level: level_number(*level),
                        id: id.clone(),
                        title,
                        offset: range.start,
                        plain_offset: self.out.plain.len(),
                    });
                    events.push(Event::Start(Tag::Heading {
                        level: *level,
                        id: Some(CowStr::from(id)),
                        classes: classes.iter().filter(|c| HEADING_CLASSES.contains(&c.as_ref())).cloned().collect(),
                        attrs: Vec::new(),
                    }));
                }
                Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                    let dest = self.link(dest_url, range, *link_type);
                    events.push(Event::Start(Tag::Link {
                        link_type: *link_type,
                        dest_url: dest,
                        title: title.clone(),
                        id: id.clone(),
                    }));
                }
                Event::Start(Tag::Table(_)) => {
                    events.push(Event::Html(CowStr::from(
                        "<div class=\"table-wrap\" role=\"region\" tabindex=\"0\" aria-label=\"Table\">\n",
                    )));
                    events.push(event.clone());
                }
                Event::End(TagEnd::Table) => {
                    events.push(event.clone());
                    events.push(Event::Html(CowStr::from("</div>\n")));
                }
                Event::Start(Tag::BlockQuote(kind)) => {
                    i = self.block_quote(markdown, &raw, i, *kind, &mut events);
                    continue;
                }
                Event::End(TagEnd::BlockQuote(_)) => match self.quotes.pop().flatten() {
                    Some((kind, landmark)) => events.push(Event::Html(CowStr::Borrowed(blocks::close(kind, landmark)))),
                    None => events.push(event.clone()),
                },
                Event::FootnoteReference(label) => {
                    let html = self.note_reference(label);
                    events.push(Event::InlineHtml(CowStr::from(html)));
                }
                Event::Start(Tag::FootnoteDefinition(label)) => {
                    self.notes.open = Some((label.clone(), events.len()));
                }
                Event::End(TagEnd::FootnoteDefinition) => {
                    if let Some((label, start)) = self.notes.open.take() {
                        let body = events.split_off(start);
                        self.notes.bodies.insert(label.to_string(), body);
                    }
                }
                other => events.push(other.clone()),
            }
            i += 1;
        }
        if self.in_comment {
            // CommonMark runs a comment never closed to the end of the text:
            // everything after it would vanish from the page unseen
            self.out.diagnostics.push(
                Diagnostic::error(
                    Code::UnclosedComment,
                    "this comment is never closed: all the text after it is hidden",
                )
                .with_span(self.span(self.comment_at))
                .with_help("end the note to other authors with `-->`, or remove the `<!--`"),
            );
        }
        self.notes_section(&mut events);
        self.words_section(&mut events);
        events
    }

    /// A piece of an author's comment to other authors (`<!-- … -->`,
    /// never shown), at byte `at`: where it opens, and whether it closes.
    /// A comment opening a line makes the line an HTML block, so words
    /// after its `-->` would be lost with it: they are shown as plain text,
    /// with a warning.
    fn comment(&mut self, h: &str, at: usize, events: &mut Vec<Event<'a>>) {
        let body = if self.in_comment { h } else { &h.trim_start()[4..] };
        if !self.in_comment {
            self.comment_at = at + h.len() - body.len() - 4;
        }
        let Some(end) = body.find("-->") else {
            self.in_comment = true;
            return;
        };
        self.in_comment = false;
        let after = &body[end + 3..];
        let words = after.trim();
        if words.is_empty() {
            return;
        }
        let words_at = at + h.len() - after.len() + (after.len() - after.trim_start().len());
        self.out.diagnostics.push(
            Diagnostic::warning(Code::RawHtml, "the text after this comment, on its line, is shown as plain text")
                .with_span(self.span(words_at))
                .with_help("put the comment on a line of its own"),
        );
        events.push(Event::Start(Tag::Paragraph));
        events.push(Event::Text(CowStr::from(words.to_string())));
        events.push(Event::End(TagEnd::Paragraph));
    }

    /// A block quote starting at `raw[i]`: a callout or care card when its
    /// first line is a marker (pulldown-cmark has read GitHub's five kinds
    /// already), an error when the marker names no kind. Returns where to
    /// go on.
    fn block_quote(
        &mut self,
        markdown: &str,
        raw: &[(Event<'a>, Range<usize>)],
        i: usize,
        gfm: Option<pulldown_cmark::BlockQuoteKind>,
        events: &mut Vec<Event<'a>>,
    ) -> usize {
        let range = raw[i].1.clone();
        let mut paragraph = false;
        let (kind, next) = match gfm {
            Some(kind) => (Some(BlockKind::from_gfm(kind)), i + 1),
            None => match blocks::marker(&markdown[range.clone()]) {
                None => (None, i + 1),
                Some(m) => match BlockKind::parse(m.word).filter(|_| m.alone) {
                    Some(kind) => {
                        let (next, goes_on) = skip_marker(raw, i + 1, range.start + m.range.end);
                        paragraph = goes_on;
                        (Some(kind), next)
                    }
                    None => {
                        let message = match BlockKind::parse(m.word) {
                            Some(_) => format!("`[!{}]` must be alone on the first line of the quote", m.word),
                            None => format!("`[!{}]` is not a kind of block", m.word),
                        };
                        let mut d = Diagnostic::error(Code::UnknownBlock, message)
                            .with_span(self.span(range.start + m.range.start));
                        let names = BlockKind::ALL.map(BlockKind::name);
                        d = match (BlockKind::parse(m.word), nearest(&m.word.to_ascii_uppercase(), names)) {
                            (None, Some(n)) => {
                                d.with_help(format!("did you mean `[!{n}]`? The kinds are {}", blocks::known()))
                            }
                            (None, None) => d.with_help(format!("the kinds are {}", blocks::known())),
                            (Some(_), _) => d.with_help(format!(
                                "write the marker on its own line, the text on the next lines; the kinds are {}",
                                blocks::known()
                            )),
                        };
                        self.out.diagnostics.push(d);
                        (None, i + 1)
                    }
                },
            },
        };
        // a marker and nothing else: a card that says "get help now if:" and lists nothing
        if let Some(kind) = kind
            && !paragraph
            && matches!(raw.get(next), Some((Event::End(TagEnd::BlockQuote(_)), _)))
        {
            self.out.diagnostics.push(
                Diagnostic::error(Code::InvalidValue, format!("this `[!{}]` block has nothing in it", kind.name()))
                    .with_span(self.span(range.start))
                    .with_help("write what it says on the lines after the marker, each starting `> `, or remove it"),
            );
        }
        let mut landmark = false;
        if let Some(kind) = kind.filter(|k| k.is_care_card()) {
            self.out.care_cards += 1;
            landmark = !self.citations.care_levels.contains(&kind);
            if landmark {
                self.citations.care_levels.push(kind);
            }
        }
        self.quotes.push(kind.map(|k| (k, landmark)));
        match kind {
            Some(kind) => {
                self.citations.blocks += 1;
                let id = format!("{}block_{}", self.citations.prefix, self.citations.blocks);
                let html = blocks::open(kind, &id, &self.resolver.care_cards(), landmark);
                events.push(Event::Html(CowStr::from(html)));
                if paragraph {
                    events.push(Event::Start(Tag::Paragraph));
                }
            }
            None => events.push(raw[i].0.clone()),
        }
        next
    }

    /// `{#id .class}` after a heading: an id of letters, digits, `-` and
    /// `_`, classes from [`HEADING_CLASSES`], and nothing else (`onfocus=…`
    /// would run script). Each refusal names what was written.
    fn heading_attrs(
        &mut self,
        id: Option<&str>,
        classes: &[CowStr],
        attrs: &[(CowStr, Option<CowStr>)],
        written: &str,
        at: usize,
    ) {
        let source = self.source;
        let place = |name: &str| attribute_span(source, written, at, name);
        if let Some(id) = id.filter(|id| !is_id(id)) {
            let span = place(id);
            self.out.diagnostics.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    format!("heading id `{id}` may hold only letters, digits, `-` and `_`"),
                )
                .with_span(span)
                .with_help("write it as `{#my-section}`"),
            );
        }
        for class in classes.iter().filter(|c| !HEADING_CLASSES.contains(&c.as_ref())) {
            let span = place(class);
            self.out.diagnostics.push(
                Diagnostic::error(Code::InvalidValue, format!("heading class `{class}` is not one a heading may have"))
                    .with_span(span)
                    .with_help(format!("allowed classes: {}", HEADING_CLASSES.join(", "))),
            );
        }
        for (name, _) in attrs {
            let span = place(name);
            self.out.diagnostics.push(
                Diagnostic::error(Code::InvalidValue, format!("heading attribute `{name}` is not allowed"))
                    .with_span(span)
                    .with_help("a heading may have an `{#id}` and classes; other attributes are left out of pages"),
            );
        }
    }

    fn heading_id(&mut self, explicit: Option<&str>, title: &str) -> String {
        let base = match explicit {
            Some(id) if !id.is_empty() => id.to_string(),
            _ => slugify(title),
        };
        // the ids of citations, references, notes and blocks (`cite-1`,
        // `ref-1`, `fn_a`, `block_1`) stay theirs; the words section's
        // entries take theirs after the headings, through `ids`
        let base = if is_generated(&base) { format!("{base}-section") } else { base };
        let base = if base.is_empty() { "section".to_string() } else { base };
        self.ids.unique(base)
    }

    fn link(&mut self, dest: &CowStr<'a>, at: &Range<usize>, link_type: LinkType) -> CowStr<'a> {
        let (href, _, asset) = self.resolve(dest, at, link_type);
        self.out.files.extend(asset);
        href
    }

    /// A link or image destination as the page writes it, with the size of
    /// the image it names when the site has it and the file it names when
    /// that is one of the site's (not a page).
    fn resolve(
        &mut self,
        dest: &CowStr<'a>,
        at: &Range<usize>,
        link_type: LinkType,
    ) -> (CowStr<'a>, Option<(u32, u32)>, Option<String>) {
        // what is said about the destination points at the destination;
        // found only when something is said (most links need no position)
        // (the caret under the destination as written, when it is written
        // as read; not under the `)` after it)
        let target = |this: &Self| {
            let offset = this.dest_offset(at, dest);
            let text = this.source.text.get(this.source.offset + offset..).unwrap_or_default();
            let span = this.span(offset);
            let width = dest.chars().count().max(1);
            let bracketed =
                text.strip_prefix('<').and_then(|t| t.strip_prefix(dest.as_ref())).is_some_and(|t| t.starts_with('>'));
            match () {
                _ if text.starts_with(dest.as_ref()) => span.with_width(width),
                // `<dose chart.png>`: the brackets are part of what is written
                _ if bracketed => span.with_width(width + 2),
                _ => span,
            }
        };
        if let Err(why) = check_url(dest) {
            let help = match &why {
                crate::html::UnsafeUrl::NoNumber(scheme) => {
                    format!("write the number after `{scheme}:`, e.g. `{scheme}:988`")
                }
                _ => "a link may use http, https, mailto, tel or sms, or point to a file of this site".to_string(),
            };
            self.out.diagnostics.push(
                Diagnostic::error(Code::UnsafeUrl, format!("unsafe link `{}`: {why}", dest.escape_debug()))
                    .with_span(target(self))
                    .with_help(help),
            );
            return (CowStr::Borrowed("#"), None, None);
        }
        if matches!(link_type, LinkType::Email) || is_external(dest) {
            if dest.starts_with("http://") || dest.starts_with("https://") {
                let span = target(self);
                self.out.external.push((dest.to_string(), span));
            }
            return (dest.clone(), None, None);
        }
        match self.resolver.link(dest) {
            Ok(link) => {
                if let Some((page, fragment)) = link.anchor {
                    let span = target(self);
                    self.out.anchors.push(AnchorRef { page, fragment, span });
                }
                (CowStr::from(link.href), link.size, link.asset)
            }
            Err(err) => {
                let d = match err {
                    LinkError::Broken(m, help) => Diagnostic::error(Code::BrokenLink, m).with_help(help),
                    LinkError::Unsafe(m) => Diagnostic::error(Code::UnsafePath, m)
                        .with_help("link to a file inside content/, relative to this page"),
                };
                self.out.diagnostics.push(d.with_span(target(self)));
                (dest.clone(), None, None)
            }
        }
    }

    /// An image at `raw[i]`, or a figure (a paragraph holding only an image
    /// with a title, the title its caption), written whole: `<img>` with
    /// the width and height of its file, so the page does not move as it
    /// loads. Returns the index past it; `None` if `raw[i]` is neither.
    fn image(&mut self, raw: &[(Event<'a>, Range<usize>)], i: usize, events: &mut Vec<Event<'a>>) -> Option<usize> {
        let end_of = |from: usize| {
            raw[from..].iter().position(|(e, _)| matches!(e, Event::End(TagEnd::Image))).map_or(raw.len(), |p| from + p)
        };
        let (start, figure) = match &raw[i].0 {
            Event::Start(Tag::Image { .. }) => (i, false),
            Event::Start(Tag::Paragraph) => match raw.get(i + 1) {
                Some((Event::Start(Tag::Image { title, .. }), _)) if !title.trim().is_empty() => {
                    let end = end_of(i + 1);
                    match raw.get(end + 1) {
                        Some((Event::End(TagEnd::Paragraph), _)) => (i + 1, true),
                        _ => return None,
                    }
                }
                _ => return None,
            },
            _ => return None,
        };
        let (Event::Start(Tag::Image { link_type, dest_url, title, .. }), range) = &raw[start] else { return None };
        let end = end_of(start);
        let alt = heading_text(&raw[start + 1..end.min(raw.len())]);
        if crate::text::trim_invisible(&alt).is_empty() {
            // an error in `check`; `build` publishes the image as decoration
            self.out.diagnostics.push(
                Diagnostic::warning(Code::ImageAltMissing, "an image without alt text")
                    .with_span(self.span(range.start))
                    .with_help("describe what the image shows: `![Blood pressure over 2 hours](bp.svg)`"),
            );
        }
        let (src, size) = if is_external(dest_url) && check_url(dest_url).is_ok() {
            // fetched by every reader's browser from that host: who reads this page, told to another site
            let span = self.span(self.dest_offset(range, dest_url));
            self.out.diagnostics.push(
                Diagnostic::error(
                    Code::UnsafeUrl,
                    format!(
                        "image `{}` is on another site: each reader's browser would ask that site for it, \
                         telling it who reads this page",
                        dest_url.escape_debug()
                    ),
                )
                .with_span(span)
                .with_help(
                    "save the image beside the article (with its owner's permission) and write `![…](chart.png)`, \
                     or link to it: `[the chart](https://…)`",
                ),
            );
            (CowStr::Borrowed("#"), None)
        } else {
            let (src, size, asset) = self.resolve(dest_url, range, *link_type);
            self.out.images.extend(asset);
            (src, size)
        };
        let mut html = String::with_capacity(64 + src.len() + alt.len() + title.len());
        if figure {
            html.push_str("<figure>\n");
        }
        html.push_str("<img src=\"");
        let _ = pulldown_cmark_escape::escape_href(&mut html, &src);
        let _ = write!(html, "\" alt=\"{}\"", escape(&alt));
        if !figure && !title.is_empty() {
            let _ = write!(html, " title=\"{}\"", escape(title));
        }
        if let Some((w, h)) = size {
            let _ = write!(html, " width=\"{w}\" height=\"{h}\"");
        }
        html.push('>');
        if self.text {
            self.out.plain.push_str(&alt);
            self.out.plain.push(' ');
        }
        if figure {
            let _ = write!(html, "\n<figcaption>{}</figcaption>\n</figure>\n", escape(title));
            if self.text {
                self.out.plain.push_str(title);
                self.out.plain.push(' ');
            }
            events.push(Event::Html(CowStr::from(html)));
            return Some(end + 2);
        }
        events.push(Event::InlineHtml(CowStr::from(html)));
        Some(end + 1)
    }

    /// A run of adjacent text events: find citations, references to
    /// footnotes that do not exist, and chatbot artefacts.
    fn text_run(&mut self, markdown: &str, run: &[(Event<'a>, Range<usize>)], events: &mut Vec<Event<'a>>) {
        // (offset in `text`, offset in markdown) for each piece, to map back
        let mut starts = Vec::with_capacity(run.len());
        let mut len = 0;
        for (event, range) in run {
            if let Event::Text(t) = event {
                let exact = markdown.get(range.clone()) == Some(t.as_ref());
                starts.push((len, range.start, exact));
                len += t.len();
            }
        }
        // most runs are one piece, borrowed from the Markdown: not copied
        let text: CowStr<'a> = match run {
            [(Event::Text(t), _)] => t.clone(),
            _ => CowStr::from(
                run.iter()
                    .filter_map(|(e, _)| if let Event::Text(t) = e { Some(t.as_ref()) } else { None })
                    .collect::<String>(),
            ),
        };
        // a binary search: a run of thousands of pieces (citations on one
        // line) has a position found for each
        let locate = |pos: usize| -> usize {
            let piece = starts.partition_point(|(t0, _, _)| *t0 <= pos).checked_sub(1);
            let (t0, m0, exact) = piece.map_or((0, 0, false), |i| starts[i]);
            if exact { m0 + (pos - t0) } else { m0 }
        };
        self.artifacts(&text, &locate);
        self.missing_notes(&text, &locate);
        // `\@`: the `@` is at its place in the Markdown, after a backslash
        let escaped = |pos: usize| {
            let at = locate(pos);
            at > 0 && markdown.as_bytes().get(at) == text.as_bytes().get(pos) && markdown.as_bytes()[at - 1] == b'\\'
        };
        self.citations_without_at(&text, &locate, &escaped);
        let mut last = 0;
        for (range, found) in cite::side_by_side_as_one(&text, cite::find(&text, &escaped)) {
            let items = match found {
                Found::Bracket(items) => items,
                Found::Narrative(item) => {
                    // no markup in a heading, a link's text or an image's alt
                    if self.no_terms == 0 && self.known_source(&item.id, locate(item.at), true) {
                        self.push_text(slice(&text, last..range.start), events);
                        self.narrative(&item, events);
                        last = range.end;
                    }
                    continue;
                }
                Found::Malformed(at) => {
                    self.out.diagnostics.push(
                        Diagnostic::error(
                            Code::MalformedCitation,
                            format!("`{}` cannot be read as a citation", &text[range.clone()]),
                        )
                        .with_span(self.span_over(locate(at), &text[at..range.end]))
                        .with_help(
                            "write `[@id]`, `[@a; @b]` or `[see @id, p. 5]` (a comma before the page); \
                             escape an `@` that is not a citation as `\\@`",
                        ),
                    );
                    continue;
                }
                Found::NoId(at) => {
                    let written = &text[range.clone()];
                    let mut shown: String = written.chars().take(60).collect();
                    if shown.len() < written.len() {
                        shown.push('…');
                    }
                    let help = match cite::meant_id(written) {
                        Some(id) => format!("write the id right after one `@`: `[@{id}]`"),
                        None => "write the source's id right after the `@`, e.g. `[@smith2020]`".to_string(),
                    };
                    self.out.diagnostics.push(
                        Diagnostic::error(
                            Code::MalformedCitation,
                            format!(
                                "`{shown}` is a citation with no id after its `@`: the page would show it as typed"
                            ),
                        )
                        .with_span(self.span_over(locate(at), &text[at..range.end]))
                        .with_help(help),
                    );
                    continue;
                }
                Found::Unclosed(at) => {
                    let written: String = text[range.clone()].chars().take(60).collect();
                    self.out.diagnostics.push(
                        Diagnostic::error(
                            Code::MalformedCitation,
                            format!("`{}…` is a citation whose `]` is not in the same plain text", written.trim_end()),
                        )
                        .with_span(self.span(locate(at)))
                        .with_help(
                            "write a citation's brackets on one line with no emphasis, code or link inside, \
                             e.g. `[@id, p. 5]`; it was shown as an author's name between a stray `[` and `]`",
                        ),
                    );
                    continue;
                }
            };
            if self.in_heading {
                // the contents, search results and the heading's id take its
                // words as written: `Results [@id]`, `#results-id`
                self.out.diagnostics.push(
                    Diagnostic::error(Code::MalformedCitation, format!("`{}` is in a heading", &text[range.clone()]))
                        .with_span(self.span_over(locate(range.start), &text[range.clone()]))
                        .with_help("cite in the text under the heading: a heading's words are also the page's contents and its search results"),
                );
                continue;
            }
            if self.in_link > 0 {
                // its number links to the reference: a link inside a link,
                // which a browser takes apart (the rest of the text falls out)
                self.out.diagnostics.push(
                    Diagnostic::error(
                        Code::MalformedCitation,
                        format!("`{}` is inside a link's text", &text[range.clone()]),
                    )
                    .with_span(self.span_over(locate(range.start), &text[range.clone()]))
                    .with_help("put the citation after the link: `[the trial](https://…) [@id]`"),
                );
                continue;
            }
            // AMA superscripts sit directly on the word they follow
            let before = text[last..range.start].trim_end_matches([' ', '\t']);
            self.push_text(slice(&text, last..last + before.len()), events);
            let html = self.citation(&items, &locate);
            last = range.end;
            // AMA: superscripts go outside periods and commas (not after a
            // colon: "Sources: [@a]." keeps its citation before the period)
            let after_word = !before.ends_with([':', ';']);
            if let Some(p) = text[last..].chars().next().filter(|c| matches!(c, '.' | ',') && after_word) {
                events.push(Event::Text(CowStr::from(p.to_string())));
                if self.text {
                    self.out.plain.push(p);
                }
                last += 1;
            }
            events.push(Event::InlineHtml(CowStr::from(html)));
        }
        if last < text.len() {
            let rest = if last == 0 { text } else { slice(&text, last..text.len()) };
            self.push_text(rest, events);
        }
    }

    /// Plain text, with the first use of each glossary term linked to its definition.
    fn push_text(&mut self, text: CowStr<'a>, events: &mut Vec<Event<'a>>) {
        if text.is_empty() {
            return;
        }
        if self.text {
            self.out.plain.push_str(&text);
            if self.not_prose == 0 {
                self.out.prose.push_str(&text);
            }
        }
        let matches = match self.resolver.terms() {
            Some(m) if self.no_terms == 0 => m.find(&text, &self.citations.terms_seen),
            _ => Vec::new(),
        };
        if matches.is_empty() {
            events.push(Event::Text(text));
            return;
        }
        let mut last = 0;
        for (range, term) in matches {
            if range.start > last {
                events.push(Event::Text(slice(&text, last..range.start)));
            }
            let html = self.term_link(term, &text[range.clone()]);
            events.push(Event::InlineHtml(CowStr::from(html)));
            self.citations.terms_used.push(term);
            self.citations.terms_seen.insert(term);
            last = range.end;
        }
        if last < text.len() {
            events.push(Event::Text(slice(&text, last..text.len())));
        }
    }

    /// `[anand2023]` (or `[a; b]`, within [`MAX_BARE_CITATION`] bytes)
    /// where every id is a source's: a
    /// citation written without its `@`, which would reach readers as the
    /// bracketed id. Brackets written `\[…]` are text, as meant.
    fn citations_without_at(&mut self, text: &str, locate: &dyn Fn(usize) -> usize, escaped: &dyn Fn(usize) -> bool) {
        for open in memchr::memchr_iter(b'[', text.as_bytes()) {
            let rest = &text[open + 1..];
            let Some(close) = rest.bytes().take(MAX_BARE_CITATION).position(|b| b == b']') else { continue };
            let ids = &rest[..close];
            let pieces: Vec<&str> = ids.split(';').map(str::trim).collect();
            if ids.trim().is_empty() || escaped(open) || !pieces.iter().all(|id| self.resolver.has_source(id)) {
                continue;
            }
            let with_at = pieces.iter().map(|id| format!("@{id}")).collect::<Vec<_>>().join("; ");
            self.out.diagnostics.push(
                Diagnostic::error(Code::MalformedCitation, format!("`[{ids}]` is a citation without its `@`"))
                    .with_span(self.span(locate(open)).with_width(ids.chars().count() + 2))
                    .with_help(format!("write `[{with_at}]`; brackets meant as text are written `\\[{ids}]`")),
            );
        }
    }

    fn artifacts(&mut self, text: &str, locate: &dyn Fn(usize) -> usize) {
        const OPEN: &[u8] = "【".as_bytes();
        let bytes = text.as_bytes();
        for i in memchr::memchr_iter(OPEN[0], bytes).filter(|&i| bytes[i..].starts_with(OPEN)) {
            let end = text[i..].find('】').map_or(text.len(), |e| i + e + '】'.len_utf8());
            self.out.diagnostics.push(
                Diagnostic::warning(
                    Code::CitationArtifact,
                    format!("leftover chatbot citation marker `{}`", &text[i..end]),
                )
                .with_span(self.span_over(locate(i), &text[i..end]))
                .with_help("replace it with a real citation such as `[@anand2023]`, or delete it"),
            );
        }
    }

    /// The marker of a citation in brackets: its numbers as superscript
    /// links to the references, each prefix and locator with its number.
    fn citation(&mut self, items: &[CiteItem], locate: &dyn Fn(usize) -> usize) -> String {
        let group = self.citations.next_group();
        let mut numbers: Vec<cite::Numbered> = Vec::new();
        for item in items {
            if !self.known_source(&item.id, locate(item.at), false) {
                continue;
            }
            numbers.push((self.citations.cite(&item.id, &group), item.prefix.clone(), item.locator.clone()));
        }
        if numbers.is_empty() {
            return String::from("<sup class=\"citation citation-unknown\">?</sup>");
        }
        self.marker(&group, &numbers)
    }

    fn marker(&self, group: &str, numbers: &[cite::Numbered]) -> String {
        let mut html = format!("<sup class=\"citation\" id=\"{group}\">");
        for (k, part) in cite::collapse(numbers).iter().enumerate() {
            if k > 0 {
                html.push(',');
            }
            if let Part::One(_, Some(prefix), _) = part {
                let _ = write!(html, "<span class=\"cite-prefix\">{} </span>", escape(prefix));
            }
            // the label and number written straight into the marker, not made first
            let _ = match part {
                Part::One(n, ..) => {
                    let id = self.citations.reference_id(*n);
                    write!(html, "<a href=\"#{id}\" aria-label=\"Reference {n}\">{n}</a>")
                }
                Part::Range(a, b) => {
                    let id = self.citations.reference_id(*a);
                    write!(html, "<a href=\"#{id}\" aria-label=\"References {a}-{b}\">{a}-{b}</a>")
                }
            };
            if let Part::One(_, _, Some(loc)) = part {
                let _ = write!(html, "<span class=\"locator\">({})</span>", escape(loc));
            }
        }
        html.push_str("</sup>");
        html
    }

    /// Whether `id` names a source; if not, an `unknown-source` error at
    /// `at` (the `@`), with the nearest id.
    fn known_source(&mut self, id: &str, at: usize, narrative: bool) -> bool {
        if self.resolver.has_source(id) {
            if !self.out.cited.iter().any(|c| c == id) {
                self.out.cited.push(id.to_string());
            }
            return true;
        }
        if self.resolver.source_failed(id) {
            return false; // follows from the source's own error, reported where it is
        }
        let mut d = Diagnostic::error(Code::UnknownSource, format!("no source with id `{id}`"))
            .with_span(self.span_over(at, &format!("@{id}")));
        let escape_hint = if narrative { "; an `@` that is not a citation is written `\\@`" } else { "" };
        d = match self.resolver.suggest_source(id) {
            Some(s) => d.with_help(format!("did you mean `{s}`?{escape_hint}")),
            None => d.with_help(format!("add it to content/sources.yaml, or to the article's `sources:`{escape_hint}")),
        };
        self.out.diagnostics.push(d);
        false
    }

    /// `@id` (a known source) in running text: the source's authors as the
    /// style names them, then its number ("Anand et al.¹").
    fn narrative(&mut self, item: &CiteItem, events: &mut Vec<Event<'a>>) {
        let group = self.citations.next_group();
        let n = self.citations.cite(&item.id, &group);
        let name = self.resolver.narrative(&item.id).unwrap_or_else(|| item.id.clone());
        if self.text {
            self.out.plain.push_str(&name);
            if self.not_prose == 0 {
                self.out.prose.push_str(&name);
            }
        }
        let marker = self.marker(&group, &[(n, None, item.locator.clone())]);
        events.push(Event::Text(CowStr::from(name)));
        events.push(Event::InlineHtml(CowStr::from(marker)));
    }
}

/// Part of a text: borrowed from the same Markdown when the text is.
fn slice<'a>(text: &CowStr<'a>, range: Range<usize>) -> CowStr<'a> {
    match text {
        CowStr::Borrowed(s) => CowStr::Borrowed(&s[range]),
        owned => CowStr::from(owned[range].to_string()),
    }
}

/// After the start of a block quote whose marker ends at `end`, at `raw[j]`:
/// the index past the marker's text (and past its paragraph, when the
/// marker was all it held), and whether that paragraph goes on (its start
/// must still be written).
fn skip_marker(raw: &[(Event, Range<usize>)], j: usize, end: usize) -> (usize, bool) {
    if !matches!(raw.get(j), Some((Event::Start(Tag::Paragraph), _))) {
        return (j, false);
    }
    let mut k = j + 1;
    while matches!(raw.get(k), Some((Event::Text(_), r)) if r.end <= end) {
        k += 1;
    }
    if matches!(raw.get(k), Some((Event::SoftBreak | Event::HardBreak, _))) {
        k += 1;
    }
    match raw.get(k) {
        Some((Event::End(TagEnd::Paragraph), _)) => (k + 1, false),
        _ => (k, true),
    }
}

/// The longest `[…]` read as a citation written without its `@`.
const MAX_BARE_CITATION: usize = 200;

/// The most Markdown elements (events: a paragraph's start, a run of text,
/// an emphasis's end…) one text may have. Rendering holds each twice, with
/// its place, at about 200 bytes: a 16 MiB page of `**a** ` took 3 GB. The
/// longest article of the shipped site has about 500; 500,000 is a page
/// of 1.5 MB written as densely as Markdown can be, or about 150 MB to
/// render.
pub(crate) const MAX_ELEMENTS: usize = 500_000;

/// The most Markdown one text may have, in bytes: the parser builds its
/// tree of the whole text first, at up to 100 bytes a byte (1.5 GB for a
/// 16 MiB page of `**a** `); no article comes near 2 MiB.
pub(crate) const MAX_MARKDOWN: usize = 2 << 20;

/// Where `name` is written in a heading's `{…}` attributes (the heading
/// `written` at byte `at` of the Markdown): the caret goes under it.
fn attribute_span(source: Source, written: &str, at: usize, name: &str) -> Span {
    let braces = written.rfind('{').unwrap_or(0);
    let local = at + written[braces..].find(name).map_or(0, |i| braces + i);
    source.lines.span(source.file, source.text, source.offset + local).with_width(name.chars().count())
}

fn heading_text(events: &[(Event, Range<usize>)]) -> String {
    let mut s = String::new();
    for (e, _) in events {
        match e {
            Event::Text(t) | Event::Code(t) => s.push_str(t),
            Event::SoftBreak | Event::HardBreak => s.push(' '),
            _ => {}
        }
    }
    s.trim().to_string()
}

fn level_number(level: HeadingLevel) -> u8 {
    level as u8
}

/// Whether `id` has the shape of an id the renderer gives footnotes, their
/// references and blocks' labels (`fn_a`, `fnref_a_1`, `block_1`). A
/// heading's id made from its text never has an `_`; one an author writes
/// could.
fn is_generated(id: &str) -> bool {
    let numbered = |prefix: &str| {
        id.strip_prefix(prefix).is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit() || b == b'-'))
    };
    ["fn_", "fnref_", "block_"].iter().any(|p| id.starts_with(p)) || ["cite-", "ref-"].into_iter().any(numbered)
}

/// An id an author may give a heading.
fn is_id(id: &str) -> bool {
    !id.is_empty() && id.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_'))
}

fn is_external(dest: &str) -> bool {
    let scheme = dest.split_once(':').map(|(s, _)| s);
    matches!(scheme, Some(s) if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')) && s.len() > 1)
}

/// A text or code event with its bidirectional controls replaced, as
/// [`crate::html::escape`] replaces them in every other text: pulldown-cmark
/// writes these events' HTML with its own escaping.
fn without_bidi_controls(event: Event<'_>) -> Event<'_> {
    use crate::html::without_bidi_controls as replaced;
    match event {
        Event::Text(t) => Event::Text(replaced(&t).map_or(t, CowStr::from)),
        Event::Code(t) => Event::Code(replaced(&t).map_or(t, CowStr::from)),
        other => other,
    }
}

/// Whether `text` holds a citation in brackets (`[@id]`, or brackets with
/// an `@id` that cannot be read), as Markdown would take it: for the texts
/// shown as written, where one would reach readers as typed.
pub(crate) fn holds_citation(text: &str) -> bool {
    text.contains('@')
        && cite::find(text, &|_| false).iter().any(|(_, found)| !matches!(found, cite::Found::Narrative(_)))
}

/// A heading's stable id: lowercase words joined by `-`.
pub(crate) fn slugify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut dash = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            // ASCII without the case-mapping iterator: ids and tag
            // addresses are made for every heading and tag at each build
            if c.is_ascii() {
                out.push(c.to_ascii_lowercase());
            } else {
                out.extend(c.to_lowercase());
            }
        } else {
            dash = true;
        }
    }
    out
}

/// How to write in Markdown what an author wrote as HTML tag `name`.
fn raw_html_help(name: &str) -> String {
    let how = match name {
        "b" | "strong" => "for bold, write `**words**`",
        "i" | "em" => "for italics, write `*words*`",
        "br" => "for a line break, end the line with `\\`; for a new paragraph, leave a blank line",
        "p" => "separate paragraphs with a blank line",
        "a" => "for a link, write `[text](https://…)` or `[text](../topic/page.md)`",
        "img" => "for an image, write `![what it shows](file.png \"caption\")`",
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => "for a heading, start the line with `##` (`###` below it)",
        "ul" | "ol" | "li" => "for a list, start each line with `- ` or `1. `",
        "table" | "tr" | "td" | "th" | "thead" | "tbody" => {
            "for a table, write rows as `| a | b |` under a `| --- | --- |` line"
        }
        "sup" | "sub" => "for a reference, cite `[@id]`; for a note, write a footnote `[^a]`",
        "div" | "span" | "aside" | "section" | "details" | "summary" => {
            "for a note or a warning, use a callout: `> [!NOTE]` on a line of its own, then `> ` before each line"
        }
        "script" | "iframe" | "style" | "object" | "embed" | "form" => {
            "pages run no scripts and embed nothing from other sites"
        }
        "" => "write it in Markdown",
        _ => "write it in Markdown (README \"Author's guide\")",
    };
    how.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every id the default theme writes is one a heading never takes, and
    /// the list holds no other: a template's new section cannot be taken
    /// over by an author's heading of the same words unnoticed.
    #[test]
    fn reserved_ids_are_exactly_the_default_theme_s_own() {
        let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates");
        let mut ids = std::collections::BTreeSet::new();
        for entry in std::fs::read_dir(folder).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            for (at, _) in text.match_indices(" id=\"") {
                let value = &text[at + 5..];
                let value = &value[..value.find('"').unwrap()];
                if !value.contains("{{") {
                    ids.insert(value.to_string());
                }
            }
        }
        assert_eq!(ids.iter().map(String::as_str).collect::<Vec<_>>(), RESERVED_IDS);
    }

    /// A shorter term is never found inside a longer one's words, even
    /// where the longer term is not linked (it was: with a plural alias
    /// found first, "NMDA" was linked inside the first "NMDA receptor",
    /// with the short term's definition).
    #[test]
    fn a_shorter_term_is_never_linked_inside_a_longer_one() {
        let m = TermMatcher::new([
            (vec!["NMDA".to_string()], "short".to_string()),
            (vec!["NMDA receptor".to_string(), "NMDA receptors".to_string()], "long".to_string()),
        ]);
        let text = "The NMDA receptor and NMDA receptors are here. Then NMDA alone.";
        assert_eq!(m.find(text, &HashSet::new()), [(4..17, 1), (52..56, 0)]);
        // the long term linked earlier on the page: its words still hold it
        assert_eq!(m.find("The NMDA receptor, then NMDA.", &[1].into_iter().collect()), [(24..28, 0)]);
    }

    #[test]
    fn glossary_terms_found_in_one_pass_are_the_ones_each_name_in_turn_finds() {
        let terms = [
            (vec!["NMDA receptor".to_string(), "NMDA".to_string()], "a".to_string()),
            (vec!["receptor".to_string(), "receptors".to_string()], "b".to_string()),
            (vec!["NMDA receptors x".to_string()], "f".to_string()),
            (vec!["ab ab".to_string()], "c".to_string()),
            (vec!["é a".to_string(), "a".to_string()], "d".to_string()),
            (vec!["blood pressure".to_string(), "BP".to_string()], "e".to_string()),
        ];
        let m = TermMatcher::new(terms);
        let words = ["NMDA", "receptor", "receptors", "ab", "é", "a", "blood", "pressure", "BP", "x", "nmda", "-", ","];
        let mut state = 11u32;
        for _ in 0..3_000 {
            let mut text = String::new();
            for _ in 0..1 + (state >> 28) as usize {
                state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                text.push_str(words[(state >> 16) as usize % words.len()]);
                text.push(if state & 1 == 0 { ' ' } else { 'é' });
            }
            let used: HashSet<usize> = if state & 2 == 0 { HashSet::new() } else { [1].into_iter().collect() };
            assert_eq!(m.find(&text, &used), m.find_each(&text, &used), "{text:?}");
        }
    }

    #[test]
    fn unique_ids_are_the_ones_a_search_from_one_upwards_gives() {
        // the simple way, as ids were made before: try base, base-1, base-2 …
        fn simple(taken: &mut HashSet<String>, base: &str) -> String {
            let mut id = base.to_string();
            let mut n = 1;
            while !taken.insert(id.clone()) {
                id = format!("{base}-{n}");
                n += 1;
            }
            id
        }
        let bases = ["a", "a-1", "a-2", "b", "a-1-1", "section", "a"];
        let mut fast = UniqueIds::new(["a-3".to_string()]);
        let mut slow: HashSet<String> = ["a-3".to_string()].into_iter().collect();
        let mut state = 7u32;
        for _ in 0..2_000 {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let base = bases[(state >> 16) as usize % bases.len()];
            assert_eq!(fast.unique(base.to_string()), simple(&mut slow, base));
        }
    }

    struct Known(Vec<String>);
    impl Resolver for Known {
        fn link(&self, dest: &str) -> Result<ResolvedLink, LinkError> {
            Ok(ResolvedLink { href: dest.to_string(), anchor: None, size: None, asset: None })
        }
        fn has_source(&self, id: &str) -> bool {
            self.0.iter().any(|k| k == id)
        }
        fn suggest_source(&self, _: &str) -> Option<String> {
            None
        }
    }

    fn render_str(md: &str, known: &[&str], citations: &mut Citations) -> Rendered {
        let resolver = Known(known.iter().map(|s| s.to_string()).collect());
        render(md, Source { file: "a.md", text: md, offset: 0, lines: &Lines::default() }, &resolver, citations)
    }

    /// A small deterministic generator, so the property runs the same everywhere.
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self, n: usize) -> usize {
            self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((self.0 >> 33) as usize) % n
        }
    }

    #[test]
    fn citation_numbers_follow_first_appearance_and_are_stable() {
        let ids = ["a1", "b2", "c3", "d4", "e5", "f6", "g7"];
        let mut rng = Lcg(42);
        for _ in 0..300 {
            let groups: Vec<Vec<&str>> = (0..1 + rng.next(8))
                .map(|_| (0..1 + rng.next(3)).map(|_| ids[rng.next(ids.len())]).collect())
                .collect();
            let md: String = groups
                .iter()
                .map(|g| format!("Claim [{}].\n\n", g.iter().map(|id| format!("@{id}")).collect::<Vec<_>>().join("; ")))
                .collect();
            let mut expected: Vec<&str> = Vec::new();
            for id in groups.iter().flatten() {
                if !expected.contains(id) {
                    expected.push(id);
                }
            }
            let mut first = Citations::new("");
            let out = render_str(&md, &ids, &mut first);
            assert_eq!(first.order, expected, "{md}");
            assert!(out.diagnostics.is_empty());
            // every group's links point at the numbers of its ids
            for (g, group) in groups.iter().enumerate() {
                for id in group {
                    let n = expected.iter().position(|e| e == id).unwrap() + 1;
                    assert!(first.backlinks[n - 1].contains(&format!("cite-{}", g + 1)), "{md}");
                }
            }
            let mut again = Citations::new("");
            assert_eq!(render_str(&md, &ids, &mut again).html, out.html, "rendering is stable");
        }
    }

    #[test]
    fn grouped_numbers_collapse_and_punctuation_moves_outside() {
        let mut c = Citations::new("");
        let out =
            render_str("One [@a1]; two [@b2] and all [@c3; @a1; @b2]. Loc [@a1, p. 5],", &["a1", "b2", "c3"], &mut c);
        assert!(out.html.contains(">1-3</a></sup>"), "{}", out.html);
        assert!(out.html.contains("all.<sup"), "{}", out.html);
        assert!(out.html.contains("Loc,<sup"), "{}", out.html);
        assert!(out.html.contains("aria-label=\"References 1-3\">1-3</a>"), "the name holds the visible text");
        assert!(out.html.contains("<span class=\"locator\">(p. 5)</span>"), "{}", out.html);
        let out = render_str("Sources: [@a1].", &["a1"], &mut Citations::new(""));
        assert!(out.html.contains("Sources:<sup"), "{}", out.html);
        assert!(out.html.contains("</sup>.</p>"), "{}", out.html);
    }

    #[test]
    fn citations_in_code_are_left_alone_and_unknown_ids_are_located() {
        let mut c = Citations::new("");
        let md = "`[@a1]`\n\n```\n[@a1]\n```\n\nText [@zz].";
        let out = render_str(md, &["a1"], &mut c);
        assert!(c.order.is_empty());
        assert_eq!(out.diagnostics.len(), 1);
        let d = &out.diagnostics[0];
        assert_eq!((d.code, d.line(), d.span.as_ref().map(|s| s.column)), (Code::UnknownSource, Some(7), Some(7)));
    }

    #[test]
    fn raw_html_is_shown_as_text() {
        let out = render_str("Hi <script>alert(1)</script>\n\n<div onclick=x>y</div>", &[], &mut Citations::new(""));
        assert!(!out.html.contains("<script>") && !out.html.contains("<div"), "{}", out.html);
    }

    struct WithTerms(TermMatcher);
    impl Resolver for WithTerms {
        fn link(&self, dest: &str) -> Result<ResolvedLink, LinkError> {
            Ok(ResolvedLink { href: dest.to_string(), anchor: None, size: None, asset: None })
        }
        fn has_source(&self, _: &str) -> bool {
            true
        }
        fn suggest_source(&self, _: &str) -> Option<String> {
            None
        }
        fn terms(&self) -> Option<&TermMatcher> {
            Some(&self.0)
        }
        fn term_href(&self, index: usize) -> String {
            format!("glossary/#t{index}")
        }
    }

    #[test]
    fn glossary_names_found_with_the_screen_are_those_found_one_by_one() {
        let terms = || {
            TermMatcher::new([
                (vec!["NMDA receptor".to_string(), "NMDA".to_string()], "A switch.".to_string()),
                (vec!["ketamine".to_string()], "A medicine.".to_string()),
                (vec!["receptor".to_string()], "A part of a cell.".to_string()),
            ])
        };
        let screened = terms();
        assert!(screened.present.is_some());
        let one_by_one = TermMatcher { present: None, ..terms() };
        for (text, used, terms) in [
            ("Ketamine blocks the NMDA receptor; a receptor, ketamine.", &[][..], &[1, 0, 2][..]),
            ("nmda and a receptor-like site", &[1][..], &[0, 2][..]),
            ("no names here", &[][..], &[][..]),
        ] {
            let used: HashSet<usize> = used.iter().copied().collect();
            let found = screened.find(text, &used);
            assert_eq!(found.iter().map(|(_, t)| *t).collect::<Vec<_>>(), terms, "{text}: {found:?}");
            assert_eq!(found, one_by_one.find(text, &used), "{text}");
        }
    }

    #[test]
    fn glossary_terms_link_on_first_use_only_and_never_in_headings_links_or_code() {
        let terms = TermMatcher::new([
            (vec!["NMDA receptor".to_string(), "NMDA".to_string()], "A switch <on> cells.".to_string()),
            (vec!["ECT".to_string()], "Electroconvulsive therapy.".to_string()),
        ]);
        let r = WithTerms(terms);
        let md = "## NMDA receptor\n\nSee [NMDA](x) and `ECT`. The NMDA receptor, then NMDA again; effect is not ECT... but ECT is.";
        let mut c = Citations::new("");
        let out = render(md, Source { file: "a.md", text: md, offset: 0, lines: &Lines::default() }, &r, &mut c);
        assert_eq!(out.html.matches("class=\"term\"").count(), 2, "{}", out.html);
        assert!(out.html.contains("The <a class=\"term\" href=\"glossary/#t0\" title=\"A switch &lt;on&gt; cells.\">NMDA receptor</a>, then NMDA again"), "{}", out.html);
        assert!(out.html.contains("is not <a class=\"term\" href=\"glossary/#t1\""), "{}", out.html);
        assert!(out.html.contains("<h2 id=\"nmda-receptor\">NMDA receptor</h2>"));
        assert_eq!(c.terms_used, vec![0, 1]);
    }

    #[test]
    fn an_articles_glossary_terms_are_defined_at_its_end_linking_both_ways_and_to_the_glossary() {
        let terms = TermMatcher::new([
            (vec!["NMDA receptor".to_string(), "NMDA".to_string()], "A switch <on> cells.".to_string()),
            (vec!["ECT".to_string()], "Electroconvulsive therapy.".to_string()),
        ]);
        let r = WithTerms(terms);
        // an author's heading that would take the entries' ids keeps its own
        let md = "## Word 1\n\nECT, then the nmda receptor and ECT again.";
        let mut c = Citations::new("");
        let out =
            render_around(md, Source { file: "a.md", text: md, offset: 0, lines: &Lines::default() }, &r, &mut c, &[]);
        let html = out.html.to_string();
        assert!(html.contains("<h2 id=\"word-1\">Word 1</h2>"), "{html}");
        // the first use links to the entry at the end, which links back to it
        let link = between_all(&html, "<a class=\"term\" ", ">");
        assert_eq!(link.len(), 2, "{html}");
        assert!(link[0].starts_with("href=\"#word-1-1\" id=\"wordref-1\""), "{html}");
        assert!(link[1].starts_with("href=\"#word-2\" id=\"wordref-2\""), "{html}");
        assert!(
            html.contains(
                "<section class=\"words\" aria-labelledby=\"words\">\n<h2 id=\"words\">Words used on this page</h2>"
            ),
            "{html}"
        );
        // in order of first use, named as the glossary names them, the definition escaped
        assert!(html.contains("<div id=\"word-1-1\"><dt>ECT</dt><dd>Electroconvulsive therapy. <a class=\"word-more\" href=\"glossary/#t1\">"), "{html}");
        assert!(html.contains("<div id=\"word-2\"><dt>NMDA receptor</dt><dd>A switch &lt;on&gt; cells."), "{html}");
        assert!(html.contains("href=\"#wordref-2\">↩"), "{html}");
        assert_eq!(
            out.headings.last().map(|h| (h.id.as_str(), h.title.as_str())),
            Some(("words", "Words used on this page"))
        );
        assert_eq!(c.terms_used, vec![1, 0]);
        // a text with no terms has no such section
        let plain = render_around(
            "No words here.",
            Source { file: "a.md", text: "No words here.", offset: 0, lines: &Lines::default() },
            &r,
            &mut Citations::new(""),
            &[],
        );
        assert!(!plain.html.to_string().contains("class=\"words\""));
    }

    /// Each `start…end` span's inside, in order.
    fn between_all<'h>(html: &'h str, start: &str, end: &str) -> Vec<&'h str> {
        html.split(start).skip(1).filter_map(|rest| rest.split(end).next()).collect()
    }

    /// A resolver that knows sources `a1`, `b2`, `c3` ("Anand et al." for
    /// narrative citations) and gives every image a size.
    struct Sized;
    impl Resolver for Sized {
        fn link(&self, dest: &str) -> Result<ResolvedLink, LinkError> {
            Ok(ResolvedLink {
                href: dest.to_string(),
                anchor: None,
                size: Some((640, 480)),
                asset: Some(dest.to_string()),
            })
        }
        fn has_source(&self, id: &str) -> bool {
            ["a1", "b2", "c3"].contains(&id)
        }
        fn suggest_source(&self, id: &str) -> Option<String> {
            nearest(id, ["a1", "b2", "c3"]).map(str::to_string)
        }
        fn narrative(&self, id: &str) -> Option<String> {
            (id == "a1").then(|| "Anand et al.".to_string())
        }
    }

    fn render_sized(md: &str, citations: &mut Citations) -> Rendered {
        render_around(
            md,
            Source { file: "a.md", text: md, offset: 0, lines: &Lines::default() },
            &Sized,
            citations,
            &[],
        )
    }

    fn codes(out: &Rendered) -> Vec<(Code, usize, usize)> {
        out.diagnostics
            .iter()
            .map(|d| (d.code, d.line().unwrap_or(0), d.span.as_ref().map_or(0, |s| s.column)))
            .collect()
    }

    #[test]
    fn callouts_and_care_cards_are_labelled_blocks_and_their_markers_are_gone() {
        let md = "> [!WARNING]\n> Do not drive.\n\n> [!urgent]\n> - chest pain\n\n> [!NON-URGENT]\n>\n> Mild nausea.\n\n> Just a quote.\n";
        let out = render_sized(md, &mut Citations::new(""));
        let html = out.html.to_string();
        assert!(codes(&out).is_empty(), "{:?}", out.diagnostics);
        assert!(html.contains("<div class=\"callout callout-warning\" role=\"note\" aria-labelledby=\"block_1\">\n<p class=\"callout-label\" id=\"block_1\">Warning</p>\n<p>Do not drive.</p>"), "{html}");
        assert!(html.contains("<section class=\"care-card care-card-urgent\" aria-labelledby=\"block_2\">"), "{html}");
        assert!(html.contains(">Urgent advice<span class=\"visually-hidden\">:</span></span> Ask for an urgent appointment or get help now if:</h2>"), "{html}");
        assert!(html.contains("<div class=\"care-card-content\">\n<ul>\n<li>chest pain</li>"), "{html}");
        assert!(html.contains("care-card-non-urgent") && html.contains("<p>Mild nausea.</p>"), "{html}");
        assert!(html.contains("<blockquote>\n<p>Just a quote.</p>\n</blockquote>"), "{html}");
        assert!(!html.contains("[!") && !html.contains("!urgent"), "{html}");
        assert_eq!(out.care_cards, 2);
        // a second card of a level is not a second landmark of the same name
        let again = render_sized("> [!URGENT]\n> - a\n\n> [!URGENT]\n> - b\n", &mut Citations::new(""));
        assert_eq!(again.html.matches("<section class=\"care-card").count(), 1, "{}", again.html);
        assert!(
            again
                .html
                .contains("<div role=\"group\" class=\"care-card care-card-urgent\" aria-labelledby=\"block_2\">")
        );
        assert_eq!(again.html.matches("</section>").count(), 1);
        // every block is closed where its quote ends
        assert_eq!(html.matches("<section").count(), html.matches("</section>").count());
    }

    #[test]
    fn a_care_card_says_what_the_site_configures() {
        struct Uk;
        impl Resolver for Uk {
            fn link(&self, dest: &str) -> Result<ResolvedLink, LinkError> {
                Ok(ResolvedLink { href: dest.to_string(), anchor: None, size: None, asset: None })
            }
            fn has_source(&self, _: &str) -> bool {
                false
            }
            fn suggest_source(&self, _: &str) -> Option<String> {
                None
            }
            fn care_cards(&self) -> CareCards {
                let mut cards = CareCards::default();
                cards.urgent.heading = "Ask for an urgent GP appointment if <now>:".into();
                cards
            }
        }
        let md = "> [!URGENT]\n> - x\n";
        let out = render(
            md,
            Source { file: "a.md", text: md, offset: 0, lines: &Lines::default() },
            &Uk,
            &mut Citations::new(""),
        );
        assert!(out.html.contains("Ask for an urgent GP appointment if &lt;now&gt;:</h2>"), "{}", out.html);
    }

    #[test]
    fn an_unknown_or_misplaced_block_marker_is_an_error_at_the_marker() {
        let out = render_sized("Text.\n\n> [!WARNNG]\n> x\n\n>  [!TIP] text after\n", &mut Citations::new(""));
        assert_eq!(codes(&out), vec![(Code::UnknownBlock, 3, 3), (Code::UnknownBlock, 6, 4)]);
        assert!(out.diagnostics[0].help.as_deref().unwrap_or("").starts_with("did you mean `[!WARNING]`?"));
        assert!(out.diagnostics[0].help.as_deref().unwrap_or("").contains("`[!EMERGENCY]`"));
        assert!(out.html.contains("<blockquote>"), "left as a quote: {}", out.html);
    }

    #[test]
    fn an_image_alone_with_a_title_is_a_figure_and_every_image_has_its_size() {
        let md = "![A bar chart](chart.svg \"Response at 24 hours <by group>\")\n\nInline ![icon](i.png \"t\") here.\n\n![no title](c.svg)\n";
        let out = render_sized(md, &mut Citations::new(""));
        let html = out.html.to_string();
        assert!(html.contains("<figure>\n<img src=\"chart.svg\" alt=\"A bar chart\" width=\"640\" height=\"480\">\n<figcaption>Response at 24 hours &lt;by group&gt;</figcaption>\n</figure>"), "{html}");
        assert!(
            html.contains(
                "<p>Inline <img src=\"i.png\" alt=\"icon\" title=\"t\" width=\"640\" height=\"480\"> here.</p>"
            ),
            "{html}"
        );
        assert!(html.contains("<p><img src=\"c.svg\" alt=\"no title\" width=\"640\" height=\"480\"></p>"), "{html}");
        assert_eq!(html.matches("<figure>").count(), 1);
        let out = render_sized("![](x.svg \"Caption\")", &mut Citations::new(""));
        assert_eq!(codes(&out), [(Code::ImageAltMissing, 1, 1)], "a figure still needs its alt text");
        // an alt text that shows nothing is none to a screen reader
        let out = render_sized("![\u{200b}\u{ad}](x.svg)", &mut Citations::new(""));
        assert_eq!(codes(&out).len(), 1, "an alt of invisible characters");
    }

    #[test]
    fn footnotes_are_lettered_listed_at_the_end_and_link_both_ways() {
        let md = "## Notes\n\nOne[^x] two[^y] and one again[^x].\n\n[^y]: Second *note*.\n[^x]: First note.\n";
        let out = render_sized(md, &mut Citations::new(""));
        let html = out.html.to_string();
        assert!(codes(&out).is_empty(), "{:?}", out.diagnostics);
        assert!(
            html.contains(
                "One<sup class=\"note-ref\"><a href=\"#fn_a\" id=\"fnref_a_1\" aria-label=\"Note a\">a</a></sup>"
            ),
            "{html}"
        );
        assert!(html.contains("again<sup class=\"note-ref\"><a href=\"#fn_a\" id=\"fnref_a_2\""), "{html}");
        assert!(
            html.contains("<section class=\"notes\" aria-labelledby=\"notes-1\">\n<h2 id=\"notes-1\">Notes</h2>"),
            "the author's heading keeps its id: {html}"
        );
        assert!(html.contains("<ol class=\"notes-list\" type=\"a\" start=\"1\">\n<li id=\"fn_a\">\n<p>First note. <a class=\"note-back\" href=\"#fnref_a_1\""), "{html}");
        assert!(
            html.contains("href=\"#fnref_a_2\">↩<span class=\"visually-hidden\"> back to the text of note a, place</span><sup>2</sup></a></p>"),
            "{html}"
        );
        assert!(html.contains("<li id=\"fn_b\">\n<p>Second <em>note</em>."), "{html}");
        // the notes come after the text, in the order they are referred to
        assert!(html.find("id=\"fn_a\"").unwrap() < html.find("id=\"fn_b\"").unwrap());
        assert!(html.find("Second").unwrap() > html.find("again").unwrap());
        assert_eq!(out.headings.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(), ["notes", "notes-1"]);
    }

    #[test]
    fn notes_continue_their_letters_across_a_page_and_never_take_a_headings_id() {
        let mut c = Citations::new("");
        let md = "## Fn_a {#fn_a}\n\nA[^1].\n\n[^1]: n\n";
        let body = render_sized(md, &mut c);
        assert!(body.html.contains("<h2 id=\"fn_a-section\">"), "{}", body.html);
        let answer = render(
            md.split_at(17).1,
            Source { file: "a.md", text: md, offset: 17, lines: &Lines::default() },
            &Sized,
            &mut c,
        );
        assert!(answer.html.contains("id=\"fn_b\"") && answer.html.contains("start=\"2\""), "{}", answer.html);
        assert!(answer.html.contains("<div class=\"notes\">\n<p class=\"notes-title\">Notes</p>"), "{}", answer.html);
    }

    #[test]
    fn a_missing_or_unused_footnote_is_found_where_it_is_written() {
        let out = render_sized("Text[^nope] and[^one].\n\n[^one]: used\n\n[^two]: never\n", &mut Citations::new(""));
        assert_eq!(codes(&out), vec![(Code::UnknownFootnote, 1, 5), (Code::UnusedFootnote, 5, 1)]);
        assert_eq!(out.diagnostics[1].severity, crate::diagnostics::Severity::Warning);
    }

    #[test]
    fn every_citation_form_renders_its_number_with_its_words() {
        let mut c = Citations::new("");
        let md = "As @a1 [p. 4] found. Also [see @b2, p. 5; @c3]. Not [-@a1]. Mail a@b2.org, `@a1`, \\@a1.";
        let out = render_sized(md, &mut c);
        let html = out.html.to_string();
        assert!(codes(&out).is_empty(), "{:?}", out.diagnostics);
        assert_eq!(c.order, ["a1", "b2", "c3"]);
        assert!(html.contains("As Anand et al.<sup class=\"citation\" id=\"cite-1\"><a href=\"#ref-1\" aria-label=\"Reference 1\">1</a><span class=\"locator\">(p. 4)</span></sup> found."), "{html}");
        assert!(html.contains("Also.<sup class=\"citation\" id=\"cite-2\"><span class=\"cite-prefix\">see </span><a href=\"#ref-2\" aria-label=\"Reference 2\">2</a><span class=\"locator\">(p. 5)</span>,<a href=\"#ref-3\""), "{html}");
        assert!(html.contains("Not.<sup class=\"citation\" id=\"cite-3\"><a href=\"#ref-1\""), "{html}");
        assert!(html.contains("Mail a@b2.org, <code>@a1</code>, @a1.</p>"), "{html}");
        assert!(out.plain.contains("As Anand et al. found"), "{}", out.plain);
        assert!(out.prose.contains("As Anand et al. found"), "{}", out.prose);
    }

    #[test]
    fn an_unknown_narrative_id_and_an_unreadable_bracket_are_errors_with_a_suggestion() {
        let out = render_sized("As @a2 found.\n\nSee [@b2 p. 5].\n", &mut Citations::new(""));
        assert_eq!(codes(&out), vec![(Code::UnknownSource, 1, 4), (Code::MalformedCitation, 3, 6)]);
        assert!(out.diagnostics[0].help.as_deref().unwrap_or("").starts_with("did you mean `a1`?"));
        assert!(out.html.contains("As @a2 found.") && out.html.contains("See [@b2 p. 5]."), "{}", out.html);
    }

    /// What a finding's caret underlines: `width` characters from its
    /// column, else the word there (as the report draws it).
    fn underlined(d: &Diagnostic) -> String {
        let span = d.span.as_ref().expect("a span");
        let from = span.source_line.chars().skip(span.column - 1);
        match span.width {
            Some(width) => from.take(width).collect(),
            None => from.take_while(|c| !c.is_whitespace()).collect(),
        }
    }

    /// `[@nope].` was underlined with its `]` and full stop, as the word
    /// around the column: each citation finding underlines what it is about.
    #[test]
    fn a_citation_finding_underlines_the_citation_not_the_punctuation_after_it() {
        let md = "As @zz said, [@yy]. Then [@a1 p. 5]. \n\n## Results [@a1]\n\nSee [the trial [@a1]](https://e.org). Also 【4:0†source】.\n";
        let out = render_sized(md, &mut Citations::new(""));
        let said: Vec<(Code, String)> = out.diagnostics.iter().map(|d| (d.code, underlined(d))).collect();
        assert_eq!(
            said,
            [
                (Code::UnknownSource, "@zz".to_string()),
                (Code::UnknownSource, "@yy".to_string()),
                (Code::MalformedCitation, "@a1 p. 5]".to_string()),
                (Code::MalformedCitation, "[@a1]".to_string()),
                (Code::MalformedCitation, "[@a1]".to_string()),
                (Code::CitationArtifact, "【4:0†source】".to_string()),
            ]
        );
    }

    /// `[@ a1]`, `[@@a1]` and `[@]` were shown to readers as typed, the
    /// claim citing nothing, and no check said so.
    #[test]
    fn a_citation_with_no_id_after_its_at_is_an_error_at_the_at_with_the_id_it_meant() {
        let out = render_sized("Fast [@ a1]. Licensed [@@a1]. See [@].\n", &mut Citations::new(""));
        assert_eq!(
            codes(&out),
            vec![(Code::MalformedCitation, 1, 7), (Code::MalformedCitation, 1, 24), (Code::MalformedCitation, 1, 36)]
        );
        let said: Vec<(&str, &str, usize)> = out
            .diagnostics
            .iter()
            .map(|d| {
                (
                    d.message.as_str(),
                    d.help.as_deref().unwrap_or(""),
                    d.span.as_ref().map_or(0, |s| s.width.unwrap_or(0)),
                )
            })
            .collect();
        assert_eq!(
            said,
            [
                (
                    "`[@ a1]` is a citation with no id after its `@`: the page would show it as typed",
                    "write the id right after one `@`: `[@a1]`",
                    5
                ),
                (
                    "`[@@a1]` is a citation with no id after its `@`: the page would show it as typed",
                    "write the id right after one `@`: `[@a1]`",
                    5
                ),
                (
                    "`[@]` is a citation with no id after its `@`: the page would show it as typed",
                    "write the source's id right after the `@`, e.g. `[@smith2020]`",
                    2
                ),
            ]
        );
    }

    #[test]
    fn slugify_makes_stable_ids() {
        assert_eq!(slugify("Blood pressure & monitoring (IV)"), "blood-pressure-monitoring-iv");
        assert_eq!(slugify("Why ECT?"), "why-ect");
    }
}
