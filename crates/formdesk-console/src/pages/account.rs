//! "Konto": the signed-in person's own account: change the password, switch the two-factor sign-in (TOTP) on
//! with its QR code and a first code, or off.

use crate::pages::shell::{Frame, Section};
use crate::pages::sign_in::PasswordProblem;
use crate::pages::{PageError, Viewer, qr};
use askama::Template;

/// Where the account's two-factor sign-in stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Totp {
    /// Off.
    Off,
    /// Being set up: the secret is shown until the person confirms it with a code.
    SettingUp {
        /// `otpauth://totp/Formdesk:<login>?secret=…&issuer=Formdesk`, shown as a QR code.
        uri: String,
        /// The secret in base32, grouped for typing by hand ("JBSW Y3DP EHPK 3PXP").
        secret: String,
        /// Whether the last code was wrong.
        wrong_code: bool,
    },
    /// On.
    On {
        /// Whether it may be switched off (not for operator accounts, which require it).
        may_switch_off: bool,
    },
}

/// A confirmation after a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountNotice {
    /// The password was changed.
    PasswordChanged,
    /// Two-factor sign-in was switched on.
    TotpOn,
    /// Two-factor sign-in was switched off.
    TotpOff,
}

impl AccountNotice {
    fn text(self) -> &'static str {
        match self {
            AccountNotice::PasswordChanged => "Ihr Passwort ist geändert.",
            AccountNotice::TotpOn => "Die Zwei-Faktor-Anmeldung ist eingeschaltet.",
            AccountNotice::TotpOff => "Die Zwei-Faktor-Anmeldung ist ausgeschaltet.",
        }
    }
}

/// `GET/POST /admin/konto`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountPage {
    /// The login.
    pub login: String,
    /// Two-factor sign-in.
    pub totp: Totp,
    /// Why the last password change was refused.
    pub password_problem: Option<PasswordProblem>,
    /// A confirmation to show.
    pub notice: Option<AccountNotice>,
}

#[derive(Template, Debug)]
#[template(path = "account.html")]
struct AccountTemplate<'a> {
    frame: Frame,
    viewer: &'a Viewer,
    page: &'a AccountPage,
    roles: String,
    notice: Option<&'static str>,
    password_problem: Option<&'static str>,
    qr_svg: Option<String>,
}

/// Renders "Konto".
pub fn render_account(viewer: &Viewer, page: &AccountPage) -> Result<String, PageError> {
    let qr_svg = match &page.totp {
        Totp::SettingUp { uri, .. } => {
            Some(qr::svg(uri, "QR-Code für die Authenticator-App; der Schlüssel steht auch als Text daneben")?)
        }
        _ => None,
    };
    Ok(AccountTemplate {
        frame: Frame::for_viewer("Mein Konto", viewer, Some(Section::Account)),
        viewer,
        page,
        roles: viewer.roles.iter().map(|r| r.label()).collect::<Vec<_>>().join(", "),
        notice: page.notice.map(AccountNotice::text),
        password_problem: page.password_problem.map(PasswordProblem::text),
        qr_svg,
    }
    .render()?)
}
