//! `content/sources.bib`: BibTeX (from Zotero, EndNote, PubMed), read by
//! hayagriva through the `biblatex` crate, after [`screen`] has taken out
//! the entries that crate cannot resolve safely.
//!
//! biblatex resolves `@string` abbreviations and `crossref`/`xdata` links
//! by recursion, with no visited set and no limit: a loop (`@string{a = b}
//! @string{b = a}` used in a field, two entries naming each other as
//! `crossref`, an entry naming itself) or a long enough chain overflows the
//! stack and aborts the process, and `@string`s that repeat each other
//! (`b = a # a`, `c = b # b`, …) expand like a "billion laughs". The screen
//! walks both link graphs on the parser's raw form (the same parser, so it
//! sees the names the resolver will look up) with an explicit stack, and
//! blanks every entry that would meet a loop or pass a limit out of the
//! text, each an `invalid-value` error at its `@` naming the loop or the
//! limit. The other entries are read as before.
//!
//! biblatex's field reader has two more costs the screen bounds the same
//! way: a command's argument (`\emph{…}`) is read by recursion, a level
//! for each brace around it (100,000 levels overflowed the stack), and the
//! pieces a value is cut into (at each brace and `$`, and each `#` part)
//! are joined one at a time, each join moving every piece after it (time
//! in the square of their number: 100,000 nested braces took 25 s).

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

use biblatex::{Pair, RawBibliography, RawChunk, RawEntry, Spanned};

use super::{Bibliography, Source, valid_id, validate};
use crate::diagnostics::{Code, Diagnostic, LineIndex};
use crate::html::Html;

/// The most `@string`s one value may go through (`a = b`, `b = c`, …).
pub(super) const MAX_STRING_DEPTH: usize = 32;
/// The longest `crossref`/`xdata` chain, the entry itself included.
pub(super) const MAX_LINK_DEPTH: usize = 16;
/// The most entries merged into one through `crossref`/`xdata`, the entry
/// itself included and a parent counted once per path to it (biblatex
/// merges it that often).
pub(super) const MAX_MERGES: usize = 64;
/// `@string`s may expand the entries to at most twice the file's size, or
/// this many bytes if that is more (as YAML aliases, `yaml::MIN_EXPANSION`).
pub(super) const MIN_EXPANSION: usize = 64 * 1024;
/// The deepest a value may nest braces (`{{…}}`, `\emph{\emph{…}}`).
pub(super) const MAX_BRACE_DEPTH: usize = 32;
/// The work of joining the pieces of every field ([`Shape::work`]) may be
/// at most this many times the file's size, or [`MIN_WORK`] if that is
/// more: a value protected twice (`{{…}}`) with a few words braced inside
/// comes to tens; the pieces of 50,000 `#` parts, 2.5 billion.
pub(super) const WORK_PER_BYTE: usize = 16;
pub(super) const MIN_WORK: usize = 1 << 20;

