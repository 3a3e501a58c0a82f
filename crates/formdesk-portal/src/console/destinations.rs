//! "Ziele": the tenant's destinations (the authorities its submissions are sealed for), the forms of its
//! current sets that send to each, the forms whose destination is missing, and "Ziel hinzufügen" with the
//! authority's public key as a PEM file (form editors). An inbox user sees only their own destinations.

use super::{Caller, Console, Input, not_found, page, see_other};
use crate::store::{AccountStore, Destination, Store, StoreError};
use axum::http::StatusCode;
use axum::response::Response;
use formdesk_console::auth::Role;
use formdesk_console::pages::destinations::{
    DestinationProblem, DestinationRow, DestinationsPage, render_destinations,
};
use formdesk_protocol::ids;

type Answer = Result<Response, StoreError>;

/// `(destination id, form title)` of every form in the tenant's current sets.
async fn form_destinations(console: &Console, tenant: &crate::store::Tenant) -> Vec<(String, String)> {
    let Some((repo, pilot, all)) = super::forms::form_sets(console, tenant).await else { return Vec::new() };
    tokio::task::spawn_blocking(move || {
        let mut out: Vec<(String, String)> = Vec::new();
        for f in pilot.iter().chain(all.iter()).flat_map(|m| m.forms.iter()) {
            let Some(head) = super::forms::head(&repo, f) else { continue };
            let found = (head.destination, head.title);
            if !out.contains(&found) {
                out.push(found);
            }
        }
        out.sort_by(|a, b| a.1.cmp(&b.1));
        out
    })
    .await
    .unwrap_or_default()
}

/// "Ziele", with `problem` from a refused "Ziel hinzufügen".
pub async fn list<S: Store>(
    store: &S,
    console: &Console,
    caller: &Caller,
    problem: Option<DestinationProblem>,
) -> Answer {
    let account = caller.account();
    let Some(tenant) = account.tenant() else { return Ok(not_found(Some(&caller.viewer))) };
    let sees_all = account.has(Role::FormEditor);
    let destinations = store.destinations(tenant).await?;
    let forms = form_destinations(console, tenant).await;
    let rows = destinations
        .iter()
        .filter(|d| sees_all || account.destinations.contains(&d.id))
        .map(|d| DestinationRow {
            id: d.id.clone(),
            name: d.name.clone(),
            kid: d.key_id.clone(),
            forms: forms.iter().filter(|(to, _)| *to == d.id).map(|(_, title)| title.clone()).collect(),
        })
        .collect();
    let without: Vec<String> = if sees_all {
        forms.iter().filter(|(to, _)| !destinations.iter().any(|d| d.id == *to)).map(|(_, t)| t.clone()).collect()
    } else {
        Vec::new()
    };
    let status = if problem.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let listed = DestinationsPage { destinations: rows, forms_without_destination: without, problem };
    Ok(page(status, render_destinations(&caller.viewer, &listed)))
}

/// "Ziel hinzufügen": a new id, a name, and the authority's public RSA key (PEM). An id the tenant has is
/// refused here; replacing a key stays with `destinations add` on the command line.
pub async fn add<S: Store + AccountStore>(store: &S, console: &Console, input: &Input, caller: &Caller) -> Answer {
    let Some(tenant) = caller.account().tenant() else { return Ok(not_found(Some(&caller.viewer))) };
    let refuse = |problem| list(store, console, caller, Some(problem));
    let id = input.field("kennung").trim().to_owned();
    let name = input.field("name").trim().to_owned();
    if name.is_empty() {
        return refuse(DestinationProblem::NameMissing).await;
    }
    if ids::check_destination_id(&id).is_err() {
        return refuse(DestinationProblem::IdInvalid).await;
    }
    if store.destinations(tenant).await?.iter().any(|d| d.id == id) {
        return refuse(DestinationProblem::IdTaken).await;
    }
    let pem = input.upload.as_ref().filter(|(field, _)| field == "schluessel").map(|(_, b)| b.clone());
    let recipient = pem
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| formdesk_seal::RecipientKey::from_pem(&text).ok());
    let Some(recipient) = recipient else { return refuse(DestinationProblem::KeyUnreadable).await };
    let destination = Destination { id, name, key_id: recipient.key_id(), public_key: recipient.to_spki_der() };
    let by = crate::console::audit::actor(caller.account());
    store.put_destination(tenant, destination, input.now, &by).await?;
    Ok(see_other("/admin/ziele", None))
}
