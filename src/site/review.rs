//! What a page's reviews still cover. A page's reviewable content (its
//! front matter facts, each section of its Markdown and each source it
//! cites) is cut into named parts, each normalized (whitespace runs become
//! one space) and hashed with SHA-256: its [`Fingerprint`]. A signed review
//! (`content/reviews.yaml`) keeps the fingerprint of what was reviewed;
//! comparing it with the page as it is now says whether the review still
//! stands and, part by part, what changed since.
//!
//! The review history of a page joins three places: the old `reviewed:`
//! block (an editorial check, by a name), hand-written `reviews:` entries
//! (by person id) and the signed record. Only a signed review can be
//! *current*; a hand-written one is reported as unsigned.

use jiff::civil::Date;
use sha2::{Digest, Sha256};

use crate::content::record::Signed;
use crate::content::{ReviewRole, Split};
use crate::sources::Bibliography;

use super::{Page, Site};

/// A page's reviewable content, part by part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Fingerprint {
    /// `sha256:` and 64 hex digits, over every part in order.
    pub digest: String,
    /// Each part's name and the first 12 hex digits of its hash, in order.
    pub parts: Vec<(String, String)>,
}

/// The fingerprint of `page` of `site` as rendered (its citations and the
/// images it shows known; each image's file is read now).
pub(crate) fn fingerprint(page: &Page, site: &Site) -> Fingerprint {
    let a = &page.article;
    let cited: Vec<&str> = page.citations.order.iter().map(String::as_str).collect();
    // what the page shows from other files, each once
    let mut shown: Vec<(String, String)> = Vec::new();
    for rel in page.images_shown() {
        let name = format!("image: {rel}");
        if !shown.iter().any(|(n, _)| *n == name) {
            shown.push((name, file_digest(&site.root, rel)));
        }
    }
    for (level, card) in page.citations.care_cards(&site.config.care_cards) {
        shown.push((format!("care card: {level}"), format!("{}\n{}", card.label, card.heading)));
    }
    // the glossary's definition of each term the page explains ("Words used on this page")
    for term in page.citations.terms_used.iter().filter_map(|&t| site.glossary.terms.get(t)) {
        shown.push((format!("glossary: {}", term.term), term.definition.clone()));
    }
    fingerprint_of(a.front_facts(), &a.text, a.split, (&cited, &site.bibliography), shown)
}

/// What a review saw of a file under `content/`: the SHA-256 of its bytes
/// (a chart redrawn under the same name is a change), or why it could not
/// be read (which no review saw, so it matches none).
fn file_digest(root: &std::path::Path, rel: &str) -> String {
    let read = crate::input::open(root, &root.join("content").join(rel)).map_err(|u| u.diagnostic.message).and_then(
        |(mut file, _)| {
            let mut hasher = Sha256::new();
            std::io::copy(&mut file, &mut hasher).map_err(|e| e.to_string())?;
            Ok(hex(&hasher.finalize()))
        },
    );
    match read {
        Ok(digest) => format!("sha256:{digest}"),
        Err(why) => format!("unreadable: {why}"),
    }
}

/// What of the front matter a review vouches for.
pub struct Facts<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub audience: &'static str,
    pub key_points: &'a [String],
    pub faq: Vec<(&'a str, &'a str)>,
}

impl crate::content::Article {
    pub fn front_facts(&self) -> Facts<'_> {
        let f = &self.front;
        Facts {
            title: &f.title,
            description: &f.description,
            audience: match f.audience {
                crate::content::Audience::Patients => "patients",
                crate::content::Audience::Clinicians => "clinicians",
            },
            key_points: &f.key_points,
            faq: f.faq.iter().map(|e| (e.q.as_str(), e.a.as_str())).collect(),
        }
    }
}

