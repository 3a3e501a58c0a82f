//! "Formulare" (a tenant's forms) and "Formular" (one form: its versions, their hashes, which desks run
//! which, and the import report of an imported form).

use crate::pages::shell::{Frame, Section};
use crate::pages::{PageError, Viewer};
use askama::Template;

/// A form's state in the channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormState {
    /// Open for new applications.
    Open,
    /// Open, but closes on a date.
    Closing {
        /// The day it closes ("31.12.2026").
        on: String,
    },
    /// Withdrawn: no new applications.
    Withdrawn,
}

impl FormState {
    /// The German text.
    pub fn label(&self) -> String {
        match self {
            FormState::Open => "offen".to_owned(),
            FormState::Closing { on } => format!("schließt am {on}"),
            FormState::Withdrawn => "zurückgezogen".to_owned(),
        }
    }

    fn css(&self) -> &'static str {
        match self {
            FormState::Open => "state state--ok",
            FormState::Closing { .. } => "state state--open",
            FormState::Withdrawn => "state state--off",
        }
    }
}

/// Which desks have a form version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rollout {
    /// Only pilot desks.
    Pilot,
    /// All desks.
    All,
}

impl Rollout {
    /// The German text.
    pub fn label(self) -> &'static str {
        match self {
            Rollout::Pilot => "nur Pilotgeräte",
            Rollout::All => "alle Geräte",
        }
    }
}

/// Where a form comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The shared catalogue ("Einer für Alle").
    Catalogue,
    /// The tenant's own form.
    Own,
}

impl Origin {
    /// The German text.
    pub fn label(self) -> &'static str {
        match self {
            Origin::Catalogue => "gemeinsamer Katalog",
            Origin::Own => "eigenes Formular",
        }
    }
}

/// One form in the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormRow {
    /// The form's id ("hundesteuer-anmeldung").
    pub id: String,
    /// Its German title.
    pub title: String,
    /// Its current version.
    pub version: String,
    /// Its state.
    pub state: FormState,
    /// Which desks have the current version.
    pub rollout: Rollout,
    /// Where it comes from.
    pub origin: Origin,
}

/// `GET /admin/formulare`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormsPage {
    /// The forms.
    pub forms: Vec<FormRow>,
    /// The current form set's version.
    pub form_set_version: u64,
}

#[derive(Template, Debug)]
#[template(path = "forms.html")]
struct FormsTemplate<'a> {
    frame: Frame,
    viewer: &'a Viewer,
    page: &'a FormsPage,
}

/// Renders "Formulare". Form editors also see "Formularstand hochladen".
pub fn render_forms(viewer: &Viewer, page: &FormsPage) -> Result<String, PageError> {
    Ok(FormsTemplate { frame: Frame::for_viewer("Formulare", viewer, Some(Section::Forms)), viewer, page }.render()?)
}

/// One version of a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormVersionRow {
    /// The version ("2.1.0").
    pub version: String,
    /// The SHA-256 of its definition, 64 hex digits.
    pub sha256: String,
    /// Its state.
    pub state: FormState,
    /// Which desks receive it.
    pub rollout: Rollout,
    /// The names of the desks that run it.
    pub desks: Vec<String>,
    /// When it was uploaded ("02.12.2026, 10:14").
    pub uploaded_at: String,
    /// Who uploaded it (display name).
    pub uploaded_by: String,
}

/// One finding of an import report (`formdesk_fim::Report`), as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFinding {
    /// What it is about, in German ("Regeln (als Bedingungen zu formulieren)").
    pub kind: String,
    /// The FIM element ("F60000227 Familienname"), if any.
    pub element: Option<String>,
    /// The item path in the form ("hund[].rasse"), if any.
    pub path: Option<String>,
    /// What was found and done, in German.
    pub message: String,
}

/// The import report of a form imported from a FIM schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    /// The schema it was imported from ("S60000011 Version 1.3").
    pub source: String,
    /// The findings.
    pub findings: Vec<ReportFinding>,
}

/// `GET /admin/formulare/{id}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormPage {
    /// The form's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Where it comes from.
    pub origin: Origin,
    /// Its versions, newest first.
    pub versions: Vec<FormVersionRow>,
    /// The import report, for an imported form.
    pub report: Option<ImportReport>,
}

#[derive(Template, Debug)]
#[template(path = "form.html")]
struct FormTemplate<'a> {
    frame: Frame,
    page: &'a FormPage,
}

/// Renders "Formular".
pub fn render_form(viewer: &Viewer, page: &FormPage) -> Result<String, PageError> {
    Ok(FormTemplate { frame: Frame::for_viewer(&page.title, viewer, Some(Section::Forms)), page }.render()?)
}
