//! Which `Host` the preview answers to. Bound to a loopback address (the
//! default), only a loopback name or address: a page of another site can
//! have its own name resolve to 127.0.0.1 (DNS rebinding), and the browser
//! then treats the preview as that site's own origin, free to read every
//! page (drafts included) and the event stream; its requests still name
//! its host, and are refused here. Bound to another address (`--bind`),
//! the preview is meant to be reached by whatever name leads to it, and
//! every `Host` is answered.
//!
//! The names answered are Vite's loopback ones: `localhost` and its
//! subdomains (which browsers resolve to loopback themselves, and no one
//! can register), and loopback addresses. Any IP address, which Vite also
//! accepts, is not: a preview on 127.0.0.1 is never reached by another.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use axum::extract::{Request, State};
use axum::http::{StatusCode, Version, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Which hosts a request may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Hosts {
    Loopback,
    Any,
}

impl Hosts {
    /// Loopback names for a server bound to a loopback address.
    pub(super) fn for_bind(bind: IpAddr) -> Hosts {
        if bind.is_loopback() { Hosts::Loopback } else { Hosts::Any }
    }
}

/// The middleware: every route, the event stream included, is behind it.
/// Every answer says that only the preview's own pages may use it
/// (`Cross-Origin-Resource-Policy`), for browsers that do not send what
/// [`cross_site_fetch`] reads.
pub(super) async fn guard(State(hosts): State<Hosts>, request: Request, next: Next) -> Response {
    let refused =
        refusal(hosts, &request).or_else(|| cross_site_fetch(&request).then_some((StatusCode::FORBIDDEN, CROSS_SITE)));
    let mut response = match refused {
        None => next.run(request).await,
        Some((status, reason)) => {
            let headers = [(header::CONTENT_TYPE, "text/plain; charset=utf-8"), (header::CACHE_CONTROL, "no-store")];
            (status, headers, reason).into_response()
        }
    };
    response.headers_mut().insert("cross-origin-resource-policy", header::HeaderValue::from_static("same-origin"));
    response
}

/// Whether `request` is another site's page fetching a resource (a
/// `<script>`, an image, `fetch`, an event stream), as the browser's
/// `Sec-Fetch-*` headers say. Such a page can read what it includes: the
/// search index's files are scripts that call a function the page may
/// define, so every page's text, drafts included, would be its to read.
/// The name it sends is the preview's own (127.0.0.1), so the `Host` check
/// lets it through. A link followed from another site (a navigation) is
/// answered: the page that held the link cannot read the answer.
fn cross_site_fetch(request: &Request) -> bool {
    let value = |name: &str| request.headers().get(name).and_then(|v| v.to_str().ok());
    matches!(value("sec-fetch-site"), Some("cross-site" | "same-site")) && value("sec-fetch-mode") != Some("navigate")
}

const CROSS_SITE: &str =
    "403 Forbidden: the preview's files are for its own pages; another site's page may not use them.\n";

/// Why `request` is not answered, if it is not. The reason never repeats
/// what the request said.
fn refusal(hosts: Hosts, request: &Request) -> Option<(StatusCode, &'static str)> {
    if hosts == Hosts::Any {
        return None;
    }
    let named = match named_host(request) {
        Ok(named) => named,
        Err(reason) => return Some((StatusCode::BAD_REQUEST, reason)),
    };
    match named {
        Some(host) if is_loopback(&host) => None,
        // an HTTP/1.0 client may send no Host; a browser always does
        None if request.version() == Version::HTTP_10 => None,
        None => Some((StatusCode::BAD_REQUEST, "400 Bad Request: the request names no host (Host header).\n")),
        Some(_) => Some((StatusCode::FORBIDDEN, NOT_LOOPBACK)),
    }
}

const NOT_LOOPBACK: &str = "403 Forbidden: this preview answers only to localhost, 127.0.0.1 and [::1]. \
A page under another name could read it (DNS rebinding). To reach it by another name, \
run `sourcebook serve --bind` with the machine's address.\n";

/// The host a request names: the authority of an absolute-form target
/// (`GET http://host/path`), which a server must use instead of `Host`,
/// else the one `Host` header; `Ok(None)` when there is neither.
fn named_host(request: &Request) -> Result<Option<String>, &'static str> {
    if let Some(authority) = request.uri().authority() {
        return Ok(Some(authority.host().to_string()));
    }
    let mut hosts = request.headers().get_all(header::HOST).iter();
    let (Some(value), None) = (hosts.next(), hosts.next()) else {
        return if request.headers().contains_key(header::HOST) {
            Err("400 Bad Request: more than one Host header.\n")
        } else {
            Ok(None)
        };
    };
    let value = value.to_str().map_err(|_| BAD_HOST)?;
    Ok(Some(without_port(value).ok_or(BAD_HOST)?.to_string()))
}

