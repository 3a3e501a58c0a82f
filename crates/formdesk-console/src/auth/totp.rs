//! Time-based one-time passwords, RFC 6238 over RFC 4226's HOTP: HMAC-SHA1, 30-second steps from the Unix
//! epoch, 6 digits, the current step and one either side (clock drift of a phone).
//!
//! SHA-1 stays because it is what every authenticator app accepts by default, and HMAC-SHA1 as a PRF is not
//! affected by SHA-1's collisions. Each accepted code returns its step; the caller stores it
//! (`totp_last_step`) and passes it back, and a step not after it is refused, so a code cannot be used
//! twice. The secret is 20 random bytes (160 bits, RFC 4226's recommendation), shown to the person once as
//! base32 in an `otpauth://` URI.

use super::{AuthError, random_bytes};
use data_encoding::BASE32_NOPAD;
use ring::hmac;
use zeroize::Zeroizing;

/// Seconds per step.
pub const STEP_SECONDS: i64 = 30;
/// Digits of a code.
pub const DIGITS: u32 = 6;
/// Steps accepted before and after the current one.
pub const WINDOW: i64 = 1;
/// Bytes of a new secret.
pub const SECRET_LEN: usize = 20;
/// The fewest bytes a stored secret may have (RFC 4226, section 4: at least 128 bits).
const MIN_SECRET_LEN: usize = 16;

/// A TOTP secret, cleared from memory when dropped. `Debug` prints no part of it.
#[derive(Clone)]
pub struct TotpSecret(Zeroizing<Vec<u8>>);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret(…)")
    }
}

impl TotpSecret {
    /// A new secret of 20 random bytes.
    pub fn generate(rng: &dyn ring::rand::SecureRandom) -> Result<Self, AuthError> {
        let bytes = Zeroizing::new(random_bytes::<SECRET_LEN>(rng)?);
        Ok(Self(Zeroizing::new(bytes.to_vec())))
    }

    /// A secret as stored (`accounts.totp_secret`); at least 16 bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, AuthError> {
        if bytes.len() < MIN_SECRET_LEN {
            return Err(AuthError::MalformedTotpSecret(format!(
                "{} bytes, at least {MIN_SECRET_LEN} needed",
                bytes.len()
            )));
        }
        Ok(Self(Zeroizing::new(bytes.to_vec())))
    }

    /// A secret written in base32 (RFC 4648), as authenticator apps show it: case, spaces and padding are
    /// ignored.
    pub fn from_base32(text: &str) -> Result<Self, AuthError> {
        let cleaned: Zeroizing<String> = Zeroizing::new(
            text.chars().filter(|c| !c.is_whitespace() && *c != '=').map(|c| c.to_ascii_uppercase()).collect(),
        );
        let bytes = Zeroizing::new(
            BASE32_NOPAD
                .decode(cleaned.as_bytes())
                .map_err(|e| AuthError::MalformedTotpSecret(format!("not base32: {e}")))?,
        );
        Self::from_bytes(&bytes)
    }

    /// The secret's bytes, for storing.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// The secret in base32 without padding, for typing it into an app by hand.
    pub fn to_base32(&self) -> Zeroizing<String> {
        Zeroizing::new(BASE32_NOPAD.encode(&self.0))
    }

    /// `otpauth://totp/Formdesk:<login>?secret=…&issuer=Formdesk`, the URI the setup page shows as a QR
    /// code; the login is percent-encoded (everything but RFC 3986's unreserved characters).
    pub fn otpauth_uri(&self, login: &str) -> Zeroizing<String> {
        Zeroizing::new(format!(
            "otpauth://totp/Formdesk:{}?secret={}&issuer=Formdesk",
            percent_encode(login),
            self.to_base32().as_str()
        ))
    }

    /// The 6-digit code for a Unix time, as an authenticator app shows it then.
    pub fn code_at(&self, unix_time: i64) -> Option<String> {
        let step = step_of(unix_time)?;
        Some(hotp(&self.0, step, DIGITS))
    }
}

/// Why a code was refused; [`TotpRefusal::message`] is the German sentence for the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TotpRefusal {
    /// Not six digits.
    Malformed,
    /// No step in the window gives this code.
    Wrong,
    /// The code belongs to a step already used.
    Reused,
}

