//! The module boundaries ARCHITECTURE.md states, enforced: each module of
//! `src/` uses only modules of lower layers, and each foreign crate is
//! named only in its home module. Both lists are read from ARCHITECTURE.md
//! itself, so the document and the code cannot drift apart.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The "## Layers" section of ARCHITECTURE.md.
fn layers_section() -> String {
    let text = std::fs::read_to_string(repo().join("ARCHITECTURE.md")).unwrap();
    let start = text.find("\n## Layers\n").expect("ARCHITECTURE.md has a `## Layers` section");
    let rest = &text[start + 1..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |i| i + 3);
    rest[..end].to_string()
}

/// The names in backticks on a line.
fn ticked(line: &str) -> Vec<String> {
    line.split('`').skip(1).step_by(2).map(str::to_string).collect()
}

/// Module → its layer (1 is the lowest), from the numbered list.
fn layers() -> BTreeMap<String, usize> {
    let mut layers = BTreeMap::new();
    for line in layers_section().lines() {
        let Some((number, rest)) = line.split_once(". ") else { continue };
        let Ok(layer) = number.trim().parse::<usize>() else { continue };
        for module in ticked(rest) {
            layers.insert(module, layer);
        }
    }
    layers
}

/// Foreign crate → the modules it may be named in, from the bullet list.
fn homes() -> BTreeMap<String, Vec<String>> {
    let mut homes = BTreeMap::new();
    for line in layers_section().lines() {
        let Some(item) = line.strip_prefix("- ") else { continue };
        let Some((crates, modules)) = item.split_once(':') else { continue };
        for krate in ticked(crates) {
            homes.insert(krate, ticked(modules));
        }
    }
    homes
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    files
}

/// The module a file of `src/` belongs to (`src/site/links.rs` → `site`);
/// `None` for the crate root and the binary.
fn module_of(file: &Path) -> Option<String> {
    let rel = file.strip_prefix(repo().join("src")).unwrap();
    let first = rel.components().next()?.as_os_str().to_str()?.trim_end_matches(".rs").to_string();
    (!matches!(first.as_str(), "lib" | "main")).then_some(first)
}

/// The file's code without its test modules (`#[cfg(test)] mod … { … }`,
/// cut at the brace that closes it) and without comments.
fn code(file: &Path) -> String {
    let mut text = std::fs::read_to_string(file).unwrap();
    while let Some(start) = text.find("#[cfg(test)]\nmod ") {
        let open = start + text[start..].find('{').unwrap_or(text.len() - start);
        let mut depth = 0usize;
        let mut end = text.len();
        for (i, c) in text[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        text.replace_range(start..end, "");
    }
    text.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n")
}

/// The first path segment after each `crate::`, including each item of a
/// `use crate::{a, b::c}` group.
fn crate_paths(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (i, _) in code.match_indices("crate::") {
        // `$crate::` in a macro is not a module path
        if code[..i].ends_with('$') {
            continue;
        }
        let rest = &code[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            for item in group.split(',') {
                let name: String = item.trim().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                if !name.is_empty() {
                    found.insert(name);
                }
            }
        } else {
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            found.insert(name);
        }
    }
    found
}

#[test]
fn every_module_is_in_a_layer() {
    let layers = layers();
    let lib = std::fs::read_to_string(repo().join("src/lib.rs")).unwrap();
    for line in lib.lines() {
        let line = line.trim();
        let Some(module) = line.strip_prefix("pub mod ").or_else(|| line.strip_prefix("mod ")) else { continue };
        let module = module.trim_end_matches(';');
        assert!(layers.contains_key(module), "src/lib.rs declares `{module}`, which ARCHITECTURE.md puts in no layer");
    }
}

/// The public API is what ARCHITECTURE.md lists: `pub mod` in src/lib.rs
/// exactly for those modules (items inside are held by `unreachable_pub`).
#[test]
fn only_the_documented_modules_are_public() {
    let documented: BTreeSet<String> = layers_section()
        .lines()
        .find_map(|l| l.strip_prefix("- Public: "))
        .map(|l| ticked(l).into_iter().collect())
        .expect("ARCHITECTURE.md lists the public modules");
    let lib = std::fs::read_to_string(repo().join("src/lib.rs")).unwrap();
    let public: BTreeSet<String> = lib
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod "))
        .map(|m| m.trim_end_matches(';').to_string())
        .collect();
    assert_eq!(public, documented);
    let manifest = std::fs::read_to_string(repo().join("Cargo.toml")).unwrap();
    assert!(manifest.contains("\nunreachable_pub = \"warn\""), "Cargo.toml turns on `unreachable_pub`");
}

#[test]
fn no_module_uses_a_module_above_or_beside_it() {
    let layers = layers();
    assert!(layers.len() > 10, "the layer list was read: {layers:?}");
    let mut broken = Vec::new();
    for file in rust_files(&repo().join("src")) {
        let Some(module) = module_of(&file) else { continue };
        let own = layers[&module];
        for used in crate_paths(&code(&file)) {
            let Some(&layer) = layers.get(&used) else { continue }; // a root item: `lock`, `Timings`
            if used != module && layer >= own {
                broken.push(format!("{} (`{module}`, layer {own}) uses `{used}` (layer {layer})", file.display()));
            }
        }
    }
    assert!(broken.is_empty(), "imports against ARCHITECTURE.md's layers:\n{}", broken.join("\n"));
}

#[test]
fn foreign_crates_stay_in_their_home_modules() {
    let homes = homes();
    assert!(homes.contains_key("tera") && homes.contains_key("hayagriva"), "the list was read: {homes:?}");
    let mut broken = Vec::new();
    for file in rust_files(&repo().join("src")) {
        let module = module_of(&file).unwrap_or_default();
        let code = code(&file);
        for (krate, home) in &homes {
            let named = code.match_indices(&format!("{krate}::")).any(|(i, _)| {
                // a whole name: not the tail of `my_tera::`
                !code[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_')
            });
            if named && !home.contains(&module) {
                broken.push(format!("{} names `{krate}`, whose home is {home:?}", file.display()));
            }
        }
    }
    assert!(broken.is_empty(), "foreign crates outside their home modules:\n{}", broken.join("\n"));
}

/// The checker itself finds what it must: a made-up file's paths.
#[test]
fn the_import_scanner_reads_paths_groups_and_ignores_macros() {
    let found = crate_paths("use crate::{site::Site, html, lock};\nlet x = crate::theme::x();\n$crate::nope");
    assert_eq!(found.into_iter().collect::<Vec<_>>(), ["html", "lock", "site", "theme"]);
}
