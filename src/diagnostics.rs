//! Content problems as data: every finding is a [`Diagnostic`] with a stable
//! [`Code`], a severity, and (where one applies) a position in a file.
//!
//! Diagnostics are collected across the whole site and reported all at once,
//! rustc-style on stderr or as a JSON array for `check --format json`.
//! This module does not decide *what* is wrong; the loaders and checks do.
//! Program failures (writing the output, internal errors) are `anyhow`
//! errors; a site file that cannot be read is a diagnostic (`unreadable-file`).

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};
use rayon::prelude::*;
use serde::Serialize;

/// How serious a finding is. A warning never fails `build`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

macro_rules! codes {
    ($($variant:ident => $name:literal,)*) => {
        /// The stable, kebab-case diagnostic codes of SPEC §7.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code { $($variant,)* }

        impl Code {
            /// Every code, for documentation and tests.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The kebab-case name shown as `error[name]` and in JSON.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }
        }
    };
}

codes! {
    FrontMatterMissing => "front-matter-missing",
    FrontMatterYaml => "front-matter-yaml",
    UnknownKey => "unknown-key",
    MissingKey => "missing-key",
    InvalidValue => "invalid-value",
    InvalidEncoding => "invalid-encoding",
    UnreadableFile => "unreadable-file",
    UnsafePath => "unsafe-path",
    UnsafeUrl => "unsafe-url",
    UnsafeFile => "unsafe-file",
    MisnamedFile => "misnamed-file",
    DuplicateSlug => "duplicate-slug",
    PathCollision => "path-collision",
    DuplicateSource => "duplicate-source",
    UnknownSource => "unknown-source",
    MalformedCitation => "malformed-citation",
    CitationArtifact => "citation-artifact",
    UnknownFootnote => "unknown-footnote",
    UnusedFootnote => "unused-footnote",
    UnknownBlock => "unknown-block",
    RawHtml => "raw-html",
    UnclosedComment => "unclosed-comment",
    StrayFrontMatter => "stray-front-matter",
    TemplateText => "template-text",
    MissingCareCard => "missing-care-card",
    BrokenLink => "broken-link",
    BrokenAnchor => "broken-anchor",
    TemplateError => "template-error",
    UnusedSource => "unused-source",
    ReviewMissing => "review-missing",
    ReviewOverdue => "review-overdue",
    UnknownPerson => "unknown-person",
    EditedSinceReview => "edited-since-review",
    ReviewUnsigned => "review-unsigned",
    ReviewOrphaned => "review-orphaned",
    ChangeUnlogged => "change-unlogged",
    TransparencyMissing => "transparency-missing",
    Readability => "readability",
    SafeMessaging => "safe-messaging",
    PromotionalLanguage => "promotional-language",
    ImageAltMissing => "image-alt-missing",
    HeadingSkip => "heading-skip",
    DescriptionLength => "description-length",
    EmptyPage => "empty-page",
    UnlinkedFile => "unlinked-file",
    DuplicateFaq => "duplicate-faq",
    UnusedTerm => "unused-term",
    ExternalUnreachable => "external-unreachable",
    IoError => "io-error",
    SourceNotFound => "source-not-found",
    SourceMismatch => "source-mismatch",
    RetractedSource => "retracted-source",
    CorrectedSource => "corrected-source",
    ExpressionOfConcern => "expression-of-concern",
    StaleSourceLock => "stale-source-lock",
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A position in a file under the site root: 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Span {
    /// Relative to the site root, with `/` separators.
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// The text of the line, kept so the report needs no second read; of a
    /// long line, only the [`SHOWN`] characters either side of the column
    /// (see `shown_from`).
    pub source_line: String,
    /// The column `source_line` starts at: 1 unless the line was too long to
    /// keep whole. Ten thousand findings on one line of a megabyte would
    /// otherwise each hold a copy of it (gigabytes, and quadratic time).
    pub shown_from: usize,
    /// How many characters the caret spans, when the finder knows (a YAML
    /// key of several words, `zebra crossing:`); else the word at `column`.
    pub width: Option<usize>,
}

/// How many characters of a line a [`Span`] keeps on each side of its
/// column: more than a terminal shows (the report cuts a long line to its
/// width around the caret, the same with the window as with the whole line).
pub const SHOWN: usize = 512;

impl Span {
    /// The position of byte `offset` in `text`, which was read from `file`.
    /// It counts lines from the start of `text`: for many positions in one
    /// text, use [`Lines`].
    pub fn at(file: &str, text: &str, offset: usize) -> Span {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let column = text[line_start..offset].chars().count() + 1;
        Span::make(file, text, Span::line_at(text, line_start), line_start, offset, column)
    }

    /// A span at `offset`, on line `line` that starts at `line_start`, in
    /// column `column`: the line's text copied only around the column.
    fn make(file: &str, text: &str, line: usize, line_start: usize, offset: usize, column: usize) -> Span {
        let head = &text[line_start..offset];
        // `head` is the `column - 1` characters before the column
        let (from, shown_from) = match head.char_indices().rev().nth(SHOWN - 1) {
            Some((i, _)) if i > 0 => (line_start + i, column - SHOWN),
            _ => (line_start, 1),
        };
        let tail = &text[offset..];
        let to = tail
            .char_indices()
            .enumerate()
            .find(|&(n, (_, c))| c == '\n' || n == SHOWN)
            .map_or(text.len(), |(_, (i, _))| offset + i);
        Span {
            file: file.to_string(),
            line,
            column,
            source_line: text[from..to].trim_end_matches('\r').to_string(),
            shown_from,
            width: None,
        }
    }

    /// The same position, with the caret `width` characters wide.
    pub fn with_width(mut self, width: usize) -> Span {
        self.width = Some(width);
        self
    }

    /// The line (1-based) of byte `offset` in `text`: what [`Span::at`]
    /// reports, without making the span.
    pub fn line_at(text: &str, offset: usize) -> usize {
        text.as_bytes()[..offset.min(text.len())].iter().filter(|&&b| b == b'\n').count() + 1
    }

    /// A position known only by line (1-based), at the first non-blank column.
    pub fn line(file: &str, text: &str, line: usize) -> Span {
        let offset = crate::text::line_start(text, line);
        let indent = text[offset.min(text.len())..]
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .map(char::len_utf8)
            .sum::<usize>();
        Span::at(file, text, offset + indent)
    }
}

/// Line starts of a text, so many positions in one large file (a
/// bibliography of thousands of entries, a page of thousands of links) cost
/// a binary search each, not a scan from the start.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
    /// Whether each line is ASCII: its columns are then byte counts, and a
    /// position on a long line costs no count of the characters before it.
    ascii: Vec<bool>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        let ascii = starts
            .iter()
            .enumerate()
            .map(|(n, &s)| text.as_bytes()[s..starts.get(n + 1).copied().unwrap_or(text.len())].is_ascii())
            .collect();
        LineIndex { starts, ascii }
    }

    /// The line (1-based) of byte `offset`, as [`Span::line_at`] counts.
    pub fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset)
    }

    /// The same as [`Span::at`], in O(log lines) (and O(column) on a line
    /// that is not ASCII).
    pub fn span(&self, file: &str, text: &str, offset: usize) -> Span {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.line(offset);
        let line_start = self.starts[line - 1];
        let column = match self.ascii[line - 1] {
            true => offset - line_start + 1,
            false => text[line_start..offset].chars().count() + 1,
        };
        Span::make(file, text, line, line_start, offset, column)
    }
}

