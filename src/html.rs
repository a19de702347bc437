//! The boundary between what authors, sources and configuration write and
//! what a reader's browser runs.
//!
//! - [`Html`]: markup that may be printed as it is. Only three things make
//!   one: [`Html::escape`] (any text, escaped), the Markdown renderer and the
//!   reference formatter (each through [`Html::trusted`], which
//!   `tests/it/security.rs` allows nowhere else). Templates receive it as
//!   markup; every other string they print is escaped by [`escape_into`],
//!   Tera's escape function for the whole site.
//! - [`check_url`]: the one URL policy, applied wherever a URL from input is
//!   written (Markdown links and images, source links, site.yaml URLs,
//!   `--base-url`, JSON-LD, feed, sitemap).
//! - [`xml_text`]: text for the feed and the sitemap, without the characters
//!   XML 1.0 does not allow.

use std::fmt;

/// HTML that is safe to print as it is: escaped text, or the output of one
/// of the renderers that escape every piece of input they place in it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Html(String);

impl Html {
    /// `text` as HTML: `<`, `>`, `&`, `"` and `'` escaped, NUL and other
    /// control characters replaced.
    pub fn escape(text: &str) -> Html {
        let mut out = String::with_capacity(text.len());
        escape_into(&mut out, text);
        Html(out)
    }

    /// Markup built by a renderer that escapes every piece of input it
    /// places in it. Called only by `markdown` and `sources::format`.
    pub(crate) fn trusted(html: String) -> Html {
        Html(html)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }
}

/// Reading markup as text is always safe; only making it is guarded.
impl std::ops::Deref for Html {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Html {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a control character becomes in HTML: nothing a parser could take
/// for structure, and never NUL.
const REPLACEMENT: &str = "\u{FFFD}";

/// Append `text` to `out`, escaped for HTML text and attribute values.
pub(crate) fn escape_into(out: &mut String, text: &str) {
    escape_pieces(text, |piece| out.push_str(piece));
}

/// `text` escaped for HTML, handed to `emit` piece by piece (runs of text
/// as they are, and the replacement of each character that needs one), so
/// a writer needs no copy of the whole text: Tera's escape function writes
/// every printed value this way.
pub(crate) fn escape_pieces(text: &str, mut emit: impl FnMut(&str)) {
    // Bytes are looked at, not characters: every character that needs a
    // replacement is ASCII, a C1 control (U+0080–U+009F, bytes C2 80–C2 9F)
    // or a bidirectional control (bytes E2 80 AA–AE, E2 81 A6–A9), so the
    // other bytes of a multi-byte character are passed over.
    let bytes = text.as_bytes();
    let (mut last, mut i) = (0, 0);
    while i < bytes.len() {
        // most bytes are passed over: one table lookup each (the match
        // below, for every byte, was 3% of a build's CPU in Tera's escaping)
        if !MAY_NEED_ESCAPE[usize::from(bytes[i])] {
            i += 1;
            continue;
        }
        let b = bytes[i];
        let (with, width) = match b {
            b'<' => ("&lt;", 1),
            b'>' => ("&gt;", 1),
            b'&' => ("&amp;", 1),
            b'"' => ("&quot;", 1),
            b'\'' => ("&#39;", 1),
            b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            0..=0x1f | 0x7f => (REPLACEMENT, 1),
            0xc2 if bytes.get(i + 1).is_some_and(|n| (0x80..=0x9f).contains(n)) => (REPLACEMENT, 2),
            0xe2 if is_bidi_control(&bytes[i..]) => (REPLACEMENT, 3),
            _ => {
                i += 1;
                continue;
            }
        };
        // `i` is at a character's first byte: every byte matched above is one
        emit(&text[last..i]);
        emit(with);
        i += width;
        last = i;
    }
    emit(&text[last..]);
}

/// The bytes [`escape_pieces`] looks at again: those that are replaced,
/// and the first bytes of the characters that may be.
static MAY_NEED_ESCAPE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = matches!(b as u8, b'<' | b'>' | b'&' | b'"' | b'\'' | 0..=0x1f | 0x7f | 0xc2 | 0xe2)
            && !matches!(b as u8, b'\t' | b'\n' | b'\r');
        b += 1;
    }
    table
};

