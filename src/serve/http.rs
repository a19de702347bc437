//! The preview server: serves the in-memory site (never a path outside it),
//! with copied files streamed from their source files, injects the
//! live-reload script into HTML responses only here, and pushes the site's
//! state (version, errors) to open pages as server-sent events.

use std::convert::Infallible;
use std::hash::{Hash, Hasher};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio_stream::StreamExt as _;
use tokio_stream::wrappers::WatchStream;

use super::session::{Action, Files, Served, Session};
use super::{host, listen, watch};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::ui::Ui;

/// `serve`'s options.
#[derive(Debug, Clone)]
pub struct Options {
    pub root: PathBuf,
    pub bind: IpAddr,
    /// 0 picks a free port.
    pub port: u16,
    pub open: bool,
    pub drafts: bool,
}

/// What open pages see: the files, a version that changes with them, and
/// the diagnostics to show over the page while the sources have errors.
#[derive(Debug, Clone)]
pub(super) struct Published {
    pub files: Arc<Files>,
    /// The site's folder, which copied files are read from.
    pub root: Arc<Path>,
    pub version: u64,
    pub errors: Option<String>,
    /// The search index is being written again after the pages were
    /// published: its requests wait for it.
    pub index_behind: bool,
}

const SCRIPT_PATH: &str = "/__sourcebook/livereload.js";
const EVENTS_PATH: &str = "/__sourcebook/events";
const SCRIPT: &str = include_str!("livereload.js");

/// The script's address as pages load it: named by its bytes, so a browser
/// keeps it across reloads and a new `sourcebook` never meets an old copy.
static SCRIPT_SRC: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| format!("{SCRIPT_PATH}?{:08x}", crate::theme::content_hash(SCRIPT.as_bytes())));

/// For a file that cannot change under its name (see [`with_headers`]).
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// For every other file: an edited page must never be served from a cache.
const REVALIDATE: &str = "no-cache";

/// Build, serve and watch until interrupted.
pub fn serve(mut options: Options, ui: Ui) -> anyhow::Result<()> {
    let started = Instant::now();
    // the watcher reports absolute, resolved paths: the root must be one too,
    // whatever form it was given in (`.`, `site`, `../site`, a symlink)
    options.root = std::fs::canonicalize(&options.root)
        .map_err(|e| anyhow::anyhow!("cannot serve {}: {e}", options.root.display()))?;
    // watching starts before the first build, so nothing saved meanwhile is missed
    let changes = watch::start(&options.root)?;
    // the pages first; the search index once the sources are quiet (`rebuild_loop`)
    let session = Session::start(&options.root, options.drafts)?;
    ui.report(&session.diagnostics);
    let (tx, rx) = tokio::sync::watch::channel(publish(&session, 1));
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let listener = runtime.block_on(listen::bind(&options, ui))?;
    let address = listener.local_addr()?;
    if !options.bind.is_loopback() {
        crate::ui::eprintln(format_args!(
            "warning: serving on {} makes the preview reachable from other machines",
            options.bind
        ));
    }
    // a site with errors is served too: each page shows them until fixed
    let errors = match session.diagnostics.error_count() {
        0 => String::new(),
        n => format!(" with {} (each page lists them until they are fixed)", crate::ui::count(n, "error")),
    };
    ui.info(&format!(
        "built in {} ms{errors}; serving {} at http://{address}/ (Ctrl-C to stop)",
        started.elapsed().as_millis(),
        options.root.display()
    ));
    if options.open {
        let _ = std::process::Command::new("xdg-open").arg(format!("http://{address}/")).spawn();
    }
    std::thread::spawn(move || rebuild_loop(session, changes, tx, ui));
    let app = router(rx, host::Hosts::for_bind(options.bind));
    // Ctrl-C ends the server at once: open pages hold event streams that
    // never end by themselves, so a graceful shutdown would wait forever
    runtime.block_on(async move {
        tokio::select! {
            () = listen::serve(listener, app) => {}
            _ = tokio::signal::ctrl_c() => {}
        }
    });
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    Ok(())
}

fn publish(session: &Session, version: u64) -> Published {
    // the overlay shows what stops the build: errors (or a failed
    // rebuild), not the warnings
    Published {
        files: session.files(),
        root: session.root(),
        version,
        errors: session.errors_text(false),
        index_behind: session.index_behind(),
    }
}

/// How long the sources stay unchanged after a rebuild before the search
/// index is written again: the page the author looks at reloads first,
/// without the index's work beside it on the same cores; a search request
/// meanwhile waits for the index (see [`page`]).
const INDEX_AFTER: Duration = Duration::from_millis(300);

