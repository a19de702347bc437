//! Callouts and care cards: a block quote whose first line is a marker,
//! `> [!WARNING]` or `> [!URGENT]`. pulldown-cmark recognizes GitHub's five
//! alert kinds itself (`ENABLE_GFM`); the three care-card levels are found
//! here, on the quote's first line in the Markdown. This module knows the
//! kinds and writes their opening and closing markup; `markdown` decides
//! where they go.

use std::ops::Range;

use pulldown_cmark::BlockQuoteKind;

use crate::config::{CareCard, CareCards};
use crate::html::escape;

/// What a marked block quote is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BlockKind {
    Note,
    Tip,
    Important,
    Warning,
    Caution,
    NonUrgent,
    Urgent,
    Emergency,
}

impl BlockKind {
    pub(super) const ALL: [BlockKind; 8] = [
        BlockKind::Note,
        BlockKind::Tip,
        BlockKind::Important,
        BlockKind::Warning,
        BlockKind::Caution,
        BlockKind::NonUrgent,
        BlockKind::Urgent,
        BlockKind::Emergency,
    ];

    /// The marker's word, as written between `[!` and `]`.
    pub(super) fn name(self) -> &'static str {
        match self {
            BlockKind::Note => "NOTE",
            BlockKind::Tip => "TIP",
            BlockKind::Important => "IMPORTANT",
            BlockKind::Warning => "WARNING",
            BlockKind::Caution => "CAUTION",
            BlockKind::NonUrgent => "NON-URGENT",
            BlockKind::Urgent => "URGENT",
            BlockKind::Emergency => "EMERGENCY",
        }
    }

    /// What site.yaml says on a care card of this level; `None`: a callout.
    pub(super) fn card(self, cards: &CareCards) -> Option<&CareCard> {
        match self {
            BlockKind::NonUrgent => Some(&cards.non_urgent),
            BlockKind::Urgent => Some(&cards.urgent),
            BlockKind::Emergency => Some(&cards.emergency),
            _ => None,
        }
    }

    /// The kind a marker word names, ignoring case (as GitHub does).
    pub(super) fn parse(word: &str) -> Option<BlockKind> {
        BlockKind::ALL.into_iter().find(|k| k.name().eq_ignore_ascii_case(word))
    }

    pub(super) fn from_gfm(kind: BlockQuoteKind) -> BlockKind {
        match kind {
            BlockQuoteKind::Note => BlockKind::Note,
            BlockQuoteKind::Tip => BlockKind::Tip,
            BlockQuoteKind::Important => BlockKind::Important,
            BlockQuoteKind::Warning => BlockKind::Warning,
            BlockQuoteKind::Caution => BlockKind::Caution,
        }
    }

    pub(super) fn is_care_card(self) -> bool {
        matches!(self, BlockKind::NonUrgent | BlockKind::Urgent | BlockKind::Emergency)
    }

    /// The CSS class of the kind: `note`, `non-urgent` …
    fn class(self) -> String {
        self.name().to_ascii_lowercase()
    }

    /// The visible label of a callout.
    fn label(self) -> &'static str {
        match self {
            BlockKind::Note => "Note",
            BlockKind::Tip => "Tip",
            BlockKind::Important => "Important",
            BlockKind::Warning => "Warning",
            BlockKind::Caution => "Caution",
            BlockKind::NonUrgent => "Non-urgent advice",
            BlockKind::Urgent => "Urgent advice",
            BlockKind::Emergency => "Emergency",
        }
    }
}

/// Every marker word, for messages.
pub(super) fn known() -> String {
    BlockKind::ALL.iter().map(|k| format!("`[!{}]`", k.name())).collect::<Vec<_>>().join(", ")
}

/// A `[!WORD]` marker at the start of a block quote's first line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Marker<'a> {
    /// The word between `[!` and `]`.
    pub word: &'a str,
    /// Where the marker is in the quote's text (from `[` to `]`).
    pub range: Range<usize>,
    /// Whether the rest of its line is blank, as a marker's must be.
    pub alone: bool,
}

