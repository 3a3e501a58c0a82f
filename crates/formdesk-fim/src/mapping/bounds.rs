//! Constraints from praezisierung onto the kind an input became: lengths, bounds, patterns. What does not
//! fit the kind or contradicts itself is reported and left out, since the form would not load with it.

use super::{Ctx, Mapper, fim_ref};
use crate::model::Field;
use crate::pattern;
use crate::precision::Constraints;
use crate::report::{Finding, FindingKind};
use regex::Regex;
use serde_json::{Map, Value, json};
use std::sync::LazyLock;

static DECIMAL: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"^[+-]?[0-9]+(\.[0-9]+)?$").ok());
static DATE: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$").ok());
static MEDIA_TYPE: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"^[a-z]+/[a-z0-9.+*-]+$").ok());

fn is(re: &LazyLock<Option<Regex>>, s: &str) -> bool {
    re.as_ref().is_some_and(|r| r.is_match(s))
}

/// Whether `t` is a media type our `accept` takes.
pub fn is_media_type(t: &str) -> bool {
    is(&MEDIA_TYPE, t)
}

fn note(m: &mut Mapper<'_>, f: &Field, here: &str, message: String, raw: &str) {
    m.note(
        Finding::new(FindingKind::Precision, message)
            .fim(Some(fim_ref(&f.meta)))
            .path(Some(here))
            .at(f.precision.pos.or(Some(f.meta.pos)))
            .raw(raw),
    );
}

/// Applies `c` to `item` (its `kind` set already).
pub fn apply(m: &mut Mapper<'_>, f: &Field, item: &mut Map<String, Value>, here: &str, ctx: Ctx<'_>, c: &Constraints) {
    let kind = item.get("kind").and_then(Value::as_str).unwrap_or_default().to_owned();
    let texty = kind == "text" || kind == "longText";
    if texty {
        lengths(m, f, item, here, c);
    } else {
        for (key, v) in [("minLength", &c.min_length), ("maxLength", &c.max_length)] {
            if let Some(v) = v {
                note(m, f, here, format!("{key} {v} passt nicht zur Art '{kind}'; nicht übernommen"), v);
            }
        }
    }
    match kind.as_str() {
        "integer" | "decimal" | "currency" => numbers(m, f, item, here, c, &kind),
        "date" => dates(m, f, item, here, ctx, c),
        "time" | "dateTime" => times(m, f, item, here, c, &kind),
        _ => {
            for (key, v) in [("minValue", &c.min_value), ("maxValue", &c.max_value)] {
                if let Some(v) = v {
                    note(m, f, here, format!("{key} {v} passt nicht zur Art '{kind}'; nicht übernommen"), v);
                }
            }
        }
    }
    if let Some(p) = &c.pattern {
        if kind == "choice" && p.trim() == "Mehrfachauswahl" {
            note(m, f, here, "Mehrfachauswahl gewünscht (pattern \"Mehrfachauswahl\"): FIM kennt keine Mehrfachauswahl, das Feld bleibt eine Einfachauswahl; ggf. in multiChoice ändern".into(), p);
        } else if texty {
            match pattern::translate(p) {
                Ok(rust) => {
                    item.insert("pattern".into(), json!(rust));
                }
                Err(why) => note(m, f, here, format!("Muster nicht übernommen: {why}"), p),
            }
        } else {
            note(m, f, here, format!("ein Muster passt nicht zur Art '{kind}'; nicht übernommen"), p);
        }
    }
    if kind == "text"
        && item.get("maxLength").and_then(Value::as_u64).is_some_and(|n| n > u64::from(super::fields::LONG_TEXT_FROM))
    {
        item.insert("kind".into(), json!("longText"));
    }
}

fn lengths(m: &mut Mapper<'_>, f: &Field, item: &mut Map<String, Value>, here: &str, c: &Constraints) {
    let parse = |m: &mut Mapper<'_>, key: &str, v: &Option<String>| -> Option<u32> {
        let v = v.as_ref()?;
        match v.parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => {
                note(m, f, here, format!("{key} '{v}' ist keine ganze Zahl ≥ 0; nicht übernommen"), v);
                None
            }
        }
    };
    let min = parse(m, "minLength", &c.min_length);
    let max = parse(m, "maxLength", &c.max_length);
    match (min, max) {
        (_, Some(0)) => {
            note(m, f, here, "maxLength 0 erlaubt keinen Text; die Längen sind nicht übernommen".into(), "maxLength 0")
        }
        (Some(a), Some(b)) if a > b => note(
            m,
            f,
            here,
            format!("minLength {a} ist größer als maxLength {b}; die Längen sind nicht übernommen"),
            &format!("{a} > {b}"),
        ),
        _ => {
            if let Some(a) = min.filter(|a| *a > 0) {
                item.insert("minLength".into(), json!(a));
            }
            if let Some(b) = max {
                item.insert("maxLength".into(), json!(b));
            }
        }
    }
}

