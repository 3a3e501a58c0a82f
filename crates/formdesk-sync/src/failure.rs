//! Why an attempt failed, and whether repeating it can help.
//!
//! Connection failures, timeouts, 5xx, 429 and a submit before every attachment was complete pass: the engine
//! retries with backoff. A 401 means the portal does not (or no longer) know this desk, and any other refusal
//! (400, 409, 413, 422, …) will be given again to the same request: those wait for the clerk. An acceptance that does not confirm what was sent is never
//! taken as delivered. Every reason is a German sentence for the clerk, with the technical detail after it in
//! parentheses, so the clerk's view and a support ticket both say what happened.
//!
//! Non-goals: the retry schedule ([`crate::backoff`]) and how the engine reacts ([`crate::engine`]).

use formdesk_protocol::wire::ErrorBody;

/// A failed call to the portal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    /// No connection, a connection cut off, or no answer in time: the portal cannot be reached from here.
    /// Transient; it also tells the engine that the desk is offline.
    #[error("Das Portal ist nicht erreichbar; die Sendung wird später wiederholt. ({0})")]
    Unreachable(String),
    /// The portal answered that it cannot take the request now (5xx, 429, 408), that an attachment is still
    /// incomplete (409 `incomplete`), or its answer could not be read. Transient.
    #[error("Das Portal kann die Sendung gerade nicht annehmen; sie wird später wiederholt. ({0})")]
    Unavailable(String),
    /// The portal does not know this device, or it was revoked (401). Permanent.
    #[error("Dieses Gerät ist beim Portal nicht (mehr) angemeldet. ({0})")]
    Unenrolled(String),
    /// The portal refused the request for a reason that repeating it will not change. Permanent; the text is
    /// the complete reason.
    #[error("{0}")]
    Refused(String),
    /// The portal's acceptance does not confirm what was sent. Permanent: the submission is not delivered.
    #[error("Die Empfangsbestätigung des Portals passt nicht zu dieser Sendung; sie gilt nicht als zugestellt. ({0})")]
    BadAcceptance(String),
    /// The desk is locked: without the device key no request can be signed. Not an attempt at all.
    #[error("Der Arbeitsplatz ist gesperrt; gesendet wird erst nach dem Entsperren.")]
    Locked,
}

impl DeliveryError {
    /// Whether repeating the same request cannot help, so the entry waits for the clerk.
    pub fn is_permanent(&self) -> bool {
        matches!(self, DeliveryError::Unenrolled(_) | DeliveryError::Refused(_) | DeliveryError::BadAcceptance(_))
    }

    /// Whether the failure says the portal cannot be reached at all.
    pub fn is_unreachable(&self) -> bool {
        matches!(self, DeliveryError::Unreachable(_))
    }

    /// The reason as the outbox keeps it and the clerk reads it.
    pub fn reason(&self) -> String {
        self.to_string()
    }
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
    let code = error.as_ref().map(|e| e.code.as_str());
    let refused = |sentence: &str| DeliveryError::Refused(format!("{sentence} ({detail})"));
    match status {
        401 => DeliveryError::Unenrolled(detail),
        408 | 429 | 500..=599 => DeliveryError::Unavailable(detail),
        // Submitted before an attachment was complete: the next attempt reads the status again and uploads
        // what is missing.
        409 if code == Some("incomplete") => DeliveryError::Unavailable(detail),
        413 => refused("Die Sendung ist größer, als das Portal annimmt."),
        409 => refused("Das Portal hat diese Sendung schon mit anderem Inhalt erhalten."),
        422 if code == Some("unknown_destination") => {
            refused("Das Portal kennt die Empfangsstelle dieser Sendung nicht.")
        }
        422 if code == Some("invalid_part") => {
            refused("Ein Teil der Sendung ist nicht für den Schlüssel der Empfangsstelle verschlüsselt.")
        }
        400 | 422 => refused("Das Portal hat die Sendung als fehlerhaft abgelehnt."),
        404 => refused("Das Portal kennt diese Sendung nicht."),
        _ => refused("Das Portal hat die Sendung abgelehnt."),
    }
}

/// At most 300 characters of text from the other side, for a reason that stays readable.
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
        serde_json::to_vec(&ErrorBody { code: code.into(), message: message.into() }).unwrap()
    }

    #[test]
    fn server_trouble_and_throttling_pass() {
        for status in [500, 502, 503, 504, 429, 408] {
            let e = classify(status, b"<html>Bad Gateway</html>");
            assert!(matches!(e, DeliveryError::Unavailable(_)), "{status}: {e:?}");
            assert!(!e.is_permanent() && !e.is_unreachable(), "{status}");
            assert!(e.reason().contains(&format!("HTTP {status}: <html>Bad Gateway</html>")), "{}", e.reason());
        }
        let e = classify(409, &body("incomplete", "attachment a is incomplete: 5 of 9 bytes received"));
        assert!(matches!(e, DeliveryError::Unavailable(_)), "{e:?}");
        assert!(!DeliveryError::Unreachable("connection refused".into()).is_permanent());
        assert!(DeliveryError::Unreachable("connection refused".into()).is_unreachable());
    }

    #[test]
    fn an_unknown_or_revoked_device_is_told_in_german() {
        let e = classify(401, &body("unauthorized", "device x was revoked at 2026-11-24 10:00:00 UTC"));
        assert!(e.is_permanent());
        assert_eq!(
            e.reason(),
            "Dieses Gerät ist beim Portal nicht (mehr) angemeldet. \
             (HTTP 401, unauthorized: device x was revoked at 2026-11-24 10:00:00 UTC)"
        );
    }

    #[test]
    fn refusals_are_permanent_and_carry_the_portals_message() {
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
            assert_eq!(e.reason(), format!("{sentence} (HTTP {status}, {code}: what the portal says)"));
        }
    }

    #[test]
    fn long_or_empty_bodies_stay_readable() {
        let e = classify(400, "x".repeat(5000).as_bytes());
        assert!(e.reason().chars().count() < 400, "{}", e.reason());
        assert_eq!(
            classify(503, b"").reason(),
            "Das Portal kann die Sendung gerade nicht annehmen; sie wird später wiederholt. (HTTP 503)"
        );
    }
}
