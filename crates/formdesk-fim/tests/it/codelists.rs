//! genericode lists (design section 5): finding the columns, converting rows, the four ways a reference is
//! resolved, and lists that are refused.

use crate::support::*;
use formdesk_fim::{CodeListSource, ErrorKind, FindingKind};
use serde_json::{Value, json};

const URI: &str = "urn:de:test:codeliste:farbe";

fn v2_ref(id: &str, uri: &str, version: &str, cvu: &str) -> String {
    format!(
        "<xdf:praezisierung/><xdf:inhalt/><xdf:codelisteReferenz><xdf:identifikation><xdf:id>{id}</xdf:id></xdf:identifikation>\
         <xdf:genericodeIdentification><xdf:canonicalIdentification>{uri}</xdf:canonicalIdentification><xdf:version>{version}</xdf:version>\
         <xdf:canonicalVersionUri>{cvu}</xdf:canonicalVersionUri></xdf:genericodeIdentification></xdf:codelisteReferenz>"
    )
}

fn v3_ref(uri: Option<&str>, version: Option<&str>, cvu: Option<&str>, keys: &str) -> String {
    let mut s = String::from("<xdf:codelisteReferenz>");
    if let Some(u) = uri {
        s.push_str(&format!("<xdf:canonicalIdentification>{u}</xdf:canonicalIdentification>"));
    }
    if let Some(v) = version {
        s.push_str(&format!("<xdf:version>{v}</xdf:version>"));
    }
    if let Some(c) = cvu {
        s.push_str(&format!("<xdf:canonicalVersionUri>{c}</xdf:canonicalVersionUri>"));
    }
    s.push_str("</xdf:codelisteReferenz>");
    s.push_str(keys);
    s
}

fn select(v: V, after: &str, source: &CodeListSource) -> (formdesk_fim::Import, Value) {
    let xml = message(v, &use_(v, "1:1", &field(v, "F1000001", "Farbe", "select", "text", after)));
    let imported = run_with(&xml, source).unwrap_or_else(|e| panic!("{e}"));
    let it = item(&imported.form, "F1000001");
    (imported, it)
}

fn farben(version: &str) -> String {
    genericode(
        URI,
        version,
        &[("schluessel", true), ("bezeichnung", true), ("hinweis", false)],
        &[("codeKey", "schluessel"), ("codenameKey", "bezeichnung")],
        &[&["r", "Rot", "warm"], &["b", "Blau"]],
    )
}

#[test]
fn conventional_keys_give_code_and_name_and_the_rest_goes_to_data() {
    let source = lists(&[("farben.xml", &farben("2021-01-11"))]);
    for v in BOTH {
        let after = if v == V::Two {
            v2_ref("C1", URI, "2021-01-11", "urn:x")
        } else {
            v3_ref(Some(URI), Some("2021-01-11"), None, "")
        };
        let (imported, it) = select(v, &after, &source);
        assert_eq!(it["kind"], "choice");
        assert_eq!(it["codeList"], "farbe");
        let list = &imported.form["codeLists"]["farbe"];
        assert_eq!(list["version"], "2021.1.11");
        assert_eq!(list["title"], json!({"de": "Eine Liste", "en": "Eine Liste"}));
        assert_eq!(list["fim"], json!({"id": URI, "version": "2021-01-11"}));
        assert_eq!(
            list["entries"],
            json!([
                {"value": "r", "label": {"de": "Rot", "en": "Rot"}, "data": {"hinweis": "warm"}},
                {"value": "b", "label": {"de": "Blau", "en": "Blau"}},
            ])
        );
    }
}

#[test]
fn v3_keys_name_columns_or_keys() {
    let source = lists(&[("farben.xml", &farben("1"))]);
    let keys =
        "<xdf:codeKey>bezeichnung</xdf:codeKey><xdf:nameKey>codeKey</xdf:nameKey><xdf:helpKey>hinweis</xdf:helpKey>";
    let (imported, _) = select(V::Three, &v3_ref(Some(URI), Some("1"), None, keys), &source);
    let list = &imported.form["codeLists"]["farbe"];
    assert_eq!(list["entries"][0]["value"], "Rot");
    assert_eq!(list["entries"][0]["label"]["de"], "r");
    assert_eq!(list["entries"][0]["data"], json!({"hinweis": "warm"}));
    assert_eq!(list["version"], "1.0.0");
    assert!(imported.report.of(FindingKind::Gap).any(|f| f.message.contains("helpKey")));
}

#[test]
fn a_key_naming_nothing_is_refused() {
    let source = lists(&[("farben.xml", &farben("1"))]);
    let xml = message(
        V::Three,
        &use_(
            V::Three,
            "1:1",
            &field(
                V::Three,
                "F1000001",
                "Farbe",
                "select",
                "text",
                &v3_ref(Some(URI), Some("1"), None, "<xdf:codeKey>gibtsnicht</xdf:codeKey>"),
            ),
        ),
    );
    let e = run_with(&xml, &source).expect_err("refused");
    assert_eq!(e.kind, ErrorKind::Refused);
    assert!(e.problems[0].message.contains("codeKey 'gibtsnicht'"), "{e}");
    assert!(e.problems[0].position.is_some());
}

