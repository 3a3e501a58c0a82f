//! The SQLite schema: one migration per schema version, and the table of tenants that migration 3 needs
//! before it (so that `tenants adopt` can insert tenant 1 first).

/// The migrations, one per schema version; `MIGRATIONS[n]` takes the schema from version n to n + 1.
pub(super) const MIGRATIONS: &[&str] = &[
    r"
CREATE TABLE portal_key (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    pkcs8 BLOB NOT NULL
);
CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    public_key BLOB,
    code_hash TEXT NOT NULL UNIQUE,
    code_expires_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    enrolled_at INTEGER,
    revoked_at INTEGER
);
CREATE TABLE destinations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    key_id TEXT NOT NULL,
    public_key BLOB NOT NULL
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
    announced_at INTEGER NOT NULL,
    submitted_at INTEGER,
    picked_up_at INTEGER,
    purged_at INTEGER
);
CREATE INDEX submissions_pending ON submissions (destination_id, state);
CREATE TABLE attachment_parts (
    submission_id TEXT NOT NULL REFERENCES submissions (id),
    attachment_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    total INTEGER,
    received INTEGER NOT NULL DEFAULT 0,
    complete INTEGER NOT NULL DEFAULT 0,
    sha256 TEXT,
    PRIMARY KEY (submission_id, attachment_id)
);
CREATE TABLE attachment_chunks (
    submission_id TEXT NOT NULL,
    attachment_id TEXT NOT NULL,
    byte_offset INTEGER NOT NULL,
    bytes BLOB NOT NULL,
    PRIMARY KEY (submission_id, attachment_id, byte_offset),
    FOREIGN KEY (submission_id, attachment_id) REFERENCES attachment_parts (submission_id, attachment_id)
);
",
    // 2: the form-update channel a device reads, and its last report of the form set it runs.
    r"
ALTER TABLE devices ADD COLUMN forms_channel TEXT NOT NULL DEFAULT 'all';
ALTER TABLE devices ADD COLUMN forms_set_channel TEXT;
ALTER TABLE devices ADD COLUMN forms_set_version INTEGER;
ALTER TABLE devices ADD COLUMN forms_manifest_sha256 TEXT;
ALTER TABLE devices ADD COLUMN forms_published TEXT;
ALTER TABLE devices ADD COLUMN forms_reported_at INTEGER;
ALTER TABLE devices ADD COLUMN forms_error TEXT;
",
    // 3: tenants. Preceded by TENANTS_TABLE and, for `tenants adopt`, the first tenant (id 1). SQLite
    // cannot change a primary key, so the tables of tenant data are rebuilt with `tenant_id` first in their
    // keys, every row going to tenant 1; a fresh database copies nothing.
    r"
CREATE TABLE devices_v3 (
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    public_key BLOB,
    code_hash TEXT NOT NULL UNIQUE,
    code_expires_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    enrolled_at INTEGER,
    revoked_at INTEGER,
    forms_channel TEXT NOT NULL DEFAULT 'all',
    forms_set_channel TEXT,
    forms_set_version INTEGER,
    forms_manifest_sha256 TEXT,
    forms_published TEXT,
    forms_reported_at INTEGER,
    forms_error TEXT,
    UNIQUE (tenant_id, id)
);
INSERT INTO devices_v3 (tenant_id, id, name, public_key, code_hash, code_expires_at, created_at, enrolled_at,
                        revoked_at, forms_channel, forms_set_channel, forms_set_version, forms_manifest_sha256,
                        forms_published, forms_reported_at, forms_error)
    SELECT 1, id, name, public_key, code_hash, code_expires_at, created_at, enrolled_at, revoked_at, forms_channel,
           forms_set_channel, forms_set_version, forms_manifest_sha256, forms_published, forms_reported_at,
           forms_error
    FROM devices;
CREATE TABLE destinations_v3 (
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    key_id TEXT NOT NULL,
    public_key BLOB NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
INSERT INTO destinations_v3 (tenant_id, id, name, key_id, public_key)
    SELECT 1, id, name, key_id, public_key FROM destinations;
CREATE TABLE submissions_v3 (
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    destination_id TEXT NOT NULL,
    attachments TEXT NOT NULL,
    state TEXT NOT NULL,
    metadata TEXT,
    data TEXT,
    metadata_sha256 TEXT,
    data_sha256 TEXT,
    acceptance TEXT,
    announced_at INTEGER NOT NULL,
    submitted_at INTEGER,
    picked_up_at INTEGER,
    purged_at INTEGER,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, device_id) REFERENCES devices (tenant_id, id),
    FOREIGN KEY (tenant_id, destination_id) REFERENCES destinations (tenant_id, id)
);
INSERT INTO submissions_v3 (tenant_id, id, device_id, destination_id, attachments, state, metadata, data,
                            metadata_sha256, data_sha256, acceptance, announced_at, submitted_at, picked_up_at,
                            purged_at)
    SELECT 1, id, device_id, destination_id, attachments, state, metadata, data, metadata_sha256, data_sha256,
           acceptance, announced_at, submitted_at, picked_up_at, purged_at
    FROM submissions;
