//! The only module that knows Pagefind: the offline full-text index behind
//! the `/search/` page. [`index`] runs after `build` has written every page
//! to its staging folder: Pagefind reads the pages back from there (parsing
//! them in parallel with rayon) and its index, plus the small JavaScript and
//! WebAssembly that query it, are written under [`BUNDLE`].
//!
//! Only pages with a `data-pagefind-body` element are indexed (the default
//! theme marks the content of articles, topic pages and the home page), and
//! `data-pagefind-ignore` leaves parts of them out. Pagefind's ready-made
//! UIs are not shipped: the theme renders the results itself.
//!
//! Deliberately absent: indexing in `serve` (the index would be rebuilt on
//! every save, for a page the author rarely needs while writing).

use std::path::Path;

use anyhow::Context as _;
use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;

use crate::output::Output;

/// The folder of the output holding the index and Pagefind's scripts.
pub const BUNDLE: &str = "pagefind";

/// Index the HTML pages under `site` (a build's staging folder) and write
/// the search bundle into `out`. Returns the number of pages indexed.
pub fn index(site: &Path, out: &dyn Output) -> anyhow::Result<usize> {
    let runtime =
        tokio::runtime::Builder::new_current_thread().enable_all().build().context("starting the search indexer")?;
    runtime.block_on(async {
        // Keep `index.html` in result URLs: every internal link of the site names
        // the file, so the site also works from hosts without directory indexes.
        let config = PagefindServiceConfig::builder().keep_index_url(true).build();
        let mut index = PagefindIndex::new(Some(config)).context("configuring Pagefind")?;
        let pages = index
            .add_directory(site.to_string_lossy().into_owned(), Some("**/*.html".into()))
            .await
            .context("indexing pages for search")?;
        let files = index.get_files().await.context("building the search index")?;
        for file in files.iter().filter(|f| shipped(&f.filename)) {
            let name = file.filename.to_string_lossy().replace('\\', "/");
            out.write(&format!("{BUNDLE}/{name}"), &file.contents)?;
        }
        Ok(pages)
    })
}

/// Pagefind's own UIs (default, modular, component) and highlighter are left
/// out: the theme's search page uses the JavaScript API only.
fn shipped(file: &Path) -> bool {
    let name = file.to_string_lossy();
    !(name.contains("-ui.") || name.starts_with("pagefind-highlight") || name.starts_with("playground"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_search_api_and_index_are_shipped() {
        for kept in
            ["pagefind.js", "pagefind-worker.js", "pagefind-entry.json", "wasm.en.pagefind", "index/en_1.pf_index"]
        {
            assert!(shipped(Path::new(kept)), "{kept}");
        }
        for dropped in ["pagefind-ui.js", "pagefind-ui.css", "pagefind-component-ui.js", "pagefind-highlight.js"] {
            assert!(!shipped(Path::new(dropped)), "{dropped}");
        }
    }
}
