//! Requests: only GET and HEAD, only for this server's own host names (so that a page of another
//! site cannot read the preview by rebinding its DNS name to this machine), paths checked before
//! they are looked up in the in-memory site (which holds nothing but the site, so no request can
//! reach another file), and a content type with its charset for every answer.

use std::io::Cursor;
use std::net::{IpAddr, SocketAddr};

use mime_guess::mime;
use percent_encoding::percent_decode_str;
use tiny_http::{Header, Method, Request, Response, StatusCode};

use crate::base::routes;

/// Why a request gets no page.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// 400: not a path of this site (`..`, encoded separators, control characters).
    BadPath,
    /// 405: anything but GET and HEAD.
    Method,
    /// 421: a `Host` header that names another site, or none, or several.
    Host,
    /// 503: as many event streams are open as the server keeps.
    Streams,
}

/// The site path `request` names, once its host and method are checked.
pub fn checked_path(request: &Request, server: SocketAddr) -> Result<String, Refused> {
    let mut hosts = request
        .headers()
        .iter()
        .filter(|h| h.field.equiv("Host"))
        .map(|h| h.value.as_str());
    match (hosts.next(), hosts.next()) {
        (Some(host), None) if host_allowed(host, server) => {}
        _ => return Err(Refused::Host),
    }
    site_path(request.method(), request.url())
}

/// `localhost`, a loopback address, or the address the server is bound to, with the server's
/// port or none. A name other than `localhost` may be any site's, rebound to this machine; an
/// address literal is what the browser connected to.
pub fn host_allowed(host: &str, server: SocketAddr) -> bool {
    let Some((name, port)) = split_host(host) else {
        return false;
    };
    if port.is_some_and(|p| p != server.port()) {
        return false;
    }
    if name.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let bare = name.strip_prefix('[').and_then(|n| n.strip_suffix(']'));
    match bare.unwrap_or(name).parse::<IpAddr>() {
        Ok(ip) => ip.is_loopback() || (ip == server.ip() && !ip.is_unspecified()),
        Err(_) => false,
    }
}

/// `name[:port]`, where an IPv6 name is bracketed; `None` when the port is not a number.
fn split_host(host: &str) -> Option<(&str, Option<u16>)> {
    let end = if host.starts_with('[') {
        host.find(']')? + 1
    } else {
        host.find(':').unwrap_or(host.len())
    };
    let (name, rest) = host.split_at(end);
    match rest.strip_prefix(':') {
        Some(port) => Some((name, Some(port.parse().ok()?))),
        None if rest.is_empty() => Some((name, None)),
        None => None,
    }
}

/// The site path a request names (`""` is the root): percent-decoded, without query or
/// fragment, `index.html` added to folders.
pub fn site_path(method: &Method, url: &str) -> Result<String, Refused> {
    if !matches!(method, Method::Get | Method::Head) {
        return Err(Refused::Method);
    }
    // The query is not checked below, but a redirect repeats it in its `Location` header.
    if url.chars().any(|c| c.is_ascii_control()) {
        return Err(Refused::BadPath);
    }
    let raw = url.split(['?', '#']).next().unwrap_or_default();
    let rest = raw.strip_prefix('/').ok_or(Refused::BadPath)?;
    // `//host/x` is a network path and `/C:` a drive: neither names a page.
    if rest.starts_with('/') {
        return Err(Refused::BadPath);
    }
    let decoded = percent_decode_str(rest)
        .decode_utf8()
        .map_err(|_| Refused::BadPath)?;
    if decoded.contains(['\\', ':', '\0']) || decoded.chars().any(char::is_control) {
        return Err(Refused::BadPath);
    }
    let segments: Vec<&str> = decoded.split('/').collect();
    let last = segments.len() - 1;
    for (i, segment) in segments.iter().enumerate() {
        if *segment == ".." || *segment == "." || (segment.is_empty() && i != last) {
            return Err(Refused::BadPath);
        }
    }
    Ok(if decoded.is_empty() || decoded.ends_with('/') {
        routes::folder_index(&decoded)
    } else {
        decoded.into_owned()
    })
}

/// The Content-Type of a site file, by its extension (mime_guess); text, and the JSON, XML and
/// SVG a site holds, say that they are UTF-8, as every file planpress writes is.
pub fn content_type(path: &str) -> String {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let textual = mime.type_() == mime::TEXT
        || [Some(mime::JSON), Some(mime::XML)].contains(&mime.suffix())
        || [mime::JSON, mime::XML, mime::SVG].contains(&mime.subtype());
    if textual {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_string()
    }
}

pub type Answer = Response<Cursor<Vec<u8>>>;

/// A response that is never cached: the preview changes under the browser.
pub fn answer(status: u16, content_type: &str, body: Vec<u8>) -> Answer {
    // A length rather than chunks: every body is already whole in memory.
    Response::from_data(body)
        .with_chunked_threshold(usize::MAX)
        .with_status_code(StatusCode(status))
        .with_header(header("Content-Type", content_type))
        .with_header(header("Cache-Control", "no-store"))
        .with_header(header("X-Content-Type-Options", "nosniff"))
}

