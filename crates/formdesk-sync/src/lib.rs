//! The desk's sync engine: it takes the finalized submissions that wait in the outbox, delivers them to the
//! municipality's portal (the API of `formdesk_protocol::wire`) and keeps the portal's signed acceptance, so the
//! outbox can shred the plaintext.
//!
//! - [`outbox`]: the [`Outbox`] the engine works on (the vault implements it) and its [`Entry`] and [`Parts`].
//! - [`vault`]: the vault's outbox (`formdesk_vault::Outbox`, a key-less connection to the desk's vault) as
//!   an [`Outbox`].
//! - [`memory`]: an [`Outbox`] in memory, for tests and trials.
//! - [`portal`]: the HTTP client of one portal: enrolment, destinations and the resumable delivery of one
//!   submission, every request signed with the device key.
//! - [`acceptance`]: the check of the portal's signed acceptance against what was sent.
//! - [`failure`]: why an attempt failed, in words a clerk understands, and whether repeating it can help.
//! - [`backoff`]: exponential backoff with full jitter, and the random source it draws from.
//! - [`clock`]: where the engine gets the time.
//! - [`desk`]: the desk app's side: enrolment, the engine over the vault's outbox, the key while unlocked.
//! - [`engine`]: the background task that delivers due entries, notices when the portal is unreachable and
//!   reports its state.
//!
//! Every step of a delivery is idempotent at the portal (the desk chooses the ids), so the engine never needs
//! to know whether a lost answer meant "done" or "not done": it simply repeats, and a submission arrives
//! exactly once.
//!
//! Non-goals: sealing the parts (that is `formdesk-seal`, at finalizing), storing anything (the outbox does),
//! and deciding when the desk is locked (the desk hands the key in and takes it away).
#![deny(missing_docs)]

pub mod acceptance;
pub mod app_update;
pub mod backoff;
pub mod clock;
pub mod desk;
pub mod engine;
pub mod failure;
pub mod forms;
pub mod memory;
pub mod outbox;
pub mod portal;
pub mod vault;

pub use acceptance::{Delivered, check_acceptance};
pub use backoff::{Backoff, RandomSource, SystemRandomSource};
pub use clock::{Clock, SystemClock};
pub use engine::{Courier, EngineOptions, SyncEngine, SyncStatus};
pub use failure::{DeliveryError, Refusal, Unreachable};
pub use memory::MemoryOutbox;
pub use outbox::{Entry, Outbox, Parts};
pub use portal::{Portal, PortalOptions};

/// Everything that can go wrong in this crate outside a single delivery attempt. Each message is one of our
/// German sentences for the clerk, saying what happened and what to do; what the libraries said is the
/// [`SyncError::detail`], for the log.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The portal's address cannot be used: not https (plain http is only for this machine itself), or not
    /// of the form `https://host[:port]`.
    #[error("{}", problem.sentence(url))]
    Address {
        /// The address as given.
        url: String,
        /// What is wrong with it.
        problem: AddressProblem,
    },
    /// A registration value from the enrolment (device id, portal key) is not of the protocol's shape.
    #[error("Die Antwort des Portals auf die Anmeldung ist unbrauchbar. Bitte prüfen Sie die Adresse des Portals.")]
    Registration(String),
    /// The desk's own key cannot be read (the desk is locked, or its vault failed).
    #[error(
        "Der Schlüssel dieses Arbeitsplatzes kann nicht gelesen werden. Bitte entsperren Sie Formdesk und \
         versuchen Sie es noch einmal."
    )]
    DeviceKey(String),
    /// An enrolment code as typed is not one (the wrong length, or characters no code has).
    #[error(
        "Der Anmeldecode ist nicht vollständig oder enthält Zeichen, die kein Code hat. Bitte prüfen Sie ihn \
         (er hat 16 Zeichen, Bindestriche und Leerzeichen zählen nicht)."
    )]
    Code(String),
    /// The portal did not take the enrolment, or could not be asked.
    #[error("{}", failure.sentence(url))]
    Enrolment {
        /// The portal's address as used.
        url: String,
        /// Why.
        failure: EnrolFailure,
        /// What the libraries or the portal said.
        detail: String,
    },
    /// A call to the portal failed.
    #[error(transparent)]
    Portal(#[from] DeliveryError),
    /// The outbox's storage failed.
    #[error(
        "Der Postausgang dieses Arbeitsplatzes kann nicht gelesen oder geschrieben werden. Bitte verständigen \
         Sie die IT-Betreuung."
    )]
    Outbox(String),
    /// The HTTP client could not be set up (TLS, the system's certificates).
    #[error(
        "Die Verbindung zum Portal kann auf diesem Arbeitsplatz nicht eingerichtet werden. Bitte verständigen \
         Sie die IT-Betreuung."
    )]
    Client(String),
    /// The engine was started outside a tokio runtime.
    #[error("Der Abgleich mit dem Portal kann nicht starten. Bitte starten Sie Formdesk neu.")]
    NoRuntime,
    /// A provisioning file (`formdesk --provision FILE`, "Einrichtungsdatei wählen") cannot be used.
    #[error("{}", problem.sentence())]
    Provisioning {
        /// What is wrong with it.
        problem: ProvisioningProblem,
        /// What was found, for the log.
        detail: String,
    },
}

