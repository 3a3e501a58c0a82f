//! What XDatenfelder 2.0 writes its own way: praezisierung as text, the code-list reference with a `C…` id
//! and a `genericodeIdentification`, rules with `definition` and `script`.

use crate::model::{CodeListRef, Field, Precision, Rule};
use crate::reader::Reader;
use crate::xml;
use roxmltree::Node;

pub fn field<'a, 'i>(r: &mut Reader<'a, 'i>, node: Node<'a, 'i>, field: &mut Field) {
    if let Some(p) = r.child(node, "praezisierung") {
        let text = xml::text(p);
        field.precision =
            Precision { text: (!text.is_empty()).then_some(text), attributes: Vec::new(), pos: Some(r.pos(p)) };
    }
    if let Some(c) = r.child(node, "codelisteReferenz") {
        let ident = r.child(c, "identifikation");
        let gc = r.child(c, "genericodeIdentification");
        field.code_list = Some(CodeListRef {
            id: ident.and_then(|i| r.text(i, "id")),
            canonical: gc.and_then(|g| r.text(g, "canonicalIdentification")),
            version: gc.and_then(|g| r.text(g, "version")),
            canonical_version: gc.and_then(|g| r.text(g, "canonicalVersionUri")),
            pos: Some(r.pos(c)),
        });
    }
}

pub fn rule<'a, 'i>(r: &mut Reader<'a, 'i>, node: Node<'a, 'i>) -> Option<Rule> {
    let meta = r.meta(node)?;
    Some(Rule {
        id: meta.id,
        version: meta.version,
        name: meta.name,
        prose: r.text(node, "definition"),
        description: r.text(node, "beschreibung"),
        kind: None,
        params: Vec::new(),
        targets: Vec::new(),
        script: r.text(node, "script"),
        errors: Vec::new(),
        pos: meta.pos,
    })
}
