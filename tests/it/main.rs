//! One integration test binary (as mdBook and ripgrep do), a module per feature.

#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report
#![allow(unreachable_pub)] // a test crate: its helpers are shared between its modules

mod aliases;
mod architecture;
mod assets;
mod bibtex;
mod blocks;
mod check;
mod cli;
#[cfg(unix)]
mod deploy;
mod equivalence;
mod faq;
mod feedback;
mod first_hour;
mod fixtures;
mod follow_on;
mod governance;
mod hostile;
#[cfg(unix)]
mod input_safety;
mod messages;
mod mutations;
mod output;
mod output_safety;
mod paths;
mod render;
mod search;
mod security;
mod serve;
mod shipped;
mod sources;
mod split;
mod support;
mod tags;
