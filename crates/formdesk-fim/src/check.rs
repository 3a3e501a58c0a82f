//! The draft is checked by loading it as the desk would (formdesk-catalog over formdesk-engine): a draft
//! that does not load is a bug of the importer, never of the schema.
//!
//! The format is being extended with what FIM needs (`fim`, `pattern`, `time`/`dateTime`, entry `data`).
//! Until the installed engine knows an extension, the draft is checked without it: each extension is tried
//! on a tiny form first, and only those the engine refuses are left out of the copy that is checked.

use crate::error::{ErrorKind, ImportError, Problem};
use serde_json::{Value, json};
use std::sync::LazyLock;

/// An extension of the format the importer writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Extension {
    Fim,
    Pattern,
    TimeKinds,
    EntryData,
}

impl Extension {
    const ALL: [Extension; 4] = [Extension::Fim, Extension::Pattern, Extension::TimeKinds, Extension::EntryData];

    fn name(self) -> &'static str {
        match self {
            Extension::Fim => "'fim'",
            Extension::Pattern => "'pattern'",
            Extension::TimeKinds => "die Arten 'time' und 'dateTime'",
            Extension::EntryData => "'data' an Listeneinträgen",
        }
    }

    /// A form using only this extension.
    fn probe(self) -> Value {
        let mut item = json!({"kind": "text", "id": "a", "label": {"de": "A", "en": "A"}});
        let mut form = json!({
            "formatVersion": 1, "id": "probe", "version": "1.0.0", "title": {"de": "P", "en": "P"},
            "destination": "d", "languages": ["de", "en"],
        });
        match self {
            Extension::Fim => {
                item["fim"] = json!({"id": "F12345", "version": "1.0"});
                form["fim"] = json!({"id": "S12345", "version": "1.0", "xdf": "2.0"});
            }
            Extension::Pattern => item["pattern"] = json!("^(?:[0-9]{5})$"),
            Extension::TimeKinds => {
                item = json!({"kind": "time", "id": "a", "label": {"de": "A", "en": "A"}, "min": "08:00"});
            }
            Extension::EntryData => {
                item = json!({"kind": "choice", "id": "a", "label": {"de": "A", "en": "A"}, "codeList": "l"});
                form["codeLists"] = json!({"l": {"formatVersion": 1, "id": "l", "version": "1.0.0",
                    "title": {"de": "L", "en": "L"},
                    "entries": [{"value": "x", "label": {"de": "X", "en": "X"}, "data": {"satz": "1"}}]}});
            }
        }
        form["steps"] = json!([{"id": "s", "title": {"de": "S", "en": "S"}, "items": [item]}]);
        form
    }

    fn known(self) -> bool {
        load(&self.probe(), "probe").is_ok()
    }

    /// Removes this extension from a form (in place).
    fn strip(self, form: &mut Value) {
        match self {
            Extension::Fim => {
                walk(form, &mut |o| {
                    o.remove("fim");
                });
            }
            Extension::Pattern => {
                walk_items(form, &mut |o| {
                    o.remove("pattern");
                });
            }
            Extension::TimeKinds => walk_items(form, &mut |o| {
                if matches!(o.get("kind").and_then(Value::as_str), Some("time" | "dateTime")) {
                    o.insert("kind".into(), json!("text"));
                    o.remove("min");
                    o.remove("max");
                }
            }),
            Extension::EntryData => {
                if let Some(lists) = form.get_mut("codeLists").and_then(Value::as_object_mut) {
                    for list in lists.values_mut() {
                        if let Some(entries) = list.get_mut("entries").and_then(Value::as_array_mut) {
                            for e in entries.iter_mut().filter_map(Value::as_object_mut) {
                                e.remove("data");
                            }
                        }
                    }
                }
            }
        }
    }
}

type Obj = serde_json::Map<String, Value>;

/// Calls `f` on the form, its steps, items (at every depth) and code lists.
fn walk(form: &mut Value, f: &mut dyn FnMut(&mut Obj)) {
    if let Some(o) = form.as_object_mut() {
        f(o);
    }
    if let Some(lists) = form.get_mut("codeLists").and_then(Value::as_object_mut) {
        for l in lists.values_mut().filter_map(Value::as_object_mut) {
            f(l);
        }
    }
    if let Some(steps) = form.get_mut("steps").and_then(Value::as_array_mut) {
        for s in steps.iter_mut() {
            if let Some(o) = s.as_object_mut() {
                f(o);
            }
            items(s, f);
        }
    }
}

fn walk_items(form: &mut Value, f: &mut dyn FnMut(&mut Obj)) {
    if let Some(steps) = form.get_mut("steps").and_then(Value::as_array_mut) {
        for s in steps.iter_mut() {
            items(s, f);
        }
    }
}

fn items(parent: &mut Value, f: &mut dyn FnMut(&mut Obj)) {
    if let Some(list) = parent.get_mut("items").and_then(Value::as_array_mut) {
        for item in list.iter_mut() {
            if let Some(o) = item.as_object_mut() {
                f(o);
            }
            items(item, f);
        }
    }
}

static UNKNOWN: LazyLock<Vec<Extension>> =
    LazyLock::new(|| Extension::ALL.into_iter().filter(|e| !e.known()).collect());

fn load(form: &Value, id: &str) -> Result<(), Vec<String>> {
    let text = serde_json::to_string(form).map_err(|e| vec![e.to_string()])?;
    formdesk_catalog::Catalog::from_files(Vec::new(), vec![(id.to_owned(), text)]).map(|_| ()).map_err(|e| match e {
        formdesk_catalog::CatalogError::Invalid(list) => {
            list.iter().map(|e| format!("{}: {}", e.path, e.message)).collect()
        }
        other => vec![other.to_string()],
    })
}

/// Loads the draft; returns the extensions it was checked without, or the errors as an importer bug.
pub fn check(form: &Value, form_id: &str, source: &str) -> Result<Vec<String>, ImportError> {
    let mut copy = form.clone();
    for e in UNKNOWN.iter() {
        e.strip(&mut copy);
    }
    load(&copy, form_id).map_err(|errors| {
        ImportError::list(
            ErrorKind::Bug,
            errors
                .into_iter()
                .map(|message| Problem { file: format!("{source} → {form_id}/form.json"), position: None, message })
                .collect(),
        )
    })?;
    Ok(UNKNOWN.iter().map(|e| e.name().to_owned()).collect())
}