/// A [`LineIndex`] of one text, built the first time a position in it is
/// asked: a text with no finding and no link costs nothing. Always asked
/// with the same `text` (the one whole file every part of a page is in).
#[derive(Debug, Default)]
pub struct Lines(std::sync::OnceLock<LineIndex>);

impl Lines {
    /// [`Span::at`], in O(log lines) once the index is built.
    pub fn span(&self, file: &str, text: &str, offset: usize) -> Span {
        self.index(text).span(file, text, offset)
    }

    /// [`Span::line_at`], in O(log lines) once the index is built.
    pub fn line(&self, text: &str, offset: usize) -> usize {
        self.index(text).line(offset)
    }

    fn index(&self, text: &str) -> &LineIndex {
        self.0.get_or_init(|| LineIndex::new(text))
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// One finding about the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: Code,
    pub message: String,
    /// The file, when the finding is about a file but no line applies.
    pub file: Option<String>,
    pub span: Option<Span>,
    /// How to fix it, shown as `= help: …` (most are fixed text: not copied
    /// into each of the hundreds of thousands of findings a large site may have).
    pub help: Option<Cow<'static, str>>,
}

impl Diagnostic {
    pub fn error(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Error, code, message: message.into(), file: None, span: None, help: None }
    }

    pub fn warning(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(code, message) }
    }

    pub fn with_span(mut self, span: Span) -> Diagnostic {
        self.file = Some(span.file.clone());
        self.span = Some(span);
        self
    }

    pub fn in_file(mut self, file: impl Into<String>) -> Diagnostic {
        self.file = Some(file.into());
        self
    }

    pub fn with_help(mut self, help: impl Into<Cow<'static, str>>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The line and column, for tests and JSON.
    pub fn line(&self) -> Option<usize> {
        self.span.as_ref().map(|s| s.line)
    }

    /// The rustc-style report of this one diagnostic.
    pub fn render(&self, color: bool) -> String {
        let renderer = if color { Renderer::styled() } else { Renderer::plain() };
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        // a message or help quotes what a file or a registry wrote: its
        // control characters are shown, never sent to the terminal (an
        // escape sequence, a line break faking a finding of its own)
        let message = visible(&self.message);
        let title = level.primary_title(message.as_ref()).id(self.code.as_str());
        let mut group = annotate_snippets::Group::with_title(title);
        if let Some(span) = &self.span {
            // the column in what the span kept of its line
            let column = span.column + 1 - span.shown_from.clamp(1, span.column);
            let (start, end) = caret_range(&span.source_line, column, span.width);
            group = group.element(
                Snippet::source(span.source_line.as_str())
                    .line_start(span.line)
                    .path(span.file.as_str())
                    .annotation(AnnotationKind::Primary.span(start..end)),
            );
        } else if let Some(file) = &self.file {
            group = group.element(annotate_snippets::Origin::path(file.as_str()));
        }
        let help = self.help.as_deref().map(visible);
        if let Some(help) = &help {
            group = group.element(Level::HELP.message(help.as_ref()));
        }
        let drawn = renderer.render(&[group]);
        match &self.span {
            Some(span) if span.shown_from > 1 => tell_column(drawn, span),
            _ => drawn,
        }
    }
}

