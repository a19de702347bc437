//! One build: load → render → assemble → theme → output, as a flat list of
//! calls. Nothing is written unless the site has no errors; then the whole
//! output is swapped in at once.

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::content::glossary::Glossary;
use crate::diagnostics::Diagnostics;
use crate::output::{Output, Staging};
use crate::site::Site;
use crate::theme::Theme;
use crate::{content, site, sources, theme};

/// What the user asked for.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub root: PathBuf,
    /// Default: `root/public`.
    pub output: Option<PathBuf>,
    pub base_url: Option<String>,
    pub drafts: bool,
}

/// What happened.
#[derive(Debug)]
pub struct BuildReport {
    pub diagnostics: Diagnostics,
    /// Where the site was written; `None` when errors stopped the build.
    pub written: Option<PathBuf>,
    pub pages: usize,
    /// How long each step took, for `--verbose`.
    pub timings: Timings,
}

/// Wall time per pipeline step.
#[derive(Debug, Default, Clone)]
pub struct Timings(pub Vec<(&'static str, std::time::Duration)>);

impl Timings {
    fn start(&mut self) -> std::time::Instant {
        std::time::Instant::now()
    }
    fn record(&mut self, step: &'static str, since: std::time::Instant) {
        self.0.push((step, since.elapsed()));
    }
}

/// A loaded, rendered site with its theme: everything but the writing.
pub struct Loaded {
    pub site: Site,
    pub theme: Theme,
    /// Diagnostics of loading (config, content files, sources, glossary),
    /// apart from the site's own cross-checks, which `Site::finish` redoes.
    pub loading: Vec<crate::diagnostics::Diagnostic>,
}

/// Load and assemble the site; `None` when a problem stops it early.
pub fn load(options: &BuildOptions, diags: &mut Diagnostics) -> anyhow::Result<Option<Loaded>> {
    load_timed(options, diags, &mut Timings::default())
}

fn load_timed(options: &BuildOptions, diags: &mut Diagnostics, t: &mut Timings) -> anyhow::Result<Option<Loaded>> {
    let root = &options.root;
    let mut at = t.start();
    let config = match Config::load(root)? {
        Ok(c) => c,
        Err(d) => {
            diags.extend(d);
            return Ok(None);
        }
    };
    let config = match &options.base_url {
        Some(url) => config.with_base_url(url),
        None => config,
    };
    let (content, d) = content::load(root, &config, options.drafts)?;
    diags.extend(d);
    t.record("load content", at);
    at = t.start();
    let (mut bibliography, d) = sources::load(&content);
    diags.extend(d);
    t.record("load sources", at);
    at = t.start();
    sources::format_all(&mut bibliography, &config.citation_style);
    t.record("format sources (CSL)", at);
    at = t.start();
    let (glossary, d) = match &content.glossary {
        Some(file) => Glossary::load(file),
        None => (Glossary::default(), Vec::new()),
    };
    diags.extend(d);
    let theme = Theme::load(root, &config)?;
    let loading: Vec<_> = diags.iter().cloned().collect();
    let (site, d) = site::assemble(content, bibliography, glossary, config);
    diags.extend(d);
    t.record("render Markdown, assemble site", at);
    match theme {
        Ok(theme) => Ok(Some(Loaded { site, theme, loading })),
        Err(d) => {
            diags.extend(d);
            Ok(None)
        }
    }
}

/// Render a loaded site into `out`; template problems are added to `diags`.
pub fn render(loaded: &Loaded, root: &Path, out: &dyn Output, diags: &mut Diagnostics) -> anyhow::Result<()> {
    diags.extend(theme::render_site(&loaded.site, &loaded.theme, root, out)?);
    Ok(())
}

/// `sourcebook build`.
pub fn build(options: &BuildOptions) -> anyhow::Result<BuildReport> {
    let mut diags = Diagnostics::new();
    let mut timings = Timings::default();
    let loaded = load_timed(options, &mut diags, &mut timings)?;
    let Some(loaded) = loaded.filter(|_| !diags.has_errors()) else {
        return Ok(BuildReport { diagnostics: diags.sorted(), written: None, pages: 0, timings });
    };
    let at = timings.start();
    let target = options.output.clone().unwrap_or_else(|| options.root.join("public"));
    let staging = Staging::new(&target)?;
    let rendered = render(&loaded, &options.root, &staging, &mut diags);
    if rendered.is_err() || diags.has_errors() {
        staging.abandon();
        rendered?;
        return Ok(BuildReport { diagnostics: diags.sorted(), written: None, pages: 0, timings });
    }
    timings.record("render templates, write", at);
    if loaded.site.config.search {
        let at = timings.start();
        if let Err(e) = crate::search::index(staging.dir(), &staging) {
            staging.abandon();
            return Err(e);
        }
        timings.record("index for search (Pagefind)", at);
    }
    let at = timings.start();
    staging.commit()?;
    timings.record("swap output", at);
    let pages = loaded.site.articles.len();
    let at = timings.start();
    let diagnostics = diags.sorted();
    timings.record("sort diagnostics", at);
    Ok(BuildReport { diagnostics, written: Some(target), pages, timings })
}
