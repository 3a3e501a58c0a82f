//! [`AccountStore`] on SQLite. Statements on an account's rows name its `tenant_id` (`IS`, which also
//! matches the operator's `NULL`); the lookups that check a credential are the only ones without a tenant.

use super::SqliteStore;
use crate::store::accounts::{
    Account, AccountStore, FAILURES_KEPT_SECONDS, Failures, InboxCounts, NewAccount, NewSession, Session, check_roles,
    login_taken, stored_role,
};
use crate::store::tenants::stored_ars;
use crate::store::{Operator, Refusal, StoreError, Tenant};
use rusqlite::{Connection, OptionalExtension, params};

const ACCOUNT_SELECT: &str = "SELECT a.id, a.tenant_id, t.ars, a.login, a.display_name, a.password, a.totp_secret,
        a.totp_last_step, a.setup_token_sha256 IS NOT NULL, a.created_at, a.disabled_at, t.name
    FROM accounts a LEFT JOIN tenants t ON t.id = a.tenant_id";

type Raw = (
    String,
    Option<i64>,
    Option<String>,
    String,
    String,
    Option<String>,
    Option<Vec<u8>>,
    Option<i64>,
    bool,
    i64,
    Option<i64>,
    Option<String>,
);

fn raw(r: &rusqlite::Row<'_>) -> rusqlite::Result<Raw> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
        r.get(10)?,
        r.get(11)?,
    ))
}

/// An account from its row, roles and destinations read too; and its tenant's name.
fn account(conn: &Connection, raw: Raw) -> Result<(Account, Option<String>), StoreError> {
    let (
        id,
        tenant_id,
        ars,
        login,
        display_name,
        password,
        totp_secret,
        totp_last_step,
        setup_pending,
        created_at,
        disabled_at,
        tenant_name,
    ) = raw;
    let tenant = match (tenant_id, ars) {
        (Some(tid), Some(ars)) => Some(Tenant::new(tid, stored_ars(&ars)?)),
        (None, _) => None,
        (Some(_), None) => return Err(StoreError::Corrupt(format!("account {id} has a tenant that does not exist"))),
    };
    let mut stmt =
        conn.prepare_cached("SELECT role FROM account_roles WHERE account_id = ?1 AND tenant_id IS ?2 ORDER BY role")?;
    let roles = stmt
        .query_map(params![id, tenant_id], |r| r.get::<_, String>(0))?
        .map(|r| r.map_err(StoreError::from).and_then(|name| stored_role(&name)))
        .collect::<Result<Vec<_>, _>>()?;
    let mut stmt = conn.prepare_cached(
        "SELECT destination_id FROM account_destinations WHERE account_id = ?1 AND tenant_id IS ?2
         ORDER BY destination_id",
    )?;
    let destinations = stmt.query_map(params![id, tenant_id], |r| r.get(0))?.collect::<Result<Vec<String>, _>>()?;
    let account = Account {
        id,
        tenant,
        login,
        display_name,
        password,
        totp_secret,
        totp_last_step,
        roles,
        destinations,
        setup_pending,
        created_at,
        disabled_at,
    };
    Ok((account, tenant_name))
}

fn one(conn: &Connection, condition: &str, value: &str) -> Result<Option<(Account, Option<String>)>, StoreError> {
    let sql = format!("{ACCOUNT_SELECT} WHERE {condition}");
    let found = conn.query_row(&sql, [value], raw).optional()?;
    found.map(|r| account(conn, r)).transpose()
}

fn tenant_id(account: &Account) -> Option<i64> {
    account.tenant().map(Tenant::id)
}

