//! Values as people read them: German formats for dates and amounts, option labels instead of codes.
//!
//! Used by the review screen, the receipt and the engine's messages. Numbers and amounts have the German decimal
//! comma in every language but English. Dates have dots in German, Leichte Sprache, Ukrainian, Russian, Turkish
//! and Arabic (as the citizen's window asks for them), slashes in English and any other language; only German
//! adds "Uhr" to a time. Yes, no and "signed" are worded in each citizen language (German for any other).
//! Non-goals: masking (the receipt decides what to hide).

use crate::definition::{ItemKind, ValueType};
use crate::state::ItemState;
use crate::validators;
use rust_decimal::Decimal;
use serde_json::Value;
use std::str::FromStr;

/// Groups the integer digits in threes: `1234567` → `1.234.567` (German) or `1,234,567` (English).
fn group_digits(int: &str, sep: char) -> String {
    let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(sep);
        }
        out.push(c);
    }
    format!("{sign}{out}")
}

/// A decimal in the language's notation: `1.234,5` in German.
pub fn number(d: Decimal, places: Option<u32>, lang: &str) -> String {
    let d = match places {
        Some(p) => {
            let mut r = d.round_dp_with_strategy(p, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
            r.rescale(p);
            r
        }
        None => d.normalize(),
    };
    let text = d.to_string();
    let (int, frac) = text.split_once('.').map_or((text.as_str(), None), |(i, f)| (i, Some(f)));
    let (group, point) = if lang == "en" { (',', '.') } else { ('.', ',') };
    match frac {
        Some(f) => format!("{}{point}{f}", group_digits(int, group)),
        None => group_digits(int, group),
    }
}

/// An amount in euros: `1.234,50 €` in German, `€1,234.50` in English.
pub fn euros(d: Decimal, lang: &str) -> String {
    let n = number(d, Some(2), lang);
    if lang == "en" { format!("€{n}") } else { format!("{n} €") }
}

/// German or one of its variants (Leichte Sprache): times read "14:30 Uhr".
fn german(lang: &str) -> bool {
    lang == "de" || lang.starts_with("de-")
}

/// The `chrono` format of a day: `%d.%m.%Y` where the language writes dates with dots, else `%d/%m/%Y`.
fn day_format(lang: &str) -> &'static str {
    if german(lang) || matches!(lang, "uk" | "ru" | "tr" | "ar") { "%d.%m.%Y" } else { "%d/%m/%Y" }
}

/// A date: `24.11.2026` in German (and Ukrainian, Russian, Turkish, Arabic), `24/11/2026` otherwise.
pub fn date(iso: &str, lang: &str) -> String {
    match chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d") {
        Ok(d) => d.format(day_format(lang)).to_string(),
        Err(_) => iso.to_owned(),
    }
}

/// A time: `14:30 Uhr` in German, `14:30` otherwise.
pub fn time(hhmm: &str, lang: &str) -> String {
    match crate::expr::parse_time(hhmm) {
        Some(t) if german(lang) => t.format("%H:%M Uhr").to_string(),
        Some(t) => t.format("%H:%M").to_string(),
        None => hhmm.to_owned(),
    }
}

/// A date and time: `06.12.2026, 14:30 Uhr` in German, `06.12.2026, 14:30` in Ukrainian, `06/12/2026, 14:30`
/// in English; seconds only when they are not zero.
pub fn date_time(iso: &str, lang: &str) -> String {
    use chrono::Timelike;
    let Some(dt) = crate::expr::parse_date_time(iso) else { return iso.to_owned() };
    let clock = if dt.second() == 0 { "%H:%M" } else { "%H:%M:%S" };
    let text = dt.format(&format!("{}, {clock}", day_format(lang))).to_string();
    if german(lang) { format!("{text} Uhr") } else { text }
}

fn decimal_of(v: &Value) -> Option<Decimal> {
    match v {
        Value::Number(n) => Decimal::from_str(&n.to_string()).ok(),
        Value::String(s) => Decimal::from_str(&s.trim().replace(',', ".")).ok(),
        _ => None,
    }
}

/// Yes and no in a citizen language; German for any other.
fn yes_no(b: bool, lang: &str) -> &'static str {
    let (yes, no) = match lang {
        "en" => ("Yes", "No"),
        "uk" => ("Так", "Ні"),
        "ar" => ("نعم", "لا"),
        "ru" => ("Да", "Нет"),
        "tr" => ("Evet", "Hayır"),
        _ => ("Ja", "Nein"),
    };
    if b { yes } else { no }
}

/// A signature field that holds a signature; German for any other language.
fn signed(lang: &str) -> &'static str {
    match lang {
        "en" => "signed",
        "uk" => "підписано",
        "ar" => "موقَّع",
        "ru" => "подписано",
        "tr" => "imzalandı",
        _ => "unterschrieben",
    }
}

