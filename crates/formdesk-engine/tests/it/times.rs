//! The `time` and `dateTime` kinds: answers, bounds, expressions and computed values.

use super::{errors, eval, form_with};
use formdesk_engine::display;
use serde_json::json;

fn pair(path: &str, code: &str) -> (String, String) {
    (path.to_owned(), code.to_owned())
}

fn form() -> formdesk_engine::Form {
    form_with(json!([
        {"kind": "time", "id": "beginn", "label": {"de": "Beginn", "en": "Start"}, "min": "08:00", "max": "18:00"},
        {"kind": "time", "id": "ende", "label": {"de": "Ende", "en": "End"},
         "constraints": [{"rule": "!answered(beginn) || ende > beginn", "code": "ende_vor_beginn",
                          "message": {"de": "Das Ende liegt vor dem Beginn.", "en": "The end is before the start."}}]},
        {"kind": "dateTime", "id": "termin", "label": {"de": "Termin", "en": "Appointment"},
         "min": "2026-12-01T00:00", "max": "2026-12-31T23:59"},
        {"kind": "boolean", "id": "abends", "label": {"de": "Abends", "en": "Evening"},
         "relevant": "termin >= dateTime('2026-12-06T18:00') && beginn >= time('12:00')"},
        {"kind": "computed", "id": "spaeter", "label": {"de": "S", "en": "L"}, "valueType": "time",
         "calculate": "ende"},
        {"kind": "computed", "id": "wann", "label": {"de": "W", "en": "W"}, "valueType": "dateTime",
         "calculate": "coalesce(termin, dateTime('2026-12-24T10:00'))"}
    ]))
    .expect("loads")
}

#[test]
fn valid_times_and_date_times_are_accepted_and_compared() {
    let form = form();
    let state = eval(&form, json!({"beginn": "14:30", "ende": "16:00", "termin": "2026-12-06T18:30"}));
    assert_eq!(errors(&state), vec![]);
    let abends = state.steps[0].items.iter().find(|i| i.id == "abends").map(|i| i.visible);
    assert_eq!(abends, Some(true));
    assert_eq!(state.values["spaeter"], json!("16:00"));
    assert_eq!(state.values["wann"], json!("2026-12-06T18:30"));
    let state = eval(&form, json!({"termin": "2026-12-06T18:30:15"}));
    assert_eq!(errors(&state), vec![]);
    assert_eq!(state.values["wann"], json!("2026-12-06T18:30:15"));
    assert_eq!(eval(&form, json!({})).values["wann"], json!("2026-12-24T10:00"));
}

#[test]
fn malformed_answers_get_invalid_time_and_invalid_datetime() {
    let form = form();
    for bad in ["24:00", "8:00", "14.30", "14:30:00", "abc"] {
        let state = eval(&form, json!({"beginn": bad}));
        assert_eq!(errors(&state), vec![pair("beginn", "invalid_time")], "{bad}");
    }
    for bad in ["2026-12-06", "2026-12-06 14:30", "2026-02-30T10:00", "2026-12-06T14:30Z", "06.12.2026 14:30"] {
        let state = eval(&form, json!({"termin": bad}));
        assert_eq!(errors(&state), vec![pair("termin", "invalid_datetime")], "{bad}");
    }
    assert_eq!(errors(&eval(&form, json!({"beginn": 1430}))), vec![pair("beginn", "invalid_time")]);
}

#[test]
fn bounds_give_below_min_and_above_max_with_readable_messages() {
    let form = form();
    let state = eval(&form, json!({"beginn": "07:59", "termin": "2027-01-01T00:00"}));
    assert_eq!(errors(&state), vec![pair("beginn", "below_min"), pair("termin", "above_max")]);
    assert_eq!(state.errors[0].message, "Bitte frühestens 08:00 Uhr angeben.");
    assert_eq!(state.errors[1].message, "Bitte spätestens 31.12.2026, 23:59 Uhr angeben.");
    let state = eval(&form, json!({"beginn": "18:01", "termin": "2026-11-30T23:59"}));
    assert_eq!(errors(&state), vec![pair("beginn", "above_max"), pair("termin", "below_min")]);
    let state = eval(&form, json!({"beginn": "18:00", "termin": "2026-12-01T00:00"}));
    assert_eq!(errors(&state), vec![], "the bounds themselves are allowed");
    let state = eval(&form, json!({"beginn": "12:00", "ende": "11:00"}));
    assert_eq!(errors(&state), vec![pair("ende", "ende_vor_beginn")]);
}

#[test]
fn bad_bounds_and_literals_are_load_errors() {
    let errors = form_with(json!([
        {"kind": "time", "id": "a", "label": {"de": "A", "en": "A"}, "min": "8 Uhr"},
        {"kind": "time", "id": "b", "label": {"de": "B", "en": "B"}, "min": "18:00", "max": "08:00"},
        {"kind": "dateTime", "id": "c", "label": {"de": "C", "en": "C"}, "max": 12},
        {"kind": "boolean", "id": "d", "label": {"de": "D", "en": "D"}, "relevant": "a > time('25:00')"},
        {"kind": "boolean", "id": "e", "label": {"de": "E", "en": "E"}, "relevant": "a > c"},
        {"kind": "integer", "id": "f", "label": {"de": "F", "en": "F"}, "min": "08:00"}
    ]))
    .expect_err("refused")
    .0;
    let has = |path: &str, text: &str| errors.iter().any(|e| e.path == path && e.message.contains(text));
    assert!(has("$.steps[0].items[0].min", ""), "{errors:#?}");
    assert!(has("$.steps[0].items[1].min", "greater than max"), "{errors:#?}");
    assert!(has("$.steps[0].items[2].max", ""), "{errors:#?}");
    assert!(has("$.steps[0].items[3].relevant", "'25:00' is not a time"), "{errors:#?}");
    assert!(has("$.steps[0].items[4].relevant", "cannot combine time and dateTime"), "{errors:#?}");
    assert!(has("$.steps[0].items[5].min", ""), "{errors:#?}");
}

#[test]
fn readable_values_for_review_and_receipt() {
    let form = form();
    let state = eval(&form, json!({"beginn": "14:30", "termin": "2026-12-06T14:30"}));
    let item = |id: &str| state.steps[0].items.iter().find(|i| i.id == id).expect("item");
    assert_eq!(display::item_value(item("beginn"), "de").as_deref(), Some("14:30 Uhr"));
    assert_eq!(display::item_value(item("termin"), "de").as_deref(), Some("06.12.2026, 14:30 Uhr"));
    assert_eq!(display::item_value(item("termin"), "en").as_deref(), Some("06/12/2026, 14:30"));
    assert_eq!(display::item_value(item("wann"), "de").as_deref(), Some("06.12.2026, 14:30 Uhr"));
    assert_eq!(item("beginn").input.min.as_deref(), Some("08:00"));
}
