//! Groups and repeat groups inside repeat groups: loading, answers, paths, expressions across levels, order.

use super::{errors, eval, form_with};
use formdesk_engine::state::{FormState, ItemState};
use formdesk_engine::{DefinitionError, Form};
use serde_json::{Value, json};

fn find<'a>(items: &'a [ItemState], path: &str) -> Option<&'a ItemState> {
    items.iter().find_map(|i| {
        if i.path == path {
            return Some(i);
        }
        find(&i.items, path).or_else(|| i.instances.iter().find_map(|inst| find(inst, path)))
    })
}

fn item<'a>(state: &'a FormState, path: &str) -> &'a ItemState {
    state.steps.iter().find_map(|s| find(&s.items, path)).unwrap_or_else(|| panic!("no item at {path}"))
}

fn pair(path: &str, code: &str) -> (String, String) {
    (path.to_owned(), code.to_owned())
}

fn errors_of(result: Result<Form, formdesk_engine::DefinitionErrors>) -> Vec<DefinitionError> {
    match result {
        Ok(_) => panic!("the definition loaded, but errors were expected"),
        Err(e) => e.0,
    }
}

fn assert_has(errors: &[DefinitionError], path: &str, text: &str) {
    assert!(
        errors.iter().any(|e| e.path == path && e.message.contains(text)),
        "no error at {path} containing {text:?}; errors: {errors:#?}"
    );
}

fn label(s: &str) -> Value {
    json!({"de": s, "en": s})
}

/// A household: members with a plain group (their flat) and a repeat group of incomes, whose computed total
/// stands before the incomes it adds up.
fn household() -> Form {
    form_with(json!([
        {"kind": "group", "id": "haushalt", "label": label("Haushalt"), "repeat": {"min": 1, "max": 4},
         "itemLabel": label("Haushaltsmitglied"), "items": [
            {"kind": "text", "id": "name", "label": label("Name"), "required": true},
            {"kind": "computed", "id": "summe", "label": label("Summe"), "valueType": "currency",
             "calculate": "sum(item.einkommen.map(e, coalesce(e.betrag, 0.00)))"},
            {"kind": "boolean", "id": "erwerbstaetig", "label": label("Erwerbstätig")},
            {"kind": "group", "id": "wohnung", "label": label("Wohnung"), "items": [
                {"kind": "boolean", "id": "abweichend", "label": label("Andere Anschrift")},
                {"kind": "group", "id": "neue_anschrift", "label": label("Anschrift"), "relevant": "item.abweichend",
                 "items": [
                    {"kind": "address", "id": "anschrift", "label": label("Anschrift"), "required": true}
                 ]}
            ]},
            {"kind": "group", "id": "einkommen", "label": label("Einkommen"), "repeat": {"min": 1, "max": 3},
             "itemLabel": label("Einkommen"), "relevant": "item.name != 'Kind'", "items": [
                {"kind": "choice", "id": "art", "label": label("Art"), "required": true, "options": [
                    {"value": "lohn", "label": label("Lohn")}, {"value": "rente", "label": label("Rente")}
                ]},
                {"kind": "currency", "id": "betrag", "label": label("Betrag"), "required": true, "min": 0,
                 "constraints": [{"rule": "item.betrag <= 100000", "code": "zu_hoch",
                                  "message": label("Zu hoch.")}]},
                {"kind": "text", "id": "arbeitgeber", "label": label("Arbeitgeber"),
                 "relevant": "item.art == 'lohn' && coalesce(outer.erwerbstaetig, false)", "required": true},
                {"kind": "computed", "id": "nummer", "label": label("Nummer"), "valueType": "text",
                 "calculate": "outer.name + (index == 0 ? ': erstes' : ': weiteres')"}
            ]}
        ]},
        {"kind": "computed", "id": "gesamt", "label": label("Gesamt"), "valueType": "currency",
         "calculate": "sum(haushalt.map(m, m.summe))"},
        {"kind": "computed", "id": "renten", "label": label("Renten"), "valueType": "integer",
         "calculate": "size(haushalt.filter(m, answered(m.einkommen) && m.einkommen.exists(e, e.art == 'rente')))"}
    ]))
    .expect("the household loads")
}

