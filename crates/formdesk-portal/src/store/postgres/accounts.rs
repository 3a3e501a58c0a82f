//! [`AccountStore`] on PostgreSQL, statement for statement as on SQLite (`IS NOT DISTINCT FROM` where SQLite
//! says `IS`, so the operator's `NULL` tenant matches too).

use super::{PgStore, get};
use crate::store::accounts::{
    Account, AccountStore, FAILURES_KEPT_SECONDS, Failures, InboxCounts, NewAccount, NewSession, Session, check_roles,
    login_taken, stored_role,
};
use crate::store::tenants::stored_ars;
use crate::store::{Operator, Refusal, StoreError, Tenant};
use deadpool_postgres::GenericClient;
use tokio_postgres::Row;

const ACCOUNT_SELECT: &str = "SELECT a.id, a.tenant_id, t.ars, a.login, a.display_name, a.password, a.totp_secret,
        a.totp_last_step, a.setup_token_sha256 IS NOT NULL, a.created_at, a.disabled_at, t.name
    FROM accounts a LEFT JOIN tenants t ON t.id = a.tenant_id";

/// An account from its row, roles and destinations read too; and its tenant's name.
async fn account(client: &impl GenericClient, r: &Row) -> Result<(Account, Option<String>), StoreError> {
    let id: String = get(r, 0)?;
    let tenant_id: Option<i64> = get(r, 1)?;
    let ars: Option<String> = get(r, 2)?;
    let tenant = match (tenant_id, ars) {
        (Some(tid), Some(ars)) => Some(Tenant::new(tid, stored_ars(&ars)?)),
        (None, _) => None,
        (Some(_), None) => return Err(StoreError::Corrupt(format!("account {id} has a tenant that does not exist"))),
    };
    let roles = client
        .query(
            "SELECT role FROM account_roles WHERE account_id = $1 AND tenant_id IS NOT DISTINCT FROM $2 ORDER BY role",
            &[&id, &tenant_id],
        )
        .await?
        .iter()
        .map(|row| get::<String>(row, 0).and_then(|name| stored_role(&name)))
        .collect::<Result<Vec<_>, _>>()?;
    let destinations = client
        .query(
            "SELECT destination_id FROM account_destinations
             WHERE account_id = $1 AND tenant_id IS NOT DISTINCT FROM $2 ORDER BY destination_id",
            &[&id, &tenant_id],
        )
        .await?
        .iter()
        .map(|row| get::<String>(row, 0))
        .collect::<Result<Vec<_>, _>>()?;
    let account = Account {
        id,
        tenant,
        login: get(r, 3)?,
        display_name: get(r, 4)?,
        password: get(r, 5)?,
        totp_secret: get(r, 6)?,
        totp_last_step: get(r, 7)?,
        roles,
        destinations,
        setup_pending: get(r, 8)?,
        created_at: get(r, 9)?,
        disabled_at: get(r, 10)?,
    };
    Ok((account, get(r, 11)?))
}

async fn one(
    client: &impl GenericClient,
    condition: &str,
    value: &str,
) -> Result<Option<(Account, Option<String>)>, StoreError> {
    let sql = format!("{ACCOUNT_SELECT} WHERE {condition}");
    match client.query_opt(&sql, &[&value]).await? {
        Some(row) => Ok(Some(account(client, &row).await?)),
        None => Ok(None),
    }
}

fn tenant_id(account: &Account) -> Option<i64> {
    account.tenant().map(Tenant::id)
}

