//! Editorial governance of one page: who is named (authors and reviewers
//! must be in `people.yaml`, in a capacity that fits), review dates, and
//! whether each role's last review still covers the page as it is
//! (`edited-since-review`, `review-unsigned`, `review-overdue`), and a
//! change log that keeps up (`change-unlogged`). Also the line of the
//! review dashboard (`check --report`) for the page.

use jiff::civil::Date;
use serde::Serialize;

use crate::content::people::Capacity;
use crate::content::record::Signed;
use crate::content::{Article, ReviewRole};
use crate::diagnostics::{Code, Diagnostic, Span};
use crate::site::review::{self, Origin, Reviewer, State};
use crate::site::{Page, Site};
use crate::yaml::Path;

/// The last review of one role, for the dashboard.
#[derive(Debug, Clone, Serialize)]
pub struct RoleLine {
    pub role: ReviewRole,
    pub on: Date,
    /// The reviewer's name as shown.
    pub by: String,
    /// What the review covered, when not the whole page.
    pub scope: Option<String>,
    /// `current`, `edited` (since the review) or `unsigned`.
    pub state: &'static str,
    /// What changed since, when edited.
    pub changed: Vec<String>,
    pub due: Option<Date>,
    pub overdue: bool,
}

/// One page's line of the review dashboard.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewLine {
    pub file: String,
    pub title: String,
    /// The most urgent of: `edited` (since a signed review), `overdue`,
    /// `unreviewed` (a role the site requires has no review), `unsigned`
    /// (recorded by hand, no fingerprint), `current`.
    pub status: &'static str,
    /// The earliest due date of its reviews.
    pub next_due: Option<Date>,
    pub reviews: Vec<RoleLine>,
    /// Roles the site requires that the page has no review of.
    pub missing: Vec<ReviewRole>,
}

impl ReviewLine {
    /// Lower is more urgent.
    pub fn urgency(&self) -> usize {
        ["edited", "overdue", "unreviewed", "unsigned", "current"].iter().position(|s| *s == self.status).unwrap_or(5)
    }
}

/// Every governance check of one article, and its dashboard line.
pub fn check(site: &Site, page: &Page, today: Date, diags: &mut Vec<Diagnostic>) -> ReviewLine {
    let a = &page.article;
    let signed = site.record.of(&a.file);
    people(site, a, signed, today, diags);
    changes(a, today, diags);
    let history = review::history(page, signed);
    // reviews.yaml could not all be read: this page's may be among what was not
    if history.is_empty() && !site.record.unread {
        diags.push(
            Diagnostic::warning(Code::ReviewMissing, "no review: readers cannot tell whether this page was checked")
                .with_span(Span::at(&a.file, &a.text, 0))
                .with_help(format!(
                    "check it against its sources, then `sourcebook review sign {} --by <id> --role editorial`",
                    a.file
                )),
        );
    }
    let now = review::fingerprint_if_signed(page, &history, site);
    // what the fingerprint draws on could not all be read (its errors are
    // reported): whether the page changed since a review is told once it can be
    let unsure = site.bibliography.incomplete || !site.bibliography.failed.is_empty() || site.glossary.unread;
    let statuses = review::status(&history, now.as_ref(), a.front.last_changed(), site.config.review_interval_months);
    let mut lines = Vec::new();
    for s in &statuses {
        let r = &s.review;
        // placed only when a diagnostic needs it: a position costs a YAML index
        let span = || review_span(a, &r.origin, r.signed);
        let by = match &r.by {
            Reviewer::Person(id) => id.as_str(),
            Reviewer::Named(_) => "<id>",
        };
        match &s.state {
            State::Edited(_) if unsure => {}
            State::Edited(changed) => diags.push(
                Diagnostic::warning(
                    Code::EditedSinceReview,
                    format!(
                        "edited since its {} review on {} ({})",
                        r.role.as_str(),
                        r.on,
                        if changed.is_empty() { "the content differs".into() } else { changed.join("; ") }
                    ),
                )
                .with_span(Span::at(&a.file, &a.text, 0))
                .with_help(format!(
                    "the page no longer claims this review: have it reviewed again, then `sourcebook review sign {} --by {by} --role {}`",
                    a.file,
                    r.role.as_str()
                )),
            ),
            State::Unsigned if r.role != ReviewRole::Editorial => diags.push(
                Diagnostic::warning(
                    Code::ReviewUnsigned,
                    format!(
                        "the {} review on {} has no fingerprint, so the page cannot show it as current",
                        r.role.as_str(),
                        r.on
                    ),
                )
                .with_span(span())
                .with_help(match s.changed_after {
                    // signing it on its own day would be refused: it saw an earlier version
                    Some(day) => format!(
                        "the page changed on {day}, after this review: have it reviewed again, then `sourcebook review sign {} --by {by} --role {}`",
                        a.file,
                        r.role.as_str()
                    ),
                    None => format!(
                        "record it with `sourcebook review sign {} --by {by} --role {} --on {}` once the reviewer has seen this version",
                        a.file,
                        r.role.as_str(),
                        r.on
                    ),
                }),
            ),
            _ => {}
        }
        let overdue = s.due.is_some_and(|due| due < today);
        if let (true, Some(due)) = (overdue, s.due) {
            diags.push(
                Diagnostic::warning(
                    Code::ReviewOverdue,
                    format!("the next {} review was due on {due}", r.role.as_str()),
                )
                .with_span(span())
                .with_help("review the page again and sign the review"),
            );
        }
        lines.push(RoleLine {
            role: r.role,
            on: r.on,
            by: reviewer_name(site, &r.by),
            scope: r.scope.map(str::to_string),
            state: match s.state {
                State::Current => "current",
                State::Edited(_) => "edited",
                State::Unsigned => "unsigned",
            },
            changed: match &s.state {
                State::Edited(c) => c.clone(),
                _ => Vec::new(),
            },
            due: s.due,
            overdue,
        });
    }
    if let Some(last) = review::edited_since_signed(&history, now.as_ref())
        && !unsure
        && !a.front.changes.iter().any(|c| c.on >= last.on)
    {
        let doc = a.split.document(&a.file, &a.text);
        let span = if a.front.changes.is_empty() { Span::at(&a.file, &a.text, 0) } else { doc.key_span("changes") };
        diags.push(
            Diagnostic::warning(
                Code::ChangeUnlogged,
                format!("the page changed since its review on {}, and `changes:` has no entry since", last.on),
            )
            .with_span(span)
            .with_help("say what changed for readers: `changes: [{ on: YYYY-MM-DD, summary: \"…\" }]`"),
        );
    }
    dashboard_line(site, a, lines)
}

