//! The only module that knows `yaml_serde`, `saphyr_parser` and
//! `serde_path_to_error`: strict YAML into typed structs, with every
//! problem reported at its line and column in the *real* file (front
//! matter starts below its `---`, so offsets are shifted back).
//!
//! Serde stops at the first problem. A document that fails is read again
//! to find them all: its unknown top-level keys by comparing the parsed
//! mapping with the schema's key list, and each entry of its root map
//! (each item of a list in one that fails) read on its own, at its place.
//!
//! Positions come from one index of the document ([`Spans`]): saphyr's
//! parser reads it again with the position of every event, and each value
//! is recorded by its [`Path`] (`reviewed.by`, `sources[3].title`) with
//! where its key and the value are written. The index is built the first
//! time a position is asked for, so a valid document parsed on the hot path
//! never pays for it. A typed parse that fails is run again with
//! `serde_path_to_error`, and its error placed at that path: the caret
//! under the wrong value, the unknown key, or the key of the map missing
//! one.
//!
//! Limits, for every YAML the site reads (site.yaml, front matter,
//! sources.yaml, glossary.yaml, an article's `sources:`): nesting at most
//! [`MAX_DEPTH`] levels deep (yaml_serde's own limit), and aliases may
//! expand a document to at most twice its size, or [`MIN_EXPANSION`] bytes
//! if that is more (see [`Document::within_limits`]). A document past
//! either is a `front-matter-yaml` error, found before anything is built
//! from it, so a "billion laughs" costs no memory (the index records where
//! an alias is written and never replays it).

use serde::de::{self, DeserializeOwned, DeserializeSeed, Deserializer as _, Visitor};

use std::sync::OnceLock;

use crate::diagnostics::{Code, Diagnostic, LineIndex, Span, nearest};

pub(crate) use yaml_serde::{Mapping, Value};

/// The deepest nesting of sequences and mappings a document may have:
/// yaml_serde's recursion limit, which stops a deeper document with an error.
pub(crate) const MAX_DEPTH: usize = 128;

/// Aliases may expand a document to twice its written size, or to this many
/// bytes if that is more (so a short front matter may repeat an anchor freely).
pub(crate) const MIN_EXPANSION: usize = 64 * 1024;

/// A YAML value made elsewhere (a parsed `sources:` map) into `T`.
pub(crate) fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, String> {
    yaml_serde::from_value(value).map_err(|e| e.to_string())
}

/// Whether `word`, written bare as a key or value, is read by YAML as that
/// text (not `0x10`, the number 16, nor `true`, `1e3` or `~`).
pub(crate) fn reads_as_text(word: &str) -> bool {
    matches!(yaml_serde::from_str::<Value>(word), Ok(Value::String(s)) if s == word)
}

/// Whether a text read from YAML says nothing: empty, only spaces or
/// characters that show nothing (a zero-width space, a soft hyphen:
/// [`crate::text::invisible`]), or YAML's null (`~`, `null`). The YAML
/// reader hands a text field the null's letters as they are (`title: ~`
/// is the title "~"), so a reader would see
/// a heading, a bullet or a question that says "~" or "null". Quoted, those
/// letters are text in YAML; here they are refused all the same, as no
/// title, question or definition is only that word.
pub(crate) fn blank(text: &str) -> bool {
    matches!(crate::text::trim_invisible(text), "" | "~" | "null" | "Null" | "NULL")
}

/// A map of a data file keyed by name (people.yaml, the glossary,
/// reviews.yaml, sources.lock.yaml), in key order, that refuses a key
/// written twice. serde's own maps keep the last of two silently, losing
/// what the first held (two signings merged by hand in reviews.yaml, and
/// the next `review sign` rewrote the file without one of them). The
/// error is the reader's own wording for a repeated key, which
/// [`Document`] places at the second one.
#[derive(Debug)]
pub(crate) struct UniqueKeys<V>(pub std::collections::BTreeMap<String, V>);

impl<'de, V: serde::Deserialize<'de>> serde::Deserialize<'de> for UniqueKeys<V> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Keys<V>(std::marker::PhantomData<V>);
        impl<'de, V: serde::Deserialize<'de>> Visitor<'de> for Keys<V> {
            type Value = UniqueKeys<V>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = std::collections::BTreeMap::new();
                while let Some(key) = map.next_key::<String>()? {
                    if out.contains_key(&key) {
                        return Err(de::Error::custom(format!("duplicate entry with key \"{key}\"")));
                    }
                    let value = map.next_value()?;
                    out.insert(key, value);
                }
                Ok(UniqueKeys(out))
            }
        }
        deserializer.deserialize_map(Keys(std::marker::PhantomData))
    }
}

/// `text` as a YAML double-quoted scalar that reads back as `text`, for
/// the files sourcebook writes (a title from `new`, a scope from `review
/// sign`). JSON's string syntax is not enough: YAML refuses some
/// characters JSON leaves bare (DEL, the C1 controls, U+FFFE and U+FFFF),
/// so those, like the other controls, are written as escapes.
pub(crate) fn quoted(text: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if printable(c) => out.push(c),
            c if u32::from(c) <= 0xFF => {
                let _ = write!(out, "\\x{:02X}", u32::from(c));
            }
            c => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
        }
    }
    out.push('"');
    out
}

/// Whether YAML allows `c` as it is in a quoted scalar and reads it back
/// as itself: its `c-printable`, less the tab and the line breaks (NEL,
/// and U+2028 and U+2029 for YAML 1.1 readers), which a quoted scalar
/// folds into spaces.
fn printable(c: char) -> bool {
    matches!(u32::from(c), 0x20..=0x7E | 0xA0..=0x2027 | 0x202A..=0xD7FF | 0xE000..=0xFFFD | 0x1_0000..=0x10_FFFF)
}

/// A YAML value written out as YAML text.
pub(crate) fn to_string(value: &Value) -> Result<String, String> {
    yaml_serde::to_string(value).map_err(|e| e.to_string())
}

/// A YAML document inside a file: `yaml` starts at byte `offset` of `text`.
pub struct Document<'a> {
    pub file: &'a str,
    pub text: &'a str,
    pub offset: usize,
    pub yaml: &'a str,
    /// Built on first use: positions in a long file stay cheap.
    lines: OnceLock<LineIndex>,
    /// Where each value is written, by path: read on first use, as far as
    /// the positions asked for need.
    index: std::sync::Mutex<Option<Index<'a>>>,
}

