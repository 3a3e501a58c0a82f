//! "Formulare": the tenant's forms in its current sets, one form's versions with the desks that run them and
//! its import report, and "Formularstand hochladen", where a form editor's signed bundle is checked and
//! installed ([`crate::bundle::install`]). The console never signs: the bundle was signed with the tenant's
//! key on the editor's machine (docs/tenants.md, section 3).

use super::{Caller, Console, Input, not_found, page, time};
use crate::store::{AccountStore, Store, StoreError, Tenant};
use axum::http::StatusCode;
use axum::response::Response;
use formdesk_channel::manifest::{FormEntry, FormState as SetState};
use formdesk_channel::{Channel, Repo, SetManifest};
use formdesk_console::pages::forms::{
    FormPage, FormRow, FormState, FormVersionRow, FormsPage, ImportReport, Origin, Rollout, render_form, render_forms,
};

type Answer = Result<Response, StoreError>;

/// The tenant's repository and its two current manifests (pilot, all); `None` without a repository.
pub async fn form_sets(console: &Console, tenant: &Tenant) -> Option<(Repo, Option<SetManifest>, Option<SetManifest>)> {
    let (channels, legacy, tenant) = (console.channels.clone(), console.legacy.clone(), tenant.clone());
    tokio::task::spawn_blocking(move || {
        let (repo, _) = crate::channel::repository_for(&channels, legacy.as_ref(), &tenant)?;
        let pilot = repo.manifest(Channel::Pilot).ok().flatten();
        let all = repo.manifest(Channel::All).ok().flatten();
        Some((repo, pilot, all))
    })
    .await
    .ok()
    .flatten()
}

fn state(entry: &FormEntry) -> FormState {
    match entry.state {
        SetState::Open => FormState::Open,
        SetState::Closing => FormState::Closing { on: String::new() },
        SetState::Withdrawn => FormState::Withdrawn,
    }
}

/// The German title of a form definition, or its id.
fn title(repo: &Repo, entry: &FormEntry) -> String {
    head(repo, entry).map_or_else(|| entry.id.clone(), |h| h.title)
}

/// What the console shows of a form definition in the repository: its German title and its destination.
pub struct Head {
    /// `title.de`, or the form's id.
    pub title: String,
    /// `destination`, empty if it names none.
    pub destination: String,
}

/// The [`Head`] of `entry`'s definition; `None` if the file is not there or not JSON.
pub fn head(repo: &Repo, entry: &FormEntry) -> Option<Head> {
    let json: serde_json::Value = serde_json::from_slice(&repo.file(&entry.file).ok()?).ok()?;
    Some(Head {
        title: json["title"]["de"].as_str().unwrap_or(&entry.id).to_owned(),
        destination: json["destination"].as_str().unwrap_or_default().to_owned(),
    })
}

/// "Formulare": every form of the set for all desks, then what only the pilot desks have (another version or
/// a new form). `notice` and `problem` are an upload's outcome.
pub async fn forms(console: &Console, caller: &Caller, notice: Option<String>, problem: Option<String>) -> Answer {
    let Some(tenant) = caller.account().tenant() else { return Ok(not_found(Some(&caller.viewer))) };
    let sets = form_sets(console, tenant).await;
    let own_prefix = format!("t{}.", tenant.ars());
    let mut rows: Vec<FormRow> = Vec::new();
    let mut version = 0;
    if let Some((repo, pilot, all)) = &sets {
        version = pilot.iter().chain(all.iter()).map(|m| m.set_version).max().unwrap_or(0);
        let repo = repo.clone();
        let (pilot, all) = (pilot.clone(), all.clone());
        let prefix = own_prefix.clone();
        rows = tokio::task::spawn_blocking(move || {
            let mut rows: Vec<FormRow> = Vec::new();
            for (manifest, rollout) in [(&all, Rollout::All), (&pilot, Rollout::Pilot)] {
                let Some(manifest) = manifest else { continue };
                for f in &manifest.forms {
                    if rows.iter().any(|r| r.id == f.id && r.version == f.version) {
                        continue;
                    }
                    let origin = if f.file.target.starts_with(&prefix) { Origin::Own } else { Origin::Catalogue };
                    rows.push(FormRow {
                        id: f.id.clone(),
                        title: title(&repo, f),
                        version: f.version.clone(),
                        state: state(f),
                        rollout,
                        origin,
                    });
                }
            }
            rows
        })
        .await
        .unwrap_or_default();
    }
    rows.sort_by(|a, b| a.title.cmp(&b.title).then(a.id.cmp(&b.id)));
    let status = if problem.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let forms_page = FormsPage { forms: rows, form_set_version: version, notice, problem };
    Ok(page(status, render_forms(&caller.viewer, &forms_page)))
}

