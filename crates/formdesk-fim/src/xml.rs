//! Reading XML safely: size and depth limits, UTF-8 only, no DTD (so no entity is ever expanded), and small
//! helpers over roxmltree's tree with positions for messages.
//!
//! Non-goals: knowing XDatenfelder or genericode (see `v2`, `v3`, `genericode`).

use crate::error::{ImportError, Position};
use regex::Regex;
use roxmltree::{Document, Node, ParsingOptions};
use std::sync::LazyLock;

/// Larger files are refused before parsing. The largest Stammdatenschemata FIM publishes are a few hundred
/// kilobytes; a file of 10 MB is not one.
pub const MAX_BYTES: usize = 8 * 1024 * 1024;
/// Deepest element nesting accepted by the parser step (a struktur level takes three elements).
pub const MAX_ELEMENT_DEPTH: usize = 256;
/// Deepest struktur nesting accepted in a schema.
pub const MAX_STRUKTUR_DEPTH: usize = 64;
const NODES_LIMIT: u32 = 4_000_000;

static DECLARED_ENCODING: LazyLock<Option<regex::bytes::Regex>> =
    LazyLock::new(|| regex::bytes::Regex::new(r#"^<\?xml[^>]*?\sencoding\s*=\s*["']([^"']*)["']"#).ok());

/// The position of byte offset `at` in `text`, counted as roxmltree does.
pub fn position_in(text: &str, at: usize) -> Position {
    let before = text.get(..at).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Position { line: u32::try_from(line).unwrap_or(u32::MAX), column: u32::try_from(column).unwrap_or(u32::MAX) }
}

/// Checks size and encoding and gives the text without a byte-order mark.
pub fn decode<'a>(bytes: &'a [u8], file: &str) -> Result<&'a str, ImportError> {
    if bytes.len() > MAX_BYTES {
        return Err(ImportError::at(
            file,
            None,
            format!(
                "die Datei ist {} Bytes groß; erwartet wird höchstens {} MB ({MAX_BYTES} Bytes)",
                bytes.len(),
                MAX_BYTES / (1024 * 1024)
            ),
        ));
    }
    if bytes.starts_with(&[0xFE, 0xFF]) || bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0, b'<']) {
        return Err(ImportError::at(file, None, "die Datei ist UTF-16-kodiert; erwartet wird UTF-8"));
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF][..]).unwrap_or(bytes);
    // The declaration is ASCII: read it before the bytes are taken as UTF-8, so that a Latin-1 file is named
    // by its declaration rather than by its first umlaut.
    if let Some(caps) = DECLARED_ENCODING.as_ref().and_then(|r| r.captures(bytes))
        && let Some(enc) = caps.get(1)
        && !enc.as_bytes().eq_ignore_ascii_case(b"utf-8")
        && !enc.as_bytes().eq_ignore_ascii_case(b"utf8")
    {
        let name = String::from_utf8_lossy(enc.as_bytes());
        let before = std::str::from_utf8(&bytes[..enc.start()]).unwrap_or_default();
        return Err(ImportError::at(
            file,
            Some(position_in(before, before.len())),
            format!("die XML-Deklaration nennt die Kodierung '{name}'; erwartet wird UTF-8"),
        ));
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default();
            return Err(ImportError::at(
                file,
                Some(position_in(valid, valid.len())),
                "ungültige UTF-8-Zeichenfolge; erwartet wird eine UTF-8-kodierte XML-Datei",
            ));
        }
    };
    if text.trim().is_empty() {
        return Err(ImportError::at(file, None, "die Datei ist leer; erwartet wird eine XML-Datei"));
    }
    Ok(text)
}

