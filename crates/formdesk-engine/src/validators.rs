//! Built-in format checks for the values a citizen-service desk types into forms.
//!
//! Each check takes the raw text of one field and answers `Ok(())` or the [`Invalid`] reason; the
//! engine turns that reason into an error code ([`Invalid::code`]) and a message for the clerk.
//! The checks cover IBANs, German postcodes (PLZ), the German tax ID (Steuer-ID), e-mail
//! addresses, phone numbers and German vehicle registration plates.
//!
//! The checks are pure functions of their input: no I/O, no clock, no randomness, no global
//! state. They never panic, whatever the input (non-ASCII text, control characters, very long
//! strings), and their cost is linear in the length of the input; most stop early once the input
//! is longer than any valid value could be.
//!
//! Inputs are checked as given. Whitespace is insignificant only where the format says so: IBAN
//! and Steuer-ID ignore any whitespace (clerks copy them in blocks), a phone number may contain
//! and be surrounded by spaces. Everything else (postcode, e-mail, plate) is not trimmed here;
//! trimming a field is the caller's decision.
//!
//! Non-goals:
//! - Existence checks. A well-formed IBAN may belong to no account, a postcode may not be
//!   allocated, an e-mail domain may not exist, a plate's district code may not be in use. Those
//!   need registries or the network, and this module has neither.
//! - Full standards conformance where it does not help a clerk: e-mail addresses with quoted
//!   local parts, comments or IP-literal domains are rejected; phone numbers are not checked
//!   against numbering plans; plates of special series (diplomatic, federal, military, short-term
//!   and export plates) are rejected; national check digits inside a BBAN are not verified.
//! - Normalisation or correction of input, apart from [`normalize_iban`] and [`format_iban`].

/// Why a value failed a built-in check; the engine maps it to an error code and message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invalid {
    /// Not a plausible e-mail address.
    Email,
    /// Not a plausible German or international phone number.
    Phone,
    /// Not a valid IBAN (unknown country, wrong length or structure, or failed checksum).
    Iban,
    /// Not a German postcode (PLZ).
    Postcode,
    /// Not a valid German tax identification number (Steuerliche Identifikationsnummer).
    SteuerId,
    /// Not a German vehicle registration plate.
    VehiclePlate,
}

