//! Finalizing a case and its receipt (Eingangsbestätigung): the reference, the signed QR payload, the PDF
//! kept in the vault, printing and saving it.
//!
//! Non-goals: how a receipt looks (`formdesk-receipt`), sealing for the authority (`delivery`).

use crate::drafts::{Draft, ReceiptInfo};
use crate::ipc::{DraftView, ReceiptView};
use crate::{Desk, DeskError, Inner, audit, german_time, logged, print, vault_id};
use chrono::TimeZone as _;
use formdesk_protocol::audit::Action;
use formdesk_receipt::{Delivery, DeviceKey, Issue, Municipality, Receipt, Reference};
use formdesk_vault::VaultError;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

impl Desk {
    /// Finalizes a complete draft; afterwards it can no longer change. Saved so that it survives a power
    /// cut once this returns.
    pub fn finalize(&self, id: u64) -> Result<DraftView, DeskError> {
        let now = self.clock.now();
        let view = {
            let mut inner = self.inner();
            let mut draft = Self::loaded(&mut inner, id)?.clone();
            draft.editable()?;
            self.check_not_withdrawn(&draft)?;
            let state = self.view(&draft)?.state;
            if !state.complete {
                // Every step's errors show from now on; that much is kept.
                for s in state.steps.iter().filter(|s| s.visible) {
                    draft.checked.insert(s.id.clone());
                }
                let (summary, contents) = self.sealed_parts(&draft)?;
                inner.vault.save(vault_id(id)?, &summary, &contents)?;
                inner.drafts.insert(id, draft);
                return Err(DeskError::Incomplete(state.errors.len()));
            }
            draft.finalize(now)?;
            Self::drop_unused_files(&mut inner, id, &draft.answers)?;
            // The receipt is signed now and finalized with the draft; its PDF follows (and is made again on
            // demand if that fails).
            let (info, receipt) = self.issue_receipt(&mut inner, &draft)?;
            draft.receipt = Some(info);
            let (summary, contents) = self.sealed_parts(&draft)?;
            let queued = self.seal_for_delivery(&inner, &draft)?;
            let reference = receipt.reference.to_string();
            inner.vault.finalize_issued(vault_id(id)?, &summary, &contents, queued.as_ref(), Some(&reference))?;
            if let Ok(pdf) = formdesk_receipt::render(&receipt) {
                let _ = inner.vault.set_receipt(vault_id(id)?, &receipt.reference.to_string(), &pdf);
            }
            let view = self.view(&draft)?;
            Self::drop_carried_from(&mut inner, &draft);
            inner.drafts.insert(id, draft);
            Self::set_current(&mut inner, id);
            view
        };
        self.notify(&view.draft);
        Ok(view)
    }

