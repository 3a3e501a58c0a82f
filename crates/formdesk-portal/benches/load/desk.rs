//! A desk as the portal sees it: an enrolled device key with its own HTTP client, submissions sealed for the
//! destination before the clock starts, and a delivery signed and checked as the desk's sync engine does it.

use crate::DESTINATION;
use crate::measure::{Kind, Samples};
use anyhow::{Context as _, Result, anyhow, ensure};
use formdesk_protocol::acceptance::{Acceptance, PartHash};
use formdesk_protocol::auth::authorize;
use formdesk_protocol::content::{AttachmentMeta, CONTENT_VERSION, FormRef, Metadata, SubmissionData};
use formdesk_protocol::wire::{self, Announce, AttachmentStatus, EnrolRequest, EnrolResponse, Submit, Submitted};
use formdesk_protocol::{decode_base64url, encode_base64url, sha256_hex};
use formdesk_seal::RecipientKey;
use reqwest::Method;
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{Ed25519KeyPair, KeyPair};
use std::time::{Duration, Instant};

/// The attachment's plaintext: 36 KiB, which seals to a JWE of about 50 KB.
const ATTACHMENT_PLAINTEXT: usize = 36 * 1024;
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

pub(crate) fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// A submission sealed for the destination, with the request bodies and the part hashes its acceptance must
/// name.
#[derive(Debug)]
pub(crate) struct Sealed {
    pub(crate) id: String,
    pub(crate) attachment_id: String,
    pub(crate) announce: Vec<u8>,
    pub(crate) attachment: String,
    pub(crate) submit: Vec<u8>,
    pub(crate) parts: Vec<PartHash>,
}

pub(crate) fn uuid(rng: &SystemRandom) -> Result<String> {
    let mut bytes = [0u8; 16];
    rng.fill(&mut bytes).map_err(|_| anyhow!("no random numbers"))?;
    Ok(formdesk_protocol::ids::uuid_from_random(bytes))
}

pub(crate) fn part_hash(name: String, jwe: &str) -> PartHash {
    PartHash { name, sha256: sha256_hex(jwe.as_bytes()), size: jwe.len() as u64 }
}

pub(crate) fn seal_one(key: &RecipientKey, rng: &SystemRandom, n: usize) -> Result<Sealed> {
    let id = uuid(rng)?;
    let attachment_id = uuid(rng)?;
    let mut file = vec![0u8; ATTACHMENT_PLAINTEXT];
    let head = b"%PDF-1.7\n";
    file[..head.len()].copy_from_slice(head);
    rng.fill(&mut file[head.len()..]).map_err(|_| anyhow!("no random numbers"))?;
    let form = FormRef {
        id: "hundeanmeldung".into(),
        version: "1.0.0".into(),
        title: "Anmeldung eines Hundes".into(),
        sha256: None,
        set_sha256: None,
    };
    let data = SubmissionData {
        format_version: CONTENT_VERSION,
        form: form.clone(),
        answers: serde_json::json!({
            "hund_name": format!("Bello {n}"),
            "hund_rasse": "Labrador Retriever",
            "halter_name": "Erika Mustermann",
            "halter_anschrift": "Musterstraße 12, 12345 Musterstadt",
            "sepa_iban": "DE89370400440532013000",
            "impfpass": attachment_id,
        }),
        clerk: "Petra Schmidt".into(),
        citizen_language: None,
    };
    let data_plain = serde_json::to_vec(&data).context("data as JSON")?;
    let metadata = Metadata {
        format_version: CONTENT_VERSION,
        submission_id: id.clone(),
        destination_id: DESTINATION.into(),
        form,
        reference: format!("HUND-{n:04}-Q9XN"),
        finalized_at: "2026-11-24T10:42:00+01:00".into(),
        data_sha256: sha256_hex(&data_plain),
        attachments: vec![AttachmentMeta {
            id: attachment_id.clone(),
            filename: "Impfpass.pdf".into(),
            media_type: "application/pdf".into(),
            size: file.len() as u64,
            sha256: sha256_hex(&file),
        }],
    };
    let metadata_plain = serde_json::to_vec(&metadata).context("metadata as JSON")?;
    let seal = |plaintext: &[u8]| formdesk_seal::seal(key, plaintext, rng).context("sealing a part");
    let (metadata, data, attachment) = (seal(&metadata_plain)?, seal(&data_plain)?, seal(&file)?);
    let parts = vec![
        part_hash("metadata".into(), &metadata),
        part_hash("data".into(), &data),
        part_hash(format!("attachment:{attachment_id}"), &attachment),
    ];
    let announce = Announce { destination_id: DESTINATION.into(), attachments: vec![attachment_id.clone()] };
    Ok(Sealed {
        id,
        attachment_id,
        announce: serde_json::to_vec(&announce).context("announcement as JSON")?,
        attachment,
        submit: serde_json::to_vec(&Submit { metadata, data }).context("submit request as JSON")?,
        parts,
    })
}

/// Seals `count` submissions on every core.
pub(crate) fn seal_all(key: &RecipientKey, count: usize) -> Result<Vec<Sealed>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, count.max(1));
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                scope.spawn(move || {
                    let rng = SystemRandom::new();
                    (t..count).step_by(threads).map(|n| seal_one(key, &rng, n)).collect::<Result<Vec<_>>>()
                })
            })
            .collect();
        let mut all = Vec::with_capacity(count);
        for handle in handles {
            all.extend(handle.join().map_err(|_| anyhow!("a sealing thread panicked"))??);
        }
        Ok(all)
    })
}