#[test]
fn code_column_fallbacks() {
    // The first key with one column.
    let by_key = genericode(URI, "1", &[("a", true), ("b", true)], &[("primaer", "b")], &[&["x", "1"], &["y", "2"]]);
    let (imported, _) = select(V::Three, &v3_ref(Some(URI), Some("1"), None, ""), &lists(&[("l.xml", &by_key)]));
    let list = &imported.form["codeLists"]["farbe"];
    assert_eq!(list["entries"][0]["value"], "1");
    assert_eq!(list["entries"][0]["label"]["de"], "x", "name: the first required column that is not the code");
    // The column `code`, with no name column: the code doubles as name.
    let by_name = genericode(URI, "1", &[("code", true), ("text", false)], &[], &[&["x", "Iks"]]);
    let (imported, it) = select(V::Three, &v3_ref(Some(URI), Some("1"), None, ""), &lists(&[("l.xml", &by_name)]));
    assert_eq!(it["kind"], "choice");
    assert_eq!(
        imported.form["codeLists"]["farbe"]["entries"][0],
        json!({"value": "x", "label": {"de": "x", "en": "x"}, "data": {"text": "Iks"}})
    );
    assert!(said_about(&imported, "F1000001").contains("keine Namensspalte"));
    // No code column at all: unresolved, imported as text.
    let none = genericode(URI, "1", &[("a", true), ("b", true)], &[], &[&["x", "1"]]);
    let (imported, it) = select(V::Three, &v3_ref(Some(URI), Some("1"), None, ""), &lists(&[("l.xml", &none)]));
    assert_eq!(it["kind"], "text");
    assert!(said_about(&imported, "F1000001").contains("keine Code-Spalte"));
}

#[test]
fn values_without_column_refs_follow_the_previous_one() {
    let text = farben("1").replace(
        "<Row><Value><SimpleValue>b</SimpleValue></Value><Value><SimpleValue>Blau</SimpleValue></Value></Row>",
        "<Row><Value ColumnRef=\"bezeichnung\"><SimpleValue>Blau</SimpleValue></Value><Value><SimpleValue>kalt</SimpleValue></Value><Value ColumnRef=\"schluessel\"><SimpleValue>b</SimpleValue></Value></Row>\n<Row><Value ColumnRef=\"bezeichnung\"><SimpleValue>Ohne</SimpleValue></Value></Row>",
    );
    let (imported, _) = select(V::Three, &v3_ref(Some(URI), Some("1"), None, ""), &lists(&[("l.xml", &text)]));
    assert_eq!(
        imported.form["codeLists"]["farbe"]["entries"][1],
        json!({"value": "b", "label": {"de": "Blau", "en": "Blau"}, "data": {"hinweis": "kalt"}})
    );
    assert!(imported.report.entries.iter().any(|f| f.message.contains("Zeile ohne Code")), "{}", imported.report);
}

#[test]
fn duplicate_codes_refuse_the_list() {
    let text = genericode(URI, "1", &[("code", true), ("name", true)], &[], &[&["a", "A"], &["a", "B"]]);
    let source = lists(&[("doppelt.xml", &text)]);
    let (imported, it) = select(V::Three, &v3_ref(Some(URI), Some("1"), None, ""), &source);
    assert_eq!(it["kind"], "text");
    assert!(imported.form.get("codeLists").is_none());
    let said = said_about(&imported, "F1000001");
    assert!(
        said.contains("doppelt.xml")
            && said.contains("abgelehnt")
            && said.contains("'a' kommt doppelt vor (Zeile 6 und 7)"),
        "{said}"
    );
}

#[test]
fn broken_lists_are_refused_when_read() {
    let mut s = CodeListSource::empty();
    let set_ref = farben("1").replace("<ColumnSet>", "<ColumnSetRef CanonicalVersionUri=\"urn:x\"/><ColumnSet>");
    let e = s.add("a.xml", set_ref.as_bytes()).expect_err("refused");
    assert!(e.problems[0].message.contains("ColumnSetRef"), "{e}");
    let bad_ref = farben("1").replace("<ColumnRef Ref=\"schluessel\"/>", "<ColumnRef Ref=\"fehlt\"/>");
    let e = s.add("b.xml", bad_ref.as_bytes()).expect_err("refused");
    assert!(e.problems[0].message.contains("unbekannte Spalte 'fehlt'"), "{e}");
    assert_eq!(s.add("c.xml", message(V::Two, "").as_bytes()), Ok(false));
}