fn numbers(m: &mut Mapper<'_>, f: &Field, item: &mut Map<String, Value>, here: &str, c: &Constraints, kind: &str) {
    let parse = |m: &mut Mapper<'_>, key: &str, v: &Option<String>| -> Option<(String, Value)> {
        let v = v.as_ref()?;
        if !is(&DECIMAL, v) {
            note(
                m,
                f,
                here,
                format!("{key} '{v}' ist keine Zahl (erwartet mit Punkt als Dezimaltrennzeichen); nicht übernommen"),
                v,
            );
            return None;
        }
        let fraction = v.split('.').nth(1).map_or(0, str::len);
        if kind == "integer" && v.split('.').nth(1).is_some_and(|d| d.bytes().any(|b| b != b'0')) {
            note(m, f, here, format!("{key} '{v}' ist keine ganze Zahl; nicht übernommen"), v);
            return None;
        }
        if kind == "currency" && fraction > 2 {
            note(m, f, here, format!("{key} '{v}' hat mehr als zwei Nachkommastellen; nicht übernommen"), v);
            return None;
        }
        let whole = v.split('.').nth(1).is_none_or(|d| d.bytes().all(|b| b == b'0'));
        let number = if kind == "integer" || whole {
            v.split('.').next().and_then(|i| i.parse::<i64>().ok()).map(Value::from)
        } else {
            v.parse::<f64>().ok().and_then(serde_json::Number::from_f64).map(Value::Number)
        };
        match number {
            Some(n) => Some((v.clone(), n)),
            None => {
                note(m, f, here, format!("{key} '{v}' ist außerhalb des darstellbaren Bereichs; nicht übernommen"), v);
                None
            }
        }
    };
    let min = parse(m, "minValue", &c.min_value);
    let max = parse(m, "maxValue", &c.max_value);
    if let (Some((a, an)), Some((b, bn))) = (&min, &max)
        && an.as_f64().unwrap_or_default() > bn.as_f64().unwrap_or_default()
    {
        note(
            m,
            f,
            here,
            format!("minValue {a} ist größer als maxValue {b}; die Grenzen sind nicht übernommen"),
            &format!("{a} > {b}"),
        );
        return;
    }
    if let Some((_, n)) = min {
        item.insert("min".into(), n);
    }
    if let Some((_, n)) = max {
        item.insert("max".into(), n);
    }
}

fn german_date(iso: &str) -> String {
    let parts: Vec<&str> = iso.split('-').collect();
    match parts.as_slice() {
        [y, mo, d] => format!("{d}.{mo}.{y}"),
        _ => iso.to_owned(),
    }
}

fn dates(m: &mut Mapper<'_>, f: &Field, item: &mut Map<String, Value>, here: &str, ctx: Ctx<'_>, c: &Constraints) {
    let valid = |v: &str| is(&DATE, v) && formdesk_engine::NaiveDate::parse_from_str(v, "%Y-%m-%d").is_ok();
    let min = c.min_value.clone().filter(|v| {
        let ok = valid(v);
        if !ok {
            note(m, f, here, format!("minValue '{v}' ist kein Datum (JJJJ-MM-TT); nicht übernommen"), v);
        }
        ok
    });
    let max = c.max_value.clone().filter(|v| {
        let ok = valid(v);
        if !ok {
            note(m, f, here, format!("maxValue '{v}' ist kein Datum (JJJJ-MM-TT); nicht übernommen"), v);
        }
        ok
    });
    if let (Some(a), Some(b)) = (&min, &max)
        && a > b
    {
        note(
            m,
            f,
            here,
            format!("minValue {a} liegt nach maxValue {b}; die Grenzen sind nicht übernommen"),
            &format!("{a} > {b}"),
        );
        return;
    }
    let id = item.get("id").and_then(Value::as_str).unwrap_or_default().to_owned();
    let reference = match ctx.repeat {
        Some(_) => format!("item.{id}"),
        None => id,
    };
    let mut rules = Vec::new();
    if let Some(a) = min {
        rules.push(json!({
            "rule": format!("{reference} >= date(\"{a}\")"),
            "code": "fim_min_value",
            "message": {"de": format!("Das Datum darf nicht vor dem {} liegen.", german_date(&a)), "en": format!("The date must not be before {a}.")},
        }));
    }
    if let Some(b) = max {
        rules.push(json!({
            "rule": format!("{reference} <= date(\"{b}\")"),
            "code": "fim_max_value",
            "message": {"de": format!("Das Datum darf nicht nach dem {} liegen.", german_date(&b)), "en": format!("The date must not be after {b}.")},
        }));
    }
    if !rules.is_empty() {
        item.insert("constraints".into(), Value::Array(rules));
    }
}

fn times(m: &mut Mapper<'_>, f: &Field, item: &mut Map<String, Value>, here: &str, c: &Constraints, kind: &str) {
    use formdesk_engine::expr::{parse_date_time, parse_time};
    // As the format writes them: `HH:MM`; `YYYY-MM-DDTHH:MM` with seconds only when they are not zero. The
    // engine's own readers decide what is valid, and the parsed values are what is compared.
    let normal = |v: &str| -> Option<(String, String)> {
        if kind == "time" {
            let v = v.strip_suffix(":00").filter(|t| t.len() == 5).unwrap_or(v);
            let t = parse_time(v)?;
            Some((v.to_owned(), t.to_string()))
        } else {
            let mut v = v.replacen(' ', "T", 1);
            if v.len() == 19 && v.ends_with(":00") {
                v.truncate(16);
            }
            let t = parse_date_time(&v)?;
            Some((v, t.to_string()))
        }
    };
    let expected = if kind == "time" { "eine Uhrzeit SS:MM" } else { "ein Zeitpunkt JJJJ-MM-TTTSS:MM(:SS)" };
    let mut bounds = Vec::new();
    for (key, prop, v) in [("minValue", "min", &c.min_value), ("maxValue", "max", &c.max_value)] {
        let Some(v) = v else { continue };
        match normal(v) {
            Some(n) => bounds.push((prop, n)),
            None => note(m, f, here, format!("{key} '{v}' ist nicht {expected}; nicht übernommen"), v),
        }
    }
    if let [(_, (a, a_sort)), (_, (b, b_sort))] = bounds.as_slice()
        && a_sort > b_sort
    {
        note(
            m,
            f,
            here,
            format!("minValue {a} liegt nach maxValue {b}; die Grenzen sind nicht übernommen"),
            &format!("{a} > {b}"),
        );
        return;
    }
    for (prop, (v, _)) in bounds {
        item.insert(prop.into(), json!(v));
    }
}
