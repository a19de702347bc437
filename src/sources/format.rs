//! Formatting every source once per build with a CSL style, through
//! hayagriva's citeproc. Per-citation formatting would dominate the build at
//! 10,000 articles; each reference is the same wherever it is cited.

use std::collections::HashSet;

use hayagriva::archive::ArchivedStyle;
use hayagriva::citationberg::{CitationFormat, IndependentStyle, Style, StyleCategory};
use hayagriva::{
    BibliographyDriver, BibliographyRequest, CitationItem, CitationRequest, Elem, ElemChild, Formatted, Formatting,
};
use rayon::prelude::*;

use super::Bibliography;
use crate::config::Config;
use crate::diagnostics::{Code, Diagnostic};
use crate::html::{self, Html};

/// The CSL locales citeproc may look up for a style: the style's own
/// language (`default-locale`, else US English), that language's usual
/// region (`de` → `de-DE`) and US English, as hayagriva's citeproc looks
/// them up (`StyleContext::lookup_locale`).
///
/// hayagriva ships 63 locales; reading every one took 11% of the
/// instructions of a 1,000-article build (each of 38,000 enum tags read
/// as a failed match first, with its error message written out). Only each
/// locale's language is read to choose among them.
pub(crate) struct Locales(Vec<hayagriva::citationberg::Locale>);

impl Locales {
    /// The locales for the style named `style` (US English alone for a
    /// name that is no style: `format_all` reports that).
    pub(crate) fn load(style: &str) -> Locales {
        use hayagriva::citationberg::LocaleCode;
        let own = match ArchivedStyle::by_name(style).map(ArchivedStyle::get) {
            Some(Style::Independent(s)) => s.default_locale,
            _ => None,
        }
        .unwrap_or_else(LocaleCode::en_us);
        let wanted = [own.fallback(), Some(LocaleCode::en_us()), Some(own)];
        let locales = hayagriva::archive::LOCALES
            .iter()
            .filter(|bytes| language(bytes).is_some_and(|lang| wanted.iter().flatten().any(|w| *w == lang)))
            .filter_map(|bytes| ciborium::de::from_reader(*bytes).ok())
            .collect();
        Locales(locales)
    }
}

/// The language of a locale as hayagriva archives it (CBOR): the map's
/// entries are read until `@xml:lang`, which hayagriva writes first, and the
/// rest left unread (passing over every entry cost more than reading them).
fn language(bytes: &[u8]) -> Option<hayagriva::citationberg::LocaleCode> {
    use hayagriva::citationberg::LocaleCode;
    use serde::de::{self, IgnoredAny, MapAccess};
    struct Language;
    impl<'de> de::Visitor<'de> for Language {
        type Value = Option<LocaleCode>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a CSL locale")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            while let Some(key) = map.next_key::<String>()? {
                if key == "@xml:lang" {
                    return map.next_value();
                }
                map.next_value::<IgnoredAny>()?;
            }
            Ok(None)
        }
    }
    struct Lang(Option<LocaleCode>);
    impl<'de> de::Deserialize<'de> for Lang {
        fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Lang, D::Error> {
            d.deserialize_map(Language).map(Lang)
        }
    }
    ciborium::de::from_reader::<Lang, _>(bytes).ok()?.0
}

/// The nearest style sourcebook knows, or an example of one.
fn style_help(name: &str) -> String {
    let known = ArchivedStyle::all()
        .iter()
        .filter(|s| matches!(s.get(), Style::Independent(_)))
        .flat_map(|s| s.names().iter().copied());
    match crate::diagnostics::nearest(name, known) {
        Some(n) if n != name => format!("did you mean `{n}`?"),
        _ => "use the short name of a CSL style sourcebook knows, e.g. `american-medical-association` or `apa`".into(),
    }
}

