//! The only module that knows Tera. Loads a theme (from `themes/<name>/`,
//! or the default theme compiled into the binary), lets `templates/` at the
//! site root override its templates, and renders every page of a [`Site`]
//! into an [`Output`]. Autoescaping stays on for every `.html` template.
//!
//! Theme stylesheets and scripts are fingerprinted: `assets/style.css` is
//! written as `assets/style.<hash>.css`, so hosts may cache them forever;
//! templates name them through the `asset(path=…)` function.

mod context;
mod feeds;
mod jsonld;
mod lists;
mod pages;
mod redirects;
mod tag_pages;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tera::Tera;

use crate::config::Config;
use crate::diagnostics::{Code, Diagnostic};
use crate::input;

pub(crate) use feeds::facts as feed_facts;
pub(crate) use pages::{
    Part, Shared, SiteSkeleton, all_parts, render_article, render_faq_page, render_parts, shared_context,
    site_wide_parts,
};

/// Templates every theme provides (SPEC §6).
pub(crate) const TEMPLATES: &[&str] =
    &["base.html", "index.html", "topic.html", "article.html", "faq.html", "sources.html", "404.html"];

/// The default theme, compiled in so a folder with only site.yaml and content/ builds.
const BUILTIN_TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../themes/default/templates/base.html")),
    ("index.html", include_str!("../../themes/default/templates/index.html")),
    ("topic.html", include_str!("../../themes/default/templates/topic.html")),
    ("article.html", include_str!("../../themes/default/templates/article.html")),
    ("faq.html", include_str!("../../themes/default/templates/faq.html")),
    ("sources.html", include_str!("../../themes/default/templates/sources.html")),
    ("404.html", include_str!("../../themes/default/templates/404.html")),
    ("glossary.html", include_str!("../../themes/default/templates/glossary.html")),
    ("page-header.html", include_str!("../../themes/default/templates/page-header.html")),
    ("search.html", include_str!("../../themes/default/templates/search.html")),
    ("accessibility.html", include_str!("../../themes/default/templates/accessibility.html")),
    ("editorial-policy.html", include_str!("../../themes/default/templates/editorial-policy.html")),
    ("funding.html", include_str!("../../themes/default/templates/funding.html")),
    ("tags.html", include_str!("../../themes/default/templates/tags.html")),
    ("tag.html", include_str!("../../themes/default/templates/tag.html")),
    ("redirect.html", include_str!("../../themes/default/templates/redirect.html")),
    ("pagination.html", include_str!("../../themes/default/templates/pagination.html")),
    ("az.html", include_str!("../../themes/default/templates/az.html")),
];
const BUILTIN_STATIC: &[(&str, &[u8])] = &[
    ("assets/style.css", include_bytes!("../../themes/default/static/assets/style.css")),
    ("assets/search.js", include_bytes!("../../themes/default/static/assets/search.js")),
    ("assets/moved.js", include_bytes!("../../themes/default/static/assets/moved.js")),
    ("favicon.svg", include_bytes!("../../themes/default/static/favicon.svg")),
];

const SEARCH_SCRIPT: &str = "assets/search.js";
const MOVED_SCRIPT: &str = "assets/moved.js";

/// Templates newer than SPEC's first list: a theme without one gets the
/// built-in one, with the partials it includes.
const FALLBACKS: &[(&str, &[&str])] = &[
    ("glossary.html", &["glossary.html", "page-header.html", "az.html", "pagination.html"]),
    // partials of the built-in topic, FAQ and source list pages, for a
    // theme that takes those from this one but not the partials
    ("pagination.html", &["pagination.html"]),
    ("az.html", &["az.html"]),
    ("search.html", &["search.html", "page-header.html"]),
    ("accessibility.html", &["accessibility.html", "page-header.html"]),
    ("editorial-policy.html", &["editorial-policy.html", "page-header.html"]),
    ("funding.html", &["funding.html", "page-header.html"]),
    ("tags.html", &["tags.html", "page-header.html"]),
    ("tag.html", &["tag.html", "page-header.html", "pagination.html"]),
    ("redirect.html", &["redirect.html"]),
];

