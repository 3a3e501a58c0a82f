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
pub mod backoff;
pub mod clock;
pub mod desk;
pub mod engine;
pub mod failure;
pub mod memory;
pub mod outbox;
pub mod portal;
pub mod vault;

pub use acceptance::{Delivered, check_acceptance};
pub use backoff::{Backoff, RandomSource, SystemRandomSource};
pub use clock::{Clock, SystemClock};
pub use engine::{Courier, EngineOptions, SyncEngine, SyncStatus};
pub use failure::DeliveryError;
pub use memory::MemoryOutbox;
pub use outbox::{Entry, Outbox, Parts};
pub use portal::{Portal, PortalOptions};

/// Everything that can go wrong in this crate outside a single delivery attempt. Messages are German
/// sentences for the clerk, with the technical detail after them.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The portal's address cannot be used: not https (plain http is only for this machine itself), or not
    /// of the form `https://host[:port]`.
    #[error("Die Adresse des Portals „{url}“ kann nicht verwendet werden: {reason}")]
    Address {
        /// The address as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A registration value from the enrolment (device id, portal key) is not of the protocol's shape.
    #[error("Die Anmeldung beim Portal ist unbrauchbar: {0}")]
    Registration(String),
    /// An enrolment code as typed is not one (the wrong length, or characters no code has).
    #[error("Der Anmeldecode ist nicht vollständig oder enthält Zeichen, die kein Code hat. ({0})")]
    Code(String),
    /// A call to the portal failed.
    #[error(transparent)]
    Portal(#[from] DeliveryError),
    /// The outbox's storage failed.
    #[error("Der Postausgang konnte nicht gelesen oder geschrieben werden. ({0})")]
    Outbox(String),
    /// The HTTP client could not be set up (TLS, the system's certificates).
    #[error("Die Verbindung zum Portal kann nicht eingerichtet werden. ({0})")]
    Client(String),
    /// The engine was started outside a tokio runtime.
    #[error("Der Abgleich mit dem Portal kann nicht starten. (no tokio runtime)")]
    NoRuntime,
}
