//! `forms translations export|import` and `forms check --languages`: the translators' round trip through the real
//! binary on a copy of the repository's forms.

use crate::forms::{copy_dir, portal, repo, text};
use serde_json::Value;
use std::path::Path;
use std::process::Output;

/// A copy of the repository's forms and its path as an argument.
fn forms_copy() -> (tempfile::TempDir, String) {
    let tmp = tempfile::tempdir().expect("tempdir");
    copy_dir(&repo().join("forms"), &tmp.path().join("forms"));
    let dir = tmp.path().join("forms").to_str().expect("utf-8").to_owned();
    (tmp, dir)
}

fn ok(out: &Output) -> String {
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    stdout
}

/// The unit `id`'s `<segment>` text in an XLIFF document.
fn segment<'a>(xliff: &'a str, id: &str) -> &'a str {
    let start = xliff.find(&format!("name=\"{id}\"")).unwrap_or_else(|| panic!("no unit {id}"));
    let end = start + xliff[start..].find("</unit>").expect("unit end");
    &xliff[start..end]
}

/// The step title `step` of `forms eval` in `lang` with no answers.
fn step_title(dir: &str, tmp: &Path, form: &str, step: &str, lang: &str) -> String {
    let answers = tmp.join("answers.json");
    std::fs::write(&answers, "{}").expect("answers");
    let out = portal(&[
        "forms",
        "eval",
        &format!("{dir}/{form}"),
        "--answers",
        answers.to_str().expect("utf-8"),
        "--lang",
        lang,
        "--date",
        "2026-12-07",
    ]);
    let state: Value = serde_json::from_str(&ok(&out)).expect("state");
    let steps = state["steps"].as_array().expect("steps");
    let found = steps.iter().find(|s| s["id"] == step).unwrap_or_else(|| panic!("no step {step}: {state}"));
    found["title"].as_str().expect("title").to_owned()
}

#[test]
fn export_change_import_and_the_form_shows_the_new_text() {
    let (tmp, dir) = forms_copy();
    let file = tmp.path().join("hundeanmeldung.uk.xlf");
    let out = portal(&[
        "forms",
        "translations",
        "export",
        "hundeanmeldung",
        "--lang",
        "uk",
        "--forms",
        &dir,
        "--out",
        file.to_str().expect("utf-8"),
    ]);
    assert!(ok(&out).contains("0 noch zu übersetzen"));
    let xliff = std::fs::read_to_string(&file).expect("exported");

    // The German source, the item as context, the form's version and the shared code list it uses; the
    // machine-made translation is marked as such.
    assert!(xliff.contains("srcLang=\"de\" trgLang=\"uk\""));
    assert!(xliff.contains("<mda:meta type=\"version\">1.0.0</mda:meta>"));
    assert!(xliff.contains("<file id=\"codelist.hunderassen\""), "the breeds travel with the form");
    let unit = segment(&xliff, "steps.halter.items.halter_vorname.label");
    assert!(unit.contains("<source>Vorname(n)</source>"), "{unit}");
    assert!(unit.contains("<note category=\"context\">„Halterin oder Halter“ › Beschriftung</note>"), "{unit}");
    assert!(unit.contains("state=\"translated\" subState=\"formdesk:machine\""), "{unit}");

    let before = step_title(&dir, tmp.path(), "hundeanmeldung", "halter", "uk");
    let unit = segment(&xliff, "steps.halter.title");
    let old_target = unit.split("<target>").nth(1).and_then(|t| t.split("</target>").next()).expect("target");
    assert_eq!(before, old_target);
    // The reviewer changes the text and signs it off.
    let reviewed = unit
        .replace(old_target, "Тримач собаки (перевірено)")
        .replace("state=\"translated\" subState=\"formdesk:machine\"", "state=\"reviewed\"");
    std::fs::write(&file, xliff.replace(unit, &reviewed)).expect("edited");

    let out = ok(&portal(&["forms", "translations", "import", file.to_str().expect("utf-8"), "--forms", &dir]));
    assert!(out.contains("form hundeanmeldung (uk): 55 Texte übernommen, davon 54 ungeprüft"), "{out}");
    assert!(out.contains("codelist hunderassen (uk)"), "{out}");
    assert_eq!(step_title(&dir, tmp.path(), "hundeanmeldung", "halter", "uk"), "Тримач собаки (перевірено)");
    let stored = std::fs::read_to_string(tmp.path().join("forms/hundeanmeldung/translations/uk.xlf")).expect("stored");
    assert!(segment(&stored, "steps.halter.title").contains("state=\"reviewed\">"));

    let report = ok(&portal(&["forms", "check", &dir, "--languages"]));
    let hund = report.split("\nhundeanmeldung 1.0.0:").nth(1).expect("hundeanmeldung in the report");
    let uk = hund.lines().find(|l| l.trim_start().starts_with("uk ")).expect("uk line");
    assert!(uk.contains("100 %") && uk.contains(" ja ") && uk.contains("(92 maschinell übersetzt)"), "{uk}");
}