impl TotpRefusal {
    /// The sentence shown under the code field.
    pub fn message(self) -> &'static str {
        match self {
            Self::Malformed => "Der Code besteht aus 6 Ziffern.",
            Self::Wrong => "Der Code ist falsch. Bitte geben Sie den aktuellen Code aus Ihrer App ein.",
            Self::Reused => "Dieser Code wurde schon verwendet. Bitte warten Sie auf den nächsten Code.",
        }
    }
}

impl std::fmt::Display for TotpRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

/// Checks a code typed at `now` (Unix seconds). `last_step` is the step the account used last
/// (`totp_last_step`), if any. On success the accepted step is returned; the caller stores it.
///
/// Spaces in the code are ignored (apps show `123 456`). Every step of the window is computed and
/// compared in constant time, so the time of the answer does not tell which step matched.
pub fn verify_totp(secret: &TotpSecret, code: &str, now: i64, last_step: Option<i64>) -> Result<i64, TotpRefusal> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(TotpRefusal::Malformed);
    }
    let Some(current) = step_of(now) else {
        return Err(TotpRefusal::Wrong);
    };
    let current = i64::try_from(current).map_err(|_| TotpRefusal::Wrong)?;
    let mut accepted = None;
    let mut reused = false;
    for step in current.saturating_sub(WINDOW)..=current.saturating_add(WINDOW) {
        let Ok(counter) = u64::try_from(step) else { continue };
        let expected = hotp(&secret.0, counter, DIGITS);
        let equal: bool = subtle::ConstantTimeEq::ct_eq(expected.as_bytes(), code.as_bytes()).into();
        if !equal {
            continue;
        }
        if last_step.is_some_and(|last| step <= last) {
            reused = true;
        } else if accepted.is_none() {
            accepted = Some(step);
        }
    }
    match accepted {
        Some(step) => Ok(step),
        None if reused => Err(TotpRefusal::Reused),
        None => Err(TotpRefusal::Wrong),
    }
}

/// The step of a Unix time; none before the epoch.
fn step_of(unix_time: i64) -> Option<u64> {
    u64::try_from(unix_time.div_euclid(STEP_SECONDS)).ok()
}

/// HOTP (RFC 4226, section 5.3): HMAC-SHA1 of the counter, dynamic truncation, `digits` decimal digits
/// with leading zeros. `digits` is 6 in use; the RFC's test vectors use 8.
fn hotp(secret: &[u8], counter: u64, digits: u32) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret);
    let tag = hmac::sign(&key, &counter.to_be_bytes());
    let mac = tag.as_ref();
    // SHA-1 gives 20 bytes, so the offset (at most 15) plus 4 stays inside.
    let offset = usize::from(mac[mac.len() - 1] & 0x0f);
    let binary = u32::from_be_bytes([mac[offset] & 0x7f, mac[offset + 1], mac[offset + 2], mac[offset + 3]]);
    let value = u64::from(binary) % 10u64.pow(digits);
    format!("{value:0width$}", width = digits as usize)
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238, appendix B, the SHA-1 rows: the ASCII seed "12345678901234567890", 8 digits.
    #[test]
    fn rfc_6238_sha1_vectors_with_eight_digits() {
        let seed = b"12345678901234567890";
        let rows: [(i64, &str); 6] = [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ];
        for (time, expected) in rows {
            let step = step_of(time).expect("after the epoch");
            assert_eq!(hotp(seed, step, 8), expected, "time {time}");
        }
    }

    /// RFC 4226, appendix D: HOTP values for counters 0 and 9 (6 digits).
    #[test]
    fn rfc_4226_hotp_vectors() {
        let seed = b"12345678901234567890";
        assert_eq!(hotp(seed, 0, 6), "755224");
        assert_eq!(hotp(seed, 9, 6), "520489");
    }

    #[test]
    fn percent_encoding_keeps_unreserved_characters_only() {
        assert_eq!(percent_encode("a.b-c_d~e"), "a.b-c_d~e");
        assert_eq!(percent_encode("Jörg Meier@x"), "J%C3%B6rg%20Meier%40x");
        assert_eq!(percent_encode("a:b?c&d"), "a%3Ab%3Fc%26d");
    }
}