/// Read the BibTeX `text` of `file` into `bib`.
pub(super) fn load(file: &str, text: &str, bib: &mut Bibliography, diags: &mut Vec<Diagnostic>) {
    // positions of thousands of entries: a binary search each, not a scan
    let lines = LineIndex::new(text);
    let screened = screen(file, text, &lines);
    diags.extend(screened.diagnostics);
    bib.failed.extend(screened.left_out.iter().map(|key| key.to_string()));
    match biblatex::Bibliography::parse(&slashed_o(&screened.text)) {
        Ok(parsed) => {
            // each entry converted on its own: one hayagriva cannot read is
            // left out, and said where, not every entry of the file
            for tex in parsed.iter() {
                let start = screened.starts.get(tex.key.as_str()).copied().unwrap_or(0);
                if let Some((at, problem, help)) = field_problem(tex, start) {
                    diags.push(
                        Diagnostic::error(Code::InvalidValue, format!("source `{}`: {problem}", tex.key))
                            .with_span(lines.span(file, text, at))
                            .with_help(help),
                    );
                    bib.failed.insert(tex.key.clone());
                    continue;
                }
                let entry = match hayagriva::Entry::try_from(tex) {
                    Ok(entry) => entry,
                    Err(e) => {
                        diags.push(
                            Diagnostic::error(
                                Code::InvalidValue,
                                format!("source `{}` cannot be read: {}", tex.key, e.kind),
                            )
                            .with_span(lines.span(file, text, e.span.start)),
                        );
                        bib.failed.insert(tex.key.clone());
                        continue;
                    }
                };
                let id = entry.key().to_string();
                let span = lines.span(file, text, start);
                for d in validate::identifiers(entry.doi(), entry.pmid()) {
                    diags.push(
                        Diagnostic::error(Code::InvalidValue, d)
                            .with_span(span.clone())
                            .with_help(validate::IDENTIFIER_HELP),
                    );
                }
                if let Some(d) = entry.url_any().and_then(|u| validate::unsafe_url(u.value.as_str())) {
                    diags.push(
                        Diagnostic::error(Code::UnsafeUrl, d).with_span(span.clone()).with_help(validate::URL_HELP),
                    );
                }
                if !valid_id(&id) {
                    diags.push(
                        Diagnostic::error(
                            Code::InvalidValue,
                            format!("source id `{id}` must use only a-z, 0-9, `_` and `-`"),
                        )
                        .with_span(span),
                    );
                    bib.failed.insert(id);
                    continue;
                }
                // LaTeX the parser leaves as it is reaches readers as typed
                let texts = entry
                    .title()
                    .map(|t| t.value.to_string())
                    .into_iter()
                    .chain(entry.parents().iter().filter_map(|p| p.title()).map(|t| t.value.to_string()));
                let names = entry.authors().unwrap_or_default().iter().flat_map(|p| {
                    [Some(&p.name), p.given_name.as_ref(), p.prefix.as_ref(), p.suffix.as_ref()]
                        .into_iter()
                        .flatten()
                        .cloned()
                });
                if let Some(command) = texts.chain(names).find_map(|t| latex_command(&t)) {
                    diags.push(
                        Diagnostic::error(
                            Code::InvalidValue,
                            format!("source `{id}` holds the LaTeX command `{command}`, which readers would see as typed"),
                        )
                        .with_span(span.clone())
                        .with_help("write the text itself: italics and symbols as plain words or Unicode (`ø`, `α`), a link in `url`"),
                    );
                }
                // BibTeX's `and others`: the list goes on, not an author called "others"
                let mut entry = entry;
                let authors = entry.authors().unwrap_or_default();
                let others = authors.last().is_some_and(|p| {
                    p.name.eq_ignore_ascii_case("others") && p.given_name.is_none() && p.prefix.is_none()
                });
                if others {
                    let listed = authors[..authors.len() - 1].to_vec();
                    entry.set_authors(listed);
                }
                let source = Source {
                    id,
                    entry,
                    evidence: None,
                    authors_incomplete: others,
                    span,
                    formatted: Html::default(),
                    plain: String::new(),
                    narrative: String::new(),
                    content: Default::default(),
                };
                bib.insert(source, diags);
            }
        }
        Err(e) => {
            bib.incomplete = true;
            // (the error's own words end in its byte range: the place says where)
            diags.push(
                Diagnostic::error(Code::InvalidValue, format!("BibTeX cannot be read here: {}", e.kind))
                    .with_span(lines.span(file, text, e.span.start))
                    .with_help(
                        "no entry of this file is read until it is mended: look for a brace or quote not closed",
                    ),
            );
        }
    }
}

/// `text` with each `\\o{}` written `{\\o}`, which has the same length.
/// Both are "ø" (the braces only end the command's name), but the
/// biblatex crate reads the first as a stroke put through nothing, which
/// lands on the letter before: "M\\o{}ller" became "M̸ller".
fn slashed_o(text: &str) -> Cow<'_, str> {
    let finder = memchr::memmem::Finder::new(b"\\o{}");
    let mut places =
        finder.find_iter(text.as_bytes()).filter(|&at| at == 0 || text.as_bytes()[at - 1] != b'\\').peekable();
    if places.peek().is_none() {
        return Cow::Borrowed(text);
    }
    let mut bytes = text.as_bytes().to_vec();
    for at in places {
        bytes[at..at + 4].copy_from_slice(b"{\\o}");
    }
    // ASCII replaced by ASCII
    Cow::Owned(String::from_utf8(bytes).unwrap_or_else(|_| text.to_string()))
}

/// How to write a BibTeX entry's date.
const DATE_HELP: &str = "write `year = {2020}`, with `month = {3}` or `month = mar` if known, or `date = {2020-03-01}` (YYYY-MM-DD, YYYY-MM or YYYY)";

/// A date or address of `entry` (whose `@` is at `start`) that would reach
/// readers as another date or not at all: where its value starts, what is
/// wrong, and how to write it.
/// The reader passes on what it half reads: `month = {13}` became "13
/// 2020", `month = {0}` "256 2020", `year = {20x0}` "20 AD", and `date =
/// {2020-02-30}` was dropped without a word.
fn field_problem(entry: &biblatex::Entry, start: usize) -> Option<(usize, String, &'static str)> {
    use biblatex::ChunksExt as _;
    let field = |name: &str| {
        let chunks = entry.get(name)?;
        let at = chunks.first().map_or(start, |c| c.span.start);
        Some((at, chunks.format_verbatim()))
    };
    // (hayagriva drops an address it cannot read, and the reference with it)
    if let Some((at, value)) = field("url")
        && url::Url::parse(value.trim()).is_err()
    {
        return Some((at, format!("`url = {{{value}}}` is not a web address"), validate::URL_HELP));
    }
    for name in ["date", "urldate", "origdate", "eventdate"] {
        if let Some((at, value)) = field(name)
            && !is_iso_date(value.trim())
        {
            let problem = format!("`{name} = {{{value}}}` is not a date written YYYY-MM-DD, YYYY-MM or YYYY");
            return Some((at, problem, DATE_HELP));
        }
    }
    if entry.get("date").is_some() {
        return None; // `year`, `month` and `day` are not read beside it
    }
    let mut year = None;
    if let Some((at, value)) = field("year") {
        year = four_digits(value.trim());
        if year.is_none() {
            return Some((at, format!("`year = {{{value}}}` is not a year of four digits"), DATE_HELP));
        }
    }
    let mut month = None;
    if let Some((at, value)) = field("month") {
        month = month_number(value.trim());
        if month.is_none() {
            return Some((at, format!("`month = {{{value}}}` is not a month: 1 to 12, or its name"), DATE_HELP));
        }
    }
    let (at, value) = field("day")?;
    // without a year, one with a 29 February; without a month, one with a 31st
    let day = value.trim().parse::<u32>().ok();
    match day.is_some_and(|day| is_day(year.unwrap_or(2000), month.unwrap_or(1), day)) {
        true => None,
        false => Some((at, format!("`day = {{{value}}}` is not a day of the month"), DATE_HELP)),
    }
}

