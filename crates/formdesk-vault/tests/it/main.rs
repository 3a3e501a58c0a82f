//! Integration tests of the vault on real SQLite files in temporary directories.

// Test helpers fail loudly.
#![allow(clippy::unwrap_used)]

mod audit;
mod basics;
mod crash;
mod leak;
mod outbox;
mod private;
mod state;
mod tamper;

use formdesk_vault::{KdfParams, Vault};
use std::path::Path;

/// A PIN for tests.
pub const PIN: &str = "482913";

/// A new vault in `dir` with clerk "Anna" (cheap key derivation: these tests are not about it), unlocked.
pub fn new_vault(dir: &Path) -> Vault {
    let mut vault = Vault::open(dir).unwrap();
    vault.initialize("Anna", PIN, KdfParams::FAST_INSECURE).unwrap();
    vault
}

/// A second connection to the vault's file, for tests that change the file behind the vault's back.
pub fn raw(dir: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(dir.join(formdesk_vault::FILE_NAME)).unwrap()
}