/// A theme static file: its output path and where its bytes come from.
type Static = (String, StaticFile);

/// Where a static file of the theme comes from.
pub enum StaticFile {
    Builtin(&'static [u8]),
    Disk(PathBuf),
}

/// A loaded theme: compiled templates and the static files to copy.
pub struct Theme {
    tera: Tera,
    /// Template name → the file it came from, for diagnostics.
    files: HashMap<String, String>,
    sources: HashMap<String, String>,
    /// Output path (fingerprinted for CSS and JavaScript) and where the bytes come from.
    pub statics: Vec<Static>,
}

impl Theme {
    /// Load the theme `site.yaml` names, with the site's `templates/` overrides.
    pub fn load(root: &Path, config: &Config) -> Result<Theme, Vec<Diagnostic>> {
        let dir = root.join("themes").join(&config.theme);
        let mut templates: Vec<(String, String, String)> = Vec::new(); // name, file, text
        let mut statics = Vec::new();
        let mut diags = Vec::new();
        match input::folder(root, &dir) {
            Ok(true) => {
                read_templates(root, &dir.join("templates"), &mut templates, &mut diags);
                read_statics(root, &dir.join("static"), &mut statics, &mut diags);
            }
            Ok(false) if config.theme == "default" => {
                for (name, text) in BUILTIN_TEMPLATES {
                    templates.push((name.to_string(), format!("themes/default/templates/{name}"), text.to_string()));
                }
                statics.extend(BUILTIN_STATIC.iter().map(|(p, b)| (p.to_string(), StaticFile::Builtin(b))));
            }
            Ok(false) => {
                let d = Diagnostic::error(
                    Code::InvalidValue,
                    format!("theme `{}` not found: there is no folder themes/{}/", config.theme, config.theme),
                )
                .with_help("use `theme: default`, or add the theme folder");
                let d = match &config.theme_at {
                    Some(at) => d.with_span(at.clone()),
                    None => d.in_file(crate::config::FILE),
                };
                return Err(vec![d]);
            }
            Err(d) => return Err(vec![d]),
        }
        read_templates(root, &root.join("templates"), &mut templates, &mut diags);
        // in name order: with several broken templates, Tera reports the
        // first it parses, the same one on every run
        let mut by_name: BTreeMap<String, (String, String)> = BTreeMap::new();
        for (name, file, text) in templates {
            by_name.insert(name, (file, text)); // later (site overrides) win
        }
        let own_search = by_name.contains_key("search.html");
        for (template, with) in FALLBACKS {
            if !by_name.contains_key(*template) {
                for name in *with {
                    let text = BUILTIN_TEMPLATES.iter().find(|(n, _)| n == name).map_or("", |(_, t)| t);
                    by_name
                        .entry(name.to_string())
                        .or_insert_with(|| (format!("themes/default/templates/{name}"), text.into()));
                }
            }
        }
        // The built-in search page comes with the script it loads.
        if !own_search && !statics.iter().any(|(p, _)| p == SEARCH_SCRIPT) {
            let bytes = BUILTIN_STATIC.iter().find(|(p, _)| *p == SEARCH_SCRIPT).map_or(&[][..], |(_, b)| b);
            statics.push((SEARCH_SCRIPT.to_string(), StaticFile::Builtin(bytes)));
        }
        // the built-in list pages (a theme's fallbacks too) forward old
        // links with this script
        if !statics.iter().any(|(p, _)| p == MOVED_SCRIPT) {
            let bytes = BUILTIN_STATIC.iter().find(|(p, _)| *p == MOVED_SCRIPT).map_or(&[][..], |(_, b)| b);
            statics.push((MOVED_SCRIPT.to_string(), StaticFile::Builtin(bytes)));
        }
        let (statics, assets) = fingerprint(root, statics, &mut diags);
        for required in TEMPLATES {
            if !by_name.contains_key(*required) {
                diags.push(
                    Diagnostic::error(Code::TemplateError, format!("the theme has no `{required}` template"))
                        .in_file(format!("themes/{}/templates", config.theme)),
                );
            }
        }
        if !diags.is_empty() {
            return Err(diags);
        }
        let mut tera = Tera::default();
        // every string a template prints, escaped by the site's one escaper
        // (NUL and control characters replaced too); trusted markup
        // (`context::Markup`) reaches templates already marked safe
        tera.set_escape_fn(escape_for_templates);
        register_asset_function(&mut tera, assets);
        let files: HashMap<String, String> = by_name.iter().map(|(n, (f, _))| (n.clone(), f.clone())).collect();
        let sources: HashMap<String, String> = by_name.iter().map(|(n, (_, t))| (n.clone(), t.clone())).collect();
        if let Err(e) = tera.add_raw_templates(by_name.iter().map(|(n, (_, t))| (n.as_str(), t.as_str()))) {
            let theme = Theme { tera: Tera::default(), files, sources, statics: Vec::new() };
            return Err(theme.diagnostics(&e));
        }
        Ok(Theme { tera, files, sources, statics })
    }

