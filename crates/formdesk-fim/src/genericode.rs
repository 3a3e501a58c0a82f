//! genericode code lists (design section 5): reading the files of a folder, finding the list a schema refers
//! to (four rules), finding its code, name and help columns, and turning rows into entries.
//!
//! Non-goals: fetching lists (the importer is offline), `ColumnSetRef` (refused), complex values (skipped).

use crate::error::{ErrorKind, ImportError, Position, Problems};
use crate::message::NS_GENERICODE;
use crate::model::CodeListRef;
use crate::xml;
use roxmltree::{Document, Node};
use std::path::Path;

/// The genericode files an import may use, indexed by canonical URI, version and file name.
#[derive(Debug, Clone, Default)]
pub struct CodeListSource {
    lists: Vec<CodeList>,
}

/// A column of a list.
#[derive(Debug, Clone)]
pub(crate) struct Column {
    pub id: String,
    pub required: bool,
}

/// A key of a list: its id and the columns it is made of.
#[derive(Debug, Clone)]
pub(crate) struct Key {
    pub id: String,
    pub columns: Vec<String>,
}

/// A row: `(column id, value)` pairs.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub values: Vec<(String, String)>,
    pub pos: Position,
}

/// One genericode list as read.
#[derive(Debug, Clone)]
pub(crate) struct CodeList {
    pub file: String,
    pub short_name: Option<String>,
    pub long_name: Option<String>,
    pub version: Option<String>,
    pub canonical_uri: Option<String>,
    pub canonical_version_uri: Option<String>,
    pub columns: Vec<Column>,
    pub keys: Vec<Key>,
    pub rows: Vec<Row>,
    /// Values that were `ComplexValue`s, skipped.
    pub complex_values: Vec<Position>,
}

/// How a reference was resolved (which of the four rules), for the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rule {
    CanonicalVersionUri,
    UriAndVersion,
    FileName,
    OnlyVersion,
}

impl Rule {
    pub fn describe(self) -> &'static str {
        match self {
            Rule::CanonicalVersionUri => "über die canonicalVersionUri",
            Rule::UriAndVersion => "über canonicalIdentification und Version",
            Rule::FileName => "über den Dateinamen <C-Id>_genericode.xml",
            Rule::OnlyVersion => "als einzige Datei mit dieser canonicalIdentification",
        }
    }
}

/// The columns to use for one field.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Columns {
    pub code: String,
    /// `None`: the code doubles as name.
    pub name: Option<String>,
    pub help: Option<String>,
}

fn gc<'a, 'i>(node: Node<'a, 'i>, name: &'a str) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
    node.children().filter(move |c| {
        c.is_element()
            && c.tag_name().name() == name
            && c.tag_name().namespace().is_none_or(|n| n.is_empty() || n == NS_GENERICODE)
    })
}

fn gc1<'a, 'i>(node: Node<'a, 'i>, name: &'a str) -> Option<Node<'a, 'i>> {
    gc(node, name).next()
}

fn gc_text(node: Node<'_, '_>, name: &str) -> Option<String> {
    gc1(node, name).map(xml::text).filter(|t| !t.is_empty())
}

impl CodeListSource {
    /// No lists: every reference stays unresolved (and is reported).
    pub fn empty() -> Self {
        CodeListSource::default()
    }