/// A year written with four digits.
fn four_digits(text: &str) -> Option<u32> {
    (text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit())).then(|| text.parse().ok()).flatten()
}

/// A BibTeX month: `1` to `12` (`01` too), or an English name or its
/// first three letters, in any case (as the biblatex crate reads them).
fn month_number(text: &str) -> Option<u32> {
    const NAMES: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    if let Ok(n) = text.parse::<u32>() {
        return (text.len() <= 2 && (1..=12).contains(&n)).then_some(n);
    }
    let lower = text.to_ascii_lowercase();
    let at = NAMES.iter().position(|name| *name == lower || (lower.len() == 3 && name.starts_with(lower.as_str())))?;
    u32::try_from(at + 1).ok()
}

/// Whether `year`-`month`-`day` is a day of the calendar.
fn is_day(year: u32, month: u32, day: u32) -> bool {
    match (i16::try_from(year), i8::try_from(month), i8::try_from(day)) {
        (Ok(y), Ok(m), Ok(d)) => jiff::civil::Date::new(y, m, d).is_ok(),
        _ => false,
    }
}

/// An ISO 8601 date as biblatex writes one: `YYYY`, `YYYY-MM` or
/// `YYYY-MM-DD` (a day that exists), with a time after a `T`, and a mark
/// of uncertainty (`?`, `~`, `%`) after it; or a range of two, `/`
/// between them, either end left open (empty or `..`).
fn is_iso_date(text: &str) -> bool {
    let one = |part: &str| {
        let part = part.strip_suffix(['?', '~', '%']).unwrap_or(part);
        let day = part.split_once('T').map_or(part, |(day, _)| day);
        let mut fields = day.split('-');
        let Some(year) = fields.next().and_then(four_digits) else { return false };
        let two = |f: Option<&str>| f.filter(|f| f.len() == 2).and_then(|f| f.parse::<u32>().ok());
        match (fields.next(), fields.next(), fields.next()) {
            (None, ..) => true,
            (m @ Some(_), None, _) => two(m).is_some_and(|m| is_day(year, m, 1)),
            (m @ Some(_), d @ Some(_), None) => match (two(m), two(d)) {
                (Some(m), Some(d)) => is_day(year, m, d),
                _ => false,
            },
            _ => false,
        }
    };
    match text.split_once('/') {
        None => one(text),
        Some((from, to)) => {
            let open = |p: &str| p.is_empty() || p == "..";
            !(open(from) && open(to)) && (open(from) || one(from)) && (open(to) || one(to)) && !to.contains('/')
        }
    }
}

/// The first LaTeX command (`\\textit`, `\\alpha`) in a text the parser
/// has read, if one is left.
fn latex_command(text: &str) -> Option<String> {
    let at = text.find('\\')?;
    let name: String = text[at + 1..].chars().take_while(char::is_ascii_alphabetic).collect();
    (!name.is_empty()).then(|| format!("\\{name}"))
}

/// A BibTeX text as [`screen`] leaves it for hayagriva.
pub(super) struct Screened<'t> {
    /// The text, with every entry left out replaced by spaces (newlines
    /// kept, so every other position stays where it was).
    pub text: Cow<'t, str>,
    /// An error for each entry left out.
    pub diagnostics: Vec<Diagnostic>,
    /// Where each entry kept is, by key: the `{` before its key.
    pub starts: HashMap<&'t str, usize>,
    /// The keys of the entries left out (their citations follow from the
    /// error said here, and are not reported again).
    pub left_out: Vec<&'t str>,
}

