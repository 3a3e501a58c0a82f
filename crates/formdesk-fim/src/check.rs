//! The draft is checked by loading it as the desk and `forms check` would (formdesk-catalog over
//! formdesk-engine, with the form's id as its folder name): a draft that does not load is a bug of the
//! importer, never of the schema, and is reported as such.

use crate::error::{ErrorKind, ImportError, Problem};
use serde_json::Value;

/// Loads the draft; its errors, if any, as an importer bug.
pub fn check(form: &Value, form_id: &str, source: &str) -> Result<(), ImportError> {
    let text = serde_json::to_string(form).unwrap_or_default();
    let errors: Vec<String> = match formdesk_catalog::Catalog::from_files(Vec::new(), vec![(form_id.to_owned(), text)])
    {
        Ok(_) => return Ok(()),
        Err(formdesk_catalog::CatalogError::Invalid(list)) => {
            list.iter().map(|e| format!("{}: {}", e.path, e.message)).collect()
        }
        Err(other) => vec![other.to_string()],
    };
    Err(ImportError::list(
        ErrorKind::Bug,
        errors
            .into_iter()
            .map(|message| Problem { file: format!("{source} → {form_id}/form.json"), position: None, message })
            .collect(),
    ))
}
