//! Why an attempt failed, and whether repeating it can help.
//!
//! Connection failures, timeouts, 5xx, 429 and a submit before every attachment was complete pass: the engine
//! retries with backoff. A 401 means the portal does not (or no longer) know this desk, and any other refusal
//! (400, 409, 413, 422, …) will be given again to the same request: those wait for the clerk. An acceptance
//! that does not confirm what was sent is never taken as delivered.
//!
//! What the clerk reads ([`DeliveryError::reason`], the `Display` text) is always one of our German sentences,
//! chosen by the kind of failure; what the libraries and the portal said (English, with status codes and
//! socket errors) is the [`DeliveryError::detail`], which goes to the log and never onto the screen.
//!
//! Non-goals: the retry schedule ([`crate::backoff`]) and how the engine reacts ([`crate::engine`]).

use formdesk_protocol::wire::{ErrorBody, ErrorCode};

/// Why the portal could not be reached at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unreachable {
    /// No connection, a connection cut off, a name that does not resolve, or no answer in time.
    Network,
    /// The portal's certificate is not trusted on this desk (unknown issuer, wrong name, expired).
    Certificate,
    /// No secure connection could be made: what answers there does not speak TLS, or not acceptably.
    NotSecure,
}

/// Why the portal refused a request, as far as the desk needs to tell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Larger than the portal takes (413).
    TooLarge,
    /// The same id with other content (409).
    Conflict,
    /// The portal does not know the submission's destination (422 `unknown_destination`).
    UnknownDestination,
    /// A part is not sealed for the destination's key (422 `invalid_part`).
    InvalidPart,
    /// The portal found the request malformed (400, 422).
    Malformed,
    /// The portal does not know the submission (404).
    NotFound,
    /// The portal's answers about an attachment contradict each other.
    Incomplete,
    /// Any other refusal.
    Other,
}

/// A failed call to the portal. The `String` of every variant is the technical detail for the log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    /// The portal cannot be reached from here. Transient; it also tells the engine that the desk is offline.
    #[error("{}", unreachable_sentence(*.0))]
    Unreachable(Unreachable, String),
    /// The portal answered that it cannot take the request now (5xx, 429, 408), that an attachment is still
    /// incomplete (409 `incomplete`), or its answer could not be read. Transient.
    #[error("Das Portal kann die Sendung gerade nicht annehmen; sie wird später wiederholt.")]
    Unavailable(String),
    /// The desk's clock is too far from the portal's (401 `clock_skew`). Transient: it passes once the clock is
    /// set right.
    #[error(
        "Datum oder Uhrzeit dieses Arbeitsplatzes weichen zu weit von denen des Portals ab. Bitte lassen Sie die \
         Uhr richtig stellen; die Sendung wird dann wiederholt."
    )]
    ClockSkew(String),
    /// The portal does not know this device, or it was revoked (401). Permanent.
    #[error(
        "Dieser Arbeitsplatz ist beim Portal nicht (mehr) angemeldet. Bitte wenden Sie sich an die Verwaltung des Portals."
    )]
    Unenrolled(String),
    /// The portal refused the request for a reason that repeating it will not change. Permanent.
    #[error("{}", refusal_sentence(*.0))]
    Refused(Refusal, String),
    /// The portal's acceptance does not confirm what was sent. Permanent: the submission is not delivered.
    #[error("Die Empfangsbestätigung des Portals passt nicht zu dieser Sendung; sie gilt nicht als zugestellt.")]
    BadAcceptance(String),
    /// The desk is locked: without the device key no request can be signed. Not an attempt at all.
    #[error("Der Arbeitsplatz ist gesperrt; gesendet wird erst nach dem Entsperren.")]
    Locked,
}