impl<'a> Document<'a> {
    /// A whole file that is YAML.
    pub fn whole(file: &'a str, text: &'a str) -> Document<'a> {
        Document::new(file, text, 0, text)
    }

    /// `yaml` sits at byte `offset` of `text`, the whole file.
    pub fn new(file: &'a str, text: &'a str, offset: usize, yaml: &'a str) -> Document<'a> {
        Document { file, text, offset, yaml, lines: OnceLock::new(), index: std::sync::Mutex::new(None) }
    }

    /// The position of byte `index` of the YAML, in the real file. The end
    /// of the YAML (where the parser finds a document cut short) is placed
    /// at the end of its last line that holds anything: after the last
    /// line break it is a line the file does not have, and below a front
    /// matter it is the closing `---`.
    pub fn span(&self, index: usize) -> Span {
        let index = if index >= self.yaml.len() { self.yaml.trim_end().len() } else { index };
        self.lines.get_or_init(|| LineIndex::new(self.text)).span(self.file, self.text, self.offset + index)
    }

    /// `f` of the index of positions, read as far as `done` needs (to the
    /// end if it never says so). The index is made on the first call.
    fn indexed<R>(&self, done: impl Fn(&Spans) -> bool, f: impl FnOnce(&Spans) -> R) -> R {
        let mut index = self.index.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        f(index.get_or_insert_with(|| Index::new(self.yaml)).until(done))
    }

    /// Read the whole index of positions now (beside other work, for a
    /// document whose positions will all be asked for).
    pub fn index(&self) {
        self.indexed(|_| false, |_| ());
    }

    /// The whole index of positions: to hand to another [`Document`] of the
    /// same text ([`Document::with_positions`]), so a file read ahead on
    /// another thread has its positions ready.
    pub fn positions(self) -> Positions {
        self.index();
        let index = self.index.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
        Positions(index.map(|i| i.spans).unwrap_or_default())
    }

    /// This document with the positions another document of the same text
    /// found ([`Document::positions`]).
    pub fn with_positions(self, positions: Positions) -> Document<'a> {
        let index = Index { spans: positions.0, reader: None };
        Document { index: std::sync::Mutex::new(Some(index)), ..self }
    }

    /// Where the value at `path` is written (all of it if `whole`: a map or
    /// list read to its end), or the nearest value holding it that the
    /// document has (the root at worst); `true` if it is the value itself.
    fn place(&self, path: &Path, whole: bool) -> (Place, bool) {
        let found = |spans: &Spans| spans.places.get(path).is_some_and(|p| !(whole && p.open));
        self.indexed(found, |spans| {
            if let Some(place) = spans.places.get(path) {
                return (*place, true);
            }
            let mut up = path.parent();
            while !up.0.is_empty() {
                if let Some(place) = spans.places.get(&up) {
                    return (*place, false);
                }
                up = up.parent();
            }
            (Place { key: None, value: (0, 0), open: false }, false)
        })
    }

    /// The position of the key of the value at `path`, the caret under the
    /// key and its colon (`zebra crossing:`); of its `-` for an item of a
    /// block list, of the value for one of a flow list; of the nearest key
    /// holding it when the document has no such path.
    pub fn key_span(&self, path: impl Into<Path>) -> Span {
        let (place, _) = self.place(&path.into(), false);
        match place.key {
            Some((start, end)) => {
                let colon = usize::from(self.yaml.get(end..).is_some_and(|rest| rest.starts_with(':')));
                let written = self.yaml.get(start..end).map_or(0, |k| k.chars().count());
                self.span(start).with_width(written + colon)
            }
            None => self.span(place.value.0),
        }
    }

    /// The position of the value at `path`, for a caret under a wrong value
    /// (all of it, when it is on one line); the key's, as
    /// [`Document::key_span`], when there is no such value.
    pub fn value_span(&self, path: impl Into<Path>) -> Span {
        let path = path.into();
        match self.place(&path, true) {
            (place, true) => {
                let span = self.span(place.value.0);
                // the caret under the whole value, when it is on one line
                match self.yaml.get(place.value.0..place.value.1).filter(|v| !v.is_empty() && !v.contains('\n')) {
                    Some(value) => span.with_width(value.trim_end().chars().count()),
                    None => span,
                }
            }
            _ => self.key_span(path),
        }
    }

    /// Byte offset in the YAML of the key at `path` (of the value for a list
    /// item), if the document has that path.
    pub fn key_offset(&self, path: impl Into<Path>) -> Option<usize> {
        let (place, found) = self.place(&path.into(), false);
        found.then(|| place.key.map_or(place.value.0, |(start, _)| start))
    }

    /// Byte offset in the YAML of the value at `path`, if the document has it.
    pub fn value_offset(&self, path: impl Into<Path>) -> Option<usize> {
        let (place, found) = self.place(&path.into(), false);
        found.then_some(place.value.0)
    }

    /// Byte offset in the YAML where the value at `path` is written as
    /// `text` reads (inside its quotes, if it has them), if no escape or
    /// folding made the two differ.
    pub fn written_at(&self, path: impl Into<Path>, text: &str) -> Option<usize> {
        let at = self.value_offset(path)?;
        let at = at + usize::from(self.yaml[at..].starts_with(['"', '\'']));
        self.yaml[at..].starts_with(text).then_some(at)
    }

    /// Parse into `T`. When the document does not read as `T`, every problem
    /// is reported, not only the first serde meets: each top-level key that
    /// is not one of `T`'s fields is `unknown-key`, and each entry of the
    /// root map is read again on its own ([`Document::entry_errors`]), so a
    /// wrong date and a wrong list in one front matter are two errors, each
    /// at its value.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, Vec<Diagnostic>> {
        self.within_limits().map_err(|d| vec![d])?;
        // The common case is valid YAML: one typed parse. Only a failure pays
        // for the passes that find every problem at once.
        let first = match yaml_serde::from_str::<T>(self.yaml) {
            Ok(value) => return Ok(value),
            Err(e) => e,
        };
        let value: Value = yaml_serde::from_str(self.yaml).map_err(|e| vec![self.syntax_error(&e, None)])?;
        let keys = fields::<T>();
        let names: Vec<String> = match &value {
            Value::Mapping(map) => map.keys().map(key_name).collect(),
            _ => Vec::new(),
        };
        let mut found: Vec<Diagnostic> = names
            .iter()
            .filter(|name| !keys.contains(&name.as_str()))
            .map(|name| self.unknown_key(Path::root().key(name), keys))
            .collect();
        // another layout keeps serde's first problem (unless it found
        // unknown keys: that problem may be one of them)
        // (an empty document is a map of no keys, each required one missing)
        if matches!(value, Value::Mapping(_) | Value::Null)
            && let Some(mut entries) = self.entries(&names)
        {
            entries.retain(|(name, _)| keys.contains(name));
            // a key written with a typo (`titel:`) is one error: the key it
            // stands for is not also missing
            let mut written = names.clone();
            let meant = names.iter().filter(|name| !keys.contains(&name.as_str()));
            written.extend(meant.filter_map(|name| nearest(name, keys.iter().copied())).map(str::to_string));
            found.extend(self.entry_errors::<T>(&entries, &written));
        }
        if found.is_empty() {
            let (e, path) = self.located::<T>(first);
            found.push(self.value_error(&e, path.as_ref()));
        }
        Err(found)
    }

    /// The entries of the root map named `names`, each from the start of
    /// its key's line to the start of the next entry's, in the order
    /// written. `None` for a layout that cannot be cut there (a flow map, a
    /// complex key, two keys on one line), and for a document that may use
    /// an alias: an entry read on its own would lose the anchor written in
    /// another.
    fn entries<'n>(&self, names: &'n [String]) -> Option<Vec<(&'n str, std::ops::Range<usize>)>> {
        let bytes = self.yaml.as_bytes();
        if memchr::memchr(b'*', bytes).is_some() && memchr::memchr(b'&', bytes).is_some() {
            return None;
        }
        let mut starts = Vec::with_capacity(names.len());
        for name in names {
            let line = self.line_begun_at(self.key_offset(Path::root().key(name))?)?;
            starts.push((line, name.as_str()));
        }
        starts.sort_unstable();
        if starts.windows(2).any(|w| w[0].0 == w[1].0) {
            return None;
        }
        // an entry runs to where the next one starts, or to the end; what
        // comes before the first (comments, a `---`) belongs to none
        let ends = starts.iter().skip(1).map(|(at, _)| *at).chain([self.yaml.len()]);
        Some(starts.iter().zip(ends).map(|(&(start, name), end)| (name, start..end)).collect())
    }

    /// Where the line starts that byte `at` begins, after its indentation
    /// (`None` when something else is written before it on its line).
    fn line_begun_at(&self, at: usize) -> Option<usize> {
        let line = self.yaml[..at].rfind('\n').map_or(0, |i| i + 1);
        self.yaml[line..at].bytes().all(|b| b == b' ').then_some(line)
    }

    /// Every problem of the entries read as `T`: each entry alone, as a
    /// document of its own at its place in the file (so its positions are
    /// its own), and, in an entry that fails and holds a block list, each
    /// item alone, the other items blanked (spaces, the line breaks kept) so
    /// that every byte stays where it is. The items are read within a
    /// budget of a few times the document's size, so a long list of bad
    /// items costs time linear in the document. A required key the
    /// document does not have is reported once (`names`: the keys it has).
    fn entry_errors<T: DeserializeOwned>(
        &self,
        entries: &[(&str, std::ops::Range<usize>)],
        names: &[String],
    ) -> Vec<Diagnostic> {
        let mut found = Vec::new();
        let mut budget = 4 * self.yaml.len() + 64 * 1024;
        for (name, range) in entries {
            let entry = &self.yaml[range.clone()];
            let Alone::Failed(error) = self.read_alone::<T>(range.start, entry, None) else { continue };
            // the items of a block list, each alone: `-` and a space or line
            // break (a flow list's `-1` is a value), each `-` beginning its
            // line, so that blanking the others leaves a list of one
            let list = Path::root().key(name);
            let bytes = self.yaml.as_bytes();
            let items: Vec<usize> = (0..)
                .map_while(|i| self.key_offset(list.clone().item(i)))
                .take_while(|&at| {
                    at < range.end
                        && bytes[at] == b'-'
                        && bytes.get(at + 1).is_none_or(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
                })
                .collect();
            let mut in_items = Vec::new();
            if items.len() > 1 && items.iter().all(|&at| self.line_begun_at(at).is_some()) {
                let ends: Vec<usize> = items.iter().skip(1).copied().chain([range.end]).collect();
                for i in 0..items.len() {
                    if budget < entry.len() {
                        break;
                    }
                    budget -= entry.len();
                    let mut alone = entry.as_bytes().to_vec();
                    for j in (0..items.len()).filter(|&j| j != i) {
                        blank_out(&mut alone[items[j] - range.start..ends[j] - range.start]);
                    }
                    let alone = String::from_utf8(alone).expect("only whole lines' ends are blanked");
                    if let Alone::Failed(d) = self.read_alone::<T>(range.start, &alone, Some((&list, i))) {
                        in_items.push(d);
                    }
                }
            }
            // no item failing alone (a problem of the list as a whole, or
            // one past the budget): the entry's own error stands
            if in_items.is_empty() {
                found.push(error);
            } else {
                found.extend(in_items);
            }
        }
        found.extend(self.missing_keys::<T>(names));
        found
    }

    /// Each key `T` requires that the document does not have (`names`: the
    /// keys it has), in `T`'s order. serde names one missing key at a time,
    /// so the empty map is read, then read again with each key it named
    /// filled in with the first of a few stand-ins its type takes, until it
    /// reads (or no stand-in fits, when the keys found so far are told).
    fn missing_keys<T: DeserializeOwned>(&self, names: &[String]) -> Vec<Diagnostic> {
        const STAND_INS: [&str; 5] = ["''", "0", "false", "[]", "{}"];
        let mut missing = Vec::new();
        let mut filled = String::from("{");
        let mut alone = self.read_alone::<T>(0, "{}", None);
        while let Alone::Missing(field, d) = alone {
            if !names.contains(&field) {
                missing.push(d);
            }
            let fits = STAND_INS.iter().find_map(|stand_in| {
                let tried = format!("{filled}{}: {stand_in}, ", quoted(&field));
                match self.read_alone::<T>(0, &format!("{tried}}}"), None) {
                    Alone::Failed(_) => None,
                    Alone::Missing(next, _) if next == field => None,
                    read => Some((tried, read)),
                }
            });
            let Some((tried, read)) = fits else { break };
            (filled, alone) = (tried, read);
        }
        missing
    }

    /// `yaml`, which sits at byte `start` of this document, read as `T` on
    /// its own. `item`: the list and the index of the one item left in it,
    /// which the reader, counting only that one, names as item 0.
    fn read_alone<T: DeserializeOwned>(&self, start: usize, yaml: &str, item: Option<(&Path, usize)>) -> Alone {
        let doc = Document::new(self.file, self.text, self.offset + start, yaml);
        let e = match serde_path_to_error::deserialize::<_, T>(yaml_serde::Deserializer::from_str(yaml)) {
            Ok(_) => return Alone::Read,
            Err(e) => e,
        };
        let path = path_of(e.path());
        let e = e.into_inner();
        let mut message = strip_location(&e);
        if let Some(field) = quoted_after(&message, "missing field `")
            && path.as_ref().is_none_or(|p| p.0.is_empty())
        {
            // the root map lacks a key: the other entries may hold it
            return Alone::Missing(field, self.value_error(&e, Some(&Path::root())));
        }
        if let Some((list, i)) = item
            && let Some(rest) = message.strip_prefix(&format!("{}[0]", list.0))
        {
            message = format!("{}[{i}]{rest}", list.0);
        }
        Alone::Failed(doc.value_error_told(message, e.location().map_or(0, |l| l.index()), path.as_ref()))
    }

    /// Parse into `T` with no check of its keys beyond `T`'s own (a
    /// bibliography or glossary, read entry by entry by its caller).
    pub fn read<T: DeserializeOwned>(&self) -> Result<T, Diagnostic> {
        self.within_limits()?;
        yaml_serde::from_str(self.yaml).map_err(|e| {
            let (e, path) = self.located::<T>(e);
            self.syntax_error(&e, path.as_ref())
        })
    }

    /// The same parse again, on the cold path, noting the path of the value
    /// it fails on: the error and that path (`None` if it cannot be told).
    fn located<T: DeserializeOwned>(&self, first: yaml_serde::Error) -> (yaml_serde::Error, Option<Path>) {
        match serde_path_to_error::deserialize::<_, T>(yaml_serde::Deserializer::from_str(self.yaml)) {
            Ok(_) => (first, None),
            Err(e) => {
                let path = path_of(e.path());
                (e.into_inner(), path)
            }
        }
    }

    /// Aliases expand the document to at most twice its size (or
    /// [`MIN_EXPANSION`]): a value repeated by an alias is counted each time
    /// it is repeated, as its text plus one byte per value (so empty
    /// collections count too), and the count stops as soon as the budget is
    /// spent, before anything is built from the document. Without aliases a
    /// document never reaches the budget: no value is longer than its text.
    pub fn within_limits(&self) -> Result<(), Diagnostic> {
        // deep `[`/`{` nesting is found in one pass before any parse: the
        // reader's scanner takes time quadratic in the depth before its
        // own limit fires (40,000 levels: 6 s; 100,000: minutes)
        if let Some(at) = flow_too_deep(self.yaml) {
            return Err(Diagnostic::error(
                Code::FrontMatterYaml,
                format!("YAML nested more than {MAX_DEPTH} levels deep"),
            )
            .with_span(self.span(at))
            .with_help("flatten the lists and maps"));
        }
        // An alias is written `*name` and needs an anchor `&name`: a
        // document without both bytes has none, and is not parsed twice.
        // (A `*` or `&` in quoted text only costs the exact count below.)
        let bytes = self.yaml.as_bytes();
        if memchr::memchr(b'*', bytes).is_none() || memchr::memchr(b'&', bytes).is_none() {
            return Ok(());
        }
        let budget = (2 * self.yaml.len()).max(MIN_EXPANSION);
        let mut count = Expansion { left: budget, exceeded: false };
        let result = yaml_serde::Deserializer::from_str(self.yaml).deserialize_any(Counter(&mut count));
        match result {
            // a syntax error is reported by the parse that follows, as usual
            Err(e) if count.exceeded => {
                let index = e.location().map_or(0, |l| l.index());
                Err(Diagnostic::error(
                    Code::FrontMatterYaml,
                    format!(
                        "aliases expand this YAML to more than {budget} bytes: twice its size, or {} KiB, is the limit",
                        MIN_EXPANSION / 1024
                    ),
                )
                .with_span(self.span(index))
                .with_help("write the repeated value out where it is needed, or repeat it less often"))
            }
            _ => Ok(()),
        }
    }

    /// `unknown-key` for the key at `path`, with the nearest of the
    /// `allowed` keys as help.
    pub fn unknown_key(&self, path: Path, allowed: &[&str]) -> Diagnostic {
        let name = path.name();
        let mut d =
            Diagnostic::error(Code::UnknownKey, format!("unknown key `{name}`")).with_span(self.key_span(&path));
        d = match nearest(&name, allowed.iter().copied()) {
            Some(n) => d.with_help(format!("did you mean `{n}`?")),
            None => d.with_help(format!("allowed keys: {}", allowed.join(", "))),
        };
        d
    }

    /// Whether the YAML holds a tab at `index` or in the indentation of
    /// its line.
    fn tab_at(&self, index: usize) -> bool {
        let start = self.yaml.get(..index).and_then(|b| b.rfind('\n')).map_or(0, |i| i + 1);
        let line = self.yaml.get(start..).unwrap_or_default();
        let indent = &line[..line.len() - line.trim_start_matches([' ', '\t']).len()];
        indent.contains('\t') || self.yaml.as_bytes().get(index) == Some(&b'\t')
    }

    /// A parse that failed, told in the author's words; `path`: the value it
    /// failed on, when known.
    fn syntax_error(&self, e: &yaml_serde::Error, path: Option<&Path>) -> Diagnostic {
        let message = strip_location(e);
        let located = e.location().map(|l| l.index());
        // a key written twice is placed where its mapping starts: the index
        // knows where it is written the second time
        let duplicate = message.split_once("duplicate entry with key \"").and_then(|(_, key)| {
            let key = key.strip_suffix('"')?;
            self.indexed(
                |_| false,
                |spans| spans.duplicates.iter().find(|(name, ..)| name == key).map(|&(_, at, first)| (at, first)),
            )
        });
        let index = duplicate.map(|(at, _)| at).or(located).unwrap_or(0);
        let d = match message.as_str() {
            "recursion limit exceeded" => {
                Diagnostic::error(Code::FrontMatterYaml, format!("YAML nested more than {MAX_DEPTH} levels deep"))
                    .with_help("flatten the lists and maps")
            }
            "repetition limit exceeded" => {
                Diagnostic::error(Code::FrontMatterYaml, "aliases repeat values of this YAML too many times")
                    .with_help("write the repeated value out where it is needed, or repeat it less often")
            }
            // a tab where YAML wants indentation (it shows as spaces, so say so)
            _ if self.tab_at(index) => {
                Diagnostic::error(Code::FrontMatterYaml, "a tab character: YAML indents with spaces only")
                    .with_help("replace the tab with spaces (two per level, as the lines around it)")
            }
            _ if let Some((_, first)) = duplicate => {
                let key =
                    message.split_once("duplicate entry with key \"").map_or("", |(_, k)| k.trim_end_matches('"'));
                let line = self.span(first).line;
                Diagnostic::error(
                    Code::FrontMatterYaml,
                    format!("the key `{key}` is written twice in one map (first on line {line})"),
                )
            }
            // a value of the wrong shape, found while reading the syntax
            _ if ["unknown field `", "missing field `", "invalid type: ", "unknown variant `"]
                .iter()
                .any(|m| message.contains(m)) =>
            {
                return self.value_error(e, path);
            }
            _ => {
                let open = || self.indexed(|_| false, |spans| spans.unclosed.clone());
                let (text, help, at) = in_authors_words(&message, self.yaml, index, &open);
                return Diagnostic::error(Code::FrontMatterYaml, text).with_help(help).with_span(self.span(at));
            }
        };
        let d = if duplicate.is_some() {
            d.with_help("a key may be written once in each map: remove one of the two, or merge them")
        } else {
            d
        };
        d.with_span(self.span(index))
    }

    /// A value of the wrong kind, an unknown key or a missing one, placed
    /// by `path` (the value it is about, when known): the caret under the
    /// wrong value, the unknown key, or the key of the map missing one.
    fn value_error(&self, e: &yaml_serde::Error, path: Option<&Path>) -> Diagnostic {
        self.value_error_told(strip_location(e), e.location().map_or(0, |l| l.index()), path)
    }

    /// [`Document::value_error`] for the reader's `message` (without its
    /// location) and the byte `index` it names.
    fn value_error_told(&self, message: String, index: usize, path: Option<&Path>) -> Diagnostic {
        if let Some(field) = quoted_after(&message, "unknown field `") {
            let allowed: Vec<&str> = expected_fields(&message);
            // the path ends at the map, or at the unknown key itself
            let map = path.map_or_else(Path::root, |p| if p.name() == field { p.parent() } else { p.clone() });
            return self.unknown_key(map.key(&field), &allowed);
        }
        if let Some(field) = quoted_after(&message, "missing field `") {
            let span = match path {
                Some(p) if !p.0.is_empty() => self.key_span(p),
                // the whole document: where it starts
                Some(_) => self.span(0),
                None => self.span(if message.contains(": missing field") { index } else { 0 }),
            };
            return Diagnostic::error(Code::MissingKey, format!("missing required key `{field}`"))
                .with_span(span)
                .with_help(format!("add `{field}:` here"));
        }
        let (text, help) = value_in_authors_words(&message);
        let span = match path {
            Some(p) if !p.0.is_empty() => self.value_span(p),
            _ => self.span(index),
        };
        let d = Diagnostic::error(Code::InvalidValue, text).with_span(span);
        match help {
            Some(help) => d.with_help(help),
            None => d,
        }
    }
}