/// An item's value for reading, or `None` when it has none.
pub fn item_value(item: &ItemState, lang: &str) -> Option<String> {
    let v = &item.value;
    if v.is_null() || v.as_str().is_some_and(|s| s.trim().is_empty()) {
        return None;
    }
    let label_of =
        |code: &str| item.options.iter().find(|o| o.value == code).map_or_else(|| code.to_owned(), |o| o.label.clone());
    Some(match item.kind {
        ItemKind::Date => date(v.as_str()?, lang),
        ItemKind::Time => time(v.as_str()?.trim(), lang),
        ItemKind::DateTime => date_time(v.as_str()?.trim(), lang),
        ItemKind::Currency => euros(decimal_of(v)?, lang),
        ItemKind::Decimal | ItemKind::Integer => number(decimal_of(v)?, None, lang),
        ItemKind::Boolean => yes_no(v.as_bool()?, lang).to_owned(),
        ItemKind::Choice => label_of(v.as_str()?),
        ItemKind::MultiChoice => {
            let labels: Vec<String> = v.as_array()?.iter().filter_map(Value::as_str).map(label_of).collect();
            if labels.is_empty() {
                return None;
            }
            labels.join(", ")
        }
        ItemKind::Iban => validators::format_iban(v.as_str()?),
        ItemKind::Address => {
            let part = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").trim().to_owned();
            let street = format!("{} {}", part("street"), part("houseNumber")).trim().to_owned();
            let city = format!("{} {}", part("postcode"), part("city")).trim().to_owned();
            [street, city].into_iter().filter(|p| !p.is_empty()).collect::<Vec<_>>().join(", ")
        }
        ItemKind::Attachment | ItemKind::Photo => {
            let names: Vec<&str> = v.as_array()?.iter().filter_map(|f| f.get("name")?.as_str()).collect();
            if names.is_empty() {
                return None;
            }
            names.join(", ")
        }
        ItemKind::Signature => signed(lang).to_owned(),
        ItemKind::Computed => match item.value_type? {
            ValueType::Currency => euros(decimal_of(v)?, lang),
            ValueType::Decimal | ValueType::Integer => number(decimal_of(v)?, None, lang),
            ValueType::Boolean => yes_no(v.as_bool()?, lang).to_owned(),
            ValueType::Date => date(v.as_str()?, lang),
            ValueType::Time => time(v.as_str()?, lang),
            ValueType::DateTime => date_time(v.as_str()?, lang),
            ValueType::Text => v.as_str()?.to_owned(),
        },
        _ => match v {
            Value::String(s) => s.trim().to_owned(),
            other => other.to_string(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn german_and_english_notation() {
        let d = |s: &str| Decimal::from_str(s).unwrap_or_default();
        assert_eq!(euros(d("1234.5"), "de"), "1.234,50 €");
        assert_eq!(euros(d("1234.5"), "en"), "€1,234.50");
        assert_eq!(euros(d("-96"), "de"), "-96,00 €");
        assert_eq!(number(d("1234567.125"), None, "de"), "1.234.567,125");
        assert_eq!(number(d("12"), None, "de"), "12");
        assert_eq!(date("2026-11-24", "de"), "24.11.2026");
        assert_eq!(date("2026-11-24", "en"), "24/11/2026");
        assert_eq!(date("kein Datum", "de"), "kein Datum");
        assert_eq!(time("14:30", "de"), "14:30 Uhr");
        assert_eq!(time("09:05", "en"), "09:05");
        assert_eq!(date_time("2026-12-06T14:30", "de"), "06.12.2026, 14:30 Uhr");
        assert_eq!(date_time("2026-12-06T14:30:15", "de"), "06.12.2026, 14:30:15 Uhr");
        assert_eq!(date_time("2026-12-06T14:30", "en"), "06/12/2026, 14:30");
        assert_eq!(time("25:00", "de"), "25:00");
    }

    #[test]
    fn citizen_languages_write_dates_with_dots_and_the_decimal_comma() {
        let d = |s: &str| Decimal::from_str(s).unwrap_or_default();
        for lang in ["uk", "ru", "tr", "ar"] {
            assert_eq!(date("2026-11-24", lang), "24.11.2026", "{lang}");
            assert_eq!(time("14:30", lang), "14:30", "{lang}: no \"Uhr\"");
            assert_eq!(date_time("2026-12-06T14:30", lang), "06.12.2026, 14:30", "{lang}");
            assert_eq!(euros(d("1234.5"), lang), "1.234,50 €", "{lang}");
        }
        assert_eq!(date_time("2026-12-06T14:30", "de-x-ls"), "06.12.2026, 14:30 Uhr");
        assert_eq!(date("2026-11-24", "fr"), "24/11/2026", "a language without its own notation keeps slashes");
    }

    fn item(kind: ItemKind, value: Value) -> ItemState {
        ItemState {
            kind,
            id: "x".into(),
            path: "x".into(),
            label: None,
            help: None,
            text: None,
            visible: true,
            required: false,
            sensitive: false,
            value,
            value_type: None,
            errors: Vec::new(),
            options: Vec::new(),
            input: crate::state::InputHints::default(),
            repeat: None,
            items: Vec::new(),
            instances: Vec::new(),
        }
    }

    #[test]
    fn yes_no_and_signed_in_every_citizen_language() {
        let cases = [
            ("de", "Ja", "Nein", "unterschrieben"),
            ("en", "Yes", "No", "signed"),
            ("uk", "Так", "Ні", "підписано"),
            ("ar", "نعم", "لا", "موقَّع"),
            ("ru", "Да", "Нет", "подписано"),
            ("tr", "Evet", "Hayır", "imzalandı"),
            ("de-x-ls", "Ja", "Nein", "unterschrieben"),
            ("fr", "Ja", "Nein", "unterschrieben"),
        ];
        let signature = item(ItemKind::Signature, serde_json::json!("data:image/png;base64,AAAA"));
        for (lang, yes, no, signed) in cases {
            assert_eq!(item_value(&item(ItemKind::Boolean, Value::Bool(true)), lang).as_deref(), Some(yes), "{lang}");
            assert_eq!(item_value(&item(ItemKind::Boolean, Value::Bool(false)), lang).as_deref(), Some(no), "{lang}");
            assert_eq!(item_value(&signature, lang).as_deref(), Some(signed), "{lang}");
        }
    }
}