pub fn refusal(refused: Refused) -> Answer {
    match refused {
        Refused::BadPath => answer(
            400,
            "text/plain; charset=utf-8",
            "400 不是本網站的路徑 (bad path)\n".into(),
        ),
        Refused::Method => answer(
            405,
            "text/plain; charset=utf-8",
            "405 只接受 GET 與 HEAD (method not allowed)\n".into(),
        )
        .with_header(header("Allow", "GET, HEAD")),
        Refused::Host => answer(
            421,
            "text/plain; charset=utf-8",
            "421 只回應以 localhost 或本伺服器位址開啟的要求 (misdirected request)\n".into(),
        ),
        Refused::Streams => answer(
            503,
            "text/plain; charset=utf-8",
            "503 開啟的預覽頁面過多，請關閉部分分頁 (too many event streams)\n".into(),
        ),
    }
}

/// A folder asked for without its final slash: the relative links of its page need one.
pub fn redirect(url: &str) -> Answer {
    let (path, query) = match url.split_once('?') {
        Some((p, q)) => (p, format!("?{q}")),
        None => (url, String::new()),
    };
    answer(301, "text/plain; charset=utf-8", Vec::new())
        .with_header(header("Location", &format!("{path}/{query}")))
}

pub fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("ASCII header")
}

/// Answers, ignoring a client that went away meanwhile.
/// 303: after a save, the page to look at.
pub fn see_other(location: &str) -> Answer {
    answer(303, "text/plain; charset=utf-8", Vec::new()).with_header(header("Location", location))
}

pub fn send(request: Request, response: Answer) {
    let _ = request.respond(response);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(url: &str) -> Result<String, Refused> {
        site_path(&Method::Get, url)
    }

    #[test]
    fn maps_urls_to_site_paths() {
        assert_eq!(get("/").unwrap(), "index.html");
        assert_eq!(get("/schools/a-es/").unwrap(), "schools/a-es/index.html");
        assert_eq!(
            get("/schools/a-es/index.html?x=1#top").unwrap(),
            "schools/a-es/index.html"
        );
        assert_eq!(get("/docs/%E4%B8%AD.html").unwrap(), "docs/中.html");
        assert_eq!(site_path(&Method::Head, "/").unwrap(), "index.html");
    }

    #[test]
    fn refuses_traversal_and_other_methods() {
        for url in [
            "/../Cargo.toml",
            "/schools/../../Cargo.toml",
            "/%2e%2e/Cargo.toml",
            "/%2E%2E%2FCargo.toml",
            "/schools/%2e%2e%2f%2e%2e%2fetc/passwd",
            "//etc/passwd",
            "/schools//a",
            "/..%5c..%5cCargo.toml",
            "/C:/Windows",
            "/%00",
            "/./index.html",
            "/%ff",
            "etc/passwd",
            "/schools/a?x\nSet-Cookie:a=1",
        ] {
            assert_eq!(get(url), Err(Refused::BadPath), "{url}");
        }
        assert_eq!(site_path(&Method::Post, "/"), Err(Refused::Method));
        assert_eq!(site_path(&Method::Put, "/"), Err(Refused::Method));
    }

    #[test]
    fn answers_only_its_own_host_names() {
        let local: SocketAddr = "127.0.0.1:8040".parse().unwrap();
        for host in [
            "localhost:8040",
            "LOCALHOST",
            "127.0.0.1:8040",
            "127.0.0.1",
            "[::1]:8040",
            "[::1]",
        ] {
            assert!(host_allowed(host, local), "{host}");
        }
        for host in [
            "evil.example",
            "evil.example:8040",
            "localhost.evil.example:8040",
            "localhost:8041",
            "127.0.0.1:80",
            "localhost:",
            "localhost:x",
            "[::1",
            "[::1]x",
            "::1",
            "192.168.1.20:8040",
            "",
        ] {
            assert!(!host_allowed(host, local), "{host}");
        }
        let lan: SocketAddr = "192.168.1.20:8040".parse().unwrap();
        assert!(host_allowed("192.168.1.20:8040", lan));
        assert!(!host_allowed("192.168.1.21:8040", lan));
        let any: SocketAddr = "0.0.0.0:8040".parse().unwrap();
        assert!(host_allowed("localhost:8040", any));
        assert!(!host_allowed("0.0.0.0:8040", any));
        assert!(!host_allowed("192.168.1.20:8040", any));
        let v6: SocketAddr = "[fe80::1]:8040".parse().unwrap();
        assert!(host_allowed("[fe80::1]:8040", v6));
    }

    #[test]
    fn text_types_carry_their_charset() {
        assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("static/style.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("schools/a/plan.pdf"), "application/pdf");
        assert_eq!(content_type("dashboard.csv"), "text/csv; charset=utf-8");
        assert_eq!(content_type("sitemap.xml"), "text/xml; charset=utf-8");
        assert_eq!(
            content_type("pagefind/bundles.json"),
            "application/json; charset=utf-8"
        );
        assert_eq!(
            content_type("static/search.js"),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(content_type("fonts/a.woff2"), "font/woff2");
        assert_eq!(
            content_type("pagefind/x.pf_meta"),
            "application/octet-stream"
        );
    }
}