/// Take out of `text` (of `file`, with its `lines`) every entry that meets
/// a loop or passes a limit. A text the parser refuses is returned as it
/// is: hayagriva's parse error is reported by [`load`], and nothing is
/// resolved.
pub(super) fn screen<'t>(file: &str, text: &'t str, lines: &LineIndex) -> Screened<'t> {
    let Ok(raw) = RawBibliography::parse(text) else {
        return Screened {
            text: Cow::Borrowed(text),
            diagnostics: Vec::new(),
            starts: HashMap::new(),
            left_out: Vec::new(),
        };
    };
    let mut left_out: Vec<Option<String>> = vec![None; raw.entries.len()];
    strings(&raw, text.len(), &mut left_out);
    links(&raw, &mut left_out);
    let mut diagnostics = Vec::new();
    let mut starts = HashMap::new();
    let mut blanks: Vec<Range<usize>> = Vec::new();
    let mut keys_left_out = Vec::new();
    // a key written twice: the parser refuses the whole file for it, so the
    // later entry is left out here, and said where
    let mut first_at: HashMap<&str, usize> = HashMap::new();
    let mut again = vec![false; raw.entries.len()];
    for (i, entry) in raw.entries.iter().enumerate() {
        let key = entry.v.key.v;
        match first_at.get(key) {
            Some(&first) if left_out[i].is_none() => {
                let line = lines.span(file, text, raw.entries[first].span.start).line;
                diagnostics.push(
                    Diagnostic::error(
                        Code::DuplicateSource,
                        format!("source `{key}` is written twice (first on line {line}); this one is left out"),
                    )
                    .with_span(lines.span(file, text, entry.span.start))
                    .with_help("remove one of the two, or give this one another key"),
                );
                blanks.push(entry.span.clone());
                again[i] = true;
            }
            Some(_) => {}
            None => {
                first_at.insert(key, i);
            }
        }
    }
    for ((entry, why), again) in raw.entries.iter().zip(left_out).zip(again) {
        if again {
            continue; // a second entry of one key, said above
        }
        let Some(why) = why else {
            let key = entry.v.key.span.start;
            starts
                .entry(entry.v.key.v)
                .or_insert_with(|| text[entry.span.start..key].rfind('{').map_or(key, |i| entry.span.start + i));
            continue;
        };
        keys_left_out.push(entry.v.key.v);
        let message = format!("source `{}` is left out: {why}", entry.v.key.v);
        diagnostics.push(
            Diagnostic::error(Code::InvalidValue, message)
                .with_span(lines.span(file, text, entry.span.start))
                .with_help(
                    "give the value as text, and make each `crossref` point to a parent that does not point back",
                ),
        );
        blanks.push(entry.span.clone());
    }
    if blanks.is_empty() {
        return Screened { text: Cow::Borrowed(text), diagnostics, starts, left_out: keys_left_out };
    }
    let mut bytes = text.as_bytes().to_vec();
    for range in blanks {
        for b in &mut bytes[range] {
            if *b != b'\n' && *b != b'\r' {
                *b = b' ';
            }
        }
    }
    // whole UTF-8 sequences became spaces, so the text is still UTF-8
    Screened {
        text: Cow::Owned(String::from_utf8_lossy(&bytes).into_owned()),
        diagnostics,
        starts,
        left_out: keys_left_out,
    }
}

/// Mark the entries whose fields use an `@string` that loops or nests past
/// [`MAX_STRING_DEPTH`], nest braces past [`MAX_BRACE_DEPTH`], and, in file
/// order, those past the expansion budget or the budget of joining work.
fn strings(raw: &RawBibliography, text_len: usize, left_out: &mut [Option<String>]) {
    // the resolver's map: the last definition of a name wins
    let by_name: HashMap<&str, usize> = raw.abbreviations.iter().enumerate().map(|(i, p)| (p.key.v, i)).collect();
    let mut links = Vec::with_capacity(raw.abbreviations.len());
    let (mut own, mut shapes) = (Vec::with_capacity(raw.abbreviations.len()), Vec::new());
    for pair in &raw.abbreviations {
        let used = uses(&pair.value.v, &by_name);
        links.push(used.to);
        own.push(used.bytes);
        shapes.push(used.shape);
    }
    let measured = measure(&links, &own);
    // an `@string` is read again, and its pieces joined, at each use: its
    // pieces with those of the `@string`s it uses, and its work with theirs
    // (one nested too deep comes to more than any budget allows)
    const TOO_MUCH: usize = usize::MAX / 4;
    let weight = |m: &Result<Measure, Loop>| m.as_ref().map_or(TOO_MUCH, |m| m.weight);
    let own_pieces: Vec<usize> =
        shapes.iter().map(|s| if s.depth > MAX_BRACE_DEPTH { TOO_MUCH } else { s.pieces }).collect();
    let pieces: Vec<usize> = measure(&links, &own_pieces).iter().map(weight).collect();
    // each `@string` it uses is one more join
    let own_work: Vec<usize> =
        shapes.iter().zip(&links).zip(&pieces).map(|((s, to), &p)| (s.joins + to.len()).saturating_mul(p)).collect();
    let work_of: Vec<usize> = measure(&links, &own_work).iter().map(weight).collect();
    let name = |i: usize| raw.abbreviations[i].key.v;
    let budget = text_len.saturating_mul(2).max(MIN_EXPANSION);
    let work_budget = text_len.saturating_mul(WORK_PER_BYTE).max(MIN_WORK);
    let (mut total, mut total_work) = (0usize, 0usize);
    for (entry, why) in raw.entries.iter().zip(left_out.iter_mut()) {
        let (mut size, mut work) = (0usize, 0usize);
        'fields: for field in &entry.v.fields {
            let mut used = uses(&field.value.v, &by_name);
            size = size.saturating_add(used.bytes);
            if used.shape.depth > MAX_BRACE_DEPTH {
                *why = Some(format!("its `{}` nests braces more than {MAX_BRACE_DEPTH} deep", field.key.v));
                break 'fields;
            }
            for &s in &used.to {
                *why = match &measured[s] {
                    Err(cycle) => Some(match cycle.seen_from(s) {
                        (true, cycle) => format!("`@string` `{}` refers to itself: {}", name(s), cycle.describe(name)),
                        (false, cycle) => {
                            format!("`@string` `{}` leads into a loop: {}", name(s), cycle.describe(name))
                        }
                    }),
                    Ok(m) if m.depth > MAX_STRING_DEPTH => Some(format!(
                        "`@string` `{}` is defined through more than {MAX_STRING_DEPTH} other `@string`s",
                        name(s)
                    )),
                    Ok(m) => {
                        size = size.saturating_add(m.weight);
                        // its pieces, joined to the piece before them
                        used.shape.pieces = used.shape.pieces.saturating_add(pieces[s]);
                        used.shape.joins = used.shape.joins.saturating_add(1);
                        work = work.saturating_add(work_of[s]);
                        continue;
                    }
                };
                break 'fields;
            }
            work = work.saturating_add(used.shape.work());
        }
        if why.is_none() && total.saturating_add(size) > budget {
            *why = Some(format!(
                "its `@string`s expand the file past {budget} bytes (twice its size, or {MIN_EXPANSION} if that is more)"
            ));
        }
        if why.is_none() && total_work.saturating_add(work) > work_budget {
            *why = Some(
                "its braces, `$`s and `#` parts (and its `@string`s') cut its fields into too many pieces to join"
                    .to_string(),
            );
        }
        if why.is_none() {
            total += size;
            total_work += work;
        }
    }
}