#[test]
fn nested_groups_load_and_their_answers_nest() {
    let form = household();
    let state = eval(
        &form,
        json!({"haushalt": [
            {"name": "Anna", "erwerbstaetig": true, "abweichend": true,
             "anschrift": {"street": "Amtshausstraße", "houseNumber": "3", "postcode": "32051", "city": "Herford"},
             "einkommen": [{"art": "lohn", "betrag": "1200", "arbeitgeber": "Stadt"}, {"art": "rente", "betrag": "300,50"}]},
            {"name": "Kind"}
        ]}),
    );
    assert_eq!(errors(&state), vec![]);
    assert_eq!(state.values["gesamt"], json!("1500.50"));
    assert_eq!(state.values["renten"], json!(1));
    let members = &item(&state, "haushalt").instances;
    assert_eq!(members.len(), 2);
    let incomes = members[0].iter().find(|i| i.id == "einkommen").expect("the incomes stand in the instance");
    assert_eq!(incomes.path, "haushalt[0].einkommen");
    assert_eq!(incomes.instances.len(), 2);
    assert_eq!(incomes.instances[1][1].path, "haushalt[0].einkommen[1].betrag");
    assert_eq!(incomes.instances[1][1].value, json!("300,50"));
    assert_eq!(item(&state, "haushalt[0].summe").value, json!("1500.50"), "the total reads the incomes after it");
    assert_eq!(item(&state, "haushalt[0].einkommen[1].nummer").value, json!("Anna: weiteres"));
    let flat = members[0].iter().find(|i| i.id == "wohnung").expect("the plain group stands in the instance");
    assert_eq!(flat.path, "haushalt[0].wohnung");
    assert_eq!(flat.items[1].items[0].path, "haushalt[0].anschrift", "a plain group's children share the instance");
    assert!(item(&state, "haushalt[0].anschrift").visible);
    assert!(!item(&state, "haushalt[1].anschrift").visible, "the plain group's condition is read per instance");
    assert!(!item(&state, "haushalt[1].einkommen").visible, "a nested repeat group's condition reads its instance");
    assert!(item(&state, "haushalt[1].einkommen").instances.is_empty());
}

#[test]
fn nested_errors_name_their_whole_path() {
    let form = household();
    let state = eval(
        &form,
        json!({"haushalt": [
            {"name": "Anna", "erwerbstaetig": true, "abweichend": true, "anschrift": {"street": "Weg"},
             "einkommen": [{"art": "lohn", "betrag": "1200"}, {"betrag": "-1", "farbe": "rot"}, {"art": "rente", "betrag": 200000}]},
            {"name": "Bert", "einkommen": []},
            {"name": "Cem", "einkommen": "viel", "wohnung": {"abweichend": true}},
            {"name": "Dora", "einkommen": [{"art": "lohn", "betrag": "10"}, {}, {}, {}]}
        ]}),
    );
    assert_eq!(
        errors(&state),
        vec![
            pair("haushalt[0].anschrift", "required"),
            pair("haushalt[0].einkommen[0].arbeitgeber", "required"),
            pair("haushalt[0].einkommen[1].art", "required"),
            pair("haushalt[0].einkommen[1].betrag", "below_min"),
            pair("haushalt[0].einkommen[1].farbe", "unknown_field"),
            pair("haushalt[0].einkommen[2].betrag", "zu_hoch"),
            pair("haushalt[1].einkommen", "too_few_items"),
            pair("haushalt[2].einkommen", "type"),
            pair("haushalt[2].wohnung", "unknown_field"),
            pair("haushalt[3].einkommen[1].art", "required"),
            pair("haushalt[3].einkommen[1].betrag", "required"),
            pair("haushalt[3].einkommen[2].art", "required"),
            pair("haushalt[3].einkommen[2].betrag", "required"),
            pair("haushalt[3].einkommen[3].art", "required"),
            pair("haushalt[3].einkommen[3].betrag", "required"),
            pair("haushalt[3].einkommen", "too_many_items"),
        ]
    );
    assert!(
        !item(&state, "haushalt[3].einkommen[0].arbeitgeber").visible,
        "Dora's employment is unanswered, so `outer.erwerbstaetig` hides the field"
    );
    assert_eq!(item(&state, "haushalt[0].einkommen[1].betrag").errors[0].code, "below_min");
    assert_eq!(state.values["gesamt"], json!("201209.00"), "amounts outside the bounds still count");
}