/// An enrolled desk: its device key, its id and its HTTP client.
#[derive(Debug)]
pub(crate) struct Desk {
    pub(crate) key: Ed25519KeyPair,
    pub(crate) device_id: String,
    pub(crate) portal_key: Vec<u8>,
    pub(crate) base: String,
    pub(crate) client: reqwest::Client,
}

impl Desk {
    /// Makes a device key and enrols it with `code`.
    pub(crate) async fn enrol(base: &str, code: &str) -> Result<Desk> {
        let rng = SystemRandom::new();
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).map_err(|_| anyhow!("no device key"))?;
        let key = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).map_err(|e| anyhow!("the device key: {e}"))?;
        let client =
            reqwest::Client::builder().no_proxy().timeout(REQUEST_TIMEOUT).build().context("the HTTP client")?;
        let body = EnrolRequest { code: code.to_owned(), public_key: encode_base64url(key.public_key().as_ref()) };
        let response = client
            .post(format!("{base}/v1/enrolment"))
            .body(serde_json::to_vec(&body).context("enrolment as JSON")?)
            .send()
            .await
            .context("POST /v1/enrolment")?;
        let status = response.status();
        let bytes = response.bytes().await.context("the enrolment's answer")?;
        ensure!(status.as_u16() == 200, "POST /v1/enrolment: {status}: {}", String::from_utf8_lossy(&bytes));
        let enrolled: EnrolResponse = serde_json::from_slice(&bytes).context("the enrolment's answer")?;
        let portal_key = decode_base64url(&enrolled.portal_key).context("the portal's key is not base64url")?;
        Ok(Desk { key, device_id: enrolled.device_id, portal_key, base: base.to_owned(), client })
    }

    /// A signed request; its time from sending to the whole answer goes to `samples` as `kind`.
    pub(crate) async fn call(
        &self,
        kind: Kind,
        method: Method,
        path: &str,
        body: Vec<u8>,
        expected: u16,
        samples: &mut Samples,
    ) -> Result<Vec<u8>> {
        let header = authorize(&self.key, &self.device_id, method.as_str(), path, unix_now(), &body);
        let request = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header(reqwest::header::AUTHORIZATION, header)
            .body(body);
        let started = Instant::now();
        let response = request.send().await.with_context(|| format!("{}: {path}", kind.label()))?;
        let status = response.status().as_u16();
        let bytes = response.bytes().await.with_context(|| format!("{}: the answer to {path}", kind.label()))?;
        samples.push(kind, started.elapsed());
        ensure!(
            status == expected,
            "{}: {path}: {status} instead of {expected}: {}",
            kind.label(),
            String::from_utf8_lossy(&bytes)
        );
        Ok(bytes.to_vec())
    }

    /// The destination's key as the portal hands it out, checked against its key id.
    pub(crate) async fn destination_key(&self) -> Result<RecipientKey> {
        let mut ignored = Samples::default();
        let bytes = self.call(Kind::Announce, Method::GET, "/v1/destinations", Vec::new(), 200, &mut ignored).await?;
        let list: Vec<wire::Destination> = serde_json::from_slice(&bytes).context("the destinations")?;
        let destination = list.into_iter().find(|d| d.id == DESTINATION).context("the destination is not listed")?;
        let der = decode_base64url(&destination.public_key).context("the destination's key is not base64url")?;
        let key = RecipientKey::from_spki_der(&der).context("the destination's key")?;
        ensure!(key.key_id() == destination.key_id, "the destination's key id is not its key's");
        Ok(key)
    }

    /// Delivers one submission and checks its acceptance.
    pub(crate) async fn deliver(&self, sealed: Sealed, samples: &mut Samples) -> Result<()> {
        let started = Instant::now();
        let Sealed { id, attachment_id, announce, attachment, submit, parts } = sealed;
        self.call(Kind::Announce, Method::PUT, &wire::submission_path(&id), announce, 201, samples).await?;

        let total = attachment.len() as u64;
        let path = wire::attachment_path(&id, &attachment_id, 0, total);
        let answer = self.call(Kind::Upload, Method::PUT, &path, attachment.into_bytes(), 200, samples).await?;
        let status: AttachmentStatus = serde_json::from_slice(&answer).context("the upload's answer")?;
        ensure!(status.complete && status.received == total, "attachment {attachment_id} is not complete: {status:?}");

        let answer = self.call(Kind::Submit, Method::POST, &wire::submit_path(&id), submit, 200, samples).await?;
        let submitted: Submitted = serde_json::from_slice(&answer).context("the submit's answer")?;
        let acceptance = Acceptance::verify(&submitted.acceptance, &self.portal_key).context("the acceptance")?;
        ensure!(
            acceptance.submission_id == id
                && acceptance.device_id == self.device_id
                && acceptance.destination_id == DESTINATION,
            "the acceptance names another submission: {acceptance:?}"
        );
        ensure!(acceptance.parts == parts, "the acceptance's parts are not the parts sent: {:?}", acceptance.parts);
        samples.push(Kind::Delivery, started.elapsed());
        Ok(())
    }
}
