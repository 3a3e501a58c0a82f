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

/// `GET /admin/protokoll?seite=N`.
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
}

#[derive(Template, Debug)]
#[template(path = "audit.html")]
struct AuditTemplate<'a> {
    frame: Frame,
    page: &'a AuditPage,
}

/// Renders "Protokoll".
pub fn render_audit(viewer: &Viewer, page: &AuditPage) -> Result<String, PageError> {
    Ok(AuditTemplate { frame: Frame::for_viewer("Protokoll", viewer, Some(Section::Audit)), page }.render()?)
}
