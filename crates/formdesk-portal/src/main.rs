//! `formdesk-portal`: the portal server, which takes sealed submissions from enrolled desks and keeps them
//! for the authorities, and the administrators' command line.
//!
//! - [`cli`]: the commands and options.
//! - [`server`]: the HTTP API of `formdesk_protocol::wire`; [`routes`]: the table of its routes.
//! - [`limits`]: how much the server takes on at once; [`listen`]: its accept loop.
//! - [`store`]: what the portal keeps, in SQLite or PostgreSQL.
//! - [`tenants`]: the municipalities one portal serves, and the `--tenant` of the commands on their data.
//! - [`admin`]: devices, destinations and receipt checks; [`accounts`]: the console's accounts (`accounts …`).
//! - [`console`]: the administrators' web console at `/admin`, with the pages of `formdesk-console`.
//! - [`inbox`]: the authority's export of what arrived.
//! - [`forms`]: the form tools (`forms check`, `forms eval`, `forms receipt`).
//! - [`channel`]: the form-update channel: its keys, publishing, serving and where the desks stand.
//! - [`audit`]: the audit trail's commands, checkpoints and the desks' upload.
//! - [`app_updates`]: the desk app's signed updates (`app publish`, `app status`, `/app/v1/`).
//!
//! Architecture invariant: the portal never sees a submission's plaintext; only `inbox export`, run by the
//! authority with its private key, decrypts.

/// jemalloc, with a background thread that hands freed pages back to the system within a second
/// (`.cargo/config.toml` configures it at build time): after a burst of large bodies the portal shrinks back,
/// where glibc's malloc kept the size of the burst for good.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

mod accounts;
mod admin;
mod app_updates;
mod audit;
mod bundle;
mod catalogue;
mod channel;
mod cli;
mod config;
mod console;
mod forms;
mod import;
mod inbox;
mod limits;
mod listen;
mod routes;
mod server;
mod store;
mod tenants;

use anyhow::Result;
use clap::Parser;
use cli::{Cli, Command, Database, FormsCommand, KeysCommand, StoreArgs, TranslationsCommand};
use std::process::ExitCode;
use store::{AccountStore, Store};