fn unreachable_sentence(why: Unreachable) -> &'static str {
    match why {
        Unreachable::Network => "Das Portal ist nicht erreichbar; die Sendung wird später wiederholt.",
        Unreachable::Certificate => {
            "Das Zertifikat des Portals wird auf diesem Arbeitsplatz nicht anerkannt; die Sendung wird später \
             wiederholt. Bitte verständigen Sie die IT-Betreuung."
        }
        Unreachable::NotSecure => {
            "Mit dem Portal ist keine sichere Verbindung möglich; die Sendung wird später wiederholt. Bitte \
             verständigen Sie die IT-Betreuung."
        }
    }
}

fn refusal_sentence(why: Refusal) -> &'static str {
    match why {
        Refusal::TooLarge => "Die Sendung ist größer, als das Portal annimmt.",
        Refusal::Conflict => "Das Portal hat diese Sendung schon mit anderem Inhalt erhalten.",
        Refusal::UnknownDestination => "Das Portal kennt die Empfangsstelle dieser Sendung nicht.",
        Refusal::InvalidPart => "Ein Teil der Sendung ist nicht für den Schlüssel der Empfangsstelle verschlüsselt.",
        Refusal::Malformed => "Das Portal hat die Sendung als fehlerhaft abgelehnt.",
        Refusal::NotFound => "Das Portal kennt diese Sendung nicht.",
        Refusal::Incomplete => "Ein Anhang konnte nicht vollständig zum Portal übertragen werden.",
        Refusal::Other => "Das Portal hat die Sendung abgelehnt.",
    }
}

impl DeliveryError {
    /// Whether repeating the same request cannot help, so the entry waits for the clerk.
    pub fn is_permanent(&self) -> bool {
        matches!(self, DeliveryError::Unenrolled(_) | DeliveryError::Refused(..) | DeliveryError::BadAcceptance(_))
    }

    /// Whether the failure says the portal cannot be reached at all.
    pub fn is_unreachable(&self) -> bool {
        matches!(self, DeliveryError::Unreachable(..))
    }

    /// The reason as the outbox keeps it and the clerk reads it: one of our German sentences.
    pub fn reason(&self) -> String {
        self.to_string()
    }

    /// What the libraries or the portal said, for the log.
    pub fn detail(&self) -> &str {
        match self {
            DeliveryError::Unreachable(_, detail)
            | DeliveryError::Unavailable(detail)
            | DeliveryError::ClockSkew(detail)
            | DeliveryError::Unenrolled(detail)
            | DeliveryError::Refused(_, detail)
            | DeliveryError::BadAcceptance(detail) => detail,
            DeliveryError::Locked => "",
        }
    }
}

/// The portal's error code in an answer, if it sent the protocol's [`ErrorBody`].
pub(crate) fn error_code(body: &[u8]) -> Option<ErrorCode> {
    serde_json::from_slice::<ErrorBody>(body).ok().map(|e| e.code)
}

/// Classifies a portal's answer with a status other than 2xx, from its status and body (an
/// [`ErrorBody`] as the protocol has it, or anything else a proxy in between might answer).
pub fn classify(status: u16, body: &[u8]) -> DeliveryError {
    let error: Option<ErrorBody> = serde_json::from_slice(body).ok();
    let detail = match &error {
        Some(e) => format!("HTTP {status}, {}: {}", e.code, shorten(&e.message)),
        None if body.is_empty() => format!("HTTP {status}"),
        None => format!("HTTP {status}: {}", shorten(&String::from_utf8_lossy(body))),
    };
    let code = error.as_ref().map(|e| e.code);
    let refused = |why: Refusal| DeliveryError::Refused(why, detail.clone());
    match status {
        401 if code == Some(ErrorCode::ClockSkew) => DeliveryError::ClockSkew(detail),
        401 => DeliveryError::Unenrolled(detail),
        408 | 429 | 500..=599 => DeliveryError::Unavailable(detail),
        // Submitted before an attachment was complete: the next attempt reads the status again and uploads
        // what is missing.
        409 if code == Some(ErrorCode::Incomplete) => DeliveryError::Unavailable(detail),
        413 => refused(Refusal::TooLarge),
        409 => refused(Refusal::Conflict),
        422 if code == Some(ErrorCode::UnknownDestination) => refused(Refusal::UnknownDestination),
        422 if code == Some(ErrorCode::InvalidPart) => refused(Refusal::InvalidPart),
        400 | 422 => refused(Refusal::Malformed),
        404 => refused(Refusal::NotFound),
        _ => refused(Refusal::Other),
    }
}

