//! The medical editor's checks over an assembled site: reviews (through
//! `governance`),
//! reading grade, safe messaging, balance (promotional wording), structure
//! (headings, image alt text, description length) and crisis information on
//! every page that mentions suicide.

use aho_corasick::{AhoCorasick, AhoCorasickKind};
use jiff::civil::Date;

use super::governance::ReviewLine;
use super::readability::{self, Grades};
use crate::config::Config;
use crate::content::{Article, Audience};
use crate::diagnostics::{Code, Diagnostic, Lines, Span};
use crate::site::{Page, Site};

/// Wording safe-messaging guidance (reportingonsuicide.org, WHO 2023,
/// Samaritans) advises against, with what to write instead.
const SAFE_MESSAGING: &[(&str, &str)] = &[
    ("committed suicide", "died by suicide"),
    ("commit suicide", "die by suicide"),
    ("commits suicide", "dies by suicide"),
    ("committing suicide", "dying by suicide"),
    ("completed suicide", "died by suicide"),
    ("successful suicide", "died by suicide"),
    ("successful suicide attempt", "died by suicide"),
    ("failed suicide attempt", "suicide attempt (or: survived a suicide attempt)"),
    ("unsuccessful suicide attempt", "suicide attempt (or: survived a suicide attempt)"),
    ("suicide epidemic", "rising suicide rates"),
    ("epidemic of suicide", "rising suicide rates"),
    ("suicide victim", "person who died by suicide"),
];

/// Absolute or promotional claims a balanced health page avoids.
const PROMOTIONAL: &[&str] = &[
    "cure",
    "cures",
    "cured",
    "miracle",
    "miraculous",
    "guaranteed",
    "guarantee",
    "non-habit forming",
    "non-habit-forming",
    "non-addictive",
    "100% safe",
    "completely safe",
    "totally safe",
    "safe for everyone",
    "risk-free",
    "no side effects",
    "breakthrough",
    "wonder drug",
];

/// What check measured of one article, for `--report`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ArticleReport {
    pub file: String,
    pub title: String,
    pub audience: Audience,
    pub grades: Grades,
    pub sources: usize,
    /// The page's line of the review dashboard.
    pub review: ReviewLine,
}

/// The editorial checks of one site, ready to run page after page (in
/// parallel, or as each article is rendered).
pub(super) struct Editor {
    config: Config,
    today: Date,
    /// Glossary terms and aliases: left out of the reading grade.
    glossary: readability::Excluded,
    wording: Wording,
    /// `check.care_card_triggers`, ignoring case; `None` when there are none.
    triggers: Option<AhoCorasick>,
    /// Whether a page may hold one of them at all ([`Screen`]).
    trigger_screen: Screen,
}

impl Editor {
    pub(super) fn new(site: &Site, today: Date) -> Editor {
        let terms: Vec<String> = site
            .glossary
            .terms
            .iter()
            .flat_map(|t| std::iter::once(t.term.clone()).chain(t.aliases.iter().cloned()))
            .collect();
        let glossary = readability::Excluded::new(&terms);
        let phrases: Vec<&String> =
            site.config.check.care_card_triggers.iter().filter(|p| !p.trim().is_empty()).collect();
        let trigger_screen = Screen::new(phrases.iter().map(|p| p.as_str()));
        let triggers = match phrases.is_empty() {
            true => None,
            false => AhoCorasick::builder().ascii_case_insensitive(true).build(phrases).ok(),
        };
        let wording = Wording::new(&site.config);
        Editor { config: site.config.clone(), today, glossary, wording, triggers, trigger_screen }
    }