/// Rebuild after each batch of changes and publish the result, for as long
/// as the changes come (the watcher's: as long as `serve` runs).
fn rebuild_loop(
    mut session: Session,
    mut changes: impl watch::Batches,
    tx: tokio::sync::watch::Sender<Published>,
    ui: Ui,
) {
    let mut version = 1;
    let mut index_written = false;
    // the warnings printed at start
    let mut shown = ShownWarnings::default();
    shown.new_warnings(&session.diagnostics);
    loop {
        let batch = match changes.next_batch(session.index_behind().then_some(INDEX_AFTER)) {
            watch::Next::Batch(batch) => batch,
            watch::Next::Quiet => {
                // written, or failed: either is published (without a new
                // version: the pages need not reload again)
                let indexing = Instant::now();
                session.update_index();
                let _ = tx.send(publish(&session, version));
                // the first is the one the start left for later
                let again = if index_written { " again" } else { "" };
                index_written = true;
                ui.info(&format!("search index written{again} in {} ms", indexing.elapsed().as_millis()));
                continue;
            }
            watch::Next::End => return,
        };
        if let Some(log) = batch.own_output.iter().find_map(|path| session.input(path)) {
            // said once: a change to it is never a rebuild (it would be
            // written to again, for ever)
            ui.info(&format!(
                "warning: serve writes its messages to {log}, an input of the site: it rebuilds nothing when \
                 that file changes, and `build` would publish it; send them to a file outside the site's folders"
            ));
        }
        let started = Instant::now();
        // a failed or panicking rebuild is an Action too: this loop goes on
        let action = session.update_pages(&batch.paths, batch.rescan);
        if action == Action::Nothing {
            continue;
        }
        // open pages first; the search index once the sources are quiet;
        // then the terminal (warnings were listed at start)
        version += 1;
        let _ = tx.send(publish(&session, version));
        let took = started.elapsed().as_millis();
        if let Some(errors) = session.errors_text(ui.color) {
            crate::ui::eprint(format_args!("{errors}"));
        }
        // a warning this save brought is shown in full; the others were
        // shown when they came, and are counted
        let new = shown.new_warnings(&session.diagnostics);
        if !new.is_empty() && !ui.quiet {
            crate::ui::eprint(format_args!("{}", new.render_text(ui.color)));
        }
        let state = if session.has_errors() { "kept the last good site" } else { "rebuilt" };
        let warnings = session.diagnostics.warning_count();
        let note = match (warnings, new.warning_count()) {
            (0, _) => String::new(),
            (all, 0) => format!(", {}", crate::ui::count(all, "warning")),
            (all, new) => format!(", {} ({new} new, shown above)", crate::ui::count(all, "warning")),
        };
        ui.info(&format!("{state} ({action}) in {took} ms{note}"));
    }
}

/// The warnings the terminal has shown, so that after a save it shows the
/// ones that save brought and counts the rest. Each is kept as a hash of
/// its code, file, line and message: a save on a large site has tens of
/// thousands, and none is copied to be remembered.
#[derive(Default)]
struct ShownWarnings(std::collections::HashSet<u64>);

impl ShownWarnings {
    /// The warnings of `now` not shown before; `now`'s become the ones shown.
    fn new_warnings(&mut self, now: &Diagnostics) -> Diagnostics {
        let key = |d: &Diagnostic| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            (d.code, &d.file, d.line(), &d.message).hash(&mut h);
            h.finish()
        };
        let mut new = Diagnostics::new();
        let mut seen = std::collections::HashSet::with_capacity(self.0.len());
        for d in now.iter().filter(|d| !d.is_error()) {
            let k = key(d);
            if !self.0.contains(&k) {
                new.push(d.clone());
            }
            seen.insert(k);
        }
        self.0 = seen;
        new
    }
}

/// The routes, every one behind the `Host` check (`host`).
fn router(rx: tokio::sync::watch::Receiver<Published>, hosts: host::Hosts) -> Router {
    let streams = Arc::new(tokio::sync::Semaphore::new(listen::MAX_EVENT_STREAMS));
    Router::new()
        .route(EVENTS_PATH, get(move |State(rx)| events(rx, Arc::clone(&streams))))
        .route(
            SCRIPT_PATH,
            get(|| async {
                let headers =
                    [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, IMMUTABLE)];
                (headers, SCRIPT)
            }),
        )
        .fallback(page)
        .with_state(rx)
        .layer(axum::middleware::from_fn_with_state(hosts, host::guard))
}

