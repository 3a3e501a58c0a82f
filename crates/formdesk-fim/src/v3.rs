//! What XDatenfelder 3.0.0 writes its own way: praezisierung as attributes, inline values, the code-list
//! reference as a bare genericode identification with column keys, file limits, prefill and typed rules.

use crate::model::{CodeListRef, ColumnKey, Field, Precision, Rule, RuleArg, Value};
use crate::reader::Reader;
use crate::xml;
use roxmltree::Node;

pub fn field<'a, 'i>(r: &mut Reader<'a, 'i>, node: Node<'a, 'i>, field: &mut Field) {
    if let Some(p) = r.child(node, "praezisierung") {
        let text = xml::text(p);
        field.precision = Precision {
            text: (!text.is_empty()).then_some(text),
            attributes: p.attributes().map(|a| (a.name().to_owned(), a.value().to_owned())).collect(),
            pos: Some(r.pos(p)),
        };
    }
    field.prefill = r.code(node, "vorbefuellung");
    if let Some(werte) = r.child(node, "werte") {
        let nodes: Vec<_> = r.children(werte, "wert").collect();
        for w in nodes {
            let at = r.pos(w);
            // `code` and `name` of a value are in the message's namespace; tolerate an unqualified `code`.
            let code = r.text(w, "code").or_else(|| xml::code(w, r.ns));
            let Some(code) = code else {
                r.problems.push(Some(at), "ein 'wert' hat keinen 'code'; erwartet wird ein nicht leerer Code");
                continue;
            };
            if field.values.iter().any(|v| v.code == code) {
                r.problems.push(
                    Some(at),
                    format!("der Code '{code}' kommt in 'werte' doppelt vor; erwartet werden eindeutige Codes"),
                );
                continue;
            }
            let name = r.text(w, "name").unwrap_or_else(|| code.clone());
            field.values.push(Value { code, name, help: r.text(w, "hilfe"), pos: at });
        }
    }
    if let Some(c) = r.child(node, "codelisteReferenz") {
        field.code_list = Some(CodeListRef {
            id: None,
            canonical: r.text(c, "canonicalIdentification"),
            version: r.text(c, "version"),
            canonical_version: r.text(c, "canonicalVersionUri"),
            pos: Some(r.pos(c)),
        });
    }
    let key = |r: &Reader<'a, 'i>, name| {
        r.child(node, name)
            .map(xml::text)
            .filter(|t| !t.is_empty())
            .map(|id| ColumnKey { id, pos: r.child(node, name).map(|n| r.pos(n)).unwrap_or(field.meta.pos) })
    };
    field.code_key = key(r, "codeKey");
    field.name_key = key(r, "nameKey");
    field.help_key = key(r, "helpKey");
    field.max_size = r.child(node, "maxSize").map(|n| (xml::text(n), r.pos(n)));
    field.media_types = r.children(node, "mediaType").map(|n| (xml::text(n), r.pos(n))).collect();
}

pub fn rule<'a, 'i>(r: &mut Reader<'a, 'i>, node: Node<'a, 'i>) -> Option<Rule> {
    let ident = r.required(node, "identifikation")?;
    let Some(id) = r.text(ident, "id") else {
        let at = r.pos(ident);
        r.problems.push(Some(at), "im Element 'regel' fehlt 'identifikation/id'");
        return None;
    };
    let arg = |n: Node<'_, '_>| RuleArg {
        element: n.attribute("element").map(str::to_owned),
        name: n.attribute("name").map(str::to_owned),
        kind: r.text(n, "typ"),
    };
    Some(Rule {
        id,
        version: r.text(ident, "version"),
        name: r.text(node, "name").unwrap_or_default(),
        prose: r.text(node, "freitextRegel"),
        description: r.text(node, "beschreibung"),
        kind: r.code(node, "typ"),
        params: r.children(node, "param").map(arg).collect(),
        targets: r.children(node, "ziel").map(arg).collect(),
        script: r.text(node, "skript"),
        errors: r
            .children(node, "fehler")
            .map(|f| (f.attribute("code").map(str::to_owned), xml::all_text(f)))
            .collect(),
        pos: r.pos(node),
    })
}
