//! Select fields: inline v3 values or a genericode list (design sections 4.4 and 5); a select of two yes/no
//! codes on a `bool` becomes a yes/no field.

use super::{Mapper, fim_ref, label};
use crate::genericode::{self, ColumnError};
use crate::ids;
use crate::model::Field;
use crate::precision::Constraints;
use crate::report::{FimRef, Finding, FindingKind};
use serde_json::{Map, Value, json};

const YES: &[&str] = &["ja", "j", "yes", "true", "1", "y"];
const NO: &[&str] = &["nein", "n", "no", "false", "0"];

fn yes_no(values: &[String]) -> bool {
    let lower: Vec<String> = values.iter().map(|v| v.to_lowercase()).collect();
    lower.len() == 2
        && lower.iter().any(|v| YES.contains(&v.as_str()))
        && lower.iter().any(|v| NO.contains(&v.as_str()))
}

/// Sets `kind` and the options of a select field.
pub fn choice(m: &mut Mapper<'_>, f: &Field, item: &mut Map<String, Value>, here: &str, _c: &Constraints) {
    let name = super::groups::display_name(&f.meta);
    let finding = |kind, message: String| {
        Finding::new(kind, message).fim(Some(fim_ref(&f.meta))).path(Some(here)).at(Some(f.meta.pos))
    };
    if !f.values.is_empty() {
        if f.code_list.is_some() {
            m.note(finding(
                FindingKind::Hint,
                format!("„{name}“ hat Werte und eine Codeliste; übernommen sind die Werte"),
            ));
        }
        let codes: Vec<String> = f.values.iter().map(|v| v.code.clone()).collect();
        if f.datentyp == "bool" && yes_no(&codes) {
            item.insert("kind".into(), json!("boolean"));
            return;
        }
        let options: Vec<Value> = f
            .values
            .iter()
            .map(|v| {
                if let Some(h) = &v.help {
                    m.note(
                        finding(
                            FindingKind::Gap,
                            format!(
                                "Hilfetext zum Wert '{}' nicht übernommen: Optionen haben keinen Hilfetext",
                                v.code
                            ),
                        )
                        .at(Some(v.pos))
                        .raw(h.clone()),
                    );
                }
                json!({"value": v.code, "label": label(m, &v.name)})
            })
            .collect();
        item.insert("kind".into(), json!("choice"));
        item.insert("options".into(), Value::Array(options));
        return;
    }
    let Some(reference) = &f.code_list else {
        m.note(finding(
            FindingKind::CodeList,
            format!("Auswahlfeld „{name}“ ohne Werte und ohne Codeliste: als Textfeld übernommen"),
        ));
        return;
    };
    let shown = describe(reference);
    let resolved = m.lists.resolve(reference, m.xdf == crate::model::Xdf::V2);
    let (index, rule) = match resolved {
        Ok(r) => r,
        Err(why) => {
            m.note(
                finding(
                    FindingKind::CodeList,
                    format!("Codeliste nicht aufgelöst: {shown} ({why}); „{name}“ als Textfeld übernommen"),
                )
                .at(reference.pos.or(Some(f.meta.pos))),
            );
            return;
        }
    };
    let Some(list) = m.lists.list(index) else { return };
    let columns = match list.columns(
        f.code_key.as_ref().map(|k| k.id.as_str()),
        f.name_key.as_ref().map(|k| k.id.as_str()),
        f.help_key.as_ref().map(|k| k.id.as_str()),
    ) {
        Ok(c) => c,
        Err(ColumnError::Missing(which, id)) => {
            let key = match which {
                "codeKey" => &f.code_key,
                "nameKey" => &f.name_key,
                _ => &f.help_key,
            };
            m.problems.push(
                key.as_ref().map(|k| k.pos),
                format!(
                    "{which} '{id}' nennt weder eine Spalte noch einen Schlüssel der Codeliste {} (Datei {})",
                    shown, list.file
                ),
            );
            return;
        }
        Err(ColumnError::NoCode) => {
            m.note(
                finding(FindingKind::CodeList, format!("Codeliste {shown} (Datei {}): keine Code-Spalte gefunden (kein Schlüssel codeKey, keine Spalte 'code'); „{name}“ als Textfeld übernommen", list.file))
                    .at(reference.pos.or(Some(f.meta.pos))),
            );
            return;
        }
    };
    let file = list.file.clone();
    if columns.name.is_none() {
        m.note(finding(
            FindingKind::CodeList,
            format!("Codeliste {shown} (Datei {file}): keine Namensspalte; der Code dient als Beschriftung"),
        ));
    }
    if columns.help.is_some() {
        m.note(finding(FindingKind::Gap, format!("Codeliste {shown}: Hilfetexte je Eintrag (helpKey) haben im Format keinen Platz; sie stehen unter 'data'")));
    }
    if !list.complex_values.is_empty() {
        m.note(finding(
            FindingKind::CodeList,
            format!(
                "Codeliste {shown} (Datei {file}): {} komplexe Werte (ComplexValue) übergangen",
                list.complex_values.len()
            ),
        ));
    }
    let extra: Vec<String> = list
        .columns
        .iter()
        .filter(|c| c.id != columns.code && Some(&c.id) != columns.name.as_ref())
        .map(|c| if data_key(&c.id) == c.id { c.id.clone() } else { format!("{} (als '{}')", c.id, data_key(&c.id)) })
        .collect();
    let key = (index, columns.clone());
    if let Some(id) = m.list_cache.get(&key).cloned() {
        finish(m, f, item, &id);
        return;
    }
    let (entries, skipped) = match genericode::entries(list, &columns) {
        Ok(e) => e,
        Err((_, why)) => {
            m.note(
                finding(
                    FindingKind::CodeList,
                    format!("Codeliste {shown} (Datei {file}) abgelehnt: {why}; „{name}“ als Textfeld übernommen"),
                )
                .at(reference.pos.or(Some(f.meta.pos))),
            );
            return;
        }
    };
    for (pos, why) in skipped {
        m.note(
            Finding::new(FindingKind::CodeList, format!("Codeliste {shown} (Datei {file}, Zeile {}): {why}", pos.line))
                .path(Some(here)),
        );
    }
    if entries.is_empty() {
        m.note(finding(
            FindingKind::CodeList,
            format!("Codeliste {shown} (Datei {file}) hat keine Einträge; „{name}“ als Textfeld übernommen"),
        ));
        return;
    }
    if f.datentyp == "bool" && yes_no(&entries.iter().map(|e| e.value.clone()).collect::<Vec<_>>()) {
        item.insert("kind".into(), json!("boolean"));
        return;
    }
    let id_source = list.canonical_uri.as_deref().and_then(|u| u.rsplit(':').next()).map(str::to_owned);
    let list_version_text = list.version.clone();
    let version = match list.version.as_deref().and_then(ids::list_version) {
        Some(v) => v,
        None => {
            m.note(finding(
                FindingKind::CodeList,
                format!(
                    "Codeliste {shown}: die Version '{}' ist nicht numerisch; 0.0.0 gesetzt",
                    list.version.clone().unwrap_or_default()
                ),
            ));
            "0.0.0".into()
        }
    };
    let title_text = list.title().map(str::to_owned);
    let canonical =
        list.canonical_uri.clone().or_else(|| list.canonical_version_uri.clone()).unwrap_or_else(|| file.clone());
    let id = m
        .list_ids
        .derive(&[id_source.as_deref().unwrap_or_default(), title_text.as_deref().unwrap_or_default()], "liste");
    let title = title_text.unwrap_or_else(|| id.clone());
    let entries: Vec<Value> = entries
        .into_iter()
        .map(|e| {
            let mut o = Map::new();
            o.insert("value".into(), json!(e.value));
            o.insert("label".into(), label(m, &e.label));
            if !e.data.is_empty() {
                o.insert(
                    "data".into(),
                    Value::Object(e.data.into_iter().map(|(k, v)| (data_key(&k), json!(v))).collect()),
                );
            }
            Value::Object(o)
        })
        .collect();
    let mut fim = Map::new();
    fim.insert("id".into(), json!(canonical));
    if let Some(v) = list_version_text {
        fim.insert("version".into(), json!(v));
    }
    let list_json = json!({
        "formatVersion": 1,
        "id": id,
        "version": version,
        "title": label(m, &title),
        "entries": entries,
        "fim": Value::Object(fim),
    });
    m.code_lists.insert(id.clone(), list_json);
    m.list_cache.insert(key, id.clone());
    m.note(
        Finding::new(
            FindingKind::CodeList,
            format!(
                "Codeliste als `{id}` übernommen aus {file} ({}){}",
                rule.describe(),
                if extra.is_empty() {
                    String::new()
                } else {
                    format!("; weitere Spalten unter 'data' der Einträge: {}", extra.join(", "))
                }
            ),
        )
        .fim(Some(FimRef { id: canonical, version: list.version.clone(), name: Some(title) }))
        .path(Some(here)),
    );
    finish(m, f, item, &id);
}

/// A column id as a key of an entry's `data` (`^[a-zA-Z][a-zA-Z0-9_]*$`): other characters become `_`.
fn data_key(column: &str) -> String {
    let mut key: String = column.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    if !key.starts_with(|c: char| c.is_ascii_alphabetic()) {
        key.insert_str(0, "c_");
    }
    key
}

fn finish(_m: &mut Mapper<'_>, _f: &Field, item: &mut Map<String, Value>, id: &str) {
    item.insert("kind".into(), json!("choice"));
    item.insert("codeList".into(), json!(id));
}

/// A reference as the report names it: URN, version, canonicalVersionUri.
fn describe(r: &crate::model::CodeListRef) -> String {
    let mut parts = Vec::new();
    if let Some(id) = &r.id {
        parts.push(id.clone());
    }
    if let Some(c) = &r.canonical {
        parts.push(c.clone());
    }
    if let Some(v) = &r.version {
        parts.push(format!("Version {v}"));
    }
    if let Some(cv) = &r.canonical_version {
        parts.push(cv.clone());
    }
    if parts.is_empty() { "(leere Referenz)".into() } else { parts.join(", ") }
}