fn dashboard_line(site: &Site, a: &Article, reviews: Vec<RoleLine>) -> ReviewLine {
    let missing: Vec<ReviewRole> =
        site.config.review_roles.iter().copied().filter(|role| !reviews.iter().any(|l| l.role == *role)).collect();
    let status = if reviews.iter().any(|l| l.state == "edited") {
        "edited"
    } else if reviews.iter().any(|l| l.overdue) {
        "overdue"
    } else if !missing.is_empty() {
        "unreviewed"
    } else if reviews.iter().any(|l| l.state == "unsigned") {
        "unsigned"
    } else {
        "current"
    };
    let next_due = reviews.iter().filter_map(|l| l.due).min();
    ReviewLine { file: a.file.clone(), title: a.front.title.clone(), status, next_due, reviews, missing }
}

/// How a reviewer is shown: the person's name and credentials, or the name
/// as the old block wrote it.
pub fn reviewer_name(site: &Site, by: &Reviewer) -> String {
    match by {
        Reviewer::Person(id) => site.people.get(id).map_or_else(|| id.clone(), |p| p.display()),
        Reviewer::Named(name) => name.clone(),
    }
}

/// Where a review is written: its front matter key or entry, or its entry
/// in the record.
fn review_span(a: &Article, origin: &Origin, signed: Option<&Signed>) -> Span {
    let doc = a.split.document(&a.file, &a.text);
    match origin {
        Origin::Reviewed => doc.key_span("reviewed"),
        Origin::FrontMatter(i) => entry_span(a, "reviews", *i),
        Origin::Record(_) => signed.and_then(|s| s.span.clone()).unwrap_or_else(|| Span::at(&a.file, &a.text, 0)),
    }
}

/// The position of item `index` of the front matter list under `key`.
pub fn entry_span(a: &Article, key: &str, index: usize) -> Span {
    a.split.document(&a.file, &a.text).key_span(Path::from(key).item(index))
}

