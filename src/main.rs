//! The `sourcebook` binary: parse the command line, run, map the result to
//! an exit code. The only place that exits.

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser;

/// mimalloc instead of the system allocator: a build makes millions of
/// short-lived strings on two threads, and glibc's malloc spent ~15% of a
/// 10,000-article build in malloc/free (bench/README.md, "Profiling").
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // Transparent huge pages: mimalloc asks for them, and on a busy host the
    // kernel then compacts memory to find them, at the first touch of each
    // 2 MiB. That was 0.3 to 0.7 s of system time in a 2 s build of 10,000
    // articles, and more peak memory; without them, a steady 0.2 to 0.5 s.
    // (The same as MIMALLOC_ALLOW_THP=0; bench/README.md, "Profiling".)
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
    let cli = sourcebook::cli::Cli::parse();
    match sourcebook::cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            // not `eprintln!`: a closed stderr would make it panic (exit 101)
            let _ = writeln!(std::io::stderr(), "error: {e:#}");
            ExitCode::from(1)
        }
    }
}
