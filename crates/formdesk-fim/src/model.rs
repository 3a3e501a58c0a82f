//! The schema as read from either XDatenfelder version: one shape for both, so that the mapping does not
//! care which version it came from. Everything keeps its position in the file for the report.
//!
//! Non-goals: validation beyond what reading needs (the readers refuse), translation (see `mapping`).

use crate::error::Position;

/// Which XDatenfelder version a message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Xdf {
    /// XDatenfelder 2.0.
    V2,
    /// XDatenfelder 3.0.0.
    V3,
}

impl Xdf {
    /// The version as written in the form's `fim.xdf`.
    pub fn label(self) -> &'static str {
        match self {
            Xdf::V2 => "2.0",
            Xdf::V3 => "3.0.0",
        }
    }
}

/// The message header.
#[derive(Debug, Clone, Default)]
pub struct Header {
    pub message_id: Option<String>,
    pub created: Option<String>,
    /// v3 `datenqualitaet` (`PROD`, `TEST`).
    pub quality: Option<String>,
}

/// A FIM id and version with where the element stands.
#[derive(Debug, Clone)]
pub struct Meta {
    pub id: String,
    pub version: Option<String>,
    /// Where `identifikation/version` stands.
    pub version_pos: Option<Position>,
    pub name: String,
    /// `bezeichnungEingabe` (for a schema in v3: `bezeichnung`).
    pub label: Option<String>,
    /// `hilfetextEingabe` (for a schema: `hilfetext`).
    pub help: Option<String>,
    /// v2 `status` or v3 `freigabestatus`.
    pub status: Option<String>,
    /// `schemaelementart` (`ABS`, `HAR`, `RNG`).
    pub element_kind: Option<String>,
    pub pos: Position,
}

/// A legal reference (`bezug`).
#[derive(Debug, Clone)]
pub struct Reference {
    pub text: String,
    pub link: Option<String>,
    pub pos: Position,
}

/// The Stammdatenschema.
#[derive(Debug, Clone)]
pub struct Schema {
    pub xdf: Xdf,
    pub header: Header,
    pub meta: Meta,
    pub references: Vec<Reference>,
    pub structure_mod: Option<String>,
    pub presentation_mod: Option<String>,
    /// v3 `dokumentsteckbrief` id and version.
    pub document_profile: Option<String>,
    pub rules: Vec<Rule>,
    pub children: Vec<Use>,
}

/// A `struktur`: an element at its place of use, with the cardinality of that place.
#[derive(Debug, Clone)]
pub struct Use {
    pub min: u32,
    /// `None` for `*`.
    pub max: Option<u32>,
    pub pos: Position,
    pub element: Element,
}

/// What a `struktur` contains.
#[derive(Debug, Clone)]
pub enum Element {
    Group(Box<Group>),
    Field(Box<Field>),
}

impl Element {
    pub fn meta(&self) -> &Meta {
        match self {
            Element::Group(g) => &g.meta,
            Element::Field(f) => &f.meta,
        }
    }
}

/// A Datenfeldgruppe.
#[derive(Debug, Clone)]
pub struct Group {
    pub meta: Meta,
    /// v3 `art` (`X` = Auswahlgruppe).
    pub art: Option<String>,
    pub rules: Vec<Rule>,
    pub children: Vec<Use>,
}

/// A praezisierung as written.
#[derive(Debug, Clone, Default)]
pub struct Precision {
    /// v2: the element's text.
    pub text: Option<String>,
    /// v3: the attributes.
    pub attributes: Vec<(String, String)>,
    pub pos: Option<Position>,
}

/// A value of a v3 inline list.
#[derive(Debug, Clone)]
pub struct Value {
    pub code: String,
    pub name: String,
    pub help: Option<String>,
    pub pos: Position,
}

/// A reference to a genericode list.
#[derive(Debug, Clone, Default)]
pub struct CodeListRef {
    /// v2 `identifikation/id` (`C…`).
    pub id: Option<String>,
    pub canonical: Option<String>,
    pub version: Option<String>,
    pub canonical_version: Option<String>,
    pub pos: Option<Position>,
}

/// A named element of a v3 field that refers to a genericode column.
#[derive(Debug, Clone)]
pub struct ColumnKey {
    pub id: String,
    pub pos: Position,
}

/// A Datenfeld.
#[derive(Debug, Clone)]
pub struct Field {
    pub meta: Meta,
    pub feldart: String,
    pub feldart_pos: Position,
    pub datentyp: String,
    pub datentyp_pos: Position,
    pub precision: Precision,
    pub content: Option<String>,
    pub prefill: Option<String>,
    pub values: Vec<Value>,
    pub code_list: Option<CodeListRef>,
    pub code_key: Option<ColumnKey>,
    pub name_key: Option<ColumnKey>,
    pub help_key: Option<ColumnKey>,
    pub rules: Vec<Rule>,
    pub max_size: Option<(String, Position)>,
    pub media_types: Vec<(String, Position)>,
}

/// A v3 rule parameter or target.
#[derive(Debug, Clone)]
pub struct RuleArg {
    pub element: Option<String>,
    pub name: Option<String>,
    /// `param/typ` (`anzahl`, `objekt`, `selektor`, `wert`).
    pub kind: Option<String>,
}

/// A Regel.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub version: Option<String>,
    pub name: String,
    /// v2 `definition`, v3 `freitextRegel`.
    pub prose: Option<String>,
    pub description: Option<String>,
    /// v3 `typ` (`K`, `M`, `V`, `B`).
    pub kind: Option<String>,
    pub params: Vec<RuleArg>,
    pub targets: Vec<RuleArg>,
    pub script: Option<String>,
    /// v3 `fehler`: code and message.
    pub errors: Vec<(Option<String>, String)>,
    pub pos: Position,
}
