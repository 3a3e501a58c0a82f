//! Shared fixtures: the forms, a fixed device key, fixed issue details, and the command-line tools.

use chrono::{DateTime, FixedOffset};
use formdesk_catalog::Catalog;
use formdesk_engine::{Answers, Form};
use formdesk_receipt::{Delivery, DeviceKey, Issue, Municipality, Receipt, Reference};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn catalog() -> Catalog {
    Catalog::load_dir(&repo().join("forms")).expect("the forms load")
}

pub fn form(catalog: &Catalog, id: &str) -> Form {
    catalog.get(id).map(|f| (**f).clone()).unwrap_or_else(|| panic!("form {id}"))
}

/// An Ed25519 PKCS#8 (v1) document for a fixed seed: the prefix of RFC 8410, then the seed.
pub fn pkcs8(seed: u8) -> Vec<u8> {
    let mut der = vec![0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];
    der.extend([seed; 32]);
    der
}

pub fn key() -> DeviceKey {
    DeviceKey::from_pkcs8(&pkcs8(7)).expect("a valid key")
}

pub fn at(text: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(text).expect("a valid time")
}

/// A scenario file's answers and language.
pub fn scenario(path: &Path) -> (Answers, String) {
    let json: Value = serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("json");
    let answers = json["answers"].as_object().cloned().expect("answers");
    (answers, json["lang"].as_str().unwrap_or("de").to_owned())
}

/// The receipt of `answers` with fixed details, so that its text is the same on every run.
pub fn receipt(form: &Form, answers: &Answers, lang: &str, delivery: Delivery) -> Receipt {
    let municipality = Municipality::example();
    let prefix = Reference::prefix_for(form.definition());
    let issue = Issue {
        municipality: &municipality,
        reference: Reference::from_random(&prefix, [0x5e, 0x17, 0x42, 0x99, 0x01, 0xab, 0xcd, 0xef]).expect("prefix"),
        issued_at: at("2026-11-24T10:42:17+01:00"),
        clerk: "Petra Schmidt",
        citizen_lang: lang,
        delivery,
    };
    Receipt::build(form, answers, issue, &key()).expect("a complete submission gets a receipt")
}

/// Runs a tool that the test needs; a missing tool is a failure that says what to install.
pub fn tool(program: &str, args: &[&str]) -> Output {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}; install poppler-utils, qpdf and zbar-tools (cargo xtask setup)"));
    assert!(out.status.success(), "{program} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out
}

/// Writes the PDF into a temporary folder and returns both.
pub fn write_pdf(pdf: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("receipt.pdf");
    std::fs::write(&path, pdf).expect("write");
    (dir, path)
}

/// The PDF's text as `pdftotext` extracts it (UTF-8, reading order).
pub fn text(pdf: &[u8]) -> String {
    let (_dir, path) = write_pdf(pdf);
    let out = tool("pdftotext", &["-enc", "UTF-8", path.to_str().expect("utf-8"), "-"]);
    String::from_utf8(out.stdout).expect("utf-8 text")
}

/// Keeps the PDF in `RECEIPT_PDF_DIR` when that is set (docs/receipts/README.md renders the pictures from there).
pub fn keep(name: &str, pdf: &[u8]) {
    if let Some(dir) = std::env::var_os("RECEIPT_PDF_DIR") {
        std::fs::write(Path::new(&dir).join(name), pdf).expect("write the PDF");
    }
}