    /// Every check of one page (the home page or an article).
    /// `shows_crisis`: whether its rendered HTML links to a crisis line
    /// (`None` if it was not rendered).
    pub(super) fn page(
        &self,
        site: &Site,
        page: &Page,
        shows_crisis: Option<bool>,
    ) -> (Vec<Diagnostic>, Option<ArticleReport>) {
        let config = &self.config;
        let mut diags = Vec::new();
        let a = &page.article;
        let is_article = !a.topic.is_empty();
        let review = is_article.then(|| super::governance::check(site, page, self.today, &mut diags));
        description(a, &mut diags);
        if is_article {
            empty(page, &mut diags);
        }
        structure(page, &mut diags);
        // once for both screens (the wording's and the care-card triggers')
        let lower = a.text.to_ascii_lowercase();
        self.wording.check(&a.file, &a.text, &lower, &mut diags);
        crisis(&a.file, &a.text, shows_crisis, &mut diags);
        self.care_card(page, &lower, &mut diags);
        let grades = grade(page, &self.glossary);
        let limits = &config.readability;
        let too_hard = grades.flesch_kincaid > limits.max_grade || limits.max_smog.is_some_and(|m| grades.smog > m);
        if is_article && a.front.audience == Audience::Patients && too_hard {
            diags.push(
                Diagnostic::warning(
                    Code::Readability,
                    format!(
                        "reading grade {:.1} (Flesch-Kincaid; SMOG {:.1}) is above the site's maximum of {}{}",
                        grades.flesch_kincaid,
                        grades.smog,
                        limits.max_grade,
                        limits.max_smog.map(|m| format!(" (SMOG {m})")).unwrap_or_default()
                    ),
                )
                .in_file(a.file.clone())
                .with_help("use shorter sentences and everyday words; terms in the glossary are not counted"),
            );
        }
        let report = review.map(|review| ArticleReport {
            file: a.file.clone(),
            title: a.front.title.clone(),
            audience: a.front.audience,
            grades,
            sources: page.citations.order.len(),
            review,
        });
        (diags, report)
    }

    /// A page whose body tells readers when to get help (a phrase of
    /// `check.care_card_triggers`, as whole words) should say it in a care
    /// card, which stands out and is read out as such. The front matter
    /// (description, key points, FAQ answers) only sums the page up.
    /// `lower`: the page's file, ASCII-lowercased.
    fn care_card(&self, page: &Page, lower: &str, diags: &mut Vec<Diagnostic>) {
        let Some(triggers) = &self.triggers else { return };
        let cards: usize = page.texts().map(|t| t.care_cards).sum();
        let a = &page.article;
        if cards > 0 {
            return;
        }
        let whole = |m: &aho_corasick::Match| crate::text::whole_word(&a.text, m.range(), &[]);
        let body = a.split.body_start;
        if self.trigger_screen.rules_out(&lower[body..]) {
            return;
        }
        if let Some(m) = triggers.find_iter(&a.text[body..]).map(|m| m.offset(body)).find(whole) {
            diags.push(
                Diagnostic::warning(
                    Code::MissingCareCard,
                    format!("\"{}\" tells readers when to get help, but the page has no care card", &a.text[m.range()]),
                )
                .with_span(Span::at(&a.file, &a.text, m.start()))
                .with_help(
                    "put the signs in a care card: `> [!EMERGENCY]`, `> [!URGENT]` or `> [!NON-URGENT]` \
                     on a line of its own, then the list (README \"Care cards and callouts\")",
                ),
            );
        }
    }

    /// The checks of the topic pages' own text.
    pub(super) fn topics(&self, site: &Site, shows_crisis: &dyn Fn(&str) -> Option<bool>) -> Vec<Diagnostic> {
        let mut diags = Vec::new();
        for t in &site.topics {
            let lower = t.topic.text.to_ascii_lowercase();
            self.wording.check(&t.topic.file, &t.topic.text, &lower, &mut diags);
            crisis(&t.topic.file, &t.topic.text, shows_crisis(&format!("{}index.html", t.path)), &mut diags);
        }
        diags
    }
}

