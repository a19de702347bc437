//! One integration test binary (as mdBook and ripgrep do), a module per feature.

#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

mod assets;
mod bibtex;
mod check;
mod cli;
mod equivalence;
mod faq;
mod fixtures;
mod governance;
#[cfg(unix)]
mod input_safety;
mod mutations;
mod output;
mod output_safety;
mod paths;
mod render;
mod search;
mod security;
mod serve;
mod shipped;
mod support;
