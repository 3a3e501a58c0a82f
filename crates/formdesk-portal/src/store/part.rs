//! Checking a part as its bytes pass: its SHA-256, its size, and that it is a JWE in compact serialisation
//! sealed for the destination's key, without ever holding the whole part.
//!
//! A part is five base64url segments joined by four dots. [`PartCheck`] hashes every byte, refuses a byte that
//! is neither base64url nor a dot, counts the dots, and keeps only the small segments (the protected header,
//! the encrypted key, the IV and the tag) plus the last characters of the ciphertext, which decide whether its
//! base64url has a valid length and canonical trailing bits. At the end it hands a skeleton of the JWE (the
//! ciphertext reduced to those last characters) to `formdesk_seal::header`, so the header, the algorithms and
//! the lengths are checked exactly as the authority's side will check them, with the same messages.
//!
//! Non-goals: decrypting (the portal has no private key) and the ciphertext's content.

use std::fmt::Write as _;

/// The most characters kept of each segment; the ciphertext keeps its last three only. A protected header of
/// the protocol is about 150 characters, an encrypted key of an 8192-bit RSA key 1366.
const KEEP: [usize; 5] = [8 * 1024, 4 * 1024, 64, 3, 64];

const NAMES: [&str; 5] = ["protected header", "encrypted key", "initialization vector", "ciphertext", "tag"];

/// A part's bytes, checked as they pass.
pub struct PartCheck {
    name: String,
    digest: ring::digest::Context,
    size: u64,
    dots: u64,
    /// The small segments, and the ciphertext's last characters.
    kept: [Vec<u8>; 5],
    /// How long the ciphertext is, in characters.
    ciphertext_len: u64,
    /// The first thing found wrong, if any.
    error: Option<String>,
}

impl std::fmt::Debug for PartCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PartCheck")
            .field("name", &self.name)
            .field("size", &self.size)
            .field("dots", &self.dots)
            .finish()
    }
}

/// A part that checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// SHA-256 of its bytes, lowercase hex.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
}