fn grade(page: &Page, glossary: &readability::Excluded) -> Grades {
    let answers = page.faq.iter().map(|entry| entry.answer.prose.as_str());
    readability::grades_of(std::iter::once(page.body.prose.as_str()).chain(answers), glossary)
}

/// An article with no text: no body (or only blank lines and comments)
/// and no FAQ. Published, it is a title over nothing.
fn empty(page: &Page, diags: &mut Vec<Diagnostic>) {
    let a = &page.article;
    if page.body.plain.trim().is_empty() && page.body.images.is_empty() && page.faq.is_empty() {
        diags.push(
            Diagnostic::warning(Code::EmptyPage, "the page has no text: readers would find only its title")
                .with_span(Span::at(&a.file, &a.text, 0))
                .with_help("write the page, each claim cited with `[@id]`, or remove the file"),
        );
    }
}

fn description(a: &Article, diags: &mut Vec<Diagnostic>) {
    let n = a.front.description.chars().count();
    if n > 160 {
        let doc = a.split.document(&a.file, &a.text);
        diags.push(
            Diagnostic::warning(
                Code::DescriptionLength,
                format!("the description is {n} characters; search results show about 160"),
            )
            .with_span(doc.key_span("description"))
            .with_help("say what the page answers in one short sentence"),
        );
    }
}

fn structure(page: &Page, diags: &mut Vec<Diagnostic>) {
    let a = &page.article;
    let mut previous = 1; // the page title is the h1
    let lines = Lines::default(); // thousands of headings: a binary search each
    for h in &page.body.headings {
        let span = || lines.span(&a.file, &a.text, a.split.body_start + h.offset);
        if h.level == 1 {
            diags.push(
                Diagnostic::warning(Code::HeadingSkip, "a second h1: the title is the page's only h1")
                    .with_span(span())
                    .with_help("use `##` for the sections of an article"),
            );
        } else if h.level > previous + 1 {
            diags.push(
                Diagnostic::warning(Code::HeadingSkip, format!("heading level {} follows level {previous}", h.level))
                    .with_span(span())
                    .with_help(format!("use `{}` here", "#".repeat(usize::from(previous) + 1))),
            );
        }
        previous = h.level;
    }
}

/// The wording checks of a site: safe messaging (errors) and promotional
/// language (warnings), both phrase lists matched in one pass over a page.
struct Wording {
    phrases: Phrases,
}

/// The phrase lists of [`Wording`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum List {
    SafeMessaging,
    Promotional,
}

impl Wording {
    fn new(config: &Config) -> Wording {
        let extra = config.check.safe_messaging.iter().map(|w| (w.phrase.as_str(), w.suggestion.as_str()));
        let allowed = &config.check.allow_promotional;
        let promotional = PROMOTIONAL
            .iter()
            .copied()
            .chain(config.check.promotional.iter().map(String::as_str))
            .filter(|w| !allowed.iter().any(|a| a.eq_ignore_ascii_case(w)))
            .map(|w| (w, ""));
        let safe = SAFE_MESSAGING.iter().copied().chain(extra).map(|(p, s)| (List::SafeMessaging, p, s));
        Wording { phrases: Phrases::new(safe.chain(promotional.map(|(p, s)| (List::Promotional, p, s)))) }
    }

    /// `lower`: `text`, ASCII-lowercased.
    fn check(&self, file: &str, text: &str, lower: &str, diags: &mut Vec<Diagnostic>) {
        let lines = Lines::default(); // thousands of findings: a binary search each
        for (at, phrase) in self.phrases.find(text, lower) {
            let found = &text[at..at + phrase.text.len()];
            let diagnostic = match phrase.list {
                List::SafeMessaging => Diagnostic::error(
                    Code::SafeMessaging,
                    format!("\"{found}\": safe-messaging guidelines advise against this wording"),
                )
                .with_help(format!("write \"{}\"", phrase.suggestion)),
                List::Promotional => Diagnostic::warning(
                    Code::PromotionalLanguage,
                    format!("\"{found}\" is an absolute or promotional claim"),
                )
                .with_help("state the benefit with its setting and size, and its risks and uncertainty beside it"),
            };
            diags.push(diagnostic.with_span(lines.span(file, text, at)));
        }
    }
}