/// Fill in `formatted` (HTML) and `plain` for every source, in the style
/// `citation_style` names; a name that is not a style hayagriva bundles (as
/// an independent style) is an `invalid-value` error at that key.
pub(crate) fn format_all(bib: &mut Bibliography, config: &Config, locales: &Locales) -> Option<Diagnostic> {
    let style_name = config.citation_style.as_str();
    let Some(Style::Independent(style)) = ArchivedStyle::by_name(style_name).map(ArchivedStyle::get) else {
        let unknown = Diagnostic::error(Code::InvalidValue, format!("unknown citation style `{style_name}`"))
            .with_help(style_help(style_name));
        return Some(match &config.citation_style_at {
            Some(at) => unknown.with_span(at.clone()),
            None => unknown.in_file(crate::config::FILE),
        });
    };
    let locales = &locales.0;
    let entries: Vec<&hayagriva::Entry> = bib.sources.values().map(|s| &s.entry).collect();
    // A numeric style formats each reference on its own, so the references
    // can be formatted in parallel, in chunks with a driver each. Author-date
    // styles disambiguate across references ("2019a", "2019b"): one driver.
    let numeric =
        style.info.category.iter().any(|c| {
            matches!(c, StyleCategory::CitationFormat { format: CitationFormat::Numeric | CitationFormat::Note })
        });
    let incomplete: HashSet<&str> =
        bib.sources.values().filter(|s| s.authors_incomplete).map(|s| s.id.as_str()).collect();
    let rendered: Vec<(String, Html, String)> =
        entries.par_chunks(chunk_size(numeric)).flat_map_iter(|c| render(c, &style, locales, &incomplete)).collect();
    for item in rendered {
        if let Some(source) = bib.sources.get_mut(&item.0) {
            source.formatted = item.1;
            source.plain = item.2;
        }
    }
    let et_al = et_al(&style, locales);
    for source in bib.sources.values_mut() {
        source.narrative = narrative(&source.entry, source.authors_incomplete, &et_al);
    }
    None
}

/// The style's words for "and others" after a first author: its own
/// locale's `et-al` term, else US English's ("et al.", as AMA has it).
fn et_al(style: &IndependentStyle, locales: &[hayagriva::citationberg::Locale]) -> String {
    use hayagriva::citationberg::taxonomy::{OtherTerm, Term};
    use hayagriva::citationberg::{LocaleCode, TermForm};
    let term = |l: &hayagriva::citationberg::Locale| {
        l.term(Term::Other(OtherTerm::EtAl), TermForm::Long).and_then(|t| t.single()).map(str::to_string)
    };
    let us = LocaleCode::en_us();
    style
        .locale
        .iter()
        .find_map(term)
        .or_else(|| locales.iter().filter(|l| l.lang.as_ref() == Some(&us)).find_map(term))
        .unwrap_or_else(|| "et al.".into())
}

/// How running text names a source (`@id`, "Anand et al found …"): the
/// first author's family name, both of two ("Anand and Mathew"), or the
/// first and `et_al` for three or more (or an incomplete list); a source
/// without authors is named by its title. Numeric styles such as AMA put no
/// names in their citations, so hayagriva has none to give; this is how
/// the AMA manual names authors in text.
fn narrative(entry: &hayagriva::Entry, incomplete: bool, et_al: &str) -> String {
    let authors = entry.authors().unwrap_or_default();
    let family = |p: &hayagriva::types::Person| match &p.prefix {
        Some(prefix) => format!("{prefix} {}", p.name),
        None => p.name.clone(),
    };
    match authors {
        [] => entry.title().map(|t| t.value.to_string()).unwrap_or_default(),
        [one] if !incomplete => family(one),
        [a, b] if !incomplete => format!("{} and {}", family(a), family(b)),
        [first, ..] => format!("{} {et_al}", family(first)),
    }
}

/// References per citeproc driver: [`super::CHUNK`] for numeric styles,
/// everything in one for the others.
fn chunk_size(numeric: bool) -> usize {
    if numeric { super::CHUNK } else { usize::MAX }
}

fn render(
    entries: &[&hayagriva::Entry],
    style: &IndependentStyle,
    locales: &[hayagriva::citationberg::Locale],
    incomplete: &HashSet<&str>,
) -> Vec<(String, Html, String)> {
    let mut driver = BibliographyDriver::new();
    for entry in entries {
        driver.citation(CitationRequest::from_items(vec![CitationItem::with_entry(*entry)], style, locales));
    }
    let result = driver.finish(BibliographyRequest::new(style, None, locales));
    let Some(bibliography) = result.bibliography else { return Vec::new() };
    bibliography
        .items
        .into_iter()
        .map(|item| {
            let et_al = incomplete.contains(item.key.as_str());
            let html = Writer::write(&item.content.0, true, et_al);
            let plain = Writer::write(&item.content.0, false, et_al);
            // every piece of text and every URL went through the `Writer`
            (item.key, Html::trusted(html.trim().to_string()), plain.trim().to_string())
        })
        .collect()
}