/// The marker of the block quote whose Markdown is `quote` (from its first
/// `>`), if its first line starts with one.
pub(super) fn marker(quote: &str) -> Option<Marker<'_>> {
    let line_end = quote.find('\n').unwrap_or(quote.len());
    let line = &quote[..line_end];
    let after_gt = line.find('>')? + 1;
    let start = after_gt + (line.len() - after_gt - line[after_gt..].trim_start().len());
    let rest = line[start..].strip_prefix("[!")?;
    let len = rest.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))).unwrap_or(rest.len());
    if len == 0 || !rest[len..].starts_with(']') {
        return None;
    }
    let end = start + 2 + len + 1;
    Some(Marker { word: &rest[..len], range: start..end, alone: line[end..].trim().is_empty() })
}

/// The opening markup of a block: `id` names its label. A care card is a
/// region (a `<section>` named by its heading, which says the level in
/// words) when `landmark`, the first of its level on the page, else a
/// group (two landmarks of one name would be ambiguous); a callout is a
/// `role="note"` group named by its label, never a landmark.
pub(super) fn open(kind: BlockKind, id: &str, cards: &CareCards, landmark: bool) -> String {
    let class = kind.class();
    if let Some(card) = kind.card(cards) {
        let element = if landmark { "section" } else { "div role=\"group\"" };
        format!(
            "<{element} class=\"care-card care-card-{class}\" aria-labelledby=\"{id}\">\n\
             <h2 class=\"care-card-heading\" id=\"{id}\"><span class=\"care-card-label\">{}<span class=\"visually-hidden\">:</span></span> {}</h2>\n\
             <div class=\"care-card-content\">\n",
            escape(&card.label),
            escape(&card.heading)
        )
    } else {
        format!(
            "<div class=\"callout callout-{class}\" role=\"note\" aria-labelledby=\"{id}\">\n\
             <p class=\"callout-label\" id=\"{id}\">{}</p>\n",
            kind.label()
        )
    }
}

/// The closing markup of a block opened with [`open`].
pub(super) fn close(kind: BlockKind, landmark: bool) -> &'static str {
    match (kind.is_care_card(), landmark) {
        (true, true) => "</div>\n</section>\n",
        (true, false) => "</div>\n</div>\n",
        (false, _) => "</div>\n",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_read_from_the_first_line_only() {
        let m = marker("> [!urgent]\n> - a\n").unwrap();
        assert_eq!((m.word, m.range.clone(), m.alone), ("urgent", 2..11, true));
        assert_eq!(BlockKind::parse(m.word), Some(BlockKind::Urgent));
        let m = marker(">[!NON-URGENT]  \n").unwrap();
        assert_eq!((m.word, m.alone), ("NON-URGENT", true));
        assert_eq!(BlockKind::parse(m.word), Some(BlockKind::NonUrgent));
        let m = marker("> [!FOO] text\n").unwrap();
        assert_eq!((m.word, m.alone), ("FOO", false));
        assert_eq!(BlockKind::parse("FOO"), None);
        for none in ["> quote\n> [!NOTE]\n", "> [!]\n", "> [NOTE]\n", "> text [!NOTE]\n", "> [!NOTE\n"] {
            assert_eq!(marker(none), None, "{none}");
        }
    }

    #[test]
    fn every_kind_has_a_name_a_label_and_parses_back() {
        for kind in BlockKind::ALL {
            assert_eq!(BlockKind::parse(&kind.name().to_lowercase()), Some(kind));
            assert!(!kind.label().is_empty());
            let html = open(kind, "block_1", &CareCards::default(), true);
            assert!(html.contains("aria-labelledby=\"block_1\"") && html.contains("id=\"block_1\""), "{html}");
        }
    }
}