    /// Every genericode list among the `.xml` files of `dir` (not its subfolders). Files that are XML but no
    /// code list (the schema itself, say) are passed over; a broken file or list is an error.
    pub fn from_dir(dir: &Path) -> Result<Self, ImportError> {
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .map_err(|e| ImportError::io(dir, "der Codelisten-Ordner kann nicht gelesen werden", &e))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_file() && p.extension().is_some_and(|e| e.eq_ignore_ascii_case("xml")))
            .collect();
        paths.sort();
        let mut source = CodeListSource::default();
        let mut problems = Vec::new();
        for path in paths {
            let bytes =
                std::fs::read(&path).map_err(|e| ImportError::io(&path, "die Datei kann nicht gelesen werden", &e))?;
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            if let Err(e) = source.add(&name, &bytes) {
                problems.extend(e.problems);
            }
        }
        if problems.is_empty() { Ok(source) } else { Err(ImportError::list(ErrorKind::Refused, problems)) }
    }

    /// Adds the lists of one file; `Ok(false)` when it holds none.
    pub fn add(&mut self, file_name: &str, bytes: &[u8]) -> Result<bool, ImportError> {
        let text = xml::decode(bytes, file_name)?;
        let doc = xml::parse(text, file_name)?;
        let found: Vec<_> = doc
            .root()
            .descendants()
            .filter(|n| {
                n.is_element() && n.tag_name().name() == "CodeList" && n.tag_name().namespace() == Some(NS_GENERICODE)
            })
            .collect();
        for node in &found {
            let list = read_list(&doc, *node, file_name)?;
            self.lists.push(list);
        }
        Ok(!found.is_empty())
    }

    /// How many lists were read.
    pub fn len(&self) -> usize {
        self.lists.len()
    }

    /// Whether no list was read.
    pub fn is_empty(&self) -> bool {
        self.lists.is_empty()
    }

    pub(crate) fn list(&self, index: usize) -> Option<&CodeList> {
        self.lists.get(index)
    }

    /// The list a reference names, by the four rules of the design, or why none is found.
    pub(crate) fn resolve(&self, r: &CodeListRef, v2: bool) -> Result<(usize, Rule), String> {
        if let Some(cvu) = &r.canonical_version
            && let Some(i) = self.lists.iter().position(|l| l.canonical_version_uri.as_ref() == Some(cvu))
        {
            return Ok((i, Rule::CanonicalVersionUri));
        }
        if let (Some(uri), Some(version)) = (&r.canonical, &r.version)
            && let Some(i) = self
                .lists
                .iter()
                .position(|l| l.canonical_uri.as_ref() == Some(uri) && l.version.as_ref() == Some(version))
        {
            return Ok((i, Rule::UriAndVersion));
        }
        if v2 && let Some(id) = &r.id {
            let file = format!("{id}_genericode.xml");
            let agrees = |l: &CodeList| {
                l.file.eq_ignore_ascii_case(&file)
                    && r.canonical.as_ref().is_none_or(|u| l.canonical_uri.as_ref() == Some(u))
                    && r.version.as_ref().is_none_or(|v| l.version.as_ref().is_none_or(|lv| lv == v))
            };
            if let Some(i) = self.lists.iter().position(agrees) {
                return Ok((i, Rule::FileName));
            }
        }
        if r.canonical.is_none() && r.canonical_version.is_none() && r.id.is_none() {
            return Err("die Referenz ist leer".into());
        }
        let same_uri: Vec<usize> = match &r.canonical {
            Some(uri) => (0..self.lists.len()).filter(|&i| self.lists[i].canonical_uri.as_ref() == Some(uri)).collect(),
            None => Vec::new(),
        };
        if !v2 && r.version.is_none() && same_uri.len() == 1 {
            return Ok((same_uri[0], Rule::OnlyVersion));
        }
        if same_uri.is_empty() {
            Err("keine Datei im Codelisten-Ordner hat diese Kennung".into())
        } else {
            let versions: Vec<String> = same_uri
                .iter()
                .map(|&i| {
                    format!(
                        "{} ({})",
                        self.lists[i].version.clone().unwrap_or_else(|| "ohne Version".into()),
                        self.lists[i].file
                    )
                })
                .collect();
            Err(format!("gefunden wurden nur andere oder mehrere Versionen: {}", versions.join(", ")))
        }
    }
}

fn read_list(doc: &Document<'_>, node: Node<'_, '_>, file: &str) -> Result<CodeList, ImportError> {
    let mut problems = Problems::new(file);
    let lines = xml::Lines::new(doc.input_text());
    let at = |n: Node<'_, '_>| Some(lines.pos(n));
    let ident = gc1(node, "Identification");
    if ident.is_none() {
        problems.push(at(node), "der Codeliste fehlt 'Identification'");
    }
    if let Some(r) = gc1(node, "ColumnSetRef") {
        problems.push(
            at(r),
            "'ColumnSetRef' (Spalten in einer anderen Datei) wird nicht unterstützt; erwartet wird ein 'ColumnSet'",
        );
    }
    let mut columns: Vec<Column> = Vec::new();
    let mut keys = Vec::new();
    if let Some(set) = gc1(node, "ColumnSet") {
        for c in gc(set, "Column") {
            let Some(id) = c.attribute("Id").map(str::to_owned) else {
                problems.push(at(c), "eine Spalte ('Column') hat kein Attribut 'Id'");
                continue;
            };
            if columns.iter().any(|k| k.id == id) {
                problems.push(at(c), format!("die Spalte '{id}' ist doppelt definiert"));
                continue;
            }
            columns.push(Column { id, required: c.attribute("Use") == Some("required") });
        }
        for k in gc(set, "Key") {
            let id = k.attribute("Id").unwrap_or_default().to_owned();
            let mut refs = Vec::new();
            for r in gc(k, "ColumnRef") {
                let target = r.attribute("Ref").unwrap_or_default();
                if !columns.iter().any(|c| c.id == target) {
                    problems.push(at(r), format!("der Schlüssel '{id}' verweist auf die unbekannte Spalte '{target}'"));
                }
                refs.push(target.to_owned());
            }
            keys.push(Key { id, columns: refs });
        }
    } else if gc1(node, "ColumnSetRef").is_none() {
        problems.push(at(node), "der Codeliste fehlt 'ColumnSet'");
    }
    let mut rows = Vec::new();
    let mut complex_values = Vec::new();
    if let Some(simple) = gc1(node, "SimpleCodeList") {
        for row in gc(simple, "Row") {
            let mut values = Vec::new();
            let mut next = 0usize;
            for v in gc(row, "Value") {
                let index = match v.attribute("ColumnRef") {
                    Some(r) => match columns.iter().position(|c| c.id == r) {
                        Some(i) => i,
                        None => {
                            problems.push(at(v), format!("ein Wert verweist auf die unbekannte Spalte '{r}'"));
                            continue;
                        }
                    },
                    None => next,
                };
                next = index + 1;
                let Some(column) = columns.get(index) else {
                    problems.push(at(v), "die Zeile hat mehr Werte als die Codeliste Spalten");
                    continue;
                };
                if gc1(v, "ComplexValue").is_some() {
                    complex_values.push(lines.pos(v));
                    continue;
                }
                let text = gc1(v, "SimpleValue").map(xml::text).unwrap_or_default();
                values.push((column.id.clone(), text));
            }
            rows.push(Row { values, pos: lines.pos(row) });
        }
    } else {
        problems.push(at(node), "der Codeliste fehlt 'SimpleCodeList'");
    }
    problems.into_result()?;
    Ok(CodeList {
        file: file.to_owned(),
        short_name: ident.and_then(|i| gc_text(i, "ShortName")),
        long_name: ident.and_then(|i| gc_text(i, "LongName")),
        version: ident.and_then(|i| gc_text(i, "Version")),
        canonical_uri: ident.and_then(|i| gc_text(i, "CanonicalUri")),
        canonical_version_uri: ident.and_then(|i| gc_text(i, "CanonicalVersionUri")),
        columns,
        keys,
        rows,
        complex_values,
    })
}