/// hayagriva's output tree as HTML (or plain text), node by node: its text
/// escaped, its links through the URL policy (a refused one is left as
/// text), its formatting as elements (no inline styles). hayagriva's own
/// HTML writer copies text as it is, so a source title could hold markup.
struct Writer {
    out: String,
    html: bool,
    /// The source's author list is known to be incomplete
    /// (`authors-incomplete: true`): the author names end with "et al"
    /// unless the style already shortened them.
    et_al: bool,
}

impl Writer {
    fn write(children: &[ElemChild], html: bool, et_al: bool) -> String {
        let mut w = Writer { out: String::new(), html, et_al };
        w.children(children);
        w.out
    }

    fn text(&mut self, text: &str) {
        if self.html {
            html::escape_into(&mut self.out, text);
        } else {
            self.out.push_str(text);
        }
    }

    fn tag(&mut self, tag: &str) {
        if self.html {
            self.out.push_str(tag);
        }
    }

    fn children(&mut self, children: &[ElemChild]) {
        for child in children {
            match child {
                ElemChild::Text(t) => self.formatted(t),
                ElemChild::Elem(e) => self.elem(e),
                // meant for Typst: text here
                ElemChild::Markup(m) => self.text(m),
                ElemChild::Link { text, url } if html::check_url(url).is_ok() => {
                    self.tag("<a href=\"");
                    self.tag(&href(&identifier_link(url)));
                    self.tag("\">");
                    self.formatted(text);
                    self.tag("</a>");
                }
                ElemChild::Link { text, .. } => self.formatted(text),
                ElemChild::Transparent { .. } => {}
            }
        }
    }

    fn elem(&mut self, elem: &Elem) {
        use hayagriva::citationberg::Display;
        use hayagriva::citationberg::taxonomy::NameVariable;
        let class = match elem.display {
            Some(Display::Block) => Some("csl-block"),
            Some(Display::Indent) => Some("csl-indent"),
            Some(Display::LeftMargin) => Some("csl-left-margin"),
            Some(Display::RightInline) => Some("csl-right-inline"),
            None => None,
        };
        if let Some(class) = class {
            self.tag(&format!("<div class=\"{class}\">"));
        }
        let start = self.out.len();
        self.children(&elem.children.0);
        let authors = matches!(&elem.meta, Some(hayagriva::ElemMeta::Names(names))
            if names.iter().any(|(_, v)| *v == NameVariable::Author));
        if self.et_al && authors {
            self.et_al = false;
            if !self.out[start..].contains("et al") {
                self.text(", et al");
            }
        }
        if class.is_some() {
            self.tag("</div>");
        }
    }

    fn formatted(&mut self, text: &Formatted) {
        use hayagriva::citationberg::{FontStyle, FontVariant, FontWeight, TextDecoration, VerticalAlign};
        let Formatting { font_style, font_variant, font_weight, text_decoration, vertical_align } = text.formatting;
        let mut close: Vec<&str> = Vec::new();
        let mut open = |w: &mut Writer, tag: &'static str, end: &'static str| {
            w.tag(tag);
            close.push(end);
        };
        if font_style == FontStyle::Italic {
            open(self, "<i>", "</i>");
        }
        match font_weight {
            FontWeight::Bold => open(self, "<b>", "</b>"),
            FontWeight::Light => open(self, "<span class=\"csl-light\">", "</span>"),
            FontWeight::Normal => {}
        }
        if font_variant == FontVariant::SmallCaps {
            open(self, "<span class=\"csl-small-caps\">", "</span>");
        }
        if text_decoration == TextDecoration::Underline {
            open(self, "<u>", "</u>");
        }
        match vertical_align {
            VerticalAlign::Sup => open(self, "<sup>", "</sup>"),
            VerticalAlign::Sub => open(self, "<sub>", "</sub>"),
            _ => {}
        }
        self.text(&text.text);
        for end in close.iter().rev() {
            self.tag(end);
        }
    }
}

/// A link the style makes of an identifier (its resolver's address and the
/// identifier as written) with the identifier encoded as the source's own
/// links encode it: `10.5555/a#b` is one DOI, not `10.5555/a` and a
/// fragment.
fn identifier_link(url: &str) -> std::borrow::Cow<'_, str> {
    const RESOLVERS: [&str; 3] =
        ["https://doi.org/", "https://www.ncbi.nlm.nih.gov/pubmed/", "https://www.ncbi.nlm.nih.gov/pmc/articles/"];
    match RESOLVERS.iter().find_map(|r| url.strip_prefix(r).map(|id| (r, id))) {
        Some((resolver, id)) => format!("{resolver}{}", html::path_component(id)).into(),
        None => url.into(),
    }
}