/// Where a `[` or `{` opens the flow collection nested more than
/// [`MAX_DEPTH`] deep, if one does: one pass over the bytes (see
/// [`FlowBrackets`]), so text that only looks like one costs nothing but
/// this pass.
fn flow_too_deep(yaml: &str) -> Option<usize> {
    // every front matter is parsed: most hold a handful of brackets, and
    // fewer than the limit cannot nest past it (a SIMD count, no state)
    memchr::memchr2_iter(b'[', b'{', yaml.as_bytes()).nth(MAX_DEPTH)?;
    FlowBrackets::new(yaml).find(|&(_, depth)| depth > MAX_DEPTH).map(|(at, _)| at)
}

/// Where the innermost `[` or `{` before `index` opens that nothing in the
/// whole document closes, if one does (one pass, as [`FlowBrackets`] reads
/// brackets).
fn bracket_never_closed(yaml: &str, index: usize) -> Option<usize> {
    let mut open = Vec::new();
    for (at, depth) in FlowBrackets::new(yaml) {
        if depth > open.len() {
            open.push(at);
        } else {
            open.pop();
        }
    }
    open.into_iter().rev().find(|&at| at < index)
}

/// The `[`, `{`, `]` and `}` of a YAML text that open and close flow
/// collections, each with the depth of nesting after it, skipping quoted
/// text and comments. A guard, not a parser: it counts a bracket where a
/// flow collection can start (the start of a value, or inside one), so a
/// `[` in the middle of text is not one.
struct FlowBrackets<'a> {
    bytes: &'a [u8],
    at: usize,
    depth: usize,
    value_starts: bool,
}

impl<'a> FlowBrackets<'a> {
    fn new(yaml: &'a str) -> FlowBrackets<'a> {
        FlowBrackets { bytes: yaml.as_bytes(), at: 0, depth: 0, value_starts: true }
    }
}

impl Iterator for FlowBrackets<'_> {
    type Item = (usize, usize);

    fn next(&mut self) -> Option<(usize, usize)> {
        let bytes = self.bytes;
        let blank = |b: Option<&u8>| b.is_none_or(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'));
        while self.at < bytes.len() {
            let i = self.at;
            self.at += 1;
            match bytes[i] {
                b'"' | b'\'' if self.value_starts => {
                    self.at = closing_quote(bytes, i) + 1;
                    self.value_starts = false;
                }
                b'#' if i == 0 || blank(bytes.get(i - 1)) => {
                    self.at = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |n| i + n);
                }
                b'[' | b'{' if self.value_starts || self.depth > 0 => {
                    self.depth += 1;
                    self.value_starts = true;
                    return Some((i, self.depth));
                }
                b']' | b'}' if self.depth > 0 => {
                    self.depth -= 1;
                    self.value_starts = false;
                    return Some((i, self.depth));
                }
                b',' if self.depth > 0 => self.value_starts = true,
                b'\n' => self.value_starts = true,
                b' ' | b'\t' | b'\r' => {}
                b':' | b'-' | b'?' if blank(bytes.get(i + 1)) => self.value_starts = true,
                _ => self.value_starts = false,
            }
        }
        None
    }
}

/// Where the quoted value opening at `open` (a `"` or `'`) closes: the
/// index of its closing quote mark, past `\"` in double quotes and `''`
/// in single ones; `bytes.len()` when nothing closes it.
fn closing_quote(bytes: &[u8], open: usize) -> usize {
    let q = bytes[open];
    let mut i = open + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if q == b'"' => i += 1,
            b'\'' if q == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 1,
            b if b == q => return i,
            _ => {}
        }
        i += 1;
    }
    bytes.len()
}

/// Where the last quoted value before `index` opens that its own line does
/// not close (after `key: ` or `- `), if one does; on the lines above
/// `index` only, if `above`.
fn open_quote_before(yaml: &str, index: usize, above: bool) -> Option<usize> {
    let end = if above { yaml[..index].rfind('\n').map_or(0, |i| i + 1) } else { index };
    yaml[..end]
        .split_inclusive('\n')
        .scan(0, |pos, line| {
            let start = *pos;
            *pos += line.len();
            Some((start, line))
        })
        .filter_map(|(start, line)| {
            let value = line.split_once(": ").map_or(line, |(_, v)| v).trim_start().trim_start_matches("- ");
            let q = value.chars().next().filter(|c| matches!(c, '"' | '\''))?;
            let rest = value[1..].trim_end();
            (!rest.ends_with(q)).then(|| start + line.len() - value.len())
        })
        .last()
}

/// Whether the quoted value opening at `open` runs past its line and ends
/// on the line of `index` (where the parser stopped) or the one before:
/// the quote mark that closed it was meant to open a value there.
fn quote_closes_on_the_line_of(yaml: &str, open: usize, index: usize) -> bool {
    let bytes = yaml.as_bytes();
    let i = closing_quote(bytes, open);
    let line_of = |at: usize| yaml[..at.min(yaml.len())].bytes().filter(|&b| b == b'\n').count();
    // the parser may read on to the line after before it gives up
    i < bytes.len() && line_of(i) > line_of(open) && (line_of(i)..=line_of(i) + 1).contains(&line_of(index))
}

