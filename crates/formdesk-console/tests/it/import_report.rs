//! The import report on the form page: `import-report.json` as the importer writes it reads into the page's
//! rows and shows up in the HTML; a report of another format version or of a broken shape gives a German
//! sentence naming what is wrong, which the page shows instead of the table.

use formdesk_console::pages::forms::{FormPage, ImportReport, Origin, render_form};
use formdesk_console::pages::{Role, Viewer};
use formdesk_fim::{CodeListSource, FindingKind, Options, REPORT_JSON_FILE, import};
use serde_json::{Value, json};
use std::path::Path;

fn form_editor() -> Viewer {
    Viewer {
        display_name: "Petra Schmidt".to_owned(),
        tenant_name: Some("Gemeinde Hiddenhausen".to_owned()),
        roles: vec![Role::FormEditor],
        csrf: "q3Jk8vN1xW0tZsR4mYp7LbHc2DfGaEuI9oTn6VwXyQ".to_owned(),
    }
}

fn page(report: Result<ImportReport, String>) -> FormPage {
    FormPage {
        id: "anmeldung-hundesteuer".to_owned(),
        title: "Anmeldung zur Hundesteuer".to_owned(),
        origin: Origin::Own,
        versions: Vec::new(),
        report: Some(report),
    }
}

/// Text as askama escapes it in HTML.
fn escaped(text: &str) -> String {
    text.replace('&', "&#38;").replace('<', "&#60;").replace('>', "&#62;").replace('"', "&#34;").replace('\'', "&#39;")
}

/// The importer's test schema for the Hundesteuer (XDatenfelder 3.0.0), imported and written to a folder;
/// returns the import and the written `import-report.json`.
fn imported_hundesteuer(out: &Path) -> (formdesk_fim::Import, Value) {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../formdesk-fim/tests/data/hundesteuer/v3");
    let xml = std::fs::read(data.join("S60000001.xml")).unwrap_or_else(|e| panic!("schema: {e}"));
    let lists = CodeListSource::from_dir(&data.join("codelists")).unwrap_or_else(|e| panic!("code lists: {e}"));
    let options = Options { destination: Some("steueramt".to_owned()), ..Options::default() };
    let imported = import(&xml, "S60000001.xml", &lists, &options).unwrap_or_else(|e| panic!("import: {e}"));
    imported.write(out).unwrap_or_else(|e| panic!("write: {e}"));
    let text = std::fs::read_to_string(out.join(REPORT_JSON_FILE)).unwrap_or_else(|e| panic!("report: {e}"));
    let json = serde_json::from_str(&text).unwrap_or_else(|e| panic!("report JSON: {e}"));
    (imported, json)
}

#[test]
fn a_written_import_report_reads_into_the_page() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (imported, json) = imported_hundesteuer(&dir.path().join("anmeldung-hundesteuer"));
    let report = ImportReport::from_json(&json).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.source, "S60000001 Version 1.2.0");
    let entries = &imported.report.entries;
    assert!(entries.len() > 10, "the Hundesteuer schema leaves plenty to do: {entries:?}");
    assert_eq!(report.findings.len(), entries.len());
    for (row, entry) in report.findings.iter().zip(entries) {
        assert_eq!(row.kind, entry.kind.heading());
        let element = entry.fim.as_ref().map(|f| match &f.name {
            Some(name) => format!("{} {name}", f.id),
            None => f.id.clone(),
        });
        assert_eq!(row.element, element);
        assert_eq!(row.path, entry.path);
        assert_eq!(row.message, entry.message);
    }
    let rule = report
        .findings
        .iter()
        .find(|f| f.element.as_deref().is_some_and(|e| e.starts_with("R60000009 ")))
        .unwrap_or_else(|| panic!("the rule R60000009 in {:?}", report.findings));
    assert_eq!(rule.kind, "Regeln (als Bedingungen zu formulieren)");
    assert_eq!(rule.element.as_deref(), Some("R60000009 Erlaubnis Listenhund"));
}

#[test]
fn the_form_page_shows_every_finding_of_a_written_report() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (_, json) = imported_hundesteuer(&dir.path().join("anmeldung-hundesteuer"));
    let report = ImportReport::from_json(&json).unwrap_or_else(|e| panic!("{e}"));
    let html = render_form(&form_editor(), &page(Ok(report.clone()))).unwrap_or_else(|e| panic!("{e}"));
    assert!(html.contains("Eingelesen aus dem FIM-Schema S60000001 Version 1.2.0."), "{html}");
    assert!(html.contains(&format!("Befunde ({})", report.findings.len())), "{html}");
    for f in &report.findings {
        let row = format!(
            "<th scope=\"row\">{}</th>\n<td>{}</td>\n<td>{}</td>\n<td>{}</td>",
            escaped(&f.kind),
            f.element.as_deref().map_or("–".to_owned(), escaped),
            f.path.as_deref().map_or("–".to_owned(), |p| format!("<code>{}</code>", escaped(p))),
            escaped(&f.message)
        );
        assert!(html.contains(&row), "{row}\nmissing in\n{html}");
    }
}

