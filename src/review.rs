//! `sourcebook review sign`: record that a person reviewed a page, in a
//! role, on a day, with the fingerprint of what they reviewed
//! (`site::review`). The record is `content/reviews.yaml`
//! (`content::record`): a plain file, rewritten whole in a fixed order,
//! committed with the pages. Nothing is signed for a site with errors, an
//! unknown person, a person without the capacity the role needs, or a
//! date in the future or before the page last changed (its `date:`,
//! `updated:` or latest `changes:` entry).

use std::path::Path;

use jiff::civil::Date;

use crate::build::{self, BuildOptions};
pub use crate::config::ReviewRole;
use crate::content::people::Capacity;
use crate::content::record::{self, Signed};
use crate::diagnostics::{Code, Diagnostics};

/// What to sign.
#[derive(Debug, Clone)]
pub struct SignRequest {
    /// The page's Markdown file: `content/safety/side-effects.md`,
    /// `safety/side-effects.md`, or a path to it from the current folder.
    pub page: String,
    pub by: String,
    pub role: ReviewRole,
    pub on: Date,
    pub scope: Option<String>,
    /// Refuse a date after this one.
    pub today: Date,
}

/// What happened.
#[derive(Debug)]
// returned once per `review sign`: boxing the record would only add noise
#[allow(clippy::large_enum_variant)]
pub enum Signing {
    /// Recorded: the page's file, the entry written, and whether the page
    /// had changed since the last signed review of this role.
    Signed { file: String, entry: Signed, reviewer: String },
    /// The same review (person, role, day, scope and fingerprint) is
    /// recorded for the page already: nothing written.
    Recorded { file: String },
    /// The site has problems that keep it from being signed.
    Refused(Diagnostics),
    /// The request itself is wrong (no such page, person, capacity, date).
    Usage(String),
}

/// Sign one page of the site at `root`.
pub fn sign(root: &Path, request: &SignRequest) -> anyhow::Result<Signing> {
    // held from before the record is read until it is written: another
    // `sign` at once waits, then reads what this one wrote
    let rewrite = crate::output::Rewrite::begin(root, record::FILE)?;
    let mut diags = Diagnostics::new();
    let options = BuildOptions { root: root.to_path_buf(), drafts: true, ..BuildOptions::default() };
    let loaded = build::load(&options, &mut diags)?;
    let Some(loaded) = loaded.filter(|_| !diags.has_errors()) else {
        return Ok(Signing::Refused(diags.sorted()));
    };
    let site = &loaded.site;
    let file = page_file(root, &request.page);
    let Some(page) = site.articles.iter().chain(&site.home).find(|p| p.article.file == file) else {
        if file.ends_with("/_index.md") && root.join(&file).is_file() {
            return Ok(Signing::Usage(format!(
                "`{file}` is a topic's landing page: it lists the topic's articles and carries no review of its own; \
                 sign each article"
            )));
        }
        let files = site.articles.iter().chain(&site.home).map(|p| p.article.file.as_str());
        let near =
            crate::diagnostics::nearest(&file, files).filter(|near| crate::diagnostics::close_file_names(&file, near));
        let example = match near {
            Some(near) => format!("did you mean `{near}`?"),
            None => format!(
                "name its Markdown file, e.g. `{}`",
                site.articles.first().map_or("content/topic/page.md", |p| p.article.file.as_str())
            ),
        };
        return Ok(Signing::Usage(format!("no page `{file}`; {example}")));
    };
    let Some(person) = site.people.get(&request.by) else {
        let known: Vec<&str> = site.people.by_id.keys().map(String::as_str).collect();
        let hint = match crate::diagnostics::nearest(&request.by, known.iter().copied()) {
            Some(near) => format!("; did you mean `{near}`?"),
            None if known.is_empty() => "; add them to content/people.yaml first".into(),
            None => {
                let mut ids: Vec<String> = known.iter().take(10).map(|id| format!("`{id}`")).collect();
                if known.len() > 10 {
                    ids.push(format!("{} more", known.len() - 10));
                }
                format!(" (it has {}); add them to content/people.yaml first", ids.join(", "))
            }
        };
        return Ok(Signing::Usage(format!("no person `{}` in content/people.yaml{hint}", request.by)));
    };
    let capacity = Capacity::for_role(request.role);
    if !person.can(capacity) {
        return Ok(Signing::Usage(format!(
            "`{}` is not a {} in content/people.yaml, so cannot sign a {} review",
            request.by,
            capacity.as_str(),
            request.role.as_str()
        )));
    }
    if request.on > request.today {
        return Ok(Signing::Usage(format!("{} is in the future", request.on)));
    }
    if request.on < page.article.front.date {
        return Ok(Signing::Usage(format!(
            "{} is before the page was published ({})",
            request.on, page.article.front.date
        )));
    }
    let last_changed = page.article.front.last_changed();
    if request.on < last_changed {
        return Ok(Signing::Usage(format!(
            "{} is before the page's last change ({last_changed}, in its `updated:` or `changes:`): a review on that day saw an earlier version; have this version reviewed, then sign with `--on {last_changed}` or later",
            request.on
        )));
    }
    // nobody reviews what nobody has written yet
    if let Some(d) = diags.iter().find(|d| d.code == Code::TemplateText && d.file.as_deref() == Some(file.as_str())) {
        return Ok(Signing::Usage(format!(
            "{file}{} still holds the placeholder text `sourcebook new` wrote: replace it with the page's own words before a review is signed",
            d.line().map(|l| format!(":{l}")).unwrap_or_default()
        )));
    }
    let print = crate::site::review::fingerprint(page, site);
    let entry = Signed {
        by: request.by.clone(),
        role: request.role,
        on: request.on,
        scope: request.scope.clone().filter(|s| !s.trim().is_empty()),
        fingerprint: print.digest,
        parts: print.parts,
        span: None,
    };
    let mut record = site.record.clone();
    let key = file.trim_start_matches("content/").to_string();
    let same = |s: &Signed| {
        (&s.by, s.role, s.on, &s.scope, &s.fingerprint)
            == (&entry.by, entry.role, entry.on, &entry.scope, &entry.fingerprint)
    };
    if record.pages.get(&key).is_some_and(|signed| signed.iter().any(same)) {
        return Ok(Signing::Recorded { file });
    }
    record.pages.entry(key).or_default().push(entry.clone());
    rewrite.replace(&record.to_yaml())?;
    Ok(Signing::Signed { file, entry, reviewer: person.display() })
}

