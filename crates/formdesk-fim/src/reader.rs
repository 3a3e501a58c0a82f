//! Reads a Stammdatenschema message of either version into the shared model. The parts both versions share
//! are read here; `v2` and `v3` read what differs (title, status, praezisierung, code-list references,
//! rules, v3's extras). Every missing required part is collected, so one run names all of them.

use crate::error::{ImportError, Position, Problems};
use crate::model::{Element, Field, Group, Header, Meta, Reference, Rule, Schema, Use, Xdf};
use crate::xml::{self, MAX_STRUKTUR_DEPTH};
use crate::{message, v2, v3};
use regex::Regex;
use roxmltree::{Document, Node};
use std::collections::HashMap;
use std::sync::LazyLock;

static ANZAHL: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"^(\d+):(\*|\d+)$").ok());

/// Reads the message in `doc`; refuses what section 7 of the design refuses.
pub fn read(doc: &Document<'_>, file: &str) -> Result<Schema, ImportError> {
    let xdf = message::version(doc, file)?;
    let mut r = Reader {
        doc,
        lines: xml::Lines::new(doc.input_text()),
        ns: if xdf == Xdf::V2 { message::NS_V2 } else { message::NS_V3 },
        xdf,
        problems: Problems::new(file),
    };
    let root = r.doc.root_element();
    let header = r.header(root);
    let schema = r.required(root, "stammdatenschema").and_then(|s| r.schema(s, header));
    if let Some(s) = &schema {
        let mut seen = HashMap::new();
        contradictions(&s.children, &mut seen, &mut r.problems);
    }
    r.problems.into_result()?;
    schema.ok_or_else(|| ImportError::at(file, Some(message::root_pos(doc)), "kein Stammdatenschema gelesen"))
}

/// What an element is, for telling whether two uses of one id and version agree.
fn signature(e: &Element) -> String {
    match e {
        Element::Group(_) => "eine Datenfeldgruppe".to_owned(),
        Element::Field(f) => format!("ein Datenfeld ({}, {})", f.feldart, f.datentyp),
    }
}

/// The same id and version may occur in several places (an element is written out at each use), but must
/// name the same element; a group in one place and a field in another, or fields of different kinds, are a
/// contradiction that would make every later comparison by FIM id ambiguous.
fn contradictions(
    uses: &[Use],
    seen: &mut HashMap<(String, Option<String>), (String, Position)>,
    problems: &mut Problems,
) {
    for u in uses {
        let meta = u.element.meta();
        let sig = signature(&u.element);
        let key = (meta.id.clone(), meta.version.clone());
        match seen.get(&key) {
            Some((first, at)) if *first != sig => problems.push(
                Some(meta.pos),
                format!(
                    "die Id {} {} bezeichnet hier {sig}, in Zeile {} aber {first}; gleiche Id und Version müssen dasselbe Element sein",
                    meta.id,
                    meta.version.as_deref().map(|v| format!("Version {v}")).unwrap_or_else(|| "ohne Version".into()),
                    at.line
                ),
            ),
            Some(_) => {}
            None => {
                seen.insert(key, (sig, meta.pos));
            }
        }
        if let Element::Group(g) = &u.element {
            contradictions(&g.children, seen, problems);
        }
    }
}

/// The state of one reading.
pub struct Reader<'a, 'i> {
    pub doc: &'a Document<'i>,
    pub lines: xml::Lines<'i>,
    pub ns: &'static str,
    pub xdf: Xdf,
    pub problems: Problems,
}

impl<'a, 'i> Reader<'a, 'i> {
    pub fn pos(&self, node: Node<'_, '_>) -> Position {
        self.lines.pos(node)
    }

    pub fn child(&self, node: Node<'a, 'i>, name: &'a str) -> Option<Node<'a, 'i>> {
        xml::child(node, self.ns, name)
    }

    pub fn children(&self, node: Node<'a, 'i>, name: &'a str) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
        xml::children(node, self.ns, name)
    }

    pub fn text(&self, node: Node<'_, '_>, name: &str) -> Option<String> {
        xml::child_text(node, self.ns, name)
    }

    pub fn code(&self, node: Node<'_, '_>, name: &str) -> Option<String> {
        xml::child(node, self.ns, name).and_then(|c| xml::code(c, self.ns))
    }

    /// A required child; its absence is a problem.
    pub fn required(&mut self, node: Node<'a, 'i>, name: &'a str) -> Option<Node<'a, 'i>> {
        let found = self.child(node, name);
        if found.is_none() {
            let at = self.pos(node);
            self.problems.push(Some(at), format!("im Element '{}' fehlt das Element '{name}'", node.tag_name().name()));
        }
        found
    }

