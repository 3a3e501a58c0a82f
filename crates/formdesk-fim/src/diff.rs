//! What a newer schema changes against an existing form (`forms import --diff`): the new schema is imported
//! as a draft and both are compared by the `fim` ids the form's steps, items and code lists keep. Items the
//! author added by hand (without `fim`) are not compared.
//!
//! Non-goals: changing the form; comparing conditions or texts the author wrote.

use crate::error::ImportError;
use crate::genericode::CodeListSource;
use crate::report::Report;
use crate::{Options, import};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;

/// What changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// An element only in the new schema.
    Added,
    /// An element of the form no longer in the schema.
    Removed,
    /// The element's kind changed (`text` → `date`).
    Retyped,
    /// The element stands in another group or step.
    Moved,
    /// Its label changed.
    Relabelled,
    /// Its FIM version changed.
    NewVersion,
    /// A code list has a new version (or is new, or gone).
    CodeList,
}

impl ChangeKind {
    fn heading(self) -> &'static str {
        match self {
            ChangeKind::Added => "Neu im Schema",
            ChangeKind::Removed => "Nicht mehr im Schema",
            ChangeKind::Retyped => "Art geändert",
            ChangeKind::Moved => "Verschoben",
            ChangeKind::Relabelled => "Beschriftung geändert",
            ChangeKind::NewVersion => "Neue Version des Elements",
            ChangeKind::CodeList => "Codelisten",
        }
    }
}

/// One change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// What changed.
    pub kind: ChangeKind,
    /// The FIM id (a code list's URN).
    pub fim: String,
    /// The item's path in the form, if it is there.
    pub path: Option<String>,
    /// The item's path in the new draft, if it is there.
    pub new_path: Option<String>,
    /// What it was (kind, label, version, parent).
    pub before: Option<String>,
    /// What it is now.
    pub after: Option<String>,
    /// A sentence for people.
    pub message: String,
}

/// The changes a newer schema brings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diff {
    /// The form compared.
    pub form_id: String,
    /// The form's Stammdatenschema (from its `fim`) and the new one.
    pub schema_before: Option<String>,
    /// The new schema's id and version.
    pub schema_after: String,
    /// Every change, by kind.
    pub changes: Vec<Change>,
    /// The report of importing the new schema (its rules, gaps, unresolved lists).
    pub report: Report,
}

/// An element of a form with what is compared.
#[derive(Debug, Clone)]
struct Element {
    fim: String,
    version: Option<String>,
    kind: String,
    label: String,
    path: String,
    parent: Option<String>,
}

fn text_de(v: &Value) -> String {
    v.get("de").and_then(Value::as_str).unwrap_or_default().to_owned()
}

fn fim_of(v: &Value) -> Option<(String, Option<String>)> {
    let f = v.get("fim")?;
    Some((f.get("id")?.as_str()?.to_owned(), f.get("version").and_then(Value::as_str).map(str::to_owned)))
}

/// The only child of a group made around a repeating field (same FIM id), if `item` is one.
fn wrapped(item: &Value) -> Option<&Value> {
    let items = item.get("items")?.as_array()?;
    let [only] = items.as_slice() else { return None };
    (item.get("kind")? == "group" && fim_of(only)?.0 == fim_of(item)?.0).then_some(only)
}

fn walk(items: &[Value], parent: Option<&str>, repeat: Option<&str>, out: &mut Vec<Element>) {
    for item in items {
        let id = item.get("id").and_then(Value::as_str).unwrap_or_default();
        let is_repeat = item.get("repeat").is_some();
        let path = match repeat {
            Some(r) => format!("{r}[].{id}"),
            None => id.to_owned(),
        };
        if let Some(child) = wrapped(item) {
            if let Some((fim, version)) = fim_of(child) {
                out.push(Element {
                    fim,
                    version,
                    kind: format!("{} (wiederholbar)", child.get("kind").and_then(Value::as_str).unwrap_or_default()),
                    label: text_de(child.get("label").unwrap_or(&Value::Null)),
                    path: path.clone(),
                    parent: parent.map(str::to_owned),
                });
            }
            continue;
        }
        let fim = fim_of(item);
        if let Some((id, version)) = &fim {
            let kind = item.get("kind").and_then(Value::as_str).unwrap_or_default();
            let kind = if is_repeat { "group (wiederholbar)".to_owned() } else { kind.to_owned() };
            let label = item.get("label").or_else(|| item.get("text")).map(text_de).unwrap_or_default();
            out.push(Element {
                fim: id.clone(),
                version: version.clone(),
                kind,
                label,
                path: path.clone(),
                parent: parent.map(str::to_owned),
            });
        }
        if let Some(children) = item.get("items").and_then(Value::as_array) {
            let here = fim.as_ref().map(|f| f.0.as_str()).or(parent);
            let inner_repeat = if is_repeat { Some(path.as_str()) } else { repeat };
            walk(children, here, inner_repeat, out);
        }
    }
}