/// The page's live-reload stream, while fewer than
/// [`listen::MAX_EVENT_STREAMS`] are open (the permit is held by the stream,
/// and given back when the page closes it).
async fn events(rx: tokio::sync::watch::Receiver<Published>, streams: Arc<tokio::sync::Semaphore>) -> Response {
    let Ok(permit) = streams.try_acquire_owned() else {
        let message = "too many pages are following the preview: close some";
        return (StatusCode::SERVICE_UNAVAILABLE, [(header::RETRY_AFTER, "10")], message).into_response();
    };
    let stream = WatchStream::new(rx).map(move |p| {
        let _held = &permit;
        let data = serde_json::json!({ "version": p.version, "errors": p.errors });
        Ok::<_, Infallible>(Event::default().event("state").data(data.to_string()))
    });
    Sse::new(stream).keep_alive(KeepAlive::default()).into_response()
}

async fn page(
    State(rx): State<tokio::sync::watch::Receiver<Published>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return (StatusCode::METHOD_NOT_ALLOWED, [(header::ALLOW, "GET, HEAD")]).into_response();
    }
    let mut published = rx.borrow().clone();
    let Some(key) = file_key(uri.path()) else {
        return (StatusCode::BAD_REQUEST, "bad path").into_response();
    };
    if published.index_behind && key.starts_with(crate::search::BUNDLE) {
        // the edited page was published first: the index follows within moments
        let mut rx = rx.clone();
        let _ = tokio::time::timeout(Duration::from_secs(10), rx.wait_for(|p| !p.index_behind)).await;
        published = rx.borrow().clone();
    }
    let files = &published.files;
    match files.get(&key) {
        Some(Served::Made(bytes)) => return respond(StatusCode::OK, &key, bytes, published.version, &headers),
        Some(Served::Copied(from)) => {
            if let Some(response) = copied(&published, &key, from, &headers).await {
                return response;
            }
        }
        None => {}
    }
    // `/safety` for `/safety/`: redirect so relative links resolve
    if !key.is_empty() && files.contains_key(&format!("{key}/index.html")) {
        return (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, folder_location(&key))]).into_response();
    }
    match files.get("404.html") {
        Some(Served::Made(bytes)) => respond(StatusCode::NOT_FOUND, "404.html", bytes, published.version, &headers),
        // no good build yet (the site had errors from the start): a page
        // that shows them, and reloads once they are fixed
        _ => {
            let status =
                if published.errors.is_some() { StatusCode::SERVICE_UNAVAILABLE } else { StatusCode::NOT_FOUND };
            respond(status, "index.html", &waiting_page(&published), published.version, &headers)
        }
    }
}

/// What a page shows before the site has built once.
fn waiting_page(published: &Published) -> Bytes {
    let (title, body) = match &published.errors {
        Some(errors) => ("The site has errors", crate::html::escape(errors)),
        None => ("Not found", String::from("There is no page at this address.")),
    };
    Bytes::from(format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\n<body><h1>{title}</h1><pre>{body}</pre></body></html>\n"
    ))
}

/// Where the folder `key` is (`basics` -> `/basics/`), made from the file
/// key rather than the request's path: a key has no empty, `.` or `..`
/// segment, so the location starts with one `/` and a segment. The path
/// as asked for would not do: `//evil.example/x` redirected to
/// `//evil.example/x/` sends the browser to the host `evil.example`. Each
/// segment is percent-encoded again (the key is decoded), so nothing in a
/// file's name reads as anything but a path.
fn folder_location(key: &str) -> String {
    use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
    const SEGMENT: &AsciiSet = &CONTROLS
        .add(b' ')
        .add(b'"')
        .add(b'#')
        .add(b'%')
        .add(b'/')
        .add(b'<')
        .add(b'>')
        .add(b'?')
        .add(b'\\')
        .add(b'`')
        .add(b'{')
        .add(b'}');
    let mut location = String::from("/");
    for segment in key.split('/') {
        location.extend(utf8_percent_encode(segment, SEGMENT));
        location.push('/');
    }
    location
}