/// What a value costs biblatex's field reader: the pieces it is cut into
/// (a part between `#`s is one; each brace and `$` in it starts another),
/// how many of them are joined to the piece before (those inside a brace
/// group, and each part after the first), and how deep it nests braces.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Shape {
    pieces: usize,
    joins: usize,
    depth: usize,
}

impl Shape {
    /// The most pieces moved while joining them: each join moves at most
    /// every piece.
    fn work(&self) -> usize {
        self.joins.saturating_mul(self.pieces)
    }

    /// The shape of one part of a value, `s` as written (an escaped brace,
    /// `\{`, is a character).
    fn of(s: &str) -> Shape {
        let mut shape = Shape { pieces: 1, ..Shape::default() };
        let (mut depth, mut escaped) = (0usize, false);
        for b in s.bytes() {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'{' => {
                    depth += 1;
                    shape.depth = shape.depth.max(depth);
                    shape.pieces += 1;
                    shape.joins += usize::from(depth > 1);
                }
                b'}' => {
                    shape.joins += usize::from(depth > 1);
                    depth = depth.saturating_sub(1);
                    shape.pieces += 1;
                }
                b'$' => shape.pieces += 1,
                _ => {}
            }
        }
        shape
    }
}

/// What [`uses`] finds in a value.
struct Used {
    /// The `@string`s it names (by index, once per use).
    to: Vec<usize>,
    /// The bytes of the rest of it (a name that is not defined, such as
    /// `jan`, as written).
    bytes: usize,
    /// Its own pieces, joins and depth (without its `@string`s').
    shape: Shape,
}

/// What `value` names and costs.
fn uses(value: &[Spanned<RawChunk>], by_name: &HashMap<&str, usize>) -> Used {
    let mut used = Used { to: Vec::new(), bytes: 0, shape: Shape::default() };
    for (i, chunk) in value.iter().enumerate() {
        let part = match chunk.v {
            RawChunk::Normal(s) => {
                used.bytes = used.bytes.saturating_add(s.len());
                Shape::of(s)
            }
            RawChunk::Abbreviation(name) => match by_name.get(name) {
                Some(&i) => {
                    used.to.push(i);
                    continue;
                }
                None => {
                    used.bytes = used.bytes.saturating_add(name.len());
                    Shape { pieces: 1, ..Shape::default() }
                }
            },
        };
        used.shape.pieces = used.shape.pieces.saturating_add(part.pieces);
        used.shape.joins = used.shape.joins.saturating_add(part.joins + usize::from(i > 0));
        used.shape.depth = used.shape.depth.max(part.depth);
    }
    used
}

/// The fields the `crossref` and `xdata` of an entry are read from, renamed
/// so that biblatex reads their values as it would (the same parsing,
/// `@string`s resolved) without following them.
const CROSSREF: &str = "sourcebook-crossref";
const XDATA: &str = "sourcebook-xdata";

