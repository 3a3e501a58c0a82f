//! Signing TUF metadata: canonical JSON (olpc-cjson, what tough verifies against) signed with Ed25519.

use crate::error::ChannelError;
use crate::keys::SigningKey;
use olpc_cjson::CanonicalFormatter;
use serde::Serialize;
use tough::schema::{Signature, Signed};

/// The canonical JSON of `value`, the bytes a TUF signature covers.
pub fn canonical<T: Serialize>(value: &T) -> Result<Vec<u8>, ChannelError> {
    let mut out = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, CanonicalFormatter::new());
    value.serialize(&mut serializer).map_err(|e| ChannelError::Admin(format!("canonical JSON: {e}")))?;
    Ok(out)
}

/// `role` signed by each of `keys`.
pub fn signed<T: Serialize>(role: T, keys: &[&SigningKey]) -> Result<Signed<T>, ChannelError> {
    let bytes = canonical(&role)?;
    let mut signatures = Vec::with_capacity(keys.len());
    for key in keys {
        signatures.push(Signature { keyid: key.key_id()?, sig: key.sign(&bytes).into() });
    }
    Ok(Signed { signed: role, signatures })
}

/// A signed role as the portal serves it.
pub fn to_bytes<T: Serialize>(signed: &Signed<T>) -> Result<Vec<u8>, ChannelError> {
    serde_json::to_vec(signed).map_err(|e| ChannelError::Admin(format!("metadata: {e}")))
}
