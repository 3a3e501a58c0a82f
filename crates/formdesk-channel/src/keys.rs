//! Signing keys: Ed25519 through ring, kept in small versioned key files (0600).
//!
//! The offline keys (`root`, `targets`, `forms`) live in a folder the administrators keep away from the
//! portal (a USB stick in a safe); the online key (`snapshot` and `timestamp`) lives in the portal's data
//! folder. A key file is JSON: `{"formatVersion": 1, "role": "…", "pkcs8": "<hex>"}`.
//!
//! A tenant's form editor makes the key of the role `t<ARS>` on a machine of their own (`t<ARS>.key`) and
//! hands the operator only its public key file (`t<ARS>.pub`, JSON: `{"formatVersion": 1, "role": "t<ARS>",
//! "ed25519": "<hex>"}`), with which the operator delegates the tenant's names to it.

use crate::error::ChannelError;
use ring::rand::SystemRandom;
use ring::signature::{Ed25519KeyPair, KeyPair};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use tough::schema::decoded::{Decoded, Hex};
use tough::schema::key::{Ed25519Key, Ed25519Scheme, Key};

/// The version of the key-file format.
pub const KEY_FORMAT: u32 = 1;

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct KeyFile {
    format_version: u32,
    role: String,
    pkcs8: String,
}

/// One Ed25519 signing key.
pub struct SigningKey {
    pair: Ed25519KeyPair,
    pkcs8: Vec<u8>,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey").field("key_id", &hex(&self.key_id_bytes())).finish_non_exhaustive()
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

impl SigningKey {
    /// A new random key.
    pub fn generate() -> Result<SigningKey, ChannelError> {
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new())
            .map_err(|_| ChannelError::Admin("Es konnte kein Schlüssel erzeugt werden.".into()))?;
        SigningKey::from_pkcs8(pkcs8.as_ref())
    }

    /// The key in a PKCS#8 document.
    pub fn from_pkcs8(pkcs8: &[u8]) -> Result<SigningKey, ChannelError> {
        let pair = Ed25519KeyPair::from_pkcs8_maybe_unchecked(pkcs8)
            .map_err(|e| ChannelError::Admin(format!("Der Schlüssel ist kein Ed25519-Schlüssel ({e}).")))?;
        Ok(SigningKey { pair, pkcs8: pkcs8.to_vec() })
    }

    /// Reads a key file and checks it holds the key of `role`.
    pub fn read(path: &Path, role: &str) -> Result<SigningKey, ChannelError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            ChannelError::Admin(format!("Die Schlüsseldatei {} kann nicht gelesen werden: {e}", path.display()))
        })?;
        let bad = |why: String| ChannelError::Admin(format!("Die Schlüsseldatei {} {why}", path.display()));
        let file: KeyFile = serde_json::from_str(&text).map_err(|e| bad(format!("ist keine Schlüsseldatei ({e}).")))?;
        if file.format_version != KEY_FORMAT {
            return Err(bad(format!("hat das Format {}, gelesen wird {KEY_FORMAT}.", file.format_version)));
        }
        if file.role != role {
            return Err(bad(format!("gehört zur Rolle '{}', nicht zu '{role}'.", file.role)));
        }
        let pkcs8 = unhex(&file.pkcs8).ok_or_else(|| bad("enthält keinen lesbaren Schlüssel.".into()))?;
        SigningKey::from_pkcs8(&pkcs8)
    }

    /// Writes the key file for `role`, readable only by its owner; an existing file is never overwritten.
    pub fn write(&self, path: &Path, role: &str) -> Result<(), ChannelError> {
        let file = KeyFile { format_version: KEY_FORMAT, role: role.to_owned(), pkcs8: hex(&self.pkcs8) };
        let text = serde_json::to_string_pretty(&file).map_err(|e| ChannelError::Admin(e.to_string()))?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut out = options.open(path).map_err(ChannelError::io(path))?;
        out.write_all(text.as_bytes()).map_err(ChannelError::io(path))?;
        out.sync_all().map_err(ChannelError::io(path))
    }

    /// The public key as TUF names it.
    pub fn tuf_key(&self) -> Key {
        tuf_key(self.pair.public_key().as_ref())
    }

    /// The public key's 32 bytes.
    pub fn public_bytes(&self) -> Vec<u8> {
        self.pair.public_key().as_ref().to_vec()
    }

    /// Writes the public key file for `role` (never overwriting one).
    pub fn write_public(&self, path: &Path, role: &str) -> Result<(), ChannelError> {
        let file =
            PublicKeyFile { format_version: KEY_FORMAT, role: role.to_owned(), ed25519: hex(&self.public_bytes()) };
        let text = serde_json::to_string_pretty(&file).map_err(|e| ChannelError::Admin(e.to_string()))?;
        let mut out =
            std::fs::OpenOptions::new().write(true).create_new(true).open(path).map_err(ChannelError::io(path))?;
        out.write_all(text.as_bytes()).map_err(ChannelError::io(path))?;
        out.sync_all().map_err(ChannelError::io(path))
    }

    fn key_id_bytes(&self) -> Vec<u8> {
        self.key_id().map(|id| id.to_vec()).unwrap_or_default()
    }

    /// The TUF key id (SHA-256 of the canonical public key).
    pub fn key_id(&self) -> Result<Decoded<Hex>, ChannelError> {
        self.tuf_key().key_id().map_err(|e| ChannelError::Admin(format!("key id: {e}")))
    }

    /// Signs `message`.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        self.pair.sign(message).as_ref().to_vec()
    }
}

