//! What can go wrong at the desk, in the clerk's words: every error is a German sentence that says what happened
//! and what to do; what a library or the storage said is kept apart for the log ([`DeskError::detail`]).

use crate::MAX_FILE_BYTES;
use formdesk_vault::{Status, VaultError};

/// What can go wrong at the desk. The messages are for the clerk.
#[derive(Debug, thiserror::Error)]
pub enum DeskError {
    /// No form with this id is installed.
    #[error("Das Formular „{0}“ ist auf diesem Arbeitsplatz nicht installiert.")]
    UnknownForm(String),
    /// No draft with this id.
    #[error("Den Vorgang {0} gibt es nicht (mehr).")]
    UnknownDraft(u64),
    /// The draft is finalized and cannot change.
    #[error("Der Vorgang {0} ist abgeschlossen und kann nicht mehr geändert werden.")]
    Finalized(u64),
    /// An answer path that does not fit the form's answers.
    #[error("Die Angabe „{0}“ passt nicht zu diesem Formular.")]
    BadPath(String),
    /// The form does not cover this language completely, so a citizen cannot be served in it.
    #[error("Das Formular „{0}“ gibt es nicht vollständig in der Sprache „{1}“.")]
    LanguageNotOffered(String, String),
    /// The step does not exist, is hidden or was not reached yet.
    #[error("Der Schritt „{0}“ kann jetzt nicht geöffnet werden.")]
    StepNotReachable(String),
    /// Finalizing needs a complete form.
    #[error("Das Formular ist noch nicht vollständig: {0} Angabe(n) fehlen oder sind fehlerhaft.")]
    Incomplete(usize),
    /// A clerk needs a name.
    #[error("Bitte geben Sie einen Namen an.")]
    NoClerkName,
    /// A stored draft could not be read back; the second field says why, for the log.
    #[error("Vorgang {0} konnte nicht gelesen werden. Bitte wenden Sie sich an die IT-Betreuung.")]
    Unreadable(u64, String),
    /// A file reference that is not one of this draft's files.
    #[error("Die Datei gehört nicht (mehr) zu diesem Vorgang.")]
    UnknownFile,
    /// A file larger than a desk takes.
    #[error("Die Datei ist zu groß: höchstens {} MB sind möglich.", MAX_FILE_BYTES / (1024 * 1024))]
    FileTooLarge,
    /// A configuration file that cannot be used.
    #[error("{0}")]
    Config(String),
    /// A draft that has no receipt (not finalized).
    #[error("Vorgang {0} hat noch keine Eingangsbestätigung: sie entsteht beim Abschließen.")]
    NoReceipt(u64),
    /// Printing failed or there is no printing system.
    #[error("{0}")]
    Print(String),
    /// The receipt could not be made or saved.
    #[error("{0}")]
    Receipt(String),
    /// Sealing for the authority or the desk's side of delivery failed.
    #[error("{0}")]
    Delivery(String),
    /// The draft's form was withdrawn in the current form set: it cannot be finalized.
    #[error(
        "Das Formular „{0}“ wurde zurückgezogen: dieser Vorgang kann nicht mehr abgeschlossen werden. Die Angaben \
         bleiben gespeichert und können in die aktuelle Fassung übernommen werden, sobald sie bereitsteht."
    )]
    Withdrawn(String),
    /// The installed forms: a form that is not offered for new cases, a form set that cannot be read.
    #[error("{0}")]
    Forms(String),
    /// The PIN and its repetition differ.
    #[error("Die beiden PINs stimmen nicht überein.")]
    PinMismatch,
    /// The vault refused or failed; what was saved before is still there.
    #[error("{}", vault_message(.0))]
    Vault(#[from] VaultError),
}

impl DeskError {
    /// What a library or the storage said behind the clerk's sentence, for the log; `None` where the sentence
    /// says everything.
    pub fn detail(&self) -> Option<String> {
        match self {
            DeskError::Unreadable(_, detail) => Some(detail.clone()),
            DeskError::Vault(
                e @ (VaultError::Tampered { .. }
                | VaultError::Crypto(_)
                | VaultError::Corrupt(_)
                | VaultError::TooNew { .. }
                | VaultError::Io(_)
                | VaultError::Sql(_)
                | VaultError::Audit(_)),
            ) => Some(e.to_string()),
            DeskError::Vault(VaultError::Directory { source, .. }) => Some(source.to_string()),
            _ => None,
        }
    }
}

