//! The desk's audit trail: what the desk records beside what the vault records in its own transactions, and
//! checking the whole log (`formdesk --verify-audit`).
//!
//! The vault appends the entries of the actions that write it (unlock, a wrong PIN, recovery, a clerk
//! added, finalizing, discarding, shredding, enrolment, a delivery confirmed, the save that completes a
//! carry-over) in the action's transaction. Here are the entries of actions that write nothing else to the
//! vault: locking, printing and saving a receipt, a form set installed or refused. Writing one of those may fail (a full disk): the
//! failure is logged and the clerk's action goes on, since the audit trail never stops a clerk.
//!
//! Non-goals: the chain (`formdesk-protocol::audit`), its storage (`formdesk-vault::audit`), the upload.

use crate::Inner;
use formdesk_vault::audit::{BrokenKind, Verdict};
use formdesk_vault::{AuditEvent, VaultError};
use std::path::Path;

/// Appends `event` for the clerk who unlocked the desk (or the desk itself while locked); a failure is
/// logged, never returned.
pub(crate) fn record(inner: &mut Inner, event: Result<AuditEvent, VaultError>) {
    if let Err(e) = event.and_then(|event| inner.vault.record(&event)) {
        eprintln!("formdesk: an audit entry was not written ({e})");
    }
}

/// Appends `event` done by the desk itself; a failure is logged, never returned.
pub(crate) fn record_device(inner: &mut Inner, event: &AuditEvent) {
    if let Err(e) = inner.vault.record_device(event) {
        eprintln!("formdesk: an audit entry was not written ({e})");
    }
}

/// The outcome of `formdesk --verify-audit`: whether the log is intact, and the sentence to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditCheck {
    /// Whether every entry is in place (exit status 0; otherwise 1).
    pub intact: bool,
    /// What to print, in German.
    pub message: String,
}

/// Verifies the audit log of the desk whose data folder is `dir`, without a PIN and without writing
/// anything: "Protokoll in Ordnung: N Einträge, letzter Hash …", or the first bad entry and what is wrong
/// with it.
pub fn verify_audit(dir: &Path) -> AuditCheck {
    match formdesk_vault::audit::verify_dir(dir) {
        Ok(Verdict::Intact { entries, head }) => {
            let hash: String = head.hash.iter().map(|b| format!("{b:02x}")).collect();
            let message = if entries == 0 {
                "Protokoll in Ordnung: 0 Einträge.".to_owned()
            } else {
                format!("Protokoll in Ordnung: {entries} Einträge, letzter Hash {hash} (Eintrag {}).", head.seq)
            };
            AuditCheck { intact: true, message }
        }
        Ok(Verdict::Broken(broken)) => {
            let what = match &broken.kind {
                BrokenKind::Changed => "verändert (der Hash passt nicht zum Eintrag)".to_owned(),
                BrokenKind::Removed => "entfernt (ein Eintrag fehlt)".to_owned(),
                BrokenKind::Reordered => "umsortiert (Einträge stehen in falscher Reihenfolge)".to_owned(),
                BrokenKind::Rewritten => "neu geschrieben (die Kette passt nicht mehr zum Anker)".to_owned(),
                BrokenKind::AnotherLog => "fremd (der Eintrag gehört zu einem anderen Protokoll)".to_owned(),
                BrokenKind::Malformed(e) => format!("unzulässig ({e})"),
                BrokenKind::CheckpointSignature | BrokenKind::CheckpointOfAnotherLog => {
                    "der Prüfpunkt ist ungültig".to_owned()
                }
            };
            AuditCheck {
                intact: false, message: format!("Protokoll beschädigt: Eintrag {} wurde {what}.", broken.seq)
            }
        }
        Err(VaultError::NotInitialized) => AuditCheck {
            intact: false,
            message: format!("Im Datenordner {} gibt es keinen Datenbestand von Formdesk.", dir.display()),
        },
        Err(e) => AuditCheck {
            intact: false,
            message: format!("Das Protokoll in {} konnte nicht gelesen werden: {e}", dir.display()),
        },
    }
}
