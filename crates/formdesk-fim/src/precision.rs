//! praezisierung (design section 2.8): the v2 JSON-like text and the v3 attributes, read into one shape.
//! What cannot be read is kept verbatim for the report, never guessed at.

use crate::model::Precision;

/// The constraints of one praezisierung, as strings, and what was not understood.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Constraints {
    pub min_length: Option<String>,
    pub max_length: Option<String>,
    pub min_value: Option<String>,
    pub max_value: Option<String>,
    pub pattern: Option<String>,
    /// Sentences for the report: text that is not JSON, unknown keys, values of the wrong type.
    pub not_understood: Vec<String>,
}

const KEYS: &[&str] = &["minLength", "maxLength", "minValue", "maxValue", "pattern"];

impl Constraints {
    fn set(&mut self, key: &str, value: String) {
        let slot = match key {
            "minLength" => &mut self.min_length,
            "maxLength" => &mut self.max_length,
            "minValue" => &mut self.min_value,
            "maxValue" => &mut self.max_value,
            _ => &mut self.pattern,
        };
        *slot = Some(value);
    }
}

/// Reads a praezisierung of either version.
pub fn read(p: &Precision, v2: bool) -> Constraints {
    let mut c = Constraints::default();
    if v2 {
        if let Some(text) = &p.text {
            read_v2(text, &mut c);
        }
        return c;
    }
    for (key, value) in &p.attributes {
        if KEYS.contains(&key.as_str()) {
            let value = if key == "pattern" { value.clone() } else { value.trim().to_owned() };
            if !value.is_empty() {
                c.set(key, value);
            }
        } else {
            c.not_understood.push(format!("unbekanntes Attribut '{key}=\"{value}\"'"));
        }
    }
    if let Some(text) = &p.text {
        c.not_understood.push(format!("Text im Element: '{text}'"));
    }
    c
}

fn read_v2(text: &str, c: &mut Constraints) {
    let parsed: Result<serde_json::Value, _> = serde_json::from_str(text);
    let Ok(serde_json::Value::Object(map)) = parsed else {
        c.not_understood.push(format!("kein JSON-Objekt: '{text}'"));
        return;
    };
    for (key, value) in map {
        if !KEYS.contains(&key.as_str()) {
            c.not_understood.push(format!("unbekannter Schlüssel '{key}' mit dem Wert {value}"));
            continue;
        }
        let value = match value {
            serde_json::Value::String(s) if key == "pattern" => s,
            serde_json::Value::String(s) => s.trim().to_owned(),
            serde_json::Value::Number(n) if key != "pattern" => n.to_string(),
            other => {
                c.not_understood.push(format!("'{key}' hat einen Wert vom falschen Typ: {other}"));
                continue;
            }
        };
        if !value.is_empty() {
            c.set(&key, value);
        }
    }
}