CREATE TABLE attachment_parts_v3 (
    tenant_id INTEGER NOT NULL,
    submission_id TEXT NOT NULL,
    attachment_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    total INTEGER,
    received INTEGER NOT NULL DEFAULT 0,
    complete INTEGER NOT NULL DEFAULT 0,
    sha256 TEXT,
    PRIMARY KEY (tenant_id, submission_id, attachment_id),
    FOREIGN KEY (tenant_id, submission_id) REFERENCES submissions (tenant_id, id)
);
INSERT INTO attachment_parts_v3 (tenant_id, submission_id, attachment_id, position, total, received, complete, sha256)
    SELECT 1, submission_id, attachment_id, position, total, received, complete, sha256 FROM attachment_parts;
CREATE TABLE attachment_chunks_v3 (
    tenant_id INTEGER NOT NULL,
    submission_id TEXT NOT NULL,
    attachment_id TEXT NOT NULL,
    byte_offset INTEGER NOT NULL,
    bytes BLOB NOT NULL,
    PRIMARY KEY (tenant_id, submission_id, attachment_id, byte_offset),
    FOREIGN KEY (tenant_id, submission_id, attachment_id)
        REFERENCES attachment_parts (tenant_id, submission_id, attachment_id)
);
INSERT INTO attachment_chunks_v3 (tenant_id, submission_id, attachment_id, byte_offset, bytes)
    SELECT 1, submission_id, attachment_id, byte_offset, bytes FROM attachment_chunks;
DROP TABLE attachment_chunks;
DROP TABLE attachment_parts;
DROP TABLE submissions;
DROP TABLE destinations;
DROP TABLE devices;
ALTER TABLE devices_v3 RENAME TO devices;
ALTER TABLE destinations_v3 RENAME TO destinations;
ALTER TABLE submissions_v3 RENAME TO submissions;
ALTER TABLE attachment_parts_v3 RENAME TO attachment_parts;
ALTER TABLE attachment_chunks_v3 RENAME TO attachment_chunks;
CREATE INDEX submissions_pending ON submissions (tenant_id, destination_id, state);
CREATE INDEX devices_tenant ON devices (tenant_id, created_at);

CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    tenant_id INTEGER REFERENCES tenants (id),
    login TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password TEXT,
    totp_secret BLOB,
    totp_last_step INTEGER,
    failed INTEGER NOT NULL DEFAULT 0,
    locked_until INTEGER,
    setup_token_sha256 TEXT,
    setup_expires_at INTEGER,
    created_at INTEGER NOT NULL,
    disabled_at INTEGER
);
CREATE TABLE account_roles (
    account_id TEXT NOT NULL REFERENCES accounts (id),
    tenant_id INTEGER REFERENCES tenants (id),
    role TEXT NOT NULL,
    PRIMARY KEY (account_id, role)
);
CREATE TABLE account_destinations (
    account_id TEXT NOT NULL REFERENCES accounts (id),
    tenant_id INTEGER NOT NULL,
    destination_id TEXT NOT NULL,
    PRIMARY KEY (account_id, tenant_id, destination_id),
    FOREIGN KEY (tenant_id, destination_id) REFERENCES destinations (tenant_id, id)
);
CREATE TABLE sessions (
    token_sha256 TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    tenant_id INTEGER REFERENCES tenants (id),
    csrf BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    seen_at INTEGER NOT NULL,
    second_factor INTEGER NOT NULL DEFAULT 0,
    totp_pending BLOB
);
CREATE TABLE sign_in_failures (
    key TEXT PRIMARY KEY,
    window_start INTEGER NOT NULL,
    count INTEGER NOT NULL,
    last_failure INTEGER NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);
CREATE TABLE audit_entries (
    log TEXT NOT NULL,
    seq INTEGER NOT NULL,
    tenant_id INTEGER REFERENCES tenants (id),
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    object TEXT,
    detail TEXT,
    prev BLOB NOT NULL,
    hash BLOB NOT NULL,
    PRIMARY KEY (log, seq)
);
CREATE TABLE audit_heads (
    log TEXT PRIMARY KEY,
    tenant_id INTEGER REFERENCES tenants (id),
    seq INTEGER NOT NULL,
    hash BLOB NOT NULL
);
CREATE TABLE audit_checkpoints (
    log TEXT NOT NULL,
    seq INTEGER NOT NULL,
    tenant_id INTEGER REFERENCES tenants (id),
    hash BLOB NOT NULL,
    at INTEGER NOT NULL,
    signature BLOB NOT NULL,
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
    id INTEGER PRIMARY KEY,
    ars TEXT NOT NULL UNIQUE CHECK (length(ars) = 12),
    name TEXT NOT NULL,
    letterhead TEXT NOT NULL,
    logo BLOB,
    logo_type TEXT,
    created_at INTEGER NOT NULL,
    suspended_at INTEGER
);
";