    /// Render template `name` with `context`; a failure becomes a
    /// `template-error`, and so does a render that runs away ([`Budget`]).
    pub fn render(&self, name: &str, context: &tera::Context) -> Result<String, Diagnostic> {
        let mut page = Budget::new(Instant::now());
        match self.tera.render_to(name, context, &mut page) {
            // Tera writes only whole strings: the page is UTF-8
            Ok(()) => String::from_utf8(page.out).map_err(|e| {
                Diagnostic::error(Code::TemplateError, format!("template `{name}`: {e}")).in_file(self.template(name).0)
            }),
            Err(e) => Err(match page.overrun {
                Some(overrun) => Diagnostic::error(
                    Code::TemplateError,
                    format!(
                        "template `{name}`: {overrun}, so it was stopped: a loop or a component of the theme runs away"
                    ),
                )
                .in_file(self.template(name).0)
                .with_help("look for loops inside loops over long lists or ranges, and a component that calls itself"),
                None => self.diagnostic(&e, Some(name)),
            }),
        }
    }

    /// Tera's template-validation errors arrive as rendered reports, possibly
    /// several in one: each `error: …` with its `--> name:line:col` becomes a
    /// diagnostic at the template file.
    /// The same mistake in many places (a component a replaced `base.html`
    /// no longer defines, used 40 times) is one diagnostic at its first
    /// place, whose help counts the others.
    fn diagnostics(&self, e: &tera::Error) -> Vec<Diagnostic> {
        let tera::ErrorKind::Msg(text) = e.kind() else { return vec![self.diagnostic(e, None)] };
        let mut out: Vec<Diagnostic> = Vec::new();
        let mut repeats: HashMap<String, (usize, usize)> = HashMap::new(); // message → (index in out, other places)
        let mut message: Option<&str> = None;
        for line in text.lines() {
            let line = line.trim_start();
            if let Some(m) = line.strip_prefix("error: ") {
                message = Some(m);
            } else if let (Some(at), Some(m)) = (line.strip_prefix("--> "), message.take()) {
                let mut parts = at.rsplitn(3, ':');
                let col: usize = parts.next().and_then(|c| c.parse().ok()).unwrap_or(1);
                let row: usize = parts.next().and_then(|l| l.parse().ok()).unwrap_or(1);
                let name = parts.next().unwrap_or_default();
                let (file, source) = self.template(name);
                let start = crate::text::line_start(source, row);
                if let Some((_, others)) = repeats.get_mut(m) {
                    *others += 1;
                    continue;
                }
                repeats.insert(m.to_string(), (out.len(), 0));
                let span = crate::diagnostics::Span::at(&file, source, start + col.saturating_sub(1));
                let mut d = Diagnostic::error(Code::TemplateError, format!("template `{name}`: {m}")).with_span(span);
                if let Some(component) = m.strip_prefix("Unknown component `").and_then(|c| c.strip_suffix('`')) {
                    d = d.with_help(format!(
                        "define it with `{{% component {component}(…) %}}` … `{{% endcomponent {component} %}}`; \
                         the default theme defines its components in base.html, so a site's own templates/base.html must keep them"
                    ));
                }
                if let Some(block) = m.strip_prefix("Block `").and_then(|b| b.split_once('`')).map(|(b, _)| b)
                    && m.ends_with("is not defined in any parent template")
                {
                    d = d.with_help(format!(
                        "a child template can only fill blocks its parent has: add `{{% block {block} %}}{{% endblock {block} %}}` \
                         to the template it extends (often base.html), or remove the block here"
                    ));
                }
                out.push(d);
            }
        }
        for (index, others) in repeats.into_values() {
            if others > 0 {
                let d = &mut out[index];
                let more = format!("the same error is at {others} more place{}", if others == 1 { "" } else { "s" });
                d.help = Some(match d.help.take() {
                    Some(help) => format!("{help} ({more})").into(),
                    None => more.into(),
                });
            }
        }
        if out.is_empty() {
            out.push(self.diagnostic(e, None));
        }
        out
    }