/// A report drawn from a window of a long line names the column in the
/// window (`shown`) after the path: it is given the line's own. The line
/// itself is cut to the terminal's width around the caret either way.
fn tell_column(drawn: String, span: &Span) -> String {
    let shown = span.column + 1 - span.shown_from.clamp(1, span.column);
    let written = format!("{}:{}:{shown}", span.file, span.line);
    let after_title = drawn.find('\n').unwrap_or(0);
    match drawn[after_title..].find(&written) {
        Some(i) => {
            let at = after_title + i;
            format!("{}{}:{}:{}{}", &drawn[..at], span.file, span.line, span.column, &drawn[at + written.len()..])
        }
        None => drawn,
    }
}

/// `text` with its control characters (line breaks, escape, DEL, the C1
/// set) written as Rust escapes (`\n`, `\u{1b}`), for a terminal.
pub fn visible(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains(char::is_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// [`visible`], line by line: the line breaks kept (an entry, a report).
pub fn visible_lines(text: &str) -> String {
    text.split('\n').map(visible).collect::<Vec<_>>().join("\n")
}

/// The byte range under the caret: `width` characters from `column` when
/// the span knows them, else the word starting at `column`.
fn caret_range(line: &str, column: usize, width: Option<usize>) -> (usize, usize) {
    let start = line.char_indices().nth(column.saturating_sub(1)).map_or(line.len(), |(i, _)| i);
    if let Some(width) = width {
        let end = line[start..].char_indices().nth(width.max(1)).map_or(line.len(), |(i, _)| start + i);
        return (start, end);
    }
    let len =
        line[start..].char_indices().find(|(_, c)| c.is_whitespace()).map_or(line.len() - start, |(i, _)| i).max(1);
    (start, (start + len).min(line.len().max(start)))
}

/// What `check --format json` prints for each diagnostic (SPEC §7).
#[derive(Debug, Serialize)]
pub struct JsonDiagnostic<'a> {
    pub severity: Severity,
    pub code: Code,
    pub message: &'a str,
    pub file: Option<&'a str>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// How to fix it, when there is advice (the `= help:` line of the text form).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<&'a str>,
}

/// Every diagnostic of one run, in a stable order. Each is shared, so the
/// findings a site keeps between `serve` saves (tens of thousands of
/// repeated FAQ questions on a large site) join each new report without
/// being copied.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Arc<Diagnostic>>,
}

