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
    grades_of([text], exclude)
}

/// [`grades`] of several blocks of prose read as one text (a page's body and
/// its FAQ answers): a block ends a sentence, as a newline does.
pub fn grades_of<'t>(texts: impl IntoIterator<Item = &'t str>, exclude: &[String]) -> Grades {
    let mut count = Count::default();
    for text in texts {
        count.text(&remove_phrases(text, exclude));
    }
    let Count { words, sentences, syllables, polysyllables, .. } = count;
    let (w, s) = (words.max(1) as f64, sentences.max(1) as f64);
    let flesch_kincaid = 0.39 * (w / s) + 11.8 * (syllables as f64 / w) - 15.59;
    let smog = 1.0430 * (polysyllables as f64 * 30.0 / s).sqrt() + 3.1291;
    Grades { words, sentences, syllables, polysyllables, flesch_kincaid, smog }
}

/// Running totals, and buffers reused for every word (a site has millions).
#[derive(Default)]
struct Count {
    words: usize,
    sentences: usize,
    syllables: usize,
    polysyllables: usize,
    word: String,
    chars: Vec<char>,
    bytes: Vec<u8>,
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
        let mut token: Option<usize> = None;
        let mut ascii = true;
        let mut counted = false;
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
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
                0x80.. => {
                    let c = text[i..].chars().next().unwrap_or_default();
                    width = c.len_utf8();
                    (c.is_whitespace(), false)
                }
                _ => (false, false),
            };
            if b == b' ' {
                chunk_start = i + 1;
            }
            if ends_token {
                if let Some(start) = token.take() {
                    counted |= self.word(&text[start..i], ascii);
                }
            } else if token.is_none() {
                token = Some(i);
                ascii = true;
            }
            ascii &= b < 0x80;
            if ends_sentence {
                self.sentences += usize::from(counted);
                counted = false;
                sentence_start = i + 1;
            }
            i += width;
        }
        if let Some(start) = token {
            counted |= self.word(&text[start..], ascii);
        }
        self.sentences += usize::from(counted);
    }

    /// Count one whitespace-separated token if it is a word; whether it was.
    fn word(&mut self, token: &str, ascii: bool) -> bool {
        let Some(n) = self.syllables(token, ascii) else { return false };
        self.words += 1;
        self.syllables += n;
        self.polysyllables += usize::from(n >= 3);
        true
    }

    /// Syllables of one token, without its punctuation; a number is read as
    /// a word of one syllable; `None`: not a word.
    fn syllables(&mut self, token: &str, ascii: bool) -> Option<usize> {
        if ascii {
            // the same steps as below, on bytes: most words of most sites
            let w = &mut self.bytes;
            w.clear();
            w.extend(
                token.bytes().filter(|b| b.is_ascii_alphanumeric() || *b == b'\'').map(|b| b.to_ascii_lowercase()),
            );
            if !w.iter().any(u8::is_ascii_alphabetic) {
                return w.iter().any(u8::is_ascii_digit).then_some(1);
            }
            return Some(vowel_groups(trim_apostrophes(w)));
        }
        let w = &mut self.word;
        w.clear();
        w.extend(token.chars().filter(|c| c.is_alphanumeric() || *c == '\''));
        if !w.chars().any(char::is_alphabetic) {
            return w.chars().any(|c| c.is_ascii_digit()).then_some(1);
        }
        Some(word_syllables(w, &mut self.chars))
    }
}

/// Syllables of one word by vowel groups, with the usual English corrections.
pub fn count_syllables(word: &str) -> usize {
    word_syllables(word, &mut Vec::new())
}

/// [`count_syllables`], lowercasing into `lower` (a buffer kept by the caller).
fn word_syllables(word: &str, lower: &mut Vec<char>) -> usize {
    lower.clear();
    lower.extend(word.chars().flat_map(char::to_lowercase));
    vowel_groups(trim_apostrophes(lower))
}

