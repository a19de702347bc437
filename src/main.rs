//! The `sourcebook` binary: parse the command line, run, map the result to
//! an exit code. The only place that exits.

use std::process::ExitCode;

use clap::Parser;

/// mimalloc instead of the system allocator: a build makes millions of
/// short-lived strings on two threads, and glibc's malloc spent ~15% of a
/// 10,000-article build in malloc/free (bench/README.md, "Profiling").
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = sourcebook::cli::Cli::parse();
    match sourcebook::cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}
