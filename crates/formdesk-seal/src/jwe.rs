//! Sealing and opening one part as a JWE (RFC 7516) in compact serialisation, with `alg` RSA-OAEP-256 and
//! `enc` A256GCM, as FIT-Connect prescribes.
//!
//! `seal` draws a fresh 256-bit content encryption key (CEK) and 96-bit IV, encrypts the part with AES-256-GCM
//! (ring), authenticating the base64url protected header as associated data, and wraps the CEK for the
//! recipient with RSA-OAEP-256 (aws-lc-rs). `open` is strict: it takes exactly this shape and nothing else.
//! Non-goals: the JSON serialisations, compression (`zip`), critical extensions (`crit`), other algorithms,
//! several recipients, and streaming (a part is sealed whole).

use aws_lc_rs::rsa::{OAEP_SHA256_MGF1SHA256, OaepPrivateDecryptingKey, OaepPublicEncryptingKey};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, Tag, UnboundKey};
use ring::rand::SecureRandom;
use serde::{Deserialize, Deserializer};
use zeroize::{Zeroize as _, Zeroizing};

use crate::{DecryptionKey, JwePart, RecipientKey, SealError};

/// The key management algorithm of every sealed part: RSAES-OAEP with SHA-256 and MGF1 with SHA-256.
pub const ALG: &str = "RSA-OAEP-256";

/// The content encryption algorithm of every sealed part: AES-256 in Galois/Counter Mode.
pub const ENC: &str = "A256GCM";

const CEK_LEN: usize = 32;
const TAG_LEN: usize = 16;

/// The protected header of a sealed part, read without decrypting it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The key management algorithm; always [`ALG`] in a header that [`header`] returns.
    pub alg: String,
    /// The content encryption algorithm; always [`ENC`] in a header that [`header`] returns.
    pub enc: String,
    /// The id of the key the part was sealed for ([`RecipientKey::key_id`]), if the header names one.
    pub kid: Option<String>,
}

/// The protected header as it is read: unknown members are ignored, but a member named twice is refused, and
/// `zip` and `crit` are noticed whatever their value.
#[derive(Deserialize)]
struct WireHeader {
    alg: String,
    enc: String,
    kid: Option<String>,
    #[serde(default, deserialize_with = "present")]
    zip: Option<serde_json::Value>,
    #[serde(default, deserialize_with = "present")]
    crit: Option<serde_json::Value>,
}

/// Deserializes a member that, once there, counts even when it is `null`.
fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<serde_json::Value>, D::Error> {
    serde_json::Value::deserialize(deserializer).map(Some)
}

/// Seals `plaintext` for `key` as a JWE in compact serialisation:
/// `header.encryptedKey.iv.ciphertext.tag`, each part base64url without padding.
///
/// The protected header is exactly `{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"<key id>"}`. The CEK and IV
/// come from `rng`; the CEK is wiped once used. RSA-OAEP draws its own padding from the system's random source.
pub fn seal(key: &RecipientKey, plaintext: &[u8], rng: &dyn SecureRandom) -> Result<String, SealError> {
    let mut cek = Zeroizing::new([0u8; CEK_LEN]);
    rng.fill(&mut cek[..]).map_err(|_| SealError::RandomSource)?;
    let mut iv = [0u8; NONCE_LEN];
    rng.fill(&mut iv).map_err(|_| SealError::RandomSource)?;

    // The key id is base64url, so it needs no escaping in JSON.
    let header = URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"{ALG}","enc":"{ENC}","kid":"{}"}}"#, key.kid()));

    let wrapping = OaepPublicEncryptingKey::new(key.encrypting_key().clone())
        .map_err(|_| SealError::Crypto { operation: "prepare an RSA-OAEP key" })?;
    let mut encrypted_key = vec![0u8; wrapping.ciphertext_size()];
    let encrypted_key = wrapping
        .encrypt(&OAEP_SHA256_MGF1SHA256, &cek[..], &mut encrypted_key, None)
        .map_err(|_| SealError::Crypto { operation: "encrypt with RSA-OAEP-256" })?;

    let sealing = gcm_key(&cek)?;
    let mut ciphertext = plaintext.to_vec();
    let tag = sealing
        .seal_in_place_separate_tag(Nonce::assume_unique_for_key(iv), Aad::from(header.as_bytes()), &mut ciphertext)
        .map_err(|_| SealError::Crypto { operation: "encrypt with AES-256-GCM" })?;

    let mut jwe = String::with_capacity(header.len() + 4 + (encrypted_key.len() + ciphertext.len() + 28) * 4 / 3 + 4);
    jwe.push_str(&header);
    for part in [&encrypted_key[..], &iv[..], &ciphertext[..], tag.as_ref()] {
        jwe.push('.');
        URL_SAFE_NO_PAD.encode_string(part, &mut jwe);
    }
    Ok(jwe)
}