/// How a `template-error` met while rendering a page begins its help,
/// before the page's path (`while rendering /basics/first/`): the report
/// makes the findings of one template problem one
/// ([`Diagnostics::sorted`]).
pub(crate) const WHILE_RENDERING: &str = "while rendering /";

/// The order of a report: by file, line, column, code, message and help
/// ([`Diagnostics::sorted`]).
pub(crate) fn report_order(a: &Diagnostic, b: &Diagnostic) -> std::cmp::Ordering {
    // borrowed keys: tens of thousands of diagnostics sort without allocating
    // the help too: one template problem met on many pages differs only there
    type Key<'a> = (Option<&'a str>, Option<(usize, usize)>, Code, &'a str, Option<&'a str>);
    fn key(d: &Diagnostic) -> Key<'_> {
        let at = d.span.as_ref().map(|s| (s.line, s.column));
        (d.file.as_deref(), at, d.code, d.message.as_str(), d.help.as_deref())
    }
    key(a).cmp(&key(b))
}

impl Diagnostics {
    pub fn new() -> Diagnostics {
        Diagnostics::default()
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(Arc::new(diagnostic));
    }

    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(other.into_iter().map(Arc::new));
    }

    /// Findings kept elsewhere too (see [`Diagnostics`]).
    pub(crate) fn extend_shared(&mut self, other: impl IntoIterator<Item = Arc<Diagnostic>>) {
        self.items.extend(other);
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter().map(|d| &**d)
    }

    pub fn has_errors(&self) -> bool {
        self.iter().any(Diagnostic::is_error)
    }

    pub fn error_count(&self) -> usize {
        self.iter().filter(|d| d.is_error()).count()
    }

    pub fn warning_count(&self) -> usize {
        self.items.len() - self.error_count()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Sorted by file, line, column, code, message and help: the same input
    /// gives the same report.
    pub fn sorted(mut self) -> Diagnostics {
        // stable and adaptive: a block already in report order (the FAQ's
        // tens of thousands of repeated questions, sorted once when found)
        // costs one pass, not a sort, at each `serve` save
        self.items.par_sort_by(|a, b| report_order(a, b));
        self.items.dedup();
        self.one_per_template_problem();
        self
    }

    /// One template problem met on many pages (a mistake in `base.html`,
    /// which every page extends) is one finding, whose help names the first
    /// page and counts the others: the findings, in report order, differ
    /// only in their help, [`WHILE_RENDERING`] a page, and in the variables
    /// Tera lists as there (each kind of page has its own: the list is left
    /// out when they differ).
    fn one_per_template_problem(&mut self) {
        let rendering = |d: &Diagnostic| {
            d.code == Code::TemplateError && d.help.as_deref().is_some_and(|h| h.starts_with(WHILE_RENDERING))
        };
        if !self.items.iter().any(|d| rendering(d)) {
            return;
        }
        fn stem(d: &Diagnostic) -> &str {
            d.message.split_once(". Available variables:").map_or(d.message.as_str(), |(stem, _)| stem)
        }
        let same = |a: &Diagnostic, b: &Diagnostic| {
            rendering(a) && rendering(b) && (&a.file, &a.span) == (&b.file, &b.span) && stem(a) == stem(b)
        };
        let mut kept: Vec<Arc<Diagnostic>> = Vec::with_capacity(self.items.len());
        let (mut others, mut listed_apart) = (0, false);
        let finish = |kept: &mut Vec<Arc<Diagnostic>>, others: usize, listed_apart: bool| {
            if let Some(last) = kept.last_mut().filter(|_| others > 0) {
                let d = Arc::make_mut(last);
                if listed_apart {
                    d.message = format!("{}.", stem(d));
                }
                let first = d.help.take().unwrap_or_default();
                let pages = if others == 1 { "page" } else { "pages" };
                d.help = Some(format!("{first} and {others} other {pages}").into());
            }
        };
        for d in std::mem::take(&mut self.items) {
            if let Some(last) = kept.last().filter(|last| same(last, &d)) {
                listed_apart |= last.message != d.message;
                others += 1;
                continue;
            }
            finish(&mut kept, others, listed_apart);
            (others, listed_apart) = (0, false);
            kept.push(d);
        }
        finish(&mut kept, others, listed_apart);
        self.items = kept;
    }

    /// The findings as they are kept, shared or not (no copy is made).
    pub(crate) fn into_shared(self) -> Vec<Arc<Diagnostic>> {
        self.items
    }

    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.items.into_iter().map(Arc::unwrap_or_clone).collect()
    }

    /// The whole report, rustc-style, with a summary line.
    pub fn render_text(&self, color: bool) -> String {
        let mut out = Vec::new();
        // writing to memory cannot fail, and what is drawn is text
        let _ = self.write_text(color, &mut out);
        String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }

    /// [`Diagnostics::render_text`], written to `out` as it is drawn.
    pub fn write_text(&self, color: bool, out: &mut impl std::io::Write) -> std::io::Result<()> {
        // hundreds of thousands of findings on a large site: drawn in
        // parallel, a batch at a time, so the report is never all in memory
        const BATCH: usize = 4096;
        for batch in self.items.chunks(BATCH) {
            let drawn: Vec<String> = batch.par_iter().map(|d| d.render(color)).collect();
            for d in drawn {
                out.write_all(d.as_bytes())?;
                out.write_all(b"\n\n")?;
            }
        }
        let (e, w) = (self.error_count(), self.warning_count());
        if e + w > 0 {
            writeln!(out, "{} {}, {} {}", e, plural(e, "error"), w, plural(w, "warning"))?;
        }
        out.flush()
    }

    /// Only the errors.
    pub fn errors(&self) -> Diagnostics {
        Diagnostics { items: self.items.iter().filter(|d| d.is_error()).cloned().collect() }
    }

    /// The JSON array of SPEC §7.
    pub fn render_json(&self) -> String {
        let mut out = Vec::new();
        match self.write_json(&mut out).map(|()| String::from_utf8(out)) {
            Ok(Ok(json)) => json,
            _ => "[]".to_string(),
        }
    }

    /// [`Diagnostics::render_json`], written to `out` as each finding is
    /// serialized (never the whole array in memory: hundreds of thousands
    /// of findings on a large site).
    pub fn write_json(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        struct Items<'a>(&'a Diagnostics);
        impl Serialize for Items<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_seq(self.0.iter().map(|d| JsonDiagnostic {
                    severity: d.severity,
                    code: d.code,
                    message: &d.message,
                    file: d.file.as_deref(),
                    line: d.span.as_ref().map(|s| s.line),
                    column: d.span.as_ref().map(|s| s.column),
                    help: d.help.as_deref(),
                }))
            }
        }
        serde_json::to_writer_pretty(&mut *out, &Items(self))?;
        out.flush()
    }
}