/// What a page's HTML contains when it links to each crisis line of the site.
pub(super) fn crisis_hrefs(config: &Config) -> Vec<String> {
    config.crisis.links.iter().map(|l| format!("href=\"{}\"", crate::html::escape(&l.url))).collect()
}

/// A page that mentions suicide must show crisis information. (Whether it
/// shows it is the cheap question: the text is searched only when not.)
fn crisis(file: &str, text: &str, shows_crisis: Option<bool>, diags: &mut Vec<Diagnostic>) {
    if shows_crisis != Some(false) || !text.to_lowercase().contains("suicid") {
        return;
    }
    diags.push(
        Diagnostic::error(
            Code::SafeMessaging,
            "this page mentions suicide, but the theme shows no crisis information on it",
        )
        .in_file(file.to_string())
        .with_help("the theme must show `site.crisis` (text and links) on every page, as the default theme does"),
    );
}

/// Phrases (with what to write instead) found as whole words, ignoring
/// ASCII case; within one list, a longer phrase wins over a shorter one at
/// the same place.
struct Phrases {
    /// Longest first.
    phrases: Vec<Phrase>,
    /// All of them at once; `None` only if the list is too large for an
    /// automaton, when [`scan`] looks for one phrase after another.
    matcher: Option<AhoCorasick>,
    /// Whether a text may hold any of them at all.
    screen: Screen,
}

/// Whether a text may hold one of a list of phrases (ASCII case ignored):
/// a SIMD search of the lowercased text, three times as fast as the
/// automaton, which then runs only on the pages that do (few). It rules
/// nothing out where the CPU or the list does not allow it.
struct Screen(Option<aho_corasick::packed::Searcher>);

impl Screen {
    fn new<'p>(phrases: impl IntoIterator<Item = &'p str>) -> Screen {
        let lower = phrases.into_iter().map(str::to_ascii_lowercase);
        Screen(aho_corasick::packed::Config::new().builder().extend(lower).build())
    }

    /// Whether a text surely holds none of the phrases; `lower`: the text,
    /// ASCII-lowercased (its bytes at the same places), which the caller
    /// makes once for every screen it asks.
    fn rules_out(&self, lower: &str) -> bool {
        self.0.as_ref().is_some_and(|screen| screen.find(lower).is_none())
    }
}

#[derive(Debug, PartialEq)]
struct Phrase {
    /// Which list it comes from (lists do not compete for a place).
    list: List,
    text: String,
    suggestion: String,
}

impl Phrases {
    /// From `(list, phrase, suggestion)`.
    fn new<'p>(phrases: impl IntoIterator<Item = (List, &'p str, &'p str)>) -> Phrases {
        let mut phrases: Vec<Phrase> = phrases
            .into_iter()
            .filter(|(_, p, _)| !p.is_empty())
            .map(|(list, p, s)| Phrase { list, text: p.to_string(), suggestion: s.to_string() })
            .collect();
        phrases.sort_by_key(|p| std::cmp::Reverse(p.text.len()));
        let matcher = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .kind(Some(AhoCorasickKind::DFA))
            .build(phrases.iter().map(|p| &p.text))
            .ok();
        let screen = Screen::new(phrases.iter().map(|p| p.text.as_str()));
        Phrases { phrases, matcher, screen }
    }

    /// Every occurrence in `text`, in the order of the text; `lower`:
    /// `text`, ASCII-lowercased.
    fn find(&self, text: &str, lower: &str) -> Vec<(usize, &Phrase)> {
        if self.screen.rules_out(lower) {
            return Vec::new();
        }
        let Some(matcher) = &self.matcher else {
            let lists = self.phrases.iter().map(|p| p.list).collect::<std::collections::BTreeSet<_>>();
            let mut found: Vec<(usize, &Phrase)> = lists
                .into_iter()
                .flat_map(|list| scan(text, self.phrases.iter().filter(move |p| p.list == list)))
                .collect();
            found.sort_by_key(|(at, _)| *at);
            return found;
        };
        // by phrase (longest first), then place: the order `scan` accepts them in
        let mut hits: Vec<(usize, usize)> =
            matcher.find_overlapping_iter(text).map(|m| (m.pattern().as_usize(), m.start())).collect();
        hits.sort_unstable();
        let mut found: Vec<(usize, &Phrase)> = Vec::new();
        let mut taken = Taken::default();
        for (p, at) in hits {
            let phrase = &self.phrases[p];
            let len = phrase.text.len();
            if whole_word(text, at, len) && taken.take(phrase.list, at, len) {
                found.push((at, phrase));
            }
        }
        found.sort_by_key(|(at, _)| *at);
        found
    }
}

