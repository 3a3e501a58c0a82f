//! PEM armour (RFC 7468) for the keys: a `-----BEGIN label-----` line, base64, a matching `-----END label-----`.
//!
//! Text before the block (explanatory text, as RFC 7468 allows) is skipped; whitespace of any kind inside the
//! base64, including CRLF line endings, is ignored. Non-goals: encrypted PEM (`Proc-Type` headers, `ENCRYPTED
//! PRIVATE KEY`) and files holding several blocks (only the first block counts).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use zeroize::Zeroizing;

use crate::SealError;

const BEGIN: &str = "-----BEGIN ";
const DASHES: &str = "-----";

/// Reads the first PEM block of `text`; its label must be one of `accepted` (the first one names the kind in
/// errors). Returns the label and the decoded bytes, which are wiped when dropped since they may be a private key.
pub(crate) fn decode(text: &str, accepted: &[&'static str]) -> Result<(&'static str, Zeroizing<Vec<u8>>), SealError> {
    let expected = accepted.first().copied().unwrap_or("");
    let not_pem = |found: Option<&str>| SealError::NotPem { expected, found: found.map(str::to_owned) };

    let Some(start) = text.find(BEGIN) else { return Err(not_pem(None)) };
    let after_begin = &text[start + BEGIN.len()..];
    let Some(label_len) = after_begin.find(DASHES) else { return Err(not_pem(None)) };
    let found = &after_begin[..label_len];
    if found.contains(['\r', '\n']) {
        return Err(not_pem(None));
    }
    let Some(label) = accepted.iter().copied().find(|label| *label == found) else {
        return Err(not_pem(Some(found)));
    };

    let after_label = &after_begin[label_len + DASHES.len()..];
    let end_line = format!("-----END {label}-----");
    let Some(body_len) = after_label.find(&end_line) else { return Err(SealError::PemEnd { label }) };
    let body: Zeroizing<String> =
        Zeroizing::new(after_label[..body_len].chars().filter(|c| !c.is_ascii_whitespace()).collect());
    let der = STANDARD.decode(body.as_bytes()).map_err(|_| SealError::PemBase64 { label })?;
    Ok((label, Zeroizing::new(der)))
}

/// Writes `der` as a PEM block with the given label, 64 base64 characters a line, LF line endings.
pub(crate) fn encode(label: &str, der: &[u8]) -> Zeroizing<String> {
    let body = Zeroizing::new(STANDARD.encode(der));
    let mut pem = Zeroizing::new(String::with_capacity(body.len() + body.len() / 64 + 2 * label.len() + 40));
    pem.push_str(BEGIN);
    pem.push_str(label);
    pem.push_str(DASHES);
    pem.push('\n');
    // The body is ASCII, so cutting it every 64 bytes cuts between characters.
    for line in body.as_bytes().chunks(64) {
        pem.extend(line.iter().map(|&b| char::from(b)));
        pem.push('\n');
    }
    pem.push_str("-----END ");
    pem.push_str(label);
    pem.push_str(DASHES);
    pem.push('\n');
    pem
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_then_decode_gives_the_bytes_back() {
        for len in [0, 1, 47, 48, 49, 100, 1000] {
            let der: Vec<u8> = (0..len).map(|i| (i * 7 % 256) as u8).collect();
            let pem = encode("PUBLIC KEY", &der);
            assert!(pem.lines().all(|line| line.len() <= 64), "{}", &*pem);
            let (label, back) = decode(&pem, &["PUBLIC KEY"]).unwrap();
            assert_eq!(label, "PUBLIC KEY");
            assert_eq!(*back, der);
        }
    }

    #[test]
    fn accepts_crlf_leading_text_and_trailing_whitespace() {
        let pem = concat!(
            "Key of the Landratsamt\r\n",
            "-----BEGIN PUBLIC KEY-----\r\nAAEC\r\nAw==  \r\n-----END PUBLIC KEY-----\r\n\r\n  "
        );
        let (_, der) = decode(pem, &["PUBLIC KEY"]).unwrap();
        assert_eq!(*der, [0, 1, 2, 3]);
    }

    #[test]
    fn picks_the_label_that_matches() {
        let pem = "-----BEGIN RSA PUBLIC KEY-----\nAAEC\n-----END RSA PUBLIC KEY-----\n";
        let (label, _) = decode(pem, &["PUBLIC KEY", "RSA PUBLIC KEY"]).unwrap();
        assert_eq!(label, "RSA PUBLIC KEY");
    }

    #[test]
    fn names_the_label_it_found() {
        let pem = "-----BEGIN CERTIFICATE-----\nAAEC\n-----END CERTIFICATE-----\n";
        let err = decode(pem, &["PUBLIC KEY"]).unwrap_err();
        assert_eq!(err, SealError::NotPem { expected: "PUBLIC KEY", found: Some("CERTIFICATE".to_owned()) });
        assert_eq!(err.to_string(), "not a PEM block labelled PUBLIC KEY, found one labelled \"CERTIFICATE\"");
    }

    #[test]
    fn refuses_text_without_a_block() {
        for text in ["", "hello", "-----BEGIN ", "-----BEGIN PUBLIC KEY\n-----", "MIIBIjANBgkqhkiG9w0BAQEFAAOC"] {
            let err = decode(text, &["PUBLIC KEY"]).unwrap_err();
            assert_eq!(err, SealError::NotPem { expected: "PUBLIC KEY", found: None }, "{text:?}");
            assert_eq!(err.to_string(), "not a PEM block labelled PUBLIC KEY, found no PEM block");
        }
    }

    #[test]
    fn refuses_a_block_without_its_end() {
        let pem = "-----BEGIN PUBLIC KEY-----\nAAEC\n-----END PRIVATE KEY-----\n";
        assert_eq!(decode(pem, &["PUBLIC KEY"]).unwrap_err(), SealError::PemEnd { label: "PUBLIC KEY" });
    }

    #[test]
    fn refuses_bad_base64() {
        for body in ["AAE", "AA!C", "AAEC=", "ÄÖÜß"] {
            let pem = format!("-----BEGIN PUBLIC KEY-----\n{body}\n-----END PUBLIC KEY-----\n");
            assert_eq!(decode(&pem, &["PUBLIC KEY"]).unwrap_err(), SealError::PemBase64 { label: "PUBLIC KEY" });
        }
    }
}