/// Reading or writing a file that is not one of the site's own (the output
/// folder, its lock, a file `init`, `new` or `review sign` writes) failed:
/// the disk is full, a folder is read-only, a file is too large. Carried as
/// an error up to the CLI, which reports it as an `io-error` diagnostic
/// (code, path, advice; in text or JSON) and exits 2. The site's own files
/// are read through `input`, whose failures are `unreadable-file`.
#[derive(Debug)]
pub struct IoFailure {
    /// What was being done, before the path: "writing", "creating the folder".
    doing: String,
    path: PathBuf,
    error: std::io::Error,
}

impl IoFailure {
    pub fn new(doing: impl Into<String>, path: &Path, error: std::io::Error) -> IoFailure {
        IoFailure { doing: doing.into(), path: path.to_path_buf(), error }
    }

    /// The `io-error` diagnostic: the path as the file, the system's reason
    /// in the message, and what to do about that kind of failure.
    pub fn diagnostic(&self) -> Diagnostic {
        Diagnostic::error(Code::IoError, self.to_string())
            .in_file(self.path.display().to_string())
            .with_help(self.advice())
    }

    fn advice(&self) -> &'static str {
        use std::io::ErrorKind as K;
        match self.error.kind() {
            K::StorageFull => "the disk is full: free some space, or write somewhere else (`build --output DIR`)",
            K::QuotaExceeded => "your disk quota is used up: free some space, or write somewhere else",
            K::FileTooLarge => {
                "the file is larger than this system or process allows (see `ulimit -f`): raise the limit, \
                 or write somewhere else"
            }
            K::PermissionDenied | K::ReadOnlyFilesystem => {
                "this user may not write there: make the folder writable, or write somewhere else \
                 (`build --output DIR`)"
            }
            K::NotFound => "a folder on the way was removed or renamed while sourcebook worked: run the command again",
            _ => "check that the folder exists, is writable and has free space, then run the command again",
        }
    }
}