impl Invalid {
    /// The stable, machine-readable error code for this reason, e.g. `"invalid_iban"`.
    pub fn code(self) -> &'static str {
        match self {
            Invalid::Email => "invalid_email",
            Invalid::Phone => "invalid_phone",
            Invalid::Iban => "invalid_iban",
            Invalid::Postcode => "invalid_postcode",
            Invalid::SteuerId => "invalid_steuer_id",
            Invalid::VehiclePlate => "invalid_vehicle_plate",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// IBAN (ISO 13616)
// ---------------------------------------------------------------------------------------------

/// Longest IBAN any country may have (ISO 13616).
const IBAN_MAX_LEN: usize = 34;

/// Character class of one BBAN segment, as in the SWIFT IBAN registry's notation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cls {
    /// `n`: digits 0-9.
    N,
    /// `a`: upper-case letters A-Z.
    A,
    /// `c`: upper-case letters and digits.
    C,
}

impl Cls {
    fn accepts(self, b: u8) -> bool {
        match self {
            Cls::N => b.is_ascii_digit(),
            Cls::A => b.is_ascii_uppercase(),
            Cls::C => b.is_ascii_digit() || b.is_ascii_uppercase(),
        }
    }
}

/// One country's IBAN format: country code, total IBAN length, and the BBAN structure as
/// `(count, class)` segments, transcribed from the registry's format strings (e.g. Germany's
/// `8!n10!n` is `[(8, N), (10, N)]`).
#[derive(Debug)]
struct IbanSpec {
    country: [u8; 2],
    len: u8,
    bban: &'static [(u8, Cls)],
}

const fn spec(country: &[u8; 2], len: u8, bban: &'static [(u8, Cls)]) -> IbanSpec {
    IbanSpec { country: *country, len, bban }
}

/// The countries of the SWIFT IBAN registry (ISO 13616), sorted by country code.
///
/// Territories that use their parent's IBAN (French overseas departments use `FR`, the Channel
/// Islands and the Isle of Man use `GB`, the Åland Islands use `FI`) have no entry of their own,
/// as in the registry.
#[rustfmt::skip]
const IBAN_SPECS: &[IbanSpec] = {
    use Cls::{A, C, N};
    &[
        spec(b"AD", 24, &[(4, N), (4, N), (12, C)]),                        // Andorra
        spec(b"AE", 23, &[(3, N), (16, N)]),                                // United Arab Emirates
        spec(b"AL", 28, &[(8, N), (16, C)]),                                // Albania
        spec(b"AT", 20, &[(5, N), (11, N)]),                                // Austria
        spec(b"AZ", 28, &[(4, A), (20, C)]),                                // Azerbaijan
        spec(b"BA", 20, &[(3, N), (3, N), (8, N), (2, N)]),                 // Bosnia-Herzegovina
        spec(b"BE", 16, &[(3, N), (7, N), (2, N)]),                         // Belgium
        spec(b"BG", 22, &[(4, A), (4, N), (2, N), (8, C)]),                 // Bulgaria
        spec(b"BH", 22, &[(4, A), (14, C)]),                                // Bahrain
        spec(b"BI", 27, &[(5, N), (5, N), (11, N), (2, N)]),                // Burundi
        spec(b"BR", 29, &[(8, N), (5, N), (10, N), (1, A), (1, C)]),        // Brazil
        spec(b"BY", 28, &[(4, C), (4, N), (16, C)]),                        // Belarus
        spec(b"CH", 21, &[(5, N), (12, C)]),                                // Switzerland
        spec(b"CR", 22, &[(4, N), (14, N)]),                                // Costa Rica
        spec(b"CY", 28, &[(3, N), (5, N), (16, C)]),                        // Cyprus
        spec(b"CZ", 24, &[(4, N), (6, N), (10, N)]),                        // Czechia
        spec(b"DE", 22, &[(8, N), (10, N)]),                                // Germany
        spec(b"DJ", 27, &[(5, N), (5, N), (11, N), (2, N)]),                // Djibouti
        spec(b"DK", 18, &[(4, N), (9, N), (1, N)]),                         // Denmark
        spec(b"DO", 28, &[(4, C), (20, N)]),                                // Dominican Republic
        spec(b"EE", 20, &[(2, N), (14, N)]),                                // Estonia
        spec(b"EG", 29, &[(4, N), (4, N), (17, N)]),                        // Egypt
        spec(b"ES", 24, &[(4, N), (4, N), (1, N), (1, N), (10, N)]),        // Spain
        spec(b"FI", 18, &[(3, N), (11, N)]),                                // Finland
        spec(b"FK", 18, &[(2, A), (12, N)]),                                // Falkland Islands
        spec(b"FO", 18, &[(4, N), (9, N), (1, N)]),                         // Faroe Islands
        spec(b"FR", 27, &[(5, N), (5, N), (11, C), (2, N)]),                // France
        spec(b"GB", 22, &[(4, A), (6, N), (8, N)]),                         // United Kingdom
        spec(b"GE", 22, &[(2, A), (16, N)]),                                // Georgia
        spec(b"GI", 23, &[(4, A), (15, C)]),                                // Gibraltar
        spec(b"GL", 18, &[(4, N), (9, N), (1, N)]),                         // Greenland
        spec(b"GR", 27, &[(3, N), (4, N), (16, C)]),                        // Greece
        spec(b"GT", 28, &[(4, C), (20, C)]),                                // Guatemala
        spec(b"HN", 28, &[(4, A), (20, N)]),                                // Honduras
        spec(b"HR", 21, &[(7, N), (10, N)]),                                // Croatia
        spec(b"HU", 28, &[(3, N), (4, N), (1, N), (15, N), (1, N)]),        // Hungary
        spec(b"IE", 22, &[(4, A), (6, N), (8, N)]),                         // Ireland
        spec(b"IL", 23, &[(3, N), (3, N), (13, N)]),                        // Israel
        spec(b"IQ", 23, &[(4, A), (3, N), (12, N)]),                        // Iraq
        spec(b"IS", 26, &[(4, N), (2, N), (6, N), (10, N)]),                // Iceland
        spec(b"IT", 27, &[(1, A), (5, N), (5, N), (12, C)]),                // Italy
        spec(b"JO", 30, &[(4, A), (4, N), (18, C)]),                        // Jordan
        spec(b"KW", 30, &[(4, A), (22, C)]),                                // Kuwait
        spec(b"KZ", 20, &[(3, N), (13, C)]),                                // Kazakhstan
        spec(b"LB", 28, &[(4, N), (20, C)]),                                // Lebanon
        spec(b"LC", 32, &[(4, A), (24, C)]),                                // Saint Lucia
        spec(b"LI", 21, &[(5, N), (12, C)]),                                // Liechtenstein
        spec(b"LT", 20, &[(5, N), (11, N)]),                                // Lithuania
        spec(b"LU", 20, &[(3, N), (13, C)]),                                // Luxembourg
        spec(b"LV", 21, &[(4, A), (13, C)]),                                // Latvia
        spec(b"LY", 25, &[(3, N), (3, N), (15, N)]),                        // Libya
        spec(b"MC", 27, &[(5, N), (5, N), (11, C), (2, N)]),                // Monaco
        spec(b"MD", 24, &[(2, C), (18, C)]),                                // Moldova
        spec(b"ME", 22, &[(3, N), (13, N), (2, N)]),                        // Montenegro
        spec(b"MK", 19, &[(3, N), (10, C), (2, N)]),                        // North Macedonia
        spec(b"MN", 20, &[(4, N), (12, N)]),                                // Mongolia
        spec(b"MR", 27, &[(5, N), (5, N), (11, N), (2, N)]),                // Mauritania
        spec(b"MT", 31, &[(4, A), (5, N), (18, C)]),                        // Malta
        spec(b"MU", 30, &[(4, A), (2, N), (2, N), (12, N), (3, N), (3, A)]), // Mauritius
        spec(b"NI", 28, &[(4, A), (20, N)]),                                // Nicaragua
        spec(b"NL", 18, &[(4, A), (10, N)]),                                // Netherlands
        spec(b"NO", 15, &[(4, N), (6, N), (1, N)]),                         // Norway
        spec(b"OM", 23, &[(3, N), (16, C)]),                                // Oman
        spec(b"PK", 24, &[(4, A), (16, C)]),                                // Pakistan
        spec(b"PL", 28, &[(8, N), (16, N)]),                                // Poland
        spec(b"PS", 29, &[(4, A), (21, C)]),                                // Palestine
        spec(b"PT", 25, &[(4, N), (4, N), (11, N), (2, N)]),                // Portugal
        spec(b"QA", 29, &[(4, A), (21, C)]),                                // Qatar
        spec(b"RO", 24, &[(4, A), (16, C)]),                                // Romania
        spec(b"RS", 22, &[(3, N), (13, N), (2, N)]),                        // Serbia
        spec(b"RU", 33, &[(9, N), (5, N), (15, C)]),                        // Russia
        spec(b"SA", 24, &[(2, N), (18, C)]),                                // Saudi Arabia
        spec(b"SC", 31, &[(4, A), (2, N), (2, N), (16, N), (3, A)]),        // Seychelles
        spec(b"SD", 18, &[(2, N), (12, N)]),                                // Sudan
        spec(b"SE", 24, &[(3, N), (16, N), (1, N)]),                        // Sweden
        spec(b"SI", 19, &[(5, N), (8, N), (2, N)]),                         // Slovenia
        spec(b"SK", 24, &[(4, N), (6, N), (10, N)]),                        // Slovakia
        spec(b"SM", 27, &[(1, A), (5, N), (5, N), (12, C)]),                // San Marino
        spec(b"SO", 23, &[(4, N), (3, N), (12, N)]),                        // Somalia
        spec(b"ST", 25, &[(4, N), (4, N), (11, N), (2, N)]),                // Sao Tome and Principe
        spec(b"SV", 28, &[(4, A), (20, N)]),                                // El Salvador
        spec(b"TL", 23, &[(3, N), (14, N), (2, N)]),                        // Timor-Leste
        spec(b"TN", 24, &[(2, N), (3, N), (13, N), (2, N)]),                // Tunisia
        spec(b"TR", 26, &[(5, N), (1, N), (16, C)]),                        // Turkey
        spec(b"UA", 29, &[(6, N), (19, C)]),                                // Ukraine
        spec(b"VA", 22, &[(3, N), (15, N)]),                                // Vatican City State
        spec(b"VG", 24, &[(4, A), (16, N)]),                                // Virgin Islands (GB)
        spec(b"XK", 20, &[(4, N), (10, N), (2, N)]),                        // Kosovo
        spec(b"YE", 30, &[(4, A), (4, N), (18, C)]),                        // Yemen
    ]
};

/// Normalises an IBAN as typed: removes all whitespace and upper-cases ASCII letters.
///
/// Other characters are kept as they are (so an invalid input stays invalid); the result is not
/// checked. `"de89 3704 0044 0532 0130 00"` becomes `"DE89370400440532013000"`.
pub fn normalize_iban(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).map(|c| c.to_ascii_uppercase()).collect()
}

