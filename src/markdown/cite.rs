//! Finding citations in a run of text, in the forms Pandoc and Quarto
//! authors write: `[@id]`, `[@a; @b]`, `[see @id, p. 5]` (a prefix and a
//! locator), `[-@id]` (author suppressed) and `@id` in running text
//! (narrative, optionally followed by a locator in brackets, `@id [p. 5]`).
//! An `@` after a letter or digit (an e-mail address) or escaped as `\@`
//! is not a citation. Whether an id names a source is for `markdown` to
//! ask; this module only reads the text.

use std::ops::Range;

/// One source cited, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct CiteItem {
    pub id: String,
    /// Words before the `@`: `see`, `e.g.`.
    pub prefix: Option<String>,
    /// Words after the id and its comma: `p. 5`, `chap. 2`.
    pub locator: Option<String>,
    /// `-@id`: the author left out (a numeric style shows none anyway).
    pub suppress_author: bool,
    /// Where the `@` is in the text.
    pub at: usize,
}

/// What a piece of text citing something is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Found {
    /// `[@a; see @b, p. 5]`: a citation in brackets.
    Bracket(Vec<CiteItem>),
    /// `@id` or `@id [p. 5]` in running text.
    Narrative(CiteItem),
    /// Brackets that hold an `@id` but cannot be read as a citation; the
    /// position of its first `@`.
    Malformed(usize),
    /// Brackets that open as a citation with an `@` that no id follows
    /// (`[@ id]`, `[@@id]`, `[@]`); the position of the `@`. Left as it
    /// is, the page would show the brackets and its claim no source.
    NoId(usize),
    /// A `[` before an `@id` whose `]` is not in the same run of plain
    /// text (markup or a line break between them: `[@id, p. *5*]`); the
    /// position of the `@`. Read on, its `@id` would be a citation in
    /// running text, between a stray `[` and `]`.
    Unclosed(usize),
}

/// Every citation in `text`, with its byte range, in order. `escaped(i)`:
/// whether the character at `i` was written escaped (`\@`).
pub(super) fn find(text: &str, escaped: &dyn Fn(usize) -> bool) -> Vec<(Range<usize>, Found)> {
    let mut found = Vec::new();
    let mut pos = 0;
    // every character looked for is ASCII: found as bytes (SIMD), each at a character boundary
    let bytes = text.as_bytes();
    while let Some(i) = memchr::memchr2(b'[', b'@', &bytes[pos..]).map(|i| pos + i) {
        if bytes[i] == b'[' {
            let close = memchr::memchr2(b']', b'[', &bytes[i + 1..]).map(|c| i + 1 + c);
            let Some(close) = close.filter(|&c| text.as_bytes()[c] == b']') else {
                // no `]` before the text ends: a citation cut by markup
                if close.is_none()
                    && let Some(first) = cite_marks(&text[i + 1..]).find(|&j| !escaped(i + 1 + j))
                {
                    found.push((i..text.len(), Found::Unclosed(i + 1 + first)));
                    break;
                }
                pos = i + 1;
                continue;
            };
            let inner = &text[i + 1..close];
            let Some(first) = cite_marks(inner).find(|&j| !escaped(i + 1 + j)) else {
                if let Some(at) = opening_at(inner).filter(|&j| !escaped(i + 1 + j)) {
                    found.push((i..close + 1, Found::NoId(i + 1 + at)));
                    pos = close + 1;
                } else {
                    pos = i + 1;
                }
                continue;
            };
            let what = match parse_bracket(inner, i + 1) {
                Some(items) => Found::Bracket(items),
                None => Found::Malformed(i + 1 + first),
            };
            found.push((i..close + 1, what));
            pos = close + 1;
        } else {
            pos = i + 1;
            if !cite_mark(text, i) || escaped(i) {
                continue;
            }
            let id = id_at(&text[i + 1..]);
            let mut end = i + 1 + id.len();
            let mut locator = None;
            // `@id [p. 5]`: a locator in brackets right after the id
            let after = &text[end..];
            let gap = after.len() - after.trim_start_matches(' ').len();
            if let Some(rest) = after[gap..].strip_prefix('[')
                && let Some(c) =
                    memchr::memchr3(b']', b'[', b'@', rest.as_bytes()).filter(|&c| rest.as_bytes()[c] == b']')
                && !rest[..c].trim().is_empty()
            {
                locator = Some(rest[..c].trim().to_string());
                end += gap + 1 + c + 1;
            }
            let item = CiteItem { id: id.to_string(), prefix: None, locator, suppress_author: false, at: i };
            found.push((i..end, Found::Narrative(item)));
            pos = end;
        }
    }
    found
}