impl std::fmt::Display for IoFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.doing, self.path.display(), self.error)
    }
}

impl std::error::Error for IoFailure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

/// `.io("writing", path)` on an I/O result: its error as an [`IoFailure`].
pub trait IoContext<T> {
    fn io(self, doing: &str, path: &Path) -> anyhow::Result<T>;
}

impl<T> IoContext<T> for std::io::Result<T> {
    fn io(self, doing: &str, path: &Path) -> anyhow::Result<T> {
        self.map_err(|e| IoFailure::new(doing, path, e).into())
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.into_vec().into_iter()
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 { word.to_string() } else { format!("{word}s") }
}

/// A path relative to the site root, `/`-separated, for messages and JSON.
pub fn relative(root: &Path, path: &Path) -> String {
    let rel: PathBuf = path.strip_prefix(root).map(Path::to_path_buf).unwrap_or_else(|_| path.to_path_buf());
    rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

#[cfg(test)]
mod tests {
    /// A message quoting a registry's or a file's text never moves the
    /// terminal's cursor, sets its title or fakes a line of the report.
    #[test]
    fn control_characters_in_a_message_are_shown_not_sent() {
        let d = Diagnostic::error(Code::RetractedSource, "notice `x\u{1b}]0;pwned\u{7}\nerror[fake]: y\u{9b}2J`")
            .with_help("see \u{1b}[31mred");
        let drawn = d.render(false);
        assert!(!drawn.contains(['\u{1b}', '\u{7}', '\u{9b}']), "{drawn:?}");
        assert_eq!(drawn.lines().filter(|l| l.contains("error[")).count(), 1, "{drawn}");
        assert!(drawn.contains("\\u{1b}]0;pwned\\u{7}\\nerror[fake]"), "{drawn}");
        assert_eq!(visible_lines("a\u{1b}\nb"), "a\\u{1b}\nb");
    }

    /// The caret spans what the finder says (a key of two words), else
    /// the word at the column.
    #[test]
    fn the_caret_spans_the_width_a_span_knows_else_one_word() {
        let text = "zebra crossing: a way over\n";
        let carets = |span: Span| {
            let out = Diagnostic::warning(Code::UnusedTerm, "x").with_span(span).render(false);
            out.lines().find(|l| l.contains('^')).map(|l| l.matches('^').count())
        };
        assert_eq!(carets(Span::at("g.yaml", text, 0)), Some(5));
        assert_eq!(carets(Span::at("g.yaml", text, 0).with_width(15)), Some(15));
    }

    #[test]
    fn an_io_failure_is_an_io_error_with_its_path_and_advice_in_text_and_json() {
        let full = std::io::Error::from(std::io::ErrorKind::StorageFull);
        let d = IoFailure::new("writing", Path::new("/srv/public/a/index.html"), full).diagnostic();
        assert_eq!(
            (d.code, d.severity, d.file.as_deref()),
            (Code::IoError, Severity::Error, Some("/srv/public/a/index.html"))
        );
        assert!(d.message.starts_with("writing /srv/public/a/index.html: "), "{}", d.message);
        assert!(d.help.as_deref().is_some_and(|h| h.starts_with("the disk is full")), "{:?}", d.help);
        let mut diags = Diagnostics::new();
        diags.push(d);
        let json: serde_json::Value = serde_json::from_str(&diags.render_json()).unwrap();
        assert_eq!(json[0]["code"], "io-error");
        assert_eq!(json[0]["file"], "/srv/public/a/index.html");
        assert!(json[0]["help"].as_str().is_some_and(|h| h.starts_with("the disk is full")));
    }

    use super::*;

    #[test]
    fn span_at_counts_lines_and_chars_from_one() {
        let text = "first\nsécond line\nthird";
        let s = Span::at("a.md", text, text.find("line").unwrap());
        assert_eq!((s.line, s.column), (2, 8));
        assert_eq!(s.source_line, "sécond line");
        assert_eq!(Span::at("a.md", text, 0).line, 1);
        assert_eq!(Span::at("a.md", text, text.len()).line, 3);
    }

    /// Ten thousand findings on one line of a megabyte each held a copy
    /// of the line: gigabytes, and quadratic time.
    #[test]
    fn a_span_on_a_long_line_keeps_a_window_and_draws_as_the_whole_line_would() {
        let line: String = (0..4000).map(|i| format!("wörd{i} ")).collect();
        let text = format!("first\n{line}\nlast\n");
        for at in [6, 6 + 10, 6 + line.len() / 2, 6 + line.len() - 12] {
            let at = text.floor_char_boundary(at);
            let span = Span::at("a.md", &text, at);
            assert!(span.source_line.chars().count() <= 2 * SHOWN + 1, "{}", span.source_line.len());
            assert_eq!(span, LineIndex::new(&text).span("a.md", &text, at));
            let whole = Span { source_line: line.clone(), shown_from: 1, ..span.clone() };
            let draw = |span: Span| Diagnostic::error(Code::BrokenAnchor, "x").with_span(span).render(false);
            let column = text[..at].len() - text[..at].rfind('\n').unwrap() - 1;
            assert_eq!(span.column, text[at - column..at].chars().count() + 1);
            assert_eq!(draw(span), draw(whole), "at byte {at}");
        }
    }

    #[test]
    fn line_index_agrees_with_span_at() {
        let text = "a\nbé c\n\nlast line";
        let index = LineIndex::new(text);
        for offset in 0..=text.len() {
            assert_eq!(index.span("f", text, offset), Span::at("f", text, offset), "{offset}");
        }
    }

    /// `warnings` warnings on lines 1 and 2 of `a.md` in turn, then an error.
    fn findings(warnings: usize) -> Diagnostics {
        let text = "q: one\nq: two\n";
        let mut diags = Diagnostics::new();
        for i in 0..warnings {
            let d = Diagnostic::warning(Code::DuplicateFaq, format!("finding {i}"));
            diags.push(d.with_span(Span::at("a.md", text, i % 2 * 7)).with_help("keep one"));
        }
        diags.push(Diagnostic::error(Code::UnknownSource, "last").in_file("b.md"));
        diags
    }

    #[test]
    fn a_report_written_in_batches_is_each_diagnostic_drawn_in_order() {
        // more than two batches
        let diags = findings(9_000);
        let mut whole = String::new();
        for d in diags.iter() {
            whole.push_str(&d.render(false));
            whole.push_str("\n\n");
        }
        whole.push_str("1 error, 9000 warnings\n");
        assert!(diags.render_text(false) == whole, "the batched report differs from drawing each in turn");
    }

    #[test]
    fn a_json_report_written_as_it_is_serialized_holds_every_finding_in_order() {
        let diags = findings(3);
        let mut out = Vec::new();
        diags.write_json(&mut out).unwrap();
        assert_eq!(String::from_utf8_lossy(&out), diags.render_json());
        let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let got: Vec<(&str, &str, Option<u64>, Option<&str>)> = json
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (d["code"].as_str().unwrap(), d["message"].as_str().unwrap(), d["line"].as_u64(), d["help"].as_str())
            })
            .collect();
        let want: Vec<(&str, &str, Option<u64>, Option<&str>)> = diags
            .iter()
            .map(|d| (d.code.as_str(), d.message.as_str(), d.span.as_ref().map(|s| s.line as u64), d.help.as_deref()))
            .collect();
        assert_eq!(got, want);
        assert_eq!(got[1], ("duplicate-faq", "finding 1", Some(2), Some("keep one")));
    }

