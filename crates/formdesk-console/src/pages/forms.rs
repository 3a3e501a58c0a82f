//! "Formulare" (a tenant's forms) and "Formular" (one form: its versions, their hashes, which desks run
//! which, and the import report of an imported form).
//!
//! The import report arrives as the importer wrote it (`import-report.json`, `formdesk_fim::Report::to_json`)
//! and is read here by [`ImportReport::from_json`]: the console does not depend on the importer, so it reads
//! the report's JSON by its format version and refuses a version it does not know.

use crate::pages::shell::{Frame, Section};
use crate::pages::{PageError, Viewer};
use askama::Template;
use serde_json::Value;

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
            FormState::Closing { on } if on.is_empty() => "schließt (keine neuen Fälle)".to_owned(),
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
    /// What an upload did ("Formularstand 4 übernommen: …"), shown above the list.
    pub notice: Option<String>,
    /// Why an upload was refused, shown at the upload field.
    pub problem: Option<String>,
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

/// The version of the report's JSON that [`ImportReport::from_json`] reads (`formatVersion`).
pub const IMPORT_REPORT_FORMAT_VERSION: u64 = 1;

/// Each kind of finding by its code in the JSON, with the heading the printed report (`import-report.md`)
/// gives its section.
const FINDING_KINDS: [(&str, &str); 9] = [
    ("todo", "Zu ergänzen"),
    ("rule", "Regeln (als Bedingungen zu formulieren)"),
    ("code_list", "Codelisten"),
    ("unknown_datatype", "Unbekannte Datentypen"),
    ("unknown_field_kind", "Unbekannte Feldarten"),
    ("dropped", "Nicht übernommen"),
    ("precision", "Präzisierungen"),
    ("gap", "Nicht im Formularformat darstellbar"),
    ("hint", "Hinweise"),
];

impl ImportReport {
    /// Reads an import report as the importer writes it (`import-report.json`, format version 1). A report
    /// of another format version, or one whose parts are missing or of the wrong type, gives a German
    /// sentence for the form page that names the part (as a JSON path) and what was expected.
    pub fn from_json(value: &Value) -> Result<ImportReport, String> {
        let unreadable = |what: String| format!("Der Importbericht kann nicht angezeigt werden: {what}.");
        let Value::Object(_) = value else {
            return Err(unreadable("er ist kein JSON-Objekt".to_owned()));
        };
        match value.get("formatVersion") {
            Some(v) if v.as_u64() == Some(IMPORT_REPORT_FORMAT_VERSION) => {}
            Some(v) if v.is_u64() => {
                return Err(unreadable(format!(
                    "er hat die Formatversion {v}, dieses Portal liest nur Version {IMPORT_REPORT_FORMAT_VERSION}; \
                     bitte das Portal aktualisieren"
                )));
            }
            Some(v) => return Err(unreadable(format!("„formatVersion“ ist {v}, erwartet wird eine ganze Zahl"))),
            None => return Err(unreadable("„formatVersion“ fehlt".to_owned())),
        }
        let schema = match value.get("schema") {
            Some(schema) if schema.is_object() => schema,
            Some(_) => return Err(unreadable("„schema“ ist kein JSON-Objekt".to_owned())),
            None => return Err(unreadable("„schema“ fehlt".to_owned())),
        };
        let schema_id = text(schema, "schema", "id").map_err(unreadable)?;
        let schema_version = optional_text(schema, "schema", "version").map_err(unreadable)?;
        let source = match schema_version {
            Some(v) => format!("{schema_id} Version {v}"),
            None => schema_id.to_owned(),
        };
        let entries = match value.get("entries") {
            Some(Value::Array(entries)) => entries,
            Some(_) => return Err(unreadable("„entries“ ist keine Liste".to_owned())),
            None => return Err(unreadable("„entries“ fehlt".to_owned())),
        };
        let findings = entries
            .iter()
            .enumerate()
            .map(|(i, entry)| finding(entry, &format!("entries[{i}]")).map_err(unreadable))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ImportReport { source, findings })
    }
}

/// One entry of the report's `entries`; `at` is its JSON path.
fn finding(entry: &Value, at: &str) -> Result<ReportFinding, String> {
    if !entry.is_object() {
        return Err(format!("„{at}“ ist kein JSON-Objekt"));
    }
    let code = text(entry, at, "kind")?;
    let Some((_, label)) = FINDING_KINDS.iter().find(|(c, _)| *c == code) else {
        return Err(format!("„{at}.kind“ ist „{code}“, eine unbekannte Art von Befund"));
    };
    let element = match entry.get("fim") {
        None | Some(Value::Null) => None,
        Some(fim) if fim.is_object() => {
            let at = format!("{at}.fim");
            let id = text(fim, &at, "id")?;
            Some(match optional_text(fim, &at, "name")? {
                Some(name) => format!("{id} {name}"),
                None => id.to_owned(),
            })
        }
        Some(_) => return Err(format!("„{at}.fim“ ist kein JSON-Objekt")),
    };
    Ok(ReportFinding {
        kind: (*label).to_owned(),
        element,
        path: optional_text(entry, at, "path")?.map(str::to_owned),
        message: text(entry, at, "message")?.to_owned(),
    })
}

/// The text `key` of `object` (at JSON path `at`), which must be there.
fn text<'a>(object: &'a Value, at: &str, key: &str) -> Result<&'a str, String> {
    optional_text(object, at, key)?.ok_or_else(|| format!("„{at}.{key}“ fehlt"))
}

/// The text `key` of `object` (at JSON path `at`); `None` when it is missing or `null`.
fn optional_text<'a>(object: &'a Value, at: &str, key: &str) -> Result<Option<&'a str>, String> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(format!("„{at}.{key}“ ist {other}, erwartet wird ein Text")),
    }
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
    /// The import report, for an imported form: read, or why it could not be read
    /// ([`ImportReport::from_json`]).
    pub report: Option<Result<ImportReport, String>>,
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
