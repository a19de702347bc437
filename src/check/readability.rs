//! Reading grade of prose: Flesch–Kincaid grade level and SMOG, the two
//! measures health-literacy guidance asks for. Syllables are counted with a
//! vowel-group heuristic (close to, not identical with, dictionary counts).
//!
//! FKGL = 0.39 × words/sentences + 11.8 × syllables/words − 15.59
//! SMOG = 1.0430 × √(polysyllables × 30 / sentences) + 3.1291

/// The measures of one text.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Grades {
    pub words: usize,
    pub sentences: usize,
    pub syllables: usize,
    /// Words of three or more syllables.
    pub polysyllables: usize,
    pub flesch_kincaid: f64,
    pub smog: f64,
}

/// Measure `text`, leaving out the words of `exclude` (glossary terms, which
/// are explained where they appear and would otherwise dominate the score).
pub fn grades(text: &str, exclude: &[String]) -> Grades {
    grades_of([text], &Excluded::new(exclude))
}

/// [`grades`] of several blocks of prose read as one text (a page's body and
/// its FAQ answers): a block ends a sentence, as a newline does.
pub fn grades_of<'t>(texts: impl IntoIterator<Item = &'t str>, exclude: &Excluded) -> Grades {
    let mut count = Count::default();
    for text in texts {
        count.text(&exclude.remove_from(text));
    }
    let Count { words, sentences, syllables, polysyllables, .. } = count;
    let (w, s) = (words.max(1) as f64, sentences.max(1) as f64);
    let flesch_kincaid = 0.39 * (w / s) + 11.8 * (syllables as f64 / w) - 15.59;
    let smog = 1.0430 * (polysyllables as f64 * 30.0 / s).sqrt() + 3.1291;
    Grades { words, sentences, syllables, polysyllables, flesch_kincaid, smog }
}

/// Phrases left out of the reading grade (a site's glossary terms and
/// aliases), made once for every page of a site.
pub struct Excluded {
    /// Lowercase (ASCII), longest first.
    phrases: Vec<String>,
    /// Which of them a text holds, in one pass; `None` only if the list is
    /// too large for an automaton, when each phrase is looked for in turn.
    matcher: Option<aho_corasick::AhoCorasick>,
}

impl Excluded {
    pub fn new(phrases: &[String]) -> Excluded {
        let mut phrases: Vec<String> =
            phrases.iter().filter(|p| !p.is_empty()).map(|p| p.to_ascii_lowercase()).collect();
        phrases.sort_by_key(|p| std::cmp::Reverse(p.len()));
        let matcher = aho_corasick::AhoCorasick::builder().ascii_case_insensitive(true).build(&phrases).ok();
        Excluded { phrases, matcher }
    }

    /// `text` without the phrases where they stand as words (ignoring ASCII
    /// case), longest first, each looked for in what the longer ones left.
    fn remove_from<'t>(&self, text: &'t str) -> std::borrow::Cow<'t, str> {
        if self.phrases.is_empty() {
            return std::borrow::Cow::Borrowed(text);
        }
        // only the phrases the text holds (a page holds a few of a glossary's hundreds)
        let present: Vec<usize> = match &self.matcher {
            Some(m) => {
                let mut found: Vec<usize> = m.find_overlapping_iter(text).map(|m| m.pattern().as_usize()).collect();
                found.sort_unstable();
                found.dedup();
                found
            }
            None => (0..self.phrases.len()).collect(),
        };
        if present.is_empty() {
            return std::borrow::Cow::Borrowed(text);
        }
        // the text and its lowercase twin, cut in the same places
        let (mut out, mut lower) = (text.to_string(), text.to_ascii_lowercase());
        for needle in present.into_iter().map(|p| &self.phrases[p]) {
            let (mut kept, mut kept_lower) = (String::with_capacity(out.len()), String::with_capacity(out.len()));
            let mut last = 0;
            for (i, _) in lower.match_indices(needle.as_str()) {
                if crate::text::whole_word(&lower, i..i + needle.len(), &[]) && i >= last {
                    kept.push_str(&out[last..i]);
                    kept_lower.push_str(&lower[last..i]);
                    last = i + needle.len();
                }
            }
            if last > 0 {
                kept.push_str(&out[last..]);
                kept_lower.push_str(&lower[last..]);
                (out, lower) = (kept, kept_lower);
            }
        }
        std::borrow::Cow::Owned(out)
    }
}

