//! One render path: after every step of a random sequence of realistic
//! edits, what `serve` serves is byte for byte what the real `build` writes
//! (or, while the sources have errors, the last good site with the errors
//! shown), and `check` reports every diagnostic the build reports.
//!
//! By default a few short runs (seeds 1 to 4, 6 steps each; the even seeds
//! give the root as a relative path), so the suite stays quick in debug.
//! Replay a failure, or run longer, with `SOURCEBOOK_EQUIV_SEED=<seed>` and
//! `SOURCEBOOK_EQUIV_STEPS=<n>` (e.g. 3000, in release).

use std::collections::BTreeMap;
use std::io::Read as _;
use std::panic::AssertUnwindSafe;
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sourcebook::build::{BuildOptions, build};
use sourcebook::check::{CheckOptions, check};
use sourcebook::diagnostics::{Diagnostic, Diagnostics};
use sourcebook::serve::session::Session;

use crate::support::{Rng, copy_tree, fixtures, snapshot_tree};

/// Output path → bytes.
type Files = BTreeMap<String, Vec<u8>>;

/// A folder's files: path (relative to it) → bytes.
type Tree = Vec<(PathBuf, Vec<u8>)>;

/// A site on disk under random edits.
struct Editor {
    /// The site's folder, absolute (the tests' own reads and writes).
    abs: PathBuf,
    /// Where folders moved out of the site go.
    aside: PathBuf,
    rng: Rng,
    /// A counter for new names and text.
    n: usize,
    /// Files saved before a breaking edit, to put back later: path →
    /// content (`None`: the file did not exist).
    fixes: Vec<(PathBuf, Option<Vec<u8>>)>,
    /// Folders removed, to make again: path → files (relative to it).
    removed: Vec<(PathBuf, Tree)>,
}

/// What one edit did: a description for the replay log, and the paths a
/// watcher would report.
struct Edit {
    what: String,
    changed: Vec<PathBuf>,
}

const WORDS: [&str; 8] =
    ["trial", "ECT", "electroconvulsive therapy", "trials", "treatment", "ketamine", "a study", "the dose"];
const QUESTIONS: [&str; 4] = ["How long does it last?", "Is it safe?", "Who can have it?", "What does it cost?"];

impl Editor {
    fn path(&self, rel: &str) -> PathBuf {
        self.abs.join(rel)
    }

    fn read(&self, rel: &str) -> Option<String> {
        std::fs::read_to_string(self.path(rel)).ok()
    }

    fn write(&self, rel: &str, text: &str) -> PathBuf {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    /// Save `rel` as it is now, to be put back by a later fix.
    fn remember(&mut self, rel: &str) {
        let path = self.path(rel);
        if self.fixes.iter().any(|(p, _)| *p == path) {
            return;
        }
        let before = std::fs::read(&path).ok();
        self.fixes.push((path, before));
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() { None } else { Some(&items[self.rng.below(items.len())]) }
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.rng.below(100) < percent
    }

    fn next_n(&mut self) -> usize {
        self.n += 1;
        self.n
    }

    /// Every file below `rel` (relative to the site), sorted.
    fn files_below(&self, rel: &str) -> Vec<String> {
        let dir = self.path(rel);
        let mut files: Vec<String> = walkdir::WalkDir::new(&dir)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| e.path().strip_prefix(&self.abs).unwrap().to_string_lossy().replace('\\', "/"))
            .collect();
        files.sort();
        files
    }

    /// The articles' Markdown files: `content/<topic>/<slug>.md` and
    /// `content/<topic>/<slug>/index.md`.
    fn articles(&self) -> Vec<String> {
        self.files_below("content")
            .into_iter()
            .filter(|f| {
                let depth = f.matches('/').count();
                f.ends_with(".md")
                    && !f.ends_with("/_index.md")
                    && (depth == 2 || f.ends_with("/index.md") && depth == 3)
            })
            .collect()
    }