/// Formats an IBAN for display: normalised as by [`normalize_iban`], then in groups of four
/// characters separated by single spaces (the last group may be shorter).
///
/// `"DE89370400440532013000"` becomes `"DE89 3704 0044 0532 0130 00"`. The result is not checked.
pub fn format_iban(s: &str) -> String {
    let normalized = normalize_iban(s);
    let mut out = String::with_capacity(normalized.len() + normalized.len() / 4);
    for (i, c) in normalized.chars().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// Checks an IBAN (ISO 13616); whitespace is ignored and letters may be in either case.
///
/// The country code must be in the SWIFT IBAN registry, the length must be that country's IBAN
/// length, the check digits must be two digits in 02..=98, the BBAN must have the country's
/// registered structure (for Germany 18 digits), and the ISO 7064 MOD 97-10 checksum of the
/// rearranged IBAN must be 1.
pub fn iban(s: &str) -> Result<(), Invalid> {
    // Bound the work before allocating: a 10,000-character paste is rejected after one pass.
    if s.chars().filter(|c| !c.is_whitespace()).count() > IBAN_MAX_LEN {
        return Err(Invalid::Iban);
    }
    let normalized = normalize_iban(s);
    let bytes = normalized.as_bytes();
    let [c0, c1, k0, k1, bban @ ..] = bytes else {
        return Err(Invalid::Iban);
    };
    let spec = IBAN_SPECS.iter().find(|spec| spec.country == [*c0, *c1]).ok_or(Invalid::Iban)?;
    if bytes.len() != usize::from(spec.len) {
        return Err(Invalid::Iban);
    }
    if !k0.is_ascii_digit() || !k1.is_ascii_digit() {
        return Err(Invalid::Iban);
    }
    // MOD 97-10 can only produce check digits 02..=98; 00, 01 and 99 are congruent to 97, 98
    // and 02 and would pass the remainder test, but no issuer ever assigns them.
    if matches!([*k0, *k1], [b'0', b'0'] | [b'0', b'1'] | [b'9', b'9']) {
        return Err(Invalid::Iban);
    }
    if !bban_matches(bban, spec.bban) {
        return Err(Invalid::Iban);
    }
    // Rearranged: BBAN, then country code and check digits.
    let rearranged = bban.iter().chain([c0, c1, k0, k1]).copied();
    match mod97(rearranged) {
        Some(1) => Ok(()),
        _ => Err(Invalid::Iban),
    }
}

/// Whether `bban` consists exactly of the given segments.
fn bban_matches(bban: &[u8], segments: &[(u8, Cls)]) -> bool {
    let mut rest = bban;
    for &(count, class) in segments {
        let Some((head, tail)) = rest.split_at_checked(usize::from(count)) else {
            return false;
        };
        if !head.iter().all(|&b| class.accepts(b)) {
            return false;
        }
        rest = tail;
    }
    rest.is_empty()
}

/// ISO 7064 MOD 97-10 remainder of a string of digits and upper-case letters (A = 10 … Z = 35),
/// computed digit by digit so that no big integer is needed. `None` for any other character.
fn mod97(chars: impl Iterator<Item = u8>) -> Option<u32> {
    let mut rem: u32 = 0;
    for b in chars {
        rem = match b {
            b'0'..=b'9' => (rem * 10 + u32::from(b - b'0')) % 97,
            b'A'..=b'Z' => (rem * 100 + u32::from(b - b'A') + 10) % 97,
            _ => return None,
        };
    }
    Some(rem)
}

// ---------------------------------------------------------------------------------------------
// Postcode (PLZ)
// ---------------------------------------------------------------------------------------------

/// Checks a German postcode (Postleitzahl): exactly five ASCII digits, not starting with `00`.
///
/// Postcode regions run from `01` to `99`; `00xxx` (including `00000`) is not allocated. Whether a
/// particular code is actually in use is not checked. Surrounding whitespace is not accepted.
pub fn postcode(s: &str) -> Result<(), Invalid> {
    match s.as_bytes() {
        digits @ [d0, d1, _, _, _] if digits.iter().all(u8::is_ascii_digit) && !(*d0 == b'0' && *d1 == b'0') => Ok(()),
        _ => Err(Invalid::Postcode),
    }
}

// ---------------------------------------------------------------------------------------------
// Steuer-ID
// ---------------------------------------------------------------------------------------------

/// Checks a German tax identification number (Steuerliche Identifikationsnummer, § 139b AO).
///
/// Whitespace is ignored (`"86 095 742 719"` is fine). The ID has 11 digits, the first is not 0,
/// the first ten obey the repetition rule (exactly one digit occurs twice or three times, a
/// triple never in three consecutive places, every other digit at most once, at least one digit
/// missing), and the eleventh is the ISO/IEC 7064 MOD 11,10 check digit over the first ten.
pub fn steuer_id(s: &str) -> Result<(), Invalid> {
    let mut digits = [0u8; 11];
    let mut count = 0usize;
    for c in s.chars() {
        if c.is_whitespace() {
            continue;
        }
        let digit = c.to_digit(10).and_then(|d| u8::try_from(d).ok()).ok_or(Invalid::SteuerId)?;
        // More than 11 digits: `get_mut` fails and the input is rejected without reading on.
        *digits.get_mut(count).ok_or(Invalid::SteuerId)? = digit;
        count += 1;
    }
    if count != digits.len() {
        return Err(Invalid::SteuerId);
    }
    let [body @ .., check] = digits;
    if body[0] == 0 {
        return Err(Invalid::SteuerId);
    }
    if !steuer_id_repetition_ok(&body) {
        return Err(Invalid::SteuerId);
    }
    if mod11_10_check_digit(&body) != check {
        return Err(Invalid::SteuerId);
    }
    Ok(())
}

/// The repetition rule for the first ten digits of a Steuer-ID.
///
/// As published by the Bundeszentralamt für Steuern for IDs allocated under § 139b AO: in the
/// first ten digits exactly one digit occurs more than once; for IDs allocated until 2016 it
/// occurs exactly twice, since 2016 it may instead occur exactly three times, but then not in
/// three directly consecutive places (two of the three may be adjacent). All other digits that
/// occur, occur exactly once, so at least one of the digits 0-9 does not occur at all (with a
/// triple, two are missing). The "missing digit" clause follows from the others for ten digits;
/// it is checked anyway to mirror the published rule.
fn steuer_id_repetition_ok(body: &[u8; 10]) -> bool {
    let mut counts = [0u8; 10];
    for &d in body {
        match counts.get_mut(usize::from(d)) {
            Some(n) => *n += 1,
            None => return false,
        }
    }
    let mut repeated: Option<(u8, u8)> = None;
    for (digit, &n) in (0u8..).zip(counts.iter()) {
        match n {
            0 | 1 => {}
            2 | 3 => {
                if repeated.replace((digit, n)).is_some() {
                    return false;
                }
            }
            _ => return false,
        }
    }
    let Some((digit, n)) = repeated else {
        return false;
    };
    if !counts.contains(&0) {
        return false;
    }
    if n == 3 && body.windows(3).any(|w| w.iter().all(|&d| d == digit)) {
        return false;
    }
    true
}

/// ISO/IEC 7064 MOD 11,10 check digit over decimal digits (as used for the Steuer-ID).
fn mod11_10_check_digit(digits: &[u8]) -> u8 {
    let mut product: u8 = 10;
    for &d in digits {
        let mut sum = (d % 10 + product) % 10;
        if sum == 0 {
            sum = 10;
        }
        product = (sum * 2) % 11;
    }
    // `product` is always in 1..=10 here, so the result is a single digit.
    match 11 - product {
        10 => 0,
        c => c,
    }
}

// ---------------------------------------------------------------------------------------------
// E-mail
// ---------------------------------------------------------------------------------------------

/// Longest address (RFC 5321 path limit less the angle brackets), in UTF-8 bytes.
const EMAIL_MAX_LEN: usize = 254;
/// Longest local part (RFC 5321), in UTF-8 bytes.
const EMAIL_LOCAL_MAX_LEN: usize = 64;
/// Longest domain label (RFC 1035), in characters.
const EMAIL_LABEL_MAX_LEN: usize = 63;
/// Punctuation RFC 5322 allows in a dot-atom local part.
const EMAIL_LOCAL_SPECIALS: &str = "!#$%&'*+-/=?^_`{|}~.";

/// Checks an e-mail address pragmatically (the RFC 5322 dot-atom form, with Unicode letters).
///
/// Exactly one `@`; a local part of 1 to 64 bytes made of letters (any script), digits and
/// ``! # $ % & ' * + - / = ? ^ _ ` { | } ~ .``, with no leading, trailing or doubled dot; a domain
/// of at least two dot-separated labels of letters, digits and hyphens (not at a label's start or
/// end, at most 63 characters each), whose last label (the TLD) has at least two letters or is a
/// punycode label (`xn--…`); at most 254 bytes in all; no whitespace or control characters.
/// Quoted local parts, comments and IP-literal domains are rejected.
pub fn email(s: &str) -> Result<(), Invalid> {
    if s.is_empty() || s.len() > EMAIL_MAX_LEN {
        return Err(Invalid::Email);
    }
    let mut parts = s.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(Invalid::Email);
    };
    if email_local_ok(local) && email_domain_ok(domain) { Ok(()) } else { Err(Invalid::Email) }
}

