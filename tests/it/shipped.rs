//! The repository's own site: it must always build with no error, and its
//! pages must open from disk. (`check`'s editorial review joins this once
//! that command exists.)

use std::path::Path;

use crate::output::assert_links_work_from_disk;
use crate::support::copy_tree;

#[test]
fn the_shipped_ketamine_site_builds_without_errors_or_warnings() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(root.join("site.yaml"), dir.path().join("site.yaml")).unwrap();
    copy_tree(&root.join("content"), &dir.path().join("content"));
    copy_tree(&root.join("themes"), &dir.path().join("themes"));
    let report = crate::support::build_at(dir.path());
    let found: Vec<_> = report.diagnostics.iter().map(|d| d.render(false)).collect();
    assert!(found.is_empty(), "{}", found.join("\n"));
    let public = dir.path().join("public");
    assert!(public.join("efficacy/ketamine-vs-ect/index.html").is_file());
    assert_links_work_from_disk(&public);
}
