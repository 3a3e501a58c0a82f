//! Rendering the Hundeanmeldung receipt (two dogs, one on the list, SEPA): building the receipt (two
//! evaluations, signing) and rendering the PDF (layout, font subsetting, compression). Targets: under 10 ms
//! median for both together, under 60 KB; the size is printed once. The Arabic receipt shapes its Arabic
//! lines (bidi, rustybuzz) and embeds Noto Sans Arabic as well.

#![allow(clippy::print_stdout, clippy::unwrap_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use formdesk_catalog::Catalog;
use formdesk_receipt::{Delivery, DeviceKey, Issue, Municipality, Receipt, Reference, render};
use std::path::Path;

fn bench(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let catalog = Catalog::load_dir(&root.join("forms")).unwrap();
    let form = catalog.get("hundeanmeldung").unwrap().clone();
    let scenario: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("forms/hundeanmeldung/scenarios/02_zwei_hunde_ein_listenhund.json"))
            .unwrap(),
    )
    .unwrap();
    let answers = scenario["answers"].as_object().unwrap().clone();
    let mut pkcs8 =
        vec![0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];
    pkcs8.extend([7u8; 32]);
    let key = DeviceKey::from_pkcs8(&pkcs8).unwrap();
    let municipality = Municipality::example();
    let build = |lang: &str| {
        let issue = Issue {
            municipality: &municipality,
            reference: Reference::from_random("HUND", [9; 8]).unwrap(),
            issued_at: chrono::DateTime::parse_from_rfc3339("2026-11-24T10:42:00+01:00").unwrap(),
            clerk: "Petra Schmidt",
            citizen_lang: lang,
            delivery: Delivery::Pending,
        };
        Receipt::build(&form, &answers, issue, &key).unwrap()
    };
    for lang in ["de", "tr", "ar"] {
        let pdf = render(&build(lang)).unwrap();
        println!("hundeanmeldung receipt ({lang}): {} bytes", pdf.len());
    }
    let receipt = build("de");
    c.bench_function("hundeanmeldung receipt: build", |b| b.iter(|| build("de")));
    c.bench_function("hundeanmeldung receipt: render", |b| b.iter(|| render(&receipt).unwrap()));
    c.bench_function("hundeanmeldung receipt: build and render", |b| b.iter(|| render(&build("de")).unwrap()));
    c.bench_function("hundeanmeldung receipt: build and render, bilingual", |b| {
        b.iter(|| render(&build("tr")).unwrap())
    });
    let arabic = build("ar");
    c.bench_function("hundeanmeldung receipt: render, German and Arabic", |b| b.iter(|| render(&arabic).unwrap()));
    c.bench_function("hundeanmeldung receipt: build and render, German and Arabic", |b| {
        b.iter(|| render(&build("ar")).unwrap())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