/// The parts of a page, in order: its facts, its sections, its questions,
/// what it shows from other files (`shown`, named parts: the images, each
/// as [`file_digest`] reads it, what site.yaml says on its care cards, the
/// glossary's definitions of the terms it explains), the sources it cites.
fn fingerprint_of(
    facts: Facts,
    text: &str,
    split: Split,
    (cited, bib): (&[&str], &Bibliography),
    shown: Vec<(String, String)>,
) -> Fingerprint {
    let mut parts: Vec<(String, String)> = vec![
        ("title".into(), facts.title.into()),
        ("description".into(), facts.description.into()),
        ("audience".into(), facts.audience.into()),
    ];
    if !facts.key_points.is_empty() {
        parts.push(("key points".into(), facts.key_points.join("\n")));
    }
    let body = text.get(split.body_start..).unwrap_or("");
    parts.extend(sections(body));
    for (q, a) in facts.faq {
        parts.push((format!("question: {}", normalize(q)), format!("{q}\n{a}")));
    }
    parts.extend(shown);
    let mut ids: Vec<&str> = cited.to_vec();
    ids.sort_unstable();
    ids.dedup();
    for id in ids {
        if let Some(source) = bib.get(id) {
            parts.push((format!("source: {id}"), source.content().to_string()));
        }
    }
    unique_names(&mut parts);
    let mut total = Sha256::new();
    let hashed = parts
        .into_iter()
        .map(|(name, content)| {
            let norm = normalize(&content);
            total.update(name.as_bytes());
            total.update(b"\n");
            total.update(norm.as_bytes());
            total.update(b"\n\0");
            let hash = hex(&Sha256::digest(format!("{name}\n{norm}").as_bytes()));
            (name, hash[..12].to_string())
        })
        .collect();
    Fingerprint { digest: format!("sha256:{}", hex(&total.finalize())), parts: hashed }
}

/// The body cut at its ATX headings (outside fenced code): `intro`, then
/// `section: <heading>` for each.
fn sections(body: &str) -> Vec<(String, String)> {
    let mut out = vec![("intro".to_string(), String::new())];
    let mut fence: Option<&str> = None;
    for line in body.lines() {
        let t = line.trim_start();
        if let Some(f) = fence {
            if t.starts_with(f) {
                fence = None;
            }
        } else if t.starts_with("```") || t.starts_with("~~~") {
            fence = Some(&t[..3]);
        } else if let Some(title) = heading(t) {
            out.push((format!("section: {title}"), String::new()));
        }
        if let Some((_, text)) = out.last_mut() {
            text.push_str(line);
            text.push('\n');
        }
    }
    if out[0].1.trim().is_empty() {
        out.remove(0);
    }
    out
}

/// The text of an ATX heading line, without `{#id}` attributes.
fn heading(line: &str) -> Option<String> {
    let level = line.bytes().take_while(|&b| b == b'#').count();
    if !(1..=6).contains(&level) {
        return None;
    }
    let rest = &line[level..];
    if !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    let rest = rest.trim().trim_end_matches('#').trim();
    let rest = match rest.rfind(" {") {
        Some(i) if rest.ends_with('}') => rest[..i].trim(),
        _ => rest,
    };
    Some(normalize(rest))
}

/// A second part of the same name becomes `name (2)`.
fn unique_names(parts: &mut [(String, String)]) {
    let mut seen = std::collections::HashMap::new();
    for (name, _) in parts.iter_mut() {
        let n = seen.entry(name.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            *name = format!("{name} ({n})");
        }
    }
}

/// Words separated by single spaces: reflowing a paragraph changes nothing.
fn normalize(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What changed between a signed fingerprint's parts and the page's now:
/// `changed: section: Dose`, `added: source: lee2026`, `removed: …`.
pub(crate) fn changes(then: &[(String, String)], now: &[(String, String)]) -> Vec<String> {
    let old: std::collections::HashMap<&str, &str> = then.iter().map(|(n, h)| (n.as_str(), h.as_str())).collect();
    let new: std::collections::HashMap<&str, &str> = now.iter().map(|(n, h)| (n.as_str(), h.as_str())).collect();
    let mut out = Vec::new();
    for (name, hash) in now {
        match old.get(name.as_str()) {
            Some(h) if h == hash => {}
            Some(_) => out.push(format!("changed: {name}")),
            None => out.push(format!("added: {name}")),
        }
    }
    for (name, _) in then {
        if !new.contains_key(name.as_str()) {
            out.push(format!("removed: {name}"));
        }
    }
    let same_parts = out.is_empty();
    let reordered = same_parts && then.iter().map(|(n, _)| n).ne(now.iter().map(|(n, _)| n));
    if reordered {
        out.push("the parts are in a different order".into());
    }
    out
}

/// Who did a review: a person of `people.yaml`, or (the old `reviewed:`
/// block) a name as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reviewer {
    Person(String),
    Named(String),
}

