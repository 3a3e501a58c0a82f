use super::{errors, eval, form_with, today};
use formdesk_engine::state::ItemState;
use formdesk_engine::{Answers, FormState};
use serde_json::json;

fn item<'a>(state: &'a FormState, path: &str) -> &'a ItemState {
    fn find<'a>(items: &'a [ItemState], path: &str) -> Option<&'a ItemState> {
        items.iter().find_map(|i| {
            if i.path == path {
                return Some(i);
            }
            find(&i.items, path).or_else(|| i.instances.iter().find_map(|inst| find(inst, path)))
        })
    }
    state.steps.iter().find_map(|s| find(&s.items, path)).unwrap_or_else(|| panic!("no item at {path}"))
}

fn pair(path: &str, code: &str) -> (String, String) {
    (path.to_owned(), code.to_owned())
}

#[test]
fn hidden_fields_are_not_checked_and_count_as_unanswered() {
    let form = form_with(json!([
        {"kind": "boolean", "id": "hat_hund", "label": {"de": "Hund?", "en": "Dog?"}},
        {"kind": "text", "id": "hundename", "label": {"de": "Name", "en": "Name"}, "required": true, "relevant": "hat_hund"},
        {"kind": "computed", "id": "anzeige", "label": {"de": "A", "en": "A"}, "valueType": "text",
         "calculate": "coalesce(hundename, 'kein Hund')"}
    ]))
    .expect("loads");
    let state = eval(&form, json!({"hat_hund": false, "hundename": "Bello"}));
    assert!(!item(&state, "hundename").visible);
    assert_eq!(state.values["anzeige"], json!("kein Hund"), "the hidden answer is ignored");
    assert_eq!(errors(&state), vec![]);
    assert!(state.complete);

    let state = eval(&form, json!({"hat_hund": true}));
    assert!(item(&state, "hundename").visible);
    assert!(item(&state, "hundename").required);
    assert_eq!(errors(&state), vec![pair("hundename", "required")]);
    assert!(!state.complete);
    assert!(!state.steps[0].complete);
    assert_eq!(state.steps[0].error_count, 1);
}

#[test]
fn answers_of_the_wrong_shape_get_clear_errors() {
    let form = form_with(json!([
        {"kind": "integer", "id": "anzahl", "label": {"de": "Anzahl", "en": "Count"}, "min": 1, "max": 10},
        {"kind": "currency", "id": "betrag", "label": {"de": "Betrag", "en": "Amount"}},
        {"kind": "decimal", "id": "flaeche", "label": {"de": "Fläche", "en": "Area"}, "fractionDigits": 1},
        {"kind": "date", "id": "geburt", "label": {"de": "Geburt", "en": "Birth"}, "notInFuture": true, "minAge": 18},
        {"kind": "boolean", "id": "ok", "label": {"de": "OK", "en": "OK"}},
        {"kind": "choice", "id": "farbe", "label": {"de": "Farbe", "en": "Colour"},
         "options": [{"value": "rot", "label": {"de": "Rot", "en": "Red"}}]}
    ]))
    .expect("loads");
    let state = eval(
        &form,
        json!({"anzahl": "drei", "betrag": "12,345", "flaeche": "1,25", "geburt": "2026-13-01", "ok": "ja", "farbe": "grün", "extra": 1}),
    );
    assert_eq!(
        errors(&state),
        vec![
            pair("anzahl", "type"),
            pair("betrag", "fraction_digits"),
            pair("flaeche", "fraction_digits"),
            pair("geburt", "invalid_date"),
            pair("ok", "type"),
            pair("farbe", "invalid_choice"),
            pair("extra", "unknown_field"),
        ]
    );
    let state = eval(&form, json!({"anzahl": 11, "betrag": "12,50", "flaeche": 3, "geburt": "2027-01-01"}));
    assert_eq!(errors(&state), vec![pair("anzahl", "above_max"), pair("geburt", "date_in_future")]);
    assert_eq!(item(&state, "anzahl").errors[0].message, "Der Wert darf höchstens 10 sein.");
    let state = eval(&form, json!({"anzahl": "0", "geburt": "2010-05-05"}));
    assert_eq!(errors(&state), vec![pair("anzahl", "below_min"), pair("geburt", "below_min_age")]);
}

