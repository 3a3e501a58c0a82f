//! Scenarios: a form's `scenarios/*.json` files, each answers in and the expected evaluated state out
//! (`docs/form-format.md`, "Scenarios"). One runner for the Rust tests and `formdesk-portal forms test`.
//!
//! Non-goals: writing scenarios, or judging forms beyond what a scenario expects.

use crate::{CatalogError, DEFINITION_FILE, check_dir, load_form};
use formdesk_engine::state::{FormState, ItemState};
use formdesk_engine::{Answers, Form, NaiveDate};
use rust_decimal::Decimal;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The folder of a form's scenarios inside its folder.
pub const SCENARIOS_DIR: &str = "scenarios";

/// What one scenario file gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioResult {
    /// The form's id.
    pub form: String,
    /// The scenario's name: its file name without `.json`.
    pub name: String,
    /// The scenario file, or the form's scenarios folder when it has none.
    pub file: PathBuf,
    /// Every expectation that did not hold, or why the file could not be run; empty when it passed.
    pub problems: Vec<String>,
}

impl ScenarioResult {
    /// Whether every expectation held.
    pub fn passed(&self) -> bool {
        self.problems.is_empty()
    }
}

/// The scenario files of a form folder, sorted by name; none when it has no scenarios folder.
pub fn files(form_dir: &Path) -> Vec<PathBuf> {
    let dir = form_dir.join(SCENARIOS_DIR);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "json") && p.is_file())
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// Runs the scenarios of one form folder (with its `form.json`) or of every form in a forms folder. A form
/// without scenarios gives one failed result that says so. Fails, with every error, if a form does not load.
pub fn run_dir(dir: &Path) -> Result<Vec<ScenarioResult>, CatalogError> {
    let mut forms: Vec<(Form, PathBuf)> = Vec::new();
    if dir.join(DEFINITION_FILE).is_file() {
        forms.push((load_form(dir)?, dir.to_owned()));
    } else {
        let report = check_dir(dir)?;
        if !report.errors.is_empty() {
            return Err(CatalogError::Invalid(report.errors));
        }
        for entry in report.forms {
            let folder = dir.join(entry.form.id());
            forms.push(((*entry.form).clone(), folder));
        }
    }
    let mut results = Vec::new();
    for (form, folder) in &forms {
        let files = files(folder);
        if files.is_empty() {
            results.push(ScenarioResult {
                form: form.id().to_owned(),
                name: "has_scenarios".into(),
                file: folder.join(SCENARIOS_DIR),
                problems: vec![format!("{} has no scenarios in {}", form.id(), folder.join(SCENARIOS_DIR).display())],
            });
        }
        for file in files {
            results.push(run_file(form, &file));
        }
    }
    Ok(results)
}

/// Runs one scenario file against a form.
pub fn run_file(form: &Form, file: &Path) -> ScenarioResult {
    let name = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let problems = match std::fs::read_to_string(file) {
        Ok(text) => match serde_json::from_str::<Value>(&text) {
            Ok(scenario) => run(form, &scenario).unwrap_or_else(|e| vec![e]),
            Err(e) => vec![format!("not valid JSON: {e}")],
        },
        Err(e) => vec![format!("cannot be read: {e}")],
    };
    ScenarioResult { form: form.id().to_owned(), name, file: file.to_owned(), problems }
}

fn find<'a>(items: &'a [ItemState], path: &str) -> Option<&'a ItemState> {
    for item in items {
        if item.path == path {
            return Some(item);
        }
        if let Some(found) = find(&item.items, path) {
            return Some(found);
        }
        for instance in &item.instances {
            if let Some(found) = find(instance, path) {
                return Some(found);
            }
        }
    }
    None
}

fn item<'a>(state: &'a FormState, path: &str) -> Option<&'a ItemState> {
    state.steps.iter().find_map(|s| find(&s.items, path))
}

fn visibility(state: &FormState, path: &str) -> Option<bool> {
    if let Some(step) = state.steps.iter().find(|s| s.id == path) {
        return Some(step.visible);
    }
    item(state, path).map(|i| i.visible)
}

