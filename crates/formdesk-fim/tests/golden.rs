//! Golden tests: every good test schema in `tests/data` imports to the form folder kept in `tests/golden`
//! (`form.json` and `import-report.md`), the written folder passes the catalog's check as it is, and the report
//! names every rule (Regel) of the schema.
//!
//! After a deliberate change to the importer, review the differences and accept them with
//! `FORMDESK_UPDATE_GOLDEN=1 cargo nextest run -p formdesk-fim --test golden`.

use formdesk_fim::{CodeListSource, Import, Options, import};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Each schema with the folder its code lists are in, and its golden folder's name.
const SCHEMAS: &[(&str, &str, &str)] = &[
    ("hundesteuer/v2/S60000001.xml", "hundesteuer/v2", "hundesteuer-v2"),
    ("hundesteuer/v3/S60000001.xml", "hundesteuer/v3/codelists", "hundesteuer-v3"),
    ("gewerbeanmeldung/v2/S60000020.xml", "gewerbeanmeldung/v2", "gewerbeanmeldung-v2"),
    ("sondernutzung/v3/S60000040.xml", "sondernutzung/v3/codelists", "sondernutzung-v3"),
    ("brauchtumsfeuer/v3/S60000060.xml", "brauchtumsfeuer/v3/codelists", "brauchtumsfeuer-v3"),
    ("coverage/v2.xml", "coverage/v2-codelists", "coverage-v2"),
    ("coverage/v2-default-namespace.xml", "coverage/v2-codelists", "coverage-v2-default-namespace"),
    ("coverage/v3.xml", "coverage/v3-codelists", "coverage-v3"),
];

fn tests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests")
}

fn import_schema(schema: &str, lists: &str) -> Import {
    let data = tests_dir().join("data");
    let xml = std::fs::read(data.join(schema)).unwrap_or_else(|e| panic!("{schema}: {e}"));
    let lists = CodeListSource::from_dir(&data.join(lists)).unwrap_or_else(|e| panic!("{lists}: {e}"));
    let options = Options { destination: Some("ordnungsamt".into()), ..Options::default() };
    import(&xml, schema, &lists, &options).unwrap_or_else(|e| panic!("{schema} does not import:\n{e}"))
}

/// Compares `actual` with the golden file, or rewrites it when asked to.
fn golden(name: &str, file: &str, actual: &str, mismatches: &mut Vec<String>) {
    let path = tests_dir().join("golden").join(name).join(file);
    if std::env::var_os("FORMDESK_UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap_or(Path::new("."))).expect("golden folder");
        std::fs::write(&path, actual).expect("golden file");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(e, a)| e != a)
            .map_or_else(|| expected.lines().count().min(actual.lines().count()) + 1, |i| i + 1);
        mismatches.push(format!(
            "{}: differs from the import from line {line} on (expected {:?}, got {:?})",
            path.display(),
            expected.lines().nth(line - 1).unwrap_or("<end>"),
            actual.lines().nth(line - 1).unwrap_or("<end>"),
        ));
    }
}

#[test]
fn every_schema_imports_to_its_golden_folder() {
    let mut mismatches = Vec::new();
    for (schema, lists, name) in SCHEMAS {
        let imported = import_schema(schema, lists);
        golden(name, "form.json", &imported.form_json(), &mut mismatches);
        golden(name, formdesk_fim::REPORT_FILE, &imported.report.to_string(), &mut mismatches);
    }
    assert!(
        mismatches.is_empty(),
        "{}\nReview the change; accept it with FORMDESK_UPDATE_GOLDEN=1 cargo nextest run -p formdesk-fim --test golden",
        mismatches.join("\n")
    );
}

#[test]
fn every_written_draft_passes_the_catalog_check_as_it_is() {
    for (schema, lists, _) in SCHEMAS {
        let imported = import_schema(schema, lists);
        let root = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(root.path().join("codelists")).expect("codelists");
        imported.write(&root.path().join(&imported.form_id)).expect("write");
        let report = formdesk_catalog::check_dir(root.path()).unwrap_or_else(|e| panic!("{schema}: {e}"));
        assert!(report.errors.is_empty(), "{schema}: forms check refuses the draft:\n{:#?}", report.errors);
        assert_eq!(report.forms.len(), 1, "{schema}");
        assert_eq!(report.forms[0].form.id(), imported.form_id);
    }
}

/// The ids of every `regel` in the message, read independently of the importer.
fn rule_ids(xml: &str) -> BTreeSet<String> {
    let doc = roxmltree::Document::parse(xml).expect("the test schema is XML");
    doc.descendants()
        .filter(|n| n.tag_name().name() == "regel")
        .filter_map(|r| {
            let ident = r.children().find(|c| c.tag_name().name() == "identifikation")?;
            let id = ident.children().find(|c| c.tag_name().name() == "id")?;
            Some(id.text()?.trim().to_owned())
        })
        .collect()
}

#[test]
fn the_report_names_every_rule_of_the_schema() {
    for (schema, lists, _) in SCHEMAS {
        let xml = std::fs::read_to_string(tests_dir().join("data").join(schema)).expect("schema");
        let expected = rule_ids(&xml);
        let report = import_schema(schema, lists).report;
        let json = report.to_json().to_string();
        let text = report.to_string();
        for id in &expected {
            assert!(json.contains(&format!("\"{id}\"")), "{schema}: rule {id} is missing from the report's JSON");
            assert!(text.contains(id.as_str()), "{schema}: rule {id} is missing from the printed report");
        }
        if schema.starts_with("hundesteuer") {
            assert_eq!(expected.len(), 9, "{schema}: the Hundesteuer schema has nine rules");
        }
    }
}
