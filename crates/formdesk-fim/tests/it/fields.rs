//! Fields (design section 4.4): every datentyp and feldart of both versions.

use crate::support::*;
use formdesk_fim::FindingKind;
use serde_json::json;

fn kind_of(v: V, feldart: &str, datentyp: &str) -> Option<String> {
    one_field(v, "1:1", feldart, datentyp, "").1.map(|i| i["kind"].as_str().unwrap_or_default().to_owned())
}

#[test]
fn input_datentypen_of_both_versions() {
    for v in BOTH {
        for (datentyp, kind) in [
            ("text", "text"),
            ("date", "date"),
            ("bool", "boolean"),
            ("num", "decimal"),
            ("num_int", "integer"),
            ("num_currency", "currency"),
            ("file", "attachment"),
        ] {
            assert_eq!(kind_of(v, "input", datentyp).as_deref(), Some(kind), "{v:?} {datentyp}");
        }
    }
}

#[test]
fn input_datentypen_of_version_3() {
    for (datentyp, kind) in [("text_latin", "text"), ("time", "time"), ("datetime", "dateTime")] {
        assert_eq!(kind_of(V::Three, "input", datentyp).as_deref(), Some(kind), "{datentyp}");
    }
    let (imported, _) = one_field(V::Three, "1:1", "input", "text_latin", "");
    assert_eq!(kinds_about(&imported, "F1000001"), vec![FindingKind::Gap]);
    assert!(said_about(&imported, "F1000001").contains("String.Latin"));
}

#[test]
fn obj_is_dropped_and_reported() {
    for v in BOTH {
        let (imported, item) = one_field(v, "1:1", "input", "obj", "");
        assert!(item.is_none());
        assert!(kinds_about(&imported, "F1000001").contains(&FindingKind::Dropped), "{v:?}");
    }
}

#[test]
fn unknown_datentyp_becomes_text_with_lengths_only() {
    for v in BOTH {
        let (imported, item) =
            one_field(v, "1:1", "input", "farbe", &praez(v, &[("maxLength", "20"), ("minValue", "3")]));
        let item = item.unwrap_or_default();
        assert_eq!(item["kind"], "text");
        assert_eq!(item["maxLength"], 20);
        assert!(item.get("min").is_none());
        let kinds = kinds_about(&imported, "F1000001");
        assert!(kinds.contains(&FindingKind::UnknownDatatype), "{kinds:?}");
        assert!(kinds.contains(&FindingKind::Precision), "{kinds:?}");
        assert!(said_about(&imported, "F1000001").contains("'farbe'"));
    }
}

#[test]
fn unknown_feldart_is_dropped() {
    for v in BOTH {
        let (imported, item) = one_field(v, "1:1", "slider", "num", "");
        assert!(item.is_none());
        assert_eq!(kinds_about(&imported, "F1000001"), vec![FindingKind::UnknownFieldKind]);
    }
}

#[test]
fn label_becomes_an_info_text() {
    for v in BOTH {
        let inhalt = if v == V::Two {
            "<xdf:praezisierung/><xdf:inhalt>Bitte Nachweise beilegen.</xdf:inhalt>"
        } else {
            "<xdf:inhalt>Bitte Nachweise beilegen.</xdf:inhalt>"
        };
        let (_, item) = one_field(v, "1:1", "label", "text", inhalt);
        let item = item.unwrap_or_default();
        assert_eq!(item["kind"], "info");
        assert_eq!(item["text"], json!({"de": "Bitte Nachweise beilegen."}));
        let (_, bare) = one_field(v, "1:1", "label", "text", "");
        assert_eq!(bare.unwrap_or_default()["text"], json!({"de": "Feld"}));
    }
}

#[test]
fn hidden_is_dropped_and_locked_shows_its_content() {
    let (imported, item) = one_field(V::Three, "1:1", "hidden", "text", "");
    assert!(item.is_none());
    assert_eq!(kinds_about(&imported, "F1000001"), vec![FindingKind::Dropped]);
    let (imported, item) = one_field(V::Three, "1:1", "locked", "text", "<xdf:inhalt>Stadt Beispiel</xdf:inhalt>");
    assert_eq!(item.unwrap_or_default()["text"], json!({"de": "Feld: Stadt Beispiel"}));
    assert_eq!(kinds_about(&imported, "F1000001"), vec![FindingKind::Gap]);
}

#[test]
fn select_with_inline_values() {
    let werte = "<xdf:werte><xdf:wert><xdf:code>a</xdf:code><xdf:name>Erstens</xdf:name></xdf:wert>\
                 <xdf:wert><xdf:code>b</xdf:code><xdf:name>Zweitens</xdf:name><xdf:hilfe>mehr dazu</xdf:hilfe></xdf:wert></xdf:werte>";
    let (imported, item) = one_field(V::Three, "1:1", "select", "text", werte);
    let item = item.unwrap_or_default();
    assert_eq!(item["kind"], "choice");
    assert_eq!(
        item["options"],
        json!([
            {"value": "a", "label": {"de": "Erstens", "en": "Erstens"}},
            {"value": "b", "label": {"de": "Zweitens", "en": "Zweitens"}},
        ])
    );
    assert!(said_about(&imported, "F1000001").contains("mehr dazu"));
}

#[test]
fn select_of_yes_and_no_on_bool_is_a_boolean() {
    let werte = "<xdf:werte><xdf:wert><xdf:code>ja</xdf:code><xdf:name>Ja</xdf:name></xdf:wert>\
                 <xdf:wert><xdf:code>nein</xdf:code><xdf:name>Nein</xdf:name></xdf:wert></xdf:werte>";
    assert_eq!(one_field(V::Three, "1:1", "select", "bool", werte).1.unwrap_or_default()["kind"], "boolean");
    assert_eq!(one_field(V::Three, "1:1", "select", "text", werte).1.unwrap_or_default()["kind"], "choice");
}