fn same_value(expected: &Value, actual: &Value) -> bool {
    let as_decimal = |v: &Value| match v {
        Value::String(s) => Decimal::from_str(s).ok(),
        Value::Number(n) => Decimal::from_str(&n.to_string()).ok(),
        _ => None,
    };
    match (expected, actual) {
        (Value::String(e), Value::String(a)) => e == a,
        _ => match (as_decimal(expected), as_decimal(actual)) {
            (Some(e), Some(a)) => e == a,
            _ => expected == actual,
        },
    }
}

fn strings<'a>(expect: &'a Value, key: &str) -> impl Iterator<Item = &'a str> {
    expect[key].as_array().into_iter().flatten().filter_map(Value::as_str)
}

/// The problems of one scenario; `Err` when the scenario itself is malformed.
fn run(form: &Form, scenario: &Value) -> Result<Vec<String>, String> {
    let date = scenario["date"].as_str().ok_or("the scenario needs a \"date\"")?;
    let today = NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|e| format!("date {date}: {e}"))?;
    let lang = scenario["lang"].as_str().unwrap_or("de");
    let answers: Answers = match &scenario["answers"] {
        Value::Object(o) => o.clone(),
        _ => return Err("\"answers\" must be an object".into()),
    };
    let state = form.evaluate(&answers, lang, today);
    let expect = &scenario["expect"];
    let mut problems = Vec::new();

    for (key, want) in [("visible", true), ("hidden", false)] {
        for path in strings(expect, key) {
            match visibility(&state, path) {
                Some(v) if v == want => {}
                Some(v) => problems.push(format!("{path}: expected {key}, but visible is {v}")),
                None => problems.push(format!("{path}: no step or item at this path")),
            }
        }
    }
    for (key, want) in [("required", true), ("optional", false)] {
        for path in strings(expect, key) {
            match item(&state, path) {
                Some(i) if i.required == want => {}
                Some(i) => problems.push(format!("{path}: expected {key}, but required is {}", i.required)),
                None => problems.push(format!("{path}: no item at this path")),
            }
        }
    }
    if let Some(expected) = expect["errors"].as_object() {
        let mut actual: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for e in &state.errors {
            actual.entry(e.path.as_str()).or_default().push(e.code.as_str());
        }
        for (path, code) in expected {
            let code = code.as_str().unwrap_or_default();
            match actual.get(path.as_str()) {
                Some(codes) if codes == &[code] => {}
                Some(codes) => problems.push(format!("{path}: expected error {code}, got {codes:?}")),
                None => problems.push(format!("{path}: expected error {code}, got none")),
            }
        }
        for (path, codes) in &actual {
            if !expected.contains_key(*path) {
                problems.push(format!("{path}: unexpected error {codes:?}"));
            }
        }
    }
    for (id, want) in expect["values"].as_object().into_iter().flatten() {
        match state.values.get(id) {
            Some(got) if same_value(want, got) => {}
            Some(got) => problems.push(format!("value {id}: expected {want}, got {got}")),
            None => problems.push(format!("value {id}: no computed value with this id")),
        }
    }
    for id in strings(expect, "absentValues") {
        match state.values.get(id) {
            None if form.item(id).is_none() => problems.push(format!("value {id}: no item with this id")),
            Some(got) if !got.is_null() => problems.push(format!("value {id}: expected none, got {got}")),
            _ => {}
        }
    }
    for (id, want) in expect["fees"].as_object().into_iter().flatten() {
        match state.fees.iter().find(|f| f.id == *id) {
            Some(fee) if same_value(want, &Value::String(fee.amount.clone())) => {}
            Some(fee) => problems.push(format!("fee {id}: expected {want}, got {}", fee.amount)),
            None => problems.push(format!("fee {id}: expected {want}, but the fee does not apply")),
        }
    }
    for id in strings(expect, "absentFees") {
        if !form.definition().fees.iter().any(|f| f.id == id) {
            problems.push(format!("fee {id}: the form has no fee with this id"));
        } else if let Some(fee) = state.fees.iter().find(|f| f.id == id) {
            problems.push(format!("fee {id}: expected it not to apply, but it is charged with {}", fee.amount));
        }
    }
    if let Some(want) = expect["complete"].as_bool()
        && state.complete != want
    {
        problems.push(format!("complete: expected {want}, got {}", state.complete));
    }
    Ok(problems)
}
