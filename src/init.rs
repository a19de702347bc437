//! Scaffolding. `sourcebook init`: a new site that builds and checks
//! cleanly but for `transparency-missing` (who pays for a site and its
//! makers' conflicts are theirs to state, not ours to invent): site.yaml,
//! one topic, one article, a bibliography. `sourcebook
//! new`: one more article, as a draft with valid front matter. Neither ever
//! overwrites a file.

use std::path::Path;

use anyhow::{Context as _, bail};

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
        "---\ntitle: \"First article\"\ndescription: \"What this article explains, in one sentence.\"\ndate: {today}\nreviewed: { by: \"Editorial team: checked against cited sources\", on: {today} }\nkey_points:\n  - \"One thing a reader should take away.\"\n  - \"Another one.\"\nfaq:\n  - q: \"Where do the facts come from?\"\n    a: \"Every claim cites its source [@example2020].\"\n---\n\n## What it is\n\nWrite in plain words and cite each claim [@example2020].\n",
    ),
    (
        "content/sources.yaml",
        "example2020:\n  type: article\n  title: An example study\n  author: [\"Doe, Jane\"]\n  date: 2020\n  parent:\n    type: periodical\n    title: { value: Example Journal, short: Ex J }\n  evidence: other\n",
    ),
];

/// Write the starter files into `dir`, dated `today`; returns how many were written.
pub fn init(dir: &Path, today: jiff::civil::Date) -> anyhow::Result<usize> {
    for (path, _) in FILES {
        if dir.join(path).exists() {
            bail!("{} already exists; `init` never overwrites files", dir.join(path).display());
        }
    }
    for (path, text) in FILES {
        let full = dir.join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&full, text.replace("{today}", &today.to_string()))
            .with_context(|| format!("writing {}", full.display()))?;
    }
    Ok(FILES.len())
}

/// Write `content/<topic>/<slug>.md` under `root`: a draft article dated
/// `today`, titled `title` (or after its slug). `Ok(Err(message))` when the
/// request itself is wrong (a topic the site does not list, a bad slug, an
/// existing file): a usage error.
pub fn new_article(
    root: &Path,
    config: &crate::config::Config,
    path: &str,
    title: Option<&str>,
    today: jiff::civil::Date,
) -> anyhow::Result<Result<std::path::PathBuf, String>> {
    let Some((topic, slug)) = path.trim_end_matches(".md").split_once('/') else {
        return Ok(Err(format!("`{path}` is not <topic>/<slug>, as in `efficacy/how-long-it-lasts`")));
    };
    if !config.topics.iter().any(|t| t == topic) {
        return Ok(Err(format!(
            "`{topic}` is not a topic of this site; site.yaml lists: {}",
            config.topics.join(", ")
        )));
    }
    if !crate::config::is_slug(slug) {
        return Ok(Err(format!(
            "`{slug}` is not a valid slug: use a-z, 0-9 and `-` (not at either end), as in `how-long-it-lasts`"
        )));
    }
    let rel = format!("content/{topic}/{slug}.md");
    let full = root.join(&rel);
    // an article with its images beside it has the same URL
    for taken in [rel.clone(), format!("content/{topic}/{slug}/index.md")] {
        if root.join(&taken).exists() {
            return Ok(Err(format!("{taken} already exists; `new` never overwrites files")));
        }
    }
    let title = match title {
        Some(t) if !t.trim().is_empty() => t.trim().to_string(),
        _ => title_from_slug(slug),
    };
    // a JSON string is a YAML double-quoted scalar: any title is escaped right
    let quoted = serde_json::to_string(&title)?;
    let text = format!(
        "---\ntitle: {quoted}\ndescription: \"One sentence: the question this article answers.\"\ndate: {today}\n\
         audience: patients\ndraft: true                      # left out of builds until you remove this line\n---\n\n\
         Start with what the reader will learn, in plain words.\n\n## What the research shows\n\n\
         Give each finding with its setting and size, and cite it: add the source to content/sources.yaml, \
         then write `[@id]` after the claim.\n\n## Risks and uncertainty\n\n\
         Say what is not known, and what the risks are, beside the benefits.\n\n## Talking to your doctor\n\n\
         Send readers to their clinician for decisions about their own care.\n"
    );
    if let Some(parent) = full.parent() {
        std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    }
    std::fs::write(&full, text).with_context(|| format!("writing {}", full.display()))?;
    Ok(Ok(full))
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
