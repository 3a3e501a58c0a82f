//! Golden files of the text `pdftotext` extracts from a receipt of every form (and of the names in every
//! script the receipt supports). After a deliberate change, regenerate them with
//! `UPDATE_GOLDEN=1 cargo nextest run -p formdesk-receipt golden` and read the diff.

use crate::support::{self, repo};
use formdesk_receipt::{Delivery, render};
use std::path::{Path, PathBuf};

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// Compares with the golden file, or writes it when `UPDATE_GOLDEN` is set.
pub fn check(name: &str, actual: &str) {
    let path = golden_dir().join(format!("{name}.txt"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(golden_dir()).expect("mkdir");
        std::fs::write(&path, actual).expect("write golden file");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; create it with UPDATE_GOLDEN=1", path.display()));
    if expected != actual {
        let line = expected.lines().zip(actual.lines()).position(|(a, b)| a != b).map_or(0, |n| n + 1);
        panic!(
            "{name}: the receipt's text differs from {} (first at line {line}); regenerate with UPDATE_GOLDEN=1 \
             if the change is intended\n--- actual ---\n{actual}",
            path.display()
        );
    }
}

/// The first complete scenario of each form.
fn complete_scenarios() -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    let mut forms: Vec<PathBuf> = std::fs::read_dir(repo().join("forms"))
        .expect("forms")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("form.json").is_file())
        .collect();
    forms.sort();
    for dir in forms {
        let mut scenarios: Vec<PathBuf> = std::fs::read_dir(dir.join("scenarios"))
            .expect("scenarios")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect();
        scenarios.sort();
        let complete = scenarios.into_iter().find(|p| {
            let json: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(p).expect("read")).expect("json");
            json["expect"]["complete"] == true
        });
        let id = dir.file_name().expect("name").to_string_lossy().into_owned();
        out.push((id.clone(), complete.unwrap_or_else(|| panic!("{id} has no complete scenario"))));
    }
    out
}

#[test]
fn every_form_has_a_receipt_whose_text_matches_its_golden_file() {
    let catalog = support::catalog();
    let scenarios = complete_scenarios();
    assert!(scenarios.len() >= 6, "{scenarios:?}");
    for (id, scenario) in scenarios {
        let form = support::form(&catalog, &id);
        let (answers, lang) = support::scenario(&scenario);
        let receipt = support::receipt(&form, &answers, &lang, Delivery::Pending);
        let pdf = render(&receipt).expect("renders");
        check(&id, &support::text(&pdf));
    }
}

#[test]
fn a_bilingual_receipt_matches_its_golden_file() {
    let catalog = support::catalog();
    let form = support::form(&catalog, "hundeanmeldung");
    let (answers, _) =
        support::scenario(&repo().join("forms/hundeanmeldung/scenarios/02_zwei_hunde_ein_listenhund.json"));
    let delivered = Delivery::Delivered(support::at("2026-11-24T11:03:00+01:00"));
    let pdf = render(&support::receipt(&form, &answers, "tr", delivered)).expect("renders");
    support::keep("hundeanmeldung-tr.pdf", &pdf);
    let text = support::text(&pdf);
    for expected in ["Başvuru alındı belgesi", "Köpek kaydı", "übermittelt am 24.11.2026, 11:03 Uhr", "Evet"] {
        assert!(text.contains(expected), "{expected:?} missing in\n{text}");
    }
    check("hundeanmeldung-tr-delivered", &text);
}

#[test]
fn a_receipt_names_the_version_and_hash_of_the_form_filled_in() {
    let catalog = support::catalog();
    let form = support::form(&catalog, "hundeanmeldung");
    let (answers, lang) =
        support::scenario(&repo().join("forms/hundeanmeldung/scenarios/02_zwei_hunde_ein_listenhund.json"));
    let sha = "3f2a9c01d4e5b6a7".repeat(4);
    let receipt = support::receipt(&form, &answers, &lang, Delivery::Pending).with_form_sha256(&sha);
    assert_eq!(receipt.form_sha256.as_deref(), Some(sha.as_str()));
    let text = support::text(&render(&receipt).expect("renders"));
    assert!(text.contains("Fassung 1.0.0 · Prüfsumme 3f2a9c01d4e5b6a7"), "{text}");
    let plain = support::text(&render(&support::receipt(&form, &answers, &lang, Delivery::Pending)).expect("renders"));
    assert!(!plain.contains("Prüfsumme 3f2a"), "only when the desk names the text");
}