    /// The ids of sources.yaml and sources.bib.
    fn source_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .read("content/sources.yaml")
            .unwrap_or_default()
            .lines()
            .filter(|l| !l.starts_with(' ') && l.ends_with(':'))
            .map(|l| l.trim_end_matches(':').to_string())
            .collect();
        ids.extend(
            self.read("content/sources.bib")
                .unwrap_or_default()
                .lines()
                .filter_map(|l| l.strip_prefix('@').and_then(|l| l.split_once('{')).map(|(_, id)| id))
                .map(|id| id.trim_end_matches(',').to_string()),
        );
        ids
    }

    /// A random article's front matter and body (`None` without articles
    /// or front matter).
    fn article(&mut self) -> Option<(String, String, String)> {
        let articles = self.articles();
        let rel = self.pick(&articles)?.clone();
        let text = self.read(&rel)?;
        let rest = text.strip_prefix("---\n")?;
        let end = rest.find("\n---\n")?;
        Some((rel, rest[..end + 1].to_string(), rest[end + 5..].to_string()))
    }

    fn save_article(&self, rel: &str, front: &str, body: &str) -> PathBuf {
        self.write(rel, &format!("---\n{front}---\n{body}"))
    }

    // ---- the edits ----

    fn body_text(&mut self) -> Option<Edit> {
        let (rel, front, mut body) = self.article()?;
        let n = self.next_n();
        let what = if body.contains("\nAdded ") && self.chance(40) {
            let at = body.rfind("\nAdded ").unwrap();
            let end = body[at + 1..].find('\n').map_or(body.len(), |e| at + 1 + e);
            body.replace_range(at..end, "");
            "remove an added paragraph"
        } else if self.chance(60) {
            let word = WORDS[self.rng.below(WORDS.len())];
            body.push_str(&format!("\nAdded {n}: a sentence about {word}.\n"));
            "add a paragraph"
        } else {
            let word = WORDS[self.rng.below(WORDS.len())];
            body = body.replacen(" the ", &format!(" the {word} "), 1);
            "change a sentence"
        };
        Some(Edit { what: format!("{rel}: {what}"), changed: vec![self.save_article(&rel, &front, &body)] })
    }

    /// A front matter field the shared `site` context, the order of the
    /// articles or the feeds show.
    fn front(&mut self) -> Option<Edit> {
        let (rel, mut front, body) = self.article()?;
        let n = self.next_n();
        let (key, value) = match self.rng.below(7) {
            5 => ("draft", if front.contains("draft: true") { "false" } else { "true" }.to_string()),
            6 => (
                "reviewed",
                format!("{{ by: \"Editorial team\", on: 2025-01-0{}, next: 2026-0{}-01 }}", 1 + n % 9, 1 + n % 9),
            ),
            0 => ("title", format!("\"Title {n}\"")),
            1 => ("description", format!("\"Described {n}.\"")),
            2 => ("date", format!("2024-0{}-1{}", 1 + n % 9, n % 10)),
            3 => ("updated", format!("2025-0{}-0{}", 1 + n % 9, 1 + n % 9)),
            _ => ("weight", format!("{}", n % 4)),
        };
        let line = format!("{key}: {value}\n");
        match front
            .find(&format!("\n{key}: "))
            .map(|i| i + 1)
            .or_else(|| front.starts_with(&format!("{key}: ")).then_some(0))
        {
            Some(at) => {
                let end = front[at..].find('\n').map_or(front.len(), |e| at + e + 1);
                front.replace_range(at..end, &line);
            }
            None => front.push_str(&line),
        }
        Some(Edit { what: format!("{rel}: {key} {value}"), changed: vec![self.save_article(&rel, &front, &body)] })
    }

    /// An article's tags: spellings of one tag, a tag listed twice, one
    /// with no address, none; or a comment line at the top of its front
    /// matter, which moves every finding about its tags down a line.
    fn tags(&mut self) -> Option<Edit> {
        let (rel, mut front, body) = self.article()?;
        let n = self.next_n();
        let tags = match self.rng.below(6) {
            0 => Some("[Side effects, ECT]"),
            1 => Some("[side-effects, safety]"),
            2 => Some("[ECT, ect]"),
            3 => Some("[\"!!!\", safety]"),
            4 => None,
            _ => {
                front.insert_str(0, &format!("# note {n}\n"));
                return Some(Edit {
                    what: format!("{rel}: a comment line first"),
                    changed: vec![self.save_article(&rel, &front, &body)],
                });
            }
        };
        let old = front.find("\ntags: ").map(|i| i + 1).or_else(|| front.starts_with("tags: ").then_some(0));
        if let Some(at) = old {
            let end = front[at..].find('\n').map_or(front.len(), |e| at + e + 1);
            front.replace_range(at..end, "");
        }
        if let Some(tags) = tags {
            front.push_str(&format!("tags: {tags}\n"));
        }
        let what = format!("{rel}: tags {}", tags.unwrap_or("removed"));
        Some(Edit { what, changed: vec![self.save_article(&rel, &front, &body)] })
    }

    /// The home page's or a topic's text.
    fn landing(&mut self) -> Option<Edit> {
        let pages: Vec<String> = self
            .files_below("content")
            .into_iter()
            .filter(|f| f == "content/index.md" || f.ends_with("/_index.md"))
            .collect();
        let rel = self.pick(&pages)?.clone();
        let n = self.next_n();
        let mut text = self.read(&rel)?;
        text.push_str(&format!("\nLanding text {n} about {}.\n", WORDS[n % WORDS.len()]));
        Some(Edit { what: format!("{rel}: add a paragraph"), changed: vec![self.write(&rel, &text)] })
    }

    /// A link from one article to another of its topic, maybe to an anchor
    /// that is not there (an error).
    fn link(&mut self) -> Option<Edit> {
        let (rel, front, mut body) = self.article()?;
        let topic = rel.split('/').nth(1)?.to_string();
        let others: Vec<String> =
            self.articles().into_iter().filter(|a| a.split('/').nth(1) == Some(topic.as_str()) && *a != rel).collect();
        let to = self.pick(&others)?.clone();
        let from_dir = self.path(&rel).parent()?.to_path_buf();
        let mut href = relative_path(&from_dir, &self.path(&to)).to_string_lossy().replace('\\', "/");
        if self.chance(30) {
            if self.chance(50) {
                self.remember(&rel);
                href.push_str("#nowhere");
            } else {
                href.push_str("#new");
            }
        }
        let n = self.next_n();
        body.push_str(&format!("\nAdded {n}: see [another article]({href}).\n"));
        Some(Edit { what: format!("{rel}: link to {href}"), changed: vec![self.save_article(&rel, &front, &body)] })
    }

    fn heading(&mut self) -> Option<Edit> {
        let (rel, front, mut body) = self.article()?;
        let n = self.next_n();
        let what = if let Some(at) = body.rfind("\n## Section ").filter(|_| self.chance(40)) {
            let end = body[at + 1..].find('\n').map_or(body.len(), |e| at + 1 + e);
            body.replace_range(at..end, "");
            "remove a heading"
        } else {
            let level = if self.chance(15) { "####" } else { "##" };
            let title = if self.chance(20) { "New".to_string() } else { format!("Section {n}") };
            body.push_str(&format!("\n{level} {title}\n\nText of section {n}.\n"));
            "add a heading"
        };
        Some(Edit { what: format!("{rel}: {what}"), changed: vec![self.save_article(&rel, &front, &body)] })
    }

    fn faq(&mut self) -> Option<Edit> {
        let (rel, mut front, body) = self.article()?;
        let n = self.next_n();
        let question = QUESTIONS[self.rng.below(QUESTIONS.len())];
        let entry = format!("  - q: \"{question}\"\n    a: \"Answer {n} [@trial2023].\"\n");
        let questions: Vec<usize> = front.match_indices("  - q: \"").map(|(i, _)| i).collect();
        let what = match self.rng.below(3) {
            0 if !questions.is_empty() => {
                let at = *self.pick(&questions).unwrap();
                let end = front[at..].find("\"\n").unwrap() + at;
                front.replace_range(at + 8..end, &format!("{question} ({n})"));
                "edit a FAQ question"
            }
            1 if !questions.is_empty() => {
                let at = *self.pick(&questions).unwrap();
                // the entry's two lines
                let first = front[at..].find('\n').unwrap() + at + 1;
                let second = front[first..].find('\n').map_or(front.len(), |e| first + e + 1);
                front.replace_range(at..second, "");
                if !front.contains("  - q: ") {
                    front = front.replace("faq:\n", "");
                }
                "remove a FAQ entry"
            }
            _ => {
                match front.find("faq:\n") {
                    Some(at) => front.insert_str(at + 5, &entry),
                    None => front.push_str(&format!("faq:\n{entry}")),
                }
                "add a FAQ entry"
            }
        };
        Some(Edit { what: format!("{rel}: {what}"), changed: vec![self.save_article(&rel, &front, &body)] })
    }

    fn cite(&mut self) -> Option<Edit> {
        let (rel, front, mut body) = self.article()?;
        let n = self.next_n();
        let what = if self.chance(25) {
            self.remember(&rel);
            body.push_str(&format!("\nAdded {n}: a claim [@missing{n}].\n"));
            "cite a missing source (error)".to_string()
        } else {
            let ids = self.source_ids();
            let id = self.pick(&ids)?.clone();
            body.push_str(&format!("\nAdded {n}: a claim [@{id}].\n"));
            format!("cite {id}")
        };
        Some(Edit { what: format!("{rel}: {what}"), changed: vec![self.save_article(&rel, &front, &body)] })
    }

    fn sources(&mut self) -> Option<Edit> {
        let rel = "content/sources.yaml";
        let mut text = self.read(rel)?;
        let n = self.next_n();
        if self.chance(20) {
            let bib = "content/sources.bib";
            let text = self.read(bib)?;
            return Some(Edit {
                what: format!("{bib}: change a title"),
                changed: vec![self.write(bib, &text.replacen("title = {", &format!("title = {{{n} "), 1))],
            });
        }
        let what = match self.rng.below(4) {
            0 => {
                let titles: Vec<usize> = text.match_indices("\n  title: ").map(|(i, _)| i).collect();
                let at = *self.pick(&titles)?;
                let end = text[at + 1..].find('\n').map_or(text.len(), |e| at + 1 + e);
                text.insert_str(end, &format!(" ({n})"));
                "change a title"
            }
            1 => {
                text.push_str(&format!(
                    "added{n}:\n  type: web\n  title: Added source {n}\n  author: {{ name: \"Agency {n}\" }}\n  date: 2024-02-0{}\n  evidence: other\n",
                    1 + n % 9
                ));
                "add a source"
            }
            2 => {
                let added: Vec<usize> = text.match_indices("\nadded").map(|(i, _)| i + 1).collect();
                let at = *self.pick(&added)?;
                let end = text[at..].find("evidence: other\n").map(|e| at + e + 16)?;
                text.replace_range(at..end, "");
                "remove an added source"
            }
            _ => {
                self.remember(rel);
                text.push_str("broken: [unclosed\n");
                "break the YAML (error)"
            }
        };
        Some(Edit { what: format!("{rel}: {what}"), changed: vec![self.write(rel, &text)] })
    }

    fn glossary(&mut self) -> Option<Edit> {
        let rel = "content/glossary.yaml";
        let mut text = self.read(rel).unwrap_or_default();
        let n = self.next_n();
        let what = match self.rng.below(4) {
            0 => {
                let at = text.find("definition: \"")?;
                text.insert_str(at + 13, &format!("Edit {n}: "));
                "edit a definition"
            }
            1 => {
                text.push_str(&format!("Term{n}:\n  definition: \"A term added {n}.\"\n  aliases: [dose]\n"));
                "add a term"
            }
            2 => {
                let at = text.find("\nTerm")? + 1;
                let end = text[at..].find("aliases: [dose]\n").map(|e| at + e + 16)?;
                text.replace_range(at..end, "");
                "remove an added term"
            }
            _ => {
                self.remember(rel);
                text.push_str("bad: { definition: \n");
                "break the YAML (error)"
            }
        };
        Some(Edit { what: format!("{rel}: {what}"), changed: vec![self.write(rel, &text)] })
    }

    fn template(&mut self) -> Option<Edit> {
        let n = self.next_n();
        let name = *self.pick(&["article.html", "404.html", "topic.html"]).unwrap();
        let rel = format!("templates/{name}");
        let theme = self.read(&format!("themes/test/templates/{name}"))?;
        let (what, changed) = match self.rng.below(6) {
            0 | 1 => match self.read(&rel) {
                Some(text) => (
                    format!("edit {rel}"),
                    vec![self.write(
                        &rel,
                        &text.replacen("{% block content %}", &format!("{{% block content %}}<p>v{n}</p>"), 1),
                    )],
                ),
                None => (format!("create {rel}"), {
                    let made = !self.path("templates").is_dir();
                    let mut changed = vec![self.write(&rel, &theme.replacen("<h1", &format!("<h1 data-v=\"{n}\""), 1))];
                    if made {
                        changed.push(self.path("templates"));
                    }
                    changed
                }),
            },
            2 if self.path(&rel).is_file() => {
                std::fs::remove_file(self.path(&rel)).unwrap();
                (format!("delete {rel}"), vec![self.path(&rel)])
            }
            3 if self.path("templates").is_dir() => {
                let mut changed: Vec<PathBuf> = self.files_below("templates").iter().map(|f| self.path(f)).collect();
                std::fs::remove_dir_all(self.path("templates")).unwrap();
                changed.push(self.path("templates"));
                ("remove templates/".to_string(), changed)
            }
            4 => {
                let theme_rel = format!("themes/test/templates/{name}");
                let edited = theme.replacen("{% block content %}", &format!("{{% block content %}}<i>{n}</i>"), 1);
                (format!("edit {theme_rel}"), vec![self.write(&theme_rel, &edited)])
            }
            5 if self.chance(50) => {
                let css = "themes/test/static/test.css";
                let text = self.read(css)?;
                (format!("edit {css}"), vec![self.write(css, &format!("{text}/* {n} */\n"))])
            }
            _ => {
                let target =
                    if self.path(&rel).is_file() { rel.clone() } else { format!("themes/test/templates/{name}") };
                self.remember(&target);
                let text = self.read(&target)?;
                (
                    format!("break {target} (error)"),
                    vec![self.write(&target, &text.replacen("{% endblock content %}", "{% endblock content", 1))],
                )
            }
        };
        Some(Edit { what, changed })
    }

    fn site_yaml(&mut self) -> Option<Edit> {
        let rel = "site.yaml";
        let mut text = self.read(rel)?;
        let n = self.next_n();
        let what = match self.rng.below(5) {
            0 => {
                let at = text.find("title: \"")? + 8;
                text.insert_str(at, &format!("T{n} "));
                "change the title"
            }
            1 => {
                let at = text.find("description: \"")? + 14;
                text.insert_str(at, &format!("D{n} "));
                "change the description"
            }
            2 => {
                if text.contains("search: false\n") {
                    text = text.replace("search: false\n", "");
                    "search back on"
                } else {
                    text.push_str("search: false\n");
                    "search off"
                }
            }
            3 => {
                if text.contains("paginate_by: 2\n") {
                    text = text.replace("paginate_by: 2\n", "");
                    "lists on one page again"
                } else {
                    text.push_str("paginate_by: 2\n");
                    "lists split (paginate_by: 2)"
                }
            }
            _ => {
                self.remember(rel);
                if self.chance(50) {
                    text = text.replacen("theme: test", "theme: tset", 1);
                    "an unknown theme (error)"
                } else {
                    text.push_str("title: [\n");
                    "break the YAML (error)"
                }
            }
        };
        Some(Edit { what: format!("{rel}: {what}"), changed: vec![self.write(rel, &text)] })
    }

    fn new_article(&mut self) -> Option<Edit> {
        let n = self.next_n();
        let topics: Vec<String> = self
            .files_below("content")
            .iter()
            .filter(|f| f.ends_with("/_index.md"))
            .map(|f| f.trim_start_matches("content/").trim_end_matches("/_index.md").to_string())
            .collect();
        let topic = self.pick(&topics).cloned().unwrap_or_else(|| "guide".into());
        let rel = if self.chance(30) {
            format!("content/{topic}/new{n}/index.md")
        } else {
            format!("content/{topic}/new{n}.md")
        };
        let weight = if self.chance(50) { format!("weight: {}\n", n % 5) } else { String::new() };
        let faq = if self.chance(40) {
            format!("faq:\n  - q: \"New question {n}?\"\n    a: \"Yes [@book2019].\"\n")
        } else {
            String::new()
        };
        let text = format!(
            "---\ntitle: \"New article {n}\"\ndescription: \"Added while serving.\"\ndate: 2024-06-{:02}\n{weight}{faq}---\n\n## New\n\nA new article about {} [@trial2023].\n",
            1 + n % 28,
            WORDS[n % WORDS.len()]
        );
        let made = self.path(&rel).parent().filter(|p| !p.is_dir()).map(Path::to_path_buf);
        let mut changed = vec![self.write(&rel, &text)];
        changed.extend(made);
        Some(Edit { what: format!("add {rel}"), changed })
    }

    fn rename_article(&mut self) -> Option<Edit> {
        let articles = self.articles();
        let from = self.pick(&articles)?.clone();
        let n = self.next_n();
        // a folder article moves with its folder
        let (from, to) = match from.strip_suffix("/index.md") {
            Some(folder) => (folder.to_string(), format!("{}/renamed{n}", folder.rsplit_once('/').unwrap().0)),
            None => (from.clone(), format!("{}/renamed{n}.md", from.rsplit_once('/').unwrap().0)),
        };
        std::fs::rename(self.path(&from), self.path(&to)).unwrap();
        Some(Edit { what: format!("rename {from} to {to}"), changed: vec![self.path(&from), self.path(&to)] })
    }

    fn delete_article(&mut self) -> Option<Edit> {
        let articles = self.articles();
        let rel = self.pick(&articles)?.clone();
        if self.chance(50) {
            self.remember(&rel);
        }
        std::fs::remove_file(self.path(&rel)).unwrap();
        Some(Edit { what: format!("delete {rel}"), changed: vec![self.path(&rel)] })
    }

    /// Remove a topic's or the theme's folder: `rm -r` (every file reported) or moved out
    /// of the site (only the folder reported, as inotify does).
    fn remove_folder(&mut self) -> Option<Edit> {
        let mut folders: Vec<String> = std::fs::read_dir(self.path("content"))
            .ok()?
            .filter_map(Result::ok)
            .filter(|e| e.path().is_dir())
            .map(|e| format!("content/{}", e.file_name().to_string_lossy()))
            .collect();
        // or one of the theme's folders, or the theme itself
        if self.chance(25) {
            folders = ["themes/test", "themes/test/templates", "themes/test/static"]
                .into_iter()
                .filter(|f| self.path(f).is_dir())
                .map(String::from)
                .collect();
        }
        let rel = self.pick(&folders)?.clone();
        let dir = self.path(&rel);
        let files: Tree = self
            .files_below(&rel)
            .iter()
            .map(|f| (self.path(f).strip_prefix(&dir).unwrap().to_path_buf(), std::fs::read(self.path(f)).unwrap()))
            .collect();
        let (what, changed) = if self.chance(50) {
            let mut changed: Vec<PathBuf> = files.iter().map(|(f, _)| dir.join(f)).collect();
            std::fs::remove_dir_all(&dir).unwrap();
            changed.push(dir.clone());
            (format!("rm -r {rel}"), changed)
        } else {
            let n = self.next_n();
            std::fs::rename(&dir, self.aside.join(format!("moved{n}"))).unwrap();
            (format!("move {rel} out of the site"), vec![dir.clone()])
        };
        self.removed.push((dir, files));
        Some(Edit { what, changed })
    }

    /// Make a removed folder again: file by file, or moved in whole (only
    /// the folder reported).
    fn recreate_folder(&mut self) -> Option<Edit> {
        if self.removed.is_empty() {
            return None;
        }
        let (dir, files) = self.removed.remove(self.rng.below(self.removed.len()));
        if dir.exists() {
            return None;
        }
        let rel = dir.strip_prefix(&self.abs).unwrap().display().to_string();
        let whole = self.chance(50);
        let n = self.next_n();
        let made = if whole { self.aside.join(format!("made{n}")) } else { dir.clone() };
        let mut changed = vec![dir.clone()];
        for (f, bytes) in &files {
            let path = made.join(f);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, bytes).unwrap();
            changed.push(dir.join(f));
        }
        std::fs::create_dir_all(&made).unwrap();
        if whole {
            std::fs::rename(&made, &dir).unwrap();
            changed.truncate(1);
            return Some(Edit { what: format!("move {rel} back in"), changed });
        }
        Some(Edit { what: format!("make {rel} again, file by file"), changed })
    }

    fn asset(&mut self) -> Option<Edit> {
        let assets: Vec<String> = self.files_below("content").into_iter().filter(|f| f.ends_with(".svg")).collect();
        let n = self.next_n();
        if !assets.is_empty() && self.chance(40) {
            let rel = self.pick(&assets)?.clone();
            if self.chance(50) {
                return Some(Edit {
                    what: format!("edit {rel}"),
                    changed: vec![
                        self.write(
                            &rel,
                            &format!("<svg xmlns=\"http://www.w3.org/2000/svg\"><title>{n}</title></svg>"),
                        ),
                    ],
                });
            }
            self.remember(&rel);
            std::fs::remove_file(self.path(&rel)).unwrap();
            return Some(Edit { what: format!("delete {rel}"), changed: vec![self.path(&rel)] });
        }
        let folders: Vec<String> = self.articles().iter().map(|a| a.rsplit_once('/').unwrap().0.to_string()).collect();
        let folder = self.pick(&folders)?.clone();
        let rel = format!("{folder}/extra{n}.svg");
        Some(Edit {
            what: format!("add {rel}"),
            changed: vec![self.write(&rel, "<svg xmlns=\"http://www.w3.org/2000/svg\"/>")],
        })
    }

    fn break_front_matter(&mut self) -> Option<Edit> {
        let (rel, mut front, body) = self.article()?;
        self.remember(&rel);
        let what = match self.rng.below(3) {
            0 if front.contains("date: 2024-") => {
                front = front.replacen("date: 2024-", "date: 2024-1", 1);
                "an impossible date"
            }
            1 => {
                front.push_str("title: [\n");
                "broken YAML"
            }
            _ => {
                let text = format!("---\n{front}\n{body}");
                return Some(Edit {
                    what: format!("{rel}: no closing --- (error)"),
                    changed: vec![self.write(&rel, &text)],
                });
            }
        };
        Some(Edit { what: format!("{rel}: {what} (error)"), changed: vec![self.save_article(&rel, &front, &body)] })
    }

    /// Put back a file saved before a breaking edit.
    fn fix(&mut self) -> Option<Edit> {
        if self.fixes.is_empty() {
            return None;
        }
        let (path, before) = self.fixes.remove(self.rng.below(self.fixes.len()));
        let rel = path.strip_prefix(&self.abs).unwrap().display().to_string();
        let mut changed = vec![path.clone()];
        match before {
            Some(bytes) => {
                if let Some(parent) = path.parent().filter(|p| !p.is_dir()) {
                    changed.push(parent.to_path_buf());
                    std::fs::create_dir_all(parent).unwrap();
                }
                std::fs::write(&path, bytes).unwrap();
            }
            None => {
                let _ = std::fs::remove_file(&path);
            }
        }
        Some(Edit { what: format!("fix {rel}"), changed })
    }

    /// `git checkout` of one file of the fixture.
    fn restore_file(&mut self) -> Option<Edit> {
        let fixture = fixtures().join("full");
        let files: Vec<String> = walkdir::WalkDir::new(&fixture)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| e.path().strip_prefix(&fixture).unwrap().to_string_lossy().replace('\\', "/"))
            .filter(|rel| std::fs::read(self.path(rel)).ok() != std::fs::read(fixture.join(rel)).ok())
            .collect();
        let rel = self.pick(&files)?.clone();
        let path = self.path(&rel);
        let mut changed = vec![path.clone()];
        if let Some(parent) = path.parent().filter(|p| !p.is_dir()) {
            changed.push(parent.to_path_buf());
        }
        self.write(&rel, &std::fs::read_to_string(fixture.join(&rel)).unwrap());
        Some(Edit { what: format!("restore {rel}"), changed })
    }

    /// Back to the fixture: content/, templates/ and themes/ removed and
    /// made again (as a `git checkout` of a branch does), site.yaml restored.
    fn reset(&mut self) -> Edit {
        let fixture = fixtures().join("full");
        let mut changed = Vec::new();
        for dir in ["content", "templates", "themes"] {
            let path = self.path(dir);
            if path.is_dir() {
                std::fs::remove_dir_all(&path).unwrap();
            }
            if fixture.join(dir).is_dir() {
                copy_tree(&fixture.join(dir), &path);
            }
            changed.push(path);
        }
        std::fs::copy(fixture.join("site.yaml"), self.path("site.yaml")).unwrap();
        changed.push(self.path("site.yaml"));
        self.fixes.clear();
        self.removed.clear();
        Edit { what: "reset to the fixture".to_string(), changed }
    }

    /// One random edit.
    fn edit(&mut self) -> Edit {
        loop {
            let edit = match self.rng.below(116) {
                112..116 => self.tags(),
                100..104 => self.front(),
                104..108 => self.landing(),
                108..112 => self.link(),
                0..14 => self.body_text(),
                14..20 => self.heading(),
                20..30 => self.faq(),
                30..38 => self.cite(),
                38..44 => self.sources(),
                44..48 => self.glossary(),
                48..56 => self.template(),
                56..61 => self.site_yaml(),
                61..66 => self.new_article(),
                66..69 => self.rename_article(),
                69..72 => self.delete_article(),
                72..75 => self.remove_folder(),
                75..79 => self.recreate_folder(),
                79..84 => self.asset(),
                84..88 => self.break_front_matter(),
                88..97 => self.fix(),
                _ => self.restore_file(),
            };
            if let Some(edit) = edit {
                return edit;
            }
        }
    }
}