/// Why a provisioning file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProvisioningProblem {
    /// It cannot be read, or is no provisioning file (the file's name for the sentence).
    Unreadable(String),
    /// It was written by a newer Formdesk.
    Newer,
    /// Its code's time is over (Unix seconds).
    Expired(i64),
    /// Its code was used already: the file set up another desk, or this one before.
    Used,
    /// The portal does not know its code (anymore): the desk was revoked or the file is for another portal.
    Unknown,
    /// The portal enrolled the desk for another municipality than the file names.
    OtherTenant,
}

impl ProvisioningProblem {
    fn sentence(&self) -> String {
        match self {
            ProvisioningProblem::Unreadable(name) => format!(
                "„{name}“ ist keine Einrichtungsdatei von Formdesk oder kann nicht gelesen werden. Bitte wählen Sie \
                 die Datei, die Sie von der Verwaltung des Portals erhalten haben."
            ),
            ProvisioningProblem::Newer => "Diese Einrichtungsdatei stammt von einer neueren Version von Formdesk. \
                 Bitte lassen Sie Formdesk auf diesem Gerät zuerst aktualisieren."
                .into(),
            ProvisioningProblem::Expired(at) => format!(
                "Diese Einrichtungsdatei ist seit {} abgelaufen. Bitte lassen Sie sich von der Verwaltung des \
                 Portals eine neue geben.",
                formdesk_desk::german_time(*at)
            ),
            ProvisioningProblem::Used => "Diese Einrichtungsdatei wurde schon verwendet: mit ihr ist bereits ein \
                 Arbeitsplatz verbunden. Jede Datei gilt nur einmal; bitte lassen Sie sich von der Verwaltung des \
                 Portals eine neue geben."
                .into(),
            ProvisioningProblem::Unknown => "Das Portal kennt diese Einrichtungsdatei nicht (mehr). Bitte lassen Sie \
                 sich von der Verwaltung des Portals eine neue geben."
                .into(),
            ProvisioningProblem::OtherTenant => "Das Portal hat diesen Arbeitsplatz einer anderen Verwaltung \
                 zugeordnet, als die Einrichtungsdatei nennt. Bitte wenden Sie sich an die Verwaltung des Portals."
                .into(),
        }
    }
}

impl SyncError {
    /// What the libraries, the portal or the storage said, for the log; empty where there is nothing more.
    pub fn detail(&self) -> String {
        match self {
            SyncError::Address { url, problem } => format!("address {url:?}: {problem:?}"),
            SyncError::Registration(detail)
            | SyncError::DeviceKey(detail)
            | SyncError::Code(detail)
            | SyncError::Outbox(detail)
            | SyncError::Client(detail) => detail.clone(),
            SyncError::Enrolment { url, failure, detail } => format!("enrolment at {url}: {failure:?}: {detail}"),
            SyncError::Portal(e) => e.detail().to_owned(),
            SyncError::NoRuntime => "no tokio runtime".into(),
            SyncError::Provisioning { problem, detail } => format!("provisioning: {problem:?}: {detail}"),
        }
    }
}

/// What is wrong with a portal address as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddressProblem {
    /// Not an address at all.
    NotAnAddress,
    /// It has a user name or password in it.
    Credentials,
    /// It has a path, query or fragment after the host.
    Path,
    /// It names no host.
    NoHost,
    /// Plain http to another machine.
    PlainHttp,
    /// Another protocol than https (or http to this machine).
    Scheme(String),
}