impl AccountStore for PgStore {
    async fn add_account(&self, _: &Operator, new: NewAccount) -> Result<Account, StoreError> {
        check_roles(new.tenant.is_some(), &new.roles, &new.destinations)?;
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let tenant = new.tenant.as_ref().map(Tenant::id);
        let inserted = tx
            .execute(
                "INSERT INTO accounts (id, tenant_id, login, display_name, setup_token_sha256, setup_expires_at,
                                       created_at)
                 SELECT $1, $2, $3, $4, $5, $6, $7
                 WHERE NOT EXISTS (SELECT 1 FROM accounts WHERE lower(login) = lower($3))",
                &[
                    &new.id,
                    &tenant,
                    &new.login,
                    &new.display_name,
                    &new.setup_token_sha256,
                    &new.setup_expires_at,
                    &new.created_at,
                ],
            )
            .await;
        match inserted {
            Ok(1) => {}
            Ok(_) => return Err(login_taken(&new.login)),
            Err(e) if e.code() == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION) => {
                return Err(login_taken(&new.login));
            }
            Err(e) => return Err(e.into()),
        }
        for role in &new.roles {
            tx.execute(
                "INSERT INTO account_roles (account_id, tenant_id, role) VALUES ($1, $2, $3)",
                &[&new.id, &tenant, &role.db_name()],
            )
            .await?;
        }
        for destination in &new.destinations {
            let known = tx
                .query_opt(
                    "SELECT 1 FROM destinations WHERE tenant_id IS NOT DISTINCT FROM $1 AND id = $2",
                    &[&tenant, destination],
                )
                .await?
                .is_some();
            if !known {
                return Err(StoreError::refused(
                    Refusal::UnknownDestination,
                    format!("destination {destination} is not known to this tenant"),
                ));
            }
            tx.execute(
                "INSERT INTO account_destinations (account_id, tenant_id, destination_id) VALUES ($1, $2, $3)",
                &[&new.id, &tenant, destination],
            )
            .await?;
        }
        let account = one(&tx, "a.id = $1", &new.id)
            .await?
            .map(|(a, _)| a)
            .ok_or_else(|| StoreError::Database("the new account was not found".into()))?;
        tx.commit().await?;
        Ok(account)
    }

    async fn accounts(&self, _: &Operator, tenant: Option<&Tenant>) -> Result<Vec<Account>, StoreError> {
        let tenant = tenant.map(Tenant::id);
        let client = self.pool.get().await?;
        let sql = format!("{ACCOUNT_SELECT} WHERE $1::BIGINT IS NULL OR a.tenant_id = $1 ORDER BY a.login");
        let rows = client.query(&sql, &[&tenant]).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            out.push(account(&client, row).await?.0);
        }
        Ok(out)
    }

    async fn disable_account(&self, _: &Operator, login: String, now: i64) -> Result<Option<Account>, StoreError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let Some((found, _)) = one(&tx, "lower(a.login) = lower($1)", &login).await? else {
            return Ok(None);
        };
        let tenant = tenant_id(&found);
        tx.execute(
            "UPDATE accounts SET disabled_at = $3
             WHERE id = $1 AND tenant_id IS NOT DISTINCT FROM $2 AND disabled_at IS NULL",
            &[&found.id, &tenant, &now],
        )
        .await?;
        tx.execute(
            "DELETE FROM sessions WHERE account_id = $1 AND tenant_id IS NOT DISTINCT FROM $2",
            &[&found.id, &tenant],
        )
        .await?;
        let out = one(&tx, "a.id = $1", &found.id).await?.map(|(a, _)| a);
        tx.commit().await?;
        Ok(out)
    }

    async fn account_for_sign_in(&self, login: String) -> Result<Option<Account>, StoreError> {
        let client = self.pool.get().await?;
        Ok(one(&client, "lower(a.login) = lower($1)", login.trim()).await?.map(|(a, _)| a))
    }

    async fn account_for_setup(&self, token_sha256: String) -> Result<Option<(Account, i64)>, StoreError> {
        let client = self.pool.get().await?;
        let Some((found, _)) =
            one(&client, "a.setup_token_sha256 = $1 AND a.disabled_at IS NULL", &token_sha256).await?
        else {
            return Ok(None);
        };
        let row = client
            .query_one(
                "SELECT setup_expires_at FROM accounts WHERE id = $1 AND tenant_id IS NOT DISTINCT FROM $2",
                &[&found.id, &tenant_id(&found)],
            )
            .await?;
        let expires: Option<i64> = get(&row, 0)?;
        Ok(expires.map(|e| (found, e)))
    }

    async fn finish_setup(
        &self,
        token_sha256: String,
        password: String,
        now: i64,
    ) -> Result<Option<Account>, StoreError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let Some((found, _)) = one(&tx, "a.setup_token_sha256 = $1 AND a.disabled_at IS NULL", &token_sha256).await?
        else {
            return Ok(None);
        };
        let changed = tx
            .execute(
                "UPDATE accounts SET password = $3, setup_token_sha256 = NULL, setup_expires_at = NULL
                 WHERE id = $1 AND tenant_id IS NOT DISTINCT FROM $2 AND setup_expires_at > $4",
                &[&found.id, &tenant_id(&found), &password, &now],
            )
            .await?;
        if changed == 0 {
            return Ok(None);
        }
        let out = one(&tx, "a.id = $1", &found.id).await?.map(|(a, _)| a);
        tx.commit().await?;
        Ok(out)
    }

    async fn set_password(&self, account: &Account, password: String) -> Result<(), StoreError> {
        let (id, tenant) = (account.id.clone(), tenant_id(account));
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        tx.execute(
            "UPDATE accounts SET password = $3 WHERE id = $1 AND tenant_id IS NOT DISTINCT FROM $2",
            &[&id, &tenant, &password],
        )
        .await?;
        tx.execute("DELETE FROM sessions WHERE account_id = $1 AND tenant_id IS NOT DISTINCT FROM $2", &[&id, &tenant])
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn set_totp(&self, account: &Account, secret: Option<(Vec<u8>, i64)>) -> Result<(), StoreError> {
        let (id, tenant) = (account.id.clone(), tenant_id(account));
        let (secret, step) = secret.unzip();
        let client = self.pool.get().await?;
        client
            .execute(
                "UPDATE accounts SET totp_secret = $3, totp_last_step = $4
                 WHERE id = $1 AND tenant_id IS NOT DISTINCT FROM $2",
                &[&id, &tenant, &secret, &step],
            )
            .await?;
        Ok(())
    }

    async fn use_totp_step(&self, account: &Account, step: i64) -> Result<bool, StoreError> {
        let (id, tenant) = (account.id.clone(), tenant_id(account));
        let client = self.pool.get().await?;
        let changed = client
            .execute(
                "UPDATE accounts SET totp_last_step = $3
                 WHERE id = $1 AND tenant_id IS NOT DISTINCT FROM $2 AND (totp_last_step IS NULL OR totp_last_step < $3)",
                &[&id, &tenant, &step],
            )
            .await?;
        Ok(changed == 1)
    }

    async fn create_session(&self, account: &Account, s: NewSession) -> Result<(), StoreError> {
        let (id, tenant) = (account.id.clone(), tenant_id(account));
        let client = self.pool.get().await?;
        client
            .execute(
                "INSERT INTO sessions (token_sha256, account_id, tenant_id, csrf, created_at, seen_at, second_factor)
                 VALUES ($1, $2, $3, $4, $5, $5, $6)",
                &[&s.token_sha256, &id, &tenant, &s.csrf, &s.now, &s.second_factor],
            )
            .await?;
        Ok(())
    }

    async fn session(&self, token_sha256: String) -> Result<Option<Session>, StoreError> {
        let client = self.pool.get().await?;
        let Some(row) = client
            .query_opt(
                "SELECT account_id, tenant_id, csrf, created_at, seen_at, second_factor, totp_pending FROM sessions
                 WHERE token_sha256 = $1",
                &[&token_sha256],
            )
            .await?
        else {
            return Ok(None);
        };
        let account_id: String = get(&row, 0)?;
        let tenant: Option<i64> = get(&row, 1)?;
        let sql = format!(
            "{ACCOUNT_SELECT} WHERE a.id = $1 AND a.tenant_id IS NOT DISTINCT FROM $2 AND a.disabled_at IS NULL"
        );
        let Some(found) = client.query_opt(&sql, &[&account_id, &tenant]).await? else {
            return Ok(None);
        };
        let (account, tenant_name) = account(&client, &found).await?;
        Ok(Some(Session {
            account,
            tenant_name,
            csrf: get(&row, 2)?,
            created_at: get(&row, 3)?,
            seen_at: get(&row, 4)?,
            second_factor: get(&row, 5)?,
            totp_pending: get(&row, 6)?,
        }))
    }

    async fn touch_session(&self, account: &Account, token_sha256: String, now: i64) -> Result<(), StoreError> {
        let (id, tenant) = (account.id.clone(), tenant_id(account));
        let client = self.pool.get().await?;
        client
            .execute(
                "UPDATE sessions SET seen_at = $4
                 WHERE token_sha256 = $1 AND account_id = $2 AND tenant_id IS NOT DISTINCT FROM $3",
                &[&token_sha256, &id, &tenant, &now],
            )
            .await?;
        Ok(())
    }

    async fn end_session(&self, account: &Account, token_sha256: String) -> Result<(), StoreError> {
        let (id, tenant) = (account.id.clone(), tenant_id(account));
        let client = self.pool.get().await?;
        client
            .execute(
                "DELETE FROM sessions WHERE token_sha256 = $1 AND account_id = $2 AND tenant_id IS NOT DISTINCT FROM $3",
                &[&token_sha256, &id, &tenant],
            )
            .await?;
        Ok(())
    }

    async fn set_totp_pending(
        &self,
        account: &Account,
        token_sha256: String,
        secret: Option<Vec<u8>>,
    ) -> Result<(), StoreError> {
        let (id, tenant) = (account.id.clone(), tenant_id(account));
        let client = self.pool.get().await?;
        client
            .execute(
                "UPDATE sessions SET totp_pending = $4
                 WHERE token_sha256 = $1 AND account_id = $2 AND tenant_id IS NOT DISTINCT FROM $3",
                &[&token_sha256, &id, &tenant, &secret],
            )
            .await?;
        Ok(())
    }

    async fn inbox_counts(&self, tenant: &Tenant, since: i64) -> Result<Vec<InboxCounts>, StoreError> {
        let client = self.pool.get().await?;
        let rows = client
            .query(
                "SELECT d.id,
                        COUNT(s.id) FILTER (WHERE s.state = 'announced'),
                        COUNT(s.id) FILTER (WHERE s.state = 'submitted'),
                        COUNT(s.id) FILTER (WHERE s.state = 'picked_up' AND s.picked_up_at >= $2),
                        MIN(s.submitted_at) FILTER (WHERE s.state = 'submitted')
                 FROM destinations d
                 LEFT JOIN submissions s ON s.tenant_id = d.tenant_id AND s.destination_id = d.id
                 WHERE d.tenant_id = $1 GROUP BY d.id ORDER BY d.id",
                &[&tenant.id(), &since],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(InboxCounts {
                    destination_id: get(r, 0)?,
                    announced: get::<i64>(r, 1)?.unsigned_abs(),
                    waiting: get::<i64>(r, 2)?.unsigned_abs(),
                    picked_up: get::<i64>(r, 3)?.unsigned_abs(),
                    oldest_waiting: get(r, 4)?,
                })
            })
            .collect()
    }

    async fn account_names(&self, tenant: Option<&Tenant>) -> Result<Vec<(String, String)>, StoreError> {
        let tenant = tenant.map(Tenant::id);
        let client = self.pool.get().await?;
        let rows = client
            .query(
                "SELECT id, display_name FROM accounts WHERE tenant_id IS NOT DISTINCT FROM $1 ORDER BY id",
                &[&tenant],
            )
            .await?;
        rows.iter().map(|r| Ok((get(r, 0)?, get(r, 1)?))).collect()
    }

    async fn failures(&self, key: String) -> Result<Failures, StoreError> {
        let client = self.pool.get().await?;
        let row = client
            .query_opt("SELECT count, window_start, last_failure FROM sign_in_failures WHERE key = $1", &[&key])
            .await?;
        match row {
            None => Ok(Failures::default()),
            Some(row) => Ok(Failures {
                count: u32::try_from(get::<i64>(&row, 0)?).unwrap_or(u32::MAX),
                window_start: get(&row, 1)?,
                last_failure: get(&row, 2)?,
            }),
        }
    }

    async fn record_failure(&self, key: String, now: i64, fresh_window: bool) -> Result<(), StoreError> {
        let client = self.pool.get().await?;
        client
            .execute("DELETE FROM sign_in_failures WHERE last_failure < $1", &[&(now - FAILURES_KEPT_SECONDS)])
            .await?;
        client
            .execute(
                "INSERT INTO sign_in_failures (key, window_start, count, last_failure) VALUES ($1, $2, 1, $2)
                 ON CONFLICT (key) DO UPDATE SET
                     window_start = CASE WHEN $3 THEN $2 ELSE sign_in_failures.window_start END,
                     count = CASE WHEN $3 THEN 1 ELSE sign_in_failures.count + 1 END,
                     last_failure = $2",
                &[&key, &now, &fresh_window],
            )
            .await?;
        Ok(())
    }

    async fn clear_failures(&self, key: String) -> Result<(), StoreError> {
        let client = self.pool.get().await?;
        client.execute("DELETE FROM sign_in_failures WHERE key = $1", &[&key]).await?;
        Ok(())
    }
}
