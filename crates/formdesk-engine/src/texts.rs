//! The texts of a definition as translation units, and how completely each language covers them.
//!
//! A text is a JSON object of strings keyed by language tag with a German (`de`) entry: a form's title, a
//! step's description, a field's label, an option's label, a constraint's message. [`units`] lists every text
//! of a form definition or a code list under a stable id made of the property names and the ids of the
//! elements on its way (`steps.halter.items.halter_vorname.label`, `entries.beagle.label`): an element of an
//! array is named by its `id`, else its `value`, else its `code`, else its position. The same ids name the
//! units of the translation files (XLIFF, `docs/translations.md`), so a translation stays with its text when
//! steps, fields or options move.
//!
//! [`Coverage`] counts, per language, the texts that have it. The desk offers a citizen a language only where
//! the form covers it completely, code lists included ([`crate::Form::citizen_languages`]).

use crate::definition::OptionDefinition;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// One text of a definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit<'a> {
    /// Its stable id (`steps.halter.items.halter_vorname.label`).
    pub id: String,
    /// Where it is, for a translator: the German titles and labels of the elements around it, outermost first.
    pub context: Vec<String>,
    /// The text by language tag.
    pub text: &'a Map<String, Value>,
}

impl Unit<'_> {
    /// The German text.
    pub fn german(&self) -> &str {
        self.text.get("de").and_then(Value::as_str).unwrap_or("")
    }
}

/// Whether `value` is a text: an object of strings with a German entry.
pub fn is_text(value: &Value) -> bool {
    matches!(value, Value::Object(map) if map.get("de").is_some_and(Value::is_string) && map.values().all(Value::is_string))
}

/// The name of an array element in a unit id: its `id`, `value` or `code`, else its position.
pub fn element_name(element: &Value, index: usize) -> String {
    if let Value::Object(map) = element {
        for key in ["id", "value", "code"] {
            match map.get(key) {
                Some(Value::String(s)) if !s.is_empty() => return s.clone(),
                Some(Value::Number(n)) => return n.to_string(),
                _ => {}
            }
        }
    }
    index.to_string()
}

/// The German title or label of an array element, for a unit's context.
fn element_caption(element: &Value) -> Option<String> {
    let Value::Object(map) = element else { return None };
    ["title", "label"].iter().find_map(|k| map.get(*k).filter(|v| is_text(v))?.get("de")?.as_str().map(str::to_owned))
}

