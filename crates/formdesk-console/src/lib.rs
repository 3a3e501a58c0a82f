//! The administrators' web console at `/admin`, without its server: what the portal's routes need to sign
//! people in and to render pages. Nothing here touches a database or a socket; the portal stores accounts and
//! sessions and calls these functions (design: `docs/tenants.md`, sections 4 and 5).
//!
//! - [`auth`]: passwords (Argon2id, PHC strings), the password rules, TOTP (RFC 6238), sign-in throttling,
//!   session and CSRF tokens.
//! - [`pages`]: the German pages as askama templates, the style sheet and the security headers.

pub mod auth;
pub mod pages;