    fn header(&mut self, root: Node<'a, 'i>) -> Header {
        let Some(h) = self.required(root, "header") else { return Header::default() };
        Header {
            message_id: self.text(h, "nachrichtID"),
            created: self.text(h, "erstellungszeitpunkt"),
            quality: self.code(h, "datenqualitaet"),
        }
    }

    /// The identification and common metadata of an element; `None` (with a problem) without an id.
    pub fn meta(&mut self, node: Node<'a, 'i>) -> Option<Meta> {
        let ident = self.required(node, "identifikation")?;
        let Some(id) = self.text(ident, "id") else {
            let at = self.pos(ident);
            self.problems.push(Some(at), format!("im Element '{}' fehlt 'identifikation/id'", node.tag_name().name()));
            return None;
        };
        let status = match self.xdf {
            Xdf::V2 => self.code(node, "status"),
            Xdf::V3 => self.code(node, "freigabestatus"),
        };
        Some(Meta {
            id,
            version: self.text(ident, "version"),
            version_pos: self.child(ident, "version").map(|v| self.pos(v)),
            name: self.text(node, "name").unwrap_or_default(),
            label: self.text(node, "bezeichnungEingabe"),
            help: self.text(node, "hilfetextEingabe"),
            status,
            element_kind: self.code(node, "schemaelementart"),
            pos: self.pos(node),
        })
    }

    fn references(&self, node: Node<'a, 'i>) -> Vec<Reference> {
        self.children(node, "bezug")
            .filter_map(|b| {
                let text = xml::text(b);
                (!text.is_empty()).then(|| Reference {
                    text,
                    link: b.attribute("link").map(str::to_owned),
                    pos: self.pos(b),
                })
            })
            .collect()
    }

    fn schema(&mut self, node: Node<'a, 'i>, header: Header) -> Option<Schema> {
        let mut meta = self.meta(node)?;
        // The schema's title and help text have their own element names.
        meta.label = match self.xdf {
            Xdf::V2 => self.text(node, "bezeichnungEingabe"),
            Xdf::V3 => self.text(node, "bezeichnung"),
        };
        meta.help = self.text(node, "hilfetext");
        if meta.label.is_none() {
            let element = if self.xdf == Xdf::V2 { "bezeichnungEingabe" } else { "bezeichnung" };
            self.problems.push(
                Some(meta.pos),
                format!("das Stammdatenschema hat keinen Titel; erwartet wird ein nicht leeres '{element}'"),
            );
        }
        let version_ok = match (self.xdf, meta.version.as_deref()) {
            (_, None) => true,
            (Xdf::V2, Some(v)) => crate::ids::is_version(v, 2),
            (Xdf::V3, Some(v)) => crate::ids::is_version(v, 3),
        };
        if !version_ok {
            let expected = if self.xdf == Xdf::V2 { "'1.2' (zwei Zahlen)" } else { "'1.2.0' (drei Zahlen)" };
            self.problems.push(
                meta.version_pos.or(Some(meta.pos)),
                format!(
                    "die Version '{}' des Stammdatenschemas passt nicht zu XDatenfelder {}; erwartet wird {expected}",
                    meta.version.clone().unwrap_or_default(),
                    self.xdf.label()
                ),
            );
        }
        let rules = self.rules(node);
        let children = self.uses(node, 1);
        if children.is_empty() && self.child(node, "struktur").is_none() {
            self.problems.push(
                Some(meta.pos),
                "das Stammdatenschema enthält keine 'struktur' und damit kein Feld; erwartet wird mindestens eine",
            );
        }
        Some(Schema {
            xdf: self.xdf,
            header,
            references: self.references(node),
            structure_mod: self.code(node, "ableitungsmodifikationenStruktur"),
            presentation_mod: self.code(node, "ableitungsmodifikationenRepraesentation"),
            document_profile: self.child(node, "dokumentsteckbrief").and_then(|d| {
                let id = self.text(d, "id")?;
                Some(match self.text(d, "version") {
                    Some(v) => format!("{id} {v}"),
                    None => id,
                })
            }),
            rules,
            children,
            meta,
        })
    }

    pub fn rules(&mut self, node: Node<'a, 'i>) -> Vec<Rule> {
        let nodes: Vec<_> = self.children(node, "regel").collect();
        nodes
            .into_iter()
            .filter_map(|r| match self.xdf {
                Xdf::V2 => v2::rule(self, r),
                Xdf::V3 => v3::rule(self, r),
            })
            .collect()
    }