/// Mark the entries, of those still in, whose `crossref`/`xdata` links loop
/// or pass [`MAX_LINK_DEPTH`] or [`MAX_MERGES`].
fn links(raw: &RawBibliography, left_out: &mut [Option<String>]) {
    let kept = |i: usize| left_out[i].is_none();
    let mut by_key: HashMap<&str, usize> = HashMap::new();
    for (i, entry) in raw.entries.iter().enumerate().filter(|(i, _)| kept(*i)) {
        by_key.entry(entry.v.key.v).or_insert(i);
    }
    let linking: Vec<usize> =
        (0..raw.entries.len()).filter(|&i| kept(i) && !linked_fields(&raw.entries[i]).is_empty()).collect();
    if linking.is_empty() {
        return;
    }
    let only_links = RawBibliography {
        preamble: String::new(),
        abbreviations: raw.abbreviations.clone(),
        entries: linking
            .iter()
            .map(|&i| {
                let entry = &raw.entries[i];
                let fields = linked_fields(entry);
                Spanned::new(
                    RawEntry { key: entry.v.key.clone(), kind: entry.v.kind.clone(), fields },
                    entry.span.clone(),
                )
            })
            .collect(),
    };
    // biblatex refuses the whole file for what it refuses here (a key
    // defined twice, an unknown `@string`) before it follows any link
    let Ok(parsed) = biblatex::Bibliography::from_raw(only_links) else { return };
    let mut graph: Vec<Vec<usize>> = vec![Vec::new(); raw.entries.len()];
    for (&i, entry) in linking.iter().zip(parsed.iter()) {
        let crossref = entry.get_as::<String>(CROSSREF).ok();
        let xdata = entry.get_as::<Vec<String>>(XDATA).ok().unwrap_or_default();
        graph[i] = crossref.into_iter().chain(xdata).filter_map(|key| by_key.get(key.as_str()).copied()).collect();
    }
    let measured = measure(&graph, &vec![1; raw.entries.len()]);
    let key = |i: usize| raw.entries[i].v.key.v;
    for &i in &linking {
        left_out[i] = match &measured[i] {
            Err(cycle) => Some(match cycle.seen_from(i) {
                (true, cycle) => format!("its `crossref`/`xdata` links go round in a loop: {}", cycle.describe(key)),
                (false, cycle) => format!("its `crossref`/`xdata` links lead into a loop: {}", cycle.describe(key)),
            }),
            Ok(m) if m.depth > MAX_LINK_DEPTH => {
                Some(format!("its `crossref`/`xdata` links are more than {MAX_LINK_DEPTH} entries deep"))
            }
            Ok(m) if m.weight > MAX_MERGES => Some(format!(
                "its `crossref`/`xdata` links merge more than {MAX_MERGES} entries into it (a parent counted once per path)"
            )),
            Ok(_) => None,
        };
    }
}

/// An entry's `crossref` and `xdata` fields (any case, as biblatex reads
/// names), under the names [`links`] reads them by.
fn linked_fields<'s>(entry: &Spanned<RawEntry<'s>>) -> Vec<Pair<'s>> {
    entry
        .v
        .fields
        .iter()
        .filter_map(|field| {
            let name = field.key.v;
            let renamed = if name.eq_ignore_ascii_case("crossref") {
                CROSSREF
            } else if name.eq_ignore_ascii_case("xdata") {
                XDATA
            } else {
                return None;
            };
            Some(Pair::new(Spanned::new(renamed, field.key.span.clone()), field.value.clone()))
        })
        .collect()
}

/// What a node of a link graph comes to: the longest chain of links from
/// it (1 for a node that links nowhere) and its weight (its own plus each
/// link's, a link counted as often as it is written).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Measure {
    depth: usize,
    weight: usize,
}

/// A loop of a link graph, as found: the nodes from where it starts, at
/// most [`Loop::SHOWN`] of them (`cut` when there were more).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Loop {
    nodes: Vec<usize>,
    cut: bool,
}

impl Loop {
    const SHOWN: usize = 8;

    /// Whether `node` is on the loop (not only leading into it); the loop
    /// is then shown from it.
    fn seen_from(&self, node: usize) -> (bool, Loop) {
        match self.nodes.iter().position(|&n| n == node) {
            Some(at) if !self.cut => {
                let mut nodes = self.nodes.clone();
                nodes.rotate_left(at);
                (true, Loop { nodes, cut: false })
            }
            found => (found.is_some(), self.clone()),
        }
    }

    /// `a -> b -> a`, or `a -> b -> … -> a` for a long one.
    fn describe<'n>(&self, name: impl Fn(usize) -> &'n str) -> String {
        let mut parts: Vec<&str> = self.nodes.iter().map(|&n| name(n)).collect();
        if self.cut {
            parts.push("…");
        }
        parts.extend(self.nodes.first().map(|&n| name(n)));
        parts.join(" -> ")
    }
}

