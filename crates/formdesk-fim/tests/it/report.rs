//! The report (design section 8): every rule with where it is attached and what it mentions; the Markdown
//! and the JSON carry the same findings.

use crate::support::*;
use formdesk_fim::FindingKind;

fn v2_rule(id: &str, prose: &str, script: &str) -> String {
    format!(
        "<xdf:regel><xdf:identifikation><xdf:id>{id}</xdf:id><xdf:version>1.0</xdf:version></xdf:identifikation>\
         <xdf:name>Regel {id}</xdf:name><xdf:bezeichnungEingabe/><xdf:beschreibung/><xdf:definition>{prose}</xdf:definition>\
         <xdf:bezug/><xdf:status><code>aktiv</code></xdf:status><xdf:script>{script}</xdf:script></xdf:regel>"
    )
}

fn v3_rule(id: &str, prose: &str) -> String {
    format!(
        "<xdf:regel><xdf:identifikation><xdf:id>{id}</xdf:id><xdf:version>1.0.0</xdf:version></xdf:identifikation>\
         <xdf:name>Regel {id}</xdf:name><xdf:freitextRegel>{prose}</xdf:freitextRegel><xdf:letzteAenderung>2026-01-01T00:00:00Z</xdf:letzteAenderung>\
         <xdf:typ><code>K</code></xdf:typ><xdf:param element=\"F2000002\" name=\"rasse\"><xdf:typ>wert</xdf:typ></xdf:param><xdf:ziel element=\"G9000009\" name=\"nachweis\"/>\
         <xdf:skript>if (rasse) {{ pflicht(nachweis) }}</xdf:skript><xdf:fehler code=\"17\">Bitte Nachweis beilegen.</xdf:fehler></xdf:regel>"
    )
}

#[test]
fn every_rule_is_listed_with_its_place_and_mentions() {
    let v = V::Two;
    let hund_fields = [
        text_field(v, "F1000001", "Name"),
        use_(
            v,
            "1:1",
            &field(
                v,
                "F2000002",
                "Rasse",
                "input",
                "text",
                &format!("<xdf:praezisierung/><xdf:inhalt/>{}", v2_rule("R3", "F2000002 darf nicht leer sein.", "")),
            ),
        ),
        use_(
            v,
            "1:1",
            &field(
                v,
                "F4000004",
                "Versteckt",
                "input",
                "obj",
                &format!("<xdf:praezisierung/><xdf:inhalt/>{}", v2_rule("R4", "Geht verloren?", "")),
            ),
        ),
    ]
    .concat();
    let hund = use_(
        v,
        "1:3",
        &group(
            v,
            "G1000001",
            "Hund",
            &v2_rule("R2", "Je Hund F1000001 und F2000002.", "function script() {}"),
            &hund_fields,
        ),
    );
    let body = format!(
        "{}{hund}",
        v2_rule(
            "R1",
            "Wenn bei F2000002 ein Listenhund gewählt ist, ist G9000009 auszufüllen; F4000004 bleibt leer; siehe S99000001.",
            "function script() { return 1; }"
        )
    );
    let imported = ok(&message(v, &body));
    let rules: Vec<_> = imported.report.of(FindingKind::Rule).collect();
    assert_eq!(rules.len(), 4);
    let r1 = rules
        .iter()
        .find(|f| f.fim.as_ref().is_some_and(|r| r.id == "R1"))
        .and_then(|f| f.rule.clone())
        .unwrap_or_else(|| panic!("R1"));
    assert_eq!(r1.attached_to, "Formular");
    let mentions: Vec<(String, Vec<String>, bool)> =
        r1.mentions.iter().map(|m| (m.id.clone(), m.paths.clone(), m.in_schema)).collect();
    assert_eq!(
        mentions,
        vec![
            ("F2000002".into(), vec!["hund[].rasse".into()], true),
            ("G9000009".into(), vec![], false),
            ("F4000004".into(), vec![], true),
            ("S99000001".into(), vec!["Formular".into()], true),
        ]
    );
    assert_eq!(r1.script.as_deref(), Some("function script() { return 1; }"));
    let r2 = rules
        .iter()
        .find(|f| f.fim.as_ref().is_some_and(|r| r.id == "R2"))
        .and_then(|f| f.rule.clone())
        .unwrap_or_else(|| panic!("R2"));
    assert_eq!(r2.attached_to, "hund");
    assert_eq!(r2.script, None, "an empty script is left out");
    let r3 = rules.iter().find(|f| f.fim.as_ref().is_some_and(|r| r.id == "R3")).unwrap_or_else(|| panic!("R3"));
    assert_eq!(r3.path.as_deref(), Some("hund[].rasse"));
    let r4 = rules
        .iter()
        .find(|f| f.fim.as_ref().is_some_and(|r| r.id == "R4"))
        .and_then(|f| f.rule.clone())
        .unwrap_or_else(|| panic!("R4"));
    assert_eq!(r4.attached_to, "", "attached to an element that was not imported");
    let text = imported.report.to_string();
    for expected in [
        "## Regeln (als Bedingungen zu formulieren)",
        "### R1 1.0: Regel R1",
        "- F2000002 → `hund[].rasse`",
        "- G9000009 → nicht in diesem Schema",
        "- F4000004 → im Schema, aber nicht übernommen",
        "- Angehängt an: `hund` (G1000001 1.0)",
        "- Angehängt an: F4000004 1.0 (nicht übernommen)",
    ] {
        assert!(text.contains(expected), "{expected} missing in\n{text}");
    }
    let json = imported.report.to_json();
    assert_eq!(json["entries"].as_array().map(Vec::len), Some(imported.report.entries.len()));
    assert_eq!(json["schema"]["id"], "S99000001");
}

