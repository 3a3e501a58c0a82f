//! The desk's lock: the setup with the first clerk, unlocking with a PIN, recovery with the administrator's
//! secret, more clerks, locking by hand and after the idle time.
//!
//! Non-goals: how PINs become keys (the vault's `kdf`), the lock screen (the UI).

use crate::ipc::{SetupResult, VaultState};
use crate::{Desk, DeskError, audit};
use formdesk_protocol::audit::Action;
use formdesk_vault::{AuditEvent, MIN_PIN_LEN};
use std::time::{Duration, Instant};

impl Desk {
    /// Where the vault stands: set up, unlocked, by whom, and who can unlock it.
    pub fn vault_state(&self) -> Result<VaultState, DeskError> {
        let inner = self.inner();
        Ok(VaultState {
            set_up: inner.vault.is_initialized()?,
            unlocked: inner.vault.is_unlocked(),
            clerk: inner.vault.clerk().map(str::to_owned),
            clerks: inner.vault.clerks()?,
            min_pin_length: MIN_PIN_LEN,
        })
    }

    /// Sets up a new desk: the first clerk with `pin` (given twice) and the administrator's recovery secret,
    /// which is returned this once. The desk is unlocked afterwards.
    pub fn set_up(&self, clerk: &str, pin: &str, repeated: &str) -> Result<SetupResult, DeskError> {
        let clerk = new_access(clerk, pin, repeated)?;
        let secret = self.inner().vault.initialize(&clerk, pin, self.kdf)?;
        self.touch();
        Ok(SetupResult { recovery_secret: secret.display().to_string(), state: self.vault_state()? })
    }

    /// Unlocks the desk with a clerk's PIN. Wrong PINs are counted, and slowed down after a few.
    pub fn unlock(&self, clerk: &str, pin: &str) -> Result<VaultState, DeskError> {
        self.inner().vault.unlock(clerk.trim(), pin)?;
        self.touch();
        self.vault_state()
    }

    /// Unlocks with the administrator's recovery secret and gives `clerk` a new PIN (adding the clerk if
    /// needed): a forgotten PIN loses nothing.
    pub fn recover(&self, secret: &str, clerk: &str, pin: &str, repeated: &str) -> Result<VaultState, DeskError> {
        let clerk = new_access(clerk, pin, repeated)?;
        self.inner().vault.recover(secret, &clerk, pin, self.kdf)?;
        self.touch();
        self.vault_state()
    }

    /// Gives another clerk access with their own PIN. Needs an unlocked desk.
    pub fn add_clerk(&self, clerk: &str, pin: &str, repeated: &str) -> Result<VaultState, DeskError> {
        let clerk = new_access(clerk, pin, repeated)?;
        self.inner().vault.add_clerk(&clerk, pin, self.kdf)?;
        self.touch();
        self.vault_state()
    }

    /// Locks the desk: the keys are zeroized and every decrypted draft is dropped. Nothing saved changes.
    pub fn lock(&self) {
        self.lock_for(AuditEvent::new(Action::Lock));
    }

    /// Locks the desk, recording `event` if it was unlocked.
    fn lock_for(&self, event: AuditEvent) {
        let mut inner = self.inner();
        if inner.vault.is_unlocked() {
            audit::record(&mut inner, Ok(event));
        }
        inner.vault.lock();
        inner.uploads.clear();
        inner.drafts.clear();
        inner.current = None;
    }

    /// Whether the desk is unlocked.
    pub fn is_unlocked(&self) -> bool {
        self.inner().vault.is_unlocked()
    }

    /// Notes that the clerk is at work (typing, clicking): the idle lock counts from now.
    pub fn touch(&self) {
        *self.activity.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Instant::now();
    }

    /// How long the clerk has done nothing.
    pub fn idle_for(&self) -> Duration {
        self.activity.lock().unwrap_or_else(std::sync::PoisonError::into_inner).elapsed()
    }

    /// Locks the desk if it is unlocked and the clerk has done nothing for `limit`; whether it locked now.
    pub fn lock_if_idle(&self, limit: Duration) -> bool {
        if self.idle_for() < limit || !self.is_unlocked() {
            return false;
        }
        self.lock_for(AuditEvent::new(Action::Lock).text("reason", "idle"));
        true
    }
}

/// The clerk's name, trimmed, for a new PIN given twice: the name must not be empty, the PINs must match.
fn new_access(name: &str, pin: &str, repeated: &str) -> Result<String, DeskError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(DeskError::NoClerkName);
    }
    if pin != repeated {
        return Err(DeskError::PinMismatch);
    }
    Ok(name.to_owned())
}