/// `to` written relative to `from` (both absolute, without links).
fn relative_path(from: &Path, to: &Path) -> PathBuf {
    let from: Vec<Component> = from.components().collect();
    let to: Vec<Component> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut rel = PathBuf::new();
    for _ in common..from.len() {
        rel.push("..");
    }
    for c in &to[common..] {
        rel.push(c);
    }
    rel
}

/// A diagnostic as compared between build, check and serve.
type Key = (String, Option<String>, usize, usize, String);

fn key(d: &Diagnostic) -> Key {
    let (line, column) = d.span.as_ref().map_or((0, 0), |s| (s.line, s.column));
    (d.code.as_str().to_string(), d.file.clone(), line, column, d.message.clone())
}

fn keys(diags: &Diagnostics) -> Vec<Key> {
    let mut keys: Vec<Key> = diags.iter().map(key).collect();
    keys.sort();
    keys
}

/// The codes only `check` reports: its own table in README (which also
/// lists `unknown-person`, and `invalid-value` for review and change dates;
/// see [`check_only`]).
const CHECK_ONLY: &[&str] = &[
    "review-missing",
    "review-overdue",
    "edited-since-review",
    "review-unsigned",
    "review-orphaned",
    "change-unlogged",
    "transparency-missing",
    "readability",
    "safe-messaging",
    "promotional-language",
    "image-alt-missing",
    "heading-skip",
    "description-length",
    "empty-page",
    "unlinked-file",
    "external-unreachable",
];