fn trim_apostrophes<T: Copy + Into<char>>(w: &[T]) -> &[T] {
    let start = w.iter().position(|&c| c.into() != '\'').unwrap_or(w.len());
    let end = w.iter().rposition(|&c| c.into() != '\'').map_or(start, |i| i + 1);
    &w[start..end]
}

/// The syllable count of a lowercase word (bytes of an ASCII word, or chars).
fn vowel_groups<T: Copy + Into<char>>(w: &[T]) -> usize {
    if w.iter().map(|&c| c.into().len_utf8()).sum::<usize>() <= 3 {
        return 1;
    }
    let at = |i: usize| w[i].into();
    let ends = |suffix: &str| {
        let n = suffix.chars().count();
        w.len() >= n && w[w.len() - n..].iter().map(|&c| c.into()).eq(suffix.chars())
    };
    let vowel = |c: char| matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y');
    let mut count = 0;
    let mut prev = false;
    for &c in w {
        let v = vowel(c.into());
        if v && !prev {
            count += 1;
        }
        prev = v;
    }
    let n = w.len();
    // silent final e ("make"), but not "-le" after a consonant ("table")
    if ends("e") && !ends("le") && !ends("ee") && count > 1 {
        count -= 1;
    }
    if ends("le") && n > 2 && vowel(at(n - 3)) && count > 1 {
        count -= 1;
    }
    // "-ed" is silent unless after t or d ("jumped", but "wanted")
    if ends("ed") && n > 3 && !matches!(at(n - 3), 't' | 'd') && count > 1 {
        count -= 1;
    }
    // "-es" is silent except after s, x, z, ch, sh, ce, ge ("makes", but "boxes")
    if ends("es") && n > 3 {
        let before = at(n - 3);
        let sibilant = matches!(before, 's' | 'x' | 'z' | 'c' | 'g') || ends("ches") || ends("shes");
        if !sibilant && count > 1 {
            count -= 1;
        }
    }
    count.max(1)
}

fn remove_phrases<'t>(text: &'t str, phrases: &[String]) -> std::borrow::Cow<'t, str> {
    if phrases.is_empty() {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut sorted: Vec<&String> = phrases.iter().collect();
    sorted.sort_by_key(|p| std::cmp::Reverse(p.len()));
    let mut out = text.to_string();
    for p in sorted {
        let lower = out.to_ascii_lowercase();
        let needle = p.to_ascii_lowercase();
        let mut result = String::with_capacity(out.len());
        let mut last = 0;
        for (i, _) in lower.match_indices(&needle) {
            let before = lower[..i].chars().next_back();
            let after = lower[i + needle.len()..].chars().next();
            if before.is_none_or(|c| !c.is_alphanumeric()) && after.is_none_or(|c| !c.is_alphanumeric()) && i >= last {
                result.push_str(&out[last..i]);
                last = i + needle.len();
            }
        }
        result.push_str(&out[last..]);
        out = result;
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

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
            let lower: Vec<u8> = word.bytes().map(|b| b.to_ascii_lowercase()).collect();
            assert_eq!(vowel_groups(trim_apostrophes(&lower)), count_syllables(word), "{word}");
        }
        let (ascii, general) =
            (grades("Wanted: boxes tables. Every day!", &[]), grades("Wanted: boxes… tables. Every day!", &[]));
        assert_eq!(
            (ascii.words, ascii.sentences, ascii.syllables),
            (general.words, general.sentences, general.syllables)
        );
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
    fn glossary_terms_are_left_out_and_blocks_end_sentences() {
        let with = grades("Esketamine nasal spray is approved", &[]);
        let without = grades("Esketamine nasal spray is approved", &["esketamine".to_string()]);
        assert_eq!(with.words - 1, without.words);
        assert_eq!(grades("First item\nSecond item\nThird", &[]).sentences, 3);
        assert_eq!(grades("Take 0.5 mg, e.g. in a drip. Then rest.", &[]).sentences, 2);
    }
}