    #[test]
    fn span_line_points_at_first_non_blank() {
        let text = "a: 1\n  bad: 2\n";
        let s = Span::line("x.yaml", text, 2);
        assert_eq!((s.line, s.column), (2, 3));
    }

    #[test]
    fn rendered_diagnostic_names_code_file_and_line() {
        let text = "x\nsee [@nope] here\n";
        let d = Diagnostic::error(Code::UnknownSource, "no source `nope`")
            .with_span(Span::at("content/a.md", text, text.find("[@").unwrap()))
            .with_help("did you mean `note`?");
        let out = d.render(false);
        assert!(out.contains("error[unknown-source]: no source `nope`"), "{out}");
        assert!(out.contains("--> content/a.md:2:5"), "{out}");
        assert!(out.contains("see [@nope] here"), "{out}");
        assert!(out.contains("help: did you mean `note`?"), "{out}");
    }

    #[test]
    fn codes_are_unique_kebab_case() {
        let mut names: Vec<_> = Code::ALL.iter().map(|c| c.as_str()).collect();
        assert!(names.iter().all(|n| n.chars().all(|c| c.is_ascii_lowercase() || c == '-')));
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Code::ALL.len());
    }
}

/// The candidate closest to `word` by edit distance, for "did you mean" help;
/// `None` when nothing is close enough to be a plausible typo. For a few
/// fixed candidates (keys, kinds); where one file may ask many times among
/// many candidates, ask [`Suggestions`].
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    nearest_costing(word, candidates).0
}