#[test]
fn the_four_ways_of_resolving_a_reference() {
    let old = farben("2020-01-01");
    let new = farben("2021-01-11");
    let source = lists(&[("alt.xml", &old), ("C1_genericode.xml", &new)]);
    let resolved_by = |imported: &formdesk_fim::Import| -> String {
        imported.report.of(FindingKind::CodeList).map(|f| f.message.clone()).collect::<Vec<_>>().join("\n")
    };
    // 1. canonicalVersionUri
    let (imported, it) = select(V::Three, &v3_ref(None, None, Some(&format!("{URI}_2020-01-01")), ""), &source);
    assert_eq!(it["kind"], "choice");
    assert_eq!(imported.form["codeLists"]["farbe"]["version"], "2020.1.1");
    assert!(resolved_by(&imported).contains("über die canonicalVersionUri"));
    // 2. canonical URI and version
    let (imported, _) = select(V::Three, &v3_ref(Some(URI), Some("2021-01-11"), Some("urn:anders"), ""), &source);
    assert!(resolved_by(&imported).contains("über canonicalIdentification und Version"));
    // 3. v2: the file named after the C id, whose identification agrees
    let renamed = new
        .replace(
            &format!("<CanonicalVersionUri>{URI}_2021-01-11</CanonicalVersionUri>"),
            "<CanonicalVersionUri>urn:y</CanonicalVersionUri>",
        )
        .replace("<Version>2021-01-11</Version>", "");
    let (imported, it) =
        select(V::Two, &v2_ref("C1", URI, "2021-01-11", "urn:anders"), &lists(&[("C1_genericode.xml", &renamed)]));
    assert_eq!(it["kind"], "choice");
    assert!(resolved_by(&imported).contains("Dateinamen"), "{}", resolved_by(&imported));
    // 4. v3 without version: the only file with that URI
    let (imported, it) = select(V::Three, &v3_ref(Some(URI), None, None, ""), &lists(&[("l.xml", &new)]));
    assert_eq!(it["kind"], "choice");
    assert!(resolved_by(&imported).contains("als einzige Datei"));
    // … and several: unresolved, with the versions found
    let (imported, it) = select(V::Three, &v3_ref(Some(URI), None, None, ""), &source);
    assert_eq!(it["kind"], "text");
    let said = resolved_by(&imported);
    assert!(
        said.contains("Codeliste nicht aufgelöst")
            && said.contains("2020-01-01 (alt.xml)")
            && said.contains("2021-01-11 (C1_genericode.xml)"),
        "{said}"
    );
}

#[test]
fn an_unresolved_reference_is_text_and_named() {
    for v in BOTH {
        let after = if v == V::Two {
            v2_ref("C9", "urn:fehlt", "1", "urn:fehlt_1")
        } else {
            v3_ref(Some("urn:fehlt"), Some("1"), Some("urn:fehlt_1"), "")
        };
        let (imported, it) = select(v, &after, &CodeListSource::empty());
        assert_eq!(it["kind"], "text");
        let said = said_about(&imported, "F1000001");
        assert!(
            said.contains("Codeliste nicht aufgelöst") && said.contains("urn:fehlt") && said.contains("urn:fehlt_1"),
            "{said}"
        );
    }
    let (imported, _) = select(V::Three, "<xdf:codelisteReferenz/>", &CodeListSource::empty());
    assert!(said_about(&imported, "F1000001").contains("leer"));
}

#[test]
fn a_list_used_twice_is_written_once_and_odd_versions_are_reported() {
    let source = lists(&[("l.xml", &farben("Fassung A"))]);
    let r = v3_ref(Some(URI), Some("Fassung A"), None, "");
    let body = [
        use_(V::Three, "1:1", &field(V::Three, "F1", "Farbe", "select", "text", &r)),
        use_(V::Three, "1:1", &field(V::Three, "F2", "Zweitfarbe", "select", "text", &r)),
    ]
    .concat();
    let imported = run_with(&message(V::Three, &body), &source).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(imported.form["codeLists"].as_object().map(|o| o.len()), Some(1));
    assert_eq!(imported.form["codeLists"]["farbe"]["version"], "0.0.0");
    assert_eq!(item(&imported.form, "F2")["codeList"], "farbe");
    assert!(imported.report.entries.iter().any(|f| f.message.contains("nicht numerisch")));
}

#[test]
fn from_dir_reads_the_lists_of_a_folder() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.path().join("C1_genericode.xml"), farben("1")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.path().join("schema.xml"), message(V::Two, "")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.path().join("notiz.txt"), "nichts").unwrap_or_else(|e| panic!("{e}"));
    let source = CodeListSource::from_dir(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(source.len(), 1);
    std::fs::write(dir.path().join("kaputt.xml"), "<gc:CodeList").unwrap_or_else(|e| panic!("{e}"));
    let e = CodeListSource::from_dir(dir.path()).expect_err("broken");
    assert_eq!(e.problems[0].file, "kaputt.xml");
}

#[test]
fn lists_in_the_default_namespace_with_qualified_children() {
    let text =
        farben("1").replace("<gc:CodeList xmlns:gc=", "<CodeList xmlns=").replace("</gc:CodeList>", "</CodeList>");
    let (imported, it) = select(V::Three, &v3_ref(Some(URI), Some("1"), None, ""), &lists(&[("l.xml", &text)]));
    assert_eq!(it["kind"], "choice");
    assert_eq!(imported.form["codeLists"]["farbe"]["entries"][0]["value"], "r");
}