/// A YAML parser's complaint about `yaml` at byte `index`, told as the
/// author sees the mistake: the message, its help, and where to point (the
/// `[` never closed, the quote never ended, rather than where the parser
/// gave up). `open()`: where the maps and lists the index found still open
/// when its parser gave up start, outermost first.
fn in_authors_words(message: &str, yaml: &str, index: usize, open: &dyn Fn() -> Vec<usize>) -> (String, String, usize) {
    // the end of the document is the end of its last line holding anything
    let index = index.min(yaml.trim_end().len());
    let line_start = yaml[..index].rfind('\n').map_or(0, |i| i + 1);
    let quote = "put the whole value in double quotes, e.g. `title: \"Ketamine: what to know\"`";
    let never_closed = || {
        (
            "a quoted value is never closed on its line".to_string(),
            "end the value with the same quote mark it starts with, on the same line".to_string(),
        )
    };
    if message.contains("found unexpected end of stream, while scanning a quoted scalar") {
        let (text, help) = never_closed();
        return (text, help, open_quote_before(yaml, index, false).unwrap_or(index));
    }
    // a quote left open runs on to the next quote mark, lines below, where
    // the parser then stumbles on a line that is right: the cause is above
    if let Some(open) = open_quote_before(yaml, index, true)
        && quote_closes_on_the_line_of(yaml, open, index)
    {
        let (text, help) = never_closed();
        return (text, help, open);
    }
    // a `[` or `{` never closed: the parser reads on past it, over lines
    // that are right, to where it can read no more (the next `- ` item, a
    // key, the end of the document), and says so in words that depend on
    // where that is, "while parsing a flow node" among them. Whether the
    // parser stopped inside a list or map written so is told by its words
    // or by the index (whose parser stops sooner); which bracket is never
    // closed, by the brackets themselves. (After the quotes: a quote never
    // closed inside a list leaves the list open too.)
    let in_flow = || message.contains("while parsing a flow") || open().iter().any(|&i| opens_flow(yaml, i));
    if let Some(at) = bracket_never_closed(yaml, index).filter(|_| in_flow()) {
        return not_closed(yaml.as_bytes()[at], at);
    }
    // the reader's own words, for a list or map closed further on
    if message.contains("while parsing a flow sequence") || message.contains("while parsing a flow mapping") {
        let bracket = if message.contains("flow sequence") { b'[' } else { b'{' };
        let at = open().into_iter().rev().find(|&i| yaml.as_bytes()[i] == bracket);
        return not_closed(bracket, at.unwrap_or(index));
    }
    if message.starts_with("mapping values are not allowed") {
        let indent = |l: &str| l.len() - l.trim_start_matches(' ').len();
        let this = yaml[line_start..].lines().next().unwrap_or_default();
        let above = yaml[..line_start].lines().rev().find(|l| !l.trim().is_empty());
        // `title:"x"` above: with no space after its colon, the line is
        // text that runs on into this one, whose `: ` the parser trips on
        if let Some(above) = above
            && indent(this) == indent(above)
            && let Some((key, value)) = above.trim_start().split_once(':')
            && !above.contains(": ")
            && !key.is_empty()
            && key.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '-'))
            && !value.is_empty()
            && !value.starts_with(' ')
        {
            let above_start = yaml[..line_start].trim_end_matches(['\n', '\r', ' ']).rfind('\n').map_or(0, |i| i + 1);
            let at = above_start + indent(above) + key.len() + 1;
            return (
                format!("no space after `{key}:`: YAML reads `{}` as text running on to the next line", above.trim()),
                format!("put a space after the colon: `{key}: {}`", value.trim_end()),
                at,
            );
        }
        if let Some(above) = above
            && indent(this) > indent(above)
            && above.split_once(": ").is_some_and(|(_, v)| !v.trim().is_empty())
        {
            return (
                "this line is indented under a key that already has a value".into(),
                "line it up with the key above (the same number of spaces), or move the value above to its own indented line".into(),
                line_start + indent(this),
            );
        }
        return ("a `: ` inside a value: YAML reads it as the start of another key".into(), quote.into(), index);
    }
    // the reader says where as "at position N" of its own count, and the
    // place of an error without a mark is the document's start: the
    // character is found here
    if message.starts_with("control characters are not allowed")
        && let Some((at, c)) =
            yaml.char_indices().find(|&(_, c)| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{85}'))
    {
        return (
            format!("a control character (`{}`) cannot be in YAML", c.escape_unicode()),
            "remove it (a file pasted from elsewhere may hold one unseen); in double quotes, `\\u0007` and the like write one".into(),
            at,
        );
    }
    if message.starts_with("found unknown escape character") {
        return (
            "a backslash inside double quotes must start an escape such as `\\n`".into(),
            "write a backslash as `\\\\`, or put the value in single quotes instead".into(),
            index,
        );
    }
    if message.starts_with("found character that cannot start any token") {
        let c = yaml[index..].chars().next().unwrap_or(' ');
        let named = if c == '`' { "a backtick".to_string() } else { format!("`{c}`") };
        return (format!("a value cannot start with {named}"), "put the whole value in double quotes".into(), index);
    }
    if message.starts_with("block sequence entries are not allowed") {
        return (
            "a list item `- ` on the same line as its key".into(),
            "start the list on the next line, one `  - item` per line, or write `key: [a, b]`".into(),
            index,
        );
    }
    if message.starts_with("could not find expected ':'") {
        return (
            "this line is not `key: value`".into(),
            "add `: ` after the key; a value that runs over several lines must be in double quotes".into(),
            // the parser reads on to the next key: the line without one is above
            if yaml[line_start..].lines().next().is_some_and(|l| l.contains(": ") || l.ends_with(':')) {
                yaml[..line_start].trim_end().rfind('\n').map_or(0, |i| i + 1)
            } else {
                line_start
            },
        );
    }
    if message.starts_with("did not find expected '-' indicator") {
        return (
            "a list item is indented differently from the items before it".into(),
            "line up every `- ` of one list".into(),
            index,
        );
    }
    if message.starts_with("did not find expected key") {
        return (
            "this line does not line up with the keys above it".into(),
            format!("indent it as the keys around it (the same number of spaces); {quote}"),
            index,
        );
    }
    if message.starts_with("unknown anchor") {
        return (
            "a value starting with `*` names an anchor (`&name`) that is not defined".into(),
            "put the value in double quotes, e.g. `\"*note\"`".into(),
            index,
        );
    }
    (
        "YAML cannot read this".into(),
        format!(
            "compare it with the lines around it: `key: value`, lists with `- `, values holding `:` or `#` in double quotes (the YAML reader says: {message})"
        ),
        index,
    )
}

/// Whether a list or map written `[…` or `{…` starts at byte `at`.
fn opens_flow(yaml: &str, at: usize) -> bool {
    matches!(yaml.as_bytes().get(at), Some(b'[' | b'{'))
}

/// The list (`bracket` is `[`) or map (`{`) opened at `at` and never
/// closed, in the author's words.
fn not_closed(bracket: u8, at: usize) -> (String, String, usize) {
    let (open, close, what) = if bracket == b'[' { ('[', ']', "a list") } else { ('{', '}', "a map") };
    (
        format!("{what} opened with `{open}` is not closed with `{close}`"),
        format!(
            "end it with `{close}` on the same line; a value holding `{open}`, `{close}` or `,` goes in double quotes"
        ),
        at,
    )
}

/// A message about a value read from YAML (the reader's words, maybe with
/// `at line N column M` and an `entry.` path), in the author's words, with
/// help where there is a fix to give. `within` is the entry's id, taken
/// off the front of the path.
pub(crate) fn plain_value_error(message: &str, within: &str) -> (String, Option<String>) {
    let message = without_location(message);
    let message = message.strip_prefix(within).and_then(|m| m.strip_prefix('.')).unwrap_or(&message);
    if let Some(key) = message.strip_suffix(": date format unknown") {
        return (
            format!("`{key}` is not a date"),
            Some("write a year, or the date as YYYY-MM-DD, e.g. `2020` or `2020-05-01`".into()),
        );
    }
    value_in_authors_words(message)
}

/// Where the value a message names (`this value cannot be clinician`) is
/// written in the entry at `at` (a field, or an item of a list field), and
/// the message with that field named for "this value".
pub(crate) fn named_value(doc: &Document, at: &Path, entry: &Value, message: &str) -> Option<(Span, String)> {
    let named = |v: &Value| {
        v.as_str().is_some_and(|s| {
            !s.is_empty() && (message.contains(&format!("`{s}`")) || message.ends_with(&format!(" {s}")))
        })
    };
    for (key, value) in entry.as_mapping()? {
        let name = key.as_str()?;
        let here = at.clone().key(name);
        let span = match value.as_sequence().and_then(|items| items.iter().position(named)) {
            _ if named(value) => doc.value_span(here),
            Some(i) => doc.value_span(here.item(i)),
            None => continue,
        };
        let message = match message.strip_prefix("this value ") {
            Some(rest) => format!("`{name}` {rest}"),
            None => message.to_string(),
        };
        return Some((span, message));
    }
    None
}

/// `u32`, `i64`, `usize`…: the reader's name of a whole-number field.
fn is_integer_type(name: &str) -> bool {
    name.strip_prefix(['u', 'i']).is_some_and(|bits| matches!(bits, "8" | "16" | "32" | "64" | "128" | "size"))
}

/// A value of the wrong kind, told in the author's words: `key: invalid
/// type: string "x", expected a sequence` (the reader's wording) becomes
/// "`key_points` must be a list, not the text "x"", with how to write one.
fn value_in_authors_words(message: &str) -> (String, Option<String>) {
    let (key, what) = match message.split_once(": ") {
        Some((key, rest)) if !key.contains(' ') => (Some(key), rest),
        _ => (None, message),
    };
    let subject = key.map_or("this value".to_string(), |k| format!("`{k}`"));
    // a whole number too large or small for the field (`integer `99…` as
    // u128, expected i64`, or `integer `99…`, expected u32`)
    // (a number where something else is wanted, `expected a boolean`, is
    // of the wrong kind, below)
    let out_of_range =
        what.strip_prefix("invalid type: integer `").or_else(|| what.strip_prefix("invalid value: integer `"));
    if let Some(rest) = out_of_range
        && let Some((n, after)) = rest.split_once('`')
    {
        let integer = after.rsplit_once(", expected ").is_some_and(|(_, expected)| is_integer_type(expected));
        let help = if integer && n.starts_with('-') {
            Some("write a whole number, 0 or more, e.g. `3`")
        } else if integer {
            Some("write a smaller whole number, e.g. `3`")
        } else if after.starts_with(" as ") {
            // past 64 bits (`as u128`), where a whole number is not wanted
            // either (`date: 18446744073709551616`): no key takes it
            Some("write a smaller number, or the kind of value this key takes (a date as YYYY-MM-DD)")
        } else {
            None
        };
        if let Some(help) = help {
            return (format!("{subject} cannot be {n}: the number is out of range"), Some(help.into()));
        }
    }
    if let Some(rest) = what.strip_prefix("invalid type: ")
        && let Some((got, expected)) = rest.split_once(", expected ")
    {
        let got = if let Some(n) = got.strip_prefix("integer ").or_else(|| got.strip_prefix("floating point ")) {
            let n = n.trim_matches('`');
            // `1e300` is shown so, not as the reader writes it out (301 digits)
            match n.parse::<f64>() {
                Ok(f) if n.len() > 20 => format!("the number {f:e}"),
                _ => format!("the number {n}"),
            }
        } else if let Some(t) = got.strip_prefix("string ") {
            format!("the text {t}")
        } else if let Some(b) = got.strip_prefix("boolean ") {
            b.to_string()
        } else {
            match got {
                "sequence" => "a list".into(),
                "map" => "a map of keys".into(),
                "unit value" => "nothing".into(),
                other => other.into(),
            }
        };
        let (wanted, help) = match expected {
            "a sequence" => ("a list", "write `[a, b]`, or one `- item` per line below the key, indented"),
            "a boolean" => ("`true` or `false`", "write `true` or `false`"),
            "a string" => ("text", "put the text in double quotes"),
            e if e.contains("formattable string") => ("text", "write the text, or `{ value: \"…\", short: \"…\" }`"),
            "struct Review" => ("a map of keys", "write `reviewed: { by: \"Editorial team\", on: YYYY-MM-DD }`"),
            // the whole document (no key names it): its keys are not indented
            e if (e.starts_with("struct ") || e == "a map") && key.is_none() => {
                ("a map of keys", "write one `key: value` per line, each key at the start of its line")
            }
            e if e.starts_with("struct ") || e == "a map" => {
                ("a map of keys", "write `key: value` lines below it, indented, or `{ key: value, … }`")
            }
            "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" | "usize" | "isize" => {
                ("a whole number", "write digits only, e.g. `3`")
            }
            e if e.contains("integer") => ("a whole number", "write digits only, e.g. `3`"),
            _ => return (format!("{subject} cannot be {got}"), None),
        };
        return (format!("{subject} must be {wanted}, not {got}"), Some(help.to_string()));
    }
    if let Some(rest) = what.strip_prefix("unknown variant `")
        && let Some((got, expected)) = rest.split_once("`, expected ")
    {
        let allowed: Vec<&str> = expected
            .split(['`', ','])
            .map(|w| w.trim().trim_start_matches("one of").trim_start_matches("or ").trim())
            .filter(|w| !w.is_empty() && *w != "or")
            .collect();
        let help = match nearest(got, allowed.iter().copied()) {
            Some(n) => format!("did you mean `{n}`? It may be {}", listed(&allowed)),
            None => format!("it may be {}", listed(&allowed)),
        };
        return (format!("{subject} cannot be `{got}`"), Some(help));
    }
    let help = what.contains("is not a date").then(|| "write dates as YYYY-MM-DD, e.g. 2026-01-31".to_string());
    (message.to_string(), help)
}

