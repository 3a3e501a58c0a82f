//! The PostgreSQL schema: one migration per schema version, and the table of tenants that migration 3 needs
//! before it (so that `tenants adopt` can insert tenant 1 first).

/// The migrations, one per schema version; `MIGRATIONS[n]` takes the schema from version n to n + 1.
pub(super) const MIGRATIONS: &[&str] = &[
    r"
CREATE TABLE portal_key (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    pkcs8 BYTEA NOT NULL
);
CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    public_key BYTEA,
    code_hash TEXT NOT NULL UNIQUE,
    code_expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    enrolled_at BIGINT,
    revoked_at BIGINT
);
CREATE TABLE destinations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    key_id TEXT NOT NULL,
    public_key BYTEA NOT NULL
);
CREATE TABLE submissions (
    id TEXT PRIMARY KEY,
    device_id TEXT NOT NULL REFERENCES devices (id),
    destination_id TEXT NOT NULL REFERENCES destinations (id),
    attachments TEXT NOT NULL,
    state TEXT NOT NULL,
    metadata TEXT,
    data TEXT,
    metadata_sha256 TEXT,
    data_sha256 TEXT,
    acceptance TEXT,
    announced_at BIGINT NOT NULL,
    submitted_at BIGINT,
    picked_up_at BIGINT,
    purged_at BIGINT
);
CREATE INDEX submissions_pending ON submissions (destination_id, state);
CREATE TABLE attachment_parts (
    submission_id TEXT NOT NULL REFERENCES submissions (id),
    attachment_id TEXT NOT NULL,
    position BIGINT NOT NULL,
    total BIGINT,
    received BIGINT NOT NULL DEFAULT 0,
    complete BOOLEAN NOT NULL DEFAULT FALSE,
    sha256 TEXT,
    PRIMARY KEY (submission_id, attachment_id)
);
CREATE TABLE attachment_chunks (
    submission_id TEXT NOT NULL,
    attachment_id TEXT NOT NULL,
    byte_offset BIGINT NOT NULL,
    bytes BYTEA NOT NULL,
    PRIMARY KEY (submission_id, attachment_id, byte_offset),
    FOREIGN KEY (submission_id, attachment_id) REFERENCES attachment_parts (submission_id, attachment_id)
);
",
    // 2: the form-update channel a device reads, and its last report of the form set it runs.
    r"
ALTER TABLE devices ADD COLUMN forms_channel TEXT NOT NULL DEFAULT 'all';
ALTER TABLE devices ADD COLUMN forms_set_channel TEXT;
ALTER TABLE devices ADD COLUMN forms_set_version BIGINT;
ALTER TABLE devices ADD COLUMN forms_manifest_sha256 TEXT;
ALTER TABLE devices ADD COLUMN forms_published TEXT;
ALTER TABLE devices ADD COLUMN forms_reported_at BIGINT;
ALTER TABLE devices ADD COLUMN forms_error TEXT;
",
    // 3: tenants. Preceded by TENANTS_TABLE and, for `tenants adopt`, the first tenant (id 1). The columns
    // come with the default 1 (every existing row is tenant 1's, and no row is rewritten), which is dropped at
    // once; then the keys are swapped for ones with `tenant_id` first.
    r"
ALTER TABLE attachment_chunks DROP CONSTRAINT attachment_chunks_submission_id_attachment_id_fkey;
ALTER TABLE attachment_parts DROP CONSTRAINT attachment_parts_submission_id_fkey;
ALTER TABLE submissions DROP CONSTRAINT submissions_device_id_fkey;
ALTER TABLE submissions DROP CONSTRAINT submissions_destination_id_fkey;
ALTER TABLE attachment_chunks DROP CONSTRAINT attachment_chunks_pkey;
ALTER TABLE attachment_parts DROP CONSTRAINT attachment_parts_pkey;
ALTER TABLE submissions DROP CONSTRAINT submissions_pkey;
ALTER TABLE destinations DROP CONSTRAINT destinations_pkey;
DROP INDEX submissions_pending;

ALTER TABLE devices ADD COLUMN tenant_id BIGINT NOT NULL DEFAULT 1 REFERENCES tenants (id);
ALTER TABLE destinations ADD COLUMN tenant_id BIGINT NOT NULL DEFAULT 1 REFERENCES tenants (id);
ALTER TABLE submissions ADD COLUMN tenant_id BIGINT NOT NULL DEFAULT 1 REFERENCES tenants (id);
ALTER TABLE attachment_parts ADD COLUMN tenant_id BIGINT NOT NULL DEFAULT 1;
ALTER TABLE attachment_chunks ADD COLUMN tenant_id BIGINT NOT NULL DEFAULT 1;
ALTER TABLE devices ALTER COLUMN tenant_id DROP DEFAULT;
ALTER TABLE destinations ALTER COLUMN tenant_id DROP DEFAULT;
ALTER TABLE submissions ALTER COLUMN tenant_id DROP DEFAULT;
ALTER TABLE attachment_parts ALTER COLUMN tenant_id DROP DEFAULT;
ALTER TABLE attachment_chunks ALTER COLUMN tenant_id DROP DEFAULT;

