//! Scaffolding. `sourcebook init`: a new site that builds, and checks
//! cleanly but for `transparency-missing` (who pays for a site and its
//! makers' conflicts are theirs to state, not ours to invent) and
//! `review-missing` (nobody has checked the sample article, so it claims
//! no review): site.yaml, one topic, one article, a bibliography, a
//! people.yaml naming only the site's own editorial team, and a
//! `.gitignore` for what a build writes. `sourcebook
//! new`: one more article, as a draft with valid front matter. Neither ever
//! overwrites a file or writes through a symbolic link (a file is created
//! only where nothing is, links included), nor follows a link to a folder
//! out of the site: each refusal is a usage error.

use crate::diagnostics::IoContext as _;
use std::io::{ErrorKind, Write as _};
use std::path::Path;

/// Starter files; `{today}` becomes today's date.
const FILES: &[(&str, &str)] = &[
    (
        "site.yaml",
        "title: \"My health guide\"\ndescription: \"Plain, sourced answers about one treatment.\"\nbase_url: \"https://example.org/\"\nlanguage: en\ntopics: [basics]\n",
    ),
    (
        "content/index.md",
        "---\ntitle: \"My health guide\"\ndescription: \"Plain, sourced answers about one treatment.\"\ndate: {today}\n---\n\nStart with [the first article](basics/first-article.md).\n",
    ),
    (
        "content/basics/_index.md",
        "---\ntitle: \"Basics\"\ndescription: \"Start here.\"\nweight: 1\n---\n\nThe basics, in plain words.\n",
    ),
    (
        "content/basics/first-article.md",
        "---\ntitle: \"First article\"\ndescription: \"What this article explains, in one sentence.\"\ndate: {today}\nkey_points:\n  - \"One thing a reader should take away.\"\n  - \"Another one.\"\nfaq:\n  - q: \"Where do the facts come from?\"\n    a: \"Every claim cites its source [@example2020].\"\n---\n\n## What it is\n\nWrite in plain words and cite each claim [@example2020].\n",
    ),
    (
        "content/people.yaml",
        "# Who writes and reviews this site, keyed by id. List only people who exist;\n# a clinician who reviews pages: `roles: [clinical reviewer]`, and `credentials:`.\neditorial-team:\n  name: \"the editorial team\"\n  organization: true\n  roles: [editor]\n",
    ),
    (
        "content/sources.yaml",
        "example2020:\n  type: article\n  title: An example study\n  author: [\"Doe, Jane\"]\n  date: 2020\n  parent:\n    type: periodical\n    title: { value: Example Journal, short: Ex J }\n  evidence: other\n",
    ),
    (
        ".gitignore",
        "# what `sourcebook build` writes, and what a build keeps beside it while it works\n/public/\n/.public.sourcebook-*\n",
    ),
];

/// Write the starter files into `dir`, dated `today`; returns how many were
/// written. `Ok(Err(message))` when one cannot be written (a file, or a
/// link, already where one goes): a usage error, and nothing is written.
pub fn init(dir: &Path, today: jiff::civil::Date) -> anyhow::Result<Result<usize, String>> {
    // a site inside another's folders: its files would be the outer site's
    // content (errors in its build), and commands run in it find the inner one
    let absolute = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    if let Some(outer) = absolute.ancestors().skip(1).find(|f| f.join(crate::config::FILE).is_file()) {
        return Ok(Err(format!(
            "{} is inside the site at {} (its site.yaml): start a new site in a folder of its own",
            absolute.display(),
            outer.display()
        )));
    }
    for (path, _) in FILES {
        if let Some(why) = place(dir, path, "init", dir, Folders::Check)? {
            return Ok(Err(why));
        }
    }
    std::fs::create_dir_all(dir).io("creating", dir)?;
    for (path, text) in FILES {
        if let Err(why) = create(dir, path, &text.replace("{today}", &today.to_string()), "init", dir)? {
            return Ok(Err(why));
        }
    }
    Ok(Ok(FILES.len()))
}

/// What `new` wrote, relative to the site's root.
#[derive(Debug)]
pub struct NewArticle {
    pub article: String,
    /// `content/<topic>/_index.md`, when site.yaml listed the topic but
    /// nothing had made its folder's page yet.
    pub topic_page: Option<String>,
}

