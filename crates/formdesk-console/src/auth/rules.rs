//! What a new password must be: 12 to 128 characters, not the login nor containing it, and not one of the
//! most common passwords (`common-passwords.txt`, compared without regard to case).
//!
//! Length is counted in characters (`ä` is one), not bytes. There are no composition rules ("a digit, a
//! capital"): they add little against guessing and push people to `Passwort1!` (NIST SP 800-63B, 5.1.1.2).
//! The upper bound keeps a hash request cheap to receive; it does not weaken anything a person types.

/// The fewest characters a password may have.
pub const MIN_LEN: usize = 12;
/// The most characters a password may have.
pub const MAX_LEN: usize = 128;

const COMMON: &str = include_str!("common-passwords.txt");

/// Why a new password was refused; [`PasswordRefusal::message`] is the German sentence for the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordRefusal {
    /// Fewer than [`MIN_LEN`] characters.
    TooShort,
    /// More than [`MAX_LEN`] characters.
    TooLong,
    /// The password is the login or contains it.
    ContainsLogin,
    /// The password is on the list of common passwords.
    Common,
}

impl PasswordRefusal {
    /// The sentence shown under the password field.
    pub fn message(self) -> &'static str {
        match self {
            Self::TooShort => "Das Passwort muss mindestens 12 Zeichen lang sein.",
            Self::TooLong => "Das Passwort darf höchstens 128 Zeichen lang sein.",
            Self::ContainsLogin => "Das Passwort darf den Anmeldenamen nicht enthalten.",
            Self::Common => "Dieses Passwort ist zu verbreitet und leicht zu erraten. Bitte wählen Sie ein anderes.",
        }
    }
}

impl std::fmt::Display for PasswordRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

/// Checks a new password for the account `login`; the first rule it breaks is returned.
pub fn check_password_rules(password: &str, login: &str) -> Result<(), PasswordRefusal> {
    let len = password.chars().count();
    if len < MIN_LEN {
        return Err(PasswordRefusal::TooShort);
    }
    if len > MAX_LEN {
        return Err(PasswordRefusal::TooLong);
    }
    let folded = password.to_lowercase();
    let login = login.trim().to_lowercase();
    if !login.is_empty() && folded.contains(&login) {
        return Err(PasswordRefusal::ContainsLogin);
    }
    if is_common(&folded) {
        return Err(PasswordRefusal::Common);
    }
    Ok(())
}

/// Whether a password (already in lower case) is on the list.
fn is_common(folded: &str) -> bool {
    common_passwords().any(|entry| entry.to_lowercase() == folded)
}

/// The list's entries, comments and blank lines left out.
pub fn common_passwords() -> impl Iterator<Item = &'static str> {
    COMMON.lines().map(str::trim).filter(|line| !line.is_empty() && !line.starts_with('#'))
}
