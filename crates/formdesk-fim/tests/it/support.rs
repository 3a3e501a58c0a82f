//! Builders of small XDatenfelder messages and genericode lists for the tests.

use formdesk_fim::{CodeListSource, Import, ImportError, Options, import};
use serde_json::Value;

/// The XDatenfelder version of a built message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum V {
    Two,
    Three,
}

pub const BOTH: [V; 2] = [V::Two, V::Three];

pub fn ns(v: V) -> &'static str {
    match v {
        V::Two => "urn:xoev-de:fim:standard:xdatenfelder_2",
        V::Three => "urn:xoev-de:fim:standard:xdatenfelder_3.0.0",
    }
}

fn common(v: V, id: &str, name: &str, label: &str) -> String {
    match v {
        V::Two => format!(
            "<xdf:identifikation><xdf:id>{id}</xdf:id><xdf:version>1.0</xdf:version></xdf:identifikation>\
             <xdf:name>{name}</xdf:name><xdf:bezeichnungEingabe>{label}</xdf:bezeichnungEingabe>\
             <xdf:beschreibung/><xdf:definition/><xdf:bezug/><xdf:status><code>aktiv</code></xdf:status>"
        ),
        V::Three => format!(
            "<xdf:identifikation><xdf:id>{id}</xdf:id><xdf:version>1.0.0</xdf:version></xdf:identifikation>\
             <xdf:name>{name}</xdf:name><xdf:freigabestatus><code>6</code></xdf:freigabestatus>\
             <xdf:letzteAenderung>2026-11-30T09:00:00Z</xdf:letzteAenderung>\
             <xdf:bezeichnungEingabe>{label}</xdf:bezeichnungEingabe>"
        ),
    }
}

/// A message around the schema's `struktur` elements (and `regel`s before them).
pub fn message(v: V, body: &str) -> String {
    let schema_head = match v {
        V::Two => "<xdf:identifikation><xdf:id>S99000001</xdf:id><xdf:version>1.2</xdf:version></xdf:identifikation>\
             <xdf:name>Testschema</xdf:name><xdf:bezeichnungEingabe>Ein Testantrag</xdf:bezeichnungEingabe>\
             <xdf:beschreibung/><xdf:definition/><xdf:bezug>Testsatzung</xdf:bezug>\
             <xdf:status><code>aktiv</code></xdf:status>"
            .to_owned(),
        V::Three => "<xdf:identifikation><xdf:id>S99000001</xdf:id><xdf:version>1.2.0</xdf:version></xdf:identifikation>\
             <xdf:name>Testschema</xdf:name><xdf:bezug>Testsatzung</xdf:bezug><xdf:freigabestatus><code>6</code></xdf:freigabestatus>\
             <xdf:letzteAenderung>2026-11-30T09:00:00Z</xdf:letzteAenderung><xdf:bezeichnung>Ein Testantrag</xdf:bezeichnung>"
            .to_owned(),
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<xdf:xdatenfelder.stammdatenschema.0102 xmlns:xdf=\"{}\">\n\
         <xdf:header><xdf:nachrichtID>abc</xdf:nachrichtID><xdf:erstellungszeitpunkt>2026-11-30T09:15:00Z</xdf:erstellungszeitpunkt></xdf:header>\n\
         <xdf:stammdatenschema>{schema_head}\
         <xdf:ableitungsmodifikationenStruktur><code>1</code></xdf:ableitungsmodifikationenStruktur>\
         <xdf:ableitungsmodifikationenRepraesentation><code>1</code></xdf:ableitungsmodifikationenRepraesentation>\n\
         {body}\n</xdf:stammdatenschema>\n</xdf:xdatenfelder.stammdatenschema.0102>\n",
        ns(v)
    )
}

/// A `struktur` with `anzahl` around an element.
pub fn use_(v: V, anzahl: &str, element: &str) -> String {
    let bezug = if v == V::Two { "<xdf:bezug/>" } else { "" };
    format!(
        "<xdf:struktur><xdf:anzahl>{anzahl}</xdf:anzahl>{bezug}<xdf:enthaelt>{element}</xdf:enthaelt></xdf:struktur>\n"
    )
}

