//! "Geräte": a tenant's desks, enrolling one ("Gerät eingerichtet" shows the one-time code) and revoking one
//! (with a confirmation page).

use crate::pages::shell::{Frame, Section};
use crate::pages::{PageError, Viewer, qr};
use askama::Template;

/// Where a desk stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceState {
    /// Enrolled and not revoked.
    Enrolled,
    /// Created, its one-time code not used yet.
    CodeOpen {
        /// Until when the code is valid ("06.12.2026, 19:30").
        until: String,
    },
    /// Revoked: its requests are refused.
    Revoked,
}

impl DeviceState {
    /// The German text of the state.
    pub fn label(&self) -> String {
        match self {
            DeviceState::Enrolled => "eingerichtet".to_owned(),
            DeviceState::CodeOpen { until } => format!("Code offen bis {until}"),
            DeviceState::Revoked => "gesperrt".to_owned(),
        }
    }

    fn css(&self) -> &'static str {
        match self {
            DeviceState::Enrolled => "state state--ok",
            DeviceState::CodeOpen { .. } => "state state--open",
            DeviceState::Revoked => "state state--off",
        }
    }
}

/// Which form sets a desk receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// New form sets first (a pilot desk).
    Pilot,
    /// Form sets once promoted to all desks.
    All,
}

impl Channel {
    /// The German text.
    pub fn label(self) -> &'static str {
        match self {
            Channel::Pilot => "Pilotgerät",
            Channel::All => "alle Geräte",
        }
    }
}

/// One desk in the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRow {
    /// The desk's id (used in links).
    pub id: String,
    /// Its name ("Bürgerbüro Platz 2").
    pub name: String,
    /// Its state.
    pub state: DeviceState,
    /// Its channel.
    pub channel: Channel,
    /// The form set it runs ("Stand 14"), if it has reported one.
    pub form_set: Option<String>,
    /// The version of the desk app it runs ("0.0.2"), if it has reported one.
    pub app_version: Option<String>,
    /// Its last contact ("06.12.2026, 17:12"), if any.
    pub last_contact: Option<String>,
    /// The error of its last check, in German, if it had one.
    pub error: Option<String>,
}

/// `GET /admin/geraete`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevicesPage {
    /// The desks, in the order to show.
    pub devices: Vec<DeviceRow>,
}

#[derive(Template, Debug)]
#[template(path = "devices.html")]
struct DevicesTemplate<'a> {
    frame: Frame,
    viewer: &'a Viewer,
    page: &'a DevicesPage,
}

/// Renders "Geräte". Device administrators see "Gerät einrichten" and "Sperren"; form editors see the
/// channel buttons and nothing else that changes a desk.
pub fn render_devices(viewer: &Viewer, page: &DevicesPage) -> Result<String, PageError> {
    Ok(DevicesTemplate { frame: Frame::for_viewer("Geräte", viewer, Some(Section::Devices)), viewer, page }.render()?)
}

/// "Gerät eingerichtet": the answer to `POST /admin/geraete`, shown once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceEnrolledPage {
    /// The new desk's name.
    pub device_name: String,
    /// The one-time code as the clerk types it ("K7QF-M2XD-9TPA").
    pub code: String,
    /// Until when the code is valid ("06.12.2026, 19:30").
    pub valid_until: String,
    /// What the QR code carries: `formdesk-enrol:<portal URL>#<code>`.
    pub qr_text: String,
}

#[derive(Template, Debug)]
#[template(path = "device_enrolled.html")]
struct DeviceEnrolledTemplate<'a> {
    frame: Frame,
    page: &'a DeviceEnrolledPage,
    qr_svg: String,
}

/// Renders "Gerät eingerichtet" with the code in large type and as a QR code.
pub fn render_device_enrolled(viewer: &Viewer, page: &DeviceEnrolledPage) -> Result<String, PageError> {
    let qr_svg = qr::svg(&page.qr_text, &format!("QR-Code mit dem Einrichtungscode {}", page.code))?;
    Ok(DeviceEnrolledTemplate {
        frame: Frame::for_viewer("Gerät eingerichtet", viewer, Some(Section::Devices)),
        page,
        qr_svg,
    }
    .render()?)
}

/// "Gerät sperren": the confirmation before `POST /admin/geraete/{id}/sperren`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevokeDevicePage {
    /// The desk's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its last contact, if any.
    pub last_contact: Option<String>,
}

#[derive(Template, Debug)]
#[template(path = "device_revoke.html")]
struct RevokeDeviceTemplate<'a> {
    frame: Frame,
    viewer: &'a Viewer,
    page: &'a RevokeDevicePage,
}

/// Renders "Gerät sperren".
pub fn render_revoke_device(viewer: &Viewer, page: &RevokeDevicePage) -> Result<String, PageError> {
    Ok(RevokeDeviceTemplate {
        frame: Frame::for_viewer("Gerät sperren", viewer, Some(Section::Devices)), viewer, page
    }
    .render()?)
}