/// `found` with brackets side by side (`[@a][@b]`, `[@a] [@b]`) taken as
/// one (`[@a; @b]`): two superscripts would read as one number (² ³ as
/// "23"); one bracket's numbers are written `2,3`, and its punctuation
/// goes before them all.
pub(super) fn side_by_side_as_one(text: &str, found: Vec<(Range<usize>, Found)>) -> Vec<(Range<usize>, Found)> {
    let mut out: Vec<(Range<usize>, Found)> = Vec::with_capacity(found.len());
    for (range, f) in found {
        if let (Some((last, Found::Bracket(items))), Found::Bracket(more)) = (out.last_mut(), &f)
            && text[last.end..range.start].trim().is_empty()
        {
            items.extend(more.iter().cloned());
            last.end = range.end;
            continue;
        }
        out.push((range, f));
    }
    out
}

/// Whether the `@` at `i` of `text` starts a citation key: not after a
/// letter, digit or a character of an address (`a@b.org`, `x.@y`), and
/// followed by a letter, digit or `_`.
fn cite_mark(text: &str, i: usize) -> bool {
    let before = text[..i].chars().next_back();
    let after = text[i + 1..].chars().next();
    let key_start = after.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let free = before.is_none_or(|c| !(c.is_alphanumeric() || matches!(c, '.' | '_' | '+' | '%' | '@' | '/' | '\\')));
    key_start && free
}

/// Where `inner`, the text between brackets, opens with the `@` of a
/// citation (`@…`, `-@…`, after spaces).
fn opening_at(inner: &str) -> Option<usize> {
    let rest = inner.trim_start();
    let rest = rest.strip_prefix('-').unwrap_or(rest);
    rest.starts_with('@').then(|| inner.len() - rest.len())
}

/// The id a citation with no id after its `@` meant, when one follows the
/// spaces and `@`s (`[@ smith2020]`, `[@@smith2020]` → `smith2020`).
pub(super) fn meant_id(written: &str) -> Option<&str> {
    let inner = written.strip_prefix('[')?.strip_suffix(']')?;
    let at = opening_at(inner)?;
    let id = id_at(inner[at..].trim_start_matches(['@', ' ']));
    (!id.is_empty()).then_some(id)
}

/// The `@`s of `inner` that start a citation key.
fn cite_marks(inner: &str) -> impl Iterator<Item = usize> + '_ {
    inner.match_indices('@').map(|(j, _)| j).filter(|&j| cite_mark(inner, j))
}

/// The citation key at the start of `s`: letters, digits and `_-:.`, not
/// ending in `.` or `:` (the end of a sentence).
fn id_at(s: &str) -> &str {
    let len = s.find(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | '-' | ':' | '.'))).unwrap_or(s.len());
    s[..len].trim_end_matches(['.', ':'])
}

/// The items of `[…]` (its `inner` text, at `base` in the whole text): each
/// `;`-separated part is `[prefix ][-]@id[, locator]`.
fn parse_bracket(inner: &str, base: usize) -> Option<Vec<CiteItem>> {
    let mut items = Vec::new();
    let mut offset = 0;
    for part in inner.split(';') {
        let at = cite_marks(part).next()?;
        let before = &part[..at];
        let suppress_author = before.ends_with('-');
        let prefix = before.strip_suffix('-').unwrap_or(before).trim();
        let id = id_at(&part[at + 1..]);
        let tail = part[at + 1 + id.len()..].trim();
        let locator = match tail.strip_prefix(',') {
            Some(l) => Some(l.trim()).filter(|l| !l.is_empty()).map(str::to_string),
            None if tail.is_empty() => None,
            None => return None,
        };
        if suppress_author && !(prefix.is_empty() || before.strip_suffix('-')?.ends_with(char::is_whitespace)) {
            return None;
        }
        items.push(CiteItem {
            id: id.to_string(),
            prefix: (!prefix.is_empty()).then(|| prefix.to_string()),
            locator,
            suppress_author,
            at: base + offset + at,
        });
        offset += part.len() + 1;
    }
    Some(items)
}

/// One piece of a rendered citation marker.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Part<'a> {
    /// A number, with the prefix and locator written with it.
    One(usize, Option<&'a str>, Option<&'a str>),
    Range(usize, usize),
}

/// A cited number: (number, prefix, locator).
pub(super) type Numbered = (usize, Option<String>, Option<String>);