/// Each node's [`Measure`], or the loop it is on or leads into. `links[n]`
/// are the nodes `n` links to, `own[n]` its own weight. Depth-first with an
/// explicit stack (a chain as long as the file cannot overflow ours), each
/// node and link visited once.
fn measure(links: &[Vec<usize>], own: &[usize]) -> Vec<Result<Measure, Loop>> {
    const NEW: usize = usize::MAX;
    const DONE: usize = usize::MAX - 1;
    // NEW, DONE, or the node's place on the stack while it is being walked
    let mut state = vec![NEW; links.len()];
    let mut out: Vec<Result<Measure, Loop>> = vec![Ok(Measure { depth: 0, weight: 0 }); links.len()];
    // (node, next link to follow, what it comes to so far)
    let mut stack: Vec<(usize, usize, Result<Measure, Loop>)> = Vec::new();
    for start in 0..links.len() {
        if state[start] != NEW {
            continue;
        }
        state[start] = 0;
        stack.push((start, 0, Ok(Measure { depth: 1, weight: own[start] })));
        while let Some(top) = stack.len().checked_sub(1) {
            let (node, next) = (stack[top].0, stack[top].1);
            let Some(&to) = links[node].get(next) else {
                let (node, _, result) = stack.pop().unwrap_or((node, next, Ok(Measure { depth: 1, weight: 0 })));
                state[node] = DONE;
                if let Some(parent) = stack.last_mut() {
                    fold(&mut parent.2, &result);
                }
                out[node] = result;
                continue;
            };
            stack[top].1 += 1;
            match state[to] {
                NEW => {
                    state[to] = stack.len();
                    stack.push((to, 0, Ok(Measure { depth: 1, weight: own[to] })));
                }
                DONE => {
                    let (done, frame) = (&out[to], &mut stack[top].2);
                    fold(frame, done);
                }
                at => {
                    if stack[top].2.is_ok() {
                        let on_loop = &stack[at..];
                        let nodes = on_loop.iter().take(Loop::SHOWN).map(|f| f.0).collect();
                        stack[top].2 = Err(Loop { nodes, cut: on_loop.len() > Loop::SHOWN });
                    }
                }
            }
        }
    }
    out
}