/// Running totals.
#[derive(Default)]
struct Count {
    words: usize,
    sentences: usize,
    syllables: usize,
    polysyllables: usize,
}

impl Count {
    /// Count the words and sentences of `text`, in one pass over its bytes.
    ///
    /// Sentences end at newlines (block boundaries: list items, paragraphs)
    /// and at `.`, `!`, `?` followed by whitespace, `"`, `)` or the end, but
    /// not at the `.` of a short word that has one already ("e.g.", "U.S.").
    /// Words are the whitespace-separated tokens of a sentence; a sentence
    /// counts if it has one.
    fn text(&mut self, text: &str) {
        let bytes = text.as_bytes();
        let mut sentence_start = 0;
        // where the current sentence's last space-separated chunk starts
        let mut chunk_start = 0;
        let mut word = Word::default();
        let mut in_token = false;
        let mut counted = false;
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if BYTES[usize::from(b)] & PLAIN != 0 {
                // a run of ASCII bytes that end neither a word nor a sentence
                in_token = true;
                word.push_ascii(b);
                i += 1;
                while i < bytes.len() && BYTES[usize::from(bytes[i])] & PLAIN != 0 {
                    word.push_ascii(bytes[i]);
                    i += 1;
                }
                continue;
            }
            let mut width = 1;
            // (whether `b` ends the token, whether it ends the sentence)
            let (ends_token, ends_sentence) = match b {
                b'\n' => (true, true),
                b'.' | b'!' | b'?' => {
                    let end = bytes.get(i + 1).is_none_or(|n| n.is_ascii_whitespace() || *n == b'"' || *n == b')');
                    let chunk = &bytes[chunk_start.max(sentence_start)..i];
                    let abbreviation = b == b'.' && chunk.len() <= 3 && chunk.contains(&b'.');
                    let end = end && !abbreviation;
                    (end, end)
                }
                b' ' | b'\t' | b'\r' | 0x0b | 0x0c => (true, false),
                _ => {
                    let c = text[i..].chars().next().unwrap_or_default();
                    width = c.len_utf8();
                    if !c.is_whitespace() {
                        word.push(c);
                    }
                    (c.is_whitespace(), false)
                }
            };
            if b == b' ' {
                chunk_start = i + 1;
            }
            if ends_token {
                if std::mem::take(&mut in_token) {
                    counted |= self.word(word.syllables());
                    word.clear();
                }
            } else {
                in_token = true;
            }
            if ends_sentence {
                self.sentences += usize::from(counted);
                counted = false;
                sentence_start = i + 1;
            }
            i += width;
        }
        if in_token {
            counted |= self.word(word.syllables());
        }
        self.sentences += usize::from(counted);
    }

    /// Count one token if it is a word (has syllables); whether it was.
    fn word(&mut self, syllables: Option<usize>) -> bool {
        let Some(n) = syllables else { return false };
        self.words += 1;
        self.syllables += n;
        self.polysyllables += usize::from(n >= 3);
        true
    }
}

/// One token, read a character at a time: what its syllable count needs,
/// without keeping the token. Its word is its letters, digits and
/// apostrophes, lowercased, without apostrophes at either end.
#[derive(Default)]
struct Word {
    letters: bool,
    digits: bool,
    in_vowel: bool,
    /// Vowel groups so far (apostrophes, like consonants, end a group).
    groups: usize,
    /// Characters kept so far, apostrophes included, and their UTF-8 bytes
    /// beyond one each.
    chars: usize,
    wide: usize,
    /// Apostrophes before anything else, and at the end so far.
    leading: usize,
    trailing: usize,
    /// The last four characters kept: character `i` at `i % 4`...
    last: [char; 4],
    /// ...and as they were before the apostrophes at the end.
    before_trailing: [char; 4],
}