#[test]
fn every_kind_reads_as_the_heading_of_the_printed_report() {
    for kind in FindingKind::ALL {
        let code = serde_json::to_value(kind).unwrap_or_else(|e| panic!("{e}"));
        let json = json!({
            "formatVersion": 1,
            "schema": {"id": "S60000001"},
            "entries": [{"kind": code, "fim": null, "path": null, "message": "Text"}],
        });
        let report = ImportReport::from_json(&json).unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        assert_eq!(report.source, "S60000001", "without a version, the id alone");
        assert_eq!(report.findings[0].kind, kind.heading(), "{kind:?}");
        assert_eq!(report.findings[0].element, None);
    }
}

fn valid() -> Value {
    json!({
        "formatVersion": 1,
        "schema": {"id": "S60000011", "version": "1.3", "name": "Hundesteuer"},
        "entries": [
            {
                "kind": "code_list",
                "fim": {"id": "F60000288", "version": "1.0", "name": "Hunderasse"},
                "path": "hund[].rasse",
                "message": "Codeliste nicht gefunden; Freitextfeld angelegt",
            },
            {"kind": "hint", "fim": {"id": "F60000227"}, "path": null, "message": "Bitte prüfen"},
        ],
    })
}

#[test]
fn a_report_reads_with_names_where_the_schema_gives_them() {
    let report = ImportReport::from_json(&valid()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.source, "S60000011 Version 1.3");
    assert_eq!(report.findings[0].kind, "Codelisten");
    assert_eq!(report.findings[0].element.as_deref(), Some("F60000288 Hunderasse"));
    assert_eq!(report.findings[0].path.as_deref(), Some("hund[].rasse"));
    assert_eq!(report.findings[1].element.as_deref(), Some("F60000227"), "no name: the id alone");
    assert_eq!(report.findings[1].path, None);
}

#[test]
fn a_report_that_cannot_be_read_names_what_is_wrong() {
    let cases: Vec<(Value, &str)> = vec![
        (json!([1, 2]), "er ist kein JSON-Objekt"),
        (
            {
                let mut v = valid();
                v["formatVersion"] = json!(2);
                v
            },
            "er hat die Formatversion 2, dieses Portal liest nur Version 1; bitte das Portal aktualisieren",
        ),
        (
            {
                let mut v = valid();
                v["formatVersion"] = json!("1");
                v
            },
            "„formatVersion“ ist \"1\", erwartet wird eine ganze Zahl",
        ),
        (
            {
                let mut v = valid();
                v["formatVersion"] = json!(1.5);
                v
            },
            "„formatVersion“ ist 1.5, erwartet wird eine ganze Zahl",
        ),
        (
            {
                let mut v = valid();
                v.as_object_mut().map(|o| o.remove("formatVersion"));
                v
            },
            "„formatVersion“ fehlt",
        ),
        (
            {
                let mut v = valid();
                v.as_object_mut().map(|o| o.remove("schema"));
                v
            },
            "„schema“ fehlt",
        ),
        (
            {
                let mut v = valid();
                v["schema"]["id"] = json!(60000011);
                v
            },
            "„schema.id“ ist 60000011, erwartet wird ein Text",
        ),
        (
            {
                let mut v = valid();
                v["entries"] = json!({});
                v
            },
            "„entries“ ist keine Liste",
        ),
        (
            {
                let mut v = valid();
                v["entries"][1]["kind"] = json!("surprise");
                v
            },
            "„entries[1].kind“ ist „surprise“, eine unbekannte Art von Befund",
        ),
        (
            {
                let mut v = valid();
                v["entries"][0].as_object_mut().map(|o| o.remove("message"));
                v
            },
            "„entries[0].message“ fehlt",
        ),
        (
            {
                let mut v = valid();
                v["entries"][0]["fim"] = json!("F60000288");
                v
            },
            "„entries[0].fim“ ist kein JSON-Objekt",
        ),
        (
            {
                let mut v = valid();
                v["entries"][0]["fim"]["name"] = json!(["Hunderasse"]);
                v
            },
            "„entries[0].fim.name“ ist [\"Hunderasse\"], erwartet wird ein Text",
        ),
        (
            {
                let mut v = valid();
                v["entries"][1] = json!(null);
                v
            },
            "„entries[1]“ ist kein JSON-Objekt",
        ),
    ];
    for (json, what) in cases {
        assert_eq!(
            ImportReport::from_json(&json),
            Err(format!("Der Importbericht kann nicht angezeigt werden: {what}.")),
            "{json}"
        );
    }
}

#[test]
fn the_form_page_shows_why_a_report_cannot_be_read_instead_of_the_table() {
    let mut json = valid();
    json["formatVersion"] = json!(2);
    let problem = ImportReport::from_json(&json).expect_err("version 2 is refused");
    let html = render_form(&form_editor(), &page(Err(problem.clone()))).unwrap_or_else(|e| panic!("{e}"));
    assert!(html.contains(&format!("<p class=\"notice notice--error\">{}</p>", escaped(&problem))), "{html}");
    assert!(html.contains("<h2>Importbericht</h2>"));
    assert!(html.contains("href=\"/admin/formulare/anmeldung-hundesteuer/bericht\""), "the raw report stays reachable");
    assert!(!html.contains("bericht-tabelle"), "no table: {html}");
    assert!(!html.contains("Eingelesen aus"), "{html}");
}
