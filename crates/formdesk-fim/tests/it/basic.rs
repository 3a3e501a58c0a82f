//! The design's two hand-written examples import in both versions.

use crate::support::*;
use formdesk_fim::FindingKind;

fn hund(v: V) -> String {
    let rasse = match v {
        V::Two => {
            "<xdf:praezisierung/><xdf:inhalt/><xdf:codelisteReferenz><xdf:identifikation><xdf:id>C99000005</xdf:id></xdf:identifikation><xdf:genericodeIdentification><xdf:canonicalIdentification>urn:de:beispiel:codeliste:hunderasse</xdf:canonicalIdentification><xdf:version>2026-01-01</xdf:version><xdf:canonicalVersionUri>urn:de:beispiel:codeliste:hunderasse_2026-01-01</xdf:canonicalVersionUri></xdf:genericodeIdentification></xdf:codelisteReferenz>"
        }
        V::Three => {
            "<xdf:codelisteReferenz><xdf:canonicalIdentification>urn:de:beispiel:codeliste:hunderasse</xdf:canonicalIdentification><xdf:version>2026-01-01</xdf:version></xdf:codelisteReferenz><xdf:codeKey>code</xdf:codeKey><xdf:nameKey>name</xdf:nameKey>"
        }
    };
    let children = [
        use_(v, "1:1", &field(v, "F99000011", "Rufname Hund", "input", "text", "")),
        use_(v, "1:1", &field(v, "F99000012", "Rasse", "select", "text", rasse)),
        use_(v, "0:1", &field(v, "F99000013", "Wurfjahr", "input", "num_int", "")),
    ]
    .concat();
    message(v, &use_(v, "1:5", &group(v, "G99000001", "Hund", "", &children)))
}

#[test]
fn the_design_example_imports_in_both_versions() {
    let list = genericode(
        "urn:de:beispiel:codeliste:hunderasse",
        "2026-01-01",
        &[("code", true), ("name", true)],
        &[("codeKey", "code"), ("codenameKey", "name")],
        &[&["lab", "Labrador"], &["pud", "Pudel"]],
    );
    let source = lists(&[("C99000005_genericode.xml", &list)]);
    for v in BOTH {
        let imported = run_with(&hund(v), &source).unwrap_or_else(|e| panic!("{e}"));
        if std::env::var_os("SHOW").is_some() {
            eprintln!("{}\n{}", imported.form_json(), imported.report);
        }
        let form = &imported.form;
        assert_eq!(form["id"], "testschema");
        assert_eq!(form["version"], "1.2.0");
        assert_eq!(form["fim"]["xdf"], if v == V::Two { "2.0" } else { "3.0.0" });
        assert_eq!(form["steps"][0]["id"], "hund_schritt");
        let group = &form["steps"][0]["items"][0];
        assert_eq!(group["repeat"]["min"], 1);
        assert_eq!(group["repeat"]["max"], 5);
        let rasse = item(form, "F99000012");
        assert_eq!(rasse["kind"], "choice");
        assert_eq!(rasse["codeList"], "hunderasse");
        assert_eq!(form["codeLists"]["hunderasse"]["entries"][1]["label"]["de"], "Pudel");
        assert_eq!(form["codeLists"]["hunderasse"]["version"], "2026.1.1");
        assert_eq!(item(form, "F99000011")["required"], true);
        assert!(item(form, "F99000013").get("required").is_none());
        assert!(imported.report.of(FindingKind::Todo).count() > 0);
        assert!(imported.report.to_string().contains("# Importbericht: Ein Testantrag"));
    }
}

#[test]
fn write_refuses_a_folder_that_is_not_empty_unless_forced() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let out = dir.path().join("testschema");
    let xml = message(V::Two, &text_field(V::Two, "F1000001", "Vorname"));
    let imported = ok(&xml);
    imported.write(&out).unwrap_or_else(|e| panic!("{e}"));
    let form: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("form.json")).unwrap_or_default()).unwrap_or_default();
    assert_eq!(form["$schema"], "../schema/form.schema.json");
    assert_eq!(form, imported.form);
    let report = std::fs::read_to_string(out.join("import-report.md")).unwrap_or_default();
    assert_eq!(report, imported.report.to_string());
    let report_json = std::fs::read_to_string(out.join(formdesk_fim::REPORT_JSON_FILE)).unwrap_or_default();
    assert!(report_json.ends_with("}\n"), "pretty JSON with a final newline:\n{report_json}");
    let read_back: serde_json::Value = serde_json::from_str(&report_json).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(read_back, imported.report.to_json(), "the written JSON reads back as the report's JSON");
    assert_eq!(read_back["formatVersion"], formdesk_fim::REPORT_FORMAT_VERSION);
    if std::env::var_os("SHOW").is_some() {
        eprintln!("{}\n{report}", imported.form_json());
    }
    let again = imported.write(&out).expect_err("the folder is not empty");
    assert_eq!(again.kind, formdesk_fim::ErrorKind::Exists);
    let forced = formdesk_fim::import(
        xml.as_bytes(),
        "test.xml",
        &formdesk_fim::CodeListSource::empty(),
        &formdesk_fim::Options { force: true, ..Default::default() },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::create_dir_all(out.join("scenarios")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(out.join("scenarios/a.json"), "{}").unwrap_or_else(|e| panic!("{e}"));
    for file in ["form.json", formdesk_fim::REPORT_FILE, formdesk_fim::REPORT_JSON_FILE] {
        std::fs::write(out.join(file), "edited").unwrap_or_else(|e| panic!("{e}"));
    }
    assert_eq!(forced.write(&out), Ok(()));
    assert_eq!(
        std::fs::read_to_string(out.join("scenarios/a.json")).unwrap_or_default(),
        "{}",
        "only form.json and the report are replaced"
    );
    assert_eq!(std::fs::read_to_string(out.join("form.json")).unwrap_or_default(), forced.form_json());
    assert_eq!(
        std::fs::read_to_string(out.join(formdesk_fim::REPORT_FILE)).unwrap_or_default(),
        forced.report.to_string()
    );
    assert_eq!(
        std::fs::read_to_string(out.join(formdesk_fim::REPORT_JSON_FILE)).unwrap_or_default(),
        forced.report.to_json_string()
    );
    let json = forced.report.to_json();
    assert_eq!(json["entries"][0]["kind"], "todo");
    assert_eq!(json["form_id"], "testschema");
}