/// `a`, `b` or `c`.
fn listed(words: &[&str]) -> String {
    let quoted: Vec<String> = words.iter().map(|w| format!("`{w}`")).collect();
    match quoted.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// The keys of struct `T`, read from its `Deserialize` implementation (the
/// schema itself, so no hand-kept list can drift from it): the field names
/// serde passes to `deserialize_struct`. Empty for a type that is not a
/// struct.
pub(crate) fn fields<T: DeserializeOwned>() -> &'static [&'static str] {
    struct Fields(&'static [&'static str]);
    #[derive(Debug)]
    struct Found;
    impl std::fmt::Display for Found {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("fields found")
        }
    }
    impl std::error::Error for Found {}
    impl de::Error for Found {
        fn custom<M: std::fmt::Display>(_: M) -> Found {
            Found
        }
    }
    struct Introspect<'a>(&'a mut Fields);
    impl<'de> de::Deserializer<'de> for Introspect<'_> {
        type Error = Found;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Found> {
            Err(Found)
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Found> {
            self.0.0 = fields;
            Err(Found)
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
            unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
        }
    }
    let mut found = Fields(&[]);
    let _ = <T as serde::Deserialize>::deserialize(Introspect(&mut found));
    found.0
}

/// What is left of the expansion budget of one document.
struct Expansion {
    left: usize,
    exceeded: bool,
}

impl Expansion {
    fn spend<E: de::Error>(&mut self, bytes: usize) -> Result<(), E> {
        match self.left.checked_sub(bytes + 1) {
            Some(left) => {
                self.left = left;
                Ok(())
            }
            None => {
                self.exceeded = true;
                Err(E::custom("the expansion limit is reached"))
            }
        }
    }
}

/// Visits every value of a document, aliases replayed, and counts them
/// against the budget; builds nothing.
struct Counter<'a>(&'a mut Expansion);

impl<'de> DeserializeSeed<'de> for Counter<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Counter<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.0.spend(0)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.0.spend(0)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.0.spend(0)
    }
    fn visit_i128<E: de::Error>(self, _: i128) -> Result<(), E> {
        self.0.spend(0)
    }
    fn visit_u128<E: de::Error>(self, _: u128) -> Result<(), E> {
        self.0.spend(0)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.0.spend(0)
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<(), E> {
        self.0.spend(s.len())
    }
    fn visit_bytes<E: de::Error>(self, b: &[u8]) -> Result<(), E> {
        self.0.spend(b.len())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.0.spend(0)
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.0.spend(0)
    }
    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
    fn visit_newtype_struct<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.0.spend(0)?;
        while seq.next_element_seed(Counter(&mut *self.0))?.is_some() {}
        Ok(())
    }
    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.0.spend(0)?;
        while map.next_key_seed(Counter(&mut *self.0))?.is_some() {
            map.next_value_seed(Counter(&mut *self.0))?;
        }
        Ok(())
    }
    /// A tagged value (`!tag value`).
    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<(), A::Error> {
        use de::VariantAccess as _;
        let (_, variant) = data.variant::<de::IgnoredAny>()?;
        self.0.spend(0)?;
        variant.newtype_variant_seed(Counter(self.0))
    }
}

/// A place in a YAML document, named by the keys and list positions that
/// lead to it: `reviewed.by`, `sources[3].title`, `faq[0].q`. A path
/// written as text (`"reviewed.by"`) is read that way; a key that may hold
/// `.` or `[` (an id, a glossary term) is added with [`Path::key`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Path(String);

impl Path {
    /// The whole document.
    pub fn root() -> Path {
        Path::default()
    }

    /// The value of `key` in the map at this path.
    pub fn key(mut self, key: &str) -> Path {
        if !self.0.is_empty() {
            self.0.push('.');
        }
        for c in key.chars() {
            if matches!(c, '.' | '[' | '\\') {
                self.0.push('\\');
            }
            self.0.push(c);
        }
        self
    }

    /// Item `index` (from 0) of the list at this path.
    pub fn item(mut self, index: usize) -> Path {
        self.0.push_str(&format!("[{index}]"));
        self
    }

    /// Where the last step of the path starts (its `.` or `[`; 0 for one step).
    fn last_step(&self) -> usize {
        let bytes = self.0.as_bytes();
        let (mut cut, mut i) = (0, 0);
        while i < bytes.len() {
            match bytes[i] {
                b'\\' => i += 1,
                b'.' | b'[' => cut = i,
                _ => {}
            }
            i += 1;
        }
        cut
    }

    /// The path of the map or list holding this value (the root's is itself).
    fn parent(&self) -> Path {
        Path(self.0[..self.last_step()].to_string())
    }

    /// The key this path ends with, as written (empty for a list item).
    pub fn name(&self) -> String {
        let last = &self.0[self.last_step()..];
        if last.starts_with('[') {
            return String::new();
        }
        let mut name = String::new();
        let mut escaped = false;
        for c in last.strip_prefix('.').unwrap_or(last).chars() {
            if c == '\\' && !escaped {
                escaped = true;
                continue;
            }
            escaped = false;
            name.push(c);
        }
        name
    }
}

impl From<&str> for Path {
    fn from(path: &str) -> Path {
        Path(path.to_string())
    }
}

impl From<&Path> for Path {
    fn from(path: &Path) -> Path {
        path.clone()
    }
}

/// The positions of a document's values, made by [`Document::positions`].
pub struct Positions(Spans);

/// Where one value is written: its key (the `-` of an item of a block list;
/// none for an item of a flow list or the root) and the value itself, as
/// byte ranges of the YAML (a map or list not read to its end yet ends
/// where it starts, and is `open`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Place {
    key: Option<(usize, usize)>,
    value: (usize, usize),
    open: bool,
}

/// Every value of a document by its [`Path`], read by a YAML parser that
/// keeps positions (saphyr's), and every key written twice in one map.
#[derive(Debug, Default)]
struct Spans {
    places: foldhash::HashMap<Path, Place>,
    /// The key's name, where it is written the second time and where the
    /// first, in order.
    duplicates: Vec<(String, usize, usize)>,
    /// Where the maps and lists still open when the parser gave up start,
    /// outermost first (none when it read the whole document).
    unclosed: Vec<usize>,
}

/// The index of a document as far as it has been read: it is read only
/// as far as the positions asked for need (the `description:` of a front
/// matter is found without reading its FAQ).
struct Index<'a> {
    spans: Spans,
    /// `None` once the whole document is read.
    reader: Option<Reader<'a>>,
}

impl<'a> Index<'a> {
    fn new(yaml: &'a str) -> Index<'a> {
        Index { spans: Spans::default(), reader: Some(Reader::new(yaml)) }
    }

    /// Read on until `done` says the index holds what is needed, or the
    /// document ends.
    fn until(&mut self, done: impl Fn(&Spans) -> bool) -> &Spans {
        while !done(&self.spans) {
            let Some(reader) = &mut self.reader else { break };
            if !reader.step(&mut self.spans) {
                self.reader = None;
            }
        }
        &self.spans
    }
}

/// What the index builder is inside of.
enum Open {
    /// A map: the key read and waiting for its value, if any.
    Map {
        path: Path,
        start: usize,
        key: Option<(Path, (usize, usize))>,
    },
    List {
        path: Path,
        start: usize,
        next: usize,
    },
    /// A key that is itself a map or list (`? [a, b]`): not indexed.
    ComplexKey {
        depth: usize,
    },
}

/// saphyr's parser over the document, and where its events stand.
struct Reader<'a> {
    yaml: &'a str,
    parser: saphyr_parser::Parser<'a, saphyr_parser::StrInput<'a>>,
    offsets: ByteOffsets<'a>,
    open: Vec<Open>,
}

