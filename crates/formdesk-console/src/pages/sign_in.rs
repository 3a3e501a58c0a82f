//! The pages before a full session: "Anmelden" (login and password), "Bestätigungscode" (the TOTP code) and
//! "Konto einrichten" (the one-time setup link: the password set twice, with the rules shown).

use crate::pages::PageError;
use crate::pages::shell::Frame;
use askama::Template;

/// What the sign-in page says above the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInNotice {
    /// Login or password wrong (the same text whether or not the login exists).
    WrongCredentials,
    /// Too many failures: the next attempt is accepted after this many seconds.
    Throttled {
        /// Seconds to wait.
        seconds: u32,
    },
    /// The person signed out.
    SignedOut,
    /// The session ended (idle or at the end of the day).
    SessionExpired,
}

impl SignInNotice {
    fn is_error(&self) -> bool {
        matches!(self, SignInNotice::WrongCredentials | SignInNotice::Throttled { .. })
    }

    fn text(&self) -> String {
        match self {
            SignInNotice::WrongCredentials => "Anmeldename oder Passwort ist falsch.".to_owned(),
            // The same words as the throttle's own message.
            SignInNotice::Throttled { seconds } => format!(
                "Zu viele Versuche. Bitte in {} erneut versuchen.",
                crate::auth::throttle::duration_de(i64::from(*seconds))
            ),
            SignInNotice::SignedOut => "Sie haben sich abgemeldet.".to_owned(),
            SignInNotice::SessionExpired => "Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.".to_owned(),
        }
    }
}

/// "Anmelden": `GET/POST /admin/anmelden`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInPage {
    /// The pre-session CSRF token (from the short-lived `__Host-formdesk-pre` cookie).
    pub csrf: String,
    /// The login typed last time, shown again after a failure; never the password.
    pub login: String,
    /// An error or a note, if any.
    pub notice: Option<SignInNotice>,
}

#[derive(Template, Debug)]
#[template(path = "sign_in.html")]
struct SignInTemplate<'a> {
    frame: Frame,
    page: &'a SignInPage,
    error: Option<String>,
    info: Option<String>,
}

/// Renders "Anmelden".
pub fn render_sign_in(page: &SignInPage) -> Result<String, PageError> {
    let (error, info) = match &page.notice {
        Some(n) if n.is_error() => (Some(n.text()), None),
        Some(n) => (None, Some(n.text())),
        None => (None, None),
    };
    Ok(SignInTemplate { frame: Frame::public("Anmelden"), page, error, info }.render()?)
}

/// "Bestätigungscode": `POST /admin/anmelden/code`, after the password of an account with TOTP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecondFactorPage {
    /// The CSRF token of the password-only session.
    pub csrf: String,
    /// Whether the last code was wrong (or already used).
    pub wrong_code: bool,
}

#[derive(Template, Debug)]
#[template(path = "second_factor.html")]
struct SecondFactorTemplate<'a> {
    frame: Frame,
    page: &'a SecondFactorPage,
}

/// Renders "Bestätigungscode".
pub fn render_second_factor(page: &SecondFactorPage) -> Result<String, PageError> {
    Ok(SecondFactorTemplate { frame: Frame::public("Bestätigungscode"), page }.render()?)
}

/// Why a new password was refused (the rules of `docs/tenants.md`, section 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordProblem {
    /// Fewer than 12 characters.
    TooShort,
    /// More than 128 characters.
    TooLong,
    /// The same as the login.
    SameAsLogin,
    /// On the list of common passwords.
    TooCommon,
    /// The two entries differ.
    Mismatch,
    /// The current password (on the account page) was wrong.
    WrongCurrent,
}

impl PasswordProblem {
    /// The German sentence shown with the form.
    pub fn text(self) -> &'static str {
        match self {
            PasswordProblem::TooShort => "Das Passwort ist zu kurz: Es braucht mindestens 12 Zeichen.",
            PasswordProblem::TooLong => "Das Passwort ist zu lang: Es darf höchstens 128 Zeichen haben.",
            PasswordProblem::SameAsLogin => {
                "Das Passwort darf nicht Ihr Anmeldename sein. Bitte wählen Sie ein anderes."
            }
            PasswordProblem::TooCommon => {
                "Dieses Passwort ist zu verbreitet und leicht zu erraten. Bitte wählen Sie ein anderes."
            }
            PasswordProblem::Mismatch => {
                "Die beiden Eingaben stimmen nicht überein. Bitte geben Sie das Passwort zweimal gleich ein."
            }
            PasswordProblem::WrongCurrent => "Das bisherige Passwort ist falsch.",
        }
    }
}

/// "Konto einrichten": `GET/POST /admin/einrichten/<token>`, the one-time setup link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupPage {
    /// The pre-session CSRF token.
    pub csrf: String,
    /// The setup token from the link (it is the form's target).
    pub token: String,
    /// The account's login, shown so the person knows which account they set up.
    pub login: String,
    /// The account's display name.
    pub display_name: String,
    /// Until when the link is valid ("09.12.2026, 17:45").
    pub valid_until: String,
    /// Why the last attempt was refused, if it was.
    pub problem: Option<PasswordProblem>,
}

#[derive(Template, Debug)]
#[template(path = "setup.html")]
struct SetupTemplate<'a> {
    frame: Frame,
    page: &'a SetupPage,
    problem: Option<&'static str>,
}

/// Renders "Konto einrichten".
pub fn render_setup(page: &SetupPage) -> Result<String, PageError> {
    Ok(SetupTemplate {
        frame: Frame::public("Konto einrichten"),
        page,
        problem: page.problem.map(PasswordProblem::text),
    }
    .render()?)
}
