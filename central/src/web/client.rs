//! Who asks, as the public pages see it: the client's address (rate limits count per address)
//! and the origin the citizen typed (scheme and host). Behind a TLS reverse proxy the socket's
//! peer is the proxy, so `X-Forwarded-For`, `-Proto` and `-Host` tell the truth, but only when
//! the server is told to trust them (`--trust-proxy`): without a proxy anyone could send them.

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::HeaderMap;
use axum::http::request::Parts;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    /// `None` only when the server runs without connection info (a router under test).
    pub addr: Option<IpAddr>,
    /// The citizen reached the server over https (directly or through the proxy).
    pub https: bool,
    /// The host the citizen asked for, when it is a plausible host name.
    pub host: Option<String>,
}

impl Client {
    pub fn of(parts: &Parts, trust_proxy: bool) -> Self {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        let h = &parts.headers;
        let forwarded = |name| trust_proxy.then(|| header(h, name)).flatten();
        // The proxy appends the address it saw: the last entry is the one it vouches for.
        let addr = forwarded("x-forwarded-for")
            .and_then(|v| v.rsplit(',').next().and_then(|a| a.trim().parse().ok()))
            .or(peer);
        let https = forwarded("x-forwarded-proto").is_some_and(|p| p.eq_ignore_ascii_case("https"));
        let host = forwarded("x-forwarded-host")
            .or_else(|| header(h, "host"))
            .filter(|v| is_host(v))
            .map(str::to_string);
        Self { addr, https, host }
    }

    /// `https://host` or `http://host`, when the host is known.
    pub fn origin(&self) -> Option<String> {
        let scheme = if self.https { "https" } else { "http" };
        self.host.as_ref().map(|h| format!("{scheme}://{h}"))
    }

    /// The rate-limit key of this client's address.
    pub fn key(&self) -> String {
        self.addr
            .map_or_else(|| "unknown".to_string(), |a| a.to_string())
    }
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok()).map(str::trim)
}

/// Letters, digits, `.-:[]` and at most 255 of them: a name, an address, a port.
fn is_host(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= 255
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn parts(headers: &[(&str, &str)]) -> Parts {
        let mut r = Request::builder().uri("/");
        for (k, v) in headers {
            r = r.header(*k, *v);
        }
        let (mut parts, ()) = r.body(()).expect("request").into_parts();
        parts
            .extensions
            .insert(ConnectInfo(SocketAddr::from(([10, 0, 0, 2], 40000))));
        parts
    }

    #[test]
    fn forwarded_headers_count_only_behind_a_trusted_proxy() {
        let p = parts(&[
            ("host", "10.0.0.5:8080"),
            ("x-forwarded-for", "1.2.3.4, 203.0.113.9"),
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", "motcua.example.gov.vn"),
        ]);
        let direct = Client::of(&p, false);
        assert_eq!(direct.key(), "10.0.0.2");
        assert_eq!(direct.origin().as_deref(), Some("http://10.0.0.5:8080"));
        let proxied = Client::of(&p, true);
        assert_eq!(proxied.key(), "203.0.113.9");
        assert_eq!(
            proxied.origin().as_deref(),
            Some("https://motcua.example.gov.vn")
        );
        let hostile = parts(&[("host", "x\"><script>")]);
        assert_eq!(Client::of(&hostile, false).host, None);
    }
}
