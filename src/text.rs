//! Three questions about plain text that the whole crate asks the same
//! way: where a line starts, whether a match stands as a word of its own,
//! and whether a character shows anything at all.

use std::ops::Range;

/// The byte offset where line `line` (1-based) of `text` starts; the end of
/// the text past its last line.
pub(crate) fn line_start(text: &str, line: usize) -> usize {
    text.split_inclusive('\n').take(line.saturating_sub(1)).map(str::len).sum()
}

/// Whether `range` of `text` stands as a word of its own: at character
/// boundaries, with no letter or digit (nor one of `joins`, such as `-`
/// where "miracle-cure" is one word) right before or after it.
pub(crate) fn whole_word(text: &str, range: Range<usize>, joins: &[char]) -> bool {
    let (Some(before), Some(after)) = (text.get(..range.start), text.get(range.end..)) else { return false };
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || joins.contains(&c));
    !word(before.chars().next_back()) && !word(after.chars().next())
}

/// Whether `c` shows nothing where it stands: white space, and the
/// characters Unicode says a renderer may ignore (zero-width spaces and
/// joiners, the soft hyphen, direction marks, variation selectors, tags)
/// plus the fillers that draw as blank (Hangul fillers, the blank Braille
/// pattern). A title of only these is an empty `<h1>` to a reader.
pub(crate) fn invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{AD}'
                | '\u{34F}'
                | '\u{61C}'
                | '\u{115F}'..='\u{1160}'
                | '\u{17B4}'..='\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{2800}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FEFF}'
                | '\u{FFA0}'
                | '\u{FFF0}'..='\u{FFF8}'
                | '\u{1BCA0}'..='\u{1BCA3}'
                | '\u{1D173}'..='\u{1D17A}'
                | '\u{E0000}'..='\u{E0FFF}'
        )
}

/// `text` without what shows nothing at either end ([`invisible`]).
pub(crate) fn trim_invisible(text: &str) -> &str {
    text.trim_matches(invisible)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_start_after_each_newline() {
        let text = "a\nbc\r\n\nd";
        assert_eq!([1, 2, 3, 4, 5].map(|l| line_start(text, l)), [0, 2, 6, 7, 8]);
    }

    #[test]
    fn a_word_of_its_own_has_no_letter_beside_it() {
        let text = "a miracle-cure, miracles, miracle.";
        let at = |n: usize| text.match_indices("miracle").nth(n).map(|(i, m)| i..i + m.len()).unwrap();
        assert!(whole_word(text, at(0), &[]));
        assert!(!whole_word(text, at(0), &['-']));
        assert!(!whole_word(text, at(1), &[]));
        assert!(whole_word(text, at(2), &[]));
        assert!(!whole_word("é", 1..2, &[]), "not at a character boundary");
    }
}