/// Write `content/<topic>/<slug>.md` under `root`: a draft article dated
/// `today`, titled `title` (or after its slug), and the topic's
/// `_index.md` if site.yaml lists the topic and it has none (a build needs
/// it). `Ok(Err(message))` when the request itself is wrong (a topic the
/// site does not list, a bad slug, an existing file): a usage error.
pub fn new_article(
    root: &Path,
    config: &crate::config::Config,
    path: &str,
    title: Option<&str>,
    today: jiff::civil::Date,
) -> anyhow::Result<Result<NewArticle, String>> {
    // the file's path as the author sees it (`content/basics/x.md`) names
    // the same article as `basics/x`: a topic or slug holds no `/`
    let path = path.trim_start_matches("./");
    let path = match path.strip_prefix("content/") {
        Some(rest) if rest.contains('/') => rest,
        _ => path,
    };
    let Some((topic, slug)) = path.trim_end_matches(".md").split_once('/') else {
        return Ok(Err(format!("`{path}` is not <topic>/<slug>, as in `efficacy/how-long-it-lasts`")));
    };
    let topics = site_topics(root, config);
    if !topics.iter().any(|t| t == topic) {
        return Ok(Err(not_a_topic(root, config, topic, &topics)));
    }
    if !crate::config::is_slug(slug) {
        return Ok(Err(format!(
            "`{slug}` is not a valid slug: use a-z, 0-9 and `-` (not at either end), as in `how-long-it-lasts`"
        )));
    }
    if let Some(c) = title.and_then(|t| t.chars().find(|c| c.is_control())) {
        return Ok(Err(format!(
            "the title holds a control character (`{}`), which no page can show: write it in plain words",
            c.escape_unicode()
        )));
    }
    // what a build reads as no title is not written as one
    if let Some(t) = title.filter(|t| crate::yaml::blank(t)) {
        let t = crate::text::trim_invisible(t);
        let why = if t.is_empty() {
            "shows nothing (only spaces or characters that show nothing)".to_string()
        } else {
            format!("`{t}` reads as no title (YAML's null)")
        };
        return Ok(Err(format!(
            "the title {why}, which a build refuses: write the title in words, or leave out --title to take it from the slug"
        )));
    }
    // the names a build refuses (`con`, 201 bytes …) are refused here too
    if let Some(problem) = crate::site::paths::problem(slug) {
        return Ok(Err(format!("`{slug}` {problem}: choose another slug")));
    }
    let rel = format!("content/{topic}/{slug}.md");
    // an article with its images beside it has the same URL
    let bundle = format!("content/{topic}/{slug}/index.md");
    if std::fs::symlink_metadata(root.join(&bundle)).is_ok() {
        return Ok(Err(format!("{bundle} already exists; `new` never overwrites files")));
    }
    if let Some(why) = place(root, &rel, "new", Path::new(""), Folders::Check)? {
        return Ok(Err(why));
    }
    // an article of another name may have taken the address with its `slug:`
    let url = format!("{topic}/{slug}/");
    let (content, _) = crate::content::load(root, config, true, crate::content::Bodies::Later);
    if let Some(taken) = content.articles.iter().find(|a| a.path() == url) {
        return Ok(Err(format!(
            "{} is already at /{url} (its `slug:`); `new` never makes two articles at one address: choose another slug",
            taken.file
        )));
    }
    let index = format!("content/{topic}/_index.md");
    let topic_page = match std::fs::symlink_metadata(root.join(&index)) {
        Err(e) if e.kind() == ErrorKind::NotFound && config.topics.iter().any(|t| t == topic) => Some(index),
        _ => None,
    };
    if let Some(index) = &topic_page {
        let text = format!("---\ntitle: {}\n---\n", crate::yaml::quoted(&title_from_slug(topic)));
        if let Err(why) = create(root, index, &text, "new", Path::new(""))? {
            return Ok(Err(why));
        }
    }
    let title = match title {
        Some(t) => crate::text::trim_invisible(t).to_string(),
        _ => title_from_slug(slug),
    };
    // any title, escaped to read back as it was
    let quoted = crate::yaml::quoted(&title);
    let [lede, research, risks, doctor] = crate::content::NEW_PLACEHOLDERS;
    let description = crate::content::NEW_DESCRIPTION;
    let text = format!(
        "---\ntitle: {quoted}\ndescription: \"{description}\"\ndate: {today}\n\
         audience: patients\ndraft: true                      # left out of builds until you remove this line\n---\n\n\
         {lede}\n\n## What the research shows\n\n{research}\n\n## Risks and uncertainty\n\n\
         {risks}\n\n## Talking to your doctor\n\n{doctor}\n"
    );
    Ok(create(root, &rel, &text, "new", Path::new(""))?.map(|()| NewArticle { article: rel, topic_page }))
}

/// The topics a build puts in the navigation: those site.yaml lists, then
/// every other folder of `content/` holding an `_index.md`, by name.
fn site_topics(root: &Path, config: &crate::config::Config) -> Vec<String> {
    let mut found: Vec<String> = std::fs::read_dir(root.join("content"))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter(|name| crate::config::is_slug(name) && !config.topics.contains(name))
        .filter(|name| root.join("content").join(name).join("_index.md").is_file())
        .collect();
    found.sort();
    config.topics.iter().cloned().chain(found).collect()
}

