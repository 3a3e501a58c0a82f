//! The origin check every `POST` of the console makes besides its CSRF token.
//!
//! Browsers send `Origin` with every `POST`; a form from another host of the same site carries that host's
//! origin, which `SameSite=Strict` alone would let through. Some privacy settings drop `Origin` and keep a
//! `Referer`, so when `Origin` is absent the origin of the `Referer` must match instead. With neither the
//! request is refused, as is the opaque origin `null` (sandboxed frames, `data:` pages, some redirects).

/// Whether a `POST` comes from the console itself. `console_origin` is the configured
/// `--console-origin`, e.g. `https://portal.example.de` (scheme, host and port if not the default; no
/// path, no trailing slash). `Origin` must equal it exactly; if it is absent, the `Referer`'s origin must.
pub fn origin_allowed(origin: Option<&str>, referer: Option<&str>, console_origin: &str) -> bool {
    if console_origin.is_empty() {
        return false;
    }
    match origin {
        Some(origin) => origin != "null" && origin == console_origin,
        None => referer.and_then(origin_of_url).is_some_and(|origin| origin == console_origin),
    }
}

/// The origin (`scheme://authority`) of an absolute http(s) URL; none for anything else or a URL with
/// user information (`https://portal.example.de@evil.example/`).
fn origin_of_url(url: &str) -> Option<&str> {
    let (scheme, rest) = url.split_once("://")?;
    if scheme != "https" && scheme != "http" {
        return None;
    }
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_len];
    if authority.is_empty() || authority.contains('@') || authority.contains('\\') {
        return None;
    }
    Some(&url[..scheme.len() + 3 + authority_len])
}