/// Whether `bytes` start with a bidirectional embedding, override or
/// isolate (U+202A–U+202E, U+2066–U+2069): one left unclosed reorders the
/// rest of its paragraph as readers see it ("Trojan Source"), so a text
/// can show words in another order than the one written, and checked.
fn is_bidi_control(bytes: &[u8]) -> bool {
    matches!(bytes, [0xe2, 0x80, 0xaa..=0xae, ..] | [0xe2, 0x81, 0xa6..=0xa9, ..])
}

/// `text` with each bidirectional control replaced by U+FFFD, nothing else
/// changed; `None` when it holds none (a byte search: most texts hold none,
/// and are not copied).
pub(crate) fn without_bidi_controls(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    if !memchr::memchr_iter(0xe2, bytes).any(|i| is_bidi_control(&bytes[i..])) {
        return None;
    }
    Some(text.chars().map(|c| if is_bidi_char(c) { '\u{FFFD}' } else { c }).collect())
}

/// A bidirectional embedding, override or isolate (see [`is_bidi_control`]).
pub(crate) fn is_bidi_char(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `text` escaped for HTML, as a `String` (for markup built by hand).
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(&mut out, text);
    out
}

/// `text` for an XML 1.0 document (feed, sitemap): markup characters
/// escaped, and characters XML 1.0 does not allow (control characters other
/// than tab, newline and carriage return; U+FFFE, U+FFFF) left out.
pub(crate) fn xml_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            '\u{FFFE}' | '\u{FFFF}' => {}
            c if is_bidi_char(c) => out.push('\u{FFFD}'),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
    out
}

/// The URL schemes a page may link to; anything else (`javascript:`,
/// `vbscript:`, `data:`, `file:` …) is refused.
pub(crate) const ALLOWED_SCHEMES: &[&str] = &["http", "https", "mailto", "tel", "sms"];

/// Why a URL is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum UnsafeUrl {
    /// A scheme outside [`ALLOWED_SCHEMES`] (lowercased).
    Scheme(String),
    /// A control character, which browsers drop or mangle.
    Control,
    /// `http(s)` without its `//` or a host, or no scheme where the link
    /// must lead to the same place from every page.
    NotAbsolute,
    /// A user name or password before the host (`https://nhs.uk@evil.example/`).
    Credentials,
    /// A `tel:` or `sms:` link (its scheme) with no phone number: nothing,
    /// or letters, where a phone needs digits.
    NoNumber(String),
}

impl fmt::Display for UnsafeUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnsafeUrl::Scheme(s) => write!(f, "the `{s}:` scheme is not allowed"),
            UnsafeUrl::Control => f.write_str("it contains a control character"),
            UnsafeUrl::NotAbsolute => f.write_str(
                "it is not a full address, so from pages at different depths it would lead to different places",
            ),
            UnsafeUrl::Credentials => f.write_str(
                "it has a user name or password before an `@`: the site it seems to name is not the one it leads to, and a password would be published",
            ),
            UnsafeUrl::NoNumber(s) => write!(
                f,
                "a `{s}:` link needs a phone number after `{s}:` (digits, with `+`, spaces, `-`, `.` or brackets)"
            ),
        }
    }
}

/// The scheme of `url` as a browser reads it, lowercased, or `None` for a
/// relative URL. A browser drops tabs and line breaks anywhere in a URL and
/// control characters and spaces around it, so `java\tscript:` is read as
/// `javascript:`; so is it here.
pub(crate) fn scheme(url: &str) -> Option<String> {
    let url = url.trim_matches(|c: char| c <= ' ');
    let mut name = String::new();
    for c in url.chars() {
        match c {
            '\t' | '\n' | '\r' => continue,
            ':' => return (!name.is_empty()).then_some(name),
            c if c.is_ascii_alphabetic() => name.push(c.to_ascii_lowercase()),
            c if !name.is_empty() && (c.is_ascii_digit() || matches!(c, '+' | '-' | '.')) => name.push(c),
            _ => return None,
        }
    }
    None
}