/// Add what a link comes to into what its node comes to.
fn fold(node: &mut Result<Measure, Loop>, link: &Result<Measure, Loop>) {
    match (&mut *node, link) {
        (Ok(m), Ok(l)) => {
            m.depth = m.depth.max(l.depth.saturating_add(1));
            m.weight = m.weight.saturating_add(l.weight);
        }
        (Ok(_), Err(cycle)) => *node = Err(cycle.clone()),
        (Err(_), _) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn screened(text: &str) -> Screened<'_> {
        let screened = screen("content/sources.bib", text, &LineIndex::new(text));
        assert_eq!(screened.text.len(), text.len(), "positions are kept");
        screened
    }

    fn left_out(text: &str) -> Vec<(usize, String)> {
        screened(text).diagnostics.iter().map(|d| (d.line().unwrap_or(0), d.message.clone())).collect()
    }

    #[test]
    fn loops_are_measured_without_recursion_and_named() {
        // 0 -> 1 -> 2 -> 0, 3 -> 0, 4 alone, 5 -> 4 twice
        let links = vec![vec![1], vec![2], vec![0], vec![0], vec![], vec![4, 4]];
        let got = measure(&links, &[1; 6]);
        for (n, measured) in got.iter().enumerate().take(4) {
            assert!(measured.is_err(), "{n} is on or leads into the loop");
        }
        assert_eq!(got[0], Err(Loop { nodes: vec![0, 1, 2], cut: false }));
        assert_eq!(got[4], Ok(Measure { depth: 1, weight: 1 }));
        assert_eq!(got[5], Ok(Measure { depth: 2, weight: 3 }));
        let names = ["a", "b", "c"];
        assert_eq!(Loop { nodes: vec![0, 1], cut: false }.describe(|n| names[n]), "a -> b -> a");
        assert_eq!(Loop { nodes: vec![2], cut: true }.describe(|n| names[n]), "c -> … -> c");
        // a chain far longer than any stack would take in recursion
        let n = 200_000;
        let chain: Vec<Vec<usize>> = (0..n).map(|i| if i + 1 < n { vec![i + 1] } else { vec![] }).collect();
        assert_eq!(measure(&chain, &vec![1; n])[0], Ok(Measure { depth: n, weight: n }));
    }

    #[test]
    fn string_and_crossref_loops_leave_out_only_their_entries() {
        let text = "@string{a = b}\n@string{b = a}\n@string{ok = \"Fine\"}\n\
                    @article{uses, title = a, year = 2020}\n\
                    @article{fine, title = ok, year = 2020}\n\
                    @article{x, title = {X}, crossref = {y}}\n@article{y, title = {Y}, CrossRef = {x}}\n\
                    @article{me, title = {Me}, crossref = {me}}\n\
                    @article{child, title = {C}, crossref = {parent}}\n@book{parent, title = {P}, year = 2001}\n\
                    @string{c = \"The \" # a}\n@article{into, title = c}\n";
        let got = left_out(text);
        let lines: Vec<usize> = got.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, [4, 6, 7, 8, 12], "{got:?}");
        assert!(got[0].1.contains("`@string` `a` refers to itself: a -> b -> a"), "{got:?}");
        assert!(got[1].1.contains("go round in a loop: x -> y -> x"), "{got:?}");
        assert!(got[2].1.contains("go round in a loop: y -> x -> y"), "{got:?}");
        assert!(got[3].1.contains("me -> me"), "{got:?}");
        assert!(got[4].1.contains("`@string` `c` leads into a loop: a -> b -> a"), "{got:?}");
        let screened = screened(text);
        let library = hayagriva::io::from_biblatex_str(&screened.text).unwrap();
        let keys: Vec<&str> = library.iter().map(|e| e.key()).collect();
        assert_eq!(keys, ["fine", "child", "parent"]);
        for key in keys {
            assert!(text[screened.starts[key]..].starts_with(&format!("{{{key},")), "{key} is found where it is");
        }
        assert!(!screened.starts.contains_key("me"), "an entry left out is not found");
    }

    /// biblatex reads a command's argument by recursion and joins a value's
    /// pieces one at a time, each join moving the rest: deep braces and
    /// values cut into very many pieces are left out before it reads them
    /// (they overflowed its stack or took time in the square of their
    /// length; `bench/hostile.py` times them), and what real files hold is
    /// read.
    #[test]
    fn deep_braces_and_values_of_too_many_pieces_are_left_out_before_biblatex_reads_them() {
        let deep = |open: &str, n: usize| format!("{}a{}", open.repeat(n), "}".repeat(n));
        let cases = [
            (format!("@misc{{x, title = {}}}\n", deep("{", 100_000)), "its `title` nests braces more than 32 deep"),
            (
                format!("@misc{{x, note = {{{}}}}}\n", deep("\\emph{", 100_000)),
                "its `note` nests braces more than 32 deep",
            ),
            (format!("@misc{{x, title = {}}}\n", vec!["\"a\""; 50_000].join(" # ")), "too many pieces to join"),
            (format!("@misc{{x, title = {{{{{}}}}}}}\n", "{a}".repeat(50_000)), "too many pieces to join"),
            (
                format!("@string{{s = {}}}\n@misc{{x, title = s}}\n", vec!["\"a\""; 50_000].join(" # ")),
                "too many pieces to join",
            ),
            (format!("@string{{s = {}}}\n@misc{{x, title = s}}\n", deep("{", 100)), "too many pieces to join"),
        ];
        for (text, words) in &cases {
            let got = left_out(text);
            assert!(
                got.len() == 1 && got[0].1.contains("source `x` is left out") && got[0].1.contains(words),
                "{got:?} {}",
                &text[..60]
            );
            // what is left is read at once (the entry is blanked)
            let screened = screened(text);
            assert!(hayagriva::io::from_biblatex_str(&screened.text).is_ok_and(|l| l.is_empty()));
        }
        // what reference managers write: a title protected twice with words
        // braced inside it, an abstract with a few hundred accents, 32 levels
        let accents = "{\\'e}t{\\'e} ".repeat(300);
        let text = format!(
            "@article{{z, title = {{{{The {{BRCA1}} and {{DNA}} {{$\\alpha$}} study}}}}, abstract = {{{accents}}}, note = {}}}\n\
             @article{{y, title = {}}}\n",
            deep("{", 31),
            "\"A\" # \"B\" # \"C\"",
        );
        assert_eq!(left_out(&text), [], "{text}");
        assert_eq!(Shape::of("{a{b}c}"), Shape { pieces: 5, joins: 2, depth: 2 });
        assert_eq!(Shape::of("\\{a\\}$x$"), Shape { pieces: 3, joins: 0, depth: 0 });
    }

    #[test]
    fn long_chains_and_expanding_strings_are_left_out() {
        let strings: String = (0..40).map(|i| format!("@string{{s{i} = s{}}}\n", i + 1)).collect();
        let text =
            format!("{strings}@string{{s40 = \"end\"}}\n@article{{deep, title = s0}}\n@article{{near, title = s20}}\n");
        let got = left_out(&text);
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(got[0].1.contains("source `deep`") && got[0].1.contains("more than 32"), "{got:?}");

        let laughs: String = (1..30).map(|i| format!("@string{{l{i} = l{} # l{}}}\n", i - 1, i - 1)).collect();
        let text = format!("@string{{l0 = \"lol\"}}\n{laughs}@article{{bomb, title = l29}}\n");
        let got = left_out(&text);
        assert!(got.len() == 1 && got[0].1.contains("expand the file past"), "{got:?}");

        let chain: String =
            (0..20).map(|i| format!("@article{{e{i}, title = {{T}}, crossref = {{e{}}}}}\n", i + 1)).collect();
        let got = left_out(&chain);
        assert!(got.iter().any(|(_, m)| m.contains("source `e0`") && m.contains("more than 16")), "{got:?}");
        assert!(!got.iter().any(|(_, m)| m.contains("source `e10`")), "{got:?}");

        let fan: String =
            (0..8).map(|i| format!("@misc{{f{i}, title = {{T}}, xdata = {{f{0},f{0}}}}}\n", i + 1)).collect();
        let got = left_out(&format!("{fan}@misc{{f8, title = {{T}}}}\n"));
        assert!(got.iter().any(|(_, m)| m.contains("source `f0`") && m.contains("more than 64")), "{got:?}");
    }
}