/// Parses `text` (from [`decode`]) without DTD and checks the nesting depth.
pub fn parse<'a>(text: &'a str, file: &str) -> Result<Document<'a>, ImportError> {
    let options = ParsingOptions { allow_dtd: false, nodes_limit: NODES_LIMIT, ..ParsingOptions::default() };
    let doc = Document::parse_with_options(text, options).map_err(|e| parse_error(text, file, &e))?;
    // roxmltree accepts a DOCTYPE without an internal subset; refuse that as well.
    let root_start = doc.root_element().range().start;
    let mut prolog: Vec<u8> = text.as_bytes()[..root_start].to_vec();
    for node in doc.root().children().filter(|n| !n.is_element()) {
        let r = node.range();
        for b in prolog.iter_mut().take(r.end.min(root_start)).skip(r.start) {
            *b = b' ';
        }
    }
    if let Some(at) = String::from_utf8_lossy(&prolog).find("<!DOCTYPE") {
        return Err(dtd_refused(text, file, Some(at)));
    }
    // Depth by node id; descendants come in document order, parents first.
    let mut depth: Vec<u16> = Vec::new();
    for n in doc.root().descendants() {
        let d = n.parent().and_then(|p| depth.get(p.id().get_usize()).copied()).map_or(0, |d| d + 1);
        let i = n.id().get_usize();
        if depth.len() <= i {
            depth.resize(i + 1, 0);
        }
        depth[i] = d;
        if usize::from(d) > MAX_ELEMENT_DEPTH {
            return Err(ImportError::at(
                file,
                Some(pos(&doc, n)),
                format!("Elemente sind tiefer als {MAX_ELEMENT_DEPTH} Ebenen verschachtelt"),
            ));
        }
    }
    Ok(doc)
}

static DOCTYPE_OR_COMMENT: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"(?s)<!--.*?-->|<!DOCTYPE").ok());

/// Where the DOCTYPE declaration starts, passing over comments.
fn doctype_at(text: &str) -> Option<usize> {
    DOCTYPE_OR_COMMENT.as_ref()?.find_iter(text).find(|m| m.as_str() == "<!DOCTYPE").map(|m| m.start())
}

fn dtd_refused(text: &str, file: &str, at: Option<usize>) -> ImportError {
    ImportError::at(
        file,
        at.map(|a| position_in(text, a)),
        "die Datei enthält eine DOCTYPE-Deklaration; DTDs und Entitäten werden aus Sicherheitsgründen nicht \
         gelesen, erwartet wird eine Nachricht ohne DOCTYPE",
    )
}

fn parse_error(text: &str, file: &str, e: &roxmltree::Error) -> ImportError {
    use roxmltree::Error as E;
    let p = e.pos();
    let position = Some(Position { line: p.row, column: p.col });
    let message = match e {
        E::DtdDetected => return dtd_refused(text, file, doctype_at(text)),
        E::NodesLimitReached => "die Datei hat zu viele Knoten".to_owned(),
        E::UnknownEntityReference(name, _) => {
            format!("Verweis auf die unbekannte Entität '&{name};'; Entitäten werden nicht aufgelöst")
        }
        E::EntityReferenceLoop(_) => "Entitäten verweisen im Kreis".to_owned(),
        E::UnknownNamespace(prefix, _) => format!("das Präfix '{prefix}' ist keinem Namensraum zugeordnet"),
        E::UnexpectedCloseTag(expected, actual, _) => {
            format!("schließendes Tag '</{actual}>' gefunden, erwartet wurde '</{expected}>'")
        }
        E::NoRootNode => "kein XML: die Datei enthält kein Element".to_owned(),
        E::UnclosedRootNode => {
            return ImportError::at(
                file,
                Some(position_in(text, text.trim_end().len())),
                "kein vollständiges XML: die Datei endet, bevor alle Elemente geschlossen sind",
            );
        }
        other => format!("kein wohlgeformtes XML: {other}"),
    };
    ImportError::at(file, position, message)
}

/// Positions in one text, found without counting from the start each time (roxmltree's own
/// `text_pos_at` does, which makes reporting every element quadratic in the file's size): line starts, and
/// every few kilobytes how many characters came before, so a column is counted over a short stretch only.
#[derive(Debug)]
pub struct Lines<'t> {
    text: &'t str,
    starts: Vec<usize>,
    marks: Vec<(usize, usize)>,
}

const MARK_EVERY: usize = 4096;