fn is_base64url(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

impl PartCheck {
    /// Starts checking the part called `name` in messages (`attachment <id>`, `metadata`, `data`).
    pub fn new(name: impl Into<String>) -> PartCheck {
        PartCheck {
            name: name.into(),
            digest: ring::digest::Context::new(&ring::digest::SHA256),
            size: 0,
            dots: 0,
            kept: Default::default(),
            ciphertext_len: 0,
            error: None,
        }
    }

    /// How many bytes passed so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Takes the next bytes of the part.
    pub fn update(&mut self, bytes: &[u8]) {
        self.digest.update(bytes);
        let start = self.size;
        self.size = self.size.saturating_add(u64::try_from(bytes.len()).unwrap_or(u64::MAX));
        let mut at = 0;
        while at < bytes.len() {
            let rest = &bytes[at..];
            let end = rest.iter().position(|b| *b == b'.').unwrap_or(rest.len());
            if self.error.is_none() {
                self.take_run(&rest[..end], start.saturating_add(u64::try_from(at).unwrap_or(u64::MAX)));
            }
            if end < rest.len() {
                self.dots = self.dots.saturating_add(1);
            }
            at = at.saturating_add(end).saturating_add(1);
        }
    }

    /// Takes a run of bytes without dots that starts at `offset` of the part.
    fn take_run(&mut self, run: &[u8], offset: u64) {
        if let Some(i) = run.iter().position(|b| !is_base64url(*b)) {
            let at = offset.saturating_add(u64::try_from(i).unwrap_or(u64::MAX));
            self.error = Some(format!(
                "{} is not a JWE: byte {:#04x} at offset {at} is neither base64url nor a dot",
                self.name, run[i]
            ));
            return;
        }
        // Past the fifth segment the part count is wrong anyway; only the dots are counted on.
        let Ok(segment) = usize::try_from(self.dots) else { return };
        let Some(kept) = self.kept.get_mut(segment) else { return };
        if segment == 3 {
            self.ciphertext_len = self.ciphertext_len.saturating_add(u64::try_from(run.len()).unwrap_or(u64::MAX));
            kept.extend_from_slice(&run[run.len().saturating_sub(KEEP[3])..]);
            let excess = kept.len().saturating_sub(KEEP[3]);
            kept.drain(..excess);
        } else if kept.len().saturating_add(run.len()) > KEEP[segment] {
            self.error = Some(format!(
                "{} is not a JWE for this portal: its {} is longer than {} characters",
                self.name, NAMES[segment], KEEP[segment]
            ));
        } else {
            kept.extend_from_slice(run);
        }
    }

    /// Takes a stored chunk that starts at byte `offset` of a part of `total` bytes. Chunks come in order;
    /// what the part already has is skipped, and a gap is an error.
    pub fn update_chunk(&mut self, offset: u64, bytes: &[u8], total: u64) -> Result<(), String> {
        let next = self.size;
        if offset > next {
            return Err(format!("{}: stored bytes {next}..{offset} are missing", self.name));
        }
        let skip = usize::try_from(next.saturating_sub(offset)).unwrap_or(usize::MAX);
        let room = usize::try_from(total.saturating_sub(next)).unwrap_or(usize::MAX);
        let new = bytes.get(skip..).unwrap_or_default();
        self.update(&new[..new.len().min(room)]);
        Ok(())
    }

    /// Ends the part: its hash and size if it is a JWE sealed for the key `kid`, or what is wrong with it,
    /// naming the part.
    pub fn finish(self, kid: &str) -> Result<Checked, String> {
        let name = self.name;
        if let Some(error) = self.error {
            return Err(error);
        }
        if self.dots != 4 {
            return Err(format!(
                "{name} is not a JWE for this portal: JWE has {} parts, expected 5",
                self.dots.saturating_add(1)
            ));
        }
        // The ciphertext's full groups of four characters always decode; what is left decides.
        let tail_len = usize::try_from(self.ciphertext_len % 4).unwrap_or(0);
        let tail = &self.kept[3][self.kept[3].len().saturating_sub(tail_len)..];
        let mut skeleton = Vec::new();
        for (i, segment) in [&self.kept[0][..], &self.kept[1], &self.kept[2], tail, &self.kept[4]].iter().enumerate() {
            if i > 0 {
                skeleton.push(b'.');
            }
            skeleton.extend_from_slice(segment);
        }
        // Only base64url characters and dots were kept.
        let skeleton = String::from_utf8(skeleton).map_err(|_| format!("{name} is not a JWE: not ASCII text"))?;
        let header =
            formdesk_seal::header(&skeleton).map_err(|e| format!("{name} is not a JWE for this portal: {e}"))?;
        match header.kid {
            Some(found) if found == kid => {}
            Some(found) => {
                return Err(format!("{name} is sealed for key {found:?}, but the destination's key is {kid:?}"));
            }
            None => return Err(format!("{name} names no key (kid); the destination's key is {kid:?}")),
        }
        let mut sha256 = String::with_capacity(64);
        for b in self.digest.finish().as_ref() {
            let _ = write!(sha256, "{b:02x}");
        }
        Ok(Checked { sha256, size: self.size })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::rand::SystemRandom;

    fn key() -> formdesk_seal::DecryptionKey {
        formdesk_seal::DecryptionKey::generate(3072).unwrap()
    }

    fn check_in_pieces(name: &str, bytes: &[u8], piece: usize, kid: &str) -> Result<Checked, String> {
        let mut check = PartCheck::new(name);
        for chunk in bytes.chunks(piece.max(1)) {
            check.update(chunk);
        }
        check.finish(kid)
    }

    fn sample() -> &'static (String, String) {
        static SAMPLE: std::sync::OnceLock<(String, String)> = std::sync::OnceLock::new();
        SAMPLE.get_or_init(|| {
            let key = key();
            let jwe = formdesk_seal::seal(&key.public(), b"Bello vom Sonnenhof", &SystemRandom::new()).unwrap();
            (jwe, key.public().key_id())
        })
    }

    proptest::proptest! {
        /// Any bytes, in any pieces, are checked without panic, and as strictly as formdesk_seal reads the
        /// whole text: the streamed check passes exactly when the whole one does.
        #[test]
        fn streamed_checks_agree_with_the_whole_text(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400),
            piece in 1usize..50,
        ) {
            let kid = &sample().1;
            let streamed = check_in_pieces("data", &bytes, piece, kid);
            let whole = std::str::from_utf8(&bytes).ok().map(formdesk_seal::header);
            if let Some(Ok(header)) = &whole && header.kid.as_deref() == Some(kid.as_str()) {
                proptest::prop_assert!(streamed.is_ok(), "{streamed:?}");
            } else {
                proptest::prop_assert!(streamed.is_err());
            }
        }

        /// A real JWE with one byte changed is checked as the whole text is, in any pieces.
        #[test]
        fn a_changed_jwe_is_judged_as_seal_judges_it(at in 0usize..10_000, to in proptest::prelude::any::<u8>(), piece in 1usize..300) {
            let (jwe, kid) = sample();
            let mut bytes = jwe.clone().into_bytes();
            let at = at % bytes.len();
            bytes[at] = to;
            let streamed = check_in_pieces("data", &bytes, piece, kid);
            let whole = std::str::from_utf8(&bytes).ok().map(formdesk_seal::header);
            let whole_ok = matches!(&whole, Some(Ok(h)) if h.kid.as_deref() == Some(kid.as_str()));
            proptest::prop_assert_eq!(streamed.is_ok(), whole_ok, "{:?}", streamed);
        }
    }

    #[test]
    fn a_jwe_checks_out_in_any_pieces_and_anything_else_is_named() {
        let key = key();
        let kid = key.public().key_id();
        let jwe = formdesk_seal::seal(&key.public(), &vec![7u8; 10_000], &SystemRandom::new()).unwrap();
        let whole = check_in_pieces("attachment a", jwe.as_bytes(), jwe.len(), &kid).unwrap();
        assert_eq!(whole, Checked { sha256: formdesk_protocol::sha256_hex(jwe.as_bytes()), size: jwe.len() as u64 });
        for piece in [1, 2, 3, 5, 64, 4097] {
            assert_eq!(check_in_pieces("attachment a", jwe.as_bytes(), piece, &kid), Ok(whole.clone()), "{piece}");
        }
        let wrong = check_in_pieces("data", jwe.as_bytes(), 100, "other").unwrap_err();
        assert!(wrong.starts_with("data is sealed for key"), "{wrong}");

        for (bad, expected) in [
            (b"just some bytes".to_vec(), "metadata is not a JWE: byte 0x20 at offset 4"),
            (b"a.b.c".to_vec(), "JWE has 3 parts, expected 5"),
            (b"a.b.c.d.e.f".to_vec(), "JWE has 6 parts, expected 5"),
            (vec![0xff, b'.'], "byte 0xff at offset 0"),
            (format!("{}.b.c.d.e", "A".repeat(9000)).into_bytes(), "protected header is longer"),
        ] {
            let err = check_in_pieces("metadata", &bad, 3, &kid).unwrap_err();
            assert!(err.contains(expected), "{err}");
            assert!(err.starts_with("metadata is not a JWE"), "{err}");
        }
        // A ciphertext of a length base64url cannot have, or with a changed last character, as seal reads it.
        let parts: Vec<&str> = jwe.split('.').collect();
        for ciphertext in [format!("{}A", parts[3]), format!("{}B", &parts[3][..parts[3].len() - 1])] {
            let changed = [parts[0], parts[1], parts[2], &ciphertext, parts[4]].join(".");
            let streamed = check_in_pieces("data", changed.as_bytes(), 7, &kid);
            let strict = formdesk_seal::header(&changed).map(|_| ());
            assert_eq!(streamed.is_ok(), strict.is_ok(), "{streamed:?} {strict:?}");
        }
    }
}