#[test]
fn a_file_for_another_version_of_the_form_is_refused_and_nothing_is_taken_over() {
    let (tmp, dir) = forms_copy();
    let file = tmp.path().join("ar.xlf");
    ok(&portal(&[
        "forms",
        "translations",
        "export",
        "hundeabmeldung",
        "--lang",
        "ar",
        "--forms",
        &dir,
        "--out",
        file.to_str().expect("utf-8"),
    ]));
    let definition = tmp.path().join("forms/hundeabmeldung/form.json");
    let source = std::fs::read_to_string(&definition).expect("form");
    std::fs::write(&definition, source.replacen("\"version\": \"1.0.0\"", "\"version\": \"1.1.0\"", 1)).expect("bump");
    let stored = tmp.path().join("forms/hundeabmeldung/translations/ar.xlf");
    let before = std::fs::read(&stored).expect("stored");

    let out = portal(&["forms", "translations", "import", file.to_str().expect("utf-8"), "--forms", &dir]);
    let stderr = text(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr
            .contains("Die Datei ist für Version 1.0.0 gemacht, das Formular „hundeabmeldung“ hat jetzt Version 1.1.0")
            && stderr.contains("nichts wurde übernommen"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(&stored).expect("stored"), before);

    // Files that are no translation of a form here: another format, a form the folder lacks, German as target.
    let refused = |name: &str, content: &str, expected: &str| {
        let path = tmp.path().join(name);
        std::fs::write(&path, content).expect("write");
        let out = portal(&["forms", "translations", "import", path.to_str().expect("utf-8"), "--forms", &dir]);
        assert!(!out.status.success());
        assert!(text(&out.stderr).contains(expected), "{name}: {}", text(&out.stderr));
    };
    refused("x.po", "msgid \"Hund\"\nmsgstr \"Собака\"\n", "kein lesbares XML");
    let xliff = std::fs::read_to_string(&file).expect("export");
    refused(
        "fremd.xlf",
        &xliff.replace(">hundeabmeldung</mda:meta>", ">katzenanmeldung</mda:meta>"),
        "übersetzt das Formular „katzenanmeldung“, das es im Ordner",
    );
    refused("de.xlf", &xliff.replace("trgLang=\"ar\"", "trgLang=\"de\""), "„de“ ist keine Zielsprache");
    refused(
        "v1.xlf",
        "<xliff xmlns=\"urn:oasis:names:tc:xliff:document:1.2\" version=\"1.2\"/>",
        "keine XLIFF-2.0-Datei",
    );
}

#[test]
fn a_changed_german_text_makes_its_translations_stale_and_the_language_is_no_longer_offered() {
    let (tmp, dir) = forms_copy();
    let definition = tmp.path().join("forms/hundeanmeldung/form.json");
    let source = std::fs::read_to_string(&definition).expect("form");
    assert!(source.contains("\"Halterin oder Halter\""));
    std::fs::write(&definition, source.replacen("\"Halterin oder Halter\"", "\"Wer hält den Hund?\"", 1))
        .expect("edit");

    let out = portal(&["forms", "check", &dir, "--languages"]);
    let stdout = ok(&out);
    assert!(
        stdout.contains("warning: hundeanmeldung/translations/uk.xlf: $: 1 translation(s) into 'uk' are stale"),
        "{stdout}"
    );
    let hund = stdout.split("\nhundeanmeldung 1.0.0:").nth(1).expect("hundeanmeldung");
    for lang in ["uk", "ar", "ru", "tr", "de-x-ls"] {
        let line = hund.lines().find(|l| l.trim_start().starts_with(&format!("{lang} "))).expect("line");
        assert!(line.contains(" nein ") && line.contains("  1  "), "{line}");
    }
    assert!(hund.contains("veraltet (der deutsche Text hat sich geändert): steps.halter.title"), "{hund}");
    // The stale text is not shown; the citizen would see German there, so Ukrainian is no longer offered.
    assert_eq!(step_title(&dir, tmp.path(), "hundeanmeldung", "halter", "uk"), "Wer hält den Hund?");

    // The next export hands the translator the old translation, marked as not done, with the German it was for.
    let out = ok(&portal(&["forms", "translations", "export", "hundeanmeldung", "--lang", "uk", "--forms", &dir]));
    let unit = segment(&out, "steps.halter.title");
    assert!(unit.contains("<segment state=\"initial\">"), "{unit}");
    assert!(unit.contains("<source>Wer hält den Hund?</source>"), "{unit}");
    assert!(unit.contains("Die Übersetzung war gemacht für: Halterin oder Halter"), "{unit}");
}
