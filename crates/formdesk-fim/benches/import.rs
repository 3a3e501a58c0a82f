//! Importing a generated Stammdatenschema of 200 fields in 20 groups with 20 genericode code lists (50 rows
//! each), in both XDatenfelder versions: reading the lists, and the import itself (reading, mapping, the
//! report and the check of the draft by the engine). Target: under 50 ms per import.

use criterion::{Criterion, criterion_group, criterion_main};
use formdesk_fim::{CodeListSource, Options, import};
use std::fmt::Write;
use std::hint::black_box;

const GROUPS: usize = 20;
const FIELDS_PER_GROUP: usize = 10;
const ROWS: usize = 50;

#[derive(Clone, Copy, PartialEq)]
enum V {
    Two,
    Three,
}

fn version(v: V) -> &'static str {
    if v == V::Two { "1.0" } else { "1.0.0" }
}

fn common(v: V, id: &str, name: &str) -> String {
    match v {
        V::Two => format!(
            "<xdf:identifikation><xdf:id>{id}</xdf:id><xdf:version>1.0</xdf:version></xdf:identifikation><xdf:name>{name}</xdf:name>\
             <xdf:bezeichnungEingabe>{name}</xdf:bezeichnungEingabe><xdf:beschreibung/><xdf:definition/><xdf:bezug/>\
             <xdf:status><code>aktiv</code></xdf:status><xdf:schemaelementart><code>HAR</code></xdf:schemaelementart>\
             <xdf:hilfetextEingabe>Hilfe zu {name}</xdf:hilfetextEingabe><xdf:hilfetextAusgabe/>"
        ),
        V::Three => format!(
            "<xdf:identifikation><xdf:id>{id}</xdf:id><xdf:version>1.0.0</xdf:version></xdf:identifikation><xdf:name>{name}</xdf:name>\
             <xdf:freigabestatus><code>6</code></xdf:freigabestatus><xdf:letzteAenderung>2026-01-01T00:00:00Z</xdf:letzteAenderung>\
             <xdf:bezeichnungEingabe>{name}</xdf:bezeichnungEingabe><xdf:hilfetextEingabe>Hilfe zu {name}</xdf:hilfetextEingabe>\
             <xdf:schemaelementart><code>HAR</code></xdf:schemaelementart>"
        ),
    }
}

fn praez(v: V, pairs: &[(&str, &str)]) -> String {
    match v {
        V::Two => {
            let json: Vec<String> = pairs.iter().map(|(k, val)| format!("\"{k}\":\"{val}\"")).collect();
            format!("<xdf:praezisierung>{{{}}}</xdf:praezisierung><xdf:inhalt/>", json.join(","))
        }
        V::Three => {
            let attrs: String = pairs.iter().map(|(k, val)| format!(" {k}=\"{val}\"")).collect();
            format!("<xdf:praezisierung{attrs}/>")
        }
    }
}

fn list_ref(v: V, g: usize) -> String {
    let uri = format!("urn:de:bench:codeliste:liste{g}");
    match v {
        V::Two => format!(
            "<xdf:praezisierung/><xdf:inhalt/><xdf:codelisteReferenz><xdf:identifikation><xdf:id>C9{g:06}</xdf:id></xdf:identifikation>\
             <xdf:genericodeIdentification><xdf:canonicalIdentification>{uri}</xdf:canonicalIdentification><xdf:version>2026-01-01</xdf:version>\
             <xdf:canonicalVersionUri>{uri}_2026-01-01</xdf:canonicalVersionUri></xdf:genericodeIdentification></xdf:codelisteReferenz>"
        ),
        V::Three => format!(
            "<xdf:codelisteReferenz><xdf:canonicalIdentification>{uri}</xdf:canonicalIdentification><xdf:version>2026-01-01</xdf:version>\
             </xdf:codelisteReferenz><xdf:codeKey>code</xdf:codeKey><xdf:nameKey>name</xdf:nameKey>"
        ),
    }
}