/// A diagnostic `check` may add to the build's.
fn check_only((code, _, _, _, message): &Key) -> bool {
    CHECK_ONLY.contains(&code.as_str())
        || code == "unknown-person"
        || (code == "invalid-value" && (message.contains("review") || message.contains("change")))
}

/// What the real `build` writes into `out` from the site at `root`, with
/// its diagnostics; `None` for the files when errors stopped it.
fn real_build(root: &Path, out: &Path) -> (Option<Files>, Diagnostics) {
    let report =
        build(&BuildOptions { root: root.to_path_buf(), output: Some(out.to_path_buf()), ..BuildOptions::default() })
            .unwrap();
    let files = report.written.as_ref().map(|dir| {
        snapshot_tree(dir)
            .into_iter()
            .map(|(p, bytes)| (p.to_string_lossy().replace('\\', "/"), bytes))
            .filter(|(p, _)| p != sourcebook::build::OUTPUT_MARKER)
            .collect()
    });
    (files, report.diagnostics)
}

fn served(session: &Session) -> Files {
    let root = session.root();
    session.files().iter().map(|(k, v)| (k.clone(), v.bytes(&root).unwrap().to_vec())).collect()
}

/// How two sets of files differ, briefly.
fn difference(got: &Files, want: &Files) -> Option<String> {
    let mut out = Vec::new();
    for k in want.keys().filter(|k| !got.contains_key(*k)) {
        out.push(format!("missing {k}"));
    }
    for k in got.keys().filter(|k| !want.contains_key(*k)) {
        out.push(format!("extra {k}"));
    }
    for (k, v) in want {
        if let Some(g) = got.get(k).filter(|g| *g != v) {
            let at = g.iter().zip(v).take_while(|(a, b)| a == b).count();
            let show =
                |b: &[u8]| String::from_utf8_lossy(&b[at.saturating_sub(60)..(at + 100).min(b.len())]).into_owned();
            out.push(format!("{k} differs at byte {at}:\n  served: {}\n  built:  {}", show(g), show(v)));
        }
    }
    (!out.is_empty()).then(|| out.join("\n"))
}

