//! Stable URLs: the `aliases:` of a page are its old addresses, each
//! written as a small redirect page pointing at where the page is now.
//! Here an alias is read and checked (a path on this site, each name
//! portable, no `.` or `..`); `paths` claims its output file beside every
//! other one, so an alias that would replace a page, a file or another
//! alias is a `path-collision`; `theme` renders the redirect pages.

use crate::content::Article;
use crate::diagnostics::{Code, Diagnostic, Lines};

/// One old address of a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Alias {
    /// As written, without a leading `/`: `old/path/`, `old/page.html`.
    pub from: String,
    /// The file written there: `old/path/index.html`, `old/page.html`.
    pub file: String,
    /// The folder that file is in (`old/path/`, `old/`): links from it
    /// climb back to the root from there.
    pub dir: String,
    /// Where the alias is written in the page's file.
    pub at: usize,
    /// Its place in the page's `aliases:` list.
    pub index: usize,
}

/// The valid aliases of `article`, and a diagnostic for each other one.
pub(crate) fn of(article: &Article) -> (Vec<Alias>, Vec<Diagnostic>) {
    let written = &article.front.aliases;
    let offsets = super::tags::list_offsets(article, "aliases", written);
    let mut aliases = Vec::new();
    let mut diags = Vec::new();
    let lines = Lines::default(); // thousands of bad aliases: a binary search each
    for (index, (from, at)) in written.iter().zip(offsets).enumerate() {
        match parse(from, at) {
            Ok(alias) => aliases.push(Alias { index, ..alias }),
            Err((code, problem, help)) => diags.push(
                Diagnostic::error(code, format!("alias `{}` {problem}", from.escape_debug()))
                    .with_span(lines.span(&article.file, &article.text, at))
                    .with_help(help),
            ),
        }
    }
    (aliases, diags)
}

/// Only the valid aliases of `article` (the others were reported when the
/// site was loaded).
pub(crate) fn valid(article: &Article) -> Vec<Alias> {
    if article.front.aliases.is_empty() {
        return Vec::new();
    }
    of(article).0
}

const HELP: &str = "write the old address as a path from the site's root, e.g. `old-name/` or `guides/old-name.html`";

/// An alias as written → where its redirect page goes; or the code, the
/// problem and the help.
fn parse(written: &str, at: usize) -> Result<Alias, (Code, String, &'static str)> {
    let invalid = |problem: String| Err((Code::InvalidValue, problem, HELP));
    if written.trim().is_empty() {
        return invalid("is empty".into());
    }
    if written.starts_with("//") || written.contains("://") || crate::html::scheme(written).is_some() {
        return invalid("is a full URL; an alias is a path on this site".into());
    }
    let path = written.strip_prefix('/').unwrap_or(written);
    let (folder, last) = match path.rsplit_once('/') {
        Some((folder, "")) => (folder, None),
        Some((folder, last)) => (folder, Some(last)),
        None => ("", Some(path)),
    };
    for segment in path.split('/').take(path.matches('/').count() + usize::from(last.is_some())) {
        match segment {
            "." | ".." => {
                return Err((
                    Code::UnsafePath,
                    format!("holds `{segment}`: an alias may not climb out of its folder"),
                    HELP,
                ));
            }
            "" => return invalid("holds an empty name (`//`)".into()),
            _ => {}
        }
        if let Some(problem) = super::paths::problem(segment) {
            return invalid(format!("holds the name `{}`, which {problem}", segment.escape_debug()));
        }
    }
    let page = last.filter(|l| l.ends_with(".html") || l.ends_with(".htm"));
    if let (Some(last), None) = (last, page)
        && last.contains('.')
    {
        return Err((
            Code::InvalidValue,
            format!("ends with `{last}`, which looks like a file that is not a page"),
            "an alias is the address of a page: a folder (`old-name/`) or an `.html` file; redirect other files in the host's own settings",
        ));
    }
    let (file, dir) = match page {
        Some(_) => (path.to_string(), if folder.is_empty() { String::new() } else { format!("{folder}/") }),
        None => {
            let dir = format!("{}/", path.trim_end_matches('/'));
            (format!("{dir}index.html"), dir)
        }
    };
    let from = if page.is_some() { path.to_string() } else { dir.clone() };
    Ok(Alias { from, file, dir, at, index: 0 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_alias_is_a_folder_or_an_html_file_from_the_root() {
        let ok = |w: &str| {
            let a = parse(w, 0).unwrap_or_else(|e| panic!("{w}: {e:?}"));
            (a.from, a.file, a.dir)
        };
        let s = |a: &str, b: &str, c: &str| (a.to_string(), b.to_string(), c.to_string());
        assert_eq!(ok("old/path"), s("old/path/", "old/path/index.html", "old/path/"));
        assert_eq!(ok("/old/path/"), s("old/path/", "old/path/index.html", "old/path/"));
        assert_eq!(ok("old"), s("old/", "old/index.html", "old/"));
        assert_eq!(ok("guides/old.html"), s("guides/old.html", "guides/old.html", "guides/"));
        assert_eq!(ok("old.htm"), s("old.htm", "old.htm", ""));
        assert_eq!(ok("Old Name/"), s("Old Name/", "Old Name/index.html", "Old Name/"));
    }

    #[test]
    fn an_alias_that_leaves_the_site_or_breaks_a_host_is_refused() {
        for (bad, code) in [
            ("", Code::InvalidValue),
            ("/", Code::InvalidValue),
            ("../outside/", Code::UnsafePath),
            ("a/../../b", Code::UnsafePath),
            ("a/./b", Code::UnsafePath),
            ("a//b", Code::InvalidValue),
            ("https://example.org/old/", Code::InvalidValue),
            ("//example.org/old/", Code::InvalidValue),
            ("javascript:alert(1)", Code::InvalidValue),
            ("old?page=2", Code::InvalidValue),
            ("old#part", Code::InvalidValue),
            ("a\\b", Code::InvalidValue),
            ("con/", Code::InvalidValue),
            ("old.pdf", Code::InvalidValue),
            ("trailing./", Code::InvalidValue),
        ] {
            let got = parse(bad, 0).map(|a| a.file);
            assert_eq!(got.map_err(|e| e.0), Err(code), "{bad:?}");
        }
    }
}