/// Sorted, de-duplicated numbers with runs of three or more collapsed (1-3),
/// as AMA style writes them. A number with a prefix or locator stands alone.
pub(super) fn collapse(numbers: &[Numbered]) -> Vec<Part<'_>> {
    let mut sorted: Vec<&Numbered> = numbers.iter().collect();
    sorted.sort();
    sorted.dedup();
    let plain = |n: &Numbered| n.1.is_none() && n.2.is_none();
    let mut parts = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i;
        while j + 1 < sorted.len() && sorted[j + 1].0 == sorted[j].0 + 1 && plain(sorted[j + 1]) && plain(sorted[i]) {
            j += 1;
        }
        if j - i >= 2 {
            parts.push(Part::Range(sorted[i].0, sorted[j].0));
        } else {
            for n in &sorted[i..=j] {
                parts.push(Part::One(n.0, n.1.as_deref(), n.2.as_deref()));
            }
        }
        i = j + 1;
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(text: &str) -> Vec<(Range<usize>, Found)> {
        find(text, &|_| false)
    }

    fn item(id: &str, prefix: Option<&str>, locator: Option<&str>, suppress: bool, at: usize) -> CiteItem {
        CiteItem {
            id: id.into(),
            prefix: prefix.map(Into::into),
            locator: locator.map(Into::into),
            suppress_author: suppress,
            at,
        }
    }

    #[test]
    fn every_pandoc_form_is_read() {
        let text = "A [@a1]. B [@a1; @b2]. C [see @a1, p. 5]. D [-@b2]. E @c3 found. F @c3 [p. 7] too.";
        let got = items(text);
        let want = vec![
            (2..7, Found::Bracket(vec![item("a1", None, None, false, 3)])),
            (11..21, Found::Bracket(vec![item("a1", None, None, false, 12), item("b2", None, None, false, 17)])),
            (25..40, Found::Bracket(vec![item("a1", Some("see"), Some("p. 5"), false, 30)])),
            (44..50, Found::Bracket(vec![item("b2", None, None, true, 46)])),
            (54..57, Found::Narrative(item("c3", None, None, false, 54))),
            (67..77, Found::Narrative(item("c3", None, Some("p. 7"), false, 67))),
        ];
        assert_eq!(got, want);
        // the ranges are what was written
        assert_eq!(&text[25..40], "[see @a1, p. 5]");
        assert_eq!(&text[67..77], "@c3 [p. 7]");
    }

    #[test]
    fn addresses_escapes_and_plain_brackets_are_not_citations() {
        assert_eq!(items("Write to help@example.org or a.b@c.org [x]."), vec![]);
        assert_eq!(items("An escaped \\@handle"), vec![]);
        assert_eq!(find("An escaped @handle", &|i| i == 11), vec![]);
        assert_eq!(items("at @ noon, [1], [^a], [x @ y]"), vec![]);
        // a sentence's full stop is not part of the id
        assert_eq!(items("As @a1.")[0].0, 3..6);
    }

    #[test]
    fn brackets_with_an_id_that_cannot_be_read_are_malformed() {
        for (text, at) in [("[@a1 p. 5]", 1), ("[see @a1 p. 5]", 5), ("[@a1; p. 5]", 1), ("[x-@a1]", 3)] {
            assert_eq!(items(text), vec![(0..text.len(), Found::Malformed(at))], "{text}");
        }
        // an `@` that no id follows, where a citation opens
        for (text, at, meant) in
            [("[@ a1]", 1, Some("a1")), ("[@@a1]", 1, Some("a1")), ("[@]", 1, None), (" [ -@ a1, p. 5]", 4, Some("a1"))]
        {
            let start = text.find('[').unwrap();
            assert_eq!(items(text), vec![(start..text.len(), Found::NoId(at))], "{text}");
            assert_eq!(meant_id(&text[start..]), meant, "{text}");
        }
        // side by side, one citation; with words or punctuation between, two
        let text = "A [@a1][@b2] [@c3], [@d4] and [@e5].";
        let joined = side_by_side_as_one(text, items(text));
        let ids: Vec<Vec<&str>> = joined
            .iter()
            .map(|(_, f)| match f {
                Found::Bracket(items) => items.iter().map(|i| i.id.as_str()).collect(),
                _ => Vec::new(),
            })
            .collect();
        assert_eq!(ids, [vec!["a1", "b2", "c3"], vec!["d4"], vec!["e5"]]);
        assert_eq!(joined[0].0, 2..18);
        // the text ends (markup, a line break) before the `]`
        assert_eq!(items("Seen [@a1, p. "), vec![(5..14, Found::Unclosed(6))]);
        assert_eq!(items("Seen [see @a1 and "), vec![(5..18, Found::Unclosed(10))]);
    }

    #[test]
    fn numbers_collapse_unless_they_carry_words() {
        let n = |k: usize, p: Option<&str>, l: Option<&str>| (k, p.map(Into::into), l.map(Into::into));
        let numbers = [n(3, None, None), n(1, None, None), n(2, None, None), n(5, Some("see"), None), n(2, None, None)];
        assert_eq!(collapse(&numbers), vec![Part::Range(1, 3), Part::One(5, Some("see"), None)]);
        let numbers = [n(1, None, None), n(2, None, Some("p. 5")), n(3, None, None)];
        assert_eq!(
            collapse(&numbers),
            vec![Part::One(1, None, None), Part::One(2, None, Some("p. 5")), Part::One(3, None, None)]
        );
    }
}