    /// Signs a new receipt for `draft`, about to be finalized: a fresh reference, now, the clerk.
    fn issue_receipt(&self, inner: &mut Inner, draft: &Draft) -> Result<(ReceiptInfo, Receipt), DeskError> {
        let form = self.form_of(draft)?.form;
        let mut random = [0u8; 8];
        ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut random)
            .map_err(|_| DeskError::Receipt("Es fehlen Zufallszahlen für das Aktenzeichen.".into()))?;
        let reference =
            Reference::from_random(&Reference::prefix_for(form.definition()), random).map_err(receipt_error)?;
        let now = self.clock.now();
        let issued_at = chrono::Local
            .from_local_datetime(&now)
            .earliest()
            .map_or_else(|| now.and_utc().fixed_offset(), |t| t.fixed_offset());
        let clerk = inner.vault.clerk().unwrap_or_default().to_owned();
        let info = ReceiptInfo { reference: reference.to_string(), issued_at, clerk, payload: String::new() };
        let receipt = self.build_receipt(inner, draft, &info, Delivery::Pending)?;
        Ok((ReceiptInfo { payload: receipt.payload.clone(), ..info }, receipt))
    }

    /// The receipt of `draft` as issued with `info` (signatures are deterministic: the same receipt again).
    fn build_receipt(
        &self,
        inner: &mut Inner,
        draft: &Draft,
        info: &ReceiptInfo,
        delivery: Delivery,
    ) -> Result<Receipt, DeskError> {
        let form = self.form_of(draft)?;
        let municipality =
            self.municipality.clone().or_else(|| form.municipality.clone()).unwrap_or_else(Municipality::example);
        let key = DeviceKey::from_pkcs8(&inner.vault.device_key()?).map_err(receipt_error)?;
        let issue = Issue {
            municipality: &municipality,
            reference: Reference::parse(&info.reference).map_err(receipt_error)?,
            issued_at: info.issued_at,
            clerk: &info.clerk,
            citizen_lang: &draft.citizen_lang,
            delivery,
        };
        let receipt = Receipt::build(&form.form, &draft.answers, issue, &key).map_err(receipt_error)?;
        Ok(receipt.with_form_sha256(&form.sha256))
    }

    /// The receipt of finalized draft `id`: its reference and the PDF the vault keeps (made again and kept
    /// if it is missing).
    pub fn receipt(&self, id: u64) -> Result<(String, Zeroizing<Vec<u8>>), DeskError> {
        self.touch();
        let mut inner = self.inner();
        let draft = Self::loaded(&mut inner, id)?.clone();
        let info = draft.receipt.clone().ok_or(DeskError::NoReceipt(id))?;
        // Once the portal has confirmed it, the receipt says so ("übermittelt am …"): made again from the case,
        // which stays readable until the clerk moves on.
        if let Some(at) = Self::delivered_at(&inner, id)? {
            let delivered = chrono::Local
                .timestamp_opt(at, 0)
                .single()
                .map_or(Delivery::Pending, |t| Delivery::Delivered(t.fixed_offset()));
            let receipt = self.build_receipt(&mut inner, &draft, &info, delivered)?;
            let pdf = Zeroizing::new(formdesk_receipt::render(&receipt).map_err(receipt_error)?);
            return Ok((info.reference, pdf));
        }
        if let Some(stored) = inner.vault.receipt(vault_id(id)?)?
            && let Some(pdf) = stored.pdf
        {
            return Ok((stored.reference, pdf));
        }
        let receipt = self.build_receipt(&mut inner, &draft, &info, Delivery::Pending)?;
        let pdf = Zeroizing::new(formdesk_receipt::render(&receipt).map_err(receipt_error)?);
        inner.vault.set_receipt(vault_id(id)?, &info.reference, &pdf)?;
        Ok((info.reference, pdf))
    }

    /// When the portal confirmed draft `id`, if it has.
    fn delivered_at(inner: &Inner, id: u64) -> Result<Option<i64>, DeskError> {
        Ok(inner
            .vault
            .outbox_entry(vault_id(id)?)?
            .filter(|e| e.state == formdesk_vault::Delivery::Delivered)
            .map(|e| e.delivered_at.unwrap_or(0)))
    }

    /// Prints the receipt of draft `id` through the system's printing ([`print::print_pdf`]).
    pub fn print_receipt(&self, id: u64) -> Result<(), DeskError> {
        self.print_receipt_with(id, "lp")
    }

    /// [`Desk::print_receipt`] with another program in place of `lp` ([`print::print_pdf_with`]).
    pub fn print_receipt_with(&self, id: u64, program: &str) -> Result<(), DeskError> {
        let (reference, pdf) = self.receipt(id)?;
        print::print_pdf_with(program, &pdf, &format!("Eingangsbestätigung {reference}"))?;
        self.record_receipt(Action::Print, id, &reference);
        Ok(())
    }

    /// Records that the receipt `reference` of draft `id` left the desk (printed, saved).
    fn record_receipt(&self, action: Action, id: u64, reference: &str) {
        let mut inner = self.inner();
        let event = vault_id(id)
            .map_err(|_| VaultError::UnknownSubmission(-1))
            .and_then(|vault_id| Ok(inner.vault.case_event(action, vault_id)?.text("reference", reference)));
        audit::record(&mut inner, event);
    }

    /// What the app shows of the receipt of finalized draft `id`.
    pub fn receipt_view(&self, id: u64) -> Result<ReceiptView, DeskError> {
        let mut inner = self.inner();
        let info = Self::loaded(&mut inner, id)?.receipt.clone().ok_or(DeskError::NoReceipt(id))?;
        let qr = formdesk_receipt::qr::encode(&info.payload).map_err(receipt_error)?;
        let delivery = match Self::delivered_at(&inner, id)? {
            Some(at) => format!("Übermittelt am {}.", german_time(at)),
            None => "Wird übermittelt, sobald eine Verbindung besteht.".into(),
        };
        Ok(ReceiptView { reference: info.reference, delivery, qr_svg: qr_svg(&qr), payload: info.payload })
    }

    /// Saves the receipt of draft `id` as `path` (`.pdf` added if missing), replacing a file of that name
    /// only once the new one is complete. Returns where it was saved.
    pub fn save_receipt(&self, id: u64, path: &Path) -> Result<PathBuf, DeskError> {
        let (reference, pdf) = self.receipt(id)?;
        let path = if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("pdf")) {
            path.to_owned()
        } else {
            path.with_extension("pdf")
        };
        let partial = path.with_extension("pdf.part");
        let failed = |e: std::io::Error| {
            let _ = std::fs::remove_file(&partial);
            let sentence = match e.kind() {
                std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => format!(
                    "Die Eingangsbestätigung kann nicht unter {} gespeichert werden: dort dürfen Sie nicht \
                     speichern. Bitte wählen Sie einen anderen Ordner.",
                    path.display()
                ),
                std::io::ErrorKind::StorageFull => format!(
                    "Die Eingangsbestätigung kann nicht unter {} gespeichert werden: der Datenträger ist voll.",
                    path.display()
                ),
                _ => format!("Die Eingangsbestätigung konnte nicht unter {} gespeichert werden.", path.display()),
            };
            DeskError::Receipt(logged(sentence, e))
        };
        std::fs::write(&partial, &*pdf).map_err(failed)?;
        std::fs::rename(&partial, &path).map_err(failed)?;
        self.record_receipt(Action::SaveReceipt, id, &reference);
        Ok(path)
    }
}

/// A receipt that could not be made, in the clerk's words.
pub(crate) fn receipt_error(e: formdesk_receipt::ReceiptError) -> DeskError {
    DeskError::Receipt(logged("Die Eingangsbestätigung konnte nicht erstellt werden.".into(), e))
}

/// A QR code as SVG, with the quiet zone of four modules the standard asks for.
fn qr_svg(qr: &formdesk_receipt::qr::QrMatrix) -> String {
    let size = qr.width + 8;
    let mut path = String::new();
    for (i, _) in qr.modules.iter().enumerate().filter(|(_, dark)| **dark) {
        path.push_str(&format!("M{},{}h1v1h-1z", i % qr.width + 4, i / qr.width + 4));
    }
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" shape-rendering=\"crispEdges\">\
         <rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/><path d=\"{path}\" fill=\"#000\"/></svg>"
    )
}