    /// Template `name`'s file (as the site names it) and text.
    fn template(&self, name: &str) -> (String, &str) {
        let file = self.files.get(name).cloned().unwrap_or_else(|| name.to_string());
        (file, self.sources.get(name).map(String::as_str).unwrap_or_default())
    }

    /// Templates that `verb` each other in a circle (`chain`, back to its
    /// first), at the `keyword` tag that closes it: the last but one's.
    fn circle(&self, chain: &[String], keyword: &str, verb: &str) -> Diagnostic {
        let d = Diagnostic::error(
            Code::TemplateError,
            format!("templates {verb} each other in a circle: {}", chain.join(" → ")),
        )
        .with_help(format!("a template may not {verb} itself, directly or through others: remove one of these"));
        match chain {
            [.., from, to] => self.at_tag(d, from, keyword, to),
            _ => d,
        }
    }

    /// `d` at the `{% keyword "target" %}` tag of template `name` (with
    /// either quote), or at the template file when the tag is not found.
    fn at_tag(&self, d: Diagnostic, name: &str, keyword: &str, target: &str) -> Diagnostic {
        let (file, text) = self.template(name);
        let found = text.match_indices(keyword).find_map(|(i, _)| {
            let rest = text[i + keyword.len()..].trim_start();
            let quoted = [format!("\"{target}\""), format!("'{target}'")];
            quoted.iter().any(|q| rest.starts_with(q.as_str())).then_some(i)
        });
        match found {
            Some(i) => d.with_span(crate::diagnostics::Span::at(&file, text, i).with_width(keyword.chars().count())),
            None => d.in_file(file),
        }
    }

    /// A Tera error as a diagnostic naming the template file, line and problem.
    fn diagnostic(&self, e: &tera::Error, rendering: Option<&str>) -> Diagnostic {
        use tera::ErrorKind;
        match e.kind() {
            ErrorKind::SyntaxError(report) | ErrorKind::RenderingError(report) => {
                let name = if report.filename().is_empty() { rendering.unwrap_or_default() } else { report.filename() };
                let (file, text) = self.template(name);
                let span = report.span();
                let line_start: usize = crate::text::line_start(text, span.start_line);
                let mut d = Diagnostic::error(Code::TemplateError, format!("template `{name}`: {}", report.message()));
                d = d.with_span(crate::diagnostics::Span::at(&file, text, line_start + span.start_col));
                d
            }
            ErrorKind::CircularInclude { include_chain, .. } => self.circle(include_chain, "include", "include"),
            ErrorKind::CircularExtend { inheritance_chain, .. } => self.circle(inheritance_chain, "extends", "extend"),
            ErrorKind::MissingParent { current, parent } => {
                let d = Diagnostic::error(
                    Code::TemplateError,
                    format!("template `{current}` extends `{parent}`, which the theme does not have"),
                )
                .with_help("name a template of the theme's templates/ folder, e.g. `{% extends \"base.html\" %}`");
                self.at_tag(d, current, "extends", parent)
            }
            other => {
                let mut d = Diagnostic::error(Code::TemplateError, format!("{other}"));
                if let Some(name) = rendering {
                    d = d.in_file(self.template(name).0);
                }
                d
            }
        }
    }
}

/// The most one page may grow to: a page of the shipped site is under
/// 2 MiB, the 10,000-article corpus's largest under 3 MiB.
const MAX_PAGE_BYTES: usize = 64 << 20;

/// The longest one page may take to render (the shipped site's take
/// milliseconds; Hugo's `timeout` is 30 s too).
const MAX_RENDER_TIME: Duration = Duration::from_secs(30);

/// A page as Tera writes it, within [`MAX_PAGE_BYTES`] and
/// [`MAX_RENDER_TIME`]: a write past either fails, which stops the render.
/// Tera's loops and components (at most 20 deep) have no limit of their
/// own, so two loops over 3,000 items inside a third, or a component that
/// calls itself three times, run for hours. The clock is read as the page
/// is written, so a loop that writes nothing to the page (inside `{% set %}`
/// or a filter section, or a loop with no text at all) is not stopped.
struct Budget {
    out: Vec<u8>,
    started: Instant,
    writes: u32,
    overrun: Option<Overrun>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Overrun {
    Size,
    Time,
}

impl fmt::Display for Overrun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Overrun::Size => write!(f, "the page grew past {} MiB", MAX_PAGE_BYTES >> 20),
            Overrun::Time => write!(f, "the page took more than {} s to render", MAX_RENDER_TIME.as_secs()),
        }
    }
}

