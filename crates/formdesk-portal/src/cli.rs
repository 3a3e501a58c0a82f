//! The command line: every command and option of `formdesk-portal`, and where the data lives.

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(name = "formdesk-portal", version, about = "The Formdesk portal and the administrators' tools.")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Work with form definitions.
    #[command(subcommand)]
    Forms(FormsCommand),
    /// Run the portal server.
    ///
    /// Prints `formdesk-portal: listening on http://ADDR` (https:// with --tls-cert) once it listens; stops
    /// on SIGTERM or ctrl-c.
    ///
    /// Example: formdesk-portal serve --listen 127.0.0.1:8440 --data-dir /var/lib/formdesk-portal
    ///          formdesk-portal serve --listen 0.0.0.0:443 --tls-cert portal.pem --tls-key portal.key
    #[command(verbatim_doc_comment, args_override_self = true)]
    Serve(ServeArgs),
    /// The offline keys of the form-update channel.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Add, list and suspend the municipalities (tenants) this portal serves.
    #[command(subcommand)]
    Tenants(TenantsCommand),
    /// Add, list and disable the accounts of the administrators' web console (`/admin`).
    #[command(subcommand)]
    Accounts(AccountsCommand),
    /// Register, list and revoke desks, and choose their form-update channel.
    #[command(subcommand)]
    Devices(DevicesCommand),
    /// Manage the authorities' destinations and their keys.
    #[command(subcommand)]
    Destinations(DestinationsCommand),
    /// Export what arrived for a destination.
    #[command(subcommand)]
    Inbox(InboxCommand),
    /// Check citizens' receipts.
    #[command(subcommand)]
    Receipt(ReceiptCommand),
    /// The audit trail: list entries, verify the logs, sign checkpoints.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// The desk app's signed updates: publish a bundle to a channel, see which desk runs which version.
    #[command(subcommand)]
    App(AppCommand),
}