fn field(v: V, g: usize, f: usize) -> String {
    let id = format!("F9{g:02}{f:04}");
    let name = format!("Feld {g} {f}");
    let (feldart, datentyp, after) = match f % FIELDS_PER_GROUP {
        0 => ("select", "text", list_ref(v, g)),
        1 => ("input", "date", praez(v, &[("minValue", "1900-01-01"), ("maxValue", "2026-12-31")])),
        2 => ("input", "num_int", praez(v, &[("minValue", "0"), ("maxValue", "99")])),
        3 => ("input", "num_currency", praez(v, &[("minValue", "0"), ("maxValue", "10000")])),
        4 => ("input", "text", praez(v, &[("minLength", "1"), ("maxLength", "50"), ("pattern", "[A-Z]{2}\\\\d{4}")])),
        5 => ("input", "bool", praez(v, &[])),
        6 => ("input", "num", praez(v, &[("minValue", "0.5"), ("maxValue", "120")])),
        7 => ("label", "text", praez(v, &[])),
        8 => ("input", "file", praez(v, &[])),
        _ => ("input", "text", praez(v, &[("maxLength", "2000")])),
    };
    let anzahl = if f.is_multiple_of(3) { "1:1" } else { "0:1" };
    format!(
        "<xdf:struktur><xdf:anzahl>{anzahl}</xdf:anzahl><xdf:enthaelt><xdf:datenfeld>{}<xdf:feldart><code>{feldart}</code></xdf:feldart>\
         <xdf:datentyp><code>{datentyp}</code></xdf:datentyp>{after}</xdf:datenfeld></xdf:enthaelt></xdf:struktur>\n",
        common(v, &id, &name)
    )
}

fn schema(v: V) -> String {
    let ns = if v == V::Two {
        "urn:xoev-de:fim:standard:xdatenfelder_2"
    } else {
        "urn:xoev-de:fim:standard:xdatenfelder_3.0.0"
    };
    let mut body = String::new();
    for g in 0..GROUPS {
        let anzahl = if g % 4 == 3 { "0:5" } else { "1:1" };
        let fields: String = (0..FIELDS_PER_GROUP).map(|f| field(v, g, f)).collect();
        let rule = match v {
            V::Two => format!(
                "<xdf:regel><xdf:identifikation><xdf:id>R9{g:05}</xdf:id><xdf:version>1.0</xdf:version></xdf:identifikation><xdf:name>Regel {g}</xdf:name>\
                 <xdf:bezeichnungEingabe/><xdf:beschreibung/><xdf:definition>Wenn F9{g:02}0001 angegeben ist, ist F9{g:02}0002 Pflicht.</xdf:definition>\
                 <xdf:bezug/><xdf:status><code>aktiv</code></xdf:status><xdf:script>function script() {{}}</xdf:script></xdf:regel>"
            ),
            V::Three => format!(
                "<xdf:regel><xdf:identifikation><xdf:id>R9{g:05}</xdf:id><xdf:version>1.0.0</xdf:version></xdf:identifikation><xdf:name>Regel {g}</xdf:name>\
                 <xdf:freitextRegel>Wenn F9{g:02}0001 angegeben ist, ist F9{g:02}0002 Pflicht.</xdf:freitextRegel>\
                 <xdf:letzteAenderung>2026-01-01T00:00:00Z</xdf:letzteAenderung><xdf:typ><code>K</code></xdf:typ></xdf:regel>"
            ),
        };
        let _ = writeln!(
            body,
            "<xdf:struktur><xdf:anzahl>{anzahl}</xdf:anzahl><xdf:enthaelt><xdf:datenfeldgruppe>{}{rule}{fields}</xdf:datenfeldgruppe></xdf:enthaelt></xdf:struktur>",
            common(v, &format!("G9{g:05}"), &format!("Gruppe {g}"))
        );
    }
    let head = match v {
        V::Two => {
            "<xdf:bezeichnungEingabe>Großer Antrag</xdf:bezeichnungEingabe><xdf:beschreibung/><xdf:definition/><xdf:bezug/><xdf:status><code>aktiv</code></xdf:status>"
        }
        V::Three => {
            "<xdf:freigabestatus><code>6</code></xdf:freigabestatus><xdf:letzteAenderung>2026-01-01T00:00:00Z</xdf:letzteAenderung><xdf:bezeichnung>Großer Antrag</xdf:bezeichnung>"
        }
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<xdf:xdatenfelder.stammdatenschema.0102 xmlns:xdf=\"{ns}\">\
         <xdf:header><xdf:nachrichtID>bench</xdf:nachrichtID><xdf:erstellungszeitpunkt>2026-01-01T00:00:00Z</xdf:erstellungszeitpunkt></xdf:header>\
         <xdf:stammdatenschema><xdf:identifikation><xdf:id>S90000001</xdf:id><xdf:version>{}</xdf:version></xdf:identifikation>\
         <xdf:name>Großer Antrag</xdf:name>{head}\n{body}</xdf:stammdatenschema></xdf:xdatenfelder.stammdatenschema.0102>\n",
        version(v)
    )
}