/// Where a review is recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// `reviewed:` in the front matter.
    Reviewed,
    /// `reviews[i]` in the front matter.
    FrontMatter(usize),
    /// Entry `i` of the page in `content/reviews.yaml`.
    Record(usize),
}

/// One review of a page, wherever it is recorded.
#[derive(Debug, Clone)]
pub(crate) struct Review<'a> {
    pub by: Reviewer,
    pub role: ReviewRole,
    pub on: Date,
    pub scope: Option<&'a str>,
    /// `reviewed.next`: the next review's date, set by hand.
    pub next: Option<Date>,
    pub signed: Option<&'a Signed>,
    pub origin: Origin,
}

/// Whether the last review of a role still covers the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum State {
    /// Signed, and the page is what was reviewed.
    Current,
    /// Signed, and the page changed since: what changed.
    Edited(Vec<String>),
    /// Recorded by hand, with no fingerprint: what it covered is unknown.
    Unsigned,
}

/// The last review of one role, and where it stands.
#[derive(Debug, Clone)]
pub(crate) struct RoleStatus<'a> {
    pub review: Review<'a>,
    pub state: State,
    /// When the next review of this role is due.
    pub due: Option<Date>,
    /// The page's last change, when it came after this review: the review
    /// saw an earlier version.
    pub changed_after: Option<Date>,
}

/// Every review of the page, oldest first (same day: the old block, then
/// hand-written entries, then signed ones).
pub(crate) fn history<'a>(page: &'a Page, signed: &'a [Signed]) -> Vec<Review<'a>> {
    let f = &page.article.front;
    let mut all = Vec::new();
    if let Some(r) = &f.reviewed {
        all.push(Review {
            by: Reviewer::Named(r.by.clone()),
            role: ReviewRole::Editorial,
            on: r.on,
            scope: None,
            next: r.next,
            signed: None,
            origin: Origin::Reviewed,
        });
    }
    for (i, r) in f.reviews.iter().enumerate() {
        all.push(Review {
            by: Reviewer::Person(r.by.clone()),
            role: r.role,
            on: r.on,
            scope: r.scope.as_deref(),
            next: None,
            signed: None,
            origin: Origin::FrontMatter(i),
        });
    }
    for (i, s) in signed.iter().enumerate() {
        all.push(Review {
            by: Reviewer::Person(s.by.clone()),
            role: s.role,
            on: s.on,
            scope: s.scope.as_deref(),
            next: None,
            signed: Some(s),
            origin: Origin::Record(i),
        });
    }
    // stable: on the same day, the order above
    all.sort_by_key(|r| r.on);
    all
}

/// The fingerprint of the page when some review of it is signed (nothing
/// else needs it: a site without signed reviews never hashes a page).
pub(crate) fn fingerprint_if_signed(page: &Page, history: &[Review], site: &Site) -> Option<Fingerprint> {
    history.iter().any(|r| r.signed.is_some()).then(|| fingerprint(page, site))
}