fn main() -> ExitCode {
    let args = match config::expand(std::env::args_os().collect()) {
        Ok(args) => args,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let cli = Cli::parse_from(args);
    let result = match &cli.command {
        Command::Forms(FormsCommand::Check { dir, languages }) => forms::check(dir, *languages),
        Command::Forms(FormsCommand::Translations(TranslationsCommand::Export { form, lang, forms: dir, out })) => {
            forms::export_translation(dir, form, lang, out.as_deref())
        }
        Command::Forms(FormsCommand::Translations(TranslationsCommand::Import { file, forms: dir })) => {
            forms::import_translation(dir, file)
        }
        Command::Forms(FormsCommand::Test { dir }) => forms::test(dir),
        Command::Forms(FormsCommand::Import { schema, codelists, id, destination, out, diff, force }) => {
            import::import(&import::ImportArgs {
                schema,
                codelists: codelists.as_deref(),
                id: id.as_deref(),
                destination: destination.as_deref(),
                out: out.as_deref(),
                diff: diff.as_deref(),
                force: *force,
            })
        }
        Command::Forms(FormsCommand::Eval { form, answers, lang, date }) => {
            forms::eval(form, answers, lang, date.as_deref())
        }
        Command::Forms(FormsCommand::Receipt { form, answers, out, lang, time, reference, clerk, key, delivered }) => {
            forms::receipt(&forms::ReceiptArgs {
                form,
                answers,
                out,
                lang,
                time: time.as_deref(),
                reference: reference.as_deref(),
                clerk,
                key: key.as_deref(),
                delivered: delivered.as_deref(),
            })
        }
        Command::Destinations(cli::DestinationsCommand::Keygen { out, public, bits }) => {
            admin::keygen(out, public, *bits)
        }
        Command::Keys(KeysCommand::Init { keys, tenant: Some(ars), .. }) => channel::tenant_key_init(&keys.keys, ars),
        Command::Keys(KeysCommand::Init { keys, tenant: None, data }) => {
            data.data_dir().and_then(|dir| channel::keys_init(&keys.keys, &dir))
        }
        Command::Keys(KeysCommand::Rotate { keys, role, tenant, editor_key, data }) => {
            data.data_dir().and_then(|dir| match (role, tenant, editor_key) {
                (_, Some(ars), Some(editor)) => channel::tenant_key_rotate(&keys.keys, ars, editor, &dir),
                (Some(role), _, _) => channel::keys_rotate(&keys.keys, role.role(), &dir),
                _ => anyhow::bail!("name --role, or --tenant with --editor-key"),
            })
        }
        // A form editor's bundle is made on their own machine, without the portal's store.
        Command::Forms(FormsCommand::Publish { dir, tenant, from_catalogue, keys, channel, bundle, .. })
            if bundle.target().is_some() =>
        {
            let (out, portal) = bundle.target().unwrap_or((std::path::Path::new(""), ""));
            bundle::make(&bundle::Change::Publish(dir, from_catalogue, channel.wire()), tenant, &keys.keys, portal, out)
        }
        Command::Forms(FormsCommand::Promote { tenant, keys, bundle, .. }) if bundle.target().is_some() => {
            let (out, portal) = bundle.target().unwrap_or((std::path::Path::new(""), ""));
            bundle::make(&bundle::Change::Promote, tenant, &keys.keys, portal, out)
        }
        Command::Forms(FormsCommand::Withdraw { id, now, tenant, keys, bundle, .. }) if bundle.target().is_some() => {
            let (out, portal) = bundle.target().unwrap_or((std::path::Path::new(""), ""));
            bundle::make(&bundle::Change::Withdraw(id, *now), tenant, &keys.keys, portal, out)
        }
        Command::Forms(FormsCommand::CataloguePublish { dir, keys, data }) => {
            data.data_dir().and_then(|data| catalogue::publish(dir, &keys.keys, &data))
        }
        command => with_runtime(command),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Runs a command that works on the store, on a tokio runtime that is gone (and the database closed) when
/// this returns.
fn with_runtime(command: &Command) -> Result<ExitCode> {
    // SQLite runs on the blocking threads behind one connection, so a few are all it can use; tokio's
    // default of 512 would let a flood of requests start hundreds of threads, each with its stack and its
    // allocator arena.
    let runtime = tokio::runtime::Builder::new_multi_thread().max_blocking_threads(16).enable_all().build()?;
    let store_args = store_args(command);
    runtime.block_on(async {
        // Only `tenants adopt` migrates the database of a portal before tenants, naming its municipality.
        let adopting = match command {
            Command::Tenants(cli::TenantsCommand::Adopt { ars, name, .. }) => {
                Some(tenants::new_tenant(ars, name, None)?)
            }
            _ => None,
        };
        match (store_args.database()?, adopting) {
            (Database::Sqlite(path), None) => run(store::sqlite::SqliteStore::open(&path)?, command).await,
            (Database::Sqlite(path), Some(first)) => {
                run(store::sqlite::SqliteStore::open_adopting(&path, first)?, command).await
            }
            (Database::Postgres(url), None) => run(store::postgres::PgStore::connect(&url).await?, command).await,
            (Database::Postgres(url), Some(first)) => {
                run(store::postgres::PgStore::connect_adopting(&url, first).await?, command).await
            }
        }
    })
}

fn store_args(command: &Command) -> &StoreArgs {
    use cli::{
        DestinationsCommand as D, DevicesCommand as V, InboxCommand as I, ReceiptCommand as R, TenantsCommand as T,
    };
    match command {
        Command::Serve(args) => &args.store,
        Command::Accounts(
            cli::AccountsCommand::Add { store, .. }
            | cli::AccountsCommand::List { store, .. }
            | cli::AccountsCommand::Disable { store, .. },
        ) => store,
        Command::Tenants(
            T::Add { store, .. } | T::Adopt { store, .. } | T::List { store } | T::Suspend { store, .. },
        )
        | Command::Devices(
            V::Enrol { store, .. } | V::List { store, .. } | V::Revoke { store, .. } | V::Channel { store, .. },
        )
        | Command::Forms(
            FormsCommand::Status { store, .. }
            | FormsCommand::ChannelInit { store, .. }
            | FormsCommand::Publish { store, .. }
            | FormsCommand::Promote { store, .. }
            | FormsCommand::Withdraw { store, .. },
        )
        | Command::Destinations(D::Add { store, .. } | D::List { store, .. })
        | Command::Inbox(I::Export { store, .. })
        | Command::Receipt(R::Verify { store, .. })
        | Command::Audit(
            cli::AuditCommand::Verify { store, .. }
            | cli::AuditCommand::List { store, .. }
            | cli::AuditCommand::Checkpoint { store, .. },
        )
        | Command::App(cli::AppCommand::Publish { store, .. } | cli::AppCommand::Status { store, .. }) => store,
        Command::Forms(_) | Command::Keys(_) | Command::Destinations(D::Keygen { .. }) => {
            static NONE: StoreArgs = StoreArgs { data_dir: None, database: None };
            &NONE
        }
    }
}

async fn run<S: Store + AccountStore>(store: S, command: &Command) -> Result<ExitCode> {
    use cli::{
        DestinationsCommand as D, DevicesCommand as V, InboxCommand as I, ReceiptCommand as R, TenantsCommand as T,
    };
    match command {
        Command::Serve(args) => {
            let data_dir = args.store.data_dir()?;
            let options = server::Options {
                channel: channel::find(&data_dir),
                channels: channel::channel_dir(&data_dir),
                app: app_updates::app_dir(&data_dir),
                listen: args.listen,
                max_request_bytes: args.max_request_bytes,
                max_part_bytes: args.max_part_bytes,
                keep_after_pickup_hours: args.keep_after_pickup,
                // clap makes sure the two come together.
                tls: args.tls_cert.clone().zip(args.tls_key.clone()).map(|(cert, key)| server::Tls { cert, key }),
                limits: limits::Limits {
                    max_connections: args.max_connections,
                    max_requests: args.max_requests,
                    max_body_memory: args.max_body_memory,
                    max_piece_bytes: args.max_piece_bytes,
                    header_timeout: std::time::Duration::from_secs(args.header_timeout),
                    body_timeout: std::time::Duration::from_secs(args.body_timeout),
                },
                console_origin: args.console_origin.clone(),
            };
            server::serve(store, options).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Accounts(cli::AccountsCommand::Add {
            login,
            name,
            operator,
            tenant,
            role,
            destination,
            console_origin,
            ..
        }) => {
            let request = accounts::AddRequest {
                login,
                name,
                operator: *operator,
                tenant: tenant.as_deref(),
                roles: role,
                destinations: destination,
                console_origin,
            };
            accounts::add(&store, &request).await
        }
        Command::Accounts(cli::AccountsCommand::List { tenant, .. }) => accounts::list(&store, tenant.as_deref()).await,
        Command::Accounts(cli::AccountsCommand::Disable { login, .. }) => accounts::disable(&store, login).await,
        Command::Tenants(T::Add { ars, name, letterhead, .. }) => {
            tenants::add(&store, tenants::new_tenant(ars, name, letterhead.as_deref())?).await
        }
        Command::Tenants(T::Adopt { ars, .. }) => tenants::adopted(&store, ars).await,
        Command::Tenants(T::List { .. }) => tenants::list(&store).await,
        Command::Tenants(T::Suspend { ars, .. }) => tenants::suspend(&store, ars).await,
        Command::Devices(V::Enrol {
            name,
            valid_days,
            tenant: t,
            provisioning,
            portal_url,
            app_update_key,
            store: args,
        }) => {
            let tenant = tenants::resolve(&store, t.tenant.as_deref()).await?;
            let file = match (provisioning, portal_url) {
                (Some(path), Some(url)) => Some(admin::ProvisioningOut {
                    path: path.clone(),
                    portal: url.clone(),
                    data_dir: args.data_dir()?,
                    app_update_key: app_update_key.clone(),
                }),
                _ => None,
            };
            admin::enrol(&store, &tenant, name, *valid_days, file).await
        }
        Command::Devices(V::List { tenant: t, .. }) => {
            admin::list_devices(&store, &tenants::resolve(&store, t.tenant.as_deref()).await?).await
        }
        Command::Devices(V::Revoke { id, tenant: t, .. }) => {
            admin::revoke(&store, &tenants::resolve(&store, t.tenant.as_deref()).await?, id).await
        }
        Command::Devices(V::Channel { device, channel, tenant: t, .. }) => {
            channel::device_channel(
                &store,
                &tenants::resolve(&store, t.tenant.as_deref()).await?,
                device,
                channel.wire(),
            )
            .await
        }
        Command::Forms(FormsCommand::ChannelInit { tenant: t, keys, editor_key, store: args }) => {
            let tenant = tenants::resolve(&store, t.tenant.as_deref()).await?;
            channel::tenant_channel_init(&tenant, &keys.keys, editor_key, &args.data_dir()?)
        }
        Command::Forms(FormsCommand::Publish {
            dir, tenant: t, from_catalogue, keys, channel, store: args, ..
        }) => {
            let data = args.data_dir()?;
            let owner = channel::owner(&store, t.tenant.as_deref()).await?;
            let code = channel::publish(dir, t.tenant.as_deref(), from_catalogue, &keys.keys, channel.wire(), &data)?;
            channel::record_change(&store, &owner, t.tenant.as_deref(), &data, code).await
        }
        Command::Forms(FormsCommand::Promote { tenant: t, keys, store: args, .. }) => {
            let data = args.data_dir()?;
            let owner = channel::owner(&store, t.tenant.as_deref()).await?;
            let code = channel::promote(t.tenant.as_deref(), &keys.keys, &data)?;
            channel::record_change(&store, &owner, t.tenant.as_deref(), &data, code).await
        }
        Command::Forms(FormsCommand::Withdraw { id, now, tenant: t, keys, store: args, .. }) => {
            let data = args.data_dir()?;
            let owner = channel::owner(&store, t.tenant.as_deref()).await?;
            let code = channel::withdraw(id, *now, t.tenant.as_deref(), &keys.keys, &data)?;
            channel::record_change(&store, &owner, t.tenant.as_deref(), &data, code).await
        }
        Command::Forms(FormsCommand::Status { store: args, tenant: t }) => {
            channel::status(&store, &tenants::resolve(&store, t.tenant.as_deref()).await?, &args.data_dir()?).await
        }
        Command::Destinations(D::Add { id, name, key, tenant: t, .. }) => {
            admin::add_destination(&store, &tenants::resolve(&store, t.tenant.as_deref()).await?, id, name, key).await
        }
        Command::Destinations(D::List { tenant: t, .. }) => {
            admin::list_destinations(&store, &tenants::resolve(&store, t.tenant.as_deref()).await?).await
        }
        Command::Inbox(I::Export { destination, key, out, tenant: t, .. }) => {
            inbox::export(&store, &tenants::resolve(&store, t.tenant.as_deref()).await?, destination, key, out).await
        }
        Command::Receipt(R::Verify { payload, tenant: t, .. }) => {
            admin::verify_receipt(&store, &tenants::resolve(&store, t.tenant.as_deref()).await?, payload).await
        }
        Command::Audit(cli::AuditCommand::Verify { logs, checkpoints, key, .. }) => {
            let outside = match (checkpoints, key) {
                (Some(dir), Some(key)) => Some(audit::Outside::read(dir, key)?),
                _ => None,
            };
            audit::verify(&store, &audit::selection(&store, logs).await?, outside.as_ref()).await
        }
        Command::Audit(cli::AuditCommand::List { logs, limit, .. }) => {
            audit::list(&store, &audit::selection(&store, logs).await?, *limit).await
        }
        Command::Audit(cli::AuditCommand::Checkpoint { out, .. }) => audit::checkpoint(&store, out.as_deref()).await,
        Command::App(cli::AppCommand::Publish { bundle, signature, key, channel, notes, store: args }) => {
            let publish = app_updates::Publish { bundle, signature, key, channel: channel.wire(), notes };
            app_updates::publish(&store, &publish, &args.data_dir()?).await
        }
        Command::App(cli::AppCommand::Status { tenant, store: args }) => {
            let tenants = match tenant {
                Some(ars) => {
                    let one = tenants::resolve(&store, Some(ars)).await?;
                    store
                        .tenants(&store::Operator::command_line())
                        .await?
                        .into_iter()
                        .filter(|t| t.tenant.ars() == one.ars())
                        .collect()
                }
                None => store.tenants(&store::Operator::command_line()).await?,
            };
            let tenants: Vec<_> = tenants.into_iter().map(|t| (t.tenant, t.name)).collect();
            app_updates::status(&store, &tenants, &args.data_dir()?).await
        }
        Command::Forms(_) | Command::Keys(_) | Command::Destinations(D::Keygen { .. }) => {
            anyhow::bail!("this command does not use the portal's database")
        }
    }
}