/// A URL as an `href` value: characters a URL may not hold percent-encoded
/// (as pulldown-cmark writes Markdown links), then escaped for the attribute.
fn href(url: &str) -> String {
    let mut encoded = String::with_capacity(url.len());
    let _ = pulldown_cmark_escape::escape_href(&mut encoded, url);
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The style's own link for an identifier encodes it as the source's
    /// other links do: a `#` in a DOI (SICI DOIs have them) is part of it.
    #[test]
    fn an_identifier_s_link_encodes_what_a_url_would_read_otherwise() {
        assert_eq!(identifier_link("https://doi.org/10.5555/a#b?c"), "https://doi.org/10.5555/a%23b%3Fc");
        assert_eq!(identifier_link("https://doi.org/10.1056/NEJMoa2302399"), "https://doi.org/10.1056/NEJMoa2302399");
        assert_eq!(identifier_link("https://example.org/a#b"), "https://example.org/a#b");
    }

    /// A site whose `citation_style` is the default, AMA.
    fn ama() -> Config {
        Config::parse("title: T\nbase_url: https://example.org/\n").expect("a valid site.yaml")
    }
    use crate::diagnostics::Span;
    use crate::sources::Source;

    fn source(yaml: &str, id: &str) -> Source {
        let library = hayagriva::io::from_yaml_str(yaml).unwrap();
        Source {
            id: id.into(),
            entry: library.get(id).unwrap().clone(),
            evidence: None,
            span: Span::at("s.yaml", yaml, 0),
            formatted: Html::default(),
            plain: String::new(),
            narrative: String::new(),
            authors_incomplete: false,
            content: Default::default(),
        }
    }

    #[test]
    fn an_incomplete_author_list_ends_in_et_al_once() {
        let yaml = |authors: &str| {
            format!(
                "a:\n  type: article\n  title: A trial\n  author: [{authors}]\n  date: 2019\n  parent: {{ type: periodical, title: {{ value: J, short: J }} }}\n"
            )
        };
        let plain = |authors: &str, incomplete: bool| {
            let mut bib = Bibliography::default();
            let mut s = source(&yaml(authors), "a");
            s.authors_incomplete = incomplete;
            bib.sources.insert("a".into(), s);
            format_all(&mut bib, &ama(), &Locales::load("american-medical-association"));
            (bib.sources["a"].plain.clone(), bib.sources["a"].formatted.to_string())
        };
        let (text, html) = plain("\"Fedgchin, Maggie\"", true);
        assert_eq!(text, "Fedgchin M, et al. A trial. J. Published online 2019.");
        assert!(html.starts_with("Fedgchin M, et al. "), "{html}");
        assert_eq!(plain("\"Fedgchin, Maggie\"", false).0, "Fedgchin M. A trial. J. Published online 2019.");
        // seven names: the style shortens them itself, and says "et al" once
        let seven = (1..=7).map(|i| format!("\"Author{i}, A\"")).collect::<Vec<_>>().join(", ");
        assert_eq!(plain(&seven, true).0, "Author1 A, Author2 A, Author3 A, et al. A trial. J. Published online 2019.");
    }

    #[test]
    fn ama_reference_for_a_journal_article() {
        let yaml = r#"
anand2023:
  type: article
  title: Ketamine versus ECT for nonpsychotic treatment-resistant major depression
  author: ["Anand, Amit", "Mathew, Sanjay J.", "Sanacora, Gerard", "Murrough, James W.", "Iosifescu, Dan V.", "Shao, Lin", "Hu, Bo"]
  date: 2023-06-22
  page-range: 2315-2325
  serial-number: { doi: "10.1056/NEJMoa2302399", pmid: "37224232" }
  parent:
    type: periodical
    title: { value: New England Journal of Medicine, short: N Engl J Med }
    volume: 388
    issue: 25
"#;
        let mut bib = Bibliography::default();
        bib.sources.insert("anand2023".into(), source(yaml, "anand2023"));
        format_all(&mut bib, &ama(), &Locales::load("american-medical-association"));
        let plain = &bib.sources["anand2023"].plain;
        assert_eq!(
            plain,
            "Anand A, Mathew SJ, Sanacora G, et al. Ketamine versus ECT for nonpsychotic treatment-resistant major depression. N Engl J Med. 2023;388(25):2315-2325. doi:10.1056/NEJMoa2302399"
        );
        // in running text: the first author and the style's "et al."
        assert_eq!(bib.sources["anand2023"].narrative, "Anand et al.");
    }

    #[test]
    fn running_text_names_one_two_or_the_first_of_many_authors() {
        let yaml = r#"
one: { type: article, title: A, author: ["Anand, Amit"], date: 2020 }
two: { type: article, title: B, author: ["Anand, Amit", "van Mathew, Sanjay"], date: 2020 }
cut: { type: article, title: C, author: ["Anand, Amit"], date: 2020 }
none: { type: web, title: Ketamine facts, date: 2020 }
"#;
        let mut bib = Bibliography::default();
        for id in ["one", "two", "cut", "none"] {
            bib.sources.insert(id.into(), source(yaml, id));
        }
        bib.sources.get_mut("cut").unwrap().authors_incomplete = true;
        let names = |bib: &Bibliography| ["one", "two", "cut", "none"].map(|id| bib.sources[id].narrative.clone());
        format_all(&mut bib, &ama(), &Locales::load("american-medical-association"));
        assert_eq!(names(&bib), ["Anand", "Anand and van Mathew", "Anand et al.", "Ketamine facts"]);
    }

    #[test]
    fn every_style_formats_alike_with_its_own_locales_and_with_all() {
        // what citeproc looks up in the locales: dates, "and", "et al.",
        // "edited by", "accessed", ordinals, page labels, quotes
        let yaml = r#"
art: { type: article, title: A trial of "ketamine", author: ["Anand, Amit", "Mathew, Sanjay", "Hu, Bo", "Shao, Lin", "Iosifescu, Dan", "Sanacora, Gerard", "Murrough, James"], date: 2023-06-22, page-range: 2315-2325, parent: { type: periodical, title: N Engl J Med, volume: 388, issue: 25 } }
book: { type: book, title: Depression, author: ["Beck, Aaron"], editor: ["Alford, Brad"], date: 2009, edition: 2, publisher: Univ Press }
web: { type: web, title: Esketamine label, date: 2025-01-21, url: { value: "https://example.org/label", date: 2025-02-03 } }
"#;
        let entries: Vec<hayagriva::Entry> = ["art", "book", "web"].iter().map(|id| source(yaml, id).entry).collect();
        let entries: Vec<&hayagriva::Entry> = entries.iter().collect();
        let all = hayagriva::archive::locales();
        let mut styles = 0;
        for archived in ArchivedStyle::all() {
            let Style::Independent(style) = archived.get() else { continue };
            let name = archived.names()[0];
            let own = Locales::load(name);
            assert!(own.0.len() < all.len(), "{name}: {} locales", own.0.len());
            assert_eq!(
                render(&entries, &style, &own.0, &HashSet::new()),
                render(&entries, &style, &all, &HashSet::new()),
                "{name}"
            );
            assert_eq!(et_al(&style, &own.0), et_al(&style, &all), "{name}");
            styles += 1;
        }
        assert!(styles > 50, "{styles} styles");
    }

    #[test]
    fn chunked_formatting_equals_one_driver() {
        // enough sources to be formatted in several chunks
        assert!(chunk_size(true) < 300, "300 references are split");
        let mut bib = Bibliography::default();
        for i in 0..300 {
            let id = format!("s{i}");
            let yaml = format!(
                "{id}:\n  type: article\n  title: Study {i}\n  author: [\"Author{}, A.\"]\n  date: {}\n  parent: {{ type: periodical, title: J{} }}\n",
                i % 7,
                1990 + i % 30,
                i % 5
            );
            bib.sources.insert(id.clone(), source(&yaml, &id));
        }
        format_all(&mut bib, &ama(), &Locales::load("american-medical-association"));
        let style = ArchivedStyle::by_name("american-medical-association").map(ArchivedStyle::get);
        let Some(Style::Independent(style)) = style else { panic!("AMA is built in") };
        let entries: Vec<&hayagriva::Entry> = bib.sources.values().map(|s| &s.entry).collect();
        let one = render(&entries, &style, &hayagriva::archive::locales(), &HashSet::new());
        assert_eq!(one.len(), 300);
        for (id, html, _) in one {
            assert_eq!(bib.sources[&id].formatted, html, "{id}");
        }
    }
}
