//! Sealing the parts of a finalized submission for the receiving authority (the destination), as FIT-Connect
//! does: each part (data, metadata, every attachment) becomes a JWE in compact serialisation with `alg`
//! RSA-OAEP-256 and `enc` A256GCM, encrypted for the destination's RSA public key. The portal only relays the
//! ciphertext; the authority's tool opens it with its private key.
//!
//! ```
//! # fn main() -> Result<(), formdesk_seal::SealError> {
//! # let authority = formdesk_seal::DecryptionKey::from_pem(include_str!("../tests/keys/authority-3072.pem"))?;
//! # let destination_key_pem = authority.public().to_pem();
//! let destination = formdesk_seal::RecipientKey::from_pem(&destination_key_pem)?;
//! let jwe = formdesk_seal::seal(&destination, b"{\"hund\":\"Bello\"}", &ring::rand::SystemRandom::new())?;
//! assert_eq!(formdesk_seal::header(&jwe)?.kid, Some(destination.key_id()));
//! assert_eq!(formdesk_seal::open(&authority, &jwe)?, b"{\"hund\":\"Bello\"}");
//! # Ok(())
//! # }
//! ```
//!
//! AES-256-GCM, SHA-256 and the random numbers come from ring; RSA-OAEP-256, which ring lacks, from aws-lc-rs.
//! RSA keys below 3072 bits are refused (BSI TR-02102-1). Randomness is passed in, never drawn here, except for
//! the padding inside RSA-OAEP, which aws-lc-rs draws itself.
//!
//! Non-goals: signing (JWS) and the Security Event Tokens of FIT-Connect, the JWE JSON serialisations, other
//! algorithms, compression, fetching or validating a destination's key and its certificate chain, storing keys,
//! and streaming: a part is sealed and opened whole.

#![deny(missing_docs)]

mod error;
mod hash;
mod jwe;
mod key;
mod pem;

pub use error::{JwePart, SealError};
pub use hash::sha256_hex;
pub use jwe::{ALG, ENC, Header, header, open, seal};
pub use key::{DecryptionKey, MIN_KEY_BITS, RecipientKey};