/// A field with feldart, datentyp and further content after `datentyp` (praezisierung etc.).
pub fn field(v: V, id: &str, name: &str, feldart: &str, datentyp: &str, after: &str) -> String {
    let helps = if v == V::Two {
        "<xdf:schemaelementart><code>HAR</code></xdf:schemaelementart><xdf:hilfetextEingabe/><xdf:hilfetextAusgabe/>"
    } else {
        "<xdf:schemaelementart><code>HAR</code></xdf:schemaelementart>"
    };
    let tail = if v == V::Two && !after.contains("praezisierung") {
        format!("<xdf:praezisierung/><xdf:inhalt/>{after}")
    } else {
        after.to_owned()
    };
    format!(
        "<xdf:datenfeld>{}{helps}<xdf:feldart><code>{feldart}</code></xdf:feldart><xdf:datentyp><code>{datentyp}</code></xdf:datentyp>{tail}</xdf:datenfeld>",
        common(v, id, name, name)
    )
}

/// A group with children (`struktur` elements) and extra content before them (`art`, rules).
pub fn group(v: V, id: &str, name: &str, extra: &str, children: &str) -> String {
    let helps = if v == V::Two {
        "<xdf:schemaelementart><code>HAR</code></xdf:schemaelementart><xdf:hilfetextEingabe/><xdf:hilfetextAusgabe/>"
    } else {
        "<xdf:schemaelementart><code>HAR</code></xdf:schemaelementart>"
    };
    format!("<xdf:datenfeldgruppe>{}{helps}{extra}{children}</xdf:datenfeldgruppe>", common(v, id, name, name))
}

/// A simple input text field in a `1:1` struktur.
pub fn text_field(v: V, id: &str, name: &str) -> String {
    use_(v, "1:1", &field(v, id, name, "input", "text", ""))
}

/// A genericode list: columns `(id, required)`, keys `(id, column)`, rows of values in column order.
pub fn genericode(
    uri: &str,
    version: &str,
    columns: &[(&str, bool)],
    keys: &[(&str, &str)],
    rows: &[&[&str]],
) -> String {
    let cols: String = columns
        .iter()
        .map(|(id, req)| {
            format!(
                "<Column Id=\"{id}\" Use=\"{}\"><ShortName>{id}</ShortName><Data Type=\"string\"/></Column>",
                if *req { "required" } else { "optional" }
            )
        })
        .collect();
    let keys: String = keys
        .iter()
        .map(|(id, col)| format!("<Key Id=\"{id}\"><ShortName>{id}</ShortName><ColumnRef Ref=\"{col}\"/></Key>"))
        .collect();
    let rows: String = rows
        .iter()
        .map(|r| {
            let values: String = r.iter().map(|v| format!("<Value><SimpleValue>{v}</SimpleValue></Value>")).collect();
            format!("<Row>{values}</Row>\n")
        })
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<gc:CodeList xmlns:gc=\"http://docs.oasis-open.org/codelist/ns/genericode/1.0/\">\n\
         <Identification><ShortName>liste</ShortName><LongName>Eine Liste</LongName><Version>{version}</Version>\
         <CanonicalUri>{uri}</CanonicalUri><CanonicalVersionUri>{uri}_{version}</CanonicalVersionUri></Identification>\n\
         <ColumnSet>{cols}{keys}</ColumnSet>\n<SimpleCodeList>\n{rows}</SimpleCodeList>\n</gc:CodeList>\n"
    )
}

/// A source with the given `(file name, text)` lists.
pub fn lists(files: &[(&str, &str)]) -> CodeListSource {
    let mut s = CodeListSource::empty();
    for (name, text) in files {
        assert_eq!(s.add(name, text.as_bytes()), Ok(true), "{name} is a code list");
    }
    s
}

pub fn run(xml: &str) -> Result<Import, ImportError> {
    import(xml.as_bytes(), "test.xml", &CodeListSource::empty(), &Options::default())
}

