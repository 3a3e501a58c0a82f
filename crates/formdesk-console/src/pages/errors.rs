//! "Seite nicht gefunden" and the generic error page.
//!
//! The 404 page takes no input about what was asked for: a route a role may not use, an object of another
//! tenant and an object that never existed all get the same bytes (for the same viewer), so a page cannot
//! tell anyone which objects exist.

use crate::pages::shell::Frame;
use crate::pages::{PageError, Viewer};
use askama::Template;

#[derive(Template, Debug)]
#[template(path = "not_found.html")]
struct NotFoundTemplate {
    frame: Frame,
}

/// Renders "Seite nicht gefunden" (status 404). With a viewer the page has the usual navigation; without
/// one (no session) it has none.
pub fn render_not_found(viewer: Option<&Viewer>) -> Result<String, PageError> {
    Ok(NotFoundTemplate { frame: Frame::maybe("Seite nicht gefunden", viewer) }.render()?)
}

/// What went wrong, as far as the person needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The form was sent from an old page (CSRF token or origin did not match).
    FormExpired,
    /// The request could not be read (a file too large, a field missing).
    BadRequest,
    /// Too many sign-ins at once; try again shortly.
    Busy,
    /// Anything else; the details are in the server's log.
    Internal,
}

impl ErrorKind {
    /// The HTTP status to send with the page.
    pub fn status(self) -> u16 {
        match self {
            ErrorKind::FormExpired => 403,
            ErrorKind::BadRequest => 400,
            ErrorKind::Busy => 503,
            ErrorKind::Internal => 500,
        }
    }

    fn heading(self) -> &'static str {
        match self {
            ErrorKind::FormExpired => "Das Formular ist abgelaufen",
            ErrorKind::BadRequest => "Die Eingabe konnte nicht verarbeitet werden",
            ErrorKind::Busy => "Formdesk ist gerade ausgelastet",
            ErrorKind::Internal => "Es ist ein Fehler aufgetreten",
        }
    }

    fn text(self) -> &'static str {
        match self {
            ErrorKind::FormExpired => {
                "Die Seite, von der Sie das Formular abgeschickt haben, war nicht mehr gültig. Bitte laden Sie die Seite neu und versuchen Sie es noch einmal."
            }
            ErrorKind::BadRequest => {
                "Bitte gehen Sie zurück, prüfen Sie Ihre Eingaben und versuchen Sie es noch einmal. Ein Formularpaket darf höchstens 64 MB groß sein, eine Schlüsseldatei höchstens 64 KB."
            }
            ErrorKind::Busy => "Bitte versuchen Sie es in einer Minute noch einmal.",
            ErrorKind::Internal => {
                "Ihre Eingabe wurde nicht gespeichert. Bitte versuchen Sie es später noch einmal. Wenn der Fehler bleibt, wenden Sie sich an Ihr Rechenzentrum und nennen Sie die Fehlernummer."
            }
        }
    }
}

/// The generic error page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorPage {
    /// What went wrong.
    pub kind: ErrorKind,
    /// A reference the server logged the details under ("F-2026-12-06-4821"), to quote when calling.
    pub reference: Option<String>,
}

#[derive(Template, Debug)]
#[template(path = "error.html")]
struct ErrorTemplate<'a> {
    frame: Frame,
    page: &'a ErrorPage,
    heading: &'static str,
    text: &'static str,
}

/// Renders the error page; send it with [`ErrorKind::status`].
pub fn render_error(viewer: Option<&Viewer>, page: &ErrorPage) -> Result<String, PageError> {
    let heading = page.kind.heading();
    Ok(ErrorTemplate { frame: Frame::maybe(heading, viewer), page, heading, text: page.kind.text() }.render()?)
}