/// Opens a JWE that [`seal`] (or any JOSE implementation, with the same algorithms) made for `key`.
///
/// Refuses, with an error naming what it found: anything but five parts of base64url without padding, a header
/// that is not a JSON object, an `alg` other than RSA-OAEP-256 or an `enc` other than A256GCM, any `zip` or
/// `crit`, a `kid` other than the key's ([`SealError::WrongKey`]), an IV other than 12 bytes or a tag other
/// than 16. A JWE whose key does not unwrap, whose key is not 32 bytes or whose tag does not match is
/// [`SealError::Tampered`], whichever of these it was.
pub fn open(key: &DecryptionKey, jwe: &str) -> Result<Vec<u8>, SealError> {
    let parts = parse(jwe)?;
    if let Some(kid) = &parts.header.kid {
        let expected = key.recipient().kid();
        if kid != expected {
            return Err(SealError::WrongKey { expected: expected.to_owned(), found: kid.clone() });
        }
    }

    let cek = unwrap_cek(key, &parts.encrypted_key);
    let mut plaintext = parts.ciphertext;
    let tag = Tag::from(parts.tag);
    let aad = Aad::from(parts.header_b64.as_bytes());
    let nonce = Nonce::assume_unique_for_key(parts.iv);
    match cek {
        Some(cek) => match gcm_key(&cek)?.open_in_place_separate_tag(nonce, aad, tag, &mut plaintext, 0..) {
            Ok(_) => Ok(plaintext),
            Err(_) => {
                plaintext.zeroize();
                Err(SealError::Tampered)
            }
        },
        None => {
            // RFC 7516, section 11.5: when the key does not unwrap, go on with a stand-in key and fail only
            // after the tag check, so that a failed unwrap takes as long as a failed tag check. Whatever the
            // stand-in key makes of the ciphertext is thrown away.
            let _ = gcm_key(&Zeroizing::new([0u8; CEK_LEN]))?.open_in_place_separate_tag(
                nonce,
                aad,
                tag,
                &mut plaintext,
                0..,
            );
            plaintext.zeroize();
            Err(SealError::Tampered)
        }
    }
}

/// Reads the protected header of a JWE without decrypting it, after checking the JWE as strictly as [`open`]
/// does short of the key: five parts, base64url, the algorithms, no `zip` or `crit`, the IV and tag lengths.
pub fn header(jwe: &str) -> Result<Header, SealError> {
    parse(jwe).map(|parts| parts.header)
}

/// A JWE split into its parts and decoded, its header checked.
struct Parts<'a> {
    header_b64: &'a str,
    header: Header,
    encrypted_key: Vec<u8>,
    iv: [u8; NONCE_LEN],
    ciphertext: Vec<u8>,
    tag: [u8; TAG_LEN],
}

fn parse(jwe: &str) -> Result<Parts<'_>, SealError> {
    let mut split = jwe.split('.');
    let (Some(header_b64), Some(encrypted_key), Some(iv), Some(ciphertext), Some(tag), None) =
        (split.next(), split.next(), split.next(), split.next(), split.next(), split.next())
    else {
        return Err(SealError::PartCount { found: jwe.split('.').count() });
    };

    let header = parse_header(&decode(header_b64, JwePart::Header)?)?;
    let encrypted_key = decode(encrypted_key, JwePart::EncryptedKey)?;
    let iv = decode(iv, JwePart::Iv)?;
    let ciphertext = decode(ciphertext, JwePart::Ciphertext)?;
    let tag = decode(tag, JwePart::Tag)?;
    Ok(Parts {
        header_b64,
        header,
        encrypted_key,
        iv: fixed(iv, JwePart::Iv)?,
        ciphertext,
        tag: fixed(tag, JwePart::Tag)?,
    })
}