pub fn run_with(xml: &str, l: &CodeListSource) -> Result<Import, ImportError> {
    import(xml.as_bytes(), "test.xml", l, &Options::default())
}

pub fn ok(xml: &str) -> Import {
    match run(xml) {
        Ok(i) => i,
        Err(e) => panic!("import failed:\n{e}\n{xml}"),
    }
}

/// Every item of the form, depth first.
pub fn items(form: &Value) -> Vec<Value> {
    fn walk(v: &Value, out: &mut Vec<Value>) {
        for item in v.get("items").and_then(Value::as_array).into_iter().flatten() {
            out.push(item.clone());
            walk(item, out);
        }
    }
    let mut out = Vec::new();
    for step in form["steps"].as_array().into_iter().flatten() {
        walk(step, &mut out);
    }
    out
}

/// The item with FIM id `fim`: the field itself rather than a group wrapping it.
pub fn item(form: &Value, fim: &str) -> Value {
    let all: Vec<Value> = items(form).into_iter().filter(|i| i["fim"]["id"] == fim).collect();
    all.iter()
        .find(|i| i["kind"] != "group")
        .or_else(|| all.first())
        .cloned()
        .unwrap_or_else(|| panic!("no item {fim} in {form:#}"))
}

/// The message of every refusal.
pub fn refused(xml: &[u8]) -> ImportError {
    match import(xml, "test.xml", &CodeListSource::empty(), &Options::default()) {
        Ok(i) => panic!("imported although it should be refused: {:#}", i.form),
        Err(e) => e,
    }
}

/// A praezisierung with `(key, value)` pairs: JSON text in v2, attributes in v3 (values XML-escaped).
pub fn praez(v: V, pairs: &[(&str, &str)]) -> String {
    let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('"', "&quot;");
    match v {
        V::Two => {
            let map: serde_json::Map<String, Value> =
                pairs.iter().map(|(k, v)| ((*k).to_owned(), Value::String((*v).to_owned()))).collect();
            let json = Value::Object(map).to_string();
            format!(
                "<xdf:praezisierung>{}</xdf:praezisierung><xdf:inhalt/>",
                json.replace('&', "&amp;").replace('<', "&lt;")
            )
        }
        V::Three => {
            let attrs: String = pairs.iter().map(|(k, v)| format!(" {k}=\"{}\"", esc(v))).collect();
            format!("<xdf:praezisierung{attrs}/>")
        }
    }
}

/// A v2 praezisierung with raw text.
pub fn praez_v2_raw(text: &str) -> String {
    format!("<xdf:praezisierung>{text}</xdf:praezisierung><xdf:inhalt/>")
}

/// A schema with a top-level field `F1000001` „Feld“ (and a text field after it); the import and the field's item (if imported).
pub fn one_field(v: V, anzahl: &str, feldart: &str, datentyp: &str, after: &str) -> (Import, Option<Value>) {
    // A second field keeps the form non-empty when the first one is dropped.
    let body =
        [use_(v, anzahl, &field(v, "F1000001", "Feld", feldart, datentyp, after)), text_field(v, "F9999999", "Rest")]
            .concat();
    let imported = ok(&message(v, &body));
    let found: Vec<Value> = items(&imported.form).into_iter().filter(|i| i["fim"]["id"] == "F1000001").collect();
    let it = found.iter().find(|i| i["kind"] != "group").or_else(|| found.first()).cloned();
    (imported, it)
}

/// The kinds of the report's findings about FIM id `fim`.
pub fn kinds_about(imported: &Import, fim: &str) -> Vec<formdesk_fim::FindingKind> {
    imported.report.entries.iter().filter(|f| f.fim.as_ref().is_some_and(|r| r.id == fim)).map(|f| f.kind).collect()
}

/// Every finding message about FIM id `fim`, joined.
pub fn said_about(imported: &Import, fim: &str) -> String {
    imported
        .report
        .entries
        .iter()
        .filter(|f| f.fim.as_ref().is_some_and(|r| r.id == fim))
        .map(|f| format!("{} {}", f.message, f.raw.clone().unwrap_or_default()))
        .collect::<Vec<_>>()
        .join("\n")
}
