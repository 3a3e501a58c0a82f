//! `formdesk-portal forms receipt`, run as the real binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn portal(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_formdesk-portal")).args(args).current_dir(repo()).output().expect("runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// An Ed25519 PKCS#8 (v1) document for a fixed seed.
fn pkcs8() -> Vec<u8> {
    let mut der = vec![0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];
    der.extend([42u8; 32]);
    der
}

#[test]
fn receipt_writes_a_marked_preview_pdf_of_a_scenario() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let key = tmp.path().join("desk.pk8");
    std::fs::write(&key, pkcs8()).expect("write");
    let out_pdf = tmp.path().join("receipt.pdf");
    let out = portal(&[
        "forms",
        "receipt",
        "forms/hundeanmeldung",
        "--answers",
        "forms/hundeanmeldung/scenarios/03_drei_hunde_ueberweisung.json",
        "--out",
        out_pdf.to_str().expect("utf-8"),
        "--lang",
        "tr",
        "--time",
        "2026-11-24T10:42:00+01:00",
        "--reference",
        "hund 7k3f q9xn",
        "--clerk",
        "Petra Schmidt",
        "--key",
        key.to_str().expect("utf-8"),
    ]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    assert!(stdout.contains("reference HUND-7K3F-Q9XN"), "{stdout}");
    assert!(stdout.contains("signed with the given key, public key "), "{stdout}");
    let pdf = std::fs::read(&out_pdf).expect("the PDF is written");
    assert!(pdf.starts_with(b"%PDF-1.7"));
    let extracted = Command::new("pdftotext")
        .args(["-enc", "UTF-8", out_pdf.to_str().expect("utf-8"), "-"])
        .output()
        .expect("pdftotext (poppler-utils) runs");
    let extracted = text(&extracted.stdout);
    for expected in ["MUSTER", "HUND-7K3F-Q9XN", "24.11.2026, 10:42 Uhr", "Petra Schmidt", "Köpek kaydı"] {
        assert!(extracted.contains(expected), "{expected:?} missing in\n{extracted}");
    }
}

#[test]
fn receipt_names_bad_input() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out_pdf = tmp.path().join("r.pdf");
    let out_pdf = out_pdf.to_str().expect("utf-8");
    let empty = "forms/hundeanmeldung/scenarios/01_leer.json";
    let complete = "forms/hundeanmeldung/scenarios/02_zwei_hunde_ein_listenhund.json";
    let base = ["forms", "receipt", "forms/hundeanmeldung", "--out", out_pdf, "--answers"];
    let cases: [(&[&str], &str); 4] = [
        (&[empty], "only a complete application gets a receipt"),
        (&[complete, "--time", "24.11.2026 10:42"], "expected a time as RFC 3339"),
        (&[complete, "--reference", "HUND-0000-0000"], "is not used in references"),
        (&[complete, "--key", "Cargo.toml"], "device key"),
    ];
    for (extra, expected) in cases {
        let args: Vec<&str> = base.iter().chain(extra.iter()).copied().collect();
        let out = portal(&args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {expected:?} missing in {stderr}");
    }
    assert!(!Path::new(out_pdf).exists(), "nothing is written on errors");
}
