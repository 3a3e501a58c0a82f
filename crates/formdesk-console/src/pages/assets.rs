//! The style sheet, served under a name that carries its content hash so it can be cached for good, and the
//! security headers the portal sends with pages and with the sheet.

use std::sync::OnceLock;

/// The console's only style sheet, embedded at build time.
const STYLESHEET: &str = include_str!("../../static/console.css");

/// The path under which the portal serves static files.
pub const STATIC_PREFIX: &str = "/admin/static/";

/// The Content-Security-Policy of every page: nothing but the console's own style sheet and images, no script
/// at all, forms only to the console itself, never in a frame. The QR codes are inline SVG, so no `data:`
/// images are needed.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The headers of every HTML page (and of the 404 and error pages).
pub fn page_headers() -> &'static [(&'static str, &'static str)] {
    &[
        ("Content-Type", "text/html; charset=utf-8"),
        ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
        ("Cache-Control", "no-store"),
        ("X-Content-Type-Options", "nosniff"),
        // Not `no-referrer`: under it a browser sends `Origin: null` with every form it posts (Fetch,
        // "append a request `Origin` header"), and the server's Origin check would refuse the console's own
        // forms. `same-origin` keeps the Origin of the console's own posts and sends nothing to other sites.
        ("Referrer-Policy", "same-origin"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ]
}

/// The headers of the style sheet: its name changes with its content, so it never changes under a name and
/// may be cached for a year.
pub fn stylesheet_headers() -> &'static [(&'static str, &'static str)] {
    &[
        ("Content-Type", "text/css; charset=utf-8"),
        ("Cache-Control", "public, max-age=31536000, immutable"),
        ("X-Content-Type-Options", "nosniff"),
        ("Cross-Origin-Resource-Policy", "same-origin"),
    ]
}

/// The file name for a style sheet's content: `console.<first 16 hex digits of its SHA-256>.css`.
pub fn stylesheet_name(body: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, body.as_bytes());
    let hex: String = digest.as_ref()[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("console.{hex}.css")
}

/// The style sheet's file name (see [`stylesheet_name`]) and its content. The portal serves the body under
/// `/admin/static/<name>` with [`stylesheet_headers`] and answers 404 for any other name.
pub fn stylesheet() -> (String, &'static str) {
    (stylesheet_file_name().to_owned(), STYLESHEET)
}

fn stylesheet_file_name() -> &'static str {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| stylesheet_name(STYLESHEET))
}

/// The path pages link the style sheet with.
pub(crate) fn stylesheet_href() -> String {
    format!("{STATIC_PREFIX}{}", stylesheet_file_name())
}