/// The URL policy: relative URLs and [`ALLOWED_SCHEMES`] pass; any other
/// scheme, `http:` or `https:` without its `//` (`https:host` is a path
/// relative to an https page for a browser, and another site from an http
/// one), and any control character, are refused.
pub(crate) fn check_url(url: &str) -> Result<(), UnsafeUrl> {
    if let Some(s) = scheme(url) {
        if !ALLOWED_SCHEMES.contains(&s.as_str()) {
            return Err(UnsafeUrl::Scheme(s));
        }
        if matches!(s.as_str(), "http" | "https") {
            let url = written(url);
            let Some(rest) = url.get(s.len()..).and_then(|r| r.strip_prefix("://")) else {
                return Err(UnsafeUrl::NotAbsolute);
            };
            // the authority ends where a browser ends it (`\` is `/` in an
            // http address), and where a reader ends it, who takes a `\`
            // for part of the name: `https://evil.example\@988lifeline.org/`
            // seems to name the site after the `@` and leads to the one before
            let authority = |ends: &[char]| rest.split(ends).next().unwrap_or_default().contains('@');
            if authority(&['/', '\\', '?', '#']) || authority(&['/', '?', '#']) {
                return Err(UnsafeUrl::Credentials);
            }
        }
        if matches!(s.as_str(), "tel" | "sms") {
            // the number, before any parameters (`;ext=`) or message (`?body=`)
            let url = written(url);
            let number = url[s.len() + 1..].split([';', '?']).next().unwrap_or_default().replace("%20", " ");
            let phone = |c: char| c.is_ascii_digit() || matches!(c, '+' | '-' | '.' | '(' | ')' | ' ' | '*' | '#');
            if !number.chars().any(|c| c.is_ascii_digit()) || !number.chars().all(phone) {
                return Err(UnsafeUrl::NoNumber(s));
            }
        }
    }
    if url.chars().any(|c| c.is_control()) {
        return Err(UnsafeUrl::Control);
    }
    Ok(())
}

/// `url` as a browser reads it: tabs and line breaks anywhere dropped, and
/// control characters and spaces around it.
fn written(url: &str) -> String {
    url.trim_matches(|c: char| c <= ' ').chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect()
}

/// The URL policy for a link every page carries (site.yaml's crisis links,
/// `feedback_url`, the accessibility contact): [`check_url`], and a full
/// address, `http(s)` with a host or `mailto:`, `tel:`, `sms:`. A relative
/// one would lead somewhere else from each depth of the site, and `//host`
/// to another site under no scheme's check.
pub(crate) fn check_absolute_url(url: &str) -> Result<(), UnsafeUrl> {
    check_url(url)?;
    match scheme(url).as_deref() {
        None => Err(UnsafeUrl::NotAbsolute),
        Some("http" | "https") => match url::Url::parse(&written(url)) {
            Ok(parsed) if parsed.host_str().is_some_and(|h| !h.is_empty()) => Ok(()),
            _ => Err(UnsafeUrl::NotAbsolute),
        },
        Some(_) => Ok(()),
    }
}