/// The host of a `Host` value, `host[:port]` (an IPv6 address in brackets),
/// or `None` when it is not of that form.
fn without_port(value: &str) -> Option<&str> {
    let (host, rest) = match value.strip_prefix('[') {
        Some(v6) => value.split_at(v6.find(']')? + 2),
        None => value.split_at(value.find(':').unwrap_or(value.len())),
    };
    let port = rest.strip_prefix(':').unwrap_or(rest);
    let port_ok = (rest.is_empty() || rest.starts_with(':')) && port.bytes().all(|b| b.is_ascii_digit());
    (port_ok && !host.is_empty()).then_some(host)
}

const BAD_HOST: &str = "400 Bad Request: the Host header is not a host name or address.\n";

/// `localhost`, a name under it, or a loopback address (IPv6 in brackets,
/// as a URL writes it); a trailing dot (`localhost.`) is the same name.
fn is_loopback(host: &str) -> bool {
    let host = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
    if host == "localhost" || host.ends_with(".localhost") {
        return true;
    }
    if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return v6
            .parse::<Ipv6Addr>()
            .is_ok_and(|ip| ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback()));
    }
    host.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;

    fn request(target: &str, version: Version, hosts: &[&str]) -> Request {
        let mut builder = Request::builder().uri(target).version(version);
        for host in hosts {
            builder = builder.header(header::HOST, *host);
        }
        builder.body(Body::empty()).unwrap()
    }

    fn status(hosts: Hosts, target: &str, version: Version, host: &[&str]) -> Option<u16> {
        refusal(hosts, &request(target, version, host)).map(|(status, _)| status.as_u16())
    }

    #[test]
    fn a_loopback_preview_answers_only_requests_that_name_a_loopback_host() {
        let v11 = Version::HTTP_11;
        for host in [
            "localhost",
            "localhost:1111",
            "LocalHost:1111",
            "localhost.:1111",
            "docs.localhost:1111",
            "127.0.0.1",
            "127.0.0.1:18111",
            "127.1.2.3:80",
            "[::1]",
            "[::1]:1111",
            "[::ffff:127.0.0.1]:1111",
        ] {
            assert_eq!(status(Hosts::Loopback, "/", v11, &[host]), None, "{host}");
        }
        for (host, want) in [
            ("attacker.example", 403),
            ("attacker.example:1111", 403),
            ("localhost.attacker.example", 403),
            ("127.0.0.1.nip.io:1111", 403),
            ("localhostx", 403),
            ("0.0.0.0:1111", 403),
            ("[::]:1111", 403),
            ("192.168.1.20:1111", 403),
            ("localhost@attacker.example", 403),
            ("attacker.example@localhost", 403),
            ("::1", 400),
            ("localhost:port", 400),
            ("localhost:1111:2222", 400),
            ("[::1", 400),
            ("[::1]x", 400),
            ("", 400),
        ] {
            assert_eq!(status(Hosts::Loopback, "/", v11, &[host]), Some(want), "{host}");
        }
        assert_eq!(status(Hosts::Loopback, "/", v11, &["localhost", "attacker.example"]), Some(400));
        assert_eq!(status(Hosts::Loopback, "/", v11, &[]), Some(400), "HTTP/1.1 must name a host");
        assert_eq!(status(Hosts::Loopback, "/", Version::HTTP_10, &[]), None, "HTTP/1.0 need not");
        // the absolute form's host is the one named, whatever Host says
        assert_eq!(status(Hosts::Loopback, "http://attacker.example//basics", v11, &["127.0.0.1"]), Some(403));
        assert_eq!(status(Hosts::Loopback, "http://127.0.0.1:1111/", v11, &["attacker.example"]), None);
        assert_eq!(status(Hosts::Loopback, "http://localhost@attacker.example/", v11, &[]), Some(403));
    }

    #[test]
    fn a_preview_bound_to_another_address_answers_any_host() {
        assert_eq!(Hosts::for_bind(IpAddr::from([127, 0, 0, 1])), Hosts::Loopback);
        assert_eq!(Hosts::for_bind(IpAddr::from(Ipv6Addr::LOCALHOST)), Hosts::Loopback);
        assert_eq!(Hosts::for_bind(IpAddr::from([0, 0, 0, 0])), Hosts::Any);
        assert_eq!(Hosts::for_bind(IpAddr::from([192, 168, 1, 20])), Hosts::Any);
        assert_eq!(status(Hosts::Any, "/", Version::HTTP_11, &["attacker.example"]), None);
    }
}