/// "Formularstand hochladen": the bundle checked and installed in the caller's tenant's repository; the list
/// again with what happened. A refused bundle changes nothing and is named on the page.
pub async fn upload<S: Store + AccountStore>(store: &S, console: &Console, input: &Input, caller: &Caller) -> Answer {
    let Some(tenant) = caller.account().tenant() else { return Ok(not_found(Some(&caller.viewer))) };
    let refuse = |text: &str| forms(console, caller, None, Some(text.to_owned()));
    let Some((_, bytes)) = input.upload.as_ref().filter(|(name, bytes)| name == "paket" && !bytes.is_empty()) else {
        return refuse("Bitte wählen Sie ein Formularpaket (Datei mit der Endung .fdb).").await;
    };
    // Only the tenant's own repository takes bundles; the single repository from before tenants is signed on
    // the portal's machine.
    let channels = console.channels.clone();
    let scope = formdesk_channel::Scope::tenant(tenant.ars().as_str()).map_err(StoreError::Database)?;
    let by = caller.account().display_name.clone();
    let bytes = bytes.clone();
    let now = chrono::DateTime::from_timestamp(input.now, 0).unwrap_or_else(chrono::Utc::now);
    let result = tokio::task::spawn_blocking(move || {
        let dir = crate::channel::tenant_dir(&channels, &scope);
        let repo = Repo::open(&dir).ok().filter(|r| *r.scope() == scope).ok_or_else(|| {
            "Ihre Verwaltung hat noch keinen eigenen Formularkanal. Der Betrieb richtet ihn mit Ihrem öffentlichen \
             Schlüssel ein (forms channel-init)."
                .to_owned()
        })?;
        crate::bundle::install(&repo, &bytes, &by, now)
    })
    .await
    .map_err(|e| StoreError::Database(format!("the upload's check stopped: {e}")))?;
    match result {
        Ok(installed) => {
            let channels: Vec<String> = installed.changed.iter().map(|(c, _)| c.to_string()).collect();
            let set_version = installed.changed.iter().map(|(_, m)| m.set_version).max().unwrap_or(0);
            crate::console::audit::record_upload(
                store,
                caller.account(),
                installed.role_version,
                set_version,
                &channels.join(","),
                input.now,
            )
            .await;
            let what = installed
                .changed
                .iter()
                .map(|(c, m)| {
                    let whom = if *c == Channel::Pilot { "die Pilotgeräte" } else { "alle Geräte" };
                    format!("Formularstand {} für {whom} ({} Formulare)", m.set_version, m.forms.len())
                })
                .collect::<Vec<_>>()
                .join("; ");
            let notice = if what.is_empty() {
                "Formularpaket übernommen; die Formularstände sind unverändert.".to_owned()
            } else {
                format!("Formularpaket übernommen: {what}. Die Geräte holen ihn bei der nächsten Verbindung ab.")
            };
            forms(console, caller, Some(notice), None).await
        }
        Err(text) => refuse(&text).await,
    }
}