fn decode(part: &str, which: JwePart) -> Result<Vec<u8>, SealError> {
    URL_SAFE_NO_PAD.decode(part).map_err(|_| SealError::Base64 { part: which })
}

fn fixed<const N: usize>(bytes: Vec<u8>, part: JwePart) -> Result<[u8; N], SealError> {
    let found = bytes.len();
    bytes.try_into().map_err(|_| SealError::PartLength { part, found, expected: N })
}

fn parse_header(json: &[u8]) -> Result<Header, SealError> {
    // A JSON array would deserialize into the struct member by member; a header is an object.
    if json.trim_ascii_start().first() != Some(&b'{') {
        return Err(SealError::InvalidHeader { reason: "expected a JSON object".to_owned() });
    }
    let wire: WireHeader =
        serde_json::from_slice(json).map_err(|err| SealError::InvalidHeader { reason: err.to_string() })?;
    if wire.alg != ALG {
        return Err(SealError::UnsupportedAlg { found: wire.alg });
    }
    if wire.enc != ENC {
        return Err(SealError::UnsupportedEnc { found: wire.enc });
    }
    if let Some(zip) = wire.zip {
        return Err(SealError::UnsupportedZip { found: zip.to_string() });
    }
    if let Some(crit) = wire.crit {
        return Err(SealError::CriticalExtensions { found: crit.to_string() });
    }
    Ok(Header { alg: wire.alg, enc: wire.enc, kid: wire.kid })
}

/// Unwraps the CEK; `None` for every way that can fail, which must not be told apart.
fn unwrap_cek(key: &DecryptionKey, encrypted_key: &[u8]) -> Option<Zeroizing<[u8; CEK_LEN]>> {
    let unwrapping = OaepPrivateDecryptingKey::new(key.decrypting_key().clone()).ok()?;
    let mut out = Zeroizing::new(vec![0u8; unwrapping.min_output_size()]);
    let cek = unwrapping.decrypt(&OAEP_SHA256_MGF1SHA256, encrypted_key, &mut out, None).ok()?;
    let cek: [u8; CEK_LEN] = (&*cek).try_into().ok()?;
    Some(Zeroizing::new(cek))
}