fn email_local_ok(local: &str) -> bool {
    !local.is_empty()
        && local.len() <= EMAIL_LOCAL_MAX_LEN
        && local.chars().all(|c| c.is_alphanumeric() || EMAIL_LOCAL_SPECIALS.contains(c))
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
}

fn email_domain_ok(domain: &str) -> bool {
    let mut labels = 0usize;
    let mut last = "";
    for label in domain.split('.') {
        let ok = !label.is_empty()
            && label.chars().count() <= EMAIL_LABEL_MAX_LEN
            && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-');
        if !ok {
            return false;
        }
        labels += 1;
        last = label;
    }
    let tld_ok = (last.chars().count() >= 2 && last.chars().all(char::is_alphabetic))
        || (last.len() > 4 && last.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("xn--")));
    labels >= 2 && tld_ok
}

// ---------------------------------------------------------------------------------------------
// Phone
// ---------------------------------------------------------------------------------------------

/// Fewest digits a phone number may have.
const PHONE_MIN_DIGITS: usize = 6;
/// Most digits a phone number may have (E.164).
const PHONE_MAX_DIGITS: usize = 15;

/// Checks a German or international phone number as a clerk types it.
///
/// Allowed are ASCII digits, spaces, `-`, `/`, `(` and `)`, and a `+` as the very first
/// character; leading and trailing spaces are ignored. The number is international if it starts
/// with `+` (the country code follows, its first digit not 0) or with `00` (the digit after it
/// not 0), or national if it starts with a single `0` (trunk prefix then area code), e.g.
/// `"+49 30 1234567"`, `"0049 (0)30 1234567"`, `"(030) 123 45-67"`, `"0171/1234567"`.
/// Parentheses must be balanced, not nested and contain at least one digit. The number must have
/// 6 to 15 digits; for international numbers the `00` prefix and a `(0)` trunk-prefix group are
/// not counted, so the count is that of the E.164 number.
pub fn phone(s: &str) -> Result<(), Invalid> {
    let trimmed = s.trim_matches(' ');
    let (plus, body) = match trimmed.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, trimmed),
    };
    // A few digits more than any valid number can have, to stop early on long input.
    const DIGIT_BUDGET: usize = PHONE_MAX_DIGITS + 4;
    let mut digits: Vec<u8> = Vec::with_capacity(DIGIT_BUDGET);
    // Digit indices at which a "(0)" group starts.
    let mut zero_groups: Vec<usize> = Vec::new();
    let mut group_start: Option<usize> = None;
    for c in body.chars() {
        match c {
            '0'..='9' => {
                if digits.len() >= DIGIT_BUDGET {
                    return Err(Invalid::Phone);
                }
                let d = c.to_digit(10).and_then(|d| u8::try_from(d).ok()).ok_or(Invalid::Phone)?;
                digits.push(d);
            }
            ' ' | '-' | '/' => {}
            '(' => {
                if group_start.is_some() {
                    return Err(Invalid::Phone);
                }
                group_start = Some(digits.len());
            }
            ')' => {
                let start = group_start.take().ok_or(Invalid::Phone)?;
                match digits.get(start..) {
                    Some([0]) => zero_groups.push(start),
                    Some([_, ..]) => {}
                    _ => return Err(Invalid::Phone),
                }
            }
            _ => return Err(Invalid::Phone),
        }
    }
    if group_start.is_some() {
        return Err(Invalid::Phone);
    }
    // Number of prefix digits not part of the E.164 number, and whether it is international.
    let (prefix_len, international) = match (plus, digits.as_slice()) {
        (true, [first, ..]) if *first != 0 => (0, true),
        (false, [0, 0, cc, ..]) if *cc != 0 => (2, true),
        (false, [0, area, ..]) if *area != 0 => (0, false),
        _ => return Err(Invalid::Phone),
    };
    let trunk_digits = if international { zero_groups.iter().filter(|&&start| start >= prefix_len).count() } else { 0 };
    let significant = digits.len().saturating_sub(prefix_len + trunk_digits);
    if (PHONE_MIN_DIGITS..=PHONE_MAX_DIGITS).contains(&significant) { Ok(()) } else { Err(Invalid::Phone) }
}

// ---------------------------------------------------------------------------------------------
// Vehicle plate
// ---------------------------------------------------------------------------------------------

/// Most letters and digits on a plate, suffix included (FZV: eight characters per plate).
const PLATE_MAX_CHARS: usize = 8;
/// Longest input worth looking at; anything longer cannot be a plate.
const PLATE_MAX_INPUT_CHARS: usize = 24;

/// Checks a German vehicle registration plate as typed, case-insensitively.
///
/// The form is: district code (Unterscheidungszeichen) of 1–3 letters, umlauts Ä Ö Ü allowed;
/// a separator, which is `-`, a single space, or `-` with a single space on either or both sides;
/// 1–2 recognition letters A–Z; an optional space; a number of 1–4 digits without leading zero;
/// optionally `E` (electric) or `H` (historic), directly or after one space. All letters and
/// digits together, suffix included, are at most 8. Examples: `"B-AB 1234"`, `"M AB 123"`,
/// `"HH-X 1"`, `"BIT-Z 99E"`, `"K-AB 123H"`. Without a separator after the district code
/// (`"MAB123"`) the split is ambiguous, so it is rejected. Whether the district code exists is
/// not checked; special series (diplomatic, federal, military, short-term, export) are rejected.
pub fn vehicle_plate(s: &str) -> Result<(), Invalid> {
    if s.len() > PLATE_MAX_INPUT_CHARS * 4 {
        return Err(Invalid::VehiclePlate);
    }
    let chars: Vec<char> = s.chars().collect();
    if chars.len() > PLATE_MAX_INPUT_CHARS {
        return Err(Invalid::VehiclePlate);
    }
    let mut pos = 0usize;
    let mut take_while = |pred: fn(char) -> bool| -> (usize, usize) {
        let start = pos;
        while chars.get(pos).is_some_and(|&c| pred(c)) {
            pos += 1;
        }
        (start, pos - start)
    };

    let (_, district) = take_while(is_district_letter);
    let (_, spaces_before) = take_while(|c| c == ' ');
    let (_, hyphens) = take_while(|c| c == '-');
    let (_, spaces_after) = take_while(|c| c == ' ');
    let separator_ok = match hyphens {
        0 => spaces_before == 1,
        1 => spaces_before <= 1 && spaces_after <= 1,
        _ => false,
    };
    let (_, letters) = take_while(|c| c.is_ascii_alphabetic());
    let (_, inner_spaces) = take_while(|c| c == ' ');
    let (number_start, number) = take_while(|c| c.is_ascii_digit());
    let (_, suffix_spaces) = take_while(|c| c == ' ');
    let (_, suffix) = take_while(|c| matches!(c, 'E' | 'e' | 'H' | 'h'));
    let end = pos;

    let ok = (1..=3).contains(&district)
        && separator_ok
        && (1..=2).contains(&letters)
        && inner_spaces <= 1
        && (1..=4).contains(&number)
        && chars.get(number_start) != Some(&'0')
        && suffix <= 1
        && (suffix_spaces == 0 || (suffix_spaces == 1 && suffix == 1))
        && end == chars.len()
        && district + letters + number + suffix <= PLATE_MAX_CHARS;
    if ok { Ok(()) } else { Err(Invalid::VehiclePlate) }
}

