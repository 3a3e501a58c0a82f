//! The console's German pages, rendered on the server with askama and no script at all.
//!
//! Each page has a plain view model (strings, numbers, enums, `Vec`) that the portal fills from its database,
//! and one `render_*` function that turns it into a whole HTML document. Pages for a signed-in person also
//! take a [`Viewer`]: who is signed in, for which tenant, with which roles and which CSRF token. The
//! navigation and the actions a page offers follow the viewer's roles as the route table in
//! `docs/tenants.md` (section 4) says; the server must still refuse what a role may not do, since a page only
//! leaves out the links.
//!
//! Non-goals: no routing, no sessions, no database access, no reading of clocks. Dates and times arrive as
//! text already formatted for German readers ("06.12.2026, 18:30"), so this module never guesses a time zone.
//!
//! - [`shell`]: roles, the viewer, the page frame and its navigation.
//! - [`assets`]: the style sheet with its hashed name and the security headers for pages and the sheet.
//! - [`qr`]: QR codes as inline SVG.
//! - one module per area: [`sign_in`], [`overview`], [`devices`], [`forms`], [`destinations`], [`inbox`],
//!   [`audit`], [`account`], [`operator`], [`errors`].

pub mod account;
pub mod assets;
pub mod audit;
pub mod destinations;
pub mod devices;
pub mod errors;
pub mod forms;
pub mod inbox;
pub mod operator;
pub mod overview;
pub mod qr;
pub mod shell;
pub mod sign_in;

pub use assets::{page_headers, stylesheet, stylesheet_headers, stylesheet_name};
pub use shell::{Role, Viewer};

/// Why a page could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// The template failed while writing (a value's `Display` failed); a bug, not bad input.
    #[error("the page template could not be rendered: {0}")]
    Template(#[from] askama::Error),
    /// The text for a QR code is too long for the largest QR code.
    #[error("the QR code text has {0} characters, too many for a QR code")]
    QrTooLarge(usize),
}
