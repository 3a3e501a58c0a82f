//! Any bytes as every JSON body of the wire, the upload query, ids, enrolment codes and base64url. Must never
//! panic; what is read must write back to the same value.
#![no_main]

use formdesk_protocol::wire::{
    Announce, Destination, EnrolRequest, EnrolResponse, ErrorBody, ErrorCode, PortalInfo, SubmissionStatus, Submit,
    Submitted, UploadConflict, attachment_path, parse_upload_query,
};
use formdesk_protocol::{decode_base64url, encode_base64url, ids};
use libfuzzer_sys::fuzz_target;
use serde::Serialize;
use serde::de::DeserializeOwned;

fn round_trips<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(bytes: &[u8]) {
    if let Ok(value) = serde_json::from_slice::<T>(bytes) {
        let json = serde_json::to_vec(&value).expect("writes");
        assert_eq!(serde_json::from_slice::<T>(&json).expect("reads back"), value);
    }
}

fuzz_target!(|data: &[u8]| {
    round_trips::<EnrolRequest>(data);
    round_trips::<EnrolResponse>(data);
    round_trips::<Announce>(data);
    round_trips::<Submit>(data);
    round_trips::<Submitted>(data);
    round_trips::<SubmissionStatus>(data);
    round_trips::<UploadConflict>(data);
    round_trips::<PortalInfo>(data);
    round_trips::<Vec<Destination>>(data);
    if let Ok(body) = serde_json::from_slice::<ErrorBody>(data) {
        assert!(ErrorCode::ALL.contains(&body.code));
    }
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok((offset, total)) = parse_upload_query(Some(text)) {
        let path = attachment_path("s", "a", offset, total);
        assert_eq!(parse_upload_query(path.split_once('?').map(|(_, q)| q)), Ok((offset, total)));
    }
    if let Ok(code) = ids::normalize_enrolment_code(text) {
        assert_eq!(code.len(), ids::CODE_SYMBOLS);
        assert_eq!(ids::normalize_enrolment_code(&code), Ok(code));
    }
    if ids::check_uuid("id", text).is_ok() {
        assert_eq!(text.len(), 36);
    }
    let _ = ids::check_destination_id(text);
    let _ = ErrorCode::from(text);
    if let Some(bytes) = decode_base64url(text) {
        assert_eq!(encode_base64url(&bytes), text);
    }
});