impl AccountStore for SqliteStore {
    async fn add_account(&self, _: &Operator, new: NewAccount) -> Result<Account, StoreError> {
        check_roles(new.tenant.is_some(), &new.roles, &new.destinations)?;
        self.write(move |tx| {
            let tenant = new.tenant.as_ref().map(Tenant::id);
            let taken: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM accounts WHERE lower(login) = lower(?1)) /* all tenants: logins are unique */",
                [&new.login],
                |r| r.get(0),
            )?;
            if taken {
                return Err(login_taken(&new.login));
            }
            tx.execute(
                "INSERT INTO accounts (id, tenant_id, login, display_name, setup_token_sha256, setup_expires_at,
                                       created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    new.id,
                    tenant,
                    new.login,
                    new.display_name,
                    new.setup_token_sha256,
                    new.setup_expires_at,
                    new.created_at
                ],
            )?;
            for role in &new.roles {
                tx.execute(
                    "INSERT INTO account_roles (account_id, tenant_id, role) VALUES (?1, ?2, ?3)",
                    params![new.id, tenant, role.db_name()],
                )?;
            }
            for destination in &new.destinations {
                let known: bool = tx.query_row(
                    "SELECT EXISTS (SELECT 1 FROM destinations WHERE tenant_id IS ?1 AND id = ?2)",
                    params![tenant, destination],
                    |r| r.get(0),
                )?;
                if !known {
                    return Err(StoreError::refused(
                        Refusal::UnknownDestination,
                        format!("destination {destination} is not known to this tenant"),
                    ));
                }
                tx.execute(
                    "INSERT INTO account_destinations (account_id, tenant_id, destination_id) VALUES (?1, ?2, ?3)",
                    params![new.id, tenant, destination],
                )?;
            }
            one(tx, "a.id = ?1", &new.id)?
                .map(|(a, _)| a)
                .ok_or_else(|| StoreError::Database("the new account was not found".into()))
        })
        .await
    }

    async fn accounts(&self, _: &Operator, tenant: Option<&Tenant>) -> Result<Vec<Account>, StoreError> {
        let tenant = tenant.map(Tenant::id);
        self.call(move |conn| {
            let sql = format!("{ACCOUNT_SELECT} WHERE ?1 IS NULL OR a.tenant_id = ?1 ORDER BY a.login");
            let mut stmt = conn.prepare(&sql)?;
            let rows = stmt.query_map([tenant], raw)?.collect::<Result<Vec<_>, _>>()?;
            rows.into_iter().map(|r| account(conn, r).map(|(a, _)| a)).collect()
        })
        .await
    }

    async fn disable_account(&self, _: &Operator, login: String, now: i64) -> Result<Option<Account>, StoreError> {
        self.write(move |tx| {
            let Some((found, _)) = one(tx, "lower(a.login) = lower(?1)", &login)? else {
                return Ok(None);
            };
            let tenant = tenant_id(&found);
            tx.execute(
                "UPDATE accounts SET disabled_at = ?3 WHERE id = ?1 AND tenant_id IS ?2 AND disabled_at IS NULL",
                params![found.id, tenant, now],
            )?;
            tx.execute("DELETE FROM sessions WHERE account_id = ?1 AND tenant_id IS ?2", params![found.id, tenant])?;
            Ok(one(tx, "a.id = ?1", &found.id)?.map(|(a, _)| a))
        })
        .await
    }

    async fn account_for_sign_in(&self, login: String) -> Result<Option<Account>, StoreError> {
        self.call(move |conn| Ok(one(conn, "lower(a.login) = lower(?1)", login.trim())?.map(|(a, _)| a))).await
    }

    async fn account_for_setup(&self, token_sha256: String) -> Result<Option<(Account, i64)>, StoreError> {
        self.call(move |conn| {
            let Some((found, _)) = one(conn, "a.setup_token_sha256 = ?1 AND a.disabled_at IS NULL", &token_sha256)?
            else {
                return Ok(None);
            };
            let expires: i64 = conn.query_row(
                "SELECT setup_expires_at FROM accounts WHERE id = ?1 AND tenant_id IS ?2",
                params![found.id, tenant_id(&found)],
                |r| r.get(0),
            )?;
            Ok(Some((found, expires)))
        })
        .await
    }

    async fn finish_setup(
        &self,
        token_sha256: String,
        password: String,
        now: i64,
    ) -> Result<Option<Account>, StoreError> {
        self.write(move |tx| {
            let Some((found, _)) = one(tx, "a.setup_token_sha256 = ?1 AND a.disabled_at IS NULL", &token_sha256)?
            else {
                return Ok(None);
            };
            let changed = tx.execute(
                "UPDATE accounts SET password = ?3, setup_token_sha256 = NULL, setup_expires_at = NULL
                 WHERE id = ?1 AND tenant_id IS ?2 AND setup_expires_at > ?4",
                params![found.id, tenant_id(&found), password, now],
            )?;
            if changed == 0 {
                return Ok(None);
            }
            Ok(one(tx, "a.id = ?1", &found.id)?.map(|(a, _)| a))
        })
        .await
    }

    async fn set_password(&self, account: &Account, password: String) -> Result<(), StoreError> {
        let (id, tenant) = (account.id.clone(), tenant_id(account));
        self.write(move |tx| {
            tx.execute(
                "UPDATE accounts SET password = ?3 WHERE id = ?1 AND tenant_id IS ?2",
                params![id, tenant, password],
            )?;
            tx.execute("DELETE FROM sessions WHERE account_id = ?1 AND tenant_id IS ?2", params![id, tenant])?;
            Ok(())
        })
        .await
    }

    async fn set_totp(&self, account: &Account, secret: Option<(Vec<u8>, i64)>) -> Result<(), StoreError> {
        let (id, tenant) = (account.id.clone(), tenant_id(account));
        self.write(move |tx| {
            let (secret, step) = secret.unzip();
            tx.execute(
                "UPDATE accounts SET totp_secret = ?3, totp_last_step = ?4 WHERE id = ?1 AND tenant_id IS ?2",
                params![id, tenant, secret, step],
            )?;
            Ok(())
        })
        .await
    }

    async fn use_totp_step(&self, account: &Account, step: i64) -> Result<bool, StoreError> {
        let (id, tenant) = (account.id.clone(), tenant_id(account));
        self.write(move |tx| {
            let changed = tx.execute(
                "UPDATE accounts SET totp_last_step = ?3
                 WHERE id = ?1 AND tenant_id IS ?2 AND (totp_last_step IS NULL OR totp_last_step < ?3)",
                params![id, tenant, step],
            )?;
            Ok(changed == 1)
        })
        .await
    }

    async fn create_session(&self, account: &Account, s: NewSession) -> Result<(), StoreError> {
        let (id, tenant) = (account.id.clone(), tenant_id(account));
        self.write(move |tx| {
            tx.execute(
                "INSERT INTO sessions (token_sha256, account_id, tenant_id, csrf, created_at, seen_at, second_factor)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)",
                params![s.token_sha256, id, tenant, s.csrf, s.now, s.second_factor],
            )?;
            Ok(())
        })
        .await
    }

    async fn session(&self, token_sha256: String) -> Result<Option<Session>, StoreError> {
        self.call(move |conn| {
            type Row = (String, Option<i64>, Vec<u8>, i64, i64, bool, Option<Vec<u8>>);
            let row: Option<Row> = conn
                .query_row(
                    "SELECT account_id, tenant_id, csrf, created_at, seen_at, second_factor, totp_pending FROM sessions
                     WHERE token_sha256 = ?1",
                    [&token_sha256],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
                )
                .optional()?;
            let Some((account_id, tenant, csrf, created_at, seen_at, second_factor, totp_pending)) = row else {
                return Ok(None);
            };
            let sql = format!("{ACCOUNT_SELECT} WHERE a.id = ?1 AND a.tenant_id IS ?2 AND a.disabled_at IS NULL");
            let found = conn.query_row(&sql, params![account_id, tenant], raw).optional()?;
            let Some(found) = found else { return Ok(None) };
            let (account, tenant_name) = account(conn, found)?;
            Ok(Some(Session { account, tenant_name, csrf, created_at, seen_at, second_factor, totp_pending }))
        })
        .await
    }

    async fn touch_session(&self, account: &Account, token_sha256: String, now: i64) -> Result<(), StoreError> {
        let (id, tenant) = (account.id.clone(), tenant_id(account));
        self.write(move |tx| {
            tx.execute(
                "UPDATE sessions SET seen_at = ?4 WHERE token_sha256 = ?1 AND account_id = ?2 AND tenant_id IS ?3",
                params![token_sha256, id, tenant, now],
            )?;
            Ok(())
        })
        .await
    }

    async fn end_session(&self, account: &Account, token_sha256: String) -> Result<(), StoreError> {
        let (id, tenant) = (account.id.clone(), tenant_id(account));
        self.write(move |tx| {
            tx.execute(
                "DELETE FROM sessions WHERE token_sha256 = ?1 AND account_id = ?2 AND tenant_id IS ?3",
                params![token_sha256, id, tenant],
            )?;
            Ok(())
        })
        .await
    }

    async fn set_totp_pending(
        &self,
        account: &Account,
        token_sha256: String,
        secret: Option<Vec<u8>>,
    ) -> Result<(), StoreError> {
        let (id, tenant) = (account.id.clone(), tenant_id(account));
        self.write(move |tx| {
            tx.execute(
                "UPDATE sessions SET totp_pending = ?4 WHERE token_sha256 = ?1 AND account_id = ?2 AND tenant_id IS ?3",
                params![token_sha256, id, tenant, secret],
            )?;
            Ok(())
        })
        .await
    }

    async fn inbox_counts(&self, tenant: &Tenant, since: i64) -> Result<Vec<InboxCounts>, StoreError> {
        let tenant = tenant.id();
        self.call(move |conn| {
            let mut stmt = conn.prepare(
                "SELECT d.id,
                        (SELECT COUNT(*) FROM submissions s
                         WHERE s.tenant_id = d.tenant_id AND s.destination_id = d.id AND s.state = 'announced'),
                        (SELECT COUNT(*) FROM submissions s
                         WHERE s.tenant_id = d.tenant_id AND s.destination_id = d.id AND s.state = 'submitted'),
                        (SELECT COUNT(*) FROM submissions s
                         WHERE s.tenant_id = d.tenant_id AND s.destination_id = d.id AND s.state = 'picked_up'
                           AND s.picked_up_at >= ?2),
                        (SELECT MIN(s.submitted_at) FROM submissions s
                         WHERE s.tenant_id = d.tenant_id AND s.destination_id = d.id AND s.state = 'submitted')
                 FROM destinations d WHERE d.tenant_id = ?1 ORDER BY d.id",
            )?;
            let rows = stmt.query_map(params![tenant, since], |r| {
                Ok(InboxCounts {
                    destination_id: r.get(0)?,
                    announced: r.get::<_, i64>(1)?.unsigned_abs(),
                    waiting: r.get::<_, i64>(2)?.unsigned_abs(),
                    picked_up: r.get::<_, i64>(3)?.unsigned_abs(),
                    oldest_waiting: r.get(4)?,
                })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    async fn account_names(&self, tenant: Option<&Tenant>) -> Result<Vec<(String, String)>, StoreError> {
        let tenant = tenant.map(Tenant::id);
        self.call(move |conn| {
            let mut stmt = conn.prepare("SELECT id, display_name FROM accounts WHERE tenant_id IS ?1 ORDER BY id")?;
            let rows = stmt.query_map([tenant], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    async fn failures(&self, key: String) -> Result<Failures, StoreError> {
        self.call(move |conn| {
            let row = conn
                .query_row(
                    "SELECT count, window_start, last_failure FROM sign_in_failures WHERE key = ?1",
                    [&key],
                    |r| Ok((r.get::<_, i64>(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            Ok(row.map_or_else(Failures::default, |(count, window_start, last_failure)| Failures {
                count: u32::try_from(count).unwrap_or(u32::MAX),
                window_start,
                last_failure,
            }))
        })
        .await
    }

    async fn record_failure(&self, key: String, now: i64, fresh_window: bool) -> Result<(), StoreError> {
        self.write(move |tx| {
            tx.execute("DELETE FROM sign_in_failures WHERE last_failure < ?1", [now - FAILURES_KEPT_SECONDS])?;
            tx.execute(
                "INSERT INTO sign_in_failures (key, window_start, count, last_failure) VALUES (?1, ?2, 1, ?2)
                 ON CONFLICT (key) DO UPDATE SET
                     window_start = CASE WHEN ?3 THEN ?2 ELSE window_start END,
                     count = CASE WHEN ?3 THEN 1 ELSE count + 1 END,
                     last_failure = ?2",
                params![key, now, fresh_window],
            )?;
            Ok(())
        })
        .await
    }

    async fn clear_failures(&self, key: String) -> Result<(), StoreError> {
        self.write(move |tx| {
            tx.execute("DELETE FROM sign_in_failures WHERE key = ?1", [key])?;
            Ok(())
        })
        .await
    }
}
