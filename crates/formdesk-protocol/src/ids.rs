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

/// A municipality's regional key (Amtlicher Regionalschlüssel): exactly 12 ASCII digits, the first two the
/// Land (`01` Schleswig-Holstein to `16` Thüringen). It has no check digit, and nothing beyond the Land is
/// checked against a list: the Destatis list changes yearly, and a wrong ARS only names a tenant wrongly.
/// Written and read as a JSON string, never as a number (a leading `0` is part of it).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ars(String);

impl Ars {
    /// Reads an ARS; the error names the input and what is wrong with it.
    pub fn parse(text: &str) -> Result<Ars, ProtocolError> {
        let bad = |why: &str| ProtocolError::BadId(format!("ARS {:?} {why}", shorten(text)));
        if text.len() != 12 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("must be exactly 12 digits (Amtlicher Regionalschlüssel, e.g. 059580000000)"));
        }
        let land = text.get(..2).and_then(|l| l.parse::<u8>().ok()).unwrap_or(0);
        if !(1..=16).contains(&land) {
            return Err(bad("must begin with the Land 01 to 16"));
        }
        Ok(Ars(text.to_owned()))
    }

    /// The 12 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Ars {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for Ars {
    type Err = ProtocolError;

    fn from_str(text: &str) -> Result<Ars, ProtocolError> {
        Ars::parse(text)
    }
}

impl serde::Serialize for Ars {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Ars {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Ars, D::Error> {
        let text = String::deserialize(deserializer)?;
        Ars::parse(&text).map_err(serde::de::Error::custom)
    }
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

    #[test]
    fn regional_keys() {
        for good in ["059580000000", "010010000000", "160000000000", "057660020020"] {
            assert_eq!(Ars::parse(good).unwrap().as_str(), good);
        }
        for (bad, why) in [
            ("", "12 digits"),
            ("05958000000", "12 digits"),
            ("0595800000000", "12 digits"),
            ("05958000000a", "12 digits"),
            ("٠٥٩٥٨٠٠٠٠٠٠٠", "12 digits"),
            (" 59580000000", "12 digits"),
            ("000000000000", "Land 01 to 16"),
            ("170000000000", "Land 01 to 16"),
            ("990000000000", "Land 01 to 16"),
        ] {
            let err = Ars::parse(bad).unwrap_err().to_string();
            assert!(err.contains(&format!("{bad:?}")) && err.contains(why), "{bad}: {err}");
        }
    }

    #[test]
    fn regional_keys_are_json_strings() {
        let ars = Ars::parse("059580000000").unwrap();
        assert_eq!(serde_json::to_string(&ars).unwrap(), "\"059580000000\"");
        assert_eq!(serde_json::from_str::<Ars>("\"059580000000\"").unwrap(), ars);
        let err = serde_json::from_str::<Ars>("\"170000000000\"").unwrap_err().to_string();
        assert!(err.contains("170000000000"), "{err}");
        assert!(serde_json::from_str::<Ars>("59580000000").is_err());
        assert_eq!("059580000000".parse::<Ars>().unwrap(), ars);
        assert_eq!(ars.to_string(), "059580000000");
    }
}
