//! The form-update channel: how administrators publish form sets and how every desk installs them, verified.
//!
//! The channel is The Update Framework (TUF, spec 1.0) with the `tough` crate verifying on the desk:
//! - `root` (offline, with the administrators) names the keys of every role; a rotation is signed by the old and
//!   the new root key, and a desk walks the chain from the root it pinned.
//! - `targets` (offline) delegates the form files to the role `forms` ([`layout::FORMS_ROLE`]) in the portal's
//!   single repository from before tenants, or, in a tenant's repository, the names `t<ARS>.*` to the role
//!   `t<ARS>`, signed with that tenant's form editor's key (offline too); see [`layout::Scope`].
//! - `snapshot` and `timestamp` are signed online by the portal ([`Repo::refresh`]), short-lived, and say
//!   "this is the newest".
//!
//! What a channel carries is a form set: one [`SetManifest`] per channel (`pilot`, `all`), naming every
//! form definition, shared code list, the municipality's letterhead and logo by content hash. The desk keeps
//! what it installed in a [`FormStore`]: content-addressed objects, the manifests still needed (the current one
//! and every one a draft is pinned to), and the trusted root with tough's datastore (rollback protection).
//!
//! Modules: [`keys`] (Ed25519 keys through ring, files), [`layout`] (names, channels, lifetimes), [`manifest`]
//! (the set manifest), [`repo`] (the repository the portal serves: init, publish, promote, withdraw, rotate,
//! refresh), [`bundle`] (a tenant editor's signed change, made on their machine, installed by the portal),
//! [`client`] (the desk's check: verify and download what changed), [`store`] (the desk's installed
//! sets, atomic installs, pins and clean-up), [`transport`] (tough over the desk's reqwest client).

#![deny(missing_docs)]

pub mod bundle;
pub mod catalogue;
pub mod client;
mod error;
pub mod keys;
pub mod layout;
pub mod manifest;
pub mod repo;
pub mod sign;
pub mod store;
pub mod transport;

pub use client::{Checked, Source, check};
pub use error::{ChannelError, Rejection};
pub use keys::{OfflineKeys, SigningKey};
pub use layout::{Channel, Scope};
pub use manifest::{FileEntry, FormEntry, FormState, SetFiles, SetManifest};
pub use repo::Repo;
pub use store::{FormStore, Installed};

/// The lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, bytes);
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}
