//! `sourcebook serve`.

use std::net::IpAddr;
use std::path::Path;
use std::process::ExitCode;

use super::Ui;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Port to listen on (the next free one if it is taken; 0 for any).
    #[arg(long, default_value_t = 1111)]
    pub port: u16,
    /// Address to listen on (`localhost` is 127.0.0.1). Anything but
    /// loopback makes the preview public.
    #[arg(long, default_value = "127.0.0.1", value_parser = bind_address)]
    pub bind: IpAddr,
    /// Open the site in the browser.
    #[arg(long)]
    pub open: bool,
    /// Include articles marked `draft: true`.
    #[arg(long)]
    pub drafts: bool,
}

pub(super) fn run(root: &Path, args: Args, ui: Ui) -> anyhow::Result<ExitCode> {
    // a site with errors is served (its error page lists them, and a fix
    // clears it); a folder that holds no site is the wrong folder
    if std::fs::symlink_metadata(root.join(crate::config::FILE)).is_err()
        && let Err(found) = crate::config::Config::load(root)
    {
        let mut diags = crate::diagnostics::Diagnostics::new();
        diags.extend(found);
        ui.report(&diags.sorted());
        return Ok(ExitCode::from(1));
    }
    let options = crate::serve::Options {
        root: root.to_path_buf(),
        bind: args.bind,
        port: args.port,
        open: args.open,
        drafts: args.drafts,
    };
    match crate::serve::serve(options, ui) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) => match e.downcast_ref::<crate::serve::CannotListen>() {
            Some(why) => {
                crate::ui::eprintln(format_args!(
                    "error: {why}\n  help: choose another --port, or a --bind address of this machine (127.0.0.1, the default, or 0.0.0.0 for every network)"
                ));
                Ok(ExitCode::from(2))
            }
            None => Err(e),
        },
    }
}

/// `--bind`: an IP address, or `localhost`, the name every machine gives
/// its loopback address (127.0.0.1: this machine only). Other names are
/// not looked up: a name may stand for an address of another machine, or
/// for several.
fn bind_address(text: &str) -> Result<IpAddr, String> {
    if text.eq_ignore_ascii_case("localhost") {
        return Ok(IpAddr::from([127, 0, 0, 1]));
    }
    text.parse().map_err(|_| {
        format!(
            "`{text}` is not an IP address: give 127.0.0.1 (this machine only, the default) or 0.0.0.0 (every network)"
        )
    })
}