fn code_list(g: usize) -> String {
    let uri = format!("urn:de:bench:codeliste:liste{g}");
    let rows: String = (0..ROWS)
        .map(|r| format!("<Row><Value><SimpleValue>c{r}</SimpleValue></Value><Value><SimpleValue>Eintrag {r} der Liste {g}</SimpleValue></Value><Value><SimpleValue>{r}.50</SimpleValue></Value></Row>\n"))
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<gc:CodeList xmlns:gc=\"http://docs.oasis-open.org/codelist/ns/genericode/1.0/\">\
         <Identification><ShortName>liste{g}</ShortName><LongName>Liste {g}</LongName><Version>2026-01-01</Version>\
         <CanonicalUri>{uri}</CanonicalUri><CanonicalVersionUri>{uri}_2026-01-01</CanonicalVersionUri></Identification>\
         <ColumnSet><Column Id=\"code\" Use=\"required\"><ShortName>code</ShortName></Column><Column Id=\"name\" Use=\"required\"><ShortName>name</ShortName></Column>\
         <Column Id=\"satz\" Use=\"optional\"><ShortName>satz</ShortName></Column>\
         <Key Id=\"codeKey\"><ShortName>codeKey</ShortName><ColumnRef Ref=\"code\"/></Key><Key Id=\"codenameKey\"><ShortName>codenameKey</ShortName><ColumnRef Ref=\"name\"/></Key></ColumnSet>\
         <SimpleCodeList>{rows}</SimpleCodeList></gc:CodeList>\n"
    )
}

fn lists(files: &[String]) -> CodeListSource {
    let mut source = CodeListSource::empty();
    for (g, text) in files.iter().enumerate() {
        source.add(&format!("C9{g:06}_genericode.xml"), text.as_bytes()).expect("a code list");
    }
    source
}

fn bench(c: &mut Criterion) {
    let files: Vec<String> = (0..GROUPS).map(code_list).collect();
    let source = lists(&files);
    c.bench_function("read 20 genericode lists", |b| b.iter(|| lists(black_box(&files))));
    for (v, name) in [
        (V::Two, "import 200 fields, 20 lists (XDatenfelder 2.0)"),
        (V::Three, "import 200 fields, 20 lists (XDatenfelder 3.0.0)"),
    ] {
        let xml = schema(v);
        let imported =
            import(xml.as_bytes(), "bench.xml", &source, &Options::default()).expect("the generated schema imports");
        assert_eq!(imported.form["codeLists"].as_object().map(|o| o.len()), Some(GROUPS));
        c.bench_function(name, |b| {
            b.iter(|| import(black_box(xml.as_bytes()), "bench.xml", &source, &Options::default()))
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
