//! The receipt's reference: short, easy to read aloud and to type, with a check character.
//!
//! `HUND-7K3F-Q9XD`: the form's prefix (2 to 5 letters), then seven random symbols and one check symbol in two
//! groups of four. The alphabet has 31 symbols, digits and capital letters without `0`, `O`, `1`, `I` and `L`;
//! 31 is prime, so the weighted check sum catches every single wrong symbol and every swap of two neighbours.
//! Non-goals: uniqueness across desks (seven symbols are about 34 random bits; the prefix and the time on the
//! receipt tell two receipts apart in practice).

use crate::ReceiptError;
use std::fmt;

/// The symbols of a reference's body, in value order.
pub const ALPHABET: &[u8; 31] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// How many random symbols a reference has (the check symbol comes on top).
pub const RANDOM_SYMBOLS: usize = 7;

/// How many different bodies there are: 31⁷.
pub(crate) const BODY_SPACE: u64 = 31u64.pow(RANDOM_SYMBOLS as u32);

/// A receipt reference such as `HUND-7K3F-Q9XD`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reference {
    prefix: String,
    /// The values of the seven random symbols.
    body: [u8; RANDOM_SYMBOLS],
}

fn symbol_value(c: char) -> Option<u8> {
    let upper = c.to_ascii_uppercase();
    ALPHABET.iter().position(|&s| char::from(s) == upper).and_then(|p| u8::try_from(p).ok())
}

fn check_value(body: &[u8; RANDOM_SYMBOLS]) -> u8 {
    // Weights 1..=7 and 8 for the check symbol itself: the full sum is 0 mod 31.
    let sum: u32 = body.iter().enumerate().map(|(i, &v)| (i as u32 + 1) * u32::from(v)).sum();
    // 8 · c ≡ −sum (mod 31); the inverse of 8 mod 31 is 4.
    let c = ((31 - sum % 31) % 31) * 4 % 31;
    c as u8
}

fn check_prefix(prefix: &str) -> Result<(), ReceiptError> {
    if (2..=5).contains(&prefix.len()) && prefix.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(())
    } else {
        Err(ReceiptError::InvalidPrefix(prefix.to_owned()))
    }
}

impl Reference {
    /// A reference with `prefix` from eight random bytes (drawn by the caller, e.g. from
    /// `ring::rand::SystemRandom`). The bytes are read as one number; its remainder by 31⁷ picks the body, which
    /// is uniform up to a bias below 10⁻⁹.
    pub fn from_random(prefix: &str, random: [u8; 8]) -> Result<Reference, ReceiptError> {
        check_prefix(prefix)?;
        Ok(Reference { prefix: prefix.to_owned(), body: body_of(u64::from_be_bytes(random) % BODY_SPACE) })
    }

    /// The reference prefix a form gets: its `receiptPrefix`, else the first four letters of its id.
    pub fn prefix_for(definition: &formdesk_engine::FormDefinition) -> String {
        match &definition.receipt_prefix {
            Some(p) => p.clone(),
            None => {
                let letters: String =
                    definition.id.chars().filter(char::is_ascii_alphabetic).take(4).collect::<String>();
                let letters = letters.to_ascii_uppercase();
                if letters.len() >= 2 { letters } else { "FORM".to_owned() }
            }
        }
    }

    /// Reads a reference as a person types it: any case, with or without dashes and spaces.
    pub fn parse(text: &str) -> Result<Reference, ReceiptError> {
        let invalid = |why: &str| ReceiptError::InvalidReference { text: text.to_owned(), why: why.to_owned() };
        let compact: String = text.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
        let prefix: String = compact.chars().take_while(char::is_ascii_alphabetic).collect();
        // The body may start with letters too; it is always the last eight symbols.
        let total = compact.chars().count();
        if total < 2 + RANDOM_SYMBOLS + 1 || !compact.is_ascii() {
            return Err(invalid("expected a prefix of 2 to 5 letters and 8 symbols, like HUND-7K3F-Q9XD"));
        }
        let split = total - (RANDOM_SYMBOLS + 1);
        if prefix.len() < split {
            return Err(invalid("the prefix may only have letters"));
        }
        let (prefix, rest) = compact.split_at(split);
        let prefix = prefix.to_ascii_uppercase();
        check_prefix(&prefix).map_err(|_| invalid("the prefix must have 2 to 5 letters"))?;
        let mut values = Vec::with_capacity(RANDOM_SYMBOLS + 1);
        for c in rest.chars() {
            match symbol_value(c) {
                Some(v) => values.push(v),
                None => return Err(invalid(&format!("'{c}' is not used in references (no 0, O, 1, I or L)"))),
            }
        }
        let mut body = [0u8; RANDOM_SYMBOLS];
        body.copy_from_slice(&values[..RANDOM_SYMBOLS]);
        if values[RANDOM_SYMBOLS] != check_value(&body) {
            return Err(invalid("the check symbol does not match; a symbol is wrong or two are swapped"));
        }
        Ok(Reference { prefix, body })
    }

