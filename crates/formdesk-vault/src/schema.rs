//! The vault's tables and their forward-only migrations.
//!
//! `PRAGMA user_version` holds the number of migrations applied. Each migration runs in its own transaction
//! with the version bump, so a crash leaves the file at the old or the new version, never between. A file
//! written by a newer Formdesk (a higher version than this code knows) is refused, never downgraded.
//!
//! No column holds personal data in plaintext: what the clerk entered is in the `*_sealed` columns, as
//! envelopes (see `crypto.rs`). Plain columns hold ids, form ids, states and times only.

/// The migrations, in order; migration `n` (1-based) brings the file to `user_version = n`.
pub const MIGRATIONS: &[&str] = &[
    // 1: the first layout.
    "
    CREATE TABLE vault (
        id            INTEGER PRIMARY KEY CHECK (id = 1),
        created_at    INTEGER NOT NULL,
        -- The recovery secret's key wraps the vault key: salt for HKDF, and the wrapped key.
        recovery_salt BLOB NOT NULL,
        recovery_key  BLOB NOT NULL
    ) STRICT;

    CREATE TABLE clerks (
        id              INTEGER PRIMARY KEY,
        name            TEXT NOT NULL UNIQUE,
        kdf_salt        BLOB NOT NULL,
        kdf_memory_kib  INTEGER NOT NULL,
        kdf_passes      INTEGER NOT NULL,
        kdf_lanes       INTEGER NOT NULL,
        wrapped_key     BLOB NOT NULL,
        failed_attempts INTEGER NOT NULL DEFAULT 0,
        blocked_until   INTEGER NOT NULL DEFAULT 0
    ) STRICT;

    CREATE TABLE submissions (
        id             INTEGER PRIMARY KEY AUTOINCREMENT,
        uuid           TEXT NOT NULL UNIQUE,
        form_id        TEXT NOT NULL,
        form_version   TEXT NOT NULL,
        status         TEXT NOT NULL CHECK (status IN ('draft', 'final', 'shredded')),
        created_at     INTEGER NOT NULL,
        updated_at     INTEGER NOT NULL,
        finalized_at   INTEGER,
        shredded_at    INTEGER,
        revision       INTEGER NOT NULL DEFAULT 0,
        -- The submission's data key, wrapped by the vault key; NULL once shredded.
        wrapped_key    BLOB,
        -- What the work list shows after unlock (the citizen's name), and everything the clerk entered.
        summary_sealed BLOB,
        data_sealed    BLOB
    ) STRICT;
    CREATE INDEX submissions_by_update ON submissions (updated_at DESC);

    CREATE TABLE attachments (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        submission_id INTEGER NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
        size          INTEGER NOT NULL,
        chunks        INTEGER NOT NULL,
        -- File name and media type, sealed: a file name can be a citizen's name.
        meta_sealed   BLOB NOT NULL
    ) STRICT;
    CREATE INDEX attachments_by_submission ON attachments (submission_id);

    CREATE TABLE chunks (
        attachment_id INTEGER NOT NULL REFERENCES attachments (id) ON DELETE CASCADE,
        idx           INTEGER NOT NULL,
        data_sealed   BLOB NOT NULL,
        PRIMARY KEY (attachment_id, idx)
    ) STRICT, WITHOUT ROWID;
    ",
    // 2: attachments arrive in parts (the desk app sends a file piece by piece); until its last part is
    // written an attachment is incomplete, and an incomplete one left by a crash is deleted at the next open.
    "
    ALTER TABLE attachments ADD COLUMN complete INTEGER NOT NULL DEFAULT 1 CHECK (complete IN (0, 1));
    ",
    // 3: the citizen's receipt and the desk's own signing key. The receipt's reference is plain (a random
    // code, no personal data: what a receipt lookup needs after shredding); the PDF is sealed under the
    // submission's key and goes with it. The device key signs receipts (and later identifies the desk to the
    // portal); its private half is sealed under the vault key.
    "
    ALTER TABLE submissions ADD COLUMN reference TEXT;
    ALTER TABLE submissions ADD COLUMN receipt_sealed BLOB;
    CREATE UNIQUE INDEX submissions_by_reference ON submissions (reference) WHERE reference IS NOT NULL;

    CREATE TABLE device (
        id             INTEGER PRIMARY KEY CHECK (id = 1),
        created_at     INTEGER NOT NULL,
        public_key     BLOB NOT NULL,
        private_sealed BLOB NOT NULL
    ) STRICT;
    ",
    // 4: delivery to the portal. The outbox holds what a finalized submission travels as: its parts sealed
    // for the receiving authority (JWE, readable by the authority alone, so they need no vault key and can
    // be sent while the desk is locked) and where the delivery stands. A row is written in the same
    // transaction as the finalization; after the portal's acceptance the parts go, the acceptance stays.
    // The desk's registration with the portal and the destinations' public keys are public facts, plain.
    "
    CREATE TABLE portal (
        id          INTEGER PRIMARY KEY CHECK (id = 1),
        url         TEXT NOT NULL,
        device_id   TEXT NOT NULL,
        device_name TEXT NOT NULL,
        portal_key  BLOB NOT NULL,
        enrolled_at INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE destinations (
        id         TEXT PRIMARY KEY,
        name       TEXT NOT NULL,
        key_id     TEXT NOT NULL,
        public_key BLOB NOT NULL,
        fetched_at INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE outbox (
        submission_id   INTEGER PRIMARY KEY REFERENCES submissions (id),
        destination_id  TEXT NOT NULL,
        state           TEXT NOT NULL CHECK (state IN ('queued', 'failed', 'delivered')),
        attempts        INTEGER NOT NULL DEFAULT 0,
        queued_at       INTEGER NOT NULL,
        next_attempt_at INTEGER NOT NULL,
        last_error      TEXT,
        delivered_at    INTEGER,
        acceptance      TEXT
    ) STRICT;
    CREATE INDEX outbox_due ON outbox (state, next_attempt_at);

    CREATE TABLE outbox_parts (
        submission_id INTEGER NOT NULL REFERENCES outbox (submission_id) ON DELETE CASCADE,
        idx           INTEGER NOT NULL,
        name          TEXT NOT NULL,
        jwe           TEXT NOT NULL,
        PRIMARY KEY (submission_id, idx)
    ) STRICT, WITHOUT ROWID;
    ",
    // 5: the form set a submission was begun on. Form sets are installed by hash; a draft stays with the
    // set and the form text it was begun on (the manifest's and the definition's SHA-256) until it is
    // shredded, so that clean-up never deletes them. NULL in submissions begun before (they use the current
    // form). And the form texts withdrawn since (by SHA-256): a draft on one of them is never finalized, even
    // once a newer version is published. Public facts, plain, readable while locked.
    "
    ALTER TABLE submissions ADD COLUMN form_set TEXT;
    ALTER TABLE submissions ADD COLUMN form_sha256 TEXT;
    CREATE INDEX submissions_by_form_set ON submissions (form_set) WHERE form_set IS NOT NULL;

    CREATE TABLE withdrawn_forms (
        sha256       TEXT PRIMARY KEY,
        withdrawn_at INTEGER NOT NULL
    ) STRICT;
    ",
    // 6: the desk's audit trail (docs/tenants.md, section 6): an append-only hash chain of what was done,
    // one row per entry. The record is the canonical JSON `formdesk_protocol::audit` hashes; `prev` and
    // `hash` are the chain's links. Plain, not sealed: the records hold ids only, and a wrong PIN must be
    // recorded while there is no key. `uploaded` marks the entries the portal has acknowledged; only those
    // may ever be pruned.
    "
    CREATE TABLE audit (
        seq      INTEGER PRIMARY KEY,
        record   BLOB NOT NULL,
        prev     BLOB NOT NULL,
        hash     BLOB NOT NULL,
        uploaded INTEGER NOT NULL DEFAULT 0 CHECK (uploaded IN (0, 1))
    ) STRICT;
    ",
];

/// The first layout with the audit trail's table.
pub const AUDIT_LAYOUT: u32 = 6;

/// The layout version this code writes: the number of migrations.
pub fn current_version() -> u32 {
    u32::try_from(MIGRATIONS.len()).unwrap_or(u32::MAX)
}