impl Budget {
    fn new(started: Instant) -> Budget {
        Budget { out: Vec::with_capacity(32 * 1024), started, writes: 0, overrun: None }
    }
}

impl std::io::Write for Budget {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.writes = self.writes.wrapping_add(1);
        if self.out.len() + buf.len() > MAX_PAGE_BYTES {
            self.overrun = Some(Overrun::Size);
        } else if self.writes.is_multiple_of(256) && self.started.elapsed() > MAX_RENDER_TIME {
            self.overrun = Some(Overrun::Time);
        }
        if let Some(overrun) = self.overrun {
            return Err(std::io::Error::other(overrun.to_string()));
        }
        self.out.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Rename CSS and JavaScript files to carry a hash of their bytes
/// (`assets/style.css` → `assets/style.3f2a9c1e.css`). Returns the statics
/// with their output paths, and the map from each theme path to its output
/// path; a file that cannot be read is left out, with its diagnostic.
fn fingerprint(
    root: &Path,
    statics: Vec<Static>,
    diags: &mut Vec<Diagnostic>,
) -> (Vec<Static>, BTreeMap<String, String>) {
    let mut out = Vec::with_capacity(statics.len());
    let mut assets = BTreeMap::new();
    for (path, file) in statics {
        let hashed = match path.rsplit_once('.') {
            Some((stem, ext @ ("css" | "js"))) => {
                let bytes = match &file {
                    StaticFile::Builtin(b) => std::borrow::Cow::Borrowed(*b),
                    StaticFile::Disk(p) => match input::bytes(root, p, input::MAX_TEXT_FILE) {
                        Ok(bytes) => std::borrow::Cow::Owned(bytes),
                        Err(unread) => {
                            diags.push(unread.diagnostic);
                            continue;
                        }
                    },
                };
                fingerprinted(stem, ext, &bytes)
            }
            _ => {
                // copied later, not read here: checked now, so a problem is a diagnostic
                if let StaticFile::Disk(p) = &file
                    && let Err(unread) = input::readable(root, p)
                {
                    diags.push(unread.diagnostic);
                    continue;
                }
                path.clone()
            }
        };
        assets.insert(path, hashed.clone());
        out.push((hashed, file));
    }
    (out, assets)
}

/// The name `stem.ext` with `bytes` is written under: `style.3f2a9c1e.css`.
fn fingerprinted(stem: &str, ext: &str, bytes: &[u8]) -> String {
    format!("{stem}.{:08x}.{ext}", content_hash(bytes))
}

/// Whether `path` is the [`fingerprinted`] name of `bytes`: then other
/// bytes would have had another name, and a browser may keep the file as
/// long as it likes (`serve` says so).
pub(crate) fn names_its_bytes(path: &str, bytes: &[u8]) -> bool {
    let Some((rest, ext @ ("css" | "js"))) = path.rsplit_once('.') else { return false };
    let Some((stem, _)) = rest.rsplit_once('.') else { return false };
    fingerprinted(stem, ext, bytes) == path
}

/// 32 bits of FNV-1a: stable across Rust versions and platforms (unlike
/// `DefaultHasher`), so the same file gets the same name on every machine.
pub(crate) fn content_hash(bytes: &[u8]) -> u32 {
    let h =
        bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3));
    (h ^ (h >> 32)) as u32
}