fn elements(form: &Value) -> Vec<Element> {
    let mut out = Vec::new();
    for step in form.get("steps").and_then(Value::as_array).into_iter().flatten() {
        let items = step.get("items").and_then(Value::as_array).cloned().unwrap_or_default();
        let step_fim = fim_of(step);
        // A step made around a repeat group carries the group's id; the group speaks for it.
        let wraps = items.len() == 1
            && step_fim.is_some()
            && fim_of(&items[0]).map(|f| f.0) == step_fim.as_ref().map(|f| f.0.clone());
        if let (Some((id, version)), false) = (&step_fim, wraps) {
            out.push(Element {
                fim: id.clone(),
                version: version.clone(),
                kind: "Schritt".into(),
                label: text_de(step.get("title").unwrap_or(&Value::Null)),
                path: step.get("id").and_then(Value::as_str).unwrap_or_default().to_owned(),
                parent: None,
            });
        }
        let parent = if wraps { None } else { step_fim.as_ref().map(|f| f.0.as_str()) };
        walk(&items, parent, None, &mut out);
    }
    out
}

/// Code lists by FIM id: (our id, version as in FIM, values).
fn lists(form: &Value) -> BTreeMap<String, (String, Option<String>, Vec<String>)> {
    let mut out = BTreeMap::new();
    for (id, list) in form.get("codeLists").and_then(Value::as_object).into_iter().flatten() {
        if let Some((fim, version)) = fim_of(list) {
            let values = list
                .get("entries")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|e| e.get("value").and_then(Value::as_str).map(str::to_owned))
                .collect();
            out.insert(fim, (id.clone(), version, values));
        }
    }
    out
}

fn show(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| "ohne".into())
}

/// Compares `form_json` (a form with `fim` ids) with the schema in `new_xml`.
pub fn diff(form_json: &Value, new_xml: &[u8], source: &str, code_lists: &CodeListSource) -> Result<Diff, ImportError> {
    let form_id = form_json.get("id").and_then(Value::as_str).unwrap_or_default().to_owned();
    let opts = Options {
        id: crate::is_form_id(&form_id).then(|| form_id.clone()),
        destination: form_json.get("destination").and_then(Value::as_str).map(str::to_owned),
        force: false,
    };
    let new = import(new_xml, source, code_lists, &opts)?;
    let old = elements(form_json);
    let fresh = elements(&new.form);
    let mut changes = Vec::new();

    let mut by_id: BTreeMap<&str, (Vec<&Element>, Vec<&Element>)> = BTreeMap::new();
    for e in &old {
        by_id.entry(e.fim.as_str()).or_default().0.push(e);
    }
    for e in &fresh {
        by_id.entry(e.fim.as_str()).or_default().1.push(e);
    }
    // Occurrences of one id are paired in document order; what is left over was added or removed.
    let order = |e: &Element| {
        fresh.iter().position(|f| std::ptr::eq(f, e)).or_else(|| old.iter().position(|f| std::ptr::eq(f, e)))
    };
    let mut pairs: Vec<(Option<&Element>, Option<&Element>)> = Vec::new();
    for (_, (before, after)) in by_id {
        for i in 0..before.len().max(after.len()) {
            pairs.push((before.get(i).copied(), after.get(i).copied()));
        }
    }
    pairs.sort_by_key(|(b, a)| (a.and_then(&order), b.and_then(&order)));
    for pair in pairs {
        match pair {
            (None, Some(a)) => changes.push(Change {
                kind: ChangeKind::Added,
                fim: a.fim.clone(),
                path: None,
                new_path: Some(a.path.clone()),
                before: None,
                after: Some(a.kind.clone()),
                message: format!("„{}“ ({}, {}) käme als `{}` hinzu", a.label, a.fim, a.kind, a.path),
            }),
            (Some(b), None) => changes.push(Change {
                kind: ChangeKind::Removed,
                fim: b.fim.clone(),
                path: Some(b.path.clone()),
                new_path: None,
                before: Some(b.kind.clone()),
                after: None,
                message: format!("„{}“ (`{}`, {}) ist nicht mehr im Schema", b.label, b.path, b.fim),
            }),
            (Some(b), Some(a)) => compare(b, a, &mut changes),
            (None, None) => {}
        }
    }

    let before_lists = lists(form_json);
    let after_lists = lists(&new.form);
    for (fim, (id, version, values)) in &after_lists {
        match before_lists.get(fim) {
            None => changes.push(list_change(
                fim,
                None,
                Some(id),
                format!("Codeliste {fim} (Version {}) käme neu hinzu", show(version)),
            )),
            Some((old_id, old_version, old_values)) if old_version != version || old_values != values => {
                let added: Vec<&str> = values.iter().filter(|v| !old_values.contains(v)).map(String::as_str).collect();
                let gone: Vec<&str> = old_values.iter().filter(|v| !values.contains(v)).map(String::as_str).collect();
                let mut message =
                    format!("Codeliste `{old_id}` ({fim}): Version {} → {}", show(old_version), show(version));
                if !added.is_empty() {
                    message.push_str(&format!("; neue Einträge: {}", added.join(", ")));
                }
                if !gone.is_empty() {
                    message.push_str(&format!("; entfallene Einträge: {}", gone.join(", ")));
                }
                let mut c = list_change(fim, Some(old_id), Some(id), message);
                c.before = old_version.clone();
                c.after = version.clone();
                changes.push(c);
            }
            Some(_) => {}
        }
    }
    for (fim, (id, version, _)) in &before_lists {
        if !after_lists.contains_key(fim) {
            changes.push(list_change(
                fim,
                Some(id),
                None,
                format!("Codeliste `{id}` ({fim}, Version {}) wird nicht mehr verwendet", show(version)),
            ));
        }
    }
    changes.sort_by_key(|c| c.kind);
    let schema_before = fim_of(form_json).map(|(id, v)| match v {
        Some(v) => format!("{id} {v}"),
        None => id,
    });
    Ok(Diff { form_id, schema_before, schema_after: new.report.schema.to_string(), changes, report: new.report })
}