impl Word {
    /// A byte of an ASCII run.
    fn push_ascii(&mut self, b: u8) {
        let class = BYTES[usize::from(b)];
        if class & (LETTER | DIGIT | APOSTROPHE) != 0 {
            self.letters |= class & LETTER != 0;
            self.digits |= class & DIGIT != 0;
            self.keep_as(char::from(b.to_ascii_lowercase()), class & VOWEL != 0);
        }
    }

    /// Any character of the token.
    fn push(&mut self, c: char) {
        if c.is_alphanumeric() || c == '\'' {
            self.letters |= c.is_alphabetic();
            self.digits |= c.is_ascii_digit();
            for l in c.to_lowercase() {
                self.wide += l.len_utf8() - 1;
                self.keep(l);
            }
        }
    }

    /// Ready for the next token (what it reads of `last` it writes first).
    fn clear(&mut self) {
        let Word { letters, digits, in_vowel, groups, chars, wide, leading, trailing, .. } = self;
        (*letters, *digits, *in_vowel) = (false, false, false);
        (*groups, *chars, *wide, *leading, *trailing) = (0, 0, 0, 0, 0);
    }

    fn keep(&mut self, c: char) {
        self.keep_as(c, is_vowel(c));
    }

    fn keep_as(&mut self, c: char, vowel: bool) {
        if c == '\'' {
            if self.chars == self.leading {
                self.leading += 1;
            } else {
                if self.trailing == 0 {
                    self.before_trailing = self.last;
                }
                self.trailing += 1;
            }
        } else {
            self.trailing = 0;
        }
        self.groups += usize::from(vowel && !self.in_vowel);
        self.in_vowel = vowel;
        self.last[self.chars % 4] = c;
        self.chars += 1;
    }

    /// Its syllables; a number is read as a word of one syllable; `None`:
    /// not a word.
    fn syllables(&self) -> Option<usize> {
        if !self.letters {
            return self.digits.then_some(1);
        }
        let n = self.chars - self.leading - self.trailing;
        if n + self.wide <= 3 {
            return Some(1);
        }
        let (last, end) = match self.trailing {
            0 => (&self.last, self.chars),
            t => (&self.before_trailing, self.chars - t),
        };
        // the `k`th character from the end (1: the last); every suffix asked about is ASCII
        let from_end = |k: usize| if k <= n { last[(end - k) % 4] } else { '\0' };
        let ends = |suffix: &[u8]| suffix.iter().rev().enumerate().all(|(k, &b)| from_end(k + 1) == char::from(b));
        let mut count = self.groups;
        // silent final e ("make"), but not "-le" after a consonant ("table")
        if ends(b"e") && !ends(b"le") && !ends(b"ee") && count > 1 {
            count -= 1;
        }
        if ends(b"le") && n > 2 && is_vowel(from_end(3)) && count > 1 {
            count -= 1;
        }
        // "-ed" is silent unless after t or d ("jumped", but "wanted")
        if ends(b"ed") && n > 3 && !matches!(from_end(3), 't' | 'd') && count > 1 {
            count -= 1;
        }
        // "-es" is silent except after s, x, z, ch, sh, ce, ge ("makes", but "boxes")
        if ends(b"es") && n > 3 {
            let sibilant = matches!(from_end(3), 's' | 'x' | 'z' | 'c' | 'g') || ends(b"ches") || ends(b"shes");
            if !sibilant && count > 1 {
                count -= 1;
            }
        }
        Some(count.max(1))
    }
}