/// Every text of a definition (a form's or a code list's JSON), in document order.
pub fn units(document: &Value) -> Vec<Unit<'_>> {
    fn walk<'a>(value: &'a Value, id: &str, context: &mut Vec<String>, out: &mut Vec<Unit<'a>>) {
        match value {
            Value::Object(map) if is_text(value) => {
                out.push(Unit { id: id.to_owned(), context: context.clone(), text: map });
            }
            Value::Object(map) => {
                for (key, child) in map {
                    let child_id = if id.is_empty() { key.clone() } else { format!("{id}.{key}") };
                    walk(child, &child_id, context, out);
                }
            }
            Value::Array(elements) => {
                for (i, element) in elements.iter().enumerate() {
                    let caption = element_caption(element);
                    let pushed = caption.is_some();
                    context.extend(caption);
                    walk(element, &format!("{id}.{}", element_name(element, i)), context, out);
                    if pushed {
                        context.pop();
                    }
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(document, "", &mut Vec::new(), &mut out);
    out
}

/// Calls `f` with the id and the text of every text of `document`, in document order, to change them: the walk
/// of [`units`] over a mutable document.
pub fn for_each_text_mut(document: &mut Value, f: &mut impl FnMut(&str, &mut Map<String, Value>)) {
    fn walk(value: &mut Value, id: &str, f: &mut impl FnMut(&str, &mut Map<String, Value>)) {
        if is_text(value) {
            if let Value::Object(map) = value {
                f(id, map);
            }
            return;
        }
        match value {
            Value::Object(map) => {
                for (key, child) in map.iter_mut() {
                    let child_id = if id.is_empty() { key.clone() } else { format!("{id}.{key}") };
                    walk(child, &child_id, f);
                }
            }
            Value::Array(elements) => {
                for (i, element) in elements.iter_mut().enumerate() {
                    let name = element_name(element, i);
                    walk(element, &format!("{id}.{name}"), f);
                }
            }
            _ => {}
        }
    }
    walk(document, "", f);
}

/// How completely each language covers a form's texts, the entries of the shared code lists it uses included.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coverage {
    /// The number of texts.
    pub total: usize,
    /// Per language found in any text or declared in `languages`: the ids of the texts that lack it. A shared
    /// code list's entries are named `codelists/<list>:entries.<value>.label`.
    pub missing: BTreeMap<String, Vec<String>>,
}

impl Coverage {
    /// The coverage of `definition` (a form's JSON) with the `shared` code lists it uses; `declared` are the
    /// languages the form names.
    pub(crate) fn of(definition: &Value, declared: &[String], shared: &[(&str, &[OptionDefinition])]) -> Coverage {
        let mut texts: Vec<(String, BTreeSet<&str>)> =
            units(definition).into_iter().map(|u| (u.id, u.text.keys().map(String::as_str).collect())).collect();
        for (list, entries) in shared {
            for entry in entries.iter() {
                texts.push((
                    format!("codelists/{list}:entries.{}.label", entry.value),
                    entry.label.0.keys().map(String::as_str).collect(),
                ));
            }
        }
        let mut languages: BTreeSet<&str> = declared.iter().map(String::as_str).collect();
        languages.extend(texts.iter().flat_map(|(_, langs)| langs.iter().copied()));
        let missing = languages
            .into_iter()
            .map(|lang| {
                let lacking = texts.iter().filter(|(_, langs)| !langs.contains(lang)).map(|(id, _)| id.clone());
                (lang.to_owned(), lacking.collect())
            })
            .collect();
        Coverage { total: texts.len(), missing }
    }

    /// Whether every text has `lang`.
    pub fn complete(&self, lang: &str) -> bool {
        self.missing.get(lang).is_some_and(Vec::is_empty)
    }

    /// The share of texts that have `lang`, in whole percent, rounded down (99 while one text is missing).
    pub fn percent(&self, lang: &str) -> usize {
        let missing = self.missing.get(lang).map_or(self.total, Vec::len);
        ((self.total - missing) * 100).checked_div(self.total).unwrap_or(100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn units_are_named_by_ids_values_and_positions() {
        let doc = json!({
            "id": "f", "title": {"de": "Titel", "en": "Title"},
            "steps": [{"id": "s1", "title": {"de": "Schritt"}, "items": [
                {"id": "a", "label": {"de": "Feld A"}, "options": [{"value": "ja", "label": {"de": "Ja", "en": "Yes"}}],
                 "constraints": [{"rule": "a != ''", "message": {"de": "Nein"}}]}
            ]}],
            "languages": ["de", "en"]
        });
        let units = units(&doc);
        let ids: Vec<&str> = units.iter().map(|u| u.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "title",
                "steps.s1.title",
                "steps.s1.items.a.label",
                "steps.s1.items.a.options.ja.label",
                "steps.s1.items.a.constraints.0.message"
            ]
        );
        assert_eq!(units[3].context, ["Schritt", "Feld A", "Ja"]);
        assert_eq!(units[3].german(), "Ja");
    }

    #[test]
    fn the_mutable_walk_visits_the_units_in_the_same_order() {
        let mut doc = json!({"title": {"de": "T"}, "steps": [{"id": "s", "items": [{"value": 3, "label": {"de": "L"}}]},
            {"label": {"de": "Ohne Id"}}]});
        let expected: Vec<String> = units(&doc).into_iter().map(|u| u.id).collect();
        let mut seen = Vec::new();
        for_each_text_mut(&mut doc, &mut |id, text| {
            seen.push(id.to_owned());
            text.insert("uk".into(), Value::String(id.to_owned()));
        });
        assert_eq!(seen, expected);
        assert_eq!(seen, ["title", "steps.s.items.3.label", "steps.1.label"]);
        assert_eq!(doc["steps"][1]["label"]["uk"], "steps.1.label");
    }

    #[test]
    fn an_object_with_a_non_string_or_without_german_is_no_text() {
        assert!(is_text(&json!({"de": "a", "en": "b"})));
        assert!(!is_text(&json!({"en": "b"})));
        assert!(!is_text(&json!({"de": "a", "n": 1})));
    }

    #[test]
    fn coverage_counts_missing_texts_per_language_with_shared_lists() {
        let doc = json!({"title": {"de": "T", "uk": "Т"}, "steps": [{"id": "s", "title": {"de": "S", "uk": "С", "ar": "س"}}]});
        let entries = [OptionDefinition {
            value: "x".into(),
            label: crate::Text([("de".to_owned(), "X".to_owned())].into()),
            data: BTreeMap::new(),
        }];
        let c = Coverage::of(&doc, &["de".into(), "tr".into()], &[("liste", &entries)]);
        assert_eq!(c.total, 3);
        assert!(c.complete("de"));
        assert_eq!(c.missing["uk"], ["codelists/liste:entries.x.label"]);
        assert_eq!(c.missing["ar"].len(), 2);
        assert_eq!(c.missing["tr"].len(), 3);
        assert_eq!(c.percent("uk"), 66);
        assert_eq!(c.percent("tr"), 0);
        assert!(!c.complete("fa"));
    }
}