/// An absolute `http(s)` URL with a host, as `base_url` must be. Returns why
/// not, in words for a diagnostic.
pub(crate) fn check_base_url(url: &str) -> Result<(), String> {
    let parsed = url::Url::parse(url).map_err(|e| format!("`{url}` is not an absolute URL ({e})"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!("`{url}` is not an http(s) URL"));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(format!("`{url}` has no host"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(format!(
            "`{url}` has a user name or password before its host: it would be published in every page, the feed and the sitemap"
        ));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(format!("`{url}` has a query or fragment; a base URL is a folder"));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '<' | '>' | '\'' | '`')) {
        return Err(format!("`{url}` contains a space, quote or angle bracket"));
    }
    if parsed.host_str().is_some_and(|h| h.starts_with('.') || h.contains("..")) {
        return Err(format!("`{url}` has no host name: a host is names between dots"));
    }
    // every page's canonical address, the sitemap and the feed are made from
    // it as written: it must be the address a browser would go to
    let written = url.strip_suffix('/').unwrap_or(url);
    let browser = parsed.as_str();
    if written != browser.strip_suffix('/').unwrap_or(browser) {
        return Err(format!("`{url}` is the address `{browser}`: write that"));
    }
    Ok(())
}

/// A DOI or another identifier as one path of a resolver URL: reserved and
/// unsafe characters percent-encoded, `/` kept (a DOI's suffix may hold it).
pub(crate) fn path_component(id: &str) -> String {
    use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
    const PATH: &AsciiSet =
        &CONTROLS.add(b' ').add(b'"').add(b'#').add(b'%').add(b'<').add(b'>').add(b'?').add(b'`').add(b'{').add(b'}');
    const MORE: &AsciiSet = &PATH.add(b'\'').add(b'\\').add(b'^').add(b'|').add(b'[').add(b']');
    utf8_percent_encode(id, MORE).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_leaves_no_markup_and_no_nul() {
        let e = Html::escape("<script>\"x\" & 'y'\0\u{7}</script>");
        assert_eq!(e.as_str(), "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;\u{FFFD}\u{FFFD}&lt;/script&gt;");
    }

    /// The escaper as first written: character by character.
    fn escape_by_chars(text: &str) -> String {
        let mut out = String::new();
        for c in text.chars() {
            match c {
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '&' => out.push_str("&amp;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&#39;"),
                '\t' | '\n' | '\r' => out.push(c),
                c if c.is_control() => out.push_str(REPLACEMENT),
                '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => out.push_str(REPLACEMENT),
                c => out.push(c),
            }
        }
        out
    }

    #[test]
    fn escaping_byte_by_byte_equals_escaping_character_by_character() {
        // every ASCII and Latin-1 character, others of two, three and four
        // bytes (whose later bytes look like C1 controls' second bytes), each
        // alone, in pairs and in a run
        let mut chars: Vec<char> = (0u32..0x100).filter_map(char::from_u32).collect();
        chars.extend(['\u{0100}', '\u{0180}', '\u{0880}', '\u{2028}', '\u{2029}', '\u{FEFF}', '\u{FFFD}', '\u{FFFF}']);
        // the bidirectional controls (replaced) and their neighbours (kept),
        // and the curly quotes that share their first bytes
        chars.extend(('\u{2018}'..='\u{2030}').chain('\u{2060}'..='\u{206F}'));
        chars.extend(['\u{10080}', '\u{1F600}', '\u{E0001}', '\u{10FFFF}']);
        let all: String = chars.iter().collect();
        let mut texts = vec![String::new(), all.clone(), all.chars().rev().collect()];
        for &a in &chars {
            for &b in &chars {
                texts.push(format!("{a}{b}x"));
            }
        }
        for text in &texts {
            assert_eq!(Html::escape(text).as_str(), escape_by_chars(text), "{text:?}");
        }
    }

    #[test]
    fn the_url_policy_reads_schemes_as_a_browser_does() {
        for ok in [
            "https://a.org/x",
            "http://a.org",
            "HTTPS://a.org",
            "mailto:a@b.org",
            "tel:988",
            "sms:741741",
            "../x.md",
            "#top",
        ] {
            assert_eq!(check_url(ok), Ok(()), "{ok}");
        }
        // an http(s) address without its `//` is a relative path on an https page
        for bad in ["https:evil.org", "https:/evil.org", "HTTP:evil.org", " https:\\\\evil.org"] {
            assert_eq!(check_url(bad), Err(UnsafeUrl::NotAbsolute), "{bad:?}");
        }
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            " javascript:alert(1)",
            "java\tscript:alert(1)",
            "java\nscript:alert(1)",
            "\u{1}javascript:alert(1)",
            "vbscript:x",
            "data:text/html,hi",
            "file:///etc/passwd",
            "x:y/z",
        ] {
            assert!(check_url(bad).is_err(), "{bad:?}");
        }
        // a user name or password before the host: the address shown is not where it leads
        for bad in [
            "https://www.nhs.uk@evil.example/",
            "https://user:s3cret@example.org/",
            "HTTP://a@b.org",
            "https://\ta@b.org/x",
            "https://@evil.example",
            // a `\` a browser reads as `/`: it leads to evil.example
            "http://evil.example\\@988lifeline.org/",
            "https://evil.example\\x@nhs.uk",
        ] {
            assert_eq!(check_url(bad), Err(UnsafeUrl::Credentials), "{bad:?}");
        }
        // a phone link needs a number
        for bad in ["tel:", "tel: ", "sms:", "tel:javascript:alert(1)", "tel:call-us", "sms:?body=hi", "TEL:x1"] {
            assert!(matches!(check_url(bad), Err(UnsafeUrl::NoNumber(_))), "{bad:?}");
        }
        for ok in
            ["tel:988", "tel:+44 116 123", "tel:+1-800-273-8255;ext=1", "sms:988?body=HOME", "tel:(020)%207946.0000"]
        {
            assert_eq!(check_url(ok), Ok(()), "{ok}");
        }
        for ok in ["https://a.org/@name", "https://a.org/x?to=a@b.org", "https://a.org/#@x", "mailto:a@b.org"] {
            assert_eq!(check_url(ok), Ok(()), "{ok}");
        }
        assert!(
            check_base_url("https://user:s3cret@staging.example.org/").unwrap_err().contains("user name or password")
        );
        // no scheme: a path with a colon after a slash, a query or a fragment
        assert_eq!(scheme("a/b:c"), None);
        assert_eq!(scheme("?a:b"), None);
        assert_eq!(scheme("#a:b"), None);
        assert_eq!(scheme("1a:b"), None);
    }

    #[test]
    fn base_urls_are_absolute_http_with_a_host() {
        assert!(check_base_url("https://example.org/ketamine/").is_ok());
        for bad in [
            "example.org",
            "javascript:alert(1)//",
            "https://",
            "https://a.org/\"><script>",
            "file:///x/",
            "https://a.org/?q=1",
        ] {
            assert!(check_base_url(bad).is_err(), "{bad}");
        }
        // used as written in every canonical address, the sitemap and the
        // feed: the address a browser goes to, or refused naming it (all of
        // these were published as typed)
        for (written, browser) in [
            ("https://example.org/sub/../x/", "https://example.org/x/"),
            ("https://example.org/%2e%2e/x/", "https://example.org/x/"),
            ("https://Example.ORG/", "https://example.org/"),
            ("https://ελληνικά.com/", "https://xn--hxargifdar.com/"),
        ] {
            let why = check_base_url(written).unwrap_err();
            assert!(why.ends_with(&format!("is the address `{browser}`: write that")), "{written}: {why}");
        }
        assert!(check_base_url("https://.../").unwrap_err().contains("no host name"));
        for ok in ["https://example.org", "https://example.org/ketamine", "http://localhost:8080/a/b/"] {
            assert_eq!(check_base_url(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn xml_text_drops_what_xml_forbids() {
        assert_eq!(xml_text("a\u{1}b\u{FFFF}<c>\t"), "ab&lt;c&gt;\t");
    }

    #[test]
    fn identifiers_are_percent_encoded_into_paths() {
        assert_eq!(path_component("10.1000/a\"b c<d>#e?"), "10.1000/a%22b%20c%3Cd%3E%23e%3F");
        assert_eq!(path_component("10.1002/(SICI)1097"), "10.1002/(SICI)1097");
    }
}