/// What each byte is: `PLAIN`, an ASCII byte that ends neither a word nor a
/// sentence (not whitespace, `.`, `!` or `?`); and what it is to a word:
/// kept (a letter, digit or apostrophe), a vowel.
const BYTES: [u8; 256] = {
    let mut class = [0; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        let ends = matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c | b'.' | b'!' | b'?');
        class[b] = if ends { 0 } else { PLAIN }
            | if c.is_ascii_alphabetic() {
                LETTER | if is_vowel(c.to_ascii_lowercase() as char) { VOWEL } else { 0 }
            } else if c.is_ascii_digit() {
                DIGIT
            } else if c == b'\'' {
                APOSTROPHE
            } else {
                0
            };
        b += 1;
    }
    class
};
const PLAIN: u8 = 1;
const LETTER: u8 = 2;
const DIGIT: u8 = 4;
const APOSTROPHE: u8 = 8;
const VOWEL: u8 = 16;

const fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The syllables of one word, read character by character.
    fn count_syllables(word: &str) -> usize {
        let mut w = Word::default();
        word.chars().for_each(|c| w.push(c));
        w.syllables().unwrap_or(0)
    }

    #[test]
    fn syllables_of_common_words() {
        for (word, n) in [
            ("cat", 1),
            ("make", 1),
            ("table", 2),
            ("wanted", 2),
            ("jumped", 1),
            ("boxes", 2),
            ("makes", 1),
            ("ketamine", 3),
            ("depression", 3),
            ("treatment", 2),
            ("anaesthetic", 4),
            ("esketamine", 4),
            ("the", 1),
            ("every", 3),
        ] {
            assert_eq!(count_syllables(word), n, "{word}");
        }
    }

    #[test]
    fn ascii_words_count_as_the_general_path_does() {
        for word in
            ["cat", "'table'", "Wanted", "JUMPED", "boxes", "makes", "ketamine", "every", "ee", "a1b2", "niece's"]
        {
            let mut ascii = Word::default();
            word.bytes().for_each(|b| ascii.push_ascii(b));
            assert_eq!(ascii.syllables(), Some(count_syllables(word)), "{word}");
        }
        let (ascii, general) =
            (grades("Wanted: boxes tables. Every day!", &[]), grades("Wanted: boxes… tables. Every day!", &[]));
        assert_eq!(
            (ascii.words, ascii.sentences, ascii.syllables),
            (general.words, general.sentences, general.syllables)
        );
    }

    /// Words, sentences, syllables and polysyllables of `text` read a
    /// character at a time, every token through a [`Word`]: the simple
    /// reading that `Count::text`'s byte runs must agree with.
    fn count_by_characters(text: &str) -> (usize, usize, usize, usize) {
        let mut count = Count::default();
        let (mut word, mut in_token, mut counted) = (Word::default(), false, false);
        let (mut sentence_start, mut chunk_start) = (0, 0);
        for (i, c) in text.char_indices() {
            let (ends_token, ends_sentence) = match c {
                '\n' => (true, true),
                '.' | '!' | '?' => {
                    let next = text[i + 1..].chars().next();
                    let end = next.is_none_or(|n| n.is_ascii_whitespace() || n == '"' || n == ')');
                    let chunk = &text[chunk_start.max(sentence_start)..i];
                    let end = end && !(c == '.' && chunk.len() <= 3 && chunk.contains('.'));
                    (end, end)
                }
                c if c.is_whitespace() => (true, false),
                c => {
                    word.push(c);
                    (false, false)
                }
            };
            if c == ' ' {
                chunk_start = i + 1;
            }
            if ends_token {
                if std::mem::take(&mut in_token) {
                    counted |= count.word(word.syllables());
                    word.clear();
                }
            } else {
                in_token = true;
            }
            if ends_sentence {
                count.sentences += usize::from(counted);
                counted = false;
                sentence_start = i + 1;
            }
        }
        if in_token {
            counted |= count.word(word.syllables());
        }
        count.sentences += usize::from(counted);
        (count.words, count.sentences, count.syllables, count.polysyllables)
    }

    #[test]
    fn counting_by_byte_runs_agrees_with_reading_character_by_character() {
        // letters (vowels and -e/-le/-ed/-es endings made likely), digits,
        // apostrophes, sentence ends, abbreviations, whitespace of every
        // kind, and characters beyond ASCII inside and between words
        const PIECES: &[&str] = &[
            "a", "e", "i", "o", "u", "y", "E", "t", "d", "s", "c", "h", "l", "x", "K", "m", "es", "ed", "le", "ches",
            "shes", "ee", "7", "0.5", "'", "''", ".", "!", "?", ",", "\"", ")", "(", "-", "e.g.", "U.S.", " ", " ",
            " ", "\n", "\t", "\r", "\u{b}", "\u{c}", "\u{1c}", "é", "É", "ß", "İ", "ﬁ", "Σ", "ς", "’", "—", "…",
            "\u{a0}", "\u{2009}", "\u{3000}", "²", "٣", "字",
        ];
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = |below: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % below as u64) as usize
        };
        for _ in 0..20_000 {
            let pieces = next(40);
            let text: String = (0..pieces).map(|_| PIECES[next(PIECES.len())]).collect();
            let mut count = Count::default();
            count.text(&text);
            assert_eq!(
                (count.words, count.sentences, count.syllables, count.polysyllables),
                count_by_characters(&text),
                "{text:?}"
            );
        }
    }

    #[test]
    fn flesch_kincaid_worked_example() {
        // 6 words, 1 sentence, 6 syllables: 0.39*6 + 11.8*1 - 15.59 = -1.45
        let g = grades("The cat sat on the mat.", &[]);
        assert_eq!((g.words, g.sentences, g.syllables), (6, 1, 6));
        assert!((g.flesch_kincaid - -1.45).abs() < 1e-9, "{}", g.flesch_kincaid);
        // two sentences of 5 words, 8 + 7 syllables: 0.39*5 + 11.8*1.5 - 15.59 = 4.06
        let g = grades("Ketamine can help some people. It is given in clinics.", &[]);
        assert_eq!((g.words, g.sentences), (10, 2));
        assert_eq!(g.syllables, 15);
        assert!((g.flesch_kincaid - 4.06).abs() < 1e-9, "{}", g.flesch_kincaid);
    }

    #[test]
    fn smog_worked_example() {
        // 3 polysyllables over 2 sentences: 1.043*sqrt(3*30/2) + 3.1291 = 10.1258
        let g = grades("Ketamine treats depression. Esketamine is a spray.", &[]);
        assert_eq!((g.polysyllables, g.sentences), (3, 2));
        assert!((g.smog - (1.0430 * 45f64.sqrt() + 3.1291)).abs() < 1e-9);
    }

    #[test]
    fn excluded_phrases_go_longest_first_as_whole_words_with_or_without_the_screen() {
        let phrases: Vec<String> =
            ["spray", "Esketamine nasal spray", "nasal spray", "NMDA"].iter().map(|p| p.to_string()).collect();
        let screened = Excluded::new(&phrases);
        assert!(screened.matcher.is_some());
        let each_in_turn = Excluded { matcher: None, ..Excluded::new(&phrases) };
        for (text, left) in [
            ("Esketamine nasal spray is a spray.", " is a ."),
            ("A nasal SPRAY, or sprays; nmda-receptor.", "A , or sprays; -receptor."),
            ("Nothing here.", "Nothing here."),
        ] {
            assert_eq!(screened.remove_from(text), left, "{text}");
            assert_eq!(each_in_turn.remove_from(text), left, "{text}");
        }
    }

    #[test]
    fn glossary_terms_are_left_out_and_blocks_end_sentences() {
        let with = grades("Esketamine nasal spray is approved", &[]);
        let without = grades("Esketamine nasal spray is approved", &["esketamine".to_string()]);
        assert_eq!(with.words - 1, without.words);
        assert_eq!(grades("First item\nSecond item\nThird", &[]).sentences, 3);
        assert_eq!(grades("Take 0.5 mg, e.g. in a drip. Then rest.", &[]).sentences, 2);
    }
}