impl<'t> Lines<'t> {
    pub fn new(text: &'t str) -> Lines<'t> {
        let mut starts = vec![0];
        let mut marks = vec![(0, 0)];
        let mut next = MARK_EVERY;
        for (count, (i, c)) in text.char_indices().enumerate() {
            if i >= next {
                marks.push((i, count));
                next = i + MARK_EVERY;
            }
            if c == '\n' {
                starts.push(i + 1);
            }
        }
        Lines { text, starts, marks }
    }

    fn chars_before(&self, at: usize) -> usize {
        let i = self.marks.partition_point(|m| m.0 <= at).saturating_sub(1);
        let (byte, chars) = self.marks.get(i).copied().unwrap_or((0, 0));
        chars + self.text.get(byte..at).map_or(0, |s| s.chars().count())
    }

    /// The position of byte offset `at`, counted as roxmltree counts (1-based, columns in characters).
    pub fn at(&self, at: usize) -> Position {
        let at = at.min(self.text.len());
        let line = self.starts.partition_point(|s| *s <= at).max(1);
        let start = self.starts.get(line - 1).copied().unwrap_or(0);
        let column = self.chars_before(at) - self.chars_before(start) + 1;
        Position { line: u32::try_from(line).unwrap_or(u32::MAX), column: u32::try_from(column).unwrap_or(u32::MAX) }
    }

    /// Where `node` starts.
    pub fn pos(&self, node: Node<'_, '_>) -> Position {
        self.at(node.range().start)
    }
}

/// Where `node` starts (for a single position; use [`Lines`] for many).
pub fn pos(doc: &Document<'_>, node: Node<'_, '_>) -> Position {
    let p = doc.text_pos_at(node.range().start);
    Position { line: p.row, column: p.col }
}

/// The element children of `node` named `name` in namespace `ns`.
pub fn children<'a, 'i>(node: Node<'a, 'i>, ns: &'a str, name: &'a str) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
    node.children()
        .filter(move |c| c.is_element() && c.tag_name().name() == name && c.tag_name().namespace() == Some(ns))
}

/// The first element child of `node` named `name` in namespace `ns`.
pub fn child<'a, 'i>(node: Node<'a, 'i>, ns: &'a str, name: &'a str) -> Option<Node<'a, 'i>> {
    children(node, ns, name).next()
}

/// The text directly inside an element (CDATA included), trimmed.
pub fn text(node: Node<'_, '_>) -> String {
    let mut s = String::new();
    for c in node.children().filter(Node::is_text) {
        s.push_str(c.text().unwrap_or_default());
    }
    s.trim().to_owned()
}

/// The trimmed text of a child, `None` when absent or blank.
pub fn child_text(node: Node<'_, '_>, ns: &str, name: &str) -> Option<String> {
    child(node, ns, name).map(text).filter(|t| !t.is_empty())
}

/// The value of a code-valued element: the text of its `code` child, unqualified or in `ns`.
pub fn code(node: Node<'_, '_>, ns: &str) -> Option<String> {
    node.children()
        .find(|c| {
            c.is_element()
                && c.tag_name().name() == "code"
                && c.tag_name().namespace().is_none_or(|n| n.is_empty() || n == ns)
        })
        .map(text)
        .filter(|t| !t.is_empty())
}

/// All text inside an element, its descendants' included, with whitespace runs collapsed.
pub fn all_text(node: Node<'_, '_>) -> String {
    let joined: Vec<&str> = node.descendants().filter(Node::is_text).filter_map(|n| n.text()).collect();
    joined.join(" ").split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_count_as_roxmltree_counts() {
        let long = "ä".repeat(3 * MARK_EVERY);
        let text = format!("<?xml version=\"1.0\"?>\n<a>\n  <b x=\"ü\">{long}<c/></b><d/>\r\n\t<e>ß</e>\n</a>");
        let doc = Document::parse(&text).expect("well-formed");
        let lines = Lines::new(&text);
        for node in doc.root().descendants() {
            assert_eq!(lines.pos(node), pos(&doc, node), "{node:?}");
        }
        assert_eq!(lines.at(text.len() + 5), position_in(&text, text.len()));
    }
}