/// The file a request path names, or `None` for a path that could leave the
/// site (`..`, `%2e%2e`, encoded slashes, backslashes, NUL). Directories map
/// to their `index.html`.
pub(super) fn file_key(path: &str) -> Option<String> {
    let decoded = percent_decode(path)?;
    if decoded.contains('\0') || decoded.contains('\\') {
        return None;
    }
    let mut parts = Vec::new();
    for part in decoded.split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            p => parts.push(p),
        }
    }
    let mut key = parts.join("/");
    if decoded.ends_with('/') || key.is_empty() {
        if !key.is_empty() {
            key.push('/');
        }
        key.push_str("index.html");
    }
    Some(key)
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn respond(status: StatusCode, key: &str, bytes: &Bytes, version: u64, headers: &HeaderMap) -> Response {
    let content_type = content_type(key);
    let body: Bytes = if content_type.starts_with("text/html") { inject(bytes, version) } else { bytes.clone() };
    let etag = etag(&body);
    // a theme's stylesheet or script named by its bytes is not asked for
    // again at each reload: the page shows sooner after a save
    let cache =
        if status == StatusCode::OK && crate::theme::names_its_bytes(key, bytes) { IMMUTABLE } else { REVALIDATE };
    let response = if status == StatusCode::OK && unchanged(headers, &etag) {
        Response::builder().status(StatusCode::NOT_MODIFIED).body(Body::empty())
    } else {
        Response::builder().status(status).body(Body::from(body))
    };
    with_headers(response, content_type, &etag, cache)
}

/// A copied file, streamed from its source file as `input` opens it (a
/// regular file, a link only to a file inside the site; a FIFO put there
/// since the build is refused, not waited on). `None` when it cannot be
/// read now (gone, or no longer a file): the caller answers 404 (the
/// watcher has seen the change and a rebuild follows).
async fn copied(published: &Published, key: &str, from: &Path, headers: &HeaderMap) -> Option<Response> {
    let content_type = content_type(key);
    let (root, path) = (Arc::clone(&published.root), from.to_path_buf());
    if content_type.starts_with("text/html") {
        // an HTML file among the assets: read whole, to add the live-reload script
        let bytes = tokio::task::spawn_blocking(move || Served::Copied(path).bytes(&root)).await.ok()?.ok()?;
        return Some(respond(StatusCode::OK, key, &bytes, published.version, headers));
    }
    let opened = tokio::task::spawn_blocking(move || {
        let (file, len) = crate::input::open(&root, &path).ok()?;
        let etag = file_etag(&file.metadata().ok()?);
        Some((file, len, etag))
    });
    let (file, len, etag) = opened.await.ok()??;
    let response = if unchanged(headers, &etag) {
        Response::builder().status(StatusCode::NOT_MODIFIED).body(Body::empty())
    } else {
        // never more than the length the headers announce, should the file grow
        let file = tokio::io::AsyncReadExt::take(tokio::fs::File::from_std(file), len);
        let stream = tokio_util::io::ReaderStream::with_capacity(file, 256 * 1024);
        Response::builder().status(StatusCode::OK).header(header::CONTENT_LENGTH, len).body(Body::from_stream(stream))
    };
    Some(with_headers(response, content_type, &etag, REVALIDATE))
}

/// Whether the request's `If-None-Match` names `etag`.
fn unchanged(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
}

/// The headers every file is served with.
fn with_headers(
    response: Result<Response, axum::http::Error>,
    content_type: &'static str,
    etag: &str,
    cache: &'static str,
) -> Response {
    let mut response = response.unwrap_or_else(|_| Response::new(Body::empty()));
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(v) = HeaderValue::from_str(etag) {
        h.insert(header::ETAG, v);
    }
    h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    response
}

/// The live-reload script, added before `</body>` (served pages only; built
/// output never has it).
fn inject(html: &Bytes, version: u64) -> Bytes {
    let tag = format!("<script src=\"{}\" data-version=\"{version}\" defer></script>", *SCRIPT_SRC);
    let text = String::from_utf8_lossy(html);
    let out = match text.rfind("</body>") {
        Some(i) => format!("{}{tag}{}", &text[..i], &text[i..]),
        None => format!("{text}{tag}"),
    };
    Bytes::from(out)
}

fn etag(body: &[u8]) -> String {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    body.hash(&mut h);
    format!("\"{:016x}-{}\"", h.finish(), body.len())
}

/// A copied file's ETag, from what changes when it is written (not its
/// bytes, which are not read for it): which file, its length and mtime.
fn file_etag(meta: &std::fs::Metadata) -> String {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        (meta.dev(), meta.ino(), meta.mtime(), meta.mtime_nsec(), meta.ctime(), meta.ctime_nsec()).hash(&mut h);
    }
    #[cfg(not(unix))]
    meta.modified().ok().hash(&mut h);
    format!("\"{:016x}-{}\"", h.finish(), meta.len())
}

