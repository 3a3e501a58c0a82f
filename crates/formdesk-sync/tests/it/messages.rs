//! Every error a clerk can be shown is one of our German sentences: no library's English, no socket errors,
//! no HTTP status lines. Each kind of error of the desk, the vault under it and the link to the portal is made
//! here with the most English cause it can carry (real `io`, SQLite and TLS errors, English portal answers),
//! and what would reach the screen is checked word by word. A new variant does not compile until it is
//! listed here.

use formdesk_desk::DeskError;
use formdesk_desk::ipc::IpcError;
use formdesk_sync::{AddressProblem, DeliveryError, EnrolFailure, Refusal, SyncError, Unreachable};
use formdesk_vault::{CryptoError, Status, VaultError};
use std::path::PathBuf;

/// Words that occur in the libraries' and the portal's English messages and in no German sentence of ours ("in",
/// "was" and "Code" are German too).
const ENGLISH: &[&str] = &[
    "the",
    "is",
    "not",
    "no",
    "error",
    "failed",
    "failure",
    "sending",
    "request",
    "connection",
    "connect",
    "refused",
    "denied",
    "permission",
    "invalid",
    "unauthorized",
    "unknown",
    "known",
    "expected",
    "found",
    "timed",
    "timeout",
    "os",
    "tcp",
    "client",
    "server",
    "certificate",
    "peer",
    "issuer",
    "unexpected",
    "cannot",
    "could",
    "does",
    "exist",
    "directory",
    "file",
    "database",
    "disk",
    "locked",
    "vault",
    "submission",
    "device",
    "revoked",
    "enrolment",
    "attachment",
    "of",
    "for",
    "with",
    "to",
    "at",
    "by",
    "from",
    "url",
    "body",
    "bytes",
    "wrong",
    "too",
    "many",
    "such",
    "entity",
    "malformed",
    "decrypt",
    "decode",
    "parse",
    "utf",
];

/// The detail every error below is made with; none of it may reach the clerk.
const PORTAL_SAYS: &str = "unauthorized: the enrolment code is not known to this portal";

fn check(what: &str, message: &str) {
    assert!(!message.trim().is_empty(), "{what}: says nothing");
    for word in message.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
        assert!(
            !ENGLISH.contains(&word.to_lowercase().as_str()),
            "{what}: the English word {word:?} reaches the clerk in: {message}"
        );
    }
    assert!(!message.contains("HTTP 4") && !message.contains("HTTP 5"), "{what}: {message}");
}

fn io_error() -> std::io::Error {
    std::fs::read("/proc/self/nonexistent/formdesk").expect_err("there is no such file")
}

fn sql_error() -> rusqlite::Error {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("not-a-database");
    std::fs::write(&path, vec![b'x'; 4096]).expect("write");
    let conn = rusqlite::Connection::open(&path).expect("open");
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)).expect_err("not a database")
}

fn vault_errors() -> Vec<VaultError> {
    vec![
        VaultError::Locked,
        VaultError::NotInitialized,
        VaultError::AlreadyInitialized,
        VaultError::UnknownClerk("Erika Mustermann".into()),
        VaultError::ClerkExists("Erika Mustermann".into()),
        VaultError::WrongPin { attempts: 1 },
        VaultError::WrongPin { attempts: 9 },
        VaultError::Blocked { seconds: 30 },
        VaultError::Blocked { seconds: 600 },
        VaultError::WrongRecoverySecret,
        VaultError::MalformedRecoverySecret("expected 8 groups of 4 characters".into()),
        VaultError::PinTooShort { min: 6 },
        VaultError::UnknownSubmission(7),
        VaultError::UnknownAttachment(7),
        VaultError::WrongState { id: 7, status: Status::Draft, action: "finalizing it" },
        VaultError::WrongState { id: 7, status: Status::Final, action: "changing it" },
        VaultError::WrongState { id: 7, status: Status::Shredded, action: "reading it" },
        VaultError::Tampered { id: 7, place: "data".into(), source: CryptoError::Malformed },
        VaultError::Corrupt("the vault file is damaged: database disk image is malformed".into()),
        VaultError::TooNew { found: 9, known: 4 },
        VaultError::DiskFull,
        VaultError::ReadOnly(PathBuf::from("/var/lib/formdesk")),
        VaultError::Directory { path: PathBuf::from("/var/lib/formdesk"), source: io_error() },
        VaultError::Io(io_error()),
        VaultError::Crypto(CryptoError::Malformed),
        VaultError::from(sql_error()),
    ]
}

