use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub(crate) fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub(crate) fn portal(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_formdesk-portal")).args(args).current_dir(repo()).output().expect("runs")
}

pub(crate) fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

pub(crate) fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

#[test]
fn check_reports_every_form_and_a_total() {
    let out = portal(&["forms", "check", "forms"]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    let lines: Vec<&str> = stdout.lines().collect();
    let forms: Vec<String> = std::fs::read_dir(repo().join("forms"))
        .expect("forms")
        .filter_map(Result::ok)
        .filter(|e| e.path().join("form.json").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(forms.len() >= 6, "at least six forms: {forms:?}");
    assert_eq!(lines.last().copied(), Some(format!("{} forms ok", forms.len()).as_str()));
    for form in forms {
        // The id and the form's own version (an imported form keeps its FIM schema's, such as 2.1.0).
        let listed = |l: &&str| {
            l.strip_prefix(&format!("{form} "))
                .is_some_and(|v| v.split('.').count() == 3 && v.starts_with(char::is_numeric))
        };
        assert!(lines.iter().any(listed), "{form} missing in {stdout}");
    }
}

#[test]
fn check_of_a_broken_copy_lists_every_error_with_its_path() {
    let tmp = tempfile::tempdir().expect("tempdir");
    copy_dir(&repo().join("forms"), tmp.path());
    let file = tmp.path().join("hundeanmeldung/form.json");
    let mut def: Value = serde_json::from_str(&std::fs::read_to_string(&file).expect("read")).expect("json");
    def["steps"][0]["items"][0]["relevant"] = Value::from("hunde_anzahl > 1");
    def["steps"][0]["items"][1]["kind"] = Value::from("textt");
    def["fees"][0]["amount"] = Value::from("'viel'");
    std::fs::write(&file, serde_json::to_string_pretty(&def).expect("json")).expect("write");
    std::fs::write(tmp.path().join("bewohnerparkausweis/form.json"), "{ \"id\": ").expect("write");

    let out = portal(&["forms", "check", tmp.path().to_str().expect("utf-8 path")]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stdout.contains("hundeabmeldung 1."), "the valid forms are still listed: {stdout}");
    assert!(!stdout.contains("forms ok"));
    for expected in [
        "hundeanmeldung/form.json: $.steps[0].items[1].kind:",
        "bewohnerparkausweis/form.json: $: not valid JSON at line 1",
    ] {
        assert!(stderr.contains(expected), "{expected:?} missing in:\n{stderr}");
    }
    assert!(stderr.lines().last().is_some_and(|l| l.ends_with("in 2 file(s)")), "{stderr}");

    // With the schema error mended, the semantic errors show, each with its path.
    def["steps"][0]["items"][1]["kind"] = Value::from("text");
    std::fs::write(&file, serde_json::to_string_pretty(&def).expect("json")).expect("write");
    std::fs::remove_dir_all(tmp.path().join("bewohnerparkausweis")).expect("rm");
    let out = portal(&["forms", "check", tmp.path().to_str().expect("utf-8 path")]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.contains(
            "$.steps[0].items[0].relevant: in `hunde_anzahl > 1` at character 1: unknown name 'hunde_anzahl'"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("$.fees[0].amount: a fee's amount must be decimal or int"), "{stderr}");
}

#[test]
fn eval_prints_the_state_as_json() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let answers = tmp.path().join("answers.json");
    std::fs::write(&answers, r#"{"zahlungsart": "sepa", "sepa_iban": "DE00 1234"}"#).expect("write");
    let out = portal(&[
        "forms",
        "eval",
        "forms/hundeanmeldung",
        "--answers",
        answers.to_str().expect("utf-8"),
        "--lang",
        "en",
        "--date",
        "2026-11-24",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let state: Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(state["formId"], "hundeanmeldung");
    assert_eq!(state["lang"], "en");
    assert_eq!(state["complete"], false);
    let errors = state["errors"].as_array().expect("errors");
    assert!(errors.iter().any(|e| e["path"] == "sepa_iban" && e["code"] == "invalid_iban"), "{errors:?}");

    // The definition file works as well as the folder.
    let out =
        portal(&["forms", "eval", "forms/hundeanmeldung/form.json", "--answers", answers.to_str().expect("utf-8")]);
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn eval_names_bad_input() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let list = tmp.path().join("list.json");
    std::fs::write(&list, "[1, 2]").expect("write");
    let broken = tmp.path().join("broken.json");
    std::fs::write(&broken, "{ oops").expect("write");
    let cases: [(&[&str], &str); 4] = [
        (
            &["forms", "eval", "forms/hundeanmeldung", "--answers", list.to_str().expect("utf-8")],
            "must be a JSON object keyed by field id",
        ),
        (
            &["forms", "eval", "forms/hundeanmeldung", "--answers", broken.to_str().expect("utf-8")],
            "broken.json: not valid JSON",
        ),
        (
            &[
                "forms",
                "eval",
                "forms/hundeanmeldung",
                "--answers",
                list.to_str().expect("utf-8"),
                "--date",
                "24.11.2026",
            ],
            "expected a date as YYYY-MM-DD",
        ),
        (&["forms", "eval", "forms/gibtsnicht", "--answers", list.to_str().expect("utf-8")], "gibtsnicht"),
    ];
    for (args, expected) in cases {
        let out = portal(args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {expected:?} missing in {stderr}");
    }
}

#[test]
fn every_command_explains_itself_with_an_example() {
    for args in [
        &["forms", "check", "--help"][..],
        &["forms", "eval", "--help"][..],
        &["forms", "receipt", "--help"][..],
        &["forms", "test", "--help"][..],
        &["forms", "import", "--help"][..],
    ] {
        let out = portal(args);
        assert!(out.status.success());
        assert!(text(&out.stdout).contains("Example: formdesk-portal forms"), "{args:?}");
    }
}

#[test]
fn test_runs_the_scenarios_of_a_form_or_of_every_form() {
    let out = portal(&["forms", "test", "forms/hundeanmeldung"]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    let files = std::fs::read_dir(repo().join("forms/hundeanmeldung/scenarios")).expect("scenarios").count();
    assert!(stdout.contains("ok      hundeanmeldung/01_leer"), "{stdout}");
    assert_eq!(stdout.lines().filter(|l| l.starts_with("ok ")).count(), files, "{stdout}");
    assert!(stdout.ends_with(&format!("{files} scenario(s), 0 failed\n")), "{stdout}");

    let out = portal(&["forms", "test", "forms"]);
    assert!(out.status.success(), "{}\n{}", text(&out.stdout), text(&out.stderr));
    assert!(text(&out.stdout).contains("ok      wohnberechtigungsschein/"), "{}", text(&out.stdout));
}

#[test]
fn test_names_every_failed_expectation_and_fails() {
    let tmp = tempfile::tempdir().expect("tempdir");
    copy_dir(&repo().join("forms"), tmp.path());
    let scenarios = tmp.path().join("personenstandsurkunde/scenarios");
    let wrong = serde_json::json!({"description": "falsch", "date": "2026-11-24", "answers": {"anzahl": 2},
        "expect": {"absentFees": ["urkundengebuehr"], "required": ["registernummer"]}});
    std::fs::write(scenarios.join("99_falsch.json"), wrong.to_string()).expect("write");
    let empty = tmp.path().join("hundeabmeldung/scenarios");
    std::fs::remove_dir_all(&empty).expect("remove");

    let out = portal(&["forms", "test", tmp.path().join("personenstandsurkunde").to_str().expect("utf-8")]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("FAILED  personenstandsurkunde/99_falsch"), "{stdout}");
    assert!(stdout.contains("fee urkundengebuehr: expected it not to apply, but it is charged with 18.00"), "{stdout}");
    assert!(stdout.contains("registernummer: expected required, but required is false"), "{stdout}");
    assert!(stdout.contains("ok      personenstandsurkunde/01_leer"), "{stdout}");
    assert!(stdout.trim_end().ends_with(", 1 failed"), "{stdout}");

    // A whole folder: the form without scenarios fails too, and `forms check` warns about it.
    let out = portal(&["forms", "test", tmp.path().to_str().expect("utf-8")]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("FAILED  hundeabmeldung/has_scenarios"), "{stdout}");
    assert!(stdout.trim_end().ends_with(", 2 failed"), "{stdout}");
    let out = portal(&["forms", "check", tmp.path().to_str().expect("utf-8")]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "a warning does not fail the check: {stdout}");
    assert!(
        stdout.lines().any(|l| l.starts_with("warning: ")
            && l.contains("hundeabmeldung/scenarios")
            && l.contains("no scenarios")),
        "{stdout}"
    );
}

#[test]
fn test_of_a_folder_without_forms_names_it() {
    let out = portal(&["forms", "test", "/nonexistent/forms"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("/nonexistent/forms"), "{}", text(&out.stderr));
}

/// The administrator's path: import a FIM schema into a forms folder, check it, run its (new) scenario,
/// and ask what a newer schema changes.
#[test]
fn import_writes_a_draft_that_check_and_test_accept() {
    let tmp = tempfile::tempdir().expect("tempdir");
    copy_dir(&repo().join("forms/codelists"), &tmp.path().join("codelists"));
    let data = repo().join("crates/formdesk-fim/tests/data/hundesteuer");
    let out_dir = tmp.path().join("hundesteuer");
    let out = portal(&[
        "forms",
        "import",
        data.join("v2/S60000001.xml").to_str().expect("utf-8"),
        "--codelists",
        data.join("v2").to_str().expect("utf-8"),
        "--id",
        "hundesteuer",
        "--destination",
        "steueramt",
        "--out",
        out_dir.to_str().expect("utf-8"),
    ]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    // The report is printed and written beside the form; it names the rules and the unresolved list.
    let report = std::fs::read_to_string(out_dir.join("import-report.md")).expect("report");
    assert!(stdout.starts_with(&report), "the printed report is the written one");
    assert!(report.contains("R60000009"), "{report}");
    assert!(report.contains("urn:de:fim:codeliste:herkunfthund"), "{report}");
    // The schema by its file name only, in both reports: they travel to the portal in the editor's bundle.
    assert!(report.contains("- Quelle: S60000001.xml ("), "{report}");
    let json = std::fs::read_to_string(out_dir.join("import-report.json")).expect("json report");
    assert!(!json.contains(data.to_str().expect("utf-8")), "{json}");
    let form: Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("form.json")).expect("form")).expect("json");
    assert_eq!(form["id"], "hundesteuer");
    assert_eq!(form["destination"], "steueramt");
    assert_eq!(form["fim"]["id"], "S60000001");

    let out = portal(&["forms", "check", tmp.path().to_str().expect("utf-8")]);
    assert!(out.status.success(), "{}\n{}", text(&out.stdout), text(&out.stderr));
    assert!(text(&out.stdout).contains("hundesteuer 1.2.0"), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("no scenarios"), "a new draft has none yet: {}", text(&out.stdout));

    std::fs::create_dir(out_dir.join("scenarios")).expect("mkdir");
    let scenario = serde_json::json!({"description": "leer", "date": "2026-12-06", "answers": {},
        "expect": {"required": ["familienname"], "optional": ["doktorgrad"], "complete": false}});
    std::fs::write(out_dir.join("scenarios/01_leer.json"), scenario.to_string()).expect("write");
    let out = portal(&["forms", "test", out_dir.to_str().expect("utf-8")]);
    assert!(out.status.success(), "{}\n{}", text(&out.stdout), text(&out.stderr));

    // A second import into the same folder is refused and leaves it as it was.
    let again = portal(&[
        "forms",
        "import",
        data.join("v2/S60000001.xml").to_str().expect("utf-8"),
        "--out",
        out_dir.to_str().expect("utf-8"),
    ]);
    assert_eq!(again.status.code(), Some(1), "{}", text(&again.stdout));
    assert!(text(&again.stderr).contains("nicht leer"), "{}", text(&again.stderr));
    assert!(out_dir.join("scenarios/01_leer.json").is_file());

    // The same schema in version 3.0.0 with a newer breed list: the diff names the new list version.
    let out = portal(&[
        "forms",
        "import",
        "--diff",
        out_dir.to_str().expect("utf-8"),
        data.join("v3/S60000001.xml").to_str().expect("utf-8"),
        "--codelists",
        data.join("v3/codelists").to_str().expect("utf-8"),
    ]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    assert!(stdout.contains("2026-06-01"), "{stdout}");
}

#[test]
fn import_of_bad_input_names_the_file_and_the_place_and_writes_nothing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let bad = repo().join("crates/formdesk-fim/tests/data/bad");
    for (file, says) in [
        ("not-xml.xml", "not-xml.xml:"),
        ("doctype-billion-laughs.xml", "DOCTYPE"),
        ("message-datenfeldgruppe-0103.xml", "0103"),
    ] {
        let path = bad.join(file);
        assert!(path.is_file(), "{file} is in the test data");
        let out_dir = tmp.path().join(file);
        let out =
            portal(&["forms", "import", path.to_str().expect("utf-8"), "--out", out_dir.to_str().expect("utf-8")]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{file}: {stderr}");
        assert!(stderr.contains(says), "{file}: {stderr}");
        assert!(!out_dir.exists(), "{file}: nothing written");
    }
    let big = tmp.path().join("gross.xml");
    std::fs::write(&big, vec![b' '; 10 * 1024 * 1024]).expect("write");
    let out = portal(&[
        "forms",
        "import",
        big.to_str().expect("utf-8"),
        "--out",
        tmp.path().join("g").to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("höchstens 8 MB"), "{}", text(&out.stderr));
}
