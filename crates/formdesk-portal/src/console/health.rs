//! The operator's "Zustand": the database's answer time, this instance, when each tenant's form-channel
//! signatures end (soonest first: a lapsed offline signature stops that tenant's desks from taking new form
//! sets; snapshot and timestamp only when the portal is late renewing them), the last audit checkpoint of the
//! operator's and each tenant's log, checked on request ("Alle Protokolle prüfen", the same check as `audit
//! verify`), and how many picked-up submissions are past their keeping time with their ciphertext still there
//! (the hourly purge should leave none).

use super::{Caller, Console, Input, not_found, page, time};
use crate::store::audit::AuditLog;
use crate::store::{AccountStore, Store, StoreError};
use axum::http::StatusCode;
use axum::response::Response;
use formdesk_console::pages::operator::{CheckpointRow, ExpiryRow, HealthPage, InstanceRow, render_health};

type Answer = Result<Response, StoreError>;

/// The German name of a signature of the form channel.
fn signature_name(role: &str) -> String {
    match role {
        "root" => "Wurzelschlüssel (Root)".to_owned(),
        "targets" => "Zuordnung der Schlüssel (Targets)".to_owned(),
        "snapshot" => "Inhaltsverzeichnis (Snapshot): nicht rechtzeitig erneuert".to_owned(),
        "timestamp" => "Zeitstempel: nicht rechtzeitig erneuert".to_owned(),
        formdesk_channel::layout::CATALOGUE_ROLE => "gemeinsamer Katalog".to_owned(),
        _ => "Formularstand der Verwaltung".to_owned(),
    }
}

pub async fn health<S: Store + AccountStore>(store: &S, console: &Console, input: &Input, caller: &Caller) -> Answer {
    let Some(operator) = caller.account().operator() else { return Ok(not_found(Some(&caller.viewer))) };
    let started = std::time::Instant::now();
    let database_ms = match store.ping().await {
        Ok(()) => Some(u32::try_from(started.elapsed().as_millis()).unwrap_or(u32::MAX)),
        Err(e) => {
            eprintln!("formdesk-portal: console: the database did not answer the health check: {e}");
            None
        }
    };
    let host = std::fs::read_to_string("/etc/hostname").map(|h| h.trim().to_owned()).unwrap_or_default();
    let instance =
        InstanceRow { name: format!("{host} (Prozess {})", std::process::id()), last_seen: time::minute(input.now) };
    let tenants = store.tenants(&operator).await?;
    let check = input.query_has("pruefen");
    let mut logs = vec![("Betrieb".to_owned(), AuditLog::operator(&operator))];
    logs.extend(tenants.iter().map(|t| (t.name.clone(), AuditLog::tenant(&t.tenant))));
    let mut checkpoints = Vec::new();
    for (name, log) in logs {
        let Some(last) = store.audit_checkpoints(log.clone()).await?.into_iter().last() else { continue };
        let verified = if check {
            let (verdict, _) = crate::audit::check(store, &log, console.audit_key()).await?;
            verdict.is_ok()
        } else {
            false
        };
        checkpoints.push(CheckpointRow {
            tenant: name,
            size: last.checkpoint.seq,
            at: time::minute(last.checkpoint.at),
            verified,
        });
    }
    let (channels, legacy, now) = (console.channels.clone(), console.legacy.clone(), input.now);
    let named: Vec<(String, crate::store::Tenant)> =
        tenants.iter().map(|t| (t.name.clone(), t.tenant.clone())).collect();
    let expiries = tokio::task::spawn_blocking(move || {
        let mut found: Vec<(i64, String, String)> = Vec::new();
        for (name, tenant) in named {
            let Some((repo, _)) = crate::channel::repository_for(&channels, legacy.as_ref(), &tenant) else { continue };
            // The portal renews snapshot and timestamp itself at half their life: shown only when that is late.
            let late = |role: &str, at: i64| match role {
                "timestamp" => at - now < formdesk_channel::layout::TIMESTAMP_HOURS * 3600 / 2,
                "snapshot" => at - now < formdesk_channel::layout::SNAPSHOT_HOURS * 3600 / 2,
                _ => true,
            };
            let signatures = repo.expiries().unwrap_or_default().into_iter().filter(|(role, at)| late(role, *at));
            found.extend(signatures.map(|(role, at)| (at, name.clone(), role)));
        }
        found.sort();
        found
            .into_iter()
            .map(|(at, tenant, role)| ExpiryRow {
                tenant,
                what: signature_name(&role),
                expires: time::day(at),
                days_left: (at - now).div_euclid(86_400),
            })
            .collect::<Vec<_>>()
    })
    .await
    .unwrap_or_default();
    let backlog = store.purge_backlog(&operator, input.now.saturating_sub(console.keep_after_pickup)).await?;
    let shown = HealthPage {
        database_ms,
        instances: vec![instance],
        expiries,
        purge_backlog: Some(backlog),
        checkpoints,
        checked: check,
    };
    Ok(page(StatusCode::OK, render_health(&caller.viewer, &shown)))
}
