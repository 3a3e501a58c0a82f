//! "Protokoll": the audit trail, newest first, a page at a time, with the head hash, the last checkpoint and
//! the result of "Prüfen" (the chain verified for this tenant, or the operator's log for the operator).

use crate::pages::shell::{Frame, Section};
use crate::pages::{PageError, Viewer};
use askama::Template;

/// One entry of the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Its sequence number in the chain.
    pub seq: u64,
    /// When ("06.12.2026, 17:41:07").
    pub at: String,
    /// Who: a person's display name, a desk's name or "Formdesk" for the system.
    pub actor: String,
    /// What happened, in German ("Gerät gesperrt").
    pub action: String,
    /// What it concerned (an id or name, never a citizen's data).
    pub object: String,
}

/// The last signed checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// How many entries it covers.
    pub size: u64,
    /// When it was signed.
    pub at: String,
}

/// The result of "Prüfen".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    /// Every entry up to the last checkpoint is unchanged.
    Intact {
        /// Entries checked.
        entries: u64,
    },
    /// The chain breaks at an entry: something was changed, removed or reordered.
    Broken {
        /// The first entry that does not fit.
        at_seq: u64,
    },
}

/// A kind of entry the log can be filtered by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditKind {
    /// The value in the query (`?art=geraet-gesperrt`).
    pub value: String,
    /// The German name ("Gerät gesperrt").
    pub label: String,
}

/// `GET /admin/protokoll?seite=N&art=K`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditPage {
    /// This page's entries, newest first (50 a page).
    pub entries: Vec<AuditEntry>,
    /// This page's number, from 1.
    pub page: u32,
    /// How many pages there are.
    pub pages: u32,
    /// The head hash of the chain, 64 hex digits.
    pub head_hash: String,
    /// The last checkpoint, if one was signed yet.
    pub last_checkpoint: Option<Checkpoint>,
    /// The result of "Prüfen", when it was asked for.
    pub verification: Option<Verification>,
    /// The kinds to filter by.
    pub kinds: Vec<AuditKind>,
    /// The kind filtered by (one of `kinds`' values), if any.
    pub selected_kind: Option<String>,
}

#[derive(Template, Debug)]
#[template(path = "audit.html")]
struct AuditTemplate<'a> {
    frame: Frame,
    page: &'a AuditPage,
    /// The filter's part of the paging links, `&art=…` or empty.
    kind_query: String,
}

/// Renders "Protokoll".
pub fn render_audit(viewer: &Viewer, page: &AuditPage) -> Result<String, PageError> {
    let kind_query = page.selected_kind.as_deref().map(|k| format!("&art={}", query_escape(k))).unwrap_or_default();
    Ok(AuditTemplate { frame: Frame::for_viewer("Protokoll", viewer, Some(Section::Audit)), page, kind_query }
        .render()?)
}

/// Percent-encodes a query value: everything but unreserved characters (RFC 3986, section 2.3).
fn query_escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