ALTER TABLE devices ADD CONSTRAINT devices_tenant_id_id_key UNIQUE (tenant_id, id);
ALTER TABLE destinations ADD PRIMARY KEY (tenant_id, id);
ALTER TABLE submissions ADD PRIMARY KEY (tenant_id, id);
ALTER TABLE attachment_parts ADD PRIMARY KEY (tenant_id, submission_id, attachment_id);
ALTER TABLE attachment_chunks ADD PRIMARY KEY (tenant_id, submission_id, attachment_id, byte_offset);
ALTER TABLE submissions ADD FOREIGN KEY (tenant_id, device_id) REFERENCES devices (tenant_id, id);
ALTER TABLE submissions ADD FOREIGN KEY (tenant_id, destination_id) REFERENCES destinations (tenant_id, id);
ALTER TABLE attachment_parts ADD FOREIGN KEY (tenant_id, submission_id) REFERENCES submissions (tenant_id, id);
ALTER TABLE attachment_chunks ADD FOREIGN KEY (tenant_id, submission_id, attachment_id)
    REFERENCES attachment_parts (tenant_id, submission_id, attachment_id);
CREATE INDEX submissions_pending ON submissions (tenant_id, destination_id, state);
CREATE INDEX devices_tenant ON devices (tenant_id, created_at);

CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    tenant_id BIGINT REFERENCES tenants (id),
    login TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password TEXT,
    totp_secret BYTEA,
    totp_last_step BIGINT,
    failed BIGINT NOT NULL DEFAULT 0,
    locked_until BIGINT,
    setup_token_sha256 TEXT,
    setup_expires_at BIGINT,
    created_at BIGINT NOT NULL,
    disabled_at BIGINT
);
CREATE TABLE account_roles (
    account_id TEXT NOT NULL REFERENCES accounts (id),
    tenant_id BIGINT REFERENCES tenants (id),
    role TEXT NOT NULL,
    PRIMARY KEY (account_id, role)
);
CREATE TABLE account_destinations (
    account_id TEXT NOT NULL REFERENCES accounts (id),
    tenant_id BIGINT NOT NULL,
    destination_id TEXT NOT NULL,
    PRIMARY KEY (account_id, tenant_id, destination_id),
    FOREIGN KEY (tenant_id, destination_id) REFERENCES destinations (tenant_id, id)
);
CREATE TABLE sessions (
    token_sha256 TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    tenant_id BIGINT REFERENCES tenants (id),
    csrf BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    seen_at BIGINT NOT NULL,
    second_factor BOOLEAN NOT NULL DEFAULT FALSE,
    totp_pending BYTEA
);
CREATE TABLE sign_in_failures (
    key TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    count BIGINT NOT NULL,
    last_failure BIGINT NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);
CREATE TABLE audit_entries (
    log TEXT NOT NULL,
    seq BIGINT NOT NULL,
    tenant_id BIGINT REFERENCES tenants (id),
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    object TEXT,
    detail TEXT,
    prev BYTEA NOT NULL,
    hash BYTEA NOT NULL,
    PRIMARY KEY (log, seq)
);
CREATE TABLE audit_heads (
    log TEXT PRIMARY KEY,
    tenant_id BIGINT REFERENCES tenants (id),
    seq BIGINT NOT NULL,
    hash BYTEA NOT NULL
);
CREATE TABLE audit_checkpoints (
    log TEXT NOT NULL,
    seq BIGINT NOT NULL,
    tenant_id BIGINT REFERENCES tenants (id),
    hash BYTEA NOT NULL,
    at BIGINT NOT NULL,
    signature BYTEA NOT NULL,
    PRIMARY KEY (log, seq)
);
",
    // 4: the version of the desk app each device last reported.
    r"
ALTER TABLE devices ADD COLUMN app_version TEXT;
",
];

/// The table of tenants, made before migration 3 so that `tenants adopt` can insert tenant 1 first.
pub(super) const TENANTS_TABLE: &str = r"
CREATE TABLE tenants (
    id BIGSERIAL PRIMARY KEY,
    ars TEXT NOT NULL UNIQUE CHECK (length(ars) = 12),
    name TEXT NOT NULL,
    letterhead TEXT NOT NULL,
    logo BYTEA,
    logo_type TEXT,
    created_at BIGINT NOT NULL,
    suspended_at BIGINT
);
";