fn tuf_key(public: &[u8]) -> Key {
    Key::Ed25519 {
        keyval: Ed25519Key { public: public.to_vec().into(), _extra: HashMap::new() },
        scheme: Ed25519Scheme::Ed25519,
        _extra: HashMap::new(),
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PublicKeyFile {
    format_version: u32,
    role: String,
    ed25519: String,
}

/// Reads a public key file (`t<ARS>.pub`) and checks it holds the public key of `role`; returns the key as
/// TUF names it.
pub fn read_public(path: &Path, role: &str) -> Result<Key, ChannelError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        ChannelError::Admin(format!(
            "Die Datei mit dem öffentlichen Schlüssel {} kann nicht gelesen werden: {e}",
            path.display()
        ))
    })?;
    let bad = |why: String| ChannelError::Admin(format!("Die Datei {} {why}", path.display()));
    let file: PublicKeyFile = serde_json::from_str(&text)
        .map_err(|e| bad(format!("ist keine Datei mit einem öffentlichen Schlüssel ({e}).")))?;
    if file.format_version != KEY_FORMAT {
        return Err(bad(format!("hat das Format {}, gelesen wird {KEY_FORMAT}.", file.format_version)));
    }
    if file.role != role {
        return Err(bad(format!("gehört zur Rolle '{}', nicht zu '{role}'.", file.role)));
    }
    match unhex(&file.ed25519) {
        Some(bytes) if bytes.len() == 32 => Ok(tuf_key(&bytes)),
        _ => Err(bad("enthält keinen Ed25519-Schlüssel (64 Hexadezimalziffern).".into())),
    }
}

/// The file name of a tenant's form editor's key: `t<ARS>.key`; its public key goes to `t<ARS>.pub`.
pub fn tenant_key_file(role: &str) -> (String, String) {
    (format!("{role}.key"), format!("{role}.pub"))
}

/// The file names of the offline keys in the administrators' key folder.
pub const ROOT_KEY: &str = "root.key";
/// See [`ROOT_KEY`].
pub const TARGETS_KEY: &str = "targets.key";
/// See [`ROOT_KEY`].
pub const FORMS_KEY: &str = "forms.key";
/// The online key's file in the portal's channel folder.
pub const ONLINE_KEY: &str = "online.key";

/// The keys the administrators keep offline.
#[derive(Debug)]
pub struct OfflineKeys {
    /// Signs the root: which keys count for which role.
    pub root: SigningKey,
    /// Signs the top-level targets: which role may sign which forms.
    pub targets: SigningKey,
    /// Signs the form sets (the delegated role `forms`).
    pub forms: SigningKey,
}

impl OfflineKeys {
    /// Three new keys.
    pub fn generate() -> Result<OfflineKeys, ChannelError> {
        Ok(OfflineKeys {
            root: SigningKey::generate()?,
            targets: SigningKey::generate()?,
            forms: SigningKey::generate()?,
        })
    }

    /// Reads the keys from the key folder.
    pub fn read(dir: &Path) -> Result<OfflineKeys, ChannelError> {
        Ok(OfflineKeys {
            root: SigningKey::read(&dir.join(ROOT_KEY), "root")?,
            targets: SigningKey::read(&dir.join(TARGETS_KEY), "targets")?,
            forms: SigningKey::read(&dir.join(FORMS_KEY), "forms")?,
        })
    }

    /// Writes the keys into the key folder, made if missing; refuses to overwrite any key file.
    pub fn write(&self, dir: &Path) -> Result<(), ChannelError> {
        create_private_dir(dir)?;
        for name in [ROOT_KEY, TARGETS_KEY, FORMS_KEY] {
            if dir.join(name).exists() {
                return Err(ChannelError::Admin(format!(
                    "{} gibt es schon; vorhandene Schlüssel werden nie überschrieben.",
                    dir.join(name).display()
                )));
            }
        }
        self.root.write(&dir.join(ROOT_KEY), "root")?;
        self.targets.write(&dir.join(TARGETS_KEY), "targets")?;
        self.forms.write(&dir.join(FORMS_KEY), "forms")
    }
}

/// Makes `dir` (and its parents) with access for its owner only.
pub fn create_private_dir(dir: &Path) -> Result<(), ChannelError> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(ChannelError::io(dir))
}

/// Where a key file of a rotation goes: `root.key` becomes `root.key.<n>` for the old key.
pub(crate) fn retired(dir: &Path, name: &str, version: u64) -> PathBuf {
    dir.join(format!("{name}.retired-{version}"))
}