/// The places phrases were found at, by list. Within a list they never
/// overlap, so only the last one to start before a place ends can overlap
/// it: one search of an ordered map per find, where a scan of every earlier
/// find made a page of thousands of finds quadratic (minutes for `check`).
#[derive(Default)]
struct Taken(std::collections::BTreeMap<(List, usize), usize>);

impl Taken {
    /// Take `at..at + len` for `list` if no phrase of that list holds any
    /// of it; whether it was taken.
    fn take(&mut self, list: List, at: usize, len: usize) -> bool {
        let end = at + len;
        let overlaps = self.0.range((list, 0)..(list, end)).next_back().is_some_and(|(_, &taken_end)| taken_end > at);
        if !overlaps {
            self.0.insert((list, at), end);
        }
        !overlaps
    }
}

/// Whether `text[at..at + len]` stands as a word of its own (a hyphen
/// joins words: "miracle-cure" is not "miracle").
fn whole_word(text: &str, at: usize, len: usize) -> bool {
    crate::text::whole_word(text, at..at + len, &['-'])
}

/// [`Phrases::find`] of one list, one phrase at a time: the reference it
/// is tested against, and its fallback.
fn scan<'p>(text: &str, phrases: impl IntoIterator<Item = &'p Phrase>) -> Vec<(usize, &'p Phrase)> {
    let lower = text.to_ascii_lowercase();
    let mut phrases: Vec<&Phrase> = phrases.into_iter().filter(|p| !p.text.is_empty()).collect();
    phrases.sort_by_key(|p| std::cmp::Reverse(p.text.len()));
    let mut found: Vec<(usize, &Phrase)> = Vec::new();
    let mut taken = Taken::default();
    for phrase in phrases {
        let needle = phrase.text.to_ascii_lowercase();
        for (i, _) in lower.match_indices(&needle) {
            if whole_word(&lower, i, needle.len()) && taken.take(phrase.list, i, needle.len()) {
                found.push((i, phrase));
            }
        }
    }
    found.sort_by_key(|(i, _)| *i);
    found
}

#[cfg(test)]
mod tests {
    use super::{List, PROMOTIONAL, Phrases, SAFE_MESSAGING, Screen, Taken, scan};

    fn both_lists() -> Phrases {
        let safe = SAFE_MESSAGING.iter().map(|(p, s)| (List::SafeMessaging, *p, *s));
        // "suicide" competes with the safe-messaging phrases it is part of
        // only if the lists were one
        let promotional = PROMOTIONAL.iter().chain(&["suicide"]).map(|w| (List::Promotional, *w, ""));
        Phrases::new(safe.chain(promotional))
    }