#[test]
fn built_in_formats_are_validated() {
    let form = form_with(json!([
        {"kind": "iban", "id": "iban", "label": {"de": "IBAN", "en": "IBAN"}, "sensitive": true},
        {"kind": "postcode", "id": "plz", "label": {"de": "PLZ", "en": "Postcode"}},
        {"kind": "email", "id": "mail", "label": {"de": "E-Mail", "en": "Email"}},
        {"kind": "phone", "id": "tel", "label": {"de": "Telefon", "en": "Phone"}},
        {"kind": "text", "id": "steuer_id", "label": {"de": "Steuer-ID", "en": "Tax ID"}, "format": "steuerId"},
        {"kind": "text", "id": "kennzeichen", "label": {"de": "Kennzeichen", "en": "Plate"}, "format": "vehiclePlate"},
        {"kind": "address", "id": "anschrift", "label": {"de": "Anschrift", "en": "Address"}}
    ]))
    .expect("loads");
    let good = json!({
        "iban": "DE89 3704 0044 0532 0130 00", "plz": "32049", "mail": "anna.mueller@example.de",
        "tel": "05221 189-0", "steuer_id": "86095742719", "kennzeichen": "HF-AB 123",
        "anschrift": {"street": "Amtshausstraße", "houseNumber": "3", "postcode": "32051", "city": "Herford"}
    });
    assert_eq!(errors(&eval(&form, good)), vec![]);
    let bad = json!({
        "iban": "DE89 3704 0044 0532 0130 01", "plz": "3204", "mail": "anna@", "tel": "abc",
        "steuer_id": "86095742710", "kennzeichen": "HFAB123",
        "anschrift": {"street": "Amtshausstraße", "houseNumber": "3", "postcode": "00000", "city": "Herford"}
    });
    assert_eq!(
        errors(&eval(&form, bad)),
        vec![
            pair("iban", "invalid_iban"),
            pair("plz", "invalid_postcode"),
            pair("mail", "invalid_email"),
            pair("tel", "invalid_phone"),
            pair("steuer_id", "invalid_steuer_id"),
            pair("kennzeichen", "invalid_vehicle_plate"),
            pair("anschrift", "invalid_postcode"),
        ]
    );
    let partial = json!({"anschrift": {"street": "Amtshausstraße", "city": "Herford"}});
    assert_eq!(errors(&eval(&form, partial)), vec![pair("anschrift", "required")]);
}

#[test]
fn repeat_groups_have_paths_bounds_and_per_instance_relevance() {
    let form = form_with(json!([
        {"kind": "group", "id": "hunde", "label": {"de": "Hunde", "en": "Dogs"}, "repeat": {"min": 1, "max": 2},
         "itemLabel": {"de": "Hund", "en": "Dog"}, "items": [
            {"kind": "text", "id": "name", "label": {"de": "Name", "en": "Name"}, "required": true},
            {"kind": "boolean", "id": "gefaehrlich", "label": {"de": "Gefährlich", "en": "Dangerous"}},
            {"kind": "text", "id": "nachweis", "label": {"de": "Nachweis", "en": "Proof"}, "required": true,
             "relevant": "item.gefaehrlich"}
        ]},
        {"kind": "computed", "id": "steuer", "label": {"de": "Steuer", "en": "Tax"}, "valueType": "currency",
         "calculate": "sum(hunde.map(h, coalesce(h.gefaehrlich, false) ? 600 : 96.004))"}
    ]))
    .expect("loads");
    let state = eval(&form, json!({}));
    assert_eq!(errors(&state), vec![pair("hunde", "too_few_items")]);
    assert_eq!(state.values["steuer"], json!("0.00"));
    let state = eval(&form, json!({"hunde": [{"name": "Bello"}, {"gefaehrlich": true, "farbe": "braun"}]}));
    assert_eq!(
        errors(&state),
        vec![
            pair("hunde[1].name", "required"),
            pair("hunde[1].nachweis", "required"),
            pair("hunde[1].farbe", "unknown_field")
        ]
    );
    assert!(!item(&state, "hunde[0].nachweis").visible);
    assert!(item(&state, "hunde[1].nachweis").visible);
    assert_eq!(state.values["steuer"], json!("696.00"), "96.004 + 600, rounded to cents");
    let state = eval(&form, json!({"hunde": [{"name": "A"}, {"name": "B"}, {"name": "C"}]}));
    assert_eq!(errors(&state), vec![pair("hunde", "too_many_items")]);
}