/// `asset(path="assets/style.css")`: the output path of a theme static file,
/// relative to the site root (write `{{ root }}{{ asset(path=…) }}`).
fn register_asset_function(tera: &mut Tera, assets: BTreeMap<String, String>) {
    let assets = Arc::new(assets);
    tera.register_function("asset", move |kwargs: tera::Kwargs, _: &tera::State| -> tera::TeraResult<String> {
        let path = kwargs.must_get::<&str>("path")?;
        assets.get(path).cloned().ok_or_else(|| {
            let known: Vec<&str> = assets.keys().map(String::as_str).collect();
            tera::Error::message(format!(
                "asset(path=\"{path}\"): the theme has no such static file (it has: {})",
                known.join(", ")
            ))
        })
    });
}

/// The `.html` and `.xml` files below `dir` (if it is there), read through
/// [`input`]: (template name, file relative to the root, text).
fn read_templates(root: &Path, dir: &Path, out: &mut Vec<(String, String, String)>, diags: &mut Vec<Diagnostic>) {
    for (name, path) in files_below(root, dir, diags) {
        if path.extension().is_some_and(|e| e == "html" || e == "xml") {
            match input::text(root, &path) {
                Ok(text) => out.push((name, crate::diagnostics::relative(root, &path), text)),
                Err(unread) => diags.push(unread.diagnostic),
            }
        }
    }
}

fn read_statics(root: &Path, dir: &Path, out: &mut Vec<Static>, diags: &mut Vec<Diagnostic>) {
    out.extend(files_below(root, dir, diags).into_iter().map(|(name, path)| (name, StaticFile::Disk(path))));
}

/// [`input::walk`] of a theme folder, when it is there.
fn files_below(root: &Path, dir: &Path, diags: &mut Vec<Diagnostic>) -> Vec<(String, PathBuf)> {
    match input::folder(root, dir) {
        Ok(true) => {
            let (files, found) = input::walk(root, dir, &[]);
            diags.extend(found);
            files
        }
        Ok(false) => Vec::new(),
        Err(d) => {
            diags.push(d);
            Vec::new()
        }
    }
}

/// Tera's escape function: the site's escaper ([`crate::html::escape_pieces`]),
/// written straight to Tera's output (no copy per printed value).
fn escape_for_templates(text: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut result = Ok(());
    crate::html::escape_pieces(text, |piece| {
        if result.is_ok() {
            result = out.write_all(piece.as_bytes());
        }
    });
    result
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use super::*;

    /// A page stops growing at its size, and a render at its time, at the
    /// next write after either is passed.
    #[test]
    fn a_page_is_written_within_its_size_and_time() {
        let mut page = Budget::new(Instant::now());
        page.write_all(&vec![b'x'; MAX_PAGE_BYTES]).unwrap();
        assert!(page.write_all(b"y").is_err());
        assert_eq!(page.overrun, Some(Overrun::Size));

        let long_ago = Instant::now().checked_sub(MAX_RENDER_TIME + Duration::from_secs(1)).unwrap();
        let mut page = Budget::new(long_ago);
        let written = (0..1000).take_while(|_| page.write_all(b"x").is_ok()).count();
        assert!(written < 256, "{written}");
        assert_eq!(page.overrun, Some(Overrun::Time));
        let mut page = Budget::new(Instant::now());
        assert!((0..1000).all(|_| page.write_all(b"x").is_ok()));
    }
}