    #[test]
    fn one_pass_finds_what_one_phrase_at_a_time_finds() {
        let fast = both_lists();
        assert!(fast.matcher.is_some());
        #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
        assert!(fast.screen.0.is_some());
        // (on a CPU without the SIMD the screen needs, the automaton reads every page)
        let unscreened = Phrases { screen: Screen(None), ..both_lists() };
        for text in [
            "He Committed Suicide. A CURE? Secure. A failed suicide attempt; cures, cured-ish, incurable.",
            "A successful suicide attempt is not a successful suicide. No side effects, 100% safe!",
            "cure cure cure curecure -cure cure- é cure é, non-habit-forming and non-habit forming.",
            "A MIRACLE, Guaranteed; RISK-FREE. Wonder Drug.",
            "Nothing to find here: secure, procured, a safe dose.",
            "",
        ] {
            let by_list = |list| scan(text, fast.phrases.iter().filter(move |p| p.list == list));
            let mut expected = [by_list(List::SafeMessaging), by_list(List::Promotional)].concat();
            expected.sort_by_key(|(at, _)| *at);
            let lower = text.to_ascii_lowercase();
            assert_eq!(fast.find(text, &lower), expected, "{text}");
            assert_eq!(unscreened.find(text, &lower), expected, "{text}");
        }
        let text = "He committed suicide and was cured.";
        let found = fast.find(text, &text.to_ascii_lowercase());
        let lists: Vec<List> = found.iter().map(|(_, p)| p.list).collect();
        assert_eq!(lists, [List::SafeMessaging, List::Promotional, List::Promotional], "{found:?}");
    }

    #[test]
    fn a_screen_rules_out_only_a_text_without_the_phrases_in_any_case() {
        let triggers = crate::config::CheckConfig::default().care_card_triggers;
        let screen = Screen::new(triggers.iter().map(String::as_str));
        #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
        assert!(screen.0.is_some());
        // as the editor asks it: of the text lowercased once
        let rules_out = |text: &str| screen.rules_out(&text.to_ascii_lowercase());
        for trigger in &triggers {
            for text in [trigger.clone(), trigger.to_uppercase(), format!("If you see these, {trigger}: call.")] {
                assert!(!rules_out(&text), "{text}");
            }
        }
        if screen.0.is_some() {
            for text in ["", "An emergency plan for the trip.", "Warning: signs after dark.", "get emergencyhelp"] {
                assert!(rules_out(text), "{text}");
            }
        }
        // without the SIMD it needs, a screen rules nothing out
        assert!(!Screen(None).rules_out("An emergency plan for the trip."));
    }

    /// The ordered map of found places takes what a check against every
    /// earlier find took (which was quadratic in the finds of a page).
    #[test]
    fn a_place_is_taken_when_no_earlier_find_of_its_list_overlaps_it() {
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut rng = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 32) as usize
        };
        let mut taken = Taken::default();
        let mut every: Vec<(List, usize, usize)> = Vec::new();
        for _ in 0..5000 {
            let list = if rng() % 2 == 0 { List::SafeMessaging } else { List::Promotional };
            let (at, len) = (rng() % 2000, 1 + rng() % 12);
            let free = !every.iter().any(|&(l, f, e)| l == list && at < e && f < at + len);
            assert_eq!(taken.take(list, at, len), free, "{list:?} {at}+{len}");
            if free {
                every.push((list, at, at + len));
            }
        }
        assert!(every.len() > 100, "some were taken: {}", every.len());
    }

    #[test]
    fn scan_finds_whole_words_longest_first() {
        let text = "He committed suicide. A cure? Secure. A failed suicide attempt.";
        let phrases = Phrases::new(SAFE_MESSAGING.iter().map(|(p, s)| (List::SafeMessaging, *p, *s)).chain([(
            List::SafeMessaging,
            "cure",
            "",
        )]));
        let found: Vec<&str> = scan(text, &phrases.phrases).iter().map(|(_, p)| p.text.as_str()).collect();
        assert_eq!(found, ["committed suicide", "cure", "failed suicide attempt"]);
    }
}