impl<'a> Reader<'a> {
    fn new(yaml: &'a str) -> Reader<'a> {
        Reader {
            yaml,
            parser: saphyr_parser::Parser::new_from_str(yaml),
            offsets: ByteOffsets::new(yaml),
            open: Vec::new(),
        }
    }

    /// Read one event into `spans`; `false` at the end of the document (or
    /// where the parser gives up: what was read before is kept).
    fn step(&mut self, spans: &mut Spans) -> bool {
        use saphyr_parser::Event;
        let (event, span) = match self.parser.next() {
            Some(Ok(read)) => read,
            None => return false,
            Some(Err(_)) => {
                for frame in &self.open {
                    if let Open::Map { start, .. } | Open::List { start, .. } = frame {
                        spans.unclosed.push(*start);
                    }
                }
                return false;
            }
        };
        if matches!(event, Event::StreamEnd) {
            return false;
        }
        let (start, end) = (self.offsets.of(span.start), self.offsets.of(span.end));
        let end = end.max(start);
        let open = &mut self.open;
        if let Some(Open::ComplexKey { depth }) = open.last_mut() {
            match event {
                Event::MappingStart(..) | Event::SequenceStart(..) => *depth += 1,
                Event::MappingEnd | Event::SequenceEnd => *depth -= 1,
                _ => {}
            }
            if matches!(open.last(), Some(Open::ComplexKey { depth: 0 })) {
                open.pop();
                if let Some(Open::Map { path, key, .. }) = open.last_mut() {
                    *key = Some((path.clone().key("?"), (start, end)));
                }
            }
            return true;
        }
        if matches!(event, Event::MappingEnd | Event::SequenceEnd) {
            if let Some(Open::Map { path, start, .. } | Open::List { path, start, .. }) = open.pop()
                && let Some(place) = spans.places.get_mut(&path)
                && place.value.0 == start
            {
                place.value.1 = end;
                place.open = false;
            }
            return true;
        }
        if !matches!(event, Event::Scalar(..) | Event::Alias(_) | Event::MappingStart(..) | Event::SequenceStart(..)) {
            return true;
        }
        // which value this node is, and under which key
        let (path, key) = match open.last_mut() {
            None => (Path::root(), None),
            Some(Open::List { path, next, .. }) => {
                *next += 1;
                // an item of a block list is marked by its `- `: the
                // item's "key", where a caret points at the whole item
                let before = self.yaml[..start].trim_end_matches(' ');
                let dash = before.strip_suffix('-').map(|b| (b.len(), b.len() + 1));
                (path.clone().item(*next - 1), dash)
            }
            Some(Open::Map { path, key, .. }) => match key.take() {
                Some((path, at)) => (path, Some(at)),
                None => {
                    match &event {
                        Event::Scalar(name, ..) => {
                            let here = path.clone().key(name);
                            if let Some(first) = spans.places.get(&here) {
                                let first = first.key.map_or(first.value.0, |(at, _)| at);
                                spans.duplicates.push((name.to_string(), start, first));
                            }
                            *key = Some((here, (start, end)));
                        }
                        Event::Alias(_) => *key = Some((path.clone().key("*"), (start, end))),
                        _ => open.push(Open::ComplexKey { depth: 1 }),
                    }
                    return true;
                }
            },
            Some(Open::ComplexKey { .. }) => return true,
        };
        let place = |open| Place { key, value: (start, if open { start } else { end }), open };
        match event {
            Event::MappingStart(..) => {
                spans.places.entry(path.clone()).or_insert(place(true));
                open.push(Open::Map { path, start, key: None });
            }
            Event::SequenceStart(..) => {
                spans.places.entry(path.clone()).or_insert(place(true));
                open.push(Open::List { path, start, next: 0 });
            }
            _ => {
                spans.places.entry(path).or_insert(place(false));
            }
        }
        true
    }
}

/// Byte offsets of the parser's markers, which count characters.
struct ByteOffsets<'a> {
    yaml: &'a str,
    /// `None` for ASCII text, where the two are the same; else the last
    /// marker converted, (characters, bytes): markers mostly move forward.
    last: Option<(usize, usize)>,
}

impl<'a> ByteOffsets<'a> {
    fn new(yaml: &'a str) -> ByteOffsets<'a> {
        ByteOffsets { yaml, last: (!yaml.is_ascii()).then_some((0, 0)) }
    }

    fn of(&mut self, marker: saphyr_parser::Marker) -> usize {
        let Some((chars, bytes)) = self.last else { return marker.index().min(self.yaml.len()) };
        let (chars, bytes) = if marker.index() >= chars { (chars, bytes) } else { (0, 0) };
        let byte =
            self.yaml[bytes..].char_indices().nth(marker.index() - chars).map_or(self.yaml.len(), |(i, _)| bytes + i);
        self.last = Some((marker.index(), byte));
        byte
    }
}

/// A typed parse's path, as a [`Path`] (`None` where serde could not tell).
fn path_of(found: &serde_path_to_error::Path) -> Option<Path> {
    let mut path = Path::root();
    for segment in found {
        path = match segment {
            serde_path_to_error::Segment::Map { key } => path.key(key),
            serde_path_to_error::Segment::Seq { index } => path.item(*index),
            serde_path_to_error::Segment::Enum { .. } => path,
            serde_path_to_error::Segment::Unknown => return Some(path),
        };
    }
    Some(path)
}

/// A part of a document read on its own ([`Document::entry_errors`]).
enum Alone {
    Read,
    /// It reads, but the root map lacks this required key (the
    /// `missing-key` error, placed at the document's start).
    Missing(String, Diagnostic),
    Failed(Diagnostic),
}

/// Blank `bytes`: spaces for everything but line breaks, so what follows
/// stays at its line and column.
fn blank_out(bytes: &mut [u8]) {
    for b in bytes.iter_mut().filter(|b| !matches!(b, b'\n' | b'\r')) {
        *b = b' ';
    }
}

fn key_name(key: &Value) -> String {
    match key {
        Value::String(s) => s.clone(),
        other => yaml_serde::to_string(other).unwrap_or_default().trim().to_string(),
    }
}

/// The message without the parser's "at line N column M" (every one of
/// them: a message can hold two), which count from the start of the YAML
/// block, not of the file: the diagnostic gives the file's own position.
fn strip_location(e: &yaml_serde::Error) -> String {
    without_location(&e.to_string())
}

/// `message` without its ` at line N column M` parts.
fn without_location(message: &str) -> String {
    let mut s = message.to_string();
    while let Some(i) = s.find(" at line ") {
        let rest = &s[i + " at line ".len()..];
        let number = |t: &str| t.bytes().take_while(u8::is_ascii_digit).count();
        let line = number(rest);
        let after_line = &rest[line..];
        let end = match after_line.strip_prefix(" column ") {
            Some(col) => line + " column ".len() + number(col),
            None => line,
        };
        s.replace_range(i..i + " at line ".len() + end, "");
    }
    s
}

fn quoted_after(message: &str, prefix: &str) -> Option<String> {
    let rest = &message[message.find(prefix)? + prefix.len()..];
    Some(rest[..rest.find('`')?].to_string())
}

/// The field list serde appends: "expected one of `a`, `b`".
fn expected_fields(message: &str) -> Vec<&str> {
    let Some(i) = message.find("expected") else { return Vec::new() };
    message[i..].split('`').skip(1).step_by(2).collect()
}

#[cfg(test)]
mod tests {
    /// Whatever a title or scope holds, what is written reads back as it
    /// was: every character YAML allows, refuses, or gives a meaning.
    #[test]
    fn a_quoted_scalar_reads_back_as_the_text_it_quotes() {
        let mut texts: Vec<String> = [
            "",
            "a\u{7f}b",
            "\u{81}\u{85}\u{9f}",
            "\u{2028}\u{2029}",
            "\u{fffe}\u{ffff}",
            "\"\\ \n\t\r",
            "# not a comment",
            "é 😀",
        ]
        .map(String::from)
        .to_vec();
        texts.push((0u32..0x300).filter_map(char::from_u32).collect());
        texts.push((0xD000u32..0x1_0010).filter_map(char::from_u32).collect());
        for text in texts {
            let yaml = format!("title: {}\n", super::quoted(&text));
            let value: super::Value = yaml_serde::from_str(&yaml).unwrap_or_else(|e| panic!("{yaml:?}: {e}"));
            assert_eq!(value["title"].as_str(), Some(text.as_str()), "{yaml:?}");
        }
    }

    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Small {
        #[allow(dead_code)]
        title: String,
        #[serde(default)]
        #[allow(dead_code)]
        inner: Option<Inner>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        #[allow(dead_code)]
        on: String,
    }

    fn doc(text: &str) -> Document<'_> {
        // like front matter: YAML begins after the first line
        let end = text[4..].find("---").map_or(text.len(), |i| i + 4);
        Document::new("a.md", text, 4, &text[4..end])
    }

    #[test]
    fn every_unknown_top_level_key_is_reported_at_its_real_line() {
        let text = "---\ntitle: x\ntitel: y\nfoo: 1\n---\n";
        let errs = doc(text).parse::<Small>().unwrap_err();
        let got: Vec<_> = errs.iter().map(|d| (d.code, d.line())).collect();
        assert_eq!(got, vec![(Code::UnknownKey, Some(3)), (Code::UnknownKey, Some(4))]);
        assert_eq!(errs[0].help.as_deref(), Some("did you mean `title`?"));
    }

    #[test]
    fn nested_unknown_key_missing_key_and_syntax_errors() {
        let text = "---\ntitle: x\ninner: { on: a, nxt: b }\n";
        let e = doc(text).parse::<Small>().unwrap_err();
        assert_eq!((e[0].code, e[0].line()), (Code::UnknownKey, Some(3)));

        let e = doc("---\ninner: { on: a }\n").parse::<Small>().unwrap_err();
        assert_eq!(e[0].code, Code::MissingKey);

        let e = doc("---\ntitle: x\n  bad: [\n").parse::<Small>().unwrap_err();
        assert_eq!(e[0].code, Code::FrontMatterYaml);
        assert!(e[0].line().unwrap() >= 2);
    }

