//! "Eingang": counts per destination, never contents; inbox users pick up their destinations' submissions.

use crate::pages::shell::{Frame, Section};
use crate::pages::{PageError, Viewer};
use askama::Template;

/// One destination's counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxRow {
    /// The destination's id (used in the pickup link).
    pub destination_id: String,
    /// Its name.
    pub name: String,
    /// The tenant's name, on the operator's page (which shows all tenants); `None` otherwise.
    pub tenant: Option<String>,
    /// Announced but not complete yet.
    pub announced: u64,
    /// Complete and waiting for pickup.
    pub waiting: u64,
    /// Picked up in the last 7 days.
    pub picked_up_7_days: u64,
    /// When the oldest waiting one arrived ("01.12.2026, 09:03"), if any wait.
    pub oldest_waiting: Option<String>,
    /// Whether the viewer may pick up this destination's submissions (an inbox user bound to it).
    pub may_pick_up: bool,
    /// Whether the last pickup is still kept (`--keep-after-pickup`) and can be downloaded again.
    pub may_download_again: bool,
}

/// `GET /admin/eingang`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxPage {
    /// The destinations the viewer may see.
    pub rows: Vec<InboxRow>,
}

#[derive(Template, Debug)]
#[template(path = "inbox.html")]
struct InboxTemplate<'a> {
    frame: Frame,
    viewer: &'a Viewer,
    page: &'a InboxPage,
    with_tenant: bool,
}

/// Renders "Eingang". "Abholen" appears only for an inbox user and only on rows marked `may_pick_up`.
pub fn render_inbox(viewer: &Viewer, page: &InboxPage) -> Result<String, PageError> {
    Ok(InboxTemplate {
        frame: Frame::for_viewer("Eingang", viewer, Some(Section::Inbox)),
        viewer,
        page,
        with_tenant: page.rows.iter().any(|r| r.tenant.is_some()),
    }
    .render()?)
}