/// [`nearest`], and the work it took: characters compared, summed over
/// the candidates (one for a candidate whose length alone rules it out).
fn nearest_costing<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> (Option<&'a str>, usize) {
    let len = word.chars().count();
    let limit = (len / 3).max(2);
    let mut cost = 0;
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        // the distance is at least the difference in length: most
        // candidates are ruled out without filling a table
        let c_len = c.chars().count();
        cost += 1 + c_len;
        if c_len.abs_diff(len) > limit {
            continue;
        }
        cost += len * c_len;
        let d = edit_distance(word, c);
        if d <= limit && best.is_none_or(|b| (d, c) < b) {
            best = Some((d, c));
        }
    }
    (best.map(|(_, c)| c), cost)
}

/// Whether the file names (without folders and extension) of `written`
/// and `file` are close enough for one to be a typo of the other: at most
/// a third of the letters apart (two for a short name), and fewer than half.
pub(crate) fn close_file_names(written: &str, file: &str) -> bool {
    let name = |path: &'_ str| {
        let name = path.rsplit('/').next().unwrap_or(path);
        name.rsplit_once('.').map_or(name, |(stem, _)| stem).to_string()
    };
    let (written, file) = (name(written), name(file));
    let len = written.chars().count();
    let distance = crate::diagnostics::edit_distance(&written, &file);
    distance <= (len / 3).max(2) && 2 * distance < len.max(1)
}

/// Levenshtein distance, in characters.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// "Did you mean" help within a budget of work, for one file. Each
/// suggestion compares the word with every candidate: a page of thousands
/// of mistakes (broken anchors, unknown footnotes) among thousands of
/// candidates (headings, notes) would make that quadratic. Once a file has
/// spent [`Suggestions::BUDGET`] characters compared, its later findings get
/// their general help instead. What is suggested never depends on the order
/// candidates come in: a comparison begun always runs to the end.
#[derive(Debug)]
pub struct Suggestions {
    left: std::cell::Cell<usize>,
}

impl Suggestions {
    /// A few hundredths of a second of comparisons: no typo on a real page is
    /// left without its suggestion (a hundred misspellings among ten
    /// thousand ids cost a few million).
    pub const BUDGET: usize = 20_000_000;

    /// [`nearest`], while the budget lasts; `None` after.
    pub fn nearest<'a>(&self, word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
        if self.left.get() == 0 {
            return None;
        }
        let (found, cost) = nearest_costing(word, candidates);
        self.left.set(self.left.get().saturating_sub(cost));
        found
    }
}

impl Default for Suggestions {
    fn default() -> Suggestions {
        Suggestions { left: std::cell::Cell::new(Suggestions::BUDGET) }
    }
}

#[cfg(test)]
mod nearest_tests {
    use super::nearest;

    #[test]
    fn suggests_close_ids_only() {
        let known = ["anand2023", "berman2000", "zarate2006"];
        assert_eq!(nearest("anand2032", known), Some("anand2023"));
        assert_eq!(nearest("page_range", ["page-range", "volume"]), Some("page-range"));
        assert_eq!(nearest("completely-different", known), None);
    }

    /// Thousands of broken anchors among thousands of headings on one page
    /// took minutes: each compared with every heading.
    #[test]
    fn suggestions_stop_once_a_files_budget_is_spent() {
        let ids: Vec<String> = (0..10_000).map(|i| format!("heading-{i}")).collect();
        let suggestions = super::Suggestions::default();
        let mut answered = 0;
        for i in 0..10_000 {
            let asked = format!("heading-{i}x");
            match suggestions.nearest(&asked, ids.iter().map(String::as_str)) {
                Some(near) => {
                    assert_eq!(near, format!("heading-{i}"));
                    answered += 1;
                }
                None => break,
            }
        }
        assert!(answered > 10, "the first typos get their suggestion ({answered})");
        assert!(answered < 10_000, "the work is bounded, not every typo compared with every id");
        assert_eq!(suggestions.nearest("heading-1x", ids.iter().map(String::as_str)), None);
    }
}