/// Content type by extension.
pub(super) fn content_type(key: &str) -> &'static str {
    let ext = key.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_map_to_files_and_never_leave_the_site() {
        assert_eq!(file_key("/").as_deref(), Some("index.html"));
        assert_eq!(file_key("/safety/").as_deref(), Some("safety/index.html"));
        assert_eq!(file_key("/assets/style.css").as_deref(), Some("assets/style.css"));
        assert_eq!(file_key("/a%20b.png").as_deref(), Some("a b.png"));
        assert_eq!(file_key("//etc/passwd").as_deref(), Some("etc/passwd")); // inside the site map: 404
        for bad in [
            "/../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/a/%2E%2E/%2e%2e/x",
            "/a%2f..%2f..%2fx",
            "/a%5c..%5cx",
            "/a%00",
            "/%zz",
        ] {
            assert_eq!(file_key(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_folder_redirect_names_the_folder_never_another_host() {
        for (path, want) in [
            ("/basics", "/basics/"),
            ("//basics", "/basics/"),
            ("///basics", "/basics/"),
            ("/./basics", "/basics/"),
            ("//evil.example/x", "/evil.example/x/"),
            ("/%2Fevil.example", "/evil.example/"),
            ("/Old%20Name", "/Old%20Name/"),
            ("/50%25%3F", "/50%25%3F/"),
        ] {
            let key = file_key(path).unwrap();
            assert_eq!(folder_location(&key), want, "{path}");
        }
    }

    #[test]
    fn a_panic_in_a_rebuild_reaches_the_overlay_and_the_next_save_rebuilds() {
        let dir = tempfile::tempdir().unwrap();
        crate::init::init(dir.path(), jiff::civil::date(2026, 1, 15)).unwrap().unwrap();
        let article = dir.path().join("content/basics/first-article.md");
        let save = |from: &str, to: &str| {
            let text = std::fs::read_to_string(&article).unwrap();
            std::fs::write(&article, text.replacen(from, to, 1)).unwrap();
            watch::Batch { paths: vec![article.clone()], ..Default::default() }
        };
        let session = Session::new(dir.path(), false).unwrap();
        let (tx, rx) = tokio::sync::watch::channel(publish(&session, 1));
        // what open pages see before each batch, and after the last
        let seen = std::cell::RefCell::new(Vec::new());
        let mut batches =
            [("Write in plain words", "Written once", true), ("Written once", "Written twice", false)].into_iter();
        let changes = std::iter::from_fn(|| {
            seen.borrow_mut().push(rx.borrow().clone());
            let (from, to, panic) = batches.next()?;
            if panic {
                super::super::session::panic_in_next_rebuild();
            }
            Some(save(from, to))
        });
        rebuild_loop(session, watch::Listed(changes), tx, Ui { quiet: true, verbose: false, color: false });

        let seen = seen.into_inner();
        let page = |p: &Published| {
            let bytes = p.files["basics/first-article/index.html"].bytes(&p.root).unwrap();
            String::from_utf8_lossy(&bytes).into_owned()
        };
        assert_eq!(seen.len(), 3, "the loop went on after the panic");
        let failed = &seen[1];
        assert!(failed.version > seen[0].version, "open pages are told");
        let shown = failed.errors.as_deref().unwrap_or_default();
        assert!(shown.contains("a panic injected by a test"), "the overlay shows it: {shown:?}");
        assert!(page(failed).contains("Write in plain words"), "the last good site stays served");
        let next = &seen[2];
        assert!(next.version > failed.version && next.errors.is_none(), "{:?}", next.errors);
        assert!(page(next).contains("Written twice"), "the next save rebuilt the site");
    }

    #[test]
    fn only_a_file_named_by_its_bytes_is_kept_across_reloads() {
        let css = Bytes::from_static(b"body { color: #222 }");
        let named = format!("assets/style.{:08x}.css", crate::theme::content_hash(&css));
        let cache = |key: &str, bytes: &Bytes| {
            let r = respond(StatusCode::OK, key, bytes, 1, &HeaderMap::new());
            r.headers()[header::CACHE_CONTROL].to_str().unwrap().to_string()
        };
        assert_eq!(cache(&named, &css), IMMUTABLE);
        // the same name over other bytes (a hand-written look-alike) is asked for again
        assert_eq!(cache(&named, &Bytes::from_static(b"body { color: red }")), REVALIDATE);
        assert_eq!(cache("assets/style.css", &css), REVALIDATE);
        assert_eq!(cache("index.html", &Bytes::from_static(b"<p>x</p>")), REVALIDATE);
    }

    #[test]
    fn script_is_injected_before_body_end() {
        let out = inject(&Bytes::from_static(b"<html><body><p>x</p></body></html>"), 7);
        let text = String::from_utf8(out.to_vec()).unwrap();
        assert!(
            text.ends_with(&format!(
                "<script src=\"{}\" data-version=\"7\" defer></script></body></html>",
                *SCRIPT_SRC
            ))
        );
    }
}