#[derive(Debug, Subcommand)]
pub enum AppCommand {
    /// Publish a signed update bundle of the desk app (its Debian package) to a channel.
    ///
    /// The signature must verify with --key, name the version (tauri signer sign --app-version X), and the
    /// package must be the desk app (Package: formdesk) of that version, newer than what the channel offers.
    /// Desks on the pilot channel get the newer of pilot and all.
    ///
    /// Example: formdesk-portal app publish formdesk_0.0.2_amd64.deb --signature formdesk_0.0.2_amd64.deb.sig
    ///          --key app-update.key.pub --channel pilot --notes "Neue Druckvorschau"
    #[command(verbatim_doc_comment)]
    Publish {
        /// The bundle: the desk app's .deb from `cargo xtask bundle`.
        bundle: PathBuf,
        /// Its signature file (BUNDLE.sig from `tauri signer sign`).
        #[arg(long)]
        signature: PathBuf,
        /// The update key's public half (the .pub file from `tauri signer generate`).
        #[arg(long)]
        key: PathBuf,
        /// The channel.
        #[arg(long, value_enum, default_value = "pilot")]
        channel: ChannelName,
        /// The release notes the desks' updater receives.
        #[arg(long, default_value = "")]
        notes: String,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// What each channel offers, and the app version each desk last reported.
    Status {
        /// Only this tenant's desks (ARS); left out: every tenant's.
        #[arg(long, value_name = "ARS")]
        tenant: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
    },
}

/// Where the portal keeps its data.
#[derive(Debug, Clone, clap::Args)]
pub struct StoreArgs {
    /// The data folder; default: $XDG_DATA_HOME/formdesk-portal or ~/.local/share/formdesk-portal.
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// The database: a SQLite file (default: portal.sqlite in the data folder) or postgres://user@host/db.
    #[arg(long)]
    pub database: Option<String>,
}

/// Which tenant a command works for.
#[derive(Debug, Clone, clap::Args)]
pub struct TenantArg {
    /// The tenant's regional key (ARS, 12 digits); may be left out while the portal serves exactly one.
    #[arg(long, value_name = "ARS")]
    pub tenant: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum TenantsCommand {
    /// Add a municipality (tenant) to this portal.
    ///
    /// Example: formdesk-portal tenants add --ars 057580012012 --name "Stadt Herford" --letterhead herford.json
    #[command(verbatim_doc_comment)]
    Add {
        /// Its regional key (Amtlicher Regionalschlüssel): 12 digits, beginning with the Land 01 to 16.
        #[arg(long)]
        ars: String,
        /// Its name, as people know it.
        #[arg(long)]
        name: String,
        /// Its letterhead for receipts: a municipality.json ({"formatVersion": 1, "name": …, "address": […],
        /// "logo": "wappen.png"}, the logo next to it); default: its name alone.
        #[arg(long, value_name = "FILE")]
        letterhead: Option<PathBuf>,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Make the database of a portal that served one municipality (before tenants) that municipality's
    /// tenant: its devices, destinations and submissions become the tenant's, and desks notice nothing. Run it
    /// once, after taking a copy of the database; every other command refuses such a database until then.
    ///
    /// Example: formdesk-portal tenants adopt --ars 057580012012 --name "Stadt Herford"
    #[command(verbatim_doc_comment)]
    Adopt {
        /// The municipality's regional key (ARS, 12 digits).
        #[arg(long)]
        ars: String,
        /// Its name.
        #[arg(long)]
        name: String,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// List the tenants with their state.
    ///
    /// Example: formdesk-portal tenants list
    #[command(verbatim_doc_comment)]
    List {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Suspend a tenant: the requests of all its desks are refused from now on.
    ///
    /// Example: formdesk-portal tenants suspend --ars 057580012012
    #[command(verbatim_doc_comment)]
    Suspend {
        /// The tenant's regional key (ARS).
        #[arg(long)]
        ars: String,
        #[command(flatten)]
        store: StoreArgs,
    },
}

/// Where the portal keeps its data, for the commands of the form-update channel (its repository is the
/// folder `channel/` in the data folder).
#[derive(Debug, Clone, clap::Args)]
pub struct ChannelArgs {
    /// The data folder; default: $XDG_DATA_HOME/formdesk-portal or ~/.local/share/formdesk-portal.
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
}

impl ChannelArgs {
    /// The data folder these options name.
    pub fn data_dir(&self) -> anyhow::Result<PathBuf> {
        match &self.data_dir {
            Some(dir) => Ok(dir.clone()),
            None => default_data_dir(),
        }
    }
}

/// Whose repository of the form-update channel a signing command works on.
#[derive(Debug, Clone, clap::Args)]
pub struct ChannelTenantArg {
    /// The tenant (ARS) whose repository (<data-dir>/channel/t<ARS>) is signed, with its form editor's key
    /// t<ARS>.key from --keys; left out: the portal's single repository (tenant 1), with forms.key.
    #[arg(long, value_name = "ARS")]
    pub tenant: Option<String>,
}

/// The folder with the offline keys.
#[derive(Debug, Clone, clap::Args)]
pub struct KeysArg {
    /// The folder with the offline keys (root.key, targets.key, forms.key), on the medium kept offline.
    #[arg(long, value_name = "DIR")]
    pub keys: PathBuf,
}

/// A form editor's bundle instead of signing here (`forms publish|promote|withdraw --out`).
#[derive(Debug, Clone, clap::Args)]
pub struct BundleArgs {
    /// Write the signed change to FILE (a form bundle, .fdb) for upload in the console ("Formularstand
    /// hochladen"), instead of changing a repository on this machine. Needs --tenant and --portal.
    #[arg(long, value_name = "FILE", requires_all = ["portal", "tenant"])]
    pub out: Option<PathBuf>,
    /// The portal's address; the bundle builds on the form set the tenant's channel serves there.
    #[arg(long, value_name = "URL", requires = "out")]
    pub portal: Option<String>,
}

impl BundleArgs {
    /// `(--out, --portal)` when a bundle is asked for (clap makes sure both are there).
    pub fn target(&self) -> Option<(&std::path::Path, &str)> {
        Some((self.out.as_deref()?, self.portal.as_deref()?))
    }
}

/// Which channel of the form-update channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ChannelName {
    /// The pilot desks.
    Pilot,
    /// Every desk.
    All,
}

impl ChannelName {
    /// The name as the wire has it.
    pub fn wire(self) -> formdesk_protocol::wire::FormsChannelName {
        match self {
            ChannelName::Pilot => formdesk_protocol::wire::FormsChannelName::Pilot,
            ChannelName::All => formdesk_protocol::wire::FormsChannelName::All,
        }
    }
}

/// A role whose key `keys rotate` replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RoleName {
    /// The root key, which names every other key.
    Root,
    /// The key that delegates the forms to the form editors' key.
    Targets,
    /// The form editors' key, which signs the form sets.
    Forms,
    /// The portal's online key (snapshot and timestamp), in the data folder.
    Online,
}

impl RoleName {
    /// The channel's role.
    pub fn role(self) -> formdesk_channel::repo::KeyRole {
        use formdesk_channel::repo::KeyRole;
        match self {
            RoleName::Root => KeyRole::Root,
            RoleName::Targets => KeyRole::Targets,
            RoleName::Forms => KeyRole::Forms,
            RoleName::Online => KeyRole::Online,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Make the offline keys and the form-update channel of this portal, or a tenant's form editor's key.
    ///
    /// Writes root.key, targets.key and forms.key into --keys (a folder on a medium kept offline) and the
    /// channel's repository with its online key into <data-dir>/channel.
    /// With --tenant ARS (on the form editor's own machine): writes only t<ARS>.key and its public key
    /// t<ARS>.pub into --keys and prints the public key; the operator needs only t<ARS>.pub for
    /// `forms channel-init`.
    ///
    /// Example: formdesk-portal keys init --keys /media/usb/formdesk-keys
    ///          formdesk-portal keys init --tenant 057580012012 --keys /media/usb/herford-keys
    #[command(verbatim_doc_comment)]
    Init {
        #[command(flatten)]
        keys: KeysArg,
        /// Make the key of this tenant's form editor (role t<ARS>) instead.
        #[arg(long, value_name = "ARS")]
        tenant: Option<String>,
        #[command(flatten)]
        data: ChannelArgs,
    },
    /// Replace the key of a role; desks follow through the new root, signed by the old and the new root key.
    ///
    /// With --tenant and --editor-key: the key of a tenant's form editor is replaced (a key lost or leaving
    /// with a person). The tenant's channel delegates to the new public key (made with `keys init --tenant`),
    /// signed with targets.key from --keys; desks refuse what the old key signed and keep their forms until
    /// the editor publishes with the new key.
    ///
    /// Example: formdesk-portal keys rotate --keys /media/usb/formdesk-keys --role forms
    ///          formdesk-portal keys rotate --keys /media/usb/formdesk-keys --tenant 057580012012 --editor-key t057580012012.pub
    #[command(verbatim_doc_comment)]
    Rotate {
        #[command(flatten)]
        keys: KeysArg,
        /// The role whose key is replaced.
        #[arg(long, value_enum, required_unless_present = "tenant", conflicts_with = "tenant")]
        role: Option<RoleName>,
        /// The tenant whose form editor's key is replaced (needs --editor-key).
        #[arg(long, value_name = "ARS", requires = "editor_key")]
        tenant: Option<String>,
        /// The form editor's new public key file (t<ARS>.pub).
        #[arg(long, value_name = "FILE", requires = "tenant")]
        editor_key: Option<PathBuf>,
        #[command(flatten)]
        data: ChannelArgs,
    },
}

/// The options of `serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Read the options from FILE first (TOML, one key per long option: `listen = "0.0.0.0:8440"`,
    /// `data-dir = "/var/lib/formdesk-portal"`); options on the command line win.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The address and port to listen on; port 0 picks a free one.
    #[arg(long, default_value = "127.0.0.1:8440")]
    pub listen: std::net::SocketAddr,
    /// The origin people reach the administrators' console at (https://portal.example.de, no path): every
    /// form of the console must come from it. Required for the console at /admin unless the portal listens
    /// on loopback, where it defaults to the portal's own URL.
    #[arg(long, value_name = "URL")]
    pub console_origin: Option<String>,
    #[command(flatten)]
    pub store: StoreArgs,
    /// The largest submit request (metadata and data JWEs) taken, in bytes. An enrolment may have 4 KiB, an
    /// announcement 64 KiB, a piece of an attachment --max-piece-bytes.
    #[arg(long, default_value_t = 8 * 1024 * 1024)]
    pub max_request_bytes: usize,
    /// The largest piece of an attachment in one request, in bytes (the desk sends 1 MiB pieces).
    #[arg(long, default_value_t = 4 * 1024 * 1024)]
    pub max_piece_bytes: usize,
    /// The most bytes of request bodies held in memory at once; a body that finds no room within 2 s is
    /// answered with 503 (busy). At least the largest body above.
    #[arg(long, default_value_t = 64 * 1024 * 1024)]
    pub max_body_memory: usize,
    /// The most open connections; one more is answered with 503 (busy) over plain HTTP, or closed over HTTPS.
    #[arg(long, default_value_t = 1024)]
    pub max_connections: usize,
    /// The most requests worked on at once (from when the body is in); one more is answered with 503 (busy)
    /// and Retry-After.
    #[arg(long, default_value_t = 128)]
    pub max_requests: usize,
    /// Seconds a client may take to send a request's headers (or its TLS handshake); also how long an idle
    /// connection stays open.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub header_timeout: u64,
    /// Seconds a client may take to send a request's body; then it is answered with 408.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub body_timeout: u64,
    /// The largest part (one attachment's JWE) taken, in bytes. The default takes the sealed form of the
    /// largest file a desk accepts (50 MiB, which base64url makes some 70 MB).
    #[arg(long, default_value_t = 72 * 1024 * 1024)]
    pub max_part_bytes: u64,
    /// Hours after which the ciphertext of a picked-up submission is deleted.
    #[arg(long, default_value_t = 168)]
    pub keep_after_pickup: u64,
    /// Serve HTTPS with this certificate (PEM, with its intermediates); without it, plain HTTP for a reverse
    /// proxy that ends TLS in front of the portal.
    #[arg(long, requires = "tls_key", value_name = "FILE")]
    pub tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM).
    #[arg(long, requires = "tls_cert", value_name = "FILE")]
    pub tls_key: Option<PathBuf>,
}

/// The console's origin as `serve` uses it by default (its default `--listen`, plain HTTP on loopback).
pub const DEFAULT_CONSOLE_ORIGIN: &str = "http://127.0.0.1:8440";

#[derive(Debug, Subcommand)]
pub enum AccountsCommand {
    /// Add a console account and print its one-time setup link (valid 72 hours), through which the person
    /// sets their password in the browser. No password is ever given on a command line.
    ///
    /// Example: formdesk-portal accounts add --operator --login betrieb --name "Rechenzentrum"
    ///          formdesk-portal accounts add --tenant 057580012012 --login p.schmidt --name "Petra Schmidt" \
    ///              --role geraete --role formulare
    ///          formdesk-portal accounts add --tenant 057580012012 --login steueramt --name "Steueramt" \
    ///              --role eingang --destination steueramt
    #[command(verbatim_doc_comment)]
    Add {
        /// The login, unique on this portal.
        #[arg(long)]
        login: String,
        /// The name the console shows.
        #[arg(long)]
        name: String,
        /// An operator account (computing centre): tenants, accounts, health; belongs to no tenant.
        #[arg(long, conflicts_with_all = ["tenant", "role", "destination"])]
        operator: bool,
        /// The tenant (ARS) of a tenant account.
        #[arg(long, value_name = "ARS", required_unless_present = "operator")]
        tenant: Option<String>,
        /// A role of a tenant account: formulare, geraete or eingang (repeat for several).
        #[arg(long, value_name = "ROLE", required_unless_present = "operator")]
        role: Vec<String>,
        /// A destination whose submissions an inbox user (role eingang) may see (repeat for several).
        #[arg(long, value_name = "ID")]
        destination: Vec<String>,
        /// The console's origin the link starts with (as `serve --console-origin`).
        #[arg(long, value_name = "URL", default_value = DEFAULT_CONSOLE_ORIGIN)]
        console_origin: String,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// List the console's accounts (of one tenant with --tenant).
    ///
    /// Example: formdesk-portal accounts list --tenant 057580012012
    #[command(verbatim_doc_comment)]
    List {
        /// Only the accounts of this tenant (ARS).
        #[arg(long, value_name = "ARS")]
        tenant: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Disable an account: it cannot sign in any more, and its sessions end at once.
    ///
    /// Example: formdesk-portal accounts disable --login p.schmidt
    #[command(verbatim_doc_comment)]
    Disable {
        /// The account's login.
        #[arg(long)]
        login: String,
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum DevicesCommand {
    /// Register a desk and print its one-time enrolment code.
    ///
    /// Example: formdesk-portal devices enrol --tenant 057580012012 --name "Bürgerbus 1"
    ///          formdesk-portal devices enrol --tenant 057580012012 --name "Bürgerbus 1" \
    ///              --provisioning buergerbus-1.formdesk --portal-url https://portal.example.de
    #[command(verbatim_doc_comment)]
    Enrol {
        /// The desk's name, as administrators know it.
        #[arg(long)]
        name: String,
        /// How many days the code can be used.
        #[arg(long, default_value_t = 7)]
        valid_days: u32,
        /// Also write a provisioning file for the desk (`formdesk --provision FILE`): the portal's address,
        /// the tenant, its form channel's root and the one-time code with its expiry, readable by its owner
        /// only. Needs --portal-url.
        #[arg(long, value_name = "FILE", requires = "portal_url")]
        provisioning: Option<PathBuf>,
        /// The portal's address as desks reach it (https://portal.example.de), for the provisioning file.
        #[arg(long, value_name = "URL", requires = "provisioning")]
        portal_url: Option<String>,
        /// The public key that signs the desk app's updates (`tauri signer generate` writes it as KEY.pub), for
        /// the provisioning file: the desk installs only updates signed with its private key.
        #[arg(long, value_name = "FILE", requires = "provisioning")]
        app_update_key: Option<PathBuf>,
        #[command(flatten)]
        tenant: TenantArg,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// List every desk with its state.
    ///
    /// Example: formdesk-portal devices list
    #[command(verbatim_doc_comment)]
    List {
        #[command(flatten)]
        tenant: TenantArg,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Choose which channel of the form-update channel a desk reads (every desk reads `all` until put into
    /// `pilot`).
    ///
    /// Example: formdesk-portal devices channel "Bürgerbus 1" pilot
    #[command(verbatim_doc_comment)]
    Channel {
        /// The desk's name or id.
        device: String,
        /// The channel.
        #[arg(value_enum)]
        channel: ChannelName,
        #[command(flatten)]
        tenant: TenantArg,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Revoke a desk: its requests are refused from now on.
    ///
    /// Example: formdesk-portal devices revoke 0b7e3c52-6d1f-4a5e-9c3b-2f8d7a6e5b41
    #[command(verbatim_doc_comment)]
    Revoke {
        /// The device's id.
        id: String,
        #[command(flatten)]
        tenant: TenantArg,
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum DestinationsCommand {
    /// Add a destination, or replace the name and key of an existing one.
    ///
    /// Example: formdesk-portal destinations add --id ordnungsamt --name "Ordnungsamt Musterstadt" --key pub.pem
    #[command(verbatim_doc_comment)]
    Add {
        /// Its id: a-z, 0-9 and -.
        #[arg(long)]
        id: String,
        /// Its name, for people.
        #[arg(long)]
        name: String,
        /// Its RSA public key (at least 3072 bits) as a PEM file.
        #[arg(long)]
        key: PathBuf,
        #[command(flatten)]
        tenant: TenantArg,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// List the destinations.
    ///
    /// Example: formdesk-portal destinations list
    #[command(verbatim_doc_comment)]
    List {
        #[command(flatten)]
        tenant: TenantArg,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Generate an RSA key pair for a destination (for test setups and pilots).
    ///
    /// Example: formdesk-portal destinations keygen --out private.pem --public pub.pem
    #[command(verbatim_doc_comment)]
    Keygen {
        /// Where to write the private key (PKCS#8 PEM, readable by the owner only).
        #[arg(long)]
        out: PathBuf,
        /// Where to write the public key (PEM).
        #[arg(long)]
        public: PathBuf,
        /// The key's size: 3072 or 4096 bits.
        #[arg(long, default_value_t = 4096)]
        bits: usize,
    },
}

#[derive(Debug, Subcommand)]
pub enum InboxCommand {
    /// Decrypt and write out every submission for a destination that was not picked up yet.
    ///
    /// Writes DIR/<submission>/submission.json and DIR/<submission>/attachments/<id>-<file name>, then marks
    /// each submission picked up.
    ///
    /// Example: formdesk-portal inbox export --tenant 057580012012 --destination ordnungsamt --key private.pem --out eingang
    #[command(verbatim_doc_comment)]
    Export {
        /// The destination's id.
        #[arg(long)]
        destination: String,
        /// The destination's private key (PEM).
        #[arg(long)]
        key: PathBuf,
        /// The folder to write to.
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        tenant: TenantArg,
        #[command(flatten)]
        store: StoreArgs,
    },
}

/// Which audit logs a command works on: a tenant's, the operator's or a desk's (with --tenant where the
/// portal serves several).
#[derive(Debug, Clone, clap::Args)]
pub struct AuditLogArgs {
    /// The municipality's log (and the logs its desks uploaded), by its regional key (ARS).
    #[arg(long, value_name = "ARS")]
    pub tenant: Option<String>,
    /// The operator's log.
    #[arg(long, conflicts_with_all = ["tenant", "device"])]
    pub operator: bool,
    /// The log a desk uploaded, by the device's id (of the only tenant, or of the one --tenant would name).
    #[arg(long, value_name = "ID")]
    pub device: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check that no entry of a log was changed, removed or reordered, and that every checkpoint matches.
    ///
    /// Without an option every log is checked. Prints "in Ordnung: N Einträge, Kopf …" per log and exits 0,
    /// or names the first bad entry and what is wrong with it and exits 1.
    ///
    /// Example: formdesk-portal audit verify --tenant 057580012012
    #[command(verbatim_doc_comment)]
    Verify {
        #[command(flatten)]
        logs: AuditLogArgs,
        /// Also check against the signed checkpoints kept outside the database in DIR (written by `audit
        /// checkpoint --out`): whoever can change the database can rewrite its own checkpoints too.
        #[arg(long, value_name = "DIR", requires = "key")]
        checkpoints: Option<PathBuf>,
        /// The portal's public key as kept outside the database (portal-key.pub from `audit checkpoint
        /// --out`); every checkpoint must be signed with it.
        #[arg(long, value_name = "FILE", requires = "checkpoints")]
        key: Option<PathBuf>,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Print a log's newest entries, the newest first.
    ///
    /// Example: formdesk-portal audit list --tenant 057580012012 --limit 20
    #[command(verbatim_doc_comment)]
    List {
        #[command(flatten)]
        logs: AuditLogArgs,
        /// How many entries per log at most.
        #[arg(long, default_value_t = 50)]
        limit: usize,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Sign a checkpoint of every log that has new entries since its last one (the server does this every
    /// 10 minutes).
    ///
    /// With --out DIR, the newest signed checkpoint of every log and the portal's public key are also written
    /// to DIR, to be kept outside the database (another machine, write-once storage) for `audit verify
    /// --checkpoints DIR --key DIR/portal-key.pub`.
    ///
    /// Example: formdesk-portal audit checkpoint --out /mnt/archiv/formdesk-pruefpunkte
    #[command(verbatim_doc_comment)]
    Checkpoint {
        /// The folder to copy the newest signed checkpoints and the portal's public key to.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReceiptCommand {
    /// Check a scanned receipt QR payload against the keys of every enrolled desk.
    ///
    /// Prints which desk signed it and what it says; exits with status 1 if no desk did.
    ///
    /// Example: formdesk-portal receipt verify "6BF7…"
    #[command(verbatim_doc_comment)]
    Verify {
        /// The payload text as scanned.
        payload: String,
        #[command(flatten)]
        tenant: TenantArg,
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum TranslationsCommand {
    /// Write a form's texts, and those of the shared code lists it uses, as an XLIFF 2.0 file for translators.
    ///
    /// Every text comes with its German source and where it stands in the form; the translation stored so far
    /// is filled in, stale ones (the German changed since) are marked with the German they were made for.
    /// Writes to --out, or to standard output.
    ///
    /// Example: formdesk-portal forms translations export hundeanmeldung --lang uk --out hundeanmeldung.uk.xlf
    #[command(verbatim_doc_comment)]
    Export {
        /// The form's id; `codelists/<list>` for one shared code list alone.
        form: String,
        /// The language to translate into: uk, ar, ru, tr, en, de-x-ls (Leichte Sprache), …
        #[arg(long)]
        lang: String,
        /// The forms folder.
        #[arg(long, default_value = "forms")]
        forms: PathBuf,
        /// Where to write the file; standard output if not given.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Take a translated XLIFF file back into the forms folder.
    ///
    /// Refuses a file made for another version of the form (or a code list) with nothing taken over. Stores
    /// each part as the translation file of its form or code list and prints per part how many texts are
    /// used, not reviewed, stale, or unknown to the form; then checks that the forms still load.
    ///
    /// Example: formdesk-portal forms translations import hundeanmeldung.uk.xlf
    #[command(verbatim_doc_comment)]
    Import {
        /// The translated file.
        file: PathBuf,
        /// The forms folder.
        #[arg(long, default_value = "forms")]
        forms: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum FormsCommand {
    /// Check every form in a forms folder and report all errors.
    ///
    /// Prints one line per valid form with its id and version, then `N forms ok`; on errors, prints every
    /// error as `file: JSON path: message` and exits with status 1.
    ///
    /// With --languages, also prints per form how completely each language covers its texts (its shared code
    /// lists included), which texts are missing, which translations are stale (their German changed since)
    /// and how many are not reviewed yet.
    ///
    /// Example: formdesk-portal forms check forms
    ///          formdesk-portal forms check forms --languages
    #[command(verbatim_doc_comment)]
    Check {
        /// The forms folder: `codelists/` and one folder per form with its `form.json`.
        dir: PathBuf,
        /// Report each form's coverage per language.
        #[arg(long)]
        languages: bool,
    },
    /// Translation files (XLIFF 2.0) for translators: export a form's texts, import the translation.
    #[command(subcommand)]
    Translations(TranslationsCommand),
    /// Run the scenarios of one form folder or of every form in a forms folder.
    ///
    /// Each scenario file (<form>/scenarios/*.json) is evaluated and its expectations compared; prints one
    /// line per scenario, `ok` or `FAILED` with every expectation that did not hold, then a total. Exits
    /// with status 1 if a scenario fails or a form has no scenarios, with status 2 (every error printed) if a
    /// form does not load.
    ///
    /// Example: formdesk-portal forms test forms/hundeanmeldung
    #[command(verbatim_doc_comment)]
    Test {
        /// A form's folder (with its `form.json` and `scenarios/`) or a forms folder.
        dir: PathBuf,
    },
    /// Check a forms folder like `forms check`, then sign it and publish it to a channel.
    ///
    /// Prints the new set's version, its channel and every form with its version. Refuses, printing every
    /// error, if any form of the folder has one.
    ///
    /// Example: formdesk-portal forms publish forms --tenant 057580012012 --keys /media/usb/herford-keys --channel pilot
    ///          formdesk-portal forms publish forms --keys /media/usb/formdesk-keys   (the single repository)
    #[command(verbatim_doc_comment)]
    Publish {
        /// The forms folder: `codelists/` and one folder per form with its `form.json`.
        dir: PathBuf,
        #[command(flatten)]
        tenant: ChannelTenantArg,
        /// Take this form over from the shared catalogue as it is now ("Einer für Alle"; repeat for more).
        #[arg(long = "from-catalogue", value_name = "ID")]
        from_catalogue: Vec<String>,
        #[command(flatten)]
        keys: KeysArg,
        /// The channel: `pilot` desks first, or `all`.
        #[arg(long, value_enum, default_value = "all")]
        channel: ChannelName,
        #[command(flatten)]
        bundle: BundleArgs,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Give every desk the form set of the pilot channel.
    ///
    /// Example: formdesk-portal forms promote --tenant 057580012012 --keys /media/usb/herford-keys
    #[command(verbatim_doc_comment)]
    Promote {
        #[command(flatten)]
        tenant: ChannelTenantArg,
        #[command(flatten)]
        keys: KeysArg,
        #[command(flatten)]
        bundle: BundleArgs,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Withdraw a form in every channel: no new cases; with --now, cases begun cannot be finalized either.
    ///
    /// Example: formdesk-portal forms withdraw hundeabmeldung --keys /media/usb/formdesk-keys
    #[command(verbatim_doc_comment)]
    Withdraw {
        /// The form's id.
        id: String,
        /// Withdraw it at once: cases begun with it can no longer be finalized.
        #[arg(long)]
        now: bool,
        #[command(flatten)]
        tenant: ChannelTenantArg,
        #[command(flatten)]
        keys: KeysArg,
        #[command(flatten)]
        bundle: BundleArgs,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Make a tenant's repository of the form-update channel (operator, with the offline root and targets keys).
    ///
    /// Writes <data-dir>/channel/t<ARS>: root and targets signed with root.key and targets.key from --keys,
    /// the targets delegating the tenant's form files (t<ARS>.*) to the form editor's public key
    /// (--editor-key t<ARS>.pub, made with `keys init --tenant`). From then on the tenant's newly enrolled desks
    /// read it at /forms/v1/t<ARS>/, and only the editor's key signs its forms.
    ///
    /// Example: formdesk-portal forms channel-init --tenant 057580012012 --keys /media/usb/formdesk-keys --editor-key t057580012012.pub
    #[command(verbatim_doc_comment)]
    ChannelInit {
        #[command(flatten)]
        tenant: TenantArg,
        #[command(flatten)]
        keys: KeysArg,
        /// The form editor's public key file (t<ARS>.pub).
        #[arg(long, value_name = "FILE")]
        editor_key: PathBuf,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Publish the shared catalogue ("Einer für Alle") into every tenant's form channel (computing centre).
    ///
    /// Checks the folder like `forms check` and signs it with forms.key from --keys; a tenant's channel that
    /// does not delegate the catalogue yet gets the delegation, signed with targets.key. Tenants take
    /// catalogue forms over with `forms publish … --from-catalogue ID`; until they publish again, their desks
    /// keep the catalogue text they took.
    ///
    /// Example: formdesk-portal forms catalogue-publish katalog --keys /media/usb/formdesk-keys
    #[command(verbatim_doc_comment)]
    CataloguePublish {
        /// The catalogue's forms folder: `codelists/` and one folder per form with its `form.json`.
        dir: PathBuf,
        #[command(flatten)]
        keys: KeysArg,
        #[command(flatten)]
        data: ChannelArgs,
    },
    /// Show each channel's form set and which set every desk runs.
    ///
    /// A desk whose set is older than its channel's is marked `behind`; a desk whose last check failed shows
    /// its error.
    ///
    /// Example: formdesk-portal forms status
    #[command(verbatim_doc_comment)]
    Status {
        #[command(flatten)]
        tenant: TenantArg,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Import a FIM Stammdatenschema (XDatenfelder 2.0 or 3.0.0) as a draft form folder, or compare a form with
    /// a newer version of its schema.
    ///
    /// Writes `form.json` and `import-report.md` into --out and prints the report: every rule (Regel) to write
    /// as a condition, every code list not found, everything not translated, each with its place in the XML.
    /// With --diff FORM, writes nothing and prints what the schema changes against that form (fields added,
    /// removed, retyped, new code-list versions).
    ///
    /// Example: formdesk-portal forms import S60000001.xml --codelists codelisten --out forms/hundesteuer
    /// Example: formdesk-portal forms import --diff forms/hundesteuer S60000001_neu.xml --codelists codelisten
    #[command(verbatim_doc_comment)]
    Import {
        /// The schema: an `xdatenfelder.stammdatenschema.0102` message.
        schema: PathBuf,
        /// A folder of genericode files (`*.xml`) the schema's code lists are looked up in.
        #[arg(long)]
        codelists: Option<PathBuf>,
        /// The form's id (lower-case letters, digits, `-`); default: derived from the schema's name.
        #[arg(long)]
        id: Option<String>,
        /// The destination the submissions go to; default: a placeholder the report asks to replace.
        #[arg(long)]
        destination: Option<String>,
        /// The folder to write the draft into (normally `forms/<id>`); it must be empty or new.
        #[arg(long, required_unless_present = "diff")]
        out: Option<PathBuf>,
        /// Compare this form (its folder or `form.json`) with the schema instead of importing.
        #[arg(long, value_name = "FORM", conflicts_with_all = ["out", "id", "destination", "force"])]
        diff: Option<PathBuf>,
        /// Replace `form.json` and `import-report.md` in a folder that is not empty.
        #[arg(long)]
        force: bool,
    },
    /// Evaluate a form for a set of answers and print the evaluated state as JSON.
    ///
    /// Example: formdesk-portal forms eval forms/hundeanmeldung --answers answers.json --lang de --date 2026-11-24
    #[command(verbatim_doc_comment)]
    Eval {
        /// The form's folder or its `form.json`.
        form: PathBuf,
        /// A JSON file with the answers, keyed by field id; `-` reads standard input.
        #[arg(long)]
        answers: PathBuf,
        /// The language of texts and messages (de, en, tr, …).
        #[arg(long, default_value = "de")]
        lang: String,
        /// The reference date for ages and date checks, YYYY-MM-DD; default: today.
        #[arg(long)]
        date: Option<String>,
    },
    /// Render a form's receipt (Eingangsbestätigung) for a set of answers as a PDF, to preview it.
    ///
    /// The PDF is marked as a preview. The answers must be complete; a scenario file
    /// (forms/<id>/scenarios/*.json) works too, its "answers" are used. Without --key the QR code is
    /// signed with a one-off key, without --reference and --time a random reference and the current
    /// time are printed.
    ///
    /// Example: formdesk-portal forms receipt forms/hundeanmeldung --answers answers.json --out receipt.pdf
    #[command(verbatim_doc_comment)]
    Receipt {
        /// The form's folder or its `form.json`.
        form: PathBuf,
        /// A JSON file with the answers, keyed by field id, or a scenario file; `-` reads standard input.
        #[arg(long)]
        answers: PathBuf,
        /// Where to write the PDF.
        #[arg(long)]
        out: PathBuf,
        /// The citizen's language; the receipt is bilingual when the form has it (tr, en, …).
        #[arg(long, default_value = "de")]
        lang: String,
        /// The time of the receipt, RFC 3339 (2026-11-24T10:42:00+01:00); default: now.
        #[arg(long)]
        time: Option<String>,
        /// The reference, e.g. HUND-7K3F-Q9XD; default: a random one with the form's prefix.
        #[arg(long)]
        reference: Option<String>,
        /// The clerk's name.
        #[arg(long, default_value = "Vorschau")]
        clerk: String,
        /// The desk's Ed25519 key as a PKCS#8 (DER) file; default: a one-off key.
        #[arg(long)]
        key: Option<PathBuf>,
        /// Print the receipt as delivered at this time (RFC 3339) instead of waiting for a connection.
        #[arg(long)]
        delivered: Option<String>,
    },
}

/// Which database a command works on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// A SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL.
    Postgres(String),
}

impl StoreArgs {
    /// The data folder these options name.
    pub fn data_dir(&self) -> anyhow::Result<PathBuf> {
        match &self.data_dir {
            Some(dir) => Ok(dir.clone()),
            None => default_data_dir(),
        }
    }

    /// The database these options name, creating the data folder for the default SQLite file.
    pub fn database(&self) -> anyhow::Result<Database> {
        if let Some(url) = &self.database {
            if url.starts_with("postgres://") || url.starts_with("postgresql://") {
                return Ok(Database::Postgres(url.clone()));
            }
            let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
            return Ok(Database::Sqlite(PathBuf::from(path)));
        }
        let dir = self.data_dir()?;
        create_private_dir(&dir)?;
        Ok(Database::Sqlite(dir.join("portal.sqlite")))
    }
}

fn default_data_dir() -> anyhow::Result<PathBuf> {
    if let Some(xdg) = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(xdg).join("formdesk-portal"));
    }
    match std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        Some(home) => Ok(PathBuf::from(home).join(".local/share/formdesk-portal")),
        None => anyhow::bail!("neither XDG_DATA_HOME nor HOME is set; give --data-dir"),
    }
}

/// Creates a folder (and its parents) that only its owner can enter, if it does not exist.
pub fn create_private_dir(dir: &std::path::Path) -> anyhow::Result<()> {
    use anyhow::Context as _;
    use std::os::unix::fs::DirBuilderExt as _;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .with_context(|| format!("cannot create the folder {}", dir.display()))
}
