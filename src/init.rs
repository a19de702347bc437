//! `sourcebook init`: a new site that builds and checks cleanly: site.yaml,
//! one topic, one article, a bibliography. Never overwrites a file.

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
