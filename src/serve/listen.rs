//! The preview's socket and connections: bind (the next free port if the
//! one asked for is taken), accept while fewer than [`MAX_CONNECTIONS`] are
//! open, and serve each with hyper's HTTP/1 under a deadline for every
//! request's head. It knows nothing of the routes (`http` does).
//!
//! Not `axum::serve`: it gives hyper no timer, so hyper's header timeout
//! never runs, and a client that sends half a request (or opens a
//! connection and sends nothing) holds a descriptor for ever; enough of
//! them and the server can accept nothing more.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use super::http::Options;
use crate::ui::Ui;

/// How long a connection may take to send a request's head, counted from
/// when the server waits for it: a new connection's first request, and
/// the next one on a kept-alive connection (so an idle connection is
/// closed after this long, as Node's servers do after 5 s). A response
/// being sent is not timed: the live-reload event stream stays open for as
/// long as the page does.
pub(super) const HEAD_TIMEOUT: Duration = Duration::from_secs(5);

/// At most this many connections open at once; more wait in the kernel's
/// queue, holding no descriptor, until one closes. A browser opens at most
/// six to one host, so only a runaway or hostile client ever meets it;
/// far below the usual 1,024 descriptors, which the files being streamed
/// and the watcher need too.
pub(super) const MAX_CONNECTIONS: usize = 256;

/// At most this many live-reload event streams open at once. Each holds
/// its connection for as long as its page is open, so without a limit of
/// their own a client opening [`MAX_CONNECTIONS`] of them would leave none
/// for anyone's pages; past it a stream is refused (503) and its page, still
/// served, is not reloaded.
pub(super) const MAX_EVENT_STREAMS: usize = MAX_CONNECTIONS / 4;

/// The port asked for, or (when taken) the next free one, said aloud.
pub(super) async fn bind(options: &Options, ui: Ui) -> anyhow::Result<TcpListener> {
    let mut port = options.port;
    loop {
        match TcpListener::bind(SocketAddr::new(options.bind, port)).await {
            Ok(l) => return Ok(l),
            Err(e)
                if e.kind() == std::io::ErrorKind::AddrInUse && port != 0 && port < options.port.saturating_add(20) =>
            {
                ui.info(&format!("port {port} is in use; trying {}", port + 1));
                port += 1;
            }
            Err(e) => return Err(CannotListen(format!("cannot listen on {}:{port}: {e}", options.bind)).into()),
        }
    }
}

/// The address or port asked for cannot be used (not an address of this
/// machine, a port taken 20 times over, or one that needs privileges): the
/// command line's mistake, a usage error, not the site's.
#[derive(Debug)]
pub struct CannotListen(pub String);

impl std::fmt::Display for CannotListen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CannotListen {}

/// Serve `app` on `listener` until this future is dropped (Ctrl-C).
pub(super) async fn serve(listener: TcpListener, app: Router) {
    let open = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        let Ok(permit) = Arc::clone(&open).acquire_owned().await else { return };
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            // out of descriptors (other processes' too), or a connection
            // reset before it was accepted: try again soon, without spinning
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let service = TowerToHyperService::new(app.clone());
        tokio::spawn(async move {
            // an error here is the client's (gone, timed out, not HTTP): nothing to report
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEAD_TIMEOUT)
                .serve_connection(TokioIo::new(stream), service)
                .await;
            drop(permit);
        });
    }
}