/// Why `topic` is not one of the site's `topics`, and what to do.
fn not_a_topic(root: &Path, config: &crate::config::Config, topic: &str, topics: &[String]) -> String {
    let listed = match topics {
        [] => "this site has no topics yet".to_string(),
        _ => format!("this site's topics are: {}", topics.join(", ")),
    };
    if !crate::config::is_slug(topic) {
        return format!("`{topic}` is not a topic name: use a-z, 0-9 and `-` (not at either end); {listed}");
    }
    if let Some(what) = crate::site::paths::made_at(topic, config) {
        return format!(
            "`{topic}` cannot be a topic: /{topic}/ is {what}, which sourcebook makes; name the topic otherwise ({listed})"
        );
    }
    if root.join("content").join(topic).is_dir() {
        return format!(
            "content/{topic}/ has no _index.md, so it is not a topic: add content/{topic}/_index.md \
             with a `title:`, then run `new` again"
        );
    }
    format!(
        "`{topic}` is not a topic of this site ({listed}); to start one, make content/{topic}/_index.md \
         with a `title:`"
    )
}

/// What [`place`] does with a folder on the way that is not there yet.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Folders {
    /// Nothing: the file can be made (nothing below a missing folder exists).
    Check,
    /// Make it, and go on checking below it.
    Make,
}

/// Why `command` may not create the file `rel` (with `/`) under `root`, or
/// `None`: something already at that path (a file, or a symbolic link, even
/// one to nothing, which writing would follow), or a folder on the way that
/// is a file, or a link that leads out of the site or nowhere. A link to a
/// folder inside the site is followed, as a build reads it. Paths in the
/// message are shown from `shown`.
fn place(root: &Path, rel: &str, command: &str, shown: &Path, folders: Folders) -> anyhow::Result<Option<String>> {
    let site = root.canonicalize().ok(); // not there yet: `init` into a new folder
    let parts: Vec<&str> = rel.split('/').collect();
    let mut at = root.to_path_buf();
    for (i, part) in parts.iter().enumerate() {
        at.push(part);
        let name = shown.join(parts[..=i].join("/"));
        let name = name.display();
        let meta = match std::fs::symlink_metadata(&at) {
            Ok(meta) => meta,
            Err(e) if e.kind() == ErrorKind::NotFound && i + 1 < parts.len() && folders == Folders::Make => {
                match std::fs::create_dir(&at) {
                    Ok(()) => std::fs::symlink_metadata(&at).io("reading", &at)?,
                    Err(e) => return Err(e).io("creating", &at),
                }
            }
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).io("reading", &at),
        };
        let link = meta.file_type().is_symlink();
        if i + 1 == parts.len() {
            return Ok(Some(match link {
                true => format!(
                    "{name} is a symbolic link; `{command}` never writes through a link: remove it, or choose another name"
                ),
                false => format!("{name} already exists; `{command}` never overwrites files"),
            }));
        }
        if link {
            let to = at.canonicalize().ok();
            let inside = to.zip(site.as_ref()).is_some_and(|(to, site)| to.is_dir() && to.starts_with(site));
            if !inside {
                return Ok(Some(format!(
                    "{name} is a symbolic link that leads out of the site (or nowhere); \
                     `{command}` never writes through it"
                )));
            }
        } else if !meta.is_dir() {
            return Ok(Some(format!("{name} is a file, where `{command}` needs a folder")));
        }
    }
    Ok(None)
}

/// Create the file `rel` under `root` holding `text`: the folders on the
/// way made and checked one at a time ([`place`]), the file opened with
/// create-new semantics (`O_CREAT | O_EXCL`: never over a file, never
/// through a link). `Ok(Err(message))` for what [`place`] refuses.
fn create(root: &Path, rel: &str, text: &str, command: &str, shown: &Path) -> anyhow::Result<Result<(), String>> {
    if let Some(why) = place(root, rel, command, shown, Folders::Make)? {
        return Ok(Err(why));
    }
    let path = root.join(rel);
    let mut file = match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
        Ok(file) => file,
        // something appeared there since the check
        Err(e) if e.kind() == ErrorKind::AlreadyExists => {
            let why = place(root, rel, command, shown, Folders::Check)?;
            return Ok(Err(why.unwrap_or_else(|| format!("{} already exists", shown.join(rel).display()))));
        }
        Err(e) => return Err(e).io("creating", &path),
    };
    file.write_all(text.as_bytes()).io("writing", &path)?;
    Ok(Ok(()))
}

/// "how-long-it-lasts" → "How long it lasts".
fn title_from_slug(slug: &str) -> String {
    let words = slug.replace('-', " ");
    let mut chars = words.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn titles_come_from_slugs() {
        assert_eq!(super::title_from_slug("how-long-it-lasts"), "How long it lasts");
        assert_eq!(super::title_from_slug("ect"), "Ect");
    }
}