/// The page's file relative to the site root (`content/…`), from what the
/// user typed: a path from the working folder, or one from `content/`
/// (`safety/side-effects.md`). A path to a file that is not in `content/`
/// (site.yaml, a built page, one outside the site) stays as it was
/// written, so "no page" names what the user named.
fn page_file(root: &Path, typed: &str) -> String {
    let path = Path::new(typed);
    // the folder made whole, the name kept: a misspelt file still has a place
    let whole = |full: std::path::PathBuf| match (full.parent(), full.file_name()) {
        (Some(folder), Some(name)) => folder.canonicalize().ok().map(|f| f.join(name)),
        _ => None,
    };
    // (an absolute path too is compared with the root made whole: the root
    // may be `.`, and was compared as typed)
    let found = std::env::current_dir()
        .ok()
        .map(|cwd| cwd.join(path))
        .and_then(|full| full.canonicalize().ok().or_else(|| whole(full)));
    // (or from the root given with `--root`, when the working folder is elsewhere)
    let from_content = match typed.replace('\\', "/").trim_start_matches("./") {
        rel if rel.starts_with("content/") => rel.to_string(),
        rel => format!("content/{rel}"),
    };
    let Some((full, root)) = found.zip(root.canonicalize().ok()) else {
        return if path.is_absolute() { typed.to_string() } else { from_content };
    };
    match full.strip_prefix(&root) {
        // a file there, or a place in content/ (a misspelt name)
        Ok(rel) if full.is_file() || rel.starts_with("content") => rel.to_string_lossy().replace('\\', "/"),
        // nothing there: a path from content/ (`index.md` from the root)
        Ok(_) => from_content,
        // outside the site: as typed, unless it is a path from the root
        Err(_) if path.is_absolute() => typed.to_string(),
        Err(_) => from_content,
    }
}
