//! The municipality file: read with its logo, and every mistake named with the file.

use formdesk_desk::config::load_municipality;

#[test]
fn a_municipality_file_is_read_with_its_logo() {
    let dir = tempfile::tempdir().expect("dir");
    let logo = concat!(env!("CARGO_MANIFEST_DIR"), "/../formdesk-receipt/assets/musterstadt-logo.png");
    std::fs::copy(logo, dir.path().join("wappen.png")).expect("copy");
    let file = dir.path().join("gemeinde.json");
    std::fs::write(
        &file,
        r#"{"formatVersion": 1, "name": "Stadt Vlotho", "address": ["Lange Straße 105", "32602 Vlotho"], "logo": "wappen.png"}"#,
    )
    .expect("write");
    let town = load_municipality(&file).expect("reads");
    assert_eq!(town.name, "Stadt Vlotho");
    assert_eq!(town.address, ["Lange Straße 105", "32602 Vlotho"]);
    assert!(town.has_logo());
}

#[test]
fn mistakes_are_named_with_the_file() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("gemeinde.json");
    let cases = [
        (r#"{"formatVersion": 1, "name": "", "address": []}"#, "name: the municipality needs a name"),
        (r#"{"formatVersion": 2, "name": "X", "address": []}"#, "formatVersion 2 is not known to this Formdesk"),
        (r#"{"formatVersion": 1, "name": "X", "adress": []}"#, "unknown field `adress`"),
        (r#"{"formatVersion": 1, "name": "X", "address": [], "logo": "fehlt.png"}"#, "fehlt.png: cannot be read"),
    ];
    for (text, expected) in cases {
        std::fs::write(&file, text).expect("write");
        let error = load_municipality(&file).expect_err(text).to_string();
        assert!(error.starts_with(&file.display().to_string()), "{error}");
        assert!(error.contains(expected), "{error} should say {expected}");
    }
    std::fs::write(dir.path().join("kaputt.png"), b"not a picture").expect("write");
    std::fs::write(&file, r#"{"formatVersion": 1, "name": "X", "address": [], "logo": "kaputt.png"}"#).expect("write");
    assert!(load_municipality(&file).expect_err("bad logo").to_string().contains("logo"));
}
