//! `sourcebook serve`: build in memory, serve over HTTP, watch the sources,
//! rebuild the least a change needs, and tell open pages to reload (or show
//! the errors over the page) through server-sent events.

mod files;
mod host;
mod http;
mod listen;
pub mod session;
mod watch;

pub use http::{Options, serve};
pub use listen::CannotListen;