#[test]
fn select_without_any_list_is_text_and_reported() {
    for v in BOTH {
        let (imported, item) = one_field(v, "1:1", "select", "text", "");
        assert_eq!(item.unwrap_or_default()["kind"], "text");
        assert_eq!(kinds_about(&imported, "F1000001"), vec![FindingKind::CodeList]);
    }
}

#[test]
fn cardinality_sets_required() {
    for v in BOTH {
        assert_eq!(one_field(v, "1:1", "input", "text", "").1.unwrap_or_default()["required"], true);
        assert!(one_field(v, "0:1", "input", "text", "").1.unwrap_or_default().get("required").is_none());
    }
}

#[test]
fn a_repeating_field_becomes_a_repeat_group_around_it() {
    for v in BOTH {
        let (imported, _) = one_field(v, "1:*", "input", "text", "");
        let group = &imported.form["steps"][0]["items"][0];
        assert_eq!(group["kind"], "group");
        assert_eq!(group["id"], "feld_liste");
        assert_eq!(group["repeat"], json!({"min": 1, "max": 99}));
        assert_eq!(group["itemLabel"]["de"], "Feld");
        assert_eq!(group["items"][0]["id"], "feld");
        assert_eq!(group["items"][0]["required"], true);
        assert!(kinds_about(&imported, "F1000001").contains(&FindingKind::Gap));
        let (_, bounded) = one_field(v, "0:3", "input", "text", "");
        assert!(bounded.is_some());
        let (imported, _) = one_field(v, "0:3", "input", "text", "");
        assert_eq!(imported.form["steps"][0]["items"][0]["repeat"], json!({"min": 0, "max": 3}));
    }
}

#[test]
fn a_zero_field_is_dropped() {
    for v in BOTH {
        let (imported, item) = one_field(v, "0:0", "input", "text", "");
        assert!(item.is_none());
        assert_eq!(kinds_about(&imported, "F1000001"), vec![FindingKind::Dropped]);
    }
}

#[test]
fn files_take_size_types_and_count() {
    let after = "<xdf:maxSize>1048577</xdf:maxSize><xdf:mediaType>application/PDF</xdf:mediaType><xdf:mediaType>bild</xdf:mediaType>";
    let (imported, item) = one_field(V::Three, "1:1", "input", "file", after);
    let item = item.unwrap_or_default();
    assert_eq!(item["maxSizeKb"], 1025);
    assert_eq!(item["accept"], json!(["application/pdf"]));
    assert!(item.get("maxFiles").is_none());
    assert!(said_about(&imported, "F1000001").contains("'bild'"));
    for v in BOTH {
        let (_, item) = one_field(v, "0:4", "input", "file", "");
        let item = item.unwrap_or_default();
        assert_eq!(item["kind"], "attachment");
        assert_eq!(item["maxFiles"], 4);
        assert!(item.get("required").is_none());
        let (imported, item) = one_field(v, "1:*", "input", "file", "");
        assert_eq!(item.unwrap_or_default()["maxFiles"], 10);
        assert!(kinds_about(&imported, "F1000001").contains(&FindingKind::Gap));
    }
}

#[test]
fn defaults_and_prefill_are_reported() {
    let (imported, item) = one_field(
        V::Three,
        "1:1",
        "input",
        "text",
        "<xdf:inhalt>Muster</xdf:inhalt><xdf:vorbefuellung><code>optional</code></xdf:vorbefuellung>",
    );
    assert!(item.is_some());
    let said = said_about(&imported, "F1000001");
    assert!(said.contains("Vorbelegung „Muster“"), "{said}");
    assert!(said.contains("Vorbefüllung"), "{said}");
    let (imported, _) =
        one_field(V::Two, "1:1", "input", "text", "<xdf:praezisierung/><xdf:inhalt>Muster</xdf:inhalt>");
    assert!(said_about(&imported, "F1000001").contains("Vorbelegung"));
}

#[test]
fn help_texts_and_labels() {
    let v2 = field(V::Two, "F1000001", "Feld", "input", "text", "")
        .replace("<xdf:hilfetextEingabe/>", "<xdf:hilfetextEingabe>So geht es.</xdf:hilfetextEingabe>");
    let imported = ok(&message(V::Two, &use_(V::Two, "1:1", &v2)));
    let item = item(&imported.form, "F1000001");
    assert_eq!(item["help"], json!({"de": "So geht es."}));
    assert_eq!(item["label"], json!({"de": "Feld", "en": "Feld"}));
    assert_eq!(item["fim"], json!({"id": "F1000001", "version": "1.0"}));
}

#[test]
fn code_values_qualified_or_not() {
    for v in BOTH {
        let qualified =
            field(v, "F1000001", "Feld", "input", "date", "").replace("<code>date</code>", "<xdf:code>date</xdf:code>");
        let unqualified = field(v, "F1000002", "Zweites", "input", "num", "")
            .replace("<code>num</code>", "<code xmlns=\"\">num</code>");
        let imported = ok(&message(v, &[use_(v, "1:1", &qualified), use_(v, "1:1", &unqualified)].concat()));
        assert_eq!(item(&imported.form, "F1000001")["kind"], "date");
        assert_eq!(item(&imported.form, "F1000002")["kind"], "decimal");
    }
}
