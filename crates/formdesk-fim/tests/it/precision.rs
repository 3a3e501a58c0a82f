//! praezisierung (design section 2.8) in the forms seen in real files, and patterns translated from
//! JavaScript to the `regex` syntax of the format.

use crate::support::*;
use formdesk_fim::FindingKind;
use serde_json::{Value, json};

fn with(v: V, datentyp: &str, pairs: &[(&str, &str)]) -> (formdesk_fim::Import, Value) {
    let (imported, item) = one_field(v, "1:1", "input", datentyp, &praez(v, pairs));
    (imported, item.unwrap_or_default())
}

#[test]
fn lengths_on_text() {
    for v in BOTH {
        let (_, item) = with(v, "text", &[("minLength", "1"), ("maxLength", "55")]);
        assert_eq!(item["kind"], "text");
        assert_eq!(item["minLength"], 1);
        assert_eq!(item["maxLength"], 55);
        let (_, item) = with(v, "text", &[("minLength", "3"), ("maxLength", "1000")]);
        assert_eq!(item["kind"], "longText");
        assert_eq!(item["minLength"], 3);
        assert_eq!(item["maxLength"], 1000);
    }
}

#[test]
fn numbers_in_json_are_accepted_in_v2() {
    let (imported, item) =
        one_field(V::Two, "1:1", "input", "num_int", &praez_v2_raw(r#"{"minValue":1850,"maxValue":"2025"}"#));
    let item = item.unwrap_or_default();
    assert_eq!((item["min"].clone(), item["max"].clone()), (json!(1850), json!(2025)));
    assert!(kinds_about(&imported, "F1000001").is_empty());
}

#[test]
fn text_that_is_not_json_is_reported_verbatim() {
    for raw in ["5", "1..31", "{minLength: 1}", r#"{"farbe":"rot"}"#, r#"{"maxLength":true}"#] {
        let (imported, item) = one_field(V::Two, "1:1", "input", "num_int", &praez_v2_raw(raw));
        let item = item.unwrap_or_default();
        assert!(item.get("min").is_none() && item.get("max").is_none() && item.get("maxLength").is_none());
        let precision: Vec<_> = imported.report.of(FindingKind::Precision).collect();
        assert_eq!(precision.len(), 1, "{raw}");
        assert_eq!(precision[0].raw.as_deref(), Some(raw));
        assert!(precision[0].position.is_some());
    }
}

#[test]
fn v3_attributes_and_text() {
    let (imported, item) = one_field(
        V::Three,
        "1:1",
        "input",
        "text",
        "<xdf:praezisierung maxLength=\"20\" farbe=\"rot\">Hinweis</xdf:praezisierung>",
    );
    assert_eq!(item.unwrap_or_default()["maxLength"], 20);
    let said = said_about(&imported, "F1000001");
    assert!(said.contains("farbe") && said.contains("Hinweis"), "{said}");
}

#[test]
fn bounds_on_numbers() {
    for v in BOTH {
        let (_, item) = with(v, "num", &[("minValue", "0.5"), ("maxValue", "99.25")]);
        assert_eq!((item["min"].clone(), item["max"].clone()), (json!(0.5), json!(99.25)));
        let (imported, item) = with(v, "num_int", &[("minValue", "1.5"), ("maxValue", "10")]);
        assert!(item.get("min").is_none());
        assert_eq!(item["max"], 10);
        assert!(said_about(&imported, "F1000001").contains("keine ganze Zahl"));
        let (imported, item) = with(v, "num_currency", &[("minValue", "0,50"), ("maxValue", "1.005")]);
        assert!(item.get("min").is_none() && item.get("max").is_none());
        assert_eq!(imported.report.of(FindingKind::Precision).count(), 2);
        let (imported, item) = with(v, "num", &[("minLength", "2"), ("maxLength", "5")]);
        assert!(item.get("minLength").is_none());
        assert!(said_about(&imported, "F1000001").contains("passt nicht zur Art 'decimal'"));
    }
}

#[test]
fn conflicting_pairs_are_dropped() {
    for v in BOTH {
        let (imported, item) = with(v, "text", &[("minLength", "9"), ("maxLength", "3")]);
        assert!(item.get("minLength").is_none() && item.get("maxLength").is_none());
        assert!(said_about(&imported, "F1000001").contains("größer als maxLength"));
        let (imported, item) = with(v, "text", &[("maxLength", "0")]);
        assert!(item.get("maxLength").is_none());
        assert!(said_about(&imported, "F1000001").contains("maxLength 0"));
        let (_, item) = with(v, "num", &[("minValue", "9"), ("maxValue", "3")]);
        assert!(item.get("min").is_none() && item.get("max").is_none());
    }
}

#[test]
fn date_bounds_become_constraints() {
    for v in BOTH {
        let (_, item) = with(v, "date", &[("minValue", "1900-01-01"), ("maxValue", "2026-12-31")]);
        assert_eq!(
            item["constraints"],
            json!([
                {"rule": "feld >= date(\"1900-01-01\")", "code": "fim_min_value",
                 "message": {"de": "Das Datum darf nicht vor dem 01.01.1900 liegen.", "en": "The date must not be before 1900-01-01."}},
                {"rule": "feld <= date(\"2026-12-31\")", "code": "fim_max_value",
                 "message": {"de": "Das Datum darf nicht nach dem 31.12.2026 liegen.", "en": "The date must not be after 2026-12-31."}},
            ])
        );
        let (imported, item) = with(v, "date", &[("minValue", "heute"), ("maxValue", "2026-02-30")]);
        assert!(item.get("constraints").is_none());
        assert_eq!(imported.report.of(FindingKind::Precision).count(), 2);
    }
    let date = field(V::Three, "F1", "Geburt", "input", "date", &praez(V::Three, &[("maxValue", "2026-01-01")]));
    let imported = ok(&message(
        V::Three,
        &use_(V::Three, "1:3", &group(V::Three, "G1", "Kind", "", &use_(V::Three, "1:1", &date))),
    ));
    assert_eq!(item(&imported.form, "F1")["constraints"][0]["rule"], "item.geburt <= date(\"2026-01-01\")");
}

#[test]
fn time_and_date_time_bounds() {
    let (_, item) = with(V::Three, "time", &[("minValue", "08:00:00"), ("maxValue", "18:30")]);
    assert_eq!((item["min"].clone(), item["max"].clone()), (json!("08:00"), json!("18:30")));
    let (_, item) =
        with(V::Three, "datetime", &[("minValue", "2026-01-01T08:00:00"), ("maxValue", "2027-12-31 23:59:59")]);
    assert_eq!((item["min"].clone(), item["max"].clone()), (json!("2026-01-01T08:00"), json!("2027-12-31T23:59:59")));
    let (imported, item) = with(V::Three, "time", &[("minValue", "18:00"), ("maxValue", "08:00")]);
    assert!(item.get("min").is_none() && item.get("max").is_none());
    assert!(said_about(&imported, "F1000001").contains("liegt nach"));
    let (imported, item) = with(V::Three, "time", &[("minValue", "8 Uhr")]);
    assert!(item.get("min").is_none());
    assert!(said_about(&imported, "F1000001").contains("8 Uhr"));
}

fn pattern_of(v: V, js: &str) -> (formdesk_fim::Import, Option<String>) {
    let (imported, item) = with(v, "text", &[("pattern", js)]);
    (imported, item.get("pattern").and_then(Value::as_str).map(str::to_owned))
}

#[test]
fn patterns_seen_in_the_wild() {
    for v in BOTH {
        assert_eq!(pattern_of(v, r"[\p{L}0-9. ]*").1.as_deref(), Some(r"[\p{L}0-9. ]*"));
        assert_eq!(pattern_of(v, r"\d{5}").1.as_deref(), Some("[0-9]{5}"));
        assert_eq!(pattern_of(v, r"[A-Z]{2}\d{2}[\d ]+").1.as_deref(), Some("[A-Z]{2}[0-9]{2}[0-9 ]+"));
        assert_eq!(pattern_of(v, r"HRB \w+").1.as_deref(), Some("HRB [A-Za-z0-9_]+"));
        assert_eq!(pattern_of(v, r"\u00e4+|\u{1F600}").1.as_deref(), Some(r"\x{E4}+|\x{1F600}"));
        assert_eq!(pattern_of(v, r"[^]*").1.as_deref(), Some("(?s:.)*"));
        assert_eq!(pattern_of(v, r"a{,2}|[[]").1.as_deref(), Some(r"a\{,2\}|[\[]"));
        assert_eq!(pattern_of(v, r"[a&&b]").1.as_deref(), Some(r"[a\&\&b]"));
        assert_eq!(pattern_of(v, r"\/\.-").1.as_deref(), Some(r"\/\.-"));
    }
}

#[test]
fn patterns_regex_cannot_express_are_reported_and_dropped() {
    for (js, why) in [
        (r"(?=.*\d).{8,}", "Vorausschau"),
        (r"(a)\1", "Rückverweise"),
        (r"(?<n>a)\k<n>", "benannte Rückverweise"),
        (r"[]", "leere Zeichenklasse"),
        (r"[abc", "nicht geschlossen"),
        (r"a\", "endet mit"),
        (r"\q", "unbekannte Escape-Sequenz"),
        (r"(a", "kein gültiger Ausdruck"),
    ] {
        let (imported, pattern) = pattern_of(V::Three, js);
        assert_eq!(pattern, None, "{js}");
        let found: Vec<_> = imported.report.of(FindingKind::Precision).collect();
        assert!(found.iter().any(|f| f.message.contains(why) && f.raw.as_deref() == Some(js)), "{js}: {found:?}");
    }
}

#[test]
fn a_pattern_on_a_select_meaning_multiple_choice() {
    let werte = "<xdf:werte><xdf:wert><xdf:code>a</xdf:code><xdf:name>A</xdf:name></xdf:wert><xdf:wert><xdf:code>b</xdf:code><xdf:name>B</xdf:name></xdf:wert></xdf:werte>";
    let (imported, item) = one_field(
        V::Three,
        "1:1",
        "select",
        "text",
        &format!("{}{werte}", praez(V::Three, &[("pattern", "Mehrfachauswahl")])),
    );
    let item = item.unwrap_or_default();
    assert_eq!(item["kind"], "choice");
    assert!(item.get("pattern").is_none());
    assert!(said_about(&imported, "F1000001").contains("Mehrfachauswahl"));
    let (imported, item) = one_field(V::Two, "1:1", "input", "date", &praez(V::Two, &[("pattern", "[0-9]+")]));
    assert!(item.unwrap_or_default().get("pattern").is_none());
    assert!(said_about(&imported, "F1000001").contains("passt nicht zur Art 'date'"));
}