    /// The prefix (`HUND`).
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The body as one number below 31⁷, how the QR payload stores it.
    pub(crate) fn body_number(&self) -> u64 {
        self.body.iter().fold(0u64, |n, &v| n * 31 + u64::from(v))
    }

    /// The reference from its parts as the QR payload stores them.
    pub(crate) fn from_parts(prefix: &str, body: u64) -> Result<Reference, ReceiptError> {
        check_prefix(prefix)?;
        if body >= BODY_SPACE {
            return Err(ReceiptError::InvalidPayload("the reference's number is out of range".into()));
        }
        Ok(Reference { prefix: prefix.to_owned(), body: body_of(body) })
    }
}

fn body_of(mut n: u64) -> [u8; RANDOM_SYMBOLS] {
    let mut body = [0u8; RANDOM_SYMBOLS];
    for slot in body.iter_mut().rev() {
        *slot = (n % 31) as u8;
        n /= 31;
    }
    body
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let symbols: Vec<char> = self
            .body
            .iter()
            .copied()
            .chain(std::iter::once(check_value(&self.body)))
            .map(|v| char::from(ALPHABET[usize::from(v)]))
            .collect();
        let first: String = symbols[..4].iter().collect();
        let second: String = symbols[4..].iter().collect();
        write!(f, "{}-{first}-{second}", self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_references_read_back_in_any_spelling() {
        for seed in 0u64..500 {
            let bytes = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).to_be_bytes();
            let r = Reference::from_random("HUND", bytes).expect("valid prefix");
            let text = r.to_string();
            assert_eq!(text.len(), "HUND-7K3F-Q9XD".len());
            assert!(!text[5..].contains(['0', 'O', '1', 'I', 'L']), "{text}");
            assert_eq!(Reference::parse(&text).as_ref(), Ok(&r));
            assert_eq!(Reference::parse(&text.to_lowercase().replace('-', " ")).as_ref(), Ok(&r));
            assert_eq!(Reference::parse(&text.replace('-', "")).as_ref(), Ok(&r));
            assert_eq!(Reference::from_parts(r.prefix(), r.body_number()).as_ref(), Ok(&r));
        }
    }

    #[test]
    fn every_single_typo_and_neighbour_swap_is_caught() {
        let r = Reference::from_random("WBS", [7, 1, 2, 3, 4, 5, 6, 7]).expect("valid");
        let text = r.to_string();
        let positions: Vec<usize> = text.char_indices().filter(|(i, c)| *i > 3 && *c != '-').map(|(i, _)| i).collect();
        for &i in &positions {
            for &s in ALPHABET.iter() {
                let mut changed = text.clone().into_bytes();
                if changed[i] == s {
                    continue;
                }
                changed[i] = s;
                let changed = String::from_utf8(changed).expect("ascii");
                assert!(Reference::parse(&changed).is_err(), "{changed} passed for {text}");
            }
        }
        let compact: Vec<char> = text.chars().filter(|c| *c != '-').collect();
        for i in 3..compact.len() - 1 {
            if compact[i] == compact[i + 1] {
                continue;
            }
            let mut swapped = compact.clone();
            swapped.swap(i, i + 1);
            let swapped: String = swapped.into_iter().collect();
            assert!(Reference::parse(&swapped).is_err(), "{swapped} passed for {text}");
        }
    }

    #[test]
    fn bad_input_is_named() {
        for (text, why) in [
            ("", "expected a prefix"),
            ("HUND-7K3F", "expected a prefix"),
            ("HUND-7K3F-Q9X", "check symbol"),
            ("HUND-7K0F-Q9XD", "'0' is not used"),
            ("H-7K3F-Q9XD", "expected a prefix"),
            ("HUNDEE-7K3F-Q9XD", "2 to 5 letters"),
            ("HÜND-7K3F-Q9XD", "expected a prefix"),
            ("HU2D-7K3F-Q9XD", "only have letters"),
        ] {
            match Reference::parse(text) {
                Err(ReceiptError::InvalidReference { why: got, .. }) => assert!(got.contains(why), "{text}: {got}"),
                other => panic!("{text}: {other:?}"),
            }
        }
        assert_eq!(Reference::from_random("hund", [0; 8]), Err(ReceiptError::InvalidPrefix("hund".into())));
    }
}