/// After a step: the served files are the built ones (or the last good
/// ones while the build has errors), serve shows the build's diagnostics,
/// and `check` reports each of them.
fn compare(session: &Session, root: &Path, out: &Path, last_good: &mut Files) -> Result<(), String> {
    let (built, build_diags) = real_build(root, out);
    let got = served(session);
    match built {
        Some(files) => {
            if session.has_errors() {
                return Err(format!(
                    "serve has errors where build has none:\n{}",
                    session.errors_text(false).unwrap_or_default()
                ));
            }
            if let Some(diff) = difference(&got, &files) {
                return Err(format!("served files differ from the build's:\n{diff}"));
            }
            *last_good = files;
        }
        None => {
            if !session.has_errors() {
                return Err(format!("build has errors, serve has none:\n{}", build_diags.render_text(false)));
            }
            if let Some(diff) = difference(&got, last_good) {
                return Err(format!("serve does not keep the last good site:\n{diff}"));
            }
        }
    }
    if keys(&session.diagnostics) != keys(&build_diags) {
        return Err(format!(
            "serve's diagnostics differ from the build's:\nserve:\n{}\nbuild:\n{}",
            session.diagnostics.render_text(false),
            build_diags.render_text(false)
        ));
    }
    let checked = check(&CheckOptions {
        root: root.to_path_buf(),
        drafts: false,
        external: None,
        sources: None,
        today: jiff::civil::date(2026, 1, 1),
    })
    .map_err(|e| format!("check failed: {e:#}"))?;
    let mut from_check = keys(&checked.diagnostics);
    for k in keys(&build_diags) {
        match from_check.iter().position(|c| *c == k) {
            Some(i) => {
                from_check.remove(i);
            }
            None => {
                return Err(format!(
                    "check does not report the build's {k:?}:\n{}",
                    checked.diagnostics.render_text(false)
                ));
            }
        }
    }
    if !build_diags.has_errors()
        && let Some(extra) = from_check.iter().find(|k| !check_only(k))
    {
        return Err(format!("check reports {extra:?}, which the build does not"));
    }
    Ok(())
}

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok().map(|v| v.trim().parse().unwrap_or_else(|_| panic!("{name} must be a number")))
}

