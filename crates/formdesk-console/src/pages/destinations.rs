//! "Ziele": the tenant's destinations (the authorities submissions are sealed for), their keys, and adding
//! one with its public key as a PEM file.

use crate::pages::shell::{Frame, Section};
use crate::pages::{PageError, Viewer};
use askama::Template;

/// One destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DestinationRow {
    /// Its id ("steueramt").
    pub id: String,
    /// Its name ("Steueramt").
    pub name: String,
    /// The key id (`kid`) of its public key.
    pub kid: String,
    /// Titles of the forms that send to it.
    pub forms: Vec<String>,
}

/// Why adding a destination was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DestinationProblem {
    /// The id is taken.
    IdTaken,
    /// The id has characters other than lower-case letters, digits and hyphens.
    IdInvalid,
    /// The file is not a PEM public key the portal can use (RSA, at least 3072 bits).
    KeyUnreadable,
    /// No name was given.
    NameMissing,
}

impl DestinationProblem {
    /// The German sentence.
    pub fn text(self) -> &'static str {
        match self {
            DestinationProblem::IdTaken => "Diese Kennung ist schon vergeben. Bitte wählen Sie eine andere.",
            DestinationProblem::IdInvalid => {
                "Die Kennung darf nur Kleinbuchstaben, Ziffern und Bindestriche enthalten."
            }
            DestinationProblem::NameMissing => "Bitte geben Sie der Stelle einen Namen, zum Beispiel „Steueramt“.",
            DestinationProblem::KeyUnreadable => {
                "Die Datei enthält keinen öffentlichen Schlüssel, den Formdesk verwenden kann. Bitte laden Sie die PEM-Datei mit dem öffentlichen RSA-Schlüssel (mindestens 3072 Bit) hoch, die Ihnen die Stelle gegeben hat."
            }
        }
    }
}

/// `GET/POST /admin/ziele`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DestinationsPage {
    /// The destinations the viewer may see (all for form editors, their own for inbox users).
    pub destinations: Vec<DestinationRow>,
    /// Titles of forms that have no destination yet (shown to form editors).
    pub forms_without_destination: Vec<String>,
    /// Why the last "Ziel hinzufügen" was refused.
    pub problem: Option<DestinationProblem>,
}

#[derive(Template, Debug)]
#[template(path = "destinations.html")]
struct DestinationsTemplate<'a> {
    frame: Frame,
    viewer: &'a Viewer,
    page: &'a DestinationsPage,
    problem: Option<&'static str>,
    id_problem: bool,
    key_problem: bool,
}

/// Renders "Ziele". Only form editors see "Ziel hinzufügen".
pub fn render_destinations(viewer: &Viewer, page: &DestinationsPage) -> Result<String, PageError> {
    Ok(DestinationsTemplate {
        frame: Frame::for_viewer("Ziele", viewer, Some(Section::Destinations)),
        viewer,
        page,
        problem: page.problem.map(DestinationProblem::text),
        id_problem: matches!(page.problem, Some(DestinationProblem::IdTaken | DestinationProblem::IdInvalid)),
        key_problem: page.problem == Some(DestinationProblem::KeyUnreadable),
    }
    .render()?)
}
