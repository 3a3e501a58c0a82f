//! Imports FIM schemas: an XDatenfelder Stammdatenschema message (version 2.0 or 3.0.0) and the genericode
//! code lists it refers to become a draft form folder in our format (`form.json`, with the import report as
//! `import-report.md` for the author and `import-report.json` for the web console).
//!
//! The design is `docs/fim-import.md`: reading both versions (`v2`, `v3` over `reader`), the mapping onto the
//! form format (`mapping`), ids (`ids`), praezisierung and patterns (`precision`, `pattern`), genericode
//! (`genericode`), the report of everything not translated (`report`), the check of the draft with the
//! engine (`check`) and the comparison of a form with a newer schema (`diff`).
//!
//! Non-goals: fetching schemas or code lists (the importer is offline), writing expressions from rule prose,
//! Tauri. XML is read with roxmltree, which refuses DTDs: no entity is ever expanded.

#![deny(missing_docs)]

mod check;
mod diff;
mod error;
mod genericode;
mod ids;
mod mapping;
mod message;
mod model;
mod pattern;
mod precision;
mod reader;
mod report;
mod v2;
mod v3;
mod xml;

pub use diff::{Change, ChangeKind, Diff, diff};
pub use error::{ErrorKind, ImportError, Position, Problem};
pub use genericode::CodeListSource;
pub use mapping::{Nesting, nesting};
pub use report::{FimRef, Finding, FindingKind, Mention, REPORT_FORMAT_VERSION, Report, RuleArgument, RuleFinding};
pub use xml::{MAX_BYTES, MAX_STRUKTUR_DEPTH};

use serde_json::{Map, Value};
use std::path::Path;

/// The destination written when none is given; the report asks the author to replace it.
pub const PLACEHOLDER_DESTINATION: &str = "bitte-eintragen";
/// The name of the report file beside `form.json`, in German Markdown for the author.
pub const REPORT_FILE: &str = "import-report.md";
/// The name of the report's JSON beside `form.json` ([`Report::to_json`]), which a form bundle carries to the
/// web console.
pub const REPORT_JSON_FILE: &str = "import-report.json";

/// What the administrator chooses for an import.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The form id (`^[a-z][a-z0-9-]*$`); without it, derived from the schema's name.
    pub id: Option<String>,
    /// The destination; without it, [`PLACEHOLDER_DESTINATION`] and a to-do in the report.
    pub destination: Option<String>,
    /// Whether [`Import::write`] may write into a folder that is not empty.
    pub force: bool,
}

/// An imported draft.
#[derive(Debug, Clone)]
pub struct Import {
    /// The form's id.
    pub form_id: String,
    /// The definition (`form.json`), with `$schema` first.
    pub form: Value,
    /// What was not translated.
    pub report: Report,
    force: bool,
}

/// Imports a Stammdatenschema message. `source` names the file in messages.
pub fn import(xml: &[u8], source: &str, lists: &CodeListSource, opts: &Options) -> Result<Import, ImportError> {
    if let Some(id) = &opts.id
        && !is_form_id(id)
    {
        return Err(ImportError::at(
            source,
            None,
            format!(
                "die Formular-Id '{id}' ist ungültig; erwartet werden Kleinbuchstaben, Ziffern und '-', beginnend mit einem Buchstaben"
            ),
        ));
    }
    let text = xml::decode(xml, source)?;
    let doc = xml::parse(text, source)?;
    let schema = reader::read(&doc, source)?;
    let mapped = mapping::map(&schema, source, lists, opts.id.as_deref(), opts.destination.as_deref())?;
    let mut form = Map::new();
    form.insert("$schema".into(), Value::String("../schema/form.schema.json".into()));
    if let Value::Object(o) = mapped.form {
        form.extend(o);
    }
    let form = Value::Object(form);
    check::check(&form, &mapped.form_id, source)?;
    let mut entries = mapped.findings;
    entries.sort_by_key(|f| f.kind);
    let report = Report {
        source: source.to_owned(),
        xdf: schema.xdf.label().to_owned(),
        schema: mapping::fim_ref(&schema.meta),
        schema_name: schema.meta.name.clone(),
        title: schema.meta.label.clone().unwrap_or_default(),
        form_id: mapped.form_id.clone(),
        form_version: mapped.version,
        message_id: schema.header.message_id.clone(),
        created: schema.header.created.clone(),
        status: schema.meta.status.clone(),
        structure_modification: schema.structure_mod.clone(),
        presentation_modification: schema.presentation_mod.clone(),
        document_profile: schema.document_profile.clone(),
        entries,
    };
    Ok(Import { form_id: mapped.form_id, form, report, force: opts.force })
}

fn is_form_id(id: &str) -> bool {
    id.starts_with(|c: char| c.is_ascii_lowercase())
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

impl Import {
    /// The definition as written: pretty JSON with a final newline.
    pub fn form_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(&self.form).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Writes `form.json`, `import-report.md` and `import-report.json` into `out_dir` (created if missing).
    /// A folder that exists and is not empty is refused unless [`Options::force`] was set; then only these
    /// three files are replaced.
    pub fn write(&self, out_dir: &Path) -> Result<(), ImportError> {
        if out_dir.exists() && !self.force {
            let mut entries = std::fs::read_dir(out_dir)
                .map_err(|e| ImportError::io(out_dir, "der Zielordner kann nicht gelesen werden", &e))?;
            if entries.next().is_some() {
                return Err(ImportError::list(
                    ErrorKind::Exists,
                    vec![Problem {
                        file: out_dir.display().to_string(),
                        position: None,
                        message: "der Zielordner ist nicht leer; nichts geschrieben (überschreiben nur auf ausdrücklichen Wunsch)".into(),
                    }],
                ));
            }
        }
        std::fs::create_dir_all(out_dir)
            .map_err(|e| ImportError::io(out_dir, "der Zielordner kann nicht angelegt werden", &e))?;
        let form = out_dir.join(formdesk_catalog::DEFINITION_FILE);
        std::fs::write(&form, self.form_json())
            .map_err(|e| ImportError::io(&form, "die Datei kann nicht geschrieben werden", &e))?;
        let report = out_dir.join(REPORT_FILE);
        std::fs::write(&report, self.report.to_string())
            .map_err(|e| ImportError::io(&report, "die Datei kann nicht geschrieben werden", &e))?;
        let report_json = out_dir.join(REPORT_JSON_FILE);
        std::fs::write(&report_json, self.report.to_json_string())
            .map_err(|e| ImportError::io(&report_json, "die Datei kann nicht geschrieben werden", &e))?;
        Ok(())
    }
}