/// One seeded run of `steps` edits; its log on failure.
fn run(seed: u64, steps: usize) -> Result<usize, String> {
    let dir = tempfile::Builder::new().prefix("equiv").tempdir().unwrap();
    let abs = dir.path().canonicalize().unwrap().join("site");
    copy_tree(&fixtures().join("full"), &abs);
    let aside = dir.path().join("aside");
    std::fs::create_dir_all(&aside).unwrap();
    let out = dir.path().join("out");
    // even seeds give serve and build the site as a path relative to the
    // current folder (`sourcebook --root ../site serve`)
    let relative = seed.is_multiple_of(2);
    let root = if relative {
        relative_path(&std::env::current_dir().unwrap().canonicalize().unwrap(), &abs)
    } else {
        abs.clone()
    };
    let mut editor = Editor {
        abs: abs.clone(),
        aside,
        rng: Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1),
        n: 0,
        fixes: Vec::new(),
        removed: Vec::new(),
    };
    let mut log = vec![format!("seed {seed}, root {}", root.display())];
    let mut last_good = Files::new();
    let mut session = Session::new(&root, false).map_err(|e| format!("{e:#}"))?;
    let mut erroring = 0;
    let result = std::panic::catch_unwind(AssertUnwindSafe(|| -> Result<(), String> {
        compare(&session, &root, &out, &mut last_good).map_err(|e| format!("at the start: {e}"))?;
        for step in 1..=steps {
            // a long broken spell ends as a `git checkout` does
            let mut edits = vec![if erroring > 12 { editor.reset() } else { editor.edit() }];
            // the watcher folds quick saves into one batch
            while edits.len() < 3 && editor.chance(15) {
                edits.push(editor.edit());
            }
            let mut changed: Vec<PathBuf> = edits.iter().flat_map(|e| e.changed.iter().cloned()).collect();
            if editor.chance(10) {
                // an editor's swap file, made and gone again
                changed.push(abs.join("content/guide/.cited.md.swp"));
            }
            // the watcher reports absolute paths; a caller may give them relative to the root too
            if relative && editor.chance(50) {
                changed = changed.iter().map(|p| root.join(p.strip_prefix(&abs).unwrap())).collect();
            }
            changed.sort();
            changed.dedup();
            let rescan = editor.chance(2);
            let what: Vec<&str> = edits.iter().map(|e| e.what.as_str()).collect();
            log.push(format!("{step}: {}{}", what.join(" + "), if rescan { " (rescan)" } else { "" }));
            let action = session.update(&changed, rescan);
            compare(&session, &root, &out, &mut last_good)
                .map_err(|e| format!("after step {step} ({action:?}): {e}"))?;
            erroring = if session.has_errors() { erroring + 1 } else { 0 };
        }
        Ok(())
    }));
    let failure = match result {
        Ok(Ok(())) => return Ok(steps),
        Ok(Err(e)) => e,
        Err(panic) => format!(
            "panicked: {}",
            panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default()
        ),
    };
    Err(format!(
        "{failure}\n\nreplay with SOURCEBOOK_EQUIV_SEED={seed} SOURCEBOOK_EQUIV_STEPS={steps}; the steps:\n{}",
        log.join("\n")
    ))
}