/// One form: the versions in the current sets, newest first, who uploaded each, which desks run it, and
/// the import report of an imported form. A form the tenant's sets do not have is the 404 page.
pub async fn form<S: Store + AccountStore>(store: &S, console: &Console, input: &Input, caller: &Caller) -> Answer {
    let Some(tenant) = caller.account().tenant() else { return Ok(not_found(Some(&caller.viewer))) };
    let id = input.ids[0].clone();
    let Some((repo, pilot, all)) = form_sets(console, tenant).await else {
        return Ok(not_found(Some(&caller.viewer)));
    };
    if !pilot.iter().chain(&all).any(|m| m.form(&id).is_some()) {
        return Ok(not_found(Some(&caller.viewer)));
    }
    let devices = store.devices(tenant).await?;
    let reports = store.devices_forms(tenant).await?;
    let own_prefix = format!("t{}.", tenant.ars());
    let built = tokio::task::spawn_blocking(move || {
        let uploads = repo.uploads();
        // Which version of this form each desk runs, from the manifest it last reported.
        let mut runs: Vec<(String, String)> = Vec::new();
        for report in &reports {
            let Some(stored) = &report.report else { continue };
            let Ok(channel) = stored.set_channel.parse::<Channel>() else { continue };
            let Some(manifest) = repo.manifest_by_sha(channel, &stored.manifest_sha256) else { continue };
            if let (Some(f), Some(device)) =
                (manifest.form(&id), devices.iter().find(|d| d.id == report.device_id && d.revoked_at.is_none()))
            {
                runs.push((f.file.sha256.clone(), device.name.clone()));
            }
        }
        let mut versions: Vec<FormVersionRow> = Vec::new();
        let mut first: Option<FormEntry> = None;
        for (manifest, rollout) in [(&all, Rollout::All), (&pilot, Rollout::Pilot)] {
            let Some(f) = manifest.as_ref().and_then(|m| m.form(&id)) else { continue };
            first.get_or_insert_with(|| f.clone());
            if versions.iter().any(|v| v.sha256 == f.file.sha256) {
                continue;
            }
            let upload = uploads.iter().find(|u| u.forms.iter().any(|(i, _, sha)| *i == id && *sha == f.file.sha256));
            versions.push(FormVersionRow {
                version: f.version.clone(),
                sha256: f.file.sha256.clone(),
                state: state(f),
                rollout,
                desks: runs.iter().filter(|(sha, _)| *sha == f.file.sha256).map(|(_, n)| n.clone()).collect(),
                uploaded_at: upload
                    .and_then(|u| chrono::DateTime::parse_from_rfc3339(&u.uploaded_at).ok())
                    .map_or_else(|| "vor Einführung der Konsole".to_owned(), |t| time::minute(t.timestamp())),
                uploaded_by: upload.map_or_else(|| "Betrieb".to_owned(), |u| u.uploaded_by.clone()),
            });
        }
        versions.sort_by(|a, b| b.version.cmp(&a.version));
        let entry = first?;
        let report = repo.import_report(&entry.id, &entry.version).map(|json| ImportReport::from_json(&json));
        let origin = if entry.file.target.starts_with(&own_prefix) { Origin::Own } else { Origin::Catalogue };
        Some(FormPage { id: entry.id.clone(), title: title(&repo, &entry), origin, versions, report })
    })
    .await
    .ok()
    .flatten();
    match built {
        Some(form_page) => Ok(page(StatusCode::OK, render_form(&caller.viewer, &form_page))),
        None => Ok(not_found(Some(&caller.viewer))),
    }
}

/// A form's import report as the import wrote it, to download ("Bericht als JSON"); the 404 page for a form
/// the tenant's sets do not have or one without a report.
pub async fn report(console: &Console, input: &Input, caller: &Caller) -> Answer {
    let Some(tenant) = caller.account().tenant() else { return Ok(not_found(Some(&caller.viewer))) };
    let id = input.ids[0].clone();
    let Some((repo, pilot, all)) = form_sets(console, tenant).await else {
        return Ok(not_found(Some(&caller.viewer)));
    };
    let Some(version) = all.iter().chain(pilot.iter()).find_map(|m| m.form(&id)).map(|f| f.version.clone()) else {
        return Ok(not_found(Some(&caller.viewer)));
    };
    let Some(json) = repo.import_report(&id, &version) else { return Ok(not_found(Some(&caller.viewer))) };
    let body = serde_json::to_vec_pretty(&json).unwrap_or_default();
    let mut response = axum::response::IntoResponse::into_response((StatusCode::OK, body));
    let headers = response.headers_mut();
    headers.insert(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static("application/json"));
    if let Ok(value) =
        axum::http::HeaderValue::from_str(&format!("attachment; filename=\"importbericht-{id}-{version}.json\""))
    {
        headers.insert(axum::http::header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// "Zum Pilotgerät machen" / "Auf alle Geräte stellen": which channel a desk of the caller's tenant reads
/// from its next check on; another tenant's desk, or none, is the 404 page.
pub async fn device_channel<S: Store + AccountStore>(store: &S, input: &Input, caller: &Caller) -> Answer {
    use formdesk_protocol::wire::FormsChannelName;
    let Some(tenant) = caller.account().tenant() else { return Ok(not_found(Some(&caller.viewer))) };
    let id = input.ids[0].clone();
    if formdesk_protocol::ids::check_uuid("device id", &id).is_err() {
        return Ok(not_found(Some(&caller.viewer)));
    }
    let channel = match input.field("kanal") {
        "pilot" => FormsChannelName::Pilot,
        "alle" => FormsChannelName::All,
        _ => {
            return Ok(super::error_page(Some(&caller.viewer), formdesk_console::pages::errors::ErrorKind::BadRequest));
        }
    };
    let by = crate::console::audit::actor(caller.account());
    match store.set_forms_channel(tenant, id, channel, input.now, &by).await? {
        Some(_) => Ok(super::see_other("/admin/geraete", None)),
        None => Ok(not_found(Some(&caller.viewer))),
    }
}