/// The name of each kind, so that a new one fails to compile here until it has an example.
fn desk_kind(e: &DeskError) -> &'static str {
    match e {
        DeskError::UnknownForm(_) => "UnknownForm",
        DeskError::UnknownDraft(_) => "UnknownDraft",
        DeskError::Finalized(_) => "Finalized",
        DeskError::BadPath(_) => "BadPath",
        DeskError::LanguageNotOffered(..) => "LanguageNotOffered",
        DeskError::StepNotReachable(_) => "StepNotReachable",
        DeskError::Incomplete(_) => "Incomplete",
        DeskError::NoClerkName => "NoClerkName",
        DeskError::Unreadable(..) => "Unreadable",
        DeskError::UnknownFile => "UnknownFile",
        DeskError::FileTooLarge => "FileTooLarge",
        // The municipality file is read once at start, and its errors go to the administrator's command line
        // (naming the file and the field), never to the clerk's window.
        DeskError::Config(_) => "Config",
        DeskError::NoReceipt(_) => "NoReceipt",
        DeskError::Print(_) => "Print",
        DeskError::Receipt(_) => "Receipt",
        DeskError::Delivery(_) => "Delivery",
        DeskError::PinMismatch => "PinMismatch",
        DeskError::Withdrawn(_) => "Withdrawn",
        DeskError::Forms(_) => "Forms",
        DeskError::Vault(_) => "Vault",
    }
}

#[test]
fn every_error_of_the_desk_is_said_in_our_german() {
    let mut errors = vec![
        DeskError::UnknownForm("hundeanmeldung".into()),
        DeskError::UnknownDraft(7),
        DeskError::Finalized(7),
        DeskError::BadPath("halter.name".into()),
        DeskError::LanguageNotOffered("hundeabmeldung".into(), "de-x-ls".into()),
        DeskError::StepNotReachable("zahlung".into()),
        DeskError::Incomplete(3),
        DeskError::NoClerkName,
        DeskError::Unreadable(7, "expected value at line 1 column 1".into()),
        DeskError::UnknownFile,
        DeskError::FileTooLarge,
        DeskError::NoReceipt(7),
        DeskError::PinMismatch,
        DeskError::Withdrawn("Hund anmelden".into()),
        DeskError::Forms("Für das Formular „Hund anmelden“ können keine neuen Vorgänge mehr begonnen werden.".into()),
    ];
    // What the desk makes of a failing printer, receipt, key or file, through its own paths.
    let dir = tempfile::tempdir().expect("dir");
    let refusing = dir.path().join("lp");
    std::fs::write(&refusing, "#!/bin/sh\necho 'lp: Error - no default destination available.' >&2\nexit 1\n")
        .expect("stand-in");
    std::fs::set_permissions(&refusing, std::os::unix::fs::PermissionsExt::from_mode(0o755)).expect("chmod");
    errors.push(
        formdesk_desk::print::print_pdf_with(&refusing.display().to_string(), b"%PDF", "x").expect_err("refused"),
    );
    errors.push(formdesk_desk::print::print_pdf_with("/nonexistent/lp", b"%PDF", "x").expect_err("missing"));
    errors.extend(vault_errors().into_iter().map(DeskError::Vault));

    let mut kinds: Vec<&str> = errors.iter().map(desk_kind).collect();
    kinds.sort_unstable();
    kinds.dedup();
    // Every kind but the start-up configuration's, and the receipt's and delivery's, which are checked
    // through the desk below.
    assert_eq!(kinds.len(), 17, "{kinds:?}");
    for error in errors {
        let what = format!("{error:?}");
        let ipc = IpcError::from(error);
        check(&what, &ipc.message);
    }
    check("IpcError::window", &IpcError::window(&"Failed to create webview: GDK backend unavailable").message);
    check("IpcError::receipt", &IpcError::receipt(&"Invalid path: not a file URL").message);
    check("IpcError::file_part", &IpcError::file_part("the request has no body").message);
}