#[test]
fn serve_build_and_check_agree_after_every_random_edit() {
    let steps = env_number("SOURCEBOOK_EQUIV_STEPS").unwrap_or(6) as usize;
    let seeds: Vec<u64> = match env_number("SOURCEBOOK_EQUIV_SEED") {
        Some(seed) => vec![seed],
        // half of them even: a relative root
        None => (1..=4).collect(),
    };
    for seed in seeds {
        if let Err(e) = run(seed, steps) {
            panic!("{e}");
        }
    }
}

/// The bytes at `path` of a running server, with the live-reload script
/// `serve` adds to HTML pages taken out again.
fn fetch(agent: &ureq::Agent, base: &str, path: &str) -> Result<(u16, Vec<u8>), String> {
    let mut r = agent.get(format!("{base}/{path}")).call().map_err(|e| format!("GET /{path}: {e}"))?;
    let status = r.status().as_u16();
    let mut body = r.body_mut().with_config().limit(64 << 20).read_to_vec().map_err(|e| format!("GET /{path}: {e}"))?;
    // `livereload.js?<hash of the script>`
    let tag = b"<script src=\"/__sourcebook/livereload.js";
    if let Some(at) = body.windows(tag.len()).position(|w| w == tag) {
        let end = body[at..].windows(9).position(|w| w == b"</script>").map(|e| at + e + 9).unwrap_or(body.len());
        body.drain(at..end);
    }
    Ok((status, body))
}

/// The errors the server tells open pages about (the first state event).
fn errors_shown(base: &str) -> Result<Option<String>, String> {
    let agent: ureq::Agent = ureq::Agent::config_builder().timeout_global(Some(Duration::from_secs(5))).build().into();
    let mut r = agent.get(format!("{base}/__sourcebook/events")).call().map_err(|e| format!("events: {e}"))?;
    let mut reader = r.body_mut().as_reader();
    let mut text = Vec::new();
    let mut buf = [0; 4096];
    while !text.windows(2).any(|w| w == b"\n\n") {
        let n = reader.read(&mut buf).map_err(|e| format!("events: {e}"))?;
        if n == 0 {
            break;
        }
        text.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&text);
    let data = text.lines().find_map(|l| l.strip_prefix("data:")).ok_or(format!("no state event: {text}"))?;
    let state: serde_json::Value = serde_json::from_str(data.trim()).map_err(|e| format!("{e}: {data}"))?;
    Ok(state["errors"].as_str().map(str::to_string))
}

/// Whether the server now serves `want` (what `build` wrote; `None`: the
/// build had errors, so the last good site with the errors shown), and no
/// longer serves the files of `gone`.
fn serves(
    server: &crate::serve::Server,
    want: Option<&Files>,
    last_good: &Files,
    gone: &[String],
) -> Result<(), String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(5)))
        .build()
        .into();
    let errors = errors_shown(&server.base)?;
    match (&errors, want) {
        (Some(e), Some(_)) => return Err(format!("the server shows errors where build has none:\n{e}")),
        (None, None) => return Err("build has errors; the server shows none".into()),
        _ => {}
    }
    let files = want.unwrap_or(last_good);
    for (path, bytes) in files {
        let (status, body) = fetch(&agent, &server.base, path)?;
        if status != 200 || body != *bytes {
            let mut one = Files::new();
            one.insert(path.clone(), body);
            let mut other = Files::new();
            other.insert(path.clone(), bytes.clone());
            return Err(format!("/{path}: status {status}; {}", difference(&one, &other).unwrap_or_default()));
        }
    }
    for path in gone.iter().filter(|p| !files.contains_key(*p)) {
        let (status, _) = fetch(&agent, &server.base, path)?;
        if status != 404 {
            return Err(format!("/{path} is served ({status}), but build no longer writes it"));
        }
    }
    Ok(())
}