/// The status of the last review of each role that has one, in the order
/// of [`ReviewRole::ALL`]. `now`: the page's fingerprint, from
/// [`fingerprint_if_signed`]. `last_changed`: the last day the page says it
/// changed ([`crate::content::FrontMatter::last_changed`]): a signed review
/// dated before it was of an earlier version, so it is not current even
/// when the fingerprint matches (a review signed later with an earlier
/// `--on`, or a record edited by hand). `interval_months`: the site's
/// review interval.
pub(crate) fn status<'a>(
    history: &[Review<'a>],
    now: Option<&Fingerprint>,
    last_changed: Date,
    interval_months: u32,
) -> Vec<RoleStatus<'a>> {
    ReviewRole::ALL
        .iter()
        .filter_map(|&role| {
            let last = history.iter().rev().find(|r| r.role == role)?;
            let changed_after = (last.on < last_changed).then_some(last_changed);
            let state = match (last.signed, now) {
                (Some(s), Some(now)) if s.fingerprint == now.digest => match changed_after {
                    Some(day) => State::Edited(vec![format!("the page says it changed on {day}, after the review")]),
                    None => State::Current,
                },
                (Some(s), Some(now)) => State::Edited(changes(&s.parts, &now.parts)),
                (Some(_), None) => State::Edited(Vec::new()),
                (None, _) => State::Unsigned,
            };
            let due =
                last.next.or_else(|| last.on.checked_add(jiff::Span::new().months(i64::from(interval_months))).ok());
            Some(RoleStatus { review: last.clone(), state, due, changed_after })
        })
        .collect()
}

/// The last signed review of any role, if the page changed since it.
pub(crate) fn edited_since_signed<'a>(history: &[Review<'a>], now: Option<&Fingerprint>) -> Option<&'a Signed> {
    let last = history.iter().rev().find_map(|r| r.signed)?;
    (now.is_none_or(|now| last.fingerprint != now.digest)).then_some(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn print(body: &str, title: &str, cited: &[&str]) -> Fingerprint {
        let text = format!("---\ntitle: t\n---\n{body}");
        let split = crate::content::front_matter::split("a.md", &text).unwrap();
        let facts = Facts { title, description: "d", audience: "patients", key_points: &[], faq: vec![] };
        fingerprint_of(facts, &text, split, (cited, &Bibliography::default()), Vec::new())
    }

    #[test]
    fn whitespace_does_not_change_the_fingerprint() {
        let a = print("Intro words.\n\n## Dose\n\nTake one\ntablet.\n", "T", &[]);
        let b = print("Intro   words.\n\n\n##   Dose\n\nTake one tablet.   \n\n", "T", &[]);
        assert_eq!(a, b);
        assert!(a.digest.starts_with("sha256:") && a.digest.len() == 71);
    }

    #[test]
    fn a_change_names_its_part() {
        let a = print("Intro.\n\n## Dose\n\nTake one tablet.\n\n## Risks\n\nSome.\n", "T", &[]);
        let b = print("Intro.\n\n## Dose\n\nTake two tablets.\n\n## Risks\n\nSome.\n\n## New\n\nx\n", "T", &[]);
        assert_ne!(a.digest, b.digest);
        assert_eq!(changes(&a.parts, &b.parts), ["changed: section: Dose", "added: section: New"]);
        let c = print("Intro.\n\n## Dose\n\nTake one tablet.\n\n## Risks\n\nSome.\n", "Other", &[]);
        assert_eq!(changes(&a.parts, &c.parts), ["changed: title"]);
        let d = print("Intro.\n\n## Risks\n\nSome.\n", "T", &[]);
        assert_eq!(changes(&a.parts, &d.parts), ["removed: section: Dose"]);
    }

    #[test]
    fn headings_inside_code_are_text() {
        let a = print("```\n# not a heading\n```\n", "T", &[]);
        assert_eq!(
            a.parts.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
            ["title", "description", "audience", "intro"]
        );
    }

    #[test]
    fn the_fingerprint_is_stable_across_versions() {
        // a fixed page gives a fixed digest: a change here invalidates every
        // signed review, so it must be deliberate (and documented); the same
        // digest, checked by hand: SHA-256 over each part's name, a newline,
        // its normalized text, a newline and a NUL byte, in order
        let a = print("Intro.\n\n## Dose {#dose}\n\nTake one tablet.\n", "T", &[]);
        let names: Vec<&str> = a.parts.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["title", "description", "audience", "intro", "section: Dose"]);
        assert_eq!(a.digest, "sha256:7dcf68b29f8d2796745e03a994bc9004a1139c2c9ce50ca289f90317f6d497d9", "{a:?}");
    }
}
