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
}

/// A loaded, rendered site with its theme: everything but the writing.
pub struct Loaded {
    pub site: Site,
    pub theme: Theme,
}

/// Load and assemble the site; `None` when a problem stops it early.
pub fn load(options: &BuildOptions, diags: &mut Diagnostics) -> anyhow::Result<Option<Loaded>> {
    let root = &options.root;
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
    let (mut bibliography, d) = sources::load(&content);
    diags.extend(d);
    sources::format_all(&mut bibliography, &config.citation_style);
    let (glossary, d) = match &content.glossary {
        Some(file) => Glossary::load(file),
        None => (Glossary::default(), Vec::new()),
    };
    diags.extend(d);
    let theme = Theme::load(root, &config)?;
    let (site, d) = site::assemble(content, bibliography, glossary, config);
    diags.extend(d);
    match theme {
        Ok(theme) => Ok(Some(Loaded { site, theme })),
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
    let loaded = load(options, &mut diags)?;
    let Some(loaded) = loaded.filter(|_| !diags.has_errors()) else {
        return Ok(BuildReport { diagnostics: diags.sorted(), written: None, pages: 0 });
    };
    let target = options.output.clone().unwrap_or_else(|| options.root.join("public"));
    let staging = Staging::new(&target)?;
    let rendered = render(&loaded, &options.root, &staging, &mut diags);
    if rendered.is_err() || diags.has_errors() {
        staging.abandon();
        rendered?;
        return Ok(BuildReport { diagnostics: diags.sorted(), written: None, pages: 0 });
    }
    staging.commit()?;
    let pages = loaded.site.articles.len();
    Ok(BuildReport { diagnostics: diags.sorted(), written: Some(target), pages })
}