/// The real binary as README runs it (`sourcebook serve` in the site's
/// folder, no `--root`: the root is `.`) follows random saves made on disk
/// while it runs, with the watcher reporting them.
#[test]
fn sourcebook_serve_in_the_site_folder_serves_what_sourcebook_build_writes_after_each_save() {
    let seed = env_number("SOURCEBOOK_EQUIV_SEED").unwrap_or(7);
    let steps = env_number("SOURCEBOOK_EQUIV_STEPS").map_or(15, |n| n.min(100)) as usize;
    let dir = tempfile::Builder::new().prefix("equiv").tempdir().unwrap();
    let abs = dir.path().canonicalize().unwrap().join("site");
    copy_tree(&fixtures().join("full"), &abs);
    let aside = dir.path().join("aside");
    std::fs::create_dir_all(&aside).unwrap();
    let out = dir.path().join("out");
    let mut editor = Editor {
        abs: abs.clone(),
        aside,
        rng: Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1),
        n: 0,
        fixes: Vec::new(),
        removed: Vec::new(),
    };
    let server = crate::serve::Server::start(&abs);
    let mut log = vec![format!("seed {seed}: `sourcebook serve` in {}", abs.display())];
    let mut last_good = Files::new();
    let mut erroring = 0;
    for step in 0..=steps {
        if step > 0 {
            let edit = if erroring > 4 { editor.reset() } else { editor.edit() };
            log.push(format!("{step}: {}", edit.what));
        }
        // `sourcebook build` run as README says, from the site's folder
        let built = Command::new(env!("CARGO_BIN_EXE_sourcebook"))
            .current_dir(&abs)
            .args(["--quiet", "build", "--output"])
            .arg(&out)
            .stderr(Stdio::null())
            .status()
            .unwrap();
        let want: Option<Files> = match built.code() {
            Some(0) => Some(
                snapshot_tree(&out)
                    .into_iter()
                    .map(|(p, bytes)| (p.to_string_lossy().replace('\\', "/"), bytes))
                    .filter(|(p, _)| p != sourcebook::build::OUTPUT_MARKER)
                    .collect(),
            ),
            Some(1) => None,
            other => panic!("build exited with {other:?}\n{}", log.join("\n")),
        };
        // the pages the build no longer writes
        let gone: Vec<String> = match &want {
            Some(files) => last_good.keys().filter(|k| !files.contains_key(*k)).cloned().collect(),
            None => Vec::new(),
        };
        let start = Instant::now();
        loop {
            match serves(&server, want.as_ref(), &last_good, &gone) {
                Ok(()) => break,
                Err(e) if start.elapsed() > Duration::from_secs(20) => panic!(
                    "after 20 s, {e}\n\nreplay with SOURCEBOOK_EQUIV_SEED={seed} SOURCEBOOK_EQUIV_STEPS={steps}; the steps:\n{}",
                    log.join("\n")
                ),
                Err(_) => std::thread::sleep(Duration::from_millis(50)),
            }
        }
        if let Some(files) = want {
            last_good = files;
            erroring = 0;
        } else {
            erroring += 1;
        }
    }
}

/// A question added to or taken from an article changes how many pages the
/// FAQ index has (`paginate_by`): `serve` must serve the pages a build
/// writes, and none it no longer writes.
#[test]
fn serve_adds_and_drops_faq_index_pages_as_questions_come_and_go() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap().join("site");
    copy_tree(&fixtures().join("full"), &root);
    let yaml = root.join("site.yaml");
    let text = std::fs::read_to_string(&yaml).unwrap();
    // three questions: one page; a fourth splits the index by topic
    std::fs::write(&yaml, format!("{text}paginate_by: 3\n")).unwrap();
    let out = dir.path().join("out");
    let mut last_good = Files::new();
    let mut session = Session::new(&root, false).unwrap();
    compare(&session, &root, &out, &mut last_good).unwrap();
    let article = root.join("content/guide/cited.md");
    let one = std::fs::read_to_string(&article).unwrap();
    let two = one.replacen("faq:\n", "faq:\n  - q: \"A second question?\"\n    a: \"A second answer.\"\n", 1);
    assert_ne!(one, two);
    for (step, text) in [("a question added", &two), ("the question taken away", &one)] {
        std::fs::write(&article, text).unwrap();
        session.update(std::slice::from_ref(&article), false);
        compare(&session, &root, &out, &mut last_good).unwrap_or_else(|e| panic!("after {step}: {e}"));
        let faq_pages = served(&session).keys().filter(|p| p.starts_with("faq/guide/")).count();
        assert_eq!(faq_pages > 0, text == &two, "after {step}: {faq_pages} pages under faq/guide/");
    }
}

/// A site's own `content/robots.txt` replaces the generated one, in the
/// build and in serve alike, and the generated one is back once it is
/// removed (it collided with the generated one: an error, so a staging
/// copy of a site could not ask crawlers to stay away).
#[test]
fn a_site_s_own_robots_txt_replaces_the_generated_one_in_build_and_serve() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap().join("site");
    copy_tree(&fixtures().join("full"), &root);
    let out = dir.path().join("out");
    let mut last_good = Files::new();
    let own = root.join("content/robots.txt");
    std::fs::write(&own, "User-agent: *\nDisallow: /\n").unwrap();
    let mut session = Session::new(&root, false).unwrap();
    compare(&session, &root, &out, &mut last_good).unwrap();
    assert_eq!(std::fs::read_to_string(out.join("robots.txt")).unwrap(), "User-agent: *\nDisallow: /\n");
    std::fs::remove_file(&own).unwrap();
    session.update(std::slice::from_ref(&own), false);
    compare(&session, &root, &out, &mut last_good).unwrap();
    assert!(std::fs::read_to_string(out.join("robots.txt")).unwrap().contains("Sitemap: "));
}