fn list_change(fim: &str, path: Option<&str>, new_path: Option<&str>, message: String) -> Change {
    Change {
        kind: ChangeKind::CodeList,
        fim: fim.to_owned(),
        path: path.map(str::to_owned),
        new_path: new_path.map(str::to_owned),
        before: None,
        after: None,
        message,
    }
}

fn compare(b: &Element, a: &Element, changes: &mut Vec<Change>) {
    let mut change = |kind, before: &str, after: &str, message: String| {
        changes.push(Change {
            kind,
            fim: a.fim.clone(),
            path: Some(b.path.clone()),
            new_path: Some(a.path.clone()),
            before: Some(before.to_owned()),
            after: Some(after.to_owned()),
            message,
        });
    };
    if b.kind != a.kind {
        change(ChangeKind::Retyped, &b.kind, &a.kind, format!("`{}` ({}): {} → {}", b.path, a.fim, b.kind, a.kind));
    }
    if b.parent != a.parent {
        let (from, to) = (
            b.parent.clone().unwrap_or_else(|| "oberste Ebene".into()),
            a.parent.clone().unwrap_or_else(|| "oberste Ebene".into()),
        );
        change(
            ChangeKind::Moved,
            &from,
            &to,
            format!("`{}` ({}): aus {from} nach {to} (im Entwurf `{}`)", b.path, a.fim, a.path),
        );
    }
    if b.label != a.label {
        change(
            ChangeKind::Relabelled,
            &b.label,
            &a.label,
            format!("`{}` ({}): „{}“ → „{}“", b.path, a.fim, b.label, a.label),
        );
    }
    if b.version != a.version {
        let (from, to) = (show(&b.version), show(&a.version));
        change(ChangeKind::NewVersion, &from, &to, format!("`{}` ({}): Version {from} → {to}", b.path, a.fim));
    }
}

impl fmt::Display for Diff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "# Vergleich: `{}` mit {}", self.form_id, self.schema_after)?;
        writeln!(f)?;
        if let Some(b) = &self.schema_before {
            writeln!(f, "Das Formular wurde aus {b} erzeugt; verglichen wird mit {}.", self.schema_after)?;
            writeln!(f)?;
        }
        if self.changes.is_empty() {
            writeln!(f, "Keine Änderungen an Feldern, Gruppen und Codelisten.")?;
            return Ok(());
        }
        let mut kinds: Vec<ChangeKind> = self.changes.iter().map(|c| c.kind).collect();
        kinds.dedup();
        for kind in kinds {
            writeln!(f, "## {}", kind.heading())?;
            writeln!(f)?;
            for c in self.changes.iter().filter(|c| c.kind == kind) {
                writeln!(f, "- {}", c.message)?;
            }
            writeln!(f)?;
        }
        writeln!(f, "Der Importbericht des neuen Schemas nennt seine Regeln und was nicht übersetzt wurde.")
    }
}