fn is_district_letter(c: char) -> bool {
    c.is_ascii_alphabetic() || matches!(c, 'Ä' | 'Ö' | 'Ü' | 'ä' | 'ö' | 'ü')
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    // ----- Invalid -----------------------------------------------------------------------------

    #[test]
    fn codes_are_stable() {
        assert_eq!(Invalid::Email.code(), "invalid_email");
        assert_eq!(Invalid::Phone.code(), "invalid_phone");
        assert_eq!(Invalid::Iban.code(), "invalid_iban");
        assert_eq!(Invalid::Postcode.code(), "invalid_postcode");
        assert_eq!(Invalid::SteuerId.code(), "invalid_steuer_id");
        assert_eq!(Invalid::VehiclePlate.code(), "invalid_vehicle_plate");
    }

    // ----- IBAN --------------------------------------------------------------------------------

    /// Registry example IBANs, one per country (all pass MOD 97-10).
    const IBAN_EXAMPLES: &[&str] = &[
        "AD1200012030200359100100",
        "AE070331234567890123456",
        "AL47212110090000000235698741",
        "AT611904300234573201",
        "AZ21NABZ00000000137010001944",
        "BA391290079401028494",
        "BE68539007547034",
        "BG80BNBG96611020345678",
        "BH67BMAG00001299123456",
        "BI4210000100010000332045181",
        "BR1800360305000010009795493C1",
        "BY13NBRB3600900000002Z00AB00",
        "CH9300762011623852957",
        "CR05015202001026284066",
        "CY17002001280000001200527600",
        "CZ6508000000192000145399",
        "DE89370400440532013000",
        "DJ2100010000000154000100186",
        "DK5000400440116243",
        "DO28BAGR00000001212453611324",
        "EE382200221020145685",
        "EG380019000500000000263180002",
        "ES9121000418450200051332",
        "FI2112345600000785",
        "FK88SC123456789012",
        "FO6264600001631634",
        "FR1420041010050500013M02606",
        "GB29NWBK60161331926819",
        "GE29NB0000000101904917",
        "GI75NWBK000000007099453",
        "GL8964710001000206",
        "GR1601101250000000012300695",
        "GT82TRAJ01020000001210029690",
        "HN88CABF00000000000250005469",
        "HR1210010051863000160",
        "HU42117730161111101800000000",
        "IE29AIBK93115212345678",
        "IL620108000000099999999",
        "IQ98NBIQ850123456789012",
        "IS140159260076545510730339",
        "IT60X0542811101000000123456",
        "JO94CBJO0010000000000131000302",
        "KW81CBKU0000000000001234560101",
        "KZ86125KZT5004100100",
        "LB62099900000001001901229114",
        "LC55HEMM000100010012001200023015",
        "LI21088100002324013AA",
        "LT121000011101001000",
        "LU280019400644750000",
        "LV80BANK0000435195001",
        "LY83002048000020100120361",
        "MC5811222000010123456789030",
        "MD24AG000225100013104168",
        "ME25505000012345678951",
        "MK07250120000058984",
        "MN121234123456789123",
        "MR1300020001010000123456753",
        "MT84MALT011000012345MTLCAST001S",
        "MU17BOMM0101101030300200000MUR",
        "NI45BAPR00000013000003558124",
        "NL91ABNA0417164300",
        "NO9386011117947",
        "OM810180000001299123456",
        "PK36SCBL0000001123456702",
        "PL61109010140000071219812874",
        "PS92PALS000000000400123456702",
        "PT50000201231234567890154",
        "QA58DOHB00001234567890ABCDEFG",
        "RO49AAAA1B31007593840000",
        "RS35260005601001611379",
        "RU0204452560040702810412345678901",
        "SA0380000000608010167519",
        "SC18SSCB11010000000000001497USD",
        "SD2129010501234001",
        "SE4550000000058398257466",
        "SI56263300012039086",
        "SK3112000000198742637541",
        "SM86U0322509800000000270100",
        "SO211000001001000100141",
        "ST23000100010051845310146",
        "SV62CENR00000000000000700025",
        "TL380080012345678910157",
        "TN5910006035183598478831",
        "TR330006100519786457841326",
        "UA213223130000026007233566001",
        "VA59001123000012345678",
        "VG96VPVG0000012345678901",
        "XK051212012345678906",
        "YE15CBYE0001018861234567891234",
    ];

    #[test]
    fn iban_table_is_consistent() {
        for pair in IBAN_SPECS.windows(2) {
            assert!(pair[0].country < pair[1].country, "unsorted or duplicate: {pair:?}");
        }
        for spec in IBAN_SPECS {
            let bban: usize = spec.bban.iter().map(|&(n, _)| usize::from(n)).sum();
            assert_eq!(bban + 4, usize::from(spec.len), "{spec:?}");
            assert!(usize::from(spec.len) <= IBAN_MAX_LEN);
            assert!(spec.country.iter().all(u8::is_ascii_uppercase));
        }
    }

    #[test]
    fn iban_every_country_has_a_passing_example() {
        assert_eq!(IBAN_EXAMPLES.len(), IBAN_SPECS.len());
        for (example, spec) in IBAN_EXAMPLES.iter().zip(IBAN_SPECS) {
            assert_eq!(&example.as_bytes()[..2], &spec.country);
            assert_eq!(iban(example), Ok(()), "{example}");
        }
    }

    #[test]
    fn iban_examples_fail_with_any_changed_check_digit() {
        for example in IBAN_EXAMPLES {
            let good = &example[2..4];
            for check in 0..100 {
                let check = format!("{check:02}");
                if check == good {
                    continue;
                }
                let bad = format!("{}{check}{}", &example[..2], &example[4..]);
                assert_eq!(iban(&bad), Err(Invalid::Iban), "{bad}");
            }
        }
    }

    #[test]
    fn iban_valid_inputs() {
        assert_eq!(iban("DE89370400440532013000"), Ok(()));
        assert_eq!(iban("DE89 3704 0044 0532 0130 00"), Ok(()));
        assert_eq!(iban("de89 3704 0044 0532 0130 00"), Ok(()));
        assert_eq!(iban("  DE89\t3704 0044\u{a0}0532 0130 00 "), Ok(()));
        assert_eq!(iban("GB82WEST12345698765432"), Ok(()));
        assert_eq!(iban("GB82 WEST 1234 5698 7654 32"), Ok(()));
        assert_eq!(iban("gb82west12345698765432"), Ok(()));
        assert_eq!(iban("AT61 1904 3002 3457 3201"), Ok(()));
        assert_eq!(iban("CH93 0076 2011 6238 5295 7"), Ok(()));
        assert_eq!(iban("NL91 ABNA 0417 1643 00"), Ok(()));
        assert_eq!(iban("FR14 2004 1010 0505 0001 3M02 606"), Ok(()));
        assert_eq!(iban("fr14 2004 1010 0505 0001 3m02 606"), Ok(()));
    }

    #[test]
    fn iban_checksum_failures() {
        assert_eq!(iban("DE89370400440532013001"), Err(Invalid::Iban));
        assert_eq!(iban("DE88370400440532013000"), Err(Invalid::Iban));
        // Two adjacent digits swapped.
        assert_eq!(iban("DE89370400440532013000".replace("0532", "5032").as_str()), Err(Invalid::Iban));
        assert_eq!(iban("GB82WEST12345698765433"), Err(Invalid::Iban));
    }

    #[test]
    fn iban_reserved_check_digits_rejected() {
        // Each of these passes the raw MOD 97 test (00≡97, 01≡98, 99≡02) but is not allowed.
        for (good, reserved) in [("97", "00"), ("98", "01"), ("02", "99")] {
            let mut found = false;
            for bank in 0..2000u32 {
                let bban = format!("{bank:08}0000000000");
                let candidate = format!("DE{good}{bban}");
                if iban(&candidate).is_ok() {
                    let twin = format!("DE{reserved}{bban}");
                    assert_eq!(mod97(bban.bytes().chain(twin.bytes().take(4))), Some(1));
                    assert_eq!(iban(&twin), Err(Invalid::Iban), "{twin}");
                    found = true;
                    break;
                }
            }
            assert!(found, "no DE example with check digits {good}");
        }
    }

    #[test]
    fn iban_length_failures() {
        assert_eq!(iban("DE8937040044053201300"), Err(Invalid::Iban)); // 21
        assert_eq!(iban("DE893704004405320130000"), Err(Invalid::Iban)); // 23
        assert_eq!(iban("AT61190430023457320"), Err(Invalid::Iban));
        assert_eq!(iban("NO938601111794"), Err(Invalid::Iban));
        assert_eq!(iban("DE89"), Err(Invalid::Iban));
        assert_eq!(iban("DE8"), Err(Invalid::Iban));
        assert_eq!(iban("D"), Err(Invalid::Iban));
        assert_eq!(iban(""), Err(Invalid::Iban));
        assert_eq!(iban("     "), Err(Invalid::Iban));
        // Longer than any IBAN.
        assert_eq!(iban("LC55HEMM000100010012001200023015000"), Err(Invalid::Iban));
    }

    #[test]
    fn iban_unknown_country() {
        assert_eq!(iban("XX89370400440532013000"), Err(Invalid::Iban));
        // US has no IBAN; 12 is any digits.
        assert_eq!(iban("US12345678901234567890"), Err(Invalid::Iban));
        assert_eq!(iban("1289370400440532013000"), Err(Invalid::Iban));
    }

    #[test]
    fn iban_structure_failures() {
        // A letter where Germany's BBAN has digits, with a correct checksum for that string.
        let bban = "37040044053201300A";
        let check = 98 - mod97(bban.bytes().chain(*b"DE00")).unwrap();
        let candidate = format!("DE{check:02}{bban}");
        assert_eq!(mod97(bban.bytes().chain(candidate.bytes().take(4))), Some(1));
        assert_eq!(iban(&candidate), Err(Invalid::Iban));
        // Digits where the Dutch bank code has letters.
        let bban = "12340417164300";
        let check = 98 - mod97(bban.bytes().chain(*b"NL00")).unwrap();
        let candidate = format!("NL{check:02}{bban}");
        assert_eq!(iban(&candidate), Err(Invalid::Iban));
        // Check digits must be digits.
        assert_eq!(iban("DEAB370400440532013000"), Err(Invalid::Iban));
        // Punctuation is not ignored.
        assert_eq!(iban("DE89-3704-0044-0532-0130-00"), Err(Invalid::Iban));
        assert_eq!(iban("DE89.370400440532013000"), Err(Invalid::Iban));
    }

    #[test]
    fn iban_unicode_and_long_input() {
        assert_eq!(iban("DE89370400440532013ÄÖ"), Err(Invalid::Iban));
        assert_eq!(iban("ÄÖ89370400440532013000"), Err(Invalid::Iban));
        // Full-width digits are not ASCII digits.
        assert_eq!(iban("DE８９370400440532013000"), Err(Invalid::Iban));
        // 'ß' upper-cases to "SS" in full Unicode; it must not sneak in.
        assert_eq!(iban("ßE89370400440532013000"), Err(Invalid::Iban));
        assert_eq!(iban("😀😀😀😀😀😀😀😀😀😀😀"), Err(Invalid::Iban));
        assert_eq!(iban(&"9".repeat(10_000)), Err(Invalid::Iban));
        assert_eq!(iban(&"DE89370400440532013000".repeat(500)), Err(Invalid::Iban));
        assert_eq!(iban(&" ".repeat(10_000)), Err(Invalid::Iban));
        assert_eq!(iban(&"ü".repeat(10_000)), Err(Invalid::Iban));
    }

    #[test]
    fn iban_normalize_and_format() {
        assert_eq!(normalize_iban("de89 3704 0044 0532 0130 00"), "DE89370400440532013000");
        assert_eq!(normalize_iban("\tgb82 west\u{a0}1234 5698 7654 32\n"), "GB82WEST12345698765432");
        assert_eq!(normalize_iban(""), "");
        assert_eq!(normalize_iban("äb-1"), "äB-1");
        assert_eq!(format_iban("DE89370400440532013000"), "DE89 3704 0044 0532 0130 00");
        assert_eq!(format_iban("de89 37040044 0532013000"), "DE89 3704 0044 0532 0130 00");
        assert_eq!(format_iban("GB82WEST12345698765432"), "GB82 WEST 1234 5698 7654 32");
        assert_eq!(format_iban("NL91ABNA0417164300"), "NL91 ABNA 0417 1643 00");
        assert_eq!(format_iban("BE68539007547034"), "BE68 5390 0754 7034");
        assert_eq!(format_iban(""), "");
        assert_eq!(format_iban("DE8"), "DE8");
        assert_eq!(format_iban("ÄÖÜßäöü"), "ÄÖÜß äöü");
        let long = format_iban(&"A".repeat(10_000));
        assert_eq!(long.len(), 10_000 + 2_499);
        // Formatting then checking gives the same answer as checking directly.
        for example in IBAN_EXAMPLES {
            assert_eq!(iban(&format_iban(example)), Ok(()));
            assert_eq!(normalize_iban(&format_iban(example)), *example);
        }
    }

    // ----- Postcode ----------------------------------------------------------------------------

    #[test]
    fn postcode_valid() {
        for s in ["10115", "01067", "80331", "99998", "20095", "01000", "99999"] {
            assert_eq!(postcode(s), Ok(()), "{s}");
        }
    }

    #[test]
    fn postcode_invalid() {
        for s in [
            "",
            "0",
            "1011",
            "101155",
            "00000",
            "00123",
            "09x12",
            "1011a",
            " 10115",
            "10115 ",
            "10 115",
            "D-10115",
            "-1011",
            "+1011",
            "１０１１５",
            "10115\n",
            "1٠115",
        ] {
            assert_eq!(postcode(s), Err(Invalid::Postcode), "{s:?}");
        }
        assert_eq!(postcode(&"1".repeat(10_000)), Err(Invalid::Postcode));
        assert_eq!(postcode("ÄÖÜ"), Err(Invalid::Postcode));
    }

    // ----- Steuer-ID ---------------------------------------------------------------------------

    const STEUER_IDS: &[&str] = &["86095742719", "47036892816", "65929970489", "57549285017", "25768131411"];

    #[test]
    fn steuer_id_known_valid() {
        for id in STEUER_IDS {
            assert_eq!(steuer_id(id), Ok(()), "{id}");
        }
        assert_eq!(steuer_id("86 095 742 719"), Ok(()));
        assert_eq!(steuer_id(" 86095742719 "), Ok(()));
        assert_eq!(steuer_id("86\u{a0}095\t742 719"), Ok(()));
    }

    #[test]
    fn steuer_id_changed_check_digit_fails() {
        for id in STEUER_IDS {
            let (body, good) = id.split_at(10);
            for d in 0..10 {
                let candidate = format!("{body}{d}");
                if candidate.as_str() == *id {
                    continue;
                }
                assert_ne!(good, d.to_string());
                assert_eq!(steuer_id(&candidate), Err(Invalid::SteuerId), "{candidate}");
            }
        }
    }

    #[test]
    fn steuer_id_check_digit_algorithm() {
        for id in STEUER_IDS {
            let digits: Vec<u8> = id.bytes().map(|b| b - b'0').collect();
            assert_eq!(mod11_10_check_digit(&digits[..10]), digits[10], "{id}");
        }
        // Product lands on 1, so 11 - 1 = 10 maps to check digit 0: exercise that branch.
        let mut seen_zero = false;
        for n in 1_000_000_000u64..1_000_005_000 {
            let digits: Vec<u8> = n.to_string().bytes().map(|b| b - b'0').collect();
            let check = mod11_10_check_digit(&digits);
            assert!(check <= 9);
            seen_zero |= check == 0;
        }
        assert!(seen_zero);
    }

    /// Appends the right check digit to ten digits, to test the other rules in isolation.
    fn with_check(body: &str) -> String {
        let digits: Vec<u8> = body.bytes().map(|b| b - b'0').collect();
        format!("{body}{}", mod11_10_check_digit(&digits))
    }

    #[test]
    fn steuer_id_repetition_rule() {
        // One digit twice (adjacent or not): fine.
        assert_eq!(steuer_id(&with_check("1234567899")), Ok(()));
        assert_eq!(steuer_id(&with_check("1123456789")), Ok(()));
        assert_eq!(steuer_id(&with_check("1234567891")), Ok(()));
        // One digit three times, not all three consecutive: fine (two may be adjacent).
        assert_eq!(steuer_id(&with_check("1123456781")), Ok(()));
        assert_eq!(steuer_id(&with_check("1213456781")), Ok(()));
        assert_eq!(steuer_id(&with_check("1234566768")), Ok(()));
        // Three consecutive: rejected.
        assert_eq!(steuer_id(&with_check("1112345678")), Err(Invalid::SteuerId));
        assert_eq!(steuer_id(&with_check("1234567888")), Err(Invalid::SteuerId));
        assert_eq!(steuer_id(&with_check("1234555678")), Err(Invalid::SteuerId));
        // Four times: rejected.
        assert_eq!(steuer_id(&with_check("1121314567")), Err(Invalid::SteuerId));
        // All ten digits distinct (no repetition, no missing digit): rejected.
        assert_eq!(steuer_id(&with_check("1234567890")), Err(Invalid::SteuerId));
        assert_eq!(steuer_id(&with_check("9876543210")), Err(Invalid::SteuerId));
        // Two different digits repeated: rejected.
        assert_eq!(steuer_id(&with_check("1123456788")), Err(Invalid::SteuerId));
        assert_eq!(steuer_id(&with_check("1122345678")), Err(Invalid::SteuerId));
        assert_eq!(steuer_id(&with_check("1112223456")), Err(Invalid::SteuerId));
        // Degenerate.
        assert_eq!(steuer_id(&with_check("1111111111")), Err(Invalid::SteuerId));
    }

    #[test]
    fn steuer_id_leading_zero() {
        // Otherwise well-formed (one doubled digit, correct check digit), but starts with 0.
        let id = with_check("0234567899");
        assert!(steuer_id_repetition_ok(&[0, 2, 3, 4, 5, 6, 7, 8, 9, 9]));
        assert_eq!(steuer_id(&id), Err(Invalid::SteuerId));
    }

    #[test]
    fn steuer_id_malformed() {
        for s in [
            "",
            " ",
            "8609574271",
            "860957427190",
            "8609574271a",
            "86095-742719",
            "86/095/742/719",
            "+86095742719",
            "８６０９５７４２７１９",
            "86095742719ä",
            "DE86095742719",
        ] {
            assert_eq!(steuer_id(s), Err(Invalid::SteuerId), "{s:?}");
        }
        assert_eq!(steuer_id(&"8".repeat(10_000)), Err(Invalid::SteuerId));
        assert_eq!(steuer_id(&"86095742719".repeat(1000)), Err(Invalid::SteuerId));
        assert_eq!(steuer_id(&" ".repeat(10_000)), Err(Invalid::SteuerId));
        assert_eq!(steuer_id(&"😀".repeat(10_000)), Err(Invalid::SteuerId));
    }

    // ----- E-mail ------------------------------------------------------------------------------

    #[test]
    fn email_valid() {
        for s in [
            "max.mustermann@example.de",
            "a@b.de",
            "MAX@EXAMPLE.DE",
            "max+tag@example.co.uk",
            "first.last@sub-domain.example.org",
            "user_name-1@host1.example.museum",
            "!#$%&'*+-/=?^_`{|}~@example.com",
            "jürgen.müller@beispiel.de",
            "jürgen@müller-straße.de",
            "用户@例子.广告",
            "иван@пример.рф",
            "user@example.xn--p1ai",
            "user@xn--mller-kva.de",
            "1234567890@123.de",
            "o'brien@example.ie",
        ] {
            assert_eq!(email(s), Ok(()), "{s}");
        }
        // Local part of exactly 64 bytes; address of exactly 254 bytes.
        assert_eq!(email(&format!("{}@example.de", "a".repeat(64))), Ok(()));
        let domain = format!("{}.{}.{}.de", "a".repeat(63), "b".repeat(63), "c".repeat(58));
        let s = format!("{}@{domain}", "x".repeat(64));
        assert_eq!(s.len(), 254);
        assert_eq!(email(&s), Ok(()));
    }

    #[test]
    fn email_invalid() {
        for s in [
            "",
            "@",
            "plainaddress",
            "@example.de",
            "max@",
            "max@@example.de",
            "max@exa@mple.de",
            "max@example",
            "max@localhost",
            ".max@example.de",
            "max.@example.de",
            "max..mustermann@example.de",
            "max mustermann@example.de",
            " max@example.de",
            "max@example.de ",
            "max@exam ple.de",
            "max\t@example.de",
            "max@example.de\n",
            "max\u{0}@example.de",
            "max@-example.de",
            "max@example-.de",
            "max@example..de",
            "max@.example.de",
            "max@example.de.",
            "max@example.d",
            "max@example.d3",
            "max@example.123",
            "max@example.x-y",
            "max@example.xn--",
            "max@exam_ple.de",
            "\"max\"@example.de",
            "max(comment)@example.de",
            "max@[192.168.0.1]",
            "max@192.168.0.1",
            "max,moritz@example.de",
            "max;@example.de",
            "max<@example.de",
            "max\\@example.de",
            "max@exämple.d€",
            "😀@example.de",
            "max@😀.de",
        ] {
            assert_eq!(email(s), Err(Invalid::Email), "{s:?}");
        }
    }

    #[test]
    fn email_length_limits() {
        assert_eq!(email(&format!("{}@example.de", "a".repeat(65))), Err(Invalid::Email));
        // 64 characters but more than 64 bytes.
        assert_eq!(email(&format!("{}@example.de", "ü".repeat(64))), Err(Invalid::Email));
        assert_eq!(email(&format!("{}@example.de", "ü".repeat(32))), Ok(()));
        // A label longer than 63 characters.
        assert_eq!(email(&format!("max@{}.de", "a".repeat(64))), Err(Invalid::Email));
        assert_eq!(email(&format!("max@{}.de", "a".repeat(63))), Ok(()));
        // 255 bytes in all.
        let domain = format!("{}.{}.{}.de", "a".repeat(63), "b".repeat(63), "c".repeat(59));
        let s = format!("{}@{domain}", "x".repeat(64));
        assert_eq!(s.len(), 255);
        assert_eq!(email(&s), Err(Invalid::Email));
        assert_eq!(email(&"a".repeat(10_000)), Err(Invalid::Email));
        assert_eq!(email(&format!("max@{}.de", "a".repeat(10_000))), Err(Invalid::Email));
        assert_eq!(email(&"@".repeat(10_000)), Err(Invalid::Email));
        assert_eq!(email(&"ü@ü.de".repeat(2_000)), Err(Invalid::Email));
    }

    // ----- Phone -------------------------------------------------------------------------------

    #[test]
    fn phone_valid() {
        for s in [
            "+49 30 1234567",
            "+49301234567",
            "+49 (0)30 1234567",
            "+49 (0) 30 123 456 7",
            "0049 30 1234567",
            "0049 (0)30 1234567",
            "030 1234567",
            "030/1234567",
            "030-123 45-67",
            "(030) 1234567",
            "(0 30) 12 34 56",
            "0171 1234567",
            "0171/123 45 67",
            "+43 1 234567",
            "+1 (212) 555-0100",
            "+44 20 7946 0958",
            "  +49 30 1234567  ",
            "040123",
            "+123456",
            "00123456",
            // 15 digits in E.164 terms.
            "+49 1234 567 890 123",
            "0049 1234 567 890 123",
            "+49 (0) 1234 567 890 123",
            "012345678901234",
        ] {
            assert_eq!(phone(s), Ok(()), "{s:?}");
        }
    }

    #[test]
    fn phone_invalid() {
        for s in [
            "",
            " ",
            "+",
            "00",
            "0",
            "()",
            // No prefix: neither +, 00 nor 0.
            "30 1234567",
            "1234567",
            // Country code or area code starting with 0.
            "+0 30 1234567",
            "+049 30 1234567",
            "000 49 30 1234567",
            // Too few digits.
            "+4930",
            "+12345",
            "0301",
            "03012",
            "0012345",
            // Too many digits.
            "+49 1234 567 890 1234",
            "0049 1234 567 890 1234",
            "0123456789012345",
            // Bad characters.
            "+49 30 123456a",
            "+49.30.1234567",
            "+49 30 1234567 ext 12",
            "+49_30_1234567",
            "+49 30 1234567#",
            "+49\t30 1234567",
            "030 1234567\n",
            "+49 30 ١٢٣٤٥٦٧",
            "+49 30 １２３４５６７",
            "тел 030 1234567",
            // '+' not at the start.
            "49+ 30 1234567",
            "++49 30 1234567",
            "(+49) 30 1234567",
            "030 +1234567",
            // Parentheses.
            "(030 1234567",
            "030) 1234567",
            ")030( 1234567",
            "((030)) 1234567",
            "(03(0)) 1234567",
            "030 () 1234567",
            "+49 ( ) 30 1234567",
        ] {
            assert_eq!(phone(s), Err(Invalid::Phone), "{s:?}");
        }
        assert_eq!(phone(&"1".repeat(10_000)), Err(Invalid::Phone));
        assert_eq!(phone(&format!("+{}", "4".repeat(10_000))), Err(Invalid::Phone));
        assert_eq!(phone(&format!("030 {}", " ".repeat(10_000))), Err(Invalid::Phone));
        assert_eq!(phone(&"(".repeat(10_000)), Err(Invalid::Phone));
        assert_eq!(phone(&"😀".repeat(10_000)), Err(Invalid::Phone));
    }

    #[test]
    fn phone_long_separators_are_fine() {
        // Many separators but a valid digit count.
        let s = format!("030{}1234567", " -/".repeat(3_000));
        assert_eq!(phone(&s), Ok(()));
    }

    // ----- Vehicle plate -----------------------------------------------------------------------

    #[test]
    fn plate_valid() {
        for s in [
            "B-AB 1234",
            "M AB 123",
            "HH-X 1",
            "BIT-Z 99E",
            "K-AB 123H",
            "K-AB 123 H",
            "b-ab 1234",
            "bit-z 99e",
            "k-ab 123h",
            "B-AB1234",
            "B AB1234",
            "B - AB 1234",
            "B -AB 1234",
            "B- AB 1234",
            "LÖ-AB 12",
            "TÜ-X 9",
            "SÜW-A 1",
            "DÜW-AB 12",
            "öhr-a 1",
            "HH-AB 1234",
            "BIT-AB 123",
            "BIT-A 1234",
            "BIT-A 123E",
            "B-A 1",
            "M-AB 1E",
        ] {
            assert_eq!(vehicle_plate(s), Ok(()), "{s:?}");
        }
    }

    #[test]
    fn plate_invalid() {
        for s in [
            "",
            " ",
            "B",
            "B-",
            "B-AB",
            "B-AB ",
            "AB 1234",
            "1234",
            // No separator between district and letters.
            "MAB123",
            "MAB 123",
            // Bad separators.
            "B--AB 1234",
            "B  AB 1234",
            "B  - AB 1234",
            "B -  AB 1234",
            "B_AB 1234",
            "B/AB 1234",
            "B.AB 1234",
            "B-AB-1234",
            "B-AB  1234",
            // District code too long.
            "BITB-AB 12",
            // Too many recognition letters.
            "B-ABC 123",
            "B-ABC123",
            // Umlauts are allowed in the district code only.
            "B-ÄB 12",
            "ß-AB 12",
            // Number.
            "B-AB 12345",
            "B-AB 0123",
            "B-AB 0",
            "B-AB 1 2",
            "B-AB 1.2",
            // Suffix.
            "B-AB 12X",
            "B-AB 12EH",
            "B-AB 12EE",
            "B-AB 12  E",
            "B-AB 12 ",
            "B-AB E",
            // Surrounding whitespace and junk.
            " B-AB 1234",
            "B-AB 1234 ",
            "B-AB 1234\n",
            "B-AB 1234!",
            "B\u{a0}AB 1234",
            // More than 8 letters and digits (suffix included).
            "BIT-AB 1234",
            "BIT-AB 123E",
            "HH-AB 1234E",
            "BIT-ZZ 999E",
            "😀-AB 12",
        ] {
            assert_eq!(vehicle_plate(s), Err(Invalid::VehiclePlate), "{s:?}");
        }
        assert_eq!(vehicle_plate(&"B".repeat(10_000)), Err(Invalid::VehiclePlate));
        assert_eq!(vehicle_plate(&"Ü-".repeat(10_000)), Err(Invalid::VehiclePlate));
        assert_eq!(vehicle_plate(&"B-AB 1234".repeat(1_000)), Err(Invalid::VehiclePlate));
    }

    #[test]
    fn plate_length_boundary() {
        // Exactly 8 letters and digits.
        assert_eq!(vehicle_plate("BIT-AB 123"), Ok(()));
        assert_eq!(vehicle_plate("HH-AB 1234"), Ok(()));
        assert_eq!(vehicle_plate("HH-AB 123E"), Ok(()));
        assert_eq!(vehicle_plate("BIT-A 123H"), Ok(()));
        // 9.
        assert_eq!(vehicle_plate("BIT-AB 123H"), Err(Invalid::VehiclePlate));
    }

    // ----- All checks --------------------------------------------------------------------------

    #[test]
    fn no_check_panics_on_odd_input() {
        let inputs = [
            String::new(),
            "\u{0}".to_string(),
            "\u{feff}".to_string(),
            "\u{202e}DE89370400440532013000".to_string(),
            "ẞ".repeat(10_000),
            "a\u{308}".repeat(5_000),
            "0".repeat(10_000),
            "-".repeat(10_000),
            "(".repeat(5_000) + &")".repeat(5_000),
            "😀".repeat(10_000),
            "@.".repeat(5_000),
        ];
        type Check = fn(&str) -> Result<(), Invalid>;
        let checks: [Check; 6] = [iban, postcode, steuer_id, email, phone, vehicle_plate];
        for input in &inputs {
            for check in checks {
                assert!(check(input).is_err());
            }
            let _ = normalize_iban(input);
            let _ = format_iban(input);
        }
    }
}