/// Authors and reviewers are people of `people.yaml`, in a capacity that
/// fits; review dates are not in the future nor before publication.
fn people(site: &Site, a: &Article, signed: &[Signed], today: Date, diags: &mut Vec<Diagnostic>) {
    let f = &a.front;
    let doc = a.split.document(&a.file, &a.text);
    for id in &f.authors {
        let span = || doc.key_span("authors");
        match site.people.get(id) {
            // reported as the page renders (`build` too): `check` makes it an error
            None => {}
            Some(p) if !p.can(Capacity::Author) => diags.push(
                Diagnostic::error(Code::InvalidValue, format!("`{id}` is not an author in content/people.yaml"))
                    .with_span(span())
                    .with_help(format!("add `author` to the roles of `{id}`")),
            ),
            Some(_) => {}
        }
    }
    // where each review is written, found only for a diagnostic
    let written = f.reviews.iter().enumerate().map(|(i, r)| (r.by.as_str(), r.role, r.on, Err(i)));
    let recorded = signed.iter().map(|s| (s.by.as_str(), s.role, s.on, Ok(&s.span)));
    for (by, role, on, at) in written.chain(recorded) {
        let span = || match at {
            Err(i) => entry_span(a, "reviews", i),
            Ok(span) => span.clone().unwrap_or_else(|| Span::at(&a.file, &a.text, 0)),
        };
        match site.people.get(by) {
            None => diags.extend(site.people.unknown(by, span())),
            Some(p) if !p.can(Capacity::for_role(role)) => diags.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    format!(
                        "`{by}` is not a {} in content/people.yaml, so cannot sign a {} review",
                        Capacity::for_role(role).as_str(),
                        role.as_str()
                    ),
                )
                .with_span(span())
                .with_help(format!(
                    "add `{}` to the roles of `{by}`, or name someone who is",
                    Capacity::for_role(role).as_str()
                )),
            ),
            Some(_) => {}
        }
        dates(a, on, &span, today, diags);
    }
    if let Some(r) = &f.reviewed {
        dates(a, r.on, &|| doc.key_span("reviewed"), today, diags);
        // the page showed "Next check due" before the check it follows
        if let Some(next) = r.next.filter(|next| *next <= r.on) {
            diags.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    format!("the next check, due {next}, is not after this one ({})", r.on),
                )
                .with_span(doc.value_span(Path::root().key("reviewed").key("next")))
                .with_help(
                    "`next:` is the day the next check is due, after `on:`; leave it out for the site's interval",
                ),
            );
        }
    }
}

/// `span`: where the review is written, found if a date is wrong.
fn dates(a: &Article, on: Date, span: &dyn Fn() -> Span, today: Date, diags: &mut Vec<Diagnostic>) {
    if on < a.front.date {
        diags.push(
            Diagnostic::error(
                Code::InvalidValue,
                format!("reviewed on {on} is before the page was published ({})", a.front.date),
            )
            .with_span(span())
            .with_help("a review is of a published page: give the day it was done, on or after `date:`"),
        );
    }
    if on > today {
        diags.push(
            Diagnostic::error(Code::InvalidValue, format!("reviewed on {on} is in the future"))
                .with_span(span())
                .with_help(format!(
                    "give the day the review was done (today is {today}); `next:` says when the next is due"
                )),
        );
    }
}

/// `changes:` entries: real summaries, dated neither in the future nor
/// before the page was first published; `date:`,
/// shown to readers as "Published", not in the future; and `updated:`,
/// shown as "Last updated", neither in the future nor before the page was
/// first published.
fn changes(a: &Article, today: Date, diags: &mut Vec<Diagnostic>) {
    if a.front.date > today {
        diags.push(
            Diagnostic::error(Code::InvalidValue, format!("published on {} is in the future", a.front.date))
                .with_span(a.split.document(&a.file, &a.text).value_span("date"))
                .with_help(format!("give the day the page was first published (today is {today})")),
        );
    }
    if let Some(updated) = a.front.updated {
        let span = || a.split.document(&a.file, &a.text).value_span("updated");
        if updated > today {
            diags.push(
                Diagnostic::error(Code::InvalidValue, format!("updated on {updated} is in the future"))
                    .with_span(span())
                    .with_help(format!("give the day of the last substantive change (today is {today})")),
            );
        }
        if updated < a.front.date {
            diags.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    format!("updated on {updated} is before the page was first published ({})", a.front.date),
                )
                .with_span(span())
                .with_help("`updated:` is the day of the last substantive change, on or after `date:`"),
            );
        }
    }
    for (i, c) in a.front.changes.iter().enumerate() {
        if c.on > today {
            diags.push(
                Diagnostic::error(Code::InvalidValue, format!("a change dated {} is in the future", c.on))
                    .with_span(entry_span(a, "changes", i))
                    .with_help(format!("date the change the day it was made (today is {today})")),
            );
        }
        // a change to a page not yet published
        if c.on < a.front.date {
            diags.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    format!("a change dated {} is before the page was first published ({})", c.on, a.front.date),
                )
                .with_span(entry_span(a, "changes", i))
                .with_help("date the change the day it was made, on or after `date:`"),
            );
        }
        if crate::yaml::blank(&c.summary) {
            diags.push(
                Diagnostic::error(Code::InvalidValue, "a change with an empty `summary`")
                    .with_span(entry_span(a, "changes", i))
                    .with_help("say what changed in a sentence readers understand"),
            );
        }
    }
}