#[test]
fn every_error_of_the_link_to_the_portal_is_said_in_our_german() {
    let url = "https://portal.musterstadt.de";
    let mut errors = vec![
        SyncError::Registration(PORTAL_SAYS.into()),
        SyncError::DeviceKey("the vault is locked; unlock it with a PIN first".into()),
        SyncError::Code("an enrolment code has 16 characters (without hyphens), this one 3".into()),
        SyncError::Outbox("database is locked".into()),
        SyncError::Client("error building the TLS client: no root certificates".into()),
        SyncError::NoRuntime,
    ];
    for problem in [
        AddressProblem::NotAnAddress,
        AddressProblem::Credentials,
        AddressProblem::Path,
        AddressProblem::NoHost,
        AddressProblem::PlainHttp,
        AddressProblem::Scheme("ftp".into()),
    ] {
        errors.push(SyncError::Address { url: "portal musterstadt".into(), problem });
    }
    for failure in [
        EnrolFailure::Unreachable,
        EnrolFailure::Certificate,
        EnrolFailure::NotSecure,
        EnrolFailure::NotAPortal,
        EnrolFailure::UnknownCode,
        EnrolFailure::ExpiredCode,
        EnrolFailure::UsedCode,
        EnrolFailure::Revoked,
        EnrolFailure::Unavailable,
        EnrolFailure::Refused,
    ] {
        errors.push(SyncError::Enrolment { url: url.into(), failure, detail: PORTAL_SAYS.into() });
    }
    let mut deliveries = vec![
        DeliveryError::Unavailable(PORTAL_SAYS.into()),
        DeliveryError::ClockSkew(PORTAL_SAYS.into()),
        DeliveryError::Unenrolled(PORTAL_SAYS.into()),
        DeliveryError::BadAcceptance("the acceptance is not signed with the portal's key".into()),
        DeliveryError::Locked,
    ];
    for why in [Unreachable::Network, Unreachable::Certificate, Unreachable::NotSecure] {
        deliveries.push(DeliveryError::Unreachable(
            why,
            "error sending request for url (https://x/): client error (Connect): tcp connect error: Connection \
             refused (os error 111)"
                .into(),
        ));
    }
    for why in [
        Refusal::TooLarge,
        Refusal::Conflict,
        Refusal::UnknownDestination,
        Refusal::InvalidPart,
        Refusal::Malformed,
        Refusal::NotFound,
        Refusal::Incomplete,
        Refusal::Other,
    ] {
        deliveries.push(DeliveryError::Refused(why, PORTAL_SAYS.into()));
    }
    // And what the portal's answers become, for every status a portal or a proxy in between may send.
    for status in [400, 401, 403, 404, 405, 408, 409, 413, 422, 429, 500, 502, 503, 504] {
        for code in ["unauthorized", "clock_skew", "incomplete", "invalid_part", "unknown_destination", "busy"] {
            let body = serde_json::json!({ "code": code, "message": PORTAL_SAYS }).to_string();
            deliveries.push(formdesk_sync::failure::classify(status, body.as_bytes()));
        }
        deliveries.push(formdesk_sync::failure::classify(status, b"<html><body>Bad Gateway</body></html>"));
    }
    for delivery in &deliveries {
        check(&format!("{delivery:?}"), &delivery.reason());
        assert!(
            delivery.detail().is_empty() || !delivery.reason().contains(delivery.detail()),
            "the detail goes to the log: {delivery:?}"
        );
    }
    errors.extend(deliveries.into_iter().map(SyncError::Portal));
    for error in errors {
        check(&format!("{error:?}"), &error.to_string());
    }
}
