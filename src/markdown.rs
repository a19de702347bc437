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

use crate::diagnostics::{Code, Diagnostic, Span};
use crate::html::{Html, check_url, escape};

/// What markdown asks of the site while rendering one text.
pub trait Resolver {
    /// Resolve a link or image destination written in the Markdown.
    fn link(&self, dest: &str) -> Result<ResolvedLink, LinkError>;
    /// Whether `[@id]` names a known source.
    fn has_source(&self, id: &str) -> bool;
    /// The known source id closest to `id`, for "did you mean".
    fn suggest_source(&self, id: &str) -> Option<String>;
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
    /// Which of `names` a text holds, in one pass (a text run holds few of a
    /// glossary's names); `None`: look for each in turn.
    present: Option<aho_corasick::AhoCorasick>,
}

impl TermMatcher {
    /// `terms`: for each term, its names (term first, then aliases) and definition.
    pub fn new(terms: impl IntoIterator<Item = (Vec<String>, String)>) -> TermMatcher {
        let mut m = TermMatcher::default();
        for (i, (names, definition)) in terms.into_iter().enumerate() {
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

    /// First occurrences of terms not in `used`, as (byte range, term), in
    /// text order. Each name is tried longest first, at its first place that
    /// stands as whole words and overlaps no name already found. Every place
    /// of every name comes from one pass of the automaton; a found range is
    /// looked up in an ordered map: linear in the text and the names found,
    /// however many terms one paragraph uses.
    fn find(&self, text: &str, used: &HashSet<usize>) -> Vec<(Range<usize>, usize)> {
        let Some(automaton) = &self.present else { return self.find_each(text, used) };
        let mut places: HashMap<usize, Vec<usize>> = HashMap::new();
        for m in automaton.find_overlapping_iter(text) {
            places.entry(m.pattern().as_usize()).or_default().push(m.start());
        }
        let mut names: Vec<usize> = places.keys().copied().collect();
        names.sort_unstable(); // `names` is longest first
        let mut taken: std::collections::BTreeMap<usize, usize> = std::collections::BTreeMap::new();
        let mut found_terms: HashSet<usize> = HashSet::new();
        let mut found = Vec::new();
        for i in names {
            let (name, term) = &self.names[i];
            if used.contains(term) || found_terms.contains(term) {
                continue;
            }
            let free = |r: &Range<usize>| taken.range(..r.end).next_back().is_none_or(|(_, &end)| end <= r.start);
            let hit =
                places[&i].iter().map(|&start| start..start + name.len()).find(|r| whole_words(text, r) && free(r));
            if let Some(r) = hit {
                taken.insert(r.start, r.end);
                found_terms.insert(*term);
                found.push((r, *term));
            }
        }
        found.sort_by_key(|(r, _)| r.start);
        found
    }

    /// [`TermMatcher::find`] without the automaton: each name looked for at
    /// every place in turn (the reference the test compares it with).
    fn find_each(&self, text: &str, used: &HashSet<usize>) -> Vec<(Range<usize>, usize)> {
        let lower = text.to_ascii_lowercase();
        let mut found: Vec<(Range<usize>, usize)> = Vec::new();
        for (name, term) in &self.names {
            if used.contains(term) || found.iter().any(|(_, t)| t == term) {
                continue;
            }
            let hit = (0..lower.len())
                .filter(|&i| lower.as_bytes()[i..].starts_with(name.as_bytes()))
                .map(|i| i..i + name.len())
                .find(|r| whole_words(text, r) && !found.iter().any(|(f, _)| f.start < r.end && r.start < f.end));
            if let Some(r) = hit {
                found.push((r, *term));
            }
        }
        found.sort_by_key(|(r, _)| r.start);
        found
    }
}

/// Whether `range` of `text` starts and ends at word boundaries.
fn whole_words(text: &str, range: &Range<usize>) -> bool {
    let before = text.get(..range.start).and_then(|t| t.chars().next_back());
    let after = text.get(range.end..).and_then(|t| t.chars().next());
    let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
    text.is_char_boundary(range.start) && text.is_char_boundary(range.end) && boundary(before) && boundary(after)
}

/// A destination rewritten for the output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedLink {
    pub href: String,
    /// For internal links with a `#fragment`: the page path and fragment to
    /// check once every page's ids are known (empty path: this page).
    pub anchor: Option<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkError {
    Broken(String),
    Unsafe(String),
}

/// Where the text sits in its file, for positions.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    pub file: &'a str,
    /// The whole file, so positions are real lines.
    pub text: &'a str,
    /// Byte offset of the Markdown in `text`.
    pub offset: usize,
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
    /// Images with no alt text.
    pub images_without_alt: Vec<Span>,
    /// The prose as plain text (no code, no citations), for search and readability.
    pub plain: String,
    /// Running prose only (paragraphs and list items: no headings, tables,
    /// code, image text or citations), blocks separated by newlines: what
    /// readability is measured on.
    pub prose: String,
    /// Source ids cited in this text, in order of first citation here.
    pub cited: Vec<String>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Citation numbering for one page: numbers by first appearance, and where
/// each source was cited so its reference can link back.
#[derive(Debug, Default, Clone)]
pub struct Citations {
    /// Source ids in order of first citation; number = index + 1.
    pub order: Vec<String>,
    number: HashMap<String, usize>,
    /// For each number (index), the ids of the citation groups citing it.
    pub backlinks: Vec<Vec<String>>,
    groups: usize,
    /// Glossary terms already explained on this page, in order of first use.
    pub terms_used: Vec<usize>,
    /// The same, as a set.
    terms_seen: HashSet<usize>,
    /// Prefix of group ids, so two numberings on one page never collide.
    prefix: String,
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

    /// The anchor id of reference `n` on this page.
    pub fn reference_id(&self, n: usize) -> String {
        format!("{}ref-{n}", self.prefix)
    }
}

/// Render `markdown` (found at `source`) to HTML.
pub fn render(markdown: &str, source: Source, resolver: &dyn Resolver, citations: &mut Citations) -> Rendered {
    render_around(markdown, source, resolver, citations, &[])
}

/// [`render`], with heading ids kept clear of `taken` too (the ids the page
/// gives its FAQ entries).
pub fn render_around(
    markdown: &str,
    source: Source,
    resolver: &dyn Resolver,
    citations: &mut Citations,
    taken: &[String],
) -> Rendered {
    let ids = UniqueIds::new(RESERVED_IDS.iter().map(|s| s.to_string()).chain(taken.iter().cloned()));
    let text = resolver.collect_text();
    let mut r =
        Renderer { source, resolver, citations, out: Rendered::default(), ids, no_terms: 0, not_prose: 0, text };
    let events = r.transform(markdown);
    let mut html = String::with_capacity(markdown.len() + markdown.len() / 4);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
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
pub const HEADING_CLASSES: &[&str] = &["no-toc", "visually-hidden", "print-only", "no-print"];

/// Ids made unique by numbering (`x`, `x-1`, `x-2` …) in time linear in
/// their number, however many share a base: each base remembers the next
/// number to try, so 40,000 headings of the same text are not 800 million
/// set look-ups. The ids are the ones a search from `-1` upwards would give.
#[derive(Debug, Default, Clone)]
pub struct UniqueIds {
    taken: HashSet<String>,
    next: HashMap<String, usize>,
}

impl UniqueIds {
    pub fn new(taken: impl IntoIterator<Item = String>) -> UniqueIds {
        UniqueIds { taken: taken.into_iter().collect(), next: HashMap::new() }
    }

    /// Take `id` as it is; false if it was taken.
    pub fn insert(&mut self, id: String) -> bool {
        self.taken.insert(id)
    }

    /// `base`, or `base-N` with the smallest free N.
    pub fn unique(&mut self, base: String) -> String {
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

/// Ids the themes use for their own sections; headings never take them.
pub const RESERVED_IDS: &[&str] =
    &["main", "faq", "references", "key-points-title", "toc-title", "topics-title", "reviewed-title"];

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
    /// Inside a heading, table or image: not prose.
    not_prose: usize,
    /// Collect `plain` and `prose`.
    text: bool,
}

impl<'a> Renderer<'a, '_> {
    fn span(&self, local: usize) -> Span {
        Span::at(self.source.file, self.source.text, self.source.offset + local)
    }

    fn transform(&mut self, markdown: &'a str) -> Vec<Event<'a>> {
        let raw: Vec<(Event<'a>, Range<usize>)> = Parser::new_ext(markdown, options()).into_offset_iter().collect();
        let mut events = Vec::with_capacity(raw.len());
        let mut i = 0;
        let mut in_code = false;
        while i < raw.len() {
            let (event, range) = &raw[i];
            match event {
                Event::Start(Tag::CodeBlock(_)) => in_code = true,
                Event::End(TagEnd::CodeBlock) => in_code = false,
                Event::Start(Tag::Heading { .. } | Tag::Link { .. } | Tag::Image { .. }) => self.no_terms += 1,
                Event::End(TagEnd::Heading(_) | TagEnd::Link | TagEnd::Image) => self.no_terms -= 1,
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
                Event::Html(h) | Event::InlineHtml(h) => events.push(Event::Text(h.clone())),
                Event::Start(Tag::Heading { level, id, classes, attrs }) => {
                    let end = raw[i..]
                        .iter()
                        .position(|(e, _)| matches!(e, Event::End(TagEnd::Heading(_))))
                        .map_or(raw.len(), |p| i + p);
                    let title = heading_text(&raw[i + 1..end]);
                    self.heading_attrs(id.as_deref(), classes, attrs, &markdown[range.clone()], range.start);
                    let explicit = id.as_deref().filter(|id| is_id(id));
                    let id = self.heading_id(explicit, &title);
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
                    let dest = self.link(dest_url, range.start, *link_type);
                    events.push(Event::Start(Tag::Link {
                        link_type: *link_type,
                        dest_url: dest,
                        title: title.clone(),
                        id: id.clone(),
                    }));
                }
                Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
                    let end = raw[i..]
                        .iter()
                        .position(|(e, _)| matches!(e, Event::End(TagEnd::Image)))
                        .map_or(raw.len(), |p| i + p);
                    if heading_text(&raw[i + 1..end]).trim().is_empty() {
                        self.out.images_without_alt.push(self.span(range.start));
                    }
                    let dest = self.link(dest_url, range.start, *link_type);
                    events.push(Event::Start(Tag::Image {
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
                other => events.push(other.clone()),
            }
            i += 1;
        }
        events
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
        // the caret goes under what was written, inside the `{…}` at the end
        let braces = written.rfind('{').unwrap_or(0);
        let (source, offset) = (self.source, at);
        let place = |name: &str| {
            let local = offset + written[braces..].find(name).map_or(0, |i| braces + i);
            Span::at(source.file, source.text, source.offset + local)
        };
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
        let base = if base.is_empty() { "section".to_string() } else { base };
        self.ids.unique(base)
    }

    fn link(&mut self, dest: &CowStr<'a>, at: usize, link_type: LinkType) -> CowStr<'a> {
        if let Err(why) = check_url(dest) {
            self.out.diagnostics.push(
                Diagnostic::error(Code::UnsafeUrl, format!("unsafe link `{}`: {why}", dest.escape_debug()))
                    .with_span(self.span(at))
                    .with_help("a link may use http, https, mailto, tel or sms, or point to a file of this site"),
            );
            return CowStr::Borrowed("#");
        }
        if matches!(link_type, LinkType::Email) || is_external(dest) {
            if dest.starts_with("http://") || dest.starts_with("https://") {
                self.out.external.push((dest.to_string(), self.span(at)));
            }
            return dest.clone();
        }
        match self.resolver.link(dest) {
            Ok(link) => {
                if let Some((page, fragment)) = link.anchor {
                    self.out.anchors.push(AnchorRef { page, fragment, span: self.span(at) });
                }
                CowStr::from(link.href)
            }
            Err(err) => {
                let (code, message) = match err {
                    LinkError::Broken(m) => (Code::BrokenLink, m),
                    LinkError::Unsafe(m) => (Code::UnsafePath, m),
                };
                self.out.diagnostics.push(Diagnostic::error(code, message).with_span(self.span(at)));
                dest.clone()
            }
        }
    }

    /// A run of adjacent text events: find citations and chatbot artefacts.
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
        let locate = |pos: usize| -> usize {
            let (t0, m0, exact) = starts.iter().rev().find(|(t0, _, _)| *t0 <= pos).copied().unwrap_or((0, 0, false));
            if exact { m0 + (pos - t0) } else { m0 }
        };
        self.artifacts(&text, &locate);
        let mut last = 0;
        for (range, items) in find_citations(&text) {
            // AMA superscripts sit directly on the word they follow
            let before = text[last..range.start].trim_end_matches([' ', '\t']);
            self.push_text(slice(&text, last..last + before.len()), events);
            let html = self.citation(&items, locate(range.start));
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

    /// Plain text, with the first use of each glossary term linked to its entry.
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
            let title = self.resolver.terms().map(|m| m.definitions[term].as_str()).unwrap_or_default();
            let html = format!(
                "<a class=\"term\" href=\"{}\" title=\"{}\">{}</a>",
                escape(&self.resolver.term_href(term)),
                escape(title),
                escape(&text[range.clone()])
            );
            events.push(Event::InlineHtml(CowStr::from(html)));
            self.citations.terms_used.push(term);
            self.citations.terms_seen.insert(term);
            last = range.end;
        }
        if last < text.len() {
            events.push(Event::Text(slice(&text, last..text.len())));
        }
    }

    fn artifacts(&mut self, text: &str, locate: &dyn Fn(usize) -> usize) {
        for (i, _) in text.match_indices('【') {
            let end = text[i..].find('】').map_or(text.len(), |e| i + e + '】'.len_utf8());
            self.out.diagnostics.push(
                Diagnostic::warning(
                    Code::CitationArtifact,
                    format!("leftover chatbot citation marker `{}`", &text[i..end]),
                )
                .with_span(self.span(locate(i)))
                .with_help("replace it with a real citation such as `[@anand2023]`, or delete it"),
            );
        }
    }

    fn citation(&mut self, items: &[CiteItem], at: usize) -> String {
        let group = self.citations.next_group();
        let mut numbers: Vec<(usize, Option<String>)> = Vec::new();
        for item in items {
            if !self.resolver.has_source(&item.id) {
                let mut d = Diagnostic::error(Code::UnknownSource, format!("no source with id `{}`", item.id))
                    .with_span(self.span(at + item.offset));
                d = match self.resolver.suggest_source(&item.id) {
                    Some(s) => d.with_help(format!("did you mean `{s}`?")),
                    None => d.with_help("add it to content/sources.yaml, or to the article's `sources:`"),
                };
                self.out.diagnostics.push(d);
                continue;
            }
            numbers.push((self.citations.cite(&item.id, &group), item.locator.clone()));
            if !self.out.cited.contains(&item.id) {
                self.out.cited.push(item.id.clone());
            }
        }
        if numbers.is_empty() {
            return String::from("<sup class=\"citation citation-unknown\">?</sup>");
        }
        let mut html = format!("<sup class=\"citation\" id=\"{group}\">");
        for (k, part) in collapse(&numbers).iter().enumerate() {
            if k > 0 {
                html.push(',');
            }
            let (label, first) = match part {
                Part::One(n, _) => (format!("Reference {n}"), *n),
                Part::Range(a, b) => (format!("References {a}-{b}"), *a),
            };
            let text = match part {
                Part::One(n, _) => n.to_string(),
                Part::Range(a, b) => format!("{a}-{b}"),
            };
            let _ =
                write!(html, "<a href=\"#{}\" aria-label=\"{label}\">{text}</a>", self.citations.reference_id(first));
            if let Part::One(_, Some(loc)) = part {
                let _ = write!(html, "<span class=\"locator\">({})</span>", escape(loc));
            }
        }
        html.push_str("</sup>");
        html
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct CiteItem {
    id: String,
    locator: Option<String>,
    /// Offset of the id's `@` from the start of the whole `[@…]`.
    offset: usize,
}

/// Every `[@id]`, `[@a; @b]`, `[@id, p. 5]` in `text`, with its byte range.
/// Part of a text: borrowed from the same Markdown when the text is.
fn slice<'a>(text: &CowStr<'a>, range: Range<usize>) -> CowStr<'a> {
    match text {
        CowStr::Borrowed(s) => CowStr::Borrowed(&s[range]),
        owned => CowStr::from(owned[range].to_string()),
    }
}

fn find_citations(text: &str) -> Vec<(Range<usize>, Vec<CiteItem>)> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find("[@").map(|i| from + i) {
        let Some(close) = text[i..].find(']').map(|c| i + c) else { break };
        match parse_cite(&text[i + 1..close]) {
            Some(mut items) => {
                for item in &mut items {
                    item.offset += 1;
                }
                found.push((i..close + 1, items));
                from = close + 1;
            }
            None => from = i + 2,
        }
    }
    found
}

fn parse_cite(inner: &str) -> Option<Vec<CiteItem>> {
    let mut items = Vec::new();
    let mut offset = 0;
    for part in inner.split(';') {
        let lead = part.len() - part.trim_start().len();
        let p = part.trim();
        let rest = p.strip_prefix('@')?;
        let id_len =
            rest.find(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | '-' | ':' | '.'))).unwrap_or(rest.len());
        let id = rest[..id_len].trim_end_matches(['.', ':']);
        if id.is_empty() {
            return None;
        }
        let tail = rest[id.len()..].trim();
        let locator = match tail.strip_prefix(',') {
            Some(l) if !l.trim().is_empty() => Some(l.trim().to_string()),
            Some(_) => None,
            None if tail.is_empty() => None,
            None => return None,
        };
        items.push(CiteItem { id: id.to_string(), locator, offset: offset + lead });
        offset += part.len() + 1;
    }
    Some(items)
}

#[derive(Debug, PartialEq, Eq)]
enum Part {
    One(usize, Option<String>),
    Range(usize, usize),
}

/// Sorted, de-duplicated numbers with runs of three or more collapsed (1-3),
/// as AMA style writes them. A number with a locator stands alone.
fn collapse(numbers: &[(usize, Option<String>)]) -> Vec<Part> {
    let mut sorted: Vec<(usize, Option<String>)> = numbers.to_vec();
    sorted.sort();
    sorted.dedup_by(|a, b| a.0 == b.0 && a.1.is_none() && b.1.is_none());
    let mut parts = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i;
        while j + 1 < sorted.len()
            && sorted[j + 1].0 == sorted[j].0 + 1
            && sorted[j + 1].1.is_none()
            && sorted[i].1.is_none()
        {
            j += 1;
        }
        if j - i >= 2 {
            parts.push(Part::Range(sorted[i].0, sorted[j].0));
        } else {
            for item in &sorted[i..=j] {
                parts.push(Part::One(item.0, item.1.clone()));
            }
        }
        i = j + 1;
    }
    parts
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

/// An id an author may give a heading.
fn is_id(id: &str) -> bool {
    !id.is_empty() && id.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_'))
}

fn is_external(dest: &str) -> bool {
    let scheme = dest.split_once(':').map(|(s, _)| s);
    matches!(scheme, Some(s) if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')) && s.len() > 1)
}

/// A heading's stable id: lowercase words joined by `-`.
pub fn slugify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut dash = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.extend(c.to_lowercase());
        } else {
            dash = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glossary_terms_found_in_one_pass_are_the_ones_each_name_in_turn_finds() {
        let terms = [
            (vec!["NMDA receptor".to_string(), "NMDA".to_string()], "a".to_string()),
            (vec!["receptor".to_string(), "receptors".to_string()], "b".to_string()),
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
            Ok(ResolvedLink { href: dest.to_string(), anchor: None })
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
        render(md, Source { file: "a.md", text: md, offset: 0 }, &resolver, citations)
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
            Ok(ResolvedLink { href: dest.to_string(), anchor: None })
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
        let out = render(md, Source { file: "a.md", text: md, offset: 0 }, &r, &mut c);
        assert_eq!(out.html.matches("class=\"term\"").count(), 2, "{}", out.html);
        assert!(out.html.contains("The <a class=\"term\" href=\"glossary/#t0\" title=\"A switch &lt;on&gt; cells.\">NMDA receptor</a>, then NMDA again"), "{}", out.html);
        assert!(out.html.contains("is not <a class=\"term\" href=\"glossary/#t1\""), "{}", out.html);
        assert!(out.html.contains("<h2 id=\"nmda-receptor\">NMDA receptor</h2>"));
        assert_eq!(c.terms_used, vec![0, 1]);
    }

    #[test]
    fn slugify_makes_stable_ids() {
        assert_eq!(slugify("Blood pressure & monitoring (IV)"), "blood-pressure-monitoring-iv");
        assert_eq!(slugify("Why ECT?"), "why-ect");
    }
}
