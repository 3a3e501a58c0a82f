//! The shapes of ids and codes.
//!
//! Submission and attachment ids are chosen by the desk, as in FIT-Connect: UUIDs, written in lowercase with
//! hyphens. That makes every step of a delivery repeatable: the desk sends the same id again after a lost
//! answer, and the portal recognises it. Destination ids are chosen by the administrator. Enrolment codes are
//! made by the portal and typed by a person, so they are read leniently.

use crate::ProtocolError;

/// Checks that `id` is a UUID in its canonical text form (`8-4-4-4-12` lowercase hex digits).
pub fn check_uuid(what: &str, id: &str) -> Result<(), ProtocolError> {
    let bytes = id.as_bytes();
    let shaped = bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_digit() || (b'a'..=b'f').contains(b),
        });
    if shaped {
        Ok(())
    } else {
        Err(ProtocolError::BadId(format!(
            "{what} {:?} is not a UUID in lowercase (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)",
            shorten(id)
        )))
    }
}

/// Formats 16 random bytes as a version 4 UUID.
pub fn uuid_from_random(mut bytes: [u8; 16]) -> String {
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

/// Checks a destination id: 1 to 64 characters of `a-z`, `0-9` and `-`, starting with a letter or digit.
pub fn check_destination_id(id: &str) -> Result<(), ProtocolError> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-');
    if ok {
        Ok(())
    } else {
        Err(ProtocolError::BadId(format!(
            "destination id {:?} must be 1 to 64 characters of a-z, 0-9 and -, not starting with -",
            shorten(id)
        )))
    }
}

/// Crockford's Base32 alphabet: no I, L, O or U, so a code read aloud or copied by hand stays unambiguous.
pub const CODE_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// How many symbols an enrolment code has (80 bits).
pub const CODE_SYMBOLS: usize = 16;

/// Makes an enrolment code from 10 random bytes: 16 symbols in groups of four, `K7QF-3MZX-9RTA-W2HC`.
pub fn enrolment_code_from_random(random: [u8; 10]) -> String {
    let mut bits: u128 = 0;
    for b in random {
        bits = (bits << 8) | u128::from(b);
    }
    let mut symbols = Vec::with_capacity(CODE_SYMBOLS);
    for i in (0..CODE_SYMBOLS).rev() {
        let index = usize::try_from((bits >> (i * 5)) & 0x1f).unwrap_or(0);
        symbols.push(char::from(CODE_ALPHABET[index]));
    }
    symbols.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

/// Reads an enrolment code as a person typed it: case, spaces and hyphens do not matter, `O` counts as `0`
/// and `I` or `L` as `1`. Returns the code's 16 symbols without separators.
pub fn normalize_enrolment_code(typed: &str) -> Result<String, ProtocolError> {
    let mut out = String::with_capacity(CODE_SYMBOLS);
    for c in typed.chars() {
        let c = match c.to_ascii_uppercase() {
            ' ' | '-' | '\t' => continue,
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        };
        if !c.is_ascii() || !CODE_ALPHABET.contains(&(c as u8)) {
            return Err(ProtocolError::BadId(format!("the enrolment code contains {c:?}, which no code has")));
        }
        out.push(c);
    }
    if out.len() != CODE_SYMBOLS {
        return Err(ProtocolError::BadId(format!(
            "an enrolment code has {CODE_SYMBOLS} characters (without hyphens), this one {}",
            out.len()
        )));
    }
    Ok(out)
}

/// At most 80 characters of untrusted text for an error message.
pub(crate) fn shorten(text: &str) -> String {
    if text.chars().count() <= 80 {
        text.to_owned()
    } else {
        format!("{}…", text.chars().take(80).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids() {
        let id = uuid_from_random([0xab; 16]);
        assert_eq!(id, "abababab-abab-4bab-abab-abababababab");
        assert!(check_uuid("submission id", &id).is_ok());
        for bad in [
            "",
            "ABABABAB-ABAB-4BAB-ABAB-ABABABABABAB",
            "abababab-abab-4bab-abab-ababababababa",
            "abababab_abab-4bab-abab-abababababab",
        ] {
            let err = check_uuid("submission id", bad).unwrap_err();
            assert!(err.to_string().starts_with("submission id"), "{err}");
        }
    }

    #[test]
    fn destination_ids() {
        assert!(check_destination_id("ordnungsamt-musterstadt").is_ok());
        assert!(check_destination_id("a").is_ok());
        for bad in ["", "-x", "Ordnungsamt", "amt/1", &"a".repeat(65)] {
            assert!(check_destination_id(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn enrolment_codes_read_leniently() {
        let code = enrolment_code_from_random([0x5a; 10]);
        assert_eq!(code.len(), 19);
        assert_eq!(code.matches('-').count(), 3);
        let plain = normalize_enrolment_code(&code).unwrap();
        assert_eq!(plain, code.replace('-', ""));
        assert_eq!(normalize_enrolment_code(&code.to_lowercase().replace('-', " ")).unwrap(), plain);
        assert_eq!(normalize_enrolment_code("OOOO-IIII-LLLL-0000").unwrap(), "0000111111110000");
        assert!(normalize_enrolment_code("ABCD").unwrap_err().to_string().contains("16 characters"));
        assert!(normalize_enrolment_code("ABCD-EFGH-JKMN-PQRU").unwrap_err().to_string().contains("'U'"));
    }
}
