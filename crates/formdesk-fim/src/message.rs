//! Which message a document is: the root element and its namespace select the v2 or v3 reader; every other
//! message type, namespace or mixture is refused with a sentence naming what was found.

use crate::error::{ImportError, Position};
use crate::model::Xdf;
use crate::xml;
use roxmltree::Document;

/// The namespace of XDatenfelder 2.0.
pub const NS_V2: &str = "urn:xoev-de:fim:standard:xdatenfelder_2";
/// The namespace of XDatenfelder 3.0.0.
pub const NS_V3: &str = "urn:xoev-de:fim:standard:xdatenfelder_3.0.0";
/// The root element of a Stammdatenschema message.
pub const ROOT: &str = "xdatenfelder.stammdatenschema.0102";
/// The genericode namespace.
pub const NS_GENERICODE: &str = "http://docs.oasis-open.org/codelist/ns/genericode/1.0/";

const OTHER_MESSAGES: &[(&str, &str)] = &[
    ("xdatenfelder.dokumentsteckbrief.0101", "einen Dokumentsteckbrief"),
    ("xdatenfelder.datenfeldgruppe.0103", "eine einzelne Datenfeldgruppe"),
    ("xdatenfelder.datenfeld.0104", "ein einzelnes Datenfeld"),
    ("xdatenfelder.codeliste.0105", "eine Codeliste"),
    ("xdatenfelder.uebersetzung.0106", "Übersetzungen"),
];

/// The version of a Stammdatenschema message, or why it is not one.
pub fn version(doc: &Document<'_>, file: &str) -> Result<Xdf, ImportError> {
    let root = doc.root_element();
    let name = root.tag_name().name();
    let ns = root.tag_name().namespace().unwrap_or("");
    let at = Some(xml::pos(doc, root));
    let xdf = match ns {
        NS_V2 => Xdf::V2,
        NS_V3 => Xdf::V3,
        _ if ns.starts_with("urn:xoev-de:fim:standard:xdatenfelder") => {
            return Err(ImportError::at(
                file,
                at,
                format!(
                    "unbekannter XDatenfelder-Namensraum '{ns}'; erwartet wird '{NS_V2}' (Version 2.0) oder \
                     '{NS_V3}' (Version 3.0.0)"
                ),
            ));
        }
        NS_GENERICODE if name == "CodeList" => {
            return Err(ImportError::at(
                file,
                at,
                "die Datei ist eine genericode-Codeliste, kein Stammdatenschema; Codelisten werden über den \
                 Codelisten-Ordner eingelesen",
            ));
        }
        _ => {
            let shown = if ns.is_empty() { "ohne Namensraum".to_owned() } else { format!("im Namensraum '{ns}'") };
            return Err(ImportError::at(
                file,
                at,
                format!(
                    "das Wurzelelement '{name}' {shown} ist keine XDatenfelder-Nachricht; erwartet wird '{ROOT}' im \
                     Namensraum '{NS_V2}' oder '{NS_V3}'"
                ),
            ));
        }
    };
    if name != ROOT {
        let what = OTHER_MESSAGES.iter().find(|(n, _)| *n == name).map(|(_, w)| *w);
        let message = match what {
            Some(w) => {
                format!("die Nachricht '{name}' enthält {w}, kein Stammdatenschema; importiert wird nur '{ROOT}'")
            }
            None => format!("unbekannte Nachricht '{name}'; importiert wird nur '{ROOT}'"),
        };
        return Err(ImportError::at(file, at, message));
    }
    let other = if xdf == Xdf::V2 { NS_V3 } else { NS_V2 };
    if let Some(mixed) = root.descendants().find(|n| n.is_element() && n.tag_name().namespace() == Some(other)) {
        return Err(ImportError::at(
            file,
            Some(xml::pos(doc, mixed)),
            format!(
                "das Element '{}' gehört zum Namensraum der anderen XDatenfelder-Version ('{other}'); eine \
                 Nachricht darf die Versionen nicht mischen",
                mixed.tag_name().name()
            ),
        ));
    }
    Ok(xdf)
}

/// The position of the document's root element.
pub fn root_pos(doc: &Document<'_>) -> Position {
    xml::pos(doc, doc.root_element())
}