    fn uses(&mut self, node: Node<'a, 'i>, depth: usize) -> Vec<Use> {
        let nodes: Vec<_> = self.children(node, "struktur").collect();
        nodes.into_iter().filter_map(|s| self.struktur(s, depth)).collect()
    }

    fn struktur(&mut self, node: Node<'a, 'i>, depth: usize) -> Option<Use> {
        let at = self.pos(node);
        if depth > MAX_STRUKTUR_DEPTH {
            self.problems
                .push(Some(at), format!("'struktur' ist tiefer als {MAX_STRUKTUR_DEPTH} Ebenen verschachtelt"));
            return None;
        }
        let anzahl = self.required(node, "anzahl");
        let enthaelt = self.required(node, "enthaelt");
        let (min, max) = match anzahl {
            Some(a) => self.anzahl(a)?,
            None => return None,
        };
        let enthaelt = enthaelt?;
        let field = self.child(enthaelt, "datenfeld");
        let group = self.child(enthaelt, "datenfeldgruppe");
        let element = match (field, group) {
            (Some(f), None) => Element::Field(Box::new(self.field(f)?)),
            (None, Some(g)) => Element::Group(Box::new(self.group(g, depth)?)),
            (None, None) => {
                let at = self.pos(enthaelt);
                self.problems.push(
                    Some(at),
                    "'enthaelt' ist leer; erwartet wird genau ein 'datenfeld' oder eine 'datenfeldgruppe'",
                );
                return None;
            }
            (Some(_), Some(_)) => {
                let at = self.pos(enthaelt);
                self.problems.push(
                    Some(at),
                    "'enthaelt' enthält ein 'datenfeld' und eine 'datenfeldgruppe'; erwartet wird genau eines",
                );
                return None;
            }
        };
        Some(Use { min, max, pos: at, element })
    }

    fn anzahl(&mut self, node: Node<'a, 'i>) -> Option<(u32, Option<u32>)> {
        let text = xml::text(node);
        let at = self.pos(node);
        let parsed = ANZAHL.as_ref().and_then(|r| r.captures(&text)).and_then(|c| {
            let min: u32 = c.get(1)?.as_str().parse().ok()?;
            let max = match c.get(2)?.as_str() {
                "*" => None,
                n => Some(n.parse::<u32>().ok()?),
            };
            Some((min, max))
        });
        match parsed {
            Some((min, Some(max))) if min > max => {
                self.problems.push(
                    Some(at),
                    format!("die Anzahl '{text}' hat ein Minimum größer als das Maximum; erwartet wird min ≤ max"),
                );
                None
            }
            Some(p) => Some(p),
            None => {
                self.problems.push(
                    Some(at),
                    format!(
                        "die Anzahl '{text}' ist ungültig; erwartet wird 'min:max' wie '1:1', '0:1', '1:*' oder '1:5'"
                    ),
                );
                None
            }
        }
    }

    fn group(&mut self, node: Node<'a, 'i>, depth: usize) -> Option<Group> {
        let meta = self.meta(node);
        let rules = self.rules(node);
        let children = self.uses(node, depth + 1);
        let art = self.code(node, "art");
        Some(Group { meta: meta?, art, rules, children })
    }

    fn field(&mut self, node: Node<'a, 'i>) -> Option<Field> {
        let meta = self.meta(node);
        let feldart = self.coded(node, "feldart");
        let datentyp = self.coded(node, "datentyp");
        let rules = self.rules(node);
        let (feldart, feldart_pos) = feldart?;
        let (datentyp, datentyp_pos) = datentyp?;
        let mut field = Field {
            meta: meta?,
            feldart,
            feldart_pos,
            datentyp,
            datentyp_pos,
            precision: Default::default(),
            content: self.text(node, "inhalt"),
            prefill: None,
            values: Vec::new(),
            code_list: None,
            code_key: None,
            name_key: None,
            help_key: None,
            rules,
            max_size: None,
            media_types: Vec::new(),
        };
        match self.xdf {
            Xdf::V2 => v2::field(self, node, &mut field),
            Xdf::V3 => v3::field(self, node, &mut field),
        }
        Some(field)
    }

    /// A required code-valued element.
    fn coded(&mut self, node: Node<'a, 'i>, name: &'a str) -> Option<(String, Position)> {
        let el = self.required(node, name)?;
        let at = self.pos(el);
        match xml::code(el, self.ns) {
            Some(c) => Some((c, at)),
            None => {
                self.problems.push(Some(at), format!("'{name}' hat keinen Wert; erwartet wird ein Kindelement 'code'"));
                None
            }
        }
    }
}