    /// A typed parse reports each problem of the document, not only the
    /// first serde meets: each entry's, each item's of a list, an unknown
    /// key's and a missing key's, every one at its own line.
    #[test]
    fn every_problem_of_a_document_is_reported_each_at_its_line() {
        #[derive(Debug, Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Page {
            title: String,
            year: u16,
            #[serde(default)]
            tags: Vec<String>,
            #[serde(default)]
            faq: Vec<Inner>,
            #[serde(default)]
            inner: Option<Inner>,
        }
        let placed = |text: &str| -> Vec<(Code, Option<usize>)> {
            let errs = doc(text).parse::<Page>().unwrap_err();
            errs.iter().map(|d| (d.code, d.line())).collect()
        };
        let text = "---\ntitle: x\nyear: 70000\ntags: {a: b}\nfaq:\n  - on: a\n  - on: [b]\n  - on: c\n  - of: d\ninner: {on: a, x: 1}\n---\n";
        assert_eq!(
            placed(text),
            [
                (Code::InvalidValue, Some(3)),
                (Code::InvalidValue, Some(4)),
                (Code::InvalidValue, Some(7)),
                (Code::UnknownKey, Some(9)),
                (Code::UnknownKey, Some(10)),
            ]
        );
        // an unknown key, a missing one and a wrong value together
        let text = "---\nfoo: x\nyear: no\n---\n";
        assert_eq!(
            placed(text),
            [(Code::UnknownKey, Some(2)), (Code::InvalidValue, Some(3)), (Code::MissingKey, Some(2))]
        );
        // a key written with a typo is not also missing
        let text = "---\ntitel: x\nyear: no\n---\n";
        assert_eq!(placed(text), [(Code::UnknownKey, Some(2)), (Code::InvalidValue, Some(3))]);
        // each alone is what it was before
        assert_eq!(placed("---\ntitle: x\nyear: no\n---\n"), [(Code::InvalidValue, Some(3))]);
        assert_eq!(placed("---\nyear: 1\n---\n"), [(Code::MissingKey, Some(2))]);
        // every required key missing is told, not only the first serde names
        assert_eq!(
            placed("---\nfoo: x\n---\n"),
            [(Code::UnknownKey, Some(2)), (Code::MissingKey, Some(2)), (Code::MissingKey, Some(2))]
        );
        let missing = |text: &str| -> Vec<String> {
            let errs = doc(text).parse::<Page>().unwrap_err();
            errs.into_iter().filter(|d| d.code == Code::MissingKey).map(|d| d.message).collect()
        };
        let both = ["missing required key `title`", "missing required key `year`"];
        assert_eq!(missing("---\n---\n"), both);
        assert_eq!(missing("---\n# only a comment\n---\n"), both);
        assert_eq!(missing("---\ntags: [a]\n---\n"), both);
        // a root that is not a map is that one problem
        let errs = doc("---\n- title: x\n---\n").parse::<Page>().unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].message, "this value must be a map of keys, not a list");
        assert_eq!(errs[0].help.as_deref(), Some("write one `key: value` per line, each key at the start of its line"));
        // a flow map at the root, or aliases, keep serde's first problem
        assert_eq!(placed("---\n{title: x, year: no, tags: 1}\n---\n"), [(Code::InvalidValue, Some(2))]);
        let aliased = "---\ntitle: &t x\nyear: no\ntags: *t\n---\n";
        assert_eq!(placed(aliased), [(Code::InvalidValue, Some(3))]);
        // a flow list's item that starts with `-` is not a block list's
        let text = "---\ntitle: x\nyear: 1\nfaq: [-1, {on: [b]}]\ntags: [a]\n---\n";
        assert_eq!(placed(text), [(Code::InvalidValue, Some(4))]);
    }

    /// A long list of bad items costs time linear in the document: its
    /// items are read alone within a budget, and those past it are not
    /// read alone (the errors found within it stand).
    #[test]
    fn a_long_list_of_bad_items_is_read_within_a_budget() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Listed {
            faq: Vec<Inner>,
        }
        let items = "  - on: [b]\n".repeat(20_000);
        let text = format!("---\nfaq:\n{items}---\n");
        let errs = doc(&text).parse::<Listed>().unwrap_err();
        assert!(!errs.is_empty() && errs.len() < 20_000, "{}", errs.len());
        assert!(errs.iter().all(|d| d.code == Code::InvalidValue));
    }

    fn whole(text: &str) -> Result<Value, Diagnostic> {
        Document::whole("x.yaml", text).read::<Value>()
    }

    #[test]
    fn nesting_is_limited_to_max_depth() {
        let nested = |depth: usize| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        assert!(whole(&nested(MAX_DEPTH)).is_ok());
        let e = whole(&nested(MAX_DEPTH + 1)).unwrap_err();
        assert_eq!(e.code, Code::FrontMatterYaml);
        assert!(e.message.contains("nested more than 128 levels"), "{}", e.message);
        // far deeper: an error, not a stack overflow (nor in the index)
        assert!(whole(&nested(100_000)).is_err());
        assert_eq!(Document::whole("x.yaml", &nested(100_000)).key_span("a").line, 1);
        assert_eq!(Document::whole("x.yaml", &"[".repeat(100_000)).key_span("a").line, 1);
        let e = doc(&format!("---\ntitle: {}\n---\n", nested(200))).parse::<Small>().unwrap_err();
        assert!(e[0].message.contains("nested more than"), "{}", e[0].message);
    }

    /// The guard that finds deep nesting before the reader does refuses
    /// nothing the reader reads, and counts no bracket inside quotes or
    /// comments or in the middle of text.
    #[test]
    fn deep_flow_nesting_is_found_in_one_pass_as_the_reader_would_find_it() {
        let nested =
            |depth: usize, open: &str, close: &str| format!("x: {}{}\n", open.repeat(depth), close.repeat(depth));
        for (open, close) in [("[", "]"), ("{a: ", "}"), ("[ ", " ]"), ("[a, ", "]")] {
            for depth in [MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1, 40_000] {
                let yaml = nested(depth, open, close);
                let guard = super::flow_too_deep(&yaml).is_some();
                assert_eq!(guard, depth > MAX_DEPTH, "{open} {depth}");
                // never stricter than the reader (whose depth counts the
                // block map around the list too)
                if guard && depth <= MAX_DEPTH + 1 {
                    let reader =
                        yaml_serde::from_str::<Value>(&yaml).is_err_and(|e| e.to_string().contains("recursion"));
                    assert!(reader, "{open} {depth}: the reader refuses what the guard refuses");
                }
            }
        }
        let deep = "[".repeat(MAX_DEPTH + 1);
        for text in [
            format!("x: \"{deep}\"\n"),
            format!("x: '{deep}'\n"),
            format!("x: 1 # {deep}\n"),
            format!("title: a{deep}\n"),
            format!("a: |\n  text\n  more {deep}\n"),
        ] {
            assert_eq!(super::flow_too_deep(&text), None, "{text}");
        }
        // far deeper, and never closed: found at once, where the limit is passed
        let unclosed = format!("x: {}", "[".repeat(80_000));
        assert_eq!(super::flow_too_deep(&unclosed), Some(3 + MAX_DEPTH));
        let e = whole(&unclosed).unwrap_err();
        assert!(e.message.contains("nested more than 128 levels"), "{}", e.message);
    }

    #[test]
    fn aliases_may_not_expand_a_document_past_twice_its_size() {
        // one long anchored string, repeated: the wide form
        let long = "x".repeat(100_000);
        let wide = format!("a: &a \"{long}\"\nb: [{}]\n", ["*a"; 3].join(", "));
        let e = whole(&wide).unwrap_err();
        assert_eq!((e.code, e.line()), (Code::FrontMatterYaml, Some(1)));
        assert!(e.message.contains("aliases expand"), "{}", e.message);
        // the classic form: each level repeats the one before ten times
        let mut laughs = String::from("l0: &l0 \"lol\"\n");
        for i in 1..10 {
            laughs.push_str(&format!("l{i}: &l{i} [{}]\n", vec![format!("*l{}", i - 1); 10].join(", ")));
        }
        assert_eq!(whole(&laughs).unwrap_err().code, Code::FrontMatterYaml);
        // in typed parses too (site.yaml, front matter), before serde builds anything
        let front = format!("---\ntitle: &a \"{long}\"\ninner: {{ on: [{}] }}\n---\n", ["*a"; 3].join(", "));
        let e = doc(&front).parse::<Small>().unwrap_err();
        assert!(e[0].message.contains("aliases expand"), "{}", e[0].message);
    }

    #[test]
    fn anchors_within_the_budget_and_quoted_stars_and_ampersands_parse() {
        let value = whole("a: &a { x: 1, y: [2, 3] }\nb: *a\nc: *a\n").unwrap();
        assert_eq!(value["c"]["y"][1].as_u64(), Some(3));
        // `*` and `&` inside quoted or plain text are text, whatever their number
        let text = format!("q: \"{}\"\nr: 'R&D *and* more'\ns: a*b&c\n", "*&x ".repeat(50_000));
        let value = whole(&text).unwrap();
        assert_eq!(value["s"].as_str(), Some("a*b&c"));
        // a long document with an anchor used once is far from the budget
        let long = format!("a: &a \"{}\"\nb: *a\n", "x".repeat(1_000_000));
        assert!(whole(&long).is_ok());
    }

    #[test]
    fn a_key_written_twice_is_reported_where_it_is_written_the_second_time() {
        // (yaml, line, column of the second key)
        let table = [
            ("title: A\nbase_url: x\ntitle: B\n", 3, 1),
            ("a:\n  title: x\nb:\n  title: y\n  title: z\n", 5, 3),
            ("- q: a\n  q: b\n", 2, 3),
            ("- q: a\n- q: b\n  q: c\n", 3, 3),
            ("r: { by: x, on: y, by: z }\n", 1, 20),
            // at the quote: the key as written
            ("doe2020:\n  type: article\n\"doe2020\":\n  type: book\n", 3, 1),
            // a block scalar holding `title:` is text, not a key
            ("title: A\nnote: |\n  title: quoted\ntitle: B\n", 4, 1),
        ];
        for (yaml, line, column) in table {
            let e = whole(yaml).unwrap_err();
            assert!(e.message.contains("is written twice"), "{yaml:?}: {}", e.message);
            let span = e.span.unwrap();
            assert_eq!((span.line, span.column), (line, column), "{yaml:?}");
        }
    }

    /// (yaml, path, line and column of the key, of the value): every place
    /// a scan of the lines for `name:` got wrong (the first key of that name
    /// at any depth, text inside a value, a flow map, a quoted key, a list
    /// item), found by path.
    #[test]
    fn keys_and_values_are_found_by_path_not_by_name() {
        type LineColumn = (usize, usize);
        let table: [(&str, &str, LineColumn, LineColumn); 9] = [
            // the same key in two nested maps: the scan found `a.by`
            ("a:\n  by: x\nreviewed:\n  by: 3\n", "reviewed.by", (4, 3), (4, 7)),
            // `by:` inside a multi-line quoted value is text
            ("summary: \"line one\n  by: not a key\"\nreviewed: { by: x }\n", "reviewed.by", (3, 13), (3, 17)),
            // a folded value's lines are text; the key after it
            ("d: >\n  by: folded\n  text\nby: 1\n", "by", (4, 1), (4, 5)),
            // a flow map: the second key, not the first `b` in a value
            ("r: {a: b, b: x}\n", "r.b", (1, 11), (1, 14)),
            // a quoted key
            ("r:\n  \"on\": 2020-01-01\n", "r.on", (2, 3), (2, 9)),
            // keys in list items, by their item
            ("faq:\n  - q: one\n    a: two\n  - q: three\n    a: four\n", "faq[1].a", (5, 5), (5, 8)),
            // a list item has no key: the key is its value
            ("tags: [x, \"y z\", w]\n", "tags[2]", (1, 18), (1, 18)),
            // columns count characters, not bytes
            ("title: \"Café ☕\"\nr: {by: x}\n", "r.by", (2, 5), (2, 9)),
            // a key of several words, holding a dot
            ("zebra crossing.x: a\n", "zebra crossing\\.x", (1, 1), (1, 19)),
        ];
        for (yaml, path, key, value) in table {
            let doc = Document::whole("x.yaml", yaml);
            let at = |s: Span| (s.line, s.column);
            assert_eq!(at(doc.key_span(path)), key, "key of {path} in {yaml:?}");
            assert_eq!(at(doc.value_span(path)), value, "value of {path} in {yaml:?}");
        }
        // a path built key by key escapes what a written path would split on
        let doc = Document::whole("x.yaml", "doi:10.1/x: 1\n");
        assert_eq!(doc.key_span(Path::root().key("doi:10.1/x")).width, Some(11));
        // a path the document does not have: the nearest key holding it
        let doc = Document::whole("x.yaml", "a: 1\nr:\n  by: x\n");
        assert_eq!(doc.key_span("r.on").line, 2);
        assert_eq!(doc.key_offset("r.on"), None);
    }

    /// The index is read only as far as a position needs, and what it finds
    /// so is what the whole index finds.
    #[test]
    fn positions_read_as_far_as_needed_are_those_of_the_whole_index() {
        let yaml = "title: T\ndescription: D\nreviewed: { by: x, on: 2020-01-01 }\nfaq:\n  - q: a\n    a: |\n      b\n  - { q: c, a: d }\ntags: [x, y]\n";
        let paths = [
            "title",
            "description",
            "reviewed",
            "reviewed.on",
            "faq",
            "faq[0].a",
            "faq[1]",
            "faq[1].a",
            "tags[1]",
            "nope",
        ];
        let whole = Document::whole("x.yaml", yaml);
        whole.index();
        for path in paths {
            let ahead = Document::whole("x.yaml", yaml);
            assert_eq!(ahead.key_span(path), whole.key_span(path), "key of {path}");
            let ahead = Document::whole("x.yaml", yaml);
            assert_eq!(ahead.value_span(path), whole.value_span(path), "value of {path}");
        }
        // the key near the start is found without reading the broken rest
        let doc = Document::whole("x.yaml", "title: T\ndescription: D\nfaq: [a, b\n");
        assert_eq!(doc.key_span("description").line, 2);
        let index = doc.index.lock().unwrap();
        let read = index.as_ref().unwrap();
        assert!(read.reader.is_some() && read.spans.unclosed.is_empty(), "read past `description`");
    }

    #[test]
    fn a_wrong_value_a_missing_key_and_an_unknown_key_are_placed_by_their_path() {
        #[derive(Debug, Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Item {
            #[allow(dead_code)]
            q: String,
            #[allow(dead_code)]
            n: Option<u32>,
        }
        #[derive(Debug, Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Faq {
            #[allow(dead_code)]
            faq: Vec<Item>,
        }
        let at = |yaml: &str| {
            let e = Document::whole("x.yaml", yaml).parse::<Faq>().unwrap_err();
            let span = e[0].span.clone().unwrap();
            (e[0].code, span.line, span.column)
        };
        // the wrong value, in the second item, not the first `n:`
        assert_eq!(at("faq:\n  - { q: a, n: 1 }\n  - { q: b, n: many }\n"), (Code::InvalidValue, 3, 16));
        // the item missing its key
        assert_eq!(at("faq:\n  - q: a\n  - n: 2\n"), (Code::MissingKey, 3, 3));
        // the unknown key where it is written, after one of the same name in a value
        assert_eq!(at("faq:\n  - q: \"x: 1\"\n    x: 2\n"), (Code::UnknownKey, 3, 5));
        // a missing key of the whole document: where it starts
        assert_eq!(at("# comment\nfaq2: []\n").0, Code::UnknownKey);
        assert_eq!(at("{}\n"), (Code::MissingKey, 1, 1));
    }

    #[test]
    fn a_syntax_error_after_a_star_is_still_a_syntax_error() {
        let e = whole("a: &a 1\nb: *nowhere\n").unwrap_err();
        assert_eq!(e.code, Code::FrontMatterYaml);
        assert_eq!(e.message, "a value starting with `*` names an anchor (`&name`) that is not defined");
    }

    /// A `[` or `{` never closed is named at the bracket wherever the
    /// reader gives up and whatever it says there: at the end of its line
    /// with nothing or a comma after it, the reader reads on and says it
    /// found no value "while parsing a flow node" (a `- ` item below, the
    /// end of the document), words the message was once chosen by.
    #[test]
    fn a_bracket_never_closed_is_named_at_the_bracket_wherever_the_reader_gives_up() {
        let block = "title: T\ndate: 2026-01-01\ntags: [\nkey_points:\n  - \"One thing...\"\n  - \"Two\"\n";
        let table = [
            (block.to_string(), "a list opened with `[` is not closed with `]`", 3, 7),
            (block.replace("tags: [", "tags: [a,"), "a list opened with `[` is not closed with `]`", 3, 7),
            (block.replace("tags: [", "tags: {a: b,"), "a map opened with `{` is not closed with `}`", 3, 7),
            // at the end of the document
            ("title: T\ndescription2: [\n".into(), "a list opened with `[` is not closed with `]`", 2, 15),
            ("title: T\ndescription2: [a,\n".into(), "a list opened with `[` is not closed with `]`", 2, 15),
            ("title: T\nr: {\n\n".into(), "a map opened with `{` is not closed with `}`", 2, 4),
            ("title: T\nr: {by: x".into(), "a map opened with `{` is not closed with `}`", 2, 4),
            // in a block list, where the index's own reader stops before the `[`
            ("a:\n  - [x,\n  - y\n".into(), "a list opened with `[` is not closed with `]`", 2, 5),
            // the outer one, when the inner one is closed
            ("a: [x, [y]\nb: 1\n".into(), "a list opened with `[` is not closed with `]`", 1, 4),
            // a `]` in quotes or a comment closes nothing
            ("a: [\"x]\", # ]\n  - b\n".into(), "a list opened with `[` is not closed with `]`", 1, 4),
        ];
        for (yaml, message, line, column) in table {
            let e = whole(&yaml).unwrap_err();
            let span = e.span.clone().unwrap();
            assert_eq!((e.message.as_str(), span.line, span.column), (message, line, column), "{yaml:?}");
        }
        // in front matter, at the end of the YAML: on the `[`, not the closing `---`
        let e = doc("---\ntitle: x\ntags: [a,\n---\n").parse::<Small>().unwrap_err();
        assert_eq!(e[0].message, "a list opened with `[` is not closed with `]`");
        assert_eq!(e[0].span.as_ref().map(|s| (s.line, s.column)), Some((3, 7)));
        // a list closed on its line, with a wrong item, is not said to be open
        let e = whole("x: [a, - b]\n").unwrap_err();
        assert!(!e.message.contains("not closed"), "{}", e.message);
    }

    /// A mistake found at the end of the document is placed on its last
    /// line that holds anything: never on a line past the end of the file
    /// (after its last line break), nor on a front matter's closing `---`.
    #[test]
    fn no_yaml_position_is_past_the_end_of_the_file() {
        for yaml in
            ["x: [\n", "a: b\n\nc\n", "t: \"open\n", "a: |\n  t\n\nc\n\n\n", "a:\n  - b\n - c\n", "a: &x 1\nb: *y\n"]
        {
            let e = whole(yaml).unwrap_err();
            let line = e.line().unwrap();
            assert!(line <= yaml.trim_end().lines().count(), "{yaml:?}: line {line}: {}", e.message);
            let front = format!("---\n{yaml}---\n\nText.\n");
            let e = doc(&front).parse::<Small>().unwrap_err();
            let line = e[0].line().unwrap();
            assert!(line <= yaml.trim_end().lines().count() + 1, "{front:?}: line {line}: {}", e[0].message);
        }
        let e = whole("a: b\n\nc\n").unwrap_err();
        assert_eq!(e.span.map(|s| (s.line, s.column)), Some((3, 1)), "at the line without `: `");
    }

    /// A number too large for its field is told so, in words, whichever
    /// of the reader's two wordings it comes in.
    #[test]
    fn a_number_out_of_range_is_told_in_words() {
        for message in [
            "weight: invalid type: integer `99999999999999999999999` as u128, expected i64",
            "weight: invalid value: integer `99999999999999999999999`, expected i64",
        ] {
            let (text, help) = super::value_in_authors_words(message);
            assert_eq!(text, "`weight` cannot be 99999999999999999999999: the number is out of range");
            assert_eq!(help.as_deref(), Some("write a smaller whole number, e.g. `3`"));
        }
        // past 64 bits the reader cannot hold it as any value, whatever the
        // key takes (its type name, `u128`, is not the author's)
        let (text, help) = super::value_in_authors_words(
            "date: invalid type: integer `18446744073709551616` as u128, expected any YAML value",
        );
        assert_eq!(text, "`date` cannot be 18446744073709551616: the number is out of range");
        assert!(help.is_some_and(|h| h.contains("YYYY-MM-DD")));
        let (text, _) = super::value_in_authors_words(
            "tags: invalid type: integer `18446744073709551616` as u128, expected a sequence",
        );
        assert_eq!(text, "`tags` cannot be 18446744073709551616: the number is out of range");
        let (text, help) =
            super::value_in_authors_words("review_interval_months: invalid value: integer `-1`, expected u32");
        assert_eq!(text, "`review_interval_months` cannot be -1: the number is out of range");
        assert_eq!(help.as_deref(), Some("write a whole number, 0 or more, e.g. `3`"));
    }

    /// A huge number is shown as a power of ten, not written out.
    #[test]
    fn a_huge_number_is_shown_short() {
        let (text, _) = super::value_in_authors_words(&format!(
            "weight: invalid type: floating point `1{}.0`, expected i64",
            "0".repeat(300)
        ));
        assert_eq!(text, "`weight` must be a whole number, not the number 1e300");
    }

    /// A number where a yes/no or a map is wanted is a value of the wrong
    /// kind, not one "out of range" with advice to write a smaller number
    /// (which still failed).
    #[test]
    fn a_number_where_something_else_is_wanted_is_of_the_wrong_kind() {
        let (text, _) = super::value_in_authors_words("tags: invalid type: integer `0`, expected a boolean");
        assert_eq!(text, "`tags` must be `true` or `false`, not the number 0");
        let (text, _) = super::value_in_authors_words("check: invalid type: integer `5`, expected struct CheckConfig");
        assert!(text.starts_with("`check` must be a map of keys, not the number 5"), "{text}");
    }

    /// Each YAML mistake an author makes, in the author's words, pointed at
    /// where it was made (the `[` never closed, not where the reader gave up).
    #[test]
    fn yaml_mistakes_are_told_in_the_authors_words_where_they_were_made() {
        let table = [
            ("a: 1\ntags: [x, y\nb: 2\n", "a list opened with `[` is not closed with `]`", 2, 7),
            // an apostrophe in plain text opens no quote (a scan of the
            // characters thought so, and lost the `[`)
            ("t: it's here\ntags: [x, y\nb: 2\n", "a list opened with `[` is not closed with `]`", 2, 7),
            // a `[` inside a quoted value opens no list
            ("t: \"[draft\"\nr: {by: x\nb: 2\n", "a map opened with `{` is not closed with `}`", 2, 4),
            ("a: 1\nr: {by: x\nb: 2\n", "a map opened with `{` is not closed with `}`", 2, 4),
            ("title: Ketamine: what\n", "a `: ` inside a value: YAML reads it as the start of another key", 1, 16),
            (
                "title:\"Ketamine\"\ndescription: \"x\"\n",
                "no space after `title:`: YAML reads `title:\"Ketamine\"` as text running on to the next line",
                1,
                7,
            ),
            ("a: 1\n  b: 2\n", "this line is indented under a key that already has a value", 2, 3),
            ("a:\n  b: 1\n c: 2\n", "this line does not line up with the keys above it", 3, 2),
            ("a: `x`\n", "a value cannot start with a backtick", 1, 4),
            // at the character, not the document's first line
            ("a: 1\nb: \"x\u{0}y\"\n", "a control character (`\\u{0}`) cannot be in YAML", 2, 6),
            ("a: 1\nb: x\u{7}\n", "a control character (`\\u{7}`) cannot be in YAML", 2, 5),
            ("a: @x\n", "a value cannot start with `@`", 1, 4),
            ("a: 1\nt: \"open\nb: 2\n", "a quoted value is never closed on its line", 2, 4),
            ("t: 'it''s\n", "a quoted value is never closed on its line", 1, 4),
            // closed by the quote meant to open a value lines below, where
            // the parser stumbles on a line that is right
            (
                "title: \"T\"\ndescription: \"How it acts.\ndate: 2026-01-01\nfaq:\n  - q: \"Is it good?\"\n    a: \"Yes.\"\n",
                "a quoted value is never closed on its line",
                2,
                14,
            ),
            (
                "title: \"How it works\ndate: 2026-01-01\nfaq:\n  - q: \"Q?\"\n",
                "a quoted value is never closed on its line",
                1,
                8,
            ),
            ("x: \"a\\qb\"\n", "a backslash inside double quotes must start an escape such as `\\n`", 1, 6),
            ("tags: - a\n", "a list item `- ` on the same line as its key", 1, 7),
            ("a: 1\njust words\nb: 2\n", "this line is not `key: value`", 2, 1),
        ];
        for (yaml, message, line, column) in table {
            let e = whole(yaml).unwrap_err();
            assert_eq!(e.message, message, "{yaml:?}");
            assert!(e.help.is_some(), "{yaml:?}");
            let span = e.span.unwrap();
            assert_eq!((span.line, span.column), (line, column), "{yaml:?}: {message}");
        }
    }
}
