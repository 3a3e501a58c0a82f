//! The console's cookies: the values of `Set-Cookie` headers and reading the `Cookie` header.
//!
//! Both cookies carry the `__Host-` prefix, so a browser takes them only from this host over HTTPS with
//! path `/` and no `Domain`: another host of the same site (`*.kreis-herford.de`) cannot set or overwrite
//! them. They are `HttpOnly` (no script reads them; the console runs none anyway) and `SameSite=Strict`.
//! The session cookie has no `Max-Age` and ends with the browser; the server ends it earlier by its own
//! timeouts. The pre-session cookie holds the sign-in page's CSRF token for 10 minutes.

use super::{AuthError, CsrfToken, SessionToken};
use zeroize::Zeroizing;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "__Host-formdesk";
/// The pre-session cookie's name (the sign-in page's CSRF token).
pub const PRE_SESSION_COOKIE: &str = "__Host-formdesk-pre";
/// The pre-session cookie's lifetime in seconds (10 minutes to fill in the sign-in form).
pub const PRE_SESSION_MAX_AGE: u32 = 600;
/// The longest `Cookie` header read (8 KiB, a common server limit for one header).
const MAX_HEADER_LEN: usize = 8 * 1024;

const ATTRIBUTES: &str = "Path=/; Secure; HttpOnly; SameSite=Strict";

/// `Set-Cookie` value of a new session.
pub fn session_cookie(token: &SessionToken) -> Zeroizing<String> {
    Zeroizing::new(format!("{SESSION_COOKIE}={}; {ATTRIBUTES}", token.cookie_value().as_str()))
}

/// `Set-Cookie` value that removes the session cookie (sign-out, expired session).
pub fn session_cookie_removal() -> String {
    format!("{SESSION_COOKIE}=; {ATTRIBUTES}; Max-Age=0")
}

/// `Set-Cookie` value of the sign-in page's pre-session CSRF token.
pub fn pre_session_cookie(token: &CsrfToken) -> Zeroizing<String> {
    Zeroizing::new(format!(
        "{PRE_SESSION_COOKIE}={}; {ATTRIBUTES}; Max-Age={PRE_SESSION_MAX_AGE}",
        token.form_value().as_str()
    ))
}

/// `Set-Cookie` value that removes the pre-session cookie (after a successful sign-in).
pub fn pre_session_cookie_removal() -> String {
    format!("{PRE_SESSION_COOKIE}=; {ATTRIBUTES}; Max-Age=0")
}

/// The session token from a `Cookie` header, none if the header has no session cookie.
///
/// Errors: a header that is not `name=value` pairs separated by `;` (spaces allowed around them), a
/// session cookie given twice (which one the browser meant cannot be known), or a value that is not a
/// token.
pub fn session_token_from_cookies(header: &str) -> Result<Option<SessionToken>, AuthError> {
    cookie_value(header, SESSION_COOKIE)?.map(SessionToken::from_cookie_value).transpose()
}

/// The pre-session CSRF token from a `Cookie` header, none if absent; errors as for
/// [`session_token_from_cookies`].
pub fn pre_session_csrf_from_cookies(header: &str) -> Result<Option<CsrfToken>, AuthError> {
    cookie_value(header, PRE_SESSION_COOKIE)?.map(CsrfToken::from_form_value).transpose()
}

/// The value of the cookie `name`, after checking the whole header's shape. Values are never quoted in
/// errors, since they may be tokens.
fn cookie_value<'a>(header: &'a str, name: &str) -> Result<Option<&'a str>, AuthError> {
    if header.len() > MAX_HEADER_LEN {
        return Err(AuthError::MalformedCookie(format!("longer than {MAX_HEADER_LEN} bytes")));
    }
    // An empty header has no cookies; one trailing `;` is tolerated, an empty pair elsewhere is not what
    // a browser sends.
    let trimmed = header.trim();
    let body = trimmed.strip_suffix(';').unwrap_or(trimmed);
    if body.is_empty() {
        return Ok(None);
    }
    let mut found = None;
    for (index, pair) in body.split(';').enumerate() {
        let pair = pair.trim_matches(|c| c == ' ' || c == '\t');
        if pair.is_empty() {
            return Err(AuthError::MalformedCookie(format!("empty pair at position {}", index + 1)));
        }
        let Some((key, value)) = pair.split_once('=') else {
            return Err(AuthError::MalformedCookie(format!("pair {} has no '='", index + 1)));
        };
        let key = key.trim();
        if key.is_empty() || !key.bytes().all(is_token_char) {
            return Err(AuthError::MalformedCookie(format!("pair {} has an invalid name", index + 1)));
        }
        let value = value.trim();
        if !value.bytes().all(is_cookie_octet) {
            return Err(AuthError::MalformedCookie(format!("the value of {key:?} has invalid characters")));
        }
        if key == name {
            if found.is_some() {
                return Err(AuthError::MalformedCookie(format!("{name} given twice")));
            }
            found = Some(value);
        }
    }
    Ok(found)
}

/// RFC 9110 `tchar`, the characters of a cookie name.
fn is_token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// RFC 6265 `cookie-octet` (printable ASCII except space, `"`, `,`, `;` and `\`), and `"` for quoted
/// values of other sites' cookies.
fn is_cookie_octet(b: u8) -> bool {
    matches!(b, 0x21 | 0x22 | 0x23..=0x2B | 0x2D..=0x3A | 0x3C..=0x5B | 0x5D..=0x7E)
}
