//! Printing hands the PDF to the system's `lp` on standard input. CUPS itself cannot run here; a stand-in
//! program with `lp`'s interface records what it gets.

use formdesk_desk::print::print_pdf_with;
use std::os::unix::fs::PermissionsExt;

/// A program that writes its arguments and its standard input into `dir`, and fails when told to.
fn stand_in(dir: &std::path::Path, fail: bool) -> String {
    let path = dir.join("lp");
    let end = if fail { "echo 'lp: Error - no default destination available.' >&2; exit 1" } else { "exit 0" };
    let script = format!(
        "#!/bin/sh\nprintf '%s\\n' \"$@\" > '{args}'\ncat > '{data}'\n{end}\n",
        args = dir.join("args").display(),
        data = dir.join("data").display()
    );
    std::fs::write(&path, script).expect("write");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    path.display().to_string()
}

#[test]
fn the_pdf_goes_to_lp_on_standard_input_with_the_reference_as_title() {
    let dir = tempfile::tempdir().expect("dir");
    let pdf: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    print_pdf_with(&stand_in(dir.path(), false), &pdf, "Eingangsbestätigung HUND-7K3F-Q9XD").expect("printed");
    assert!(std::fs::read(dir.path().join("data")).expect("data") == pdf, "the bytes arrive unchanged");
    let args = std::fs::read_to_string(dir.path().join("args")).expect("args");
    assert_eq!(args, "-t\nEingangsbestätigung HUND-7K3F-Q9XD\n-\n");
}

#[test]
fn a_refused_job_and_a_missing_printing_system_are_named() {
    let dir = tempfile::tempdir().expect("dir");
    let error = print_pdf_with(&stand_in(dir.path(), true), b"%PDF", "x").expect_err("refused");
    let said = error.to_string();
    assert!(said.starts_with("Der Drucker hat den Auftrag nicht angenommen."), "{said}");
    assert!(!said.contains("no default destination"), "lp's own words go to the log: {said}");
    let missing = dir.path().join("kein-lp").display().to_string();
    let error = print_pdf_with(&missing, b"%PDF", "x").expect_err("missing");
    assert!(error.to_string().starts_with("Auf diesem Arbeitsplatz ist kein Drucksystem eingerichtet"), "{error}");
}