#[test]
fn the_json_carries_what_the_console_shows() {
    let v = V::Two;
    let body = [
        use_(
            v,
            "1:1",
            &field(
                v,
                "F2000002",
                "Rasse",
                "input",
                "text",
                &format!("<xdf:praezisierung/><xdf:inhalt/>{}", v2_rule("R3", "F2000002 darf nicht leer sein.", "")),
            ),
        ),
        use_(v, "0:1", &field(v, "F4000004", "Versteckt", "input", "obj", "")),
    ]
    .concat();
    let imported = ok(&message(v, &body));
    let json = imported.report.to_json();
    let keys: Vec<&str> = json.as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default();
    assert_eq!(keys.first(), Some(&"formatVersion"), "the version comes first: {keys:?}");
    assert_eq!(json["formatVersion"], 1);
    let schema = &imported.report.schema;
    assert_eq!(json["schema"]["id"], schema.id.as_str());
    assert_eq!(json["schema"]["version"], schema.version.as_deref().unwrap_or_else(|| panic!("no version")));
    assert_eq!(json["schema"]["name"], imported.report.schema_name.as_str());
    let entries = json["entries"].as_array().cloned().unwrap_or_default();
    let rule = entries.iter().find(|e| e["fim"]["id"] == "R3").unwrap_or_else(|| panic!("R3 in {entries:?}"));
    assert_eq!(rule["kind"], "rule");
    assert_eq!(rule["fim"]["version"], "1.0");
    assert_eq!(rule["fim"]["name"], "Regel R3");
    assert_eq!(rule["path"], "rasse");
    assert_eq!(rule["message"], "Regel „Regel R3“ als Bedingung formulieren");
    let field = entries.iter().find(|e| e["fim"]["id"] == "F4000004").unwrap_or_else(|| panic!("{entries:?}"));
    assert_eq!(field["fim"]["name"], "Versteckt");
    assert!(field["message"].as_str().is_some_and(|m| !m.is_empty()));
    let todo = entries.iter().find(|e| e["kind"] == "todo").unwrap_or_else(|| panic!("a to-do in {entries:?}"));
    assert!(todo["message"].as_str().is_some_and(|m| !m.is_empty()));
    let text = imported.report.to_json_string();
    assert!(text.ends_with("}\n"));
    assert_eq!(serde_json::from_str::<serde_json::Value>(&text).ok(), Some(json));
}

#[test]
fn every_kind_has_its_own_code_and_heading() {
    let codes: std::collections::BTreeSet<String> =
        FindingKind::ALL.iter().map(|k| serde_json::to_value(k).unwrap_or_default().to_string()).collect();
    let headings: std::collections::BTreeSet<&str> = FindingKind::ALL.iter().map(|k| k.heading()).collect();
    assert_eq!(codes.len(), FindingKind::ALL.len(), "{codes:?}");
    assert_eq!(headings.len(), FindingKind::ALL.len(), "{headings:?}");
    let mut sorted = FindingKind::ALL;
    sorted.sort();
    assert_eq!(sorted, FindingKind::ALL, "ALL is in the report's order");
}

#[test]
fn v3_rules_carry_type_params_targets_and_messages() {
    let v = V::Three;
    let body = format!(
        "{}{}",
        v3_rule("R1", "Wenn F2000002, dann G9000009."),
        use_(v, "1:1", &field(v, "F2000002", "Rasse", "input", "text", ""))
    );
    let imported = ok(&message(v, &body));
    let rule =
        imported.report.of(FindingKind::Rule).next().and_then(|f| f.rule.clone()).unwrap_or_else(|| panic!("no rule"));
    assert_eq!(rule.kind.as_deref(), Some("komplexe Regel (K)"));
    assert_eq!(rule.params[0].paths, vec!["rasse".to_owned()]);
    assert_eq!(rule.params[0].kind.as_deref(), Some("wert"));
    assert_eq!(rule.targets[0].element.as_deref(), Some("G9000009"));
    assert!(rule.targets[0].paths.is_empty());
    assert_eq!(rule.errors, vec!["Bitte Nachweis beilegen. (Code 17)".to_owned()]);
    assert_eq!(rule.script.as_deref(), Some("if (rasse) { pflicht(nachweis) }"));
    let text = imported.report.to_string();
    assert!(text.contains("- Parameter „rasse“ (wert): F2000002 → `rasse`"), "{text}");
    assert!(text.contains("- Ziel „nachweis“: G9000009 → nicht in diesem Schema"), "{text}");
}

#[test]
fn header_and_hints() {
    let v = V::Three;
    let xml = message(v, &text_field(v, "F1000001", "A"))
        .replace(
            "<xdf:erstellungszeitpunkt>",
            "<xdf:datenqualitaet><code>TEST</code></xdf:datenqualitaet><xdf:erstellungszeitpunkt>",
        )
        .replace(
            "<code>1</code></xdf:ableitungsmodifikationenStruktur>",
            "<code>3</code></xdf:ableitungsmodifikationenStruktur>",
        )
        .replacen("<code>6</code>", "<code>3</code>", 1)
        .replace(
            "<xdf:bezug>Testsatzung</xdf:bezug>",
            "<xdf:bezug link=\"https://example.org/satzung\">Testsatzung</xdf:bezug>",
        );
    let imported = ok(&xml);
    let text = imported.report.to_string();
    for expected in [
        "Testdaten",
        "Struktur 3",
        "Status '3'",
        "https://example.org/satzung",
        "- Nachricht: abc vom 2026-11-30T09:15:00Z",
        "'destination'",
    ] {
        assert!(text.contains(expected), "{expected} missing in\n{text}");
    }
    assert_eq!(imported.form["legalBasis"][0]["title"]["de"], "Testsatzung");
}
