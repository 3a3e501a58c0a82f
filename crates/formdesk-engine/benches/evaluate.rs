//! Evaluating one change on a form of 200 fields and 30 conditions, and loading that form.

use criterion::{Criterion, criterion_group, criterion_main};
use formdesk_engine::{Answers, CodeLists, Form, NaiveDate};
use serde_json::{Value, json};
use std::hint::black_box;

/// A form of 10 steps × 20 fields = 200 fields, with 30 conditions: 20 relevance conditions, 5 constraints and
/// 5 calculations. Field kinds rotate through the common ones.
fn generated_form() -> (String, Answers) {
    let kinds = ["text", "integer", "date", "choice", "email", "iban", "currency", "boolean", "postcode", "phone"];
    let mut steps = Vec::new();
    let mut answers = Answers::new();
    let mut conditions = 0;
    for s in 0..10 {
        let mut items = Vec::new();
        for f in 0..20 {
            let n = s * 20 + f;
            let kind = kinds[n % kinds.len()];
            let id = format!("f{n}");
            let mut item = json!({"kind": kind, "id": id, "label": {"de": format!("Feld {n}"), "en": format!("Field {n}")}, "required": n % 3 == 0});
            if kind == "choice" {
                item["options"] = json!([{"value": "a", "label": {"de": "A", "en": "A"}}, {"value": "b", "label": {"de": "B", "en": "B"}}]);
            }
            // Relevance on every tenth field, reading an integer field of an earlier step.
            if n % 10 == 5 && n > 20 && conditions < 20 {
                item["relevant"] = json!(format!("f{} > 3", (n / 20 - 1) * 20 + 1));
                conditions += 1;
            }
            if kind == "integer" && n % 40 == 1 && n > 1 {
                item["constraints"] = json!([{"rule": format!("f{n} < 1000"), "code": "zu_gross", "message": {"de": "Zu groß", "en": "Too big"}}]);
            }
            let answer = match kind {
                "text" => json!(format!("Text {n}")),
                "integer" => json!(n % 7),
                "date" => json!("1980-05-17"),
                "choice" => json!("a"),
                "email" => json!(format!("person{n}@example.de")),
                "iban" => json!("DE89 3704 0044 0532 0130 00"),
                "currency" => json!("12.50"),
                "boolean" => json!(n % 2 == 0),
                "postcode" => json!("32049"),
                _ => json!("05221 189-0"),
            };
            answers.insert(id, answer);
            items.push(item);
        }
        if s < 5 {
            items.push(json!({"kind": "computed", "id": format!("summe{s}"), "label": {"de": "Summe", "en": "Sum"},
                "valueType": "currency", "calculate": format!("f{} * 12.5 + f{}", s * 20 + 1, s * 20 + 11)}));
        }
        steps.push(json!({"id": format!("s{s}"), "title": {"de": format!("Schritt {s}"), "en": format!("Step {s}")}, "items": items}));
    }
    let def = json!({"formatVersion": 1, "id": "gross", "version": "1.0.0", "title": {"de": "Groß", "en": "Large"},
        "destination": "d", "languages": ["de", "en"], "steps": steps});
    (def.to_string(), answers)
}

fn bench(c: &mut Criterion) {
    let (source, mut answers) = generated_form();
    let form = match Form::from_json(&source, &CodeLists::default()) {
        Ok(f) => f,
        Err(e) => panic!("the generated form does not load: {e}"),
    };
    let today = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap_or_default();
    let state = form.evaluate(&answers, "de", today);
    assert!(state.steps.iter().map(|s| s.items.len()).sum::<usize>() >= 200);
    let mut i = 0u64;
    c.bench_function("evaluate one change (200 fields, 30 conditions)", |b| {
        b.iter(|| {
            // One keystroke: a field that other conditions read changes its value.
            i += 1;
            answers.insert("f21".into(), Value::from(i % 9));
            black_box(form.evaluate(black_box(&answers), "de", today))
        })
    });
    c.bench_function("load and check the same form", |b| {
        b.iter(|| black_box(Form::from_json(black_box(&source), &CodeLists::default()).is_ok()))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