#[test]
fn conditional_requirements_constraints_steps_and_fees() {
    let def = json!({
        "formatVersion": 1, "id": "test", "version": "1.0.0", "title": {"de": "Test", "en": "Test", "tr": "Deneme"},
        "destination": "test", "languages": ["de", "en", "tr"],
        "fees": [
            {"id": "grund", "label": {"de": "Gebühr", "en": "Fee"}, "amount": "12 + 0.5 * anzahl"},
            {"id": "express", "label": {"de": "Eilzuschlag", "en": "Express"}, "amount": "10", "relevant": "eilig"}
        ],
        "steps": [
            {"id": "s1", "title": {"de": "Eins", "en": "One", "tr": "Bir"}, "items": [
                {"kind": "integer", "id": "anzahl", "label": {"de": "Anzahl", "en": "Count", "tr": "Adet"}, "required": true,
                 "constraints": [{"rule": "anzahl % 2 == 0", "code": "nur_gerade", "message": {"de": "Nur gerade Zahlen.", "en": "Even numbers only."}}]},
                {"kind": "boolean", "id": "eilig", "label": {"de": "Eilig", "en": "Urgent"}},
                {"kind": "text", "id": "grund_eile", "label": {"de": "Grund", "en": "Reason"}, "required": "eilig == true"}
            ]},
            {"id": "s2", "title": {"de": "Zwei", "en": "Two"}, "relevant": "anzahl > 2", "items": [
                {"kind": "text", "id": "details", "label": {"de": "Details", "en": "Details"}, "required": true}
            ]}
        ]
    });
    let form =
        formdesk_engine::Form::from_json(&def.to_string(), &formdesk_engine::CodeLists::default()).expect("loads");
    let answers = |v: serde_json::Value| -> Answers { v.as_object().cloned().unwrap_or_default() };

    let state = form.evaluate(&answers(json!({"anzahl": 3, "eilig": true})), "en", today());
    assert_eq!(
        errors(&state),
        vec![pair("anzahl", "nur_gerade"), pair("grund_eile", "required"), pair("details", "required")]
    );
    assert_eq!(item(&state, "anzahl").errors[0].message, "Even numbers only.");
    assert_eq!(item(&state, "anzahl").errors[0].code, "nur_gerade");
    assert!(state.steps[1].visible);
    let fees: Vec<(&str, &str)> = state.fees.iter().map(|f| (f.id.as_str(), f.amount.as_str())).collect();
    assert_eq!(fees, vec![("grund", "13.50"), ("express", "10.00")]);

    let state = form.evaluate(&answers(json!({"anzahl": 2, "eilig": false})), "tr", today());
    assert_eq!(errors(&state), vec![]);
    assert!(!state.steps[1].visible);
    assert_eq!(state.title, "Deneme");
    assert_eq!(state.steps[0].title, "Bir");
    assert_eq!(state.steps[1].title, "Zwei", "a text missing in the citizen's language falls back to German");
    assert_eq!(item(&state, "anzahl").label.as_deref(), Some("Adet"));
    assert_eq!(state.fees.len(), 1);
}

#[test]
fn evaluation_is_deterministic() {
    let form = form_with(json!([
        {"kind": "date", "id": "geburt", "label": {"de": "Geburt", "en": "Birth"}, "minAge": 18}
    ]))
    .expect("loads");
    let a = eval(&form, json!({"geburt": "2008-11-24"}));
    let b = eval(&form, json!({"geburt": "2008-11-24"}));
    assert_eq!(a, b);
    assert_eq!(errors(&a), vec![], "18 on the reference date");
    assert_eq!(errors(&eval(&form, json!({"geburt": "2008-11-25"}))), vec![pair("geburt", "below_min_age")]);
}
