//! Runs every scenario of every form in the repository's `forms/`: answers in, expected visibility, errors,
//! computed values and fees out. One test per scenario file.

use formdesk_catalog::Catalog;
use formdesk_engine::state::{FormState, ItemState};
use formdesk_engine::{Answers, NaiveDate};
use libtest_mimic::{Arguments, Failed, Trial};
use rust_decimal::Decimal;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

fn forms_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../forms")
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

fn visibility(state: &FormState, path: &str) -> Option<bool> {
    if let Some(step) = state.steps.iter().find(|s| s.id == path) {
        return Some(step.visible);
    }
    state.steps.iter().find_map(|s| find(&s.items, path)).map(|i| i.visible)
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

fn run(form: &formdesk_engine::Form, file: &Path) -> Result<(), Failed> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let scenario: Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))?;
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
        for path in expect[key].as_array().into_iter().flatten().filter_map(Value::as_str) {
            match visibility(&state, path) {
                Some(v) if v == want => {}
                Some(v) => problems.push(format!("{path}: expected {key}, but visible is {v}")),
                None => problems.push(format!("{path}: no step or item at this path")),
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
    for (id, want) in expect["fees"].as_object().into_iter().flatten() {
        match state.fees.iter().find(|f| f.id == *id) {
            Some(fee) if same_value(want, &Value::String(fee.amount.clone())) => {}
            Some(fee) => problems.push(format!("fee {id}: expected {want}, got {}", fee.amount)),
            None => problems.push(format!("fee {id}: expected {want}, but the fee does not apply")),
        }
    }
    if let Some(want) = expect["complete"].as_bool()
        && state.complete != want
    {
        problems.push(format!("complete: expected {want}, got {}", state.complete));
    }
    if problems.is_empty() { Ok(()) } else { Err(problems.join("\n").into()) }
}

fn main() {
    let args = Arguments::from_args();
    let root = forms_root();
    let catalog = match Catalog::load_dir(&root) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("the forms in {} do not load:\n{e}", root.display());
            std::process::exit(101);
        }
    };
    let mut trials = Vec::new();
    for entry in catalog.entries() {
        let form = Arc::clone(&entry.form);
        let dir = root.join(form.id()).join("scenarios");
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "json"))
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        if files.is_empty() {
            let id = form.id().to_owned();
            trials.push(Trial::test(format!("{id}::has_scenarios"), move || {
                Err(format!("{id} has no scenarios").into())
            }));
        }
        for file in files {
            let name = format!("{}::{}", form.id(), file.file_stem().map(|s| s.to_string_lossy()).unwrap_or_default());
            let form = Arc::clone(&form);
            trials.push(Trial::test(name, move || run(&form, &file)));
        }
    }
    libtest_mimic::run(&args, trials).exit();
}