/// Why the columns of a field could not be found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ColumnError {
    /// A v3 key names neither a column nor a key (which key, its value).
    Missing(&'static str, String),
    /// No code column by any rule.
    NoCode,
}

impl CodeList {
    fn column_or_key(&self, id: &str) -> Option<String> {
        if self.columns.iter().any(|c| c.id == id) {
            return Some(id.to_owned());
        }
        self.keys.iter().find(|k| k.id == id).and_then(|k| k.columns.first().cloned())
    }

    fn key_column(&self, id: &str) -> Option<String> {
        self.keys.iter().find(|k| k.id == id).and_then(|k| k.columns.first().cloned())
    }

    /// The code, name and help columns, by the rules of section 5.
    pub fn columns(
        &self,
        code_key: Option<&str>,
        name_key: Option<&str>,
        help_key: Option<&str>,
    ) -> Result<Columns, ColumnError> {
        let code = match code_key {
            Some(k) => self.column_or_key(k).ok_or_else(|| ColumnError::Missing("codeKey", k.to_owned()))?,
            None => self
                .key_column("codeKey")
                .or_else(|| self.keys.iter().find(|k| k.columns.len() == 1).map(|k| k.columns[0].clone()))
                .or_else(|| self.columns.iter().find(|c| c.id == "code").map(|c| c.id.clone()))
                .ok_or(ColumnError::NoCode)?,
        };
        let name = match name_key {
            Some(k) => Some(self.column_or_key(k).ok_or_else(|| ColumnError::Missing("nameKey", k.to_owned()))?),
            None => self
                .key_column("codenameKey")
                .or_else(|| self.columns.iter().find(|c| c.required && c.id != code).map(|c| c.id.clone())),
        };
        let help = match help_key {
            Some(k) => Some(self.column_or_key(k).ok_or_else(|| ColumnError::Missing("helpKey", k.to_owned()))?),
            None => None,
        };
        Ok(Columns { code, name, help })
    }

    /// The title: `LongName`, else `ShortName`.
    pub fn title(&self) -> Option<&str> {
        self.long_name.as_deref().or(self.short_name.as_deref())
    }
}

/// One entry of a converted list.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub value: String,
    pub label: String,
    /// The other columns' values.
    pub data: Vec<(String, String)>,
}

/// A row passed over: where, and why.
pub(crate) type Skipped = (Position, String);

/// The entries of `list` by `columns`, with rows passed over (position, reason); a duplicate code refuses
/// the list (our values must be unique).
pub(crate) fn entries(list: &CodeList, columns: &Columns) -> Result<(Vec<Entry>, Vec<Skipped>), Skipped> {
    let mut out: Vec<Entry> = Vec::new();
    let mut skipped = Vec::new();
    let mut seen = std::collections::HashMap::new();
    for row in &list.rows {
        let get = |c: &str| row.values.iter().find(|(k, _)| k == c).map(|(_, v)| v.clone()).filter(|v| !v.is_empty());
        let Some(code) = get(&columns.code) else {
            skipped.push((row.pos, format!("Zeile ohne Code (Spalte '{}') übergangen", columns.code)));
            continue;
        };
        if let Some(first) = seen.insert(code.clone(), row.pos) {
            return Err((
                row.pos,
                format!(
                    "der Code '{code}' kommt doppelt vor (Zeile {} und {}); Codes einer Liste müssen eindeutig sein",
                    first.line, row.pos.line
                ),
            ));
        }
        let label = columns.name.as_deref().and_then(get).unwrap_or_else(|| code.clone());
        let data = row
            .values
            .iter()
            .filter(|(k, v)| *k != columns.code && Some(k) != columns.name.as_ref() && !v.is_empty())
            .cloned()
            .collect();
        out.push(Entry { value: code, label, data });
    }
    Ok((out, skipped))
}