impl AddressProblem {
    fn sentence(&self, url: &str) -> String {
        match self {
            AddressProblem::NotAnAddress => format!(
                "„{url}“ ist keine gültige Adresse. Bitte geben Sie die Adresse des Portals so an: \
                 https://portal.example.de"
            ),
            AddressProblem::Credentials => {
                "Die Adresse des Portals darf keinen Benutzernamen und kein Kennwort enthalten.".into()
            }
            AddressProblem::Path => "Die Adresse des Portals besteht nur aus https://, dem Namen des Rechners und \
                 gegebenenfalls dem Port, z. B. https://portal.example.de:8443, ohne etwas dahinter."
                .into(),
            AddressProblem::NoHost => {
                format!("In der Adresse „{url}“ fehlt der Name des Rechners, z. B. https://portal.example.de")
            }
            AddressProblem::PlainHttp => "Das Portal wird nur verschlüsselt angesprochen: bitte geben Sie die \
                 Adresse mit https:// an. (Unverschlüsselt, mit http://, spricht Formdesk nur mit diesem Gerät \
                 selbst.)"
                .into(),
            AddressProblem::Scheme(scheme) => {
                format!("Die Adresse beginnt mit „{scheme}:“; das Portal wird mit https:// angesprochen.")
            }
        }
    }
}

/// Why an enrolment did not go through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnrolFailure {
    /// No connection, a name that does not resolve, or no answer in time.
    Unreachable,
    /// The portal's certificate is not trusted on this desk.
    Certificate,
    /// No secure connection could be made with what answers there.
    NotSecure,
    /// What answers is not a Formdesk portal (its answer is not the protocol's).
    NotAPortal,
    /// The portal does not know the code.
    UnknownCode,
    /// The code has expired.
    ExpiredCode,
    /// The code was used already, with another desk's key.
    UsedCode,
    /// The desk of this code was revoked.
    Revoked,
    /// The portal cannot take it now (overloaded, maintenance).
    Unavailable,
    /// Any other refusal.
    Refused,
}

impl EnrolFailure {
    fn sentence(self, url: &str) -> String {
        match self {
            EnrolFailure::Unreachable => format!(
                "Das Portal {url} antwortet nicht. Bitte prüfen Sie die Adresse und ob dieser Arbeitsplatz mit dem \
                 Netz verbunden ist, und versuchen Sie es dann noch einmal."
            ),
            EnrolFailure::Certificate => format!(
                "Das Zertifikat des Portals {url} wird auf diesem Arbeitsplatz nicht anerkannt. Bitte prüfen Sie die \
                 Adresse; stimmt sie, muss die IT-Betreuung die Zertifizierungsstelle des Portals einrichten."
            ),
            EnrolFailure::NotSecure => {
                format!("Mit {url} ist keine sichere Verbindung möglich. Bitte prüfen Sie die Adresse und den Port.")
            }
            EnrolFailure::NotAPortal => {
                format!("Unter {url} antwortet kein Formdesk-Portal. Bitte prüfen Sie die Adresse.")
            }
            EnrolFailure::UnknownCode => "Diesen Anmeldecode kennt das Portal nicht. Bitte prüfen Sie ihn, oder \
                 lassen Sie sich von der Verwaltung des Portals einen neuen geben."
                .into(),
            EnrolFailure::ExpiredCode => "Der Anmeldecode ist abgelaufen. Bitte lassen Sie sich von der Verwaltung \
                 des Portals einen neuen geben."
                .into(),
            EnrolFailure::UsedCode => "Mit diesem Anmeldecode wurde schon ein anderer Arbeitsplatz verbunden. Bitte \
                 lassen Sie sich von der Verwaltung des Portals einen neuen geben."
                .into(),
            EnrolFailure::Revoked => "Der Zugang zu diesem Anmeldecode wurde im Portal gesperrt. Bitte wenden Sie \
                 sich an die Verwaltung des Portals."
                .into(),
            EnrolFailure::Unavailable => "Das Portal kann die Anmeldung gerade nicht annehmen. Bitte versuchen Sie \
                 es in einigen Minuten noch einmal."
                .into(),
            EnrolFailure::Refused => "Das Portal hat die Anmeldung abgelehnt. Bitte wenden Sie sich an die \
                 Verwaltung des Portals."
                .into(),
        }
    }
}