#[test]
fn three_levels_read_every_enclosing_instance() {
    let form = form_with(json!([
        {"kind": "text", "id": "ort", "label": label("Ort")},
        {"kind": "group", "id": "a", "label": label("A"), "repeat": {"min": 0, "max": 3}, "items": [
            {"kind": "text", "id": "x", "label": label("X")},
            {"kind": "group", "id": "b", "label": label("B"), "repeat": {"min": 0, "max": 3}, "items": [
                {"kind": "integer", "id": "y", "label": label("Y")},
                {"kind": "group", "id": "c", "label": label("C"), "repeat": {"min": 0, "max": 3}, "items": [
                    {"kind": "text", "id": "z", "label": label("Z"), "required": true,
                     "relevant": "outer.outer.x == 'ja' && outer.y > index && ort == 'Herford'"},
                    {"kind": "computed", "id": "pfad", "label": label("Pfad"), "valueType": "integer",
                     "calculate": "size(outer.outer.x) * 100 + outer.y * 10 + index"}
                ]}
            ]}
        ]},
        {"kind": "computed", "id": "zs", "label": label("Zs"), "valueType": "integer",
         "calculate": "sum(a.map(p, sum(p.b.map(q, size(q.c.filter(r, answered(r.z)))))))"}
    ]))
    .expect("three levels load");
    let answers = json!({"ort": "Herford", "a": [
        {"x": "nein", "b": [{"y": 5, "c": [{}]}]},
        {"x": "ja", "b": [{"y": 0, "c": [{}]}, {"y": 2, "c": [{"z": "erstes"}, {}, {"z": "drittes"}]}]}
    ]});
    let state = eval(&form, answers);
    assert_eq!(errors(&state), vec![pair("a[1].b[1].c[1].z", "required")]);
    assert!(!item(&state, "a[0].b[0].c[0].z").visible);
    assert!(!item(&state, "a[1].b[0].c[0].z").visible, "0 > 0 is false");
    assert!(item(&state, "a[1].b[1].c[0].z").visible);
    assert!(!item(&state, "a[1].b[1].c[2].z").visible, "2 > 2 is false: the third answer is hidden");
    assert_eq!(item(&state, "a[1].b[1].c[2].pfad").value, json!(222));
    assert_eq!(state.values["zs"], json!(1), "the hidden answer counts as unanswered");
}

#[test]
fn nesting_is_checked_at_load() {
    let errors = errors_of(form_with(json!([
        {"kind": "group", "id": "a", "label": label("A"), "repeat": {"min": 0, "max": 2}, "items": [
            {"kind": "group", "id": "b", "label": label("B"), "repeat": {"min": 0, "max": 2}, "items": [
                {"kind": "group", "id": "c", "label": label("C"), "repeat": {"min": 0, "max": 2}, "items": [
                    {"kind": "group", "id": "d", "label": label("D"), "repeat": {"min": 0, "max": 2}, "items": [
                        {"kind": "text", "id": "tief", "label": label("Tief")}
                    ]},
                    {"kind": "text", "id": "w", "label": label("W"), "relevant": "outer.outer.outer.v == 1"},
                    {"kind": "text", "id": "outer", "label": label("O")}
                ]},
                {"kind": "text", "id": "v", "label": label("V"), "relevant": "outer.vv == 'x'"},
                {"kind": "text", "id": "u", "label": label("U"), "relevant": "outer.outer == 'x'"},
                {"kind": "text", "id": "t", "label": label("T"), "relevant": "outer == 'x'"}
            ]}
        ]},
        {"kind": "group", "id": "e", "label": label("E"), "repeat": {"min": 0, "max": 2}, "items": [
            {"kind": "computed", "id": "e_summe", "label": label("S"), "valueType": "integer",
             "calculate": "size(item.f)"},
            {"kind": "group", "id": "f", "label": label("F"), "repeat": {"min": 0, "max": 2},
             "relevant": "coalesce(item.e_summe, 0) < 5", "items": [
                {"kind": "text", "id": "g", "label": label("G")}
            ]}
        ]}
    ])));
    assert_has(
        &errors,
        "$.steps[0].items[0].items[0].items[0].items[0].repeat",
        "repeat groups nest at most 3 levels deep",
    );
    assert_has(
        &errors,
        "$.steps[0].items[0].items[0].items[0].items[1].relevant",
        "no enclosing instance 3 levels out",
    );
    assert_has(&errors, "$.steps[0].items[0].items[0].items[0].items[2].id", "'outer' is a reserved name");
    assert_has(&errors, "$.steps[0].items[0].items[0].items[1].relevant", "a has no field 'vv'; its fields are: b");
    assert_has(&errors, "$.steps[0].items[0].items[0].items[2].relevant", "use 'outer.outer.<field>'");
    assert_has(&errors, "$.steps[0].items[0].items[0].items[3].relevant", "use 'outer.<field>'");
    assert_has(&errors, "$.steps[0].items[1]", "in a circle: e_summe → f → e_summe");
}