/// A sentence for the clerk; what a library said goes to the log beside it, never onto the screen.
pub(crate) fn logged(sentence: String, detail: impl std::fmt::Display) -> String {
    eprintln!("formdesk: {sentence} ({detail})");
    sentence
}

/// The clerk's words for what the vault reported. Technical details are logged where the error reaches the
/// shell ([`ipc::IpcError`]), not shown.
fn vault_message(e: &VaultError) -> String {
    match e {
        VaultError::Locked => "Formdesk ist gesperrt. Bitte mit Ihrer PIN entsperren.".into(),
        VaultError::NotInitialized => "Formdesk ist auf diesem Arbeitsplatz noch nicht eingerichtet.".into(),
        VaultError::AlreadyInitialized => "Formdesk ist auf diesem Arbeitsplatz bereits eingerichtet.".into(),
        VaultError::UnknownClerk(name) => format!("Für „{name}“ gibt es auf diesem Arbeitsplatz keinen Zugang."),
        VaultError::ClerkExists(name) => format!("Für „{name}“ gibt es auf diesem Arbeitsplatz schon einen Zugang."),
        VaultError::WrongPin { attempts } if *attempts >= formdesk_vault::FREE_ATTEMPTS => format!(
            "Die PIN ist falsch ({attempts}. Fehlversuch in Folge). Vor jedem weiteren Versuch müssen Sie \
             nun länger warten."
        ),
        VaultError::WrongPin { attempts } => format!("Die PIN ist falsch ({attempts}. Fehlversuch in Folge)."),
        VaultError::Blocked { seconds } if *seconds > 90 => format!(
            "Zu viele falsche PINs. Bitte versuchen Sie es in {} Minuten wieder oder nutzen Sie den \
             Wiederherstellungsschlüssel.",
            (seconds + 59) / 60
        ),
        VaultError::Blocked { seconds } => {
            format!("Zu viele falsche PINs. Bitte versuchen Sie es in {seconds} Sekunden wieder.")
        }
        VaultError::PinTooShort { min } => format!("Die PIN muss mindestens {min} Zeichen lang sein."),
        VaultError::WrongRecoverySecret => "Der Wiederherstellungsschlüssel ist falsch.".into(),
        VaultError::MalformedRecoverySecret(_) => "Der Wiederherstellungsschlüssel ist unvollständig oder enthält \
             falsche Zeichen: er besteht aus 8 Gruppen zu je 4 Zeichen."
            .into(),
        VaultError::UnknownSubmission(id) => format!("Den Vorgang {id} gibt es nicht (mehr)."),
        VaultError::UnknownAttachment(_) => "Die Anlage gibt es nicht (mehr).".into(),
        VaultError::WrongState { id, status: Status::Shredded, .. } => {
            format!("Die Angaben von Vorgang {id} sind gelöscht (übermittelt oder Aufbewahrungsfrist abgelaufen).")
        }
        VaultError::WrongState { id, status: Status::Final, .. } => {
            format!("Der Vorgang {id} ist abgeschlossen und kann nicht mehr geändert werden.")
        }
        VaultError::WrongState { id, .. } => format!("Der Vorgang {id} ist noch nicht abgeschlossen."),
        VaultError::Tampered { .. } | VaultError::Crypto(_) | VaultError::Corrupt(_) => {
            "Gespeicherte Daten sind beschädigt oder wurden verändert und werden nicht angezeigt. Bitte wenden \
             Sie sich an die IT-Betreuung."
                .into()
        }
        VaultError::DiskFull => "Der Datenträger ist voll: die letzte Änderung wurde nicht gespeichert. Bitte \
             schaffen Sie Platz; alles bisher Gespeicherte ist erhalten."
            .into(),
        VaultError::ReadOnly(dir) => format!(
            "Im Datenordner {} kann nicht gespeichert werden (schreibgeschützt). Alles bisher Gespeicherte ist \
             erhalten.",
            dir.display()
        ),
        VaultError::TooNew { .. } => "Die Daten dieses Arbeitsplatzes stammen von einer neueren Formdesk-Version. \
             Bitte Formdesk aktualisieren."
            .into(),
        VaultError::Directory { path, .. } => format!(
            "Der Datenordner {} kann nicht geöffnet werden. Bitte prüfen Sie, ob es ihn gibt und ob Sie darin \
             schreiben dürfen.",
            path.display()
        ),
        VaultError::Io(_) | VaultError::Sql(_) | VaultError::Audit(_) => {
            "Die Daten konnten nicht gespeichert oder gelesen werden. Bitte \
             verständigen Sie die IT-Betreuung."
                .into()
        }
    }
}