fn gcm_key(cek: &[u8; CEK_LEN]) -> Result<LessSafeKey, SealError> {
    let key = UnboundKey::new(&AES_256_GCM, cek).map_err(|_| SealError::Crypto { operation: "set up AES-256-GCM" })?;
    Ok(LessSafeKey::new(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(text: &str) -> String {
        URL_SAFE_NO_PAD.encode(text)
    }

    /// A JWE with the given header and well-formed other parts.
    fn with_header(json: &str) -> String {
        format!(
            "{}.{}.{}.{}.{}",
            b64(json),
            b64("key"),
            URL_SAFE_NO_PAD.encode([0; 12]),
            b64("x"),
            b64("tag of 16 bytes!")
        )
    }

    const GOOD: &str = r#"{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"k1"}"#;

    #[test]
    fn reads_a_good_header() {
        let header = header(&with_header(GOOD)).unwrap();
        assert_eq!(header, Header { alg: ALG.into(), enc: ENC.into(), kid: Some("k1".into()) });
        let header = super::header(&with_header(r#" {"enc":"A256GCM","cty":"json","alg":"RSA-OAEP-256"}"#)).unwrap();
        assert_eq!(header.kid, None);
    }

    #[test]
    fn counts_the_parts() {
        for (jwe, found) in [("", 1), ("a.b.c.d", 4), ("a.b.c.d.e.f", 6), ("......", 7)] {
            let err = header(jwe).unwrap_err();
            assert_eq!(err, SealError::PartCount { found });
            assert_eq!(err.to_string(), format!("JWE has {found} parts, expected 5"));
        }
    }

    #[test]
    fn names_the_part_that_is_not_base64url() {
        let good = with_header(GOOD);
        let parts: Vec<&str> = good.split('.').collect();
        let which = [JwePart::Header, JwePart::EncryptedKey, JwePart::Iv, JwePart::Ciphertext, JwePart::Tag];
        for (index, part) in which.into_iter().enumerate() {
            for bad in ["a+b/", "AA==", "A", "ä"] {
                let mut broken = parts.clone();
                broken[index] = bad;
                assert_eq!(header(&broken.join(".")).unwrap_err(), SealError::Base64 { part }, "{bad} in {part}");
            }
        }
    }

    #[test]
    fn names_the_algorithms_it_found() {
        let err = header(&with_header(r#"{"alg":"RSA1_5","enc":"A256GCM"}"#)).unwrap_err();
        assert_eq!(err.to_string(), "unsupported alg \"RSA1_5\", expected RSA-OAEP-256");
        let err = header(&with_header(r#"{"alg":"RSA-OAEP-256","enc":"A128CBC-HS256"}"#)).unwrap_err();
        assert_eq!(err.to_string(), "unsupported enc \"A128CBC-HS256\", expected A256GCM");
        let err = header(&with_header(r#"{"alg":"dir","enc":"A128GCM"}"#)).unwrap_err();
        assert_eq!(err, SealError::UnsupportedAlg { found: "dir".into() });
    }

    #[test]
    fn refuses_zip_and_crit_whatever_their_value() {
        for zip in [r#""DEF""#, "null", "1"] {
            let json = format!(r#"{{"alg":"RSA-OAEP-256","enc":"A256GCM","zip":{zip}}}"#);
            assert_eq!(header(&with_header(&json)).unwrap_err(), SealError::UnsupportedZip { found: zip.into() });
        }
        let json = r#"{"alg":"RSA-OAEP-256","enc":"A256GCM","crit":["exp"],"exp":1}"#;
        let err = header(&with_header(json)).unwrap_err();
        assert_eq!(err, SealError::CriticalExtensions { found: r#"["exp"]"#.into() });
        assert_eq!(err.to_string(), r#"JWE header marks ["exp"] as critical, and no extension is supported"#);
    }

    #[test]
    fn refuses_headers_that_are_not_objects_of_strings() {
        for json in [
            "",
            "null",
            r#"["RSA-OAEP-256","A256GCM",null,null,null]"#,
            r#"{"alg":"RSA-OAEP-256"}"#,
            r#"{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":7}"#,
            r#"{"alg":"RSA-OAEP-256","enc":"A256GCM","alg":"RSA-OAEP-256"}"#,
            r#"{"alg":"RSA-OAEP-256","enc":"A256GCM"} {}"#,
            "{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256GCM\",\"kid\":\"\u{0}\"}",
        ] {
            let err = header(&with_header(json)).unwrap_err();
            assert!(matches!(err, SealError::InvalidHeader { .. }), "{json}: {err}");
        }
        let not_utf8 =
            format!("{}.a.AAAAAAAAAAAAAAAA.a.AAAAAAAAAAAAAAAAAAAAAA", URL_SAFE_NO_PAD.encode([b'{', 0xff, b'}']));
        assert!(matches!(header(&not_utf8).unwrap_err(), SealError::InvalidHeader { .. }));
    }

    #[test]
    fn checks_iv_and_tag_lengths() {
        let good = with_header(GOOD);
        let mut parts: Vec<String> = good.split('.').map(str::to_owned).collect();
        parts[2] = URL_SAFE_NO_PAD.encode([0; 8]);
        let err = header(&parts.join(".")).unwrap_err();
        assert_eq!(err, SealError::PartLength { part: JwePart::Iv, found: 8, expected: 12 });
        assert_eq!(err.to_string(), "JWE initialization vector is 8 bytes long, expected 12");
        parts[2] = URL_SAFE_NO_PAD.encode([0; 12]);
        parts[4] = URL_SAFE_NO_PAD.encode([0; 15]);
        let err = header(&parts.join(".")).unwrap_err();
        assert_eq!(err, SealError::PartLength { part: JwePart::Tag, found: 15, expected: 16 });
    }
}