/// At most 300 characters of text from the other side, for a detail that stays readable.
pub(crate) fn shorten(text: &str) -> String {
    let text = text.trim();
    if text.chars().count() <= 300 {
        text.to_owned()
    } else {
        format!("{}…", text.chars().take(300).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(code: &str, message: &str) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({ "code": code, "message": message })).unwrap()
    }

    #[test]
    fn server_trouble_and_throttling_pass() {
        for status in [500, 502, 503, 504, 429, 408] {
            let e = classify(status, b"<html>Bad Gateway</html>");
            assert!(matches!(e, DeliveryError::Unavailable(_)), "{status}: {e:?}");
            assert!(!e.is_permanent() && !e.is_unreachable(), "{status}");
            assert_eq!(e.detail(), format!("HTTP {status}: <html>Bad Gateway</html>"));
            assert!(!e.reason().contains("Bad Gateway"), "{}", e.reason());
        }
        let e = classify(409, &body("incomplete", "attachment a is incomplete: 5 of 9 bytes received"));
        assert!(matches!(e, DeliveryError::Unavailable(_)), "{e:?}");
        let e = classify(401, &body("clock_skew", "the request was signed at 0"));
        assert!(matches!(e, DeliveryError::ClockSkew(_)) && !e.is_permanent(), "{e:?}");
        assert!(e.reason().contains("Uhr"), "{}", e.reason());
        let offline = DeliveryError::Unreachable(Unreachable::Network, "connection refused".into());
        assert!(!offline.is_permanent() && offline.is_unreachable());
    }

    #[test]
    fn an_unknown_or_revoked_device_is_told_in_german_and_the_detail_kept_for_the_log() {
        let e = classify(401, &body("device_revoked", "device x was revoked at 2026-11-24 10:00:00 UTC"));
        assert!(e.is_permanent());
        assert_eq!(
            e.reason(),
            "Dieser Arbeitsplatz ist beim Portal nicht (mehr) angemeldet. Bitte wenden Sie sich an die Verwaltung \
             des Portals."
        );
        assert_eq!(e.detail(), "HTTP 401, device_revoked: device x was revoked at 2026-11-24 10:00:00 UTC");
    }

    #[test]
    fn refusals_are_permanent_and_said_in_our_words() {
        for (status, code, sentence) in [
            (409, "conflict", "Das Portal hat diese Sendung schon mit anderem Inhalt erhalten."),
            (413, "payload_too_large", "Die Sendung ist größer, als das Portal annimmt."),
            (422, "unknown_destination", "Das Portal kennt die Empfangsstelle dieser Sendung nicht."),
            (422, "invalid_part", "Ein Teil der Sendung ist nicht für den Schlüssel der Empfangsstelle verschlüsselt."),
            (400, "bad_request", "Das Portal hat die Sendung als fehlerhaft abgelehnt."),
            (404, "not_found", "Das Portal kennt diese Sendung nicht."),
        ] {
            let e = classify(status, &body(code, "what the portal says"));
            assert!(e.is_permanent(), "{status}");
            assert_eq!(e.reason(), sentence);
            assert_eq!(e.detail(), format!("HTTP {status}, {code}: what the portal says"));
        }
    }

    #[test]
    fn long_or_empty_bodies_stay_readable_in_the_detail() {
        let e = classify(400, "x".repeat(5000).as_bytes());
        assert!(e.detail().chars().count() < 400, "{}", e.detail());
        assert_eq!(classify(503, b"").detail(), "HTTP 503");
    }
}
