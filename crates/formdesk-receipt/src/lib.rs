//! The citizen's receipt (Eingangsbestätigung) of a finalized submission: its content, the signed QR payload
//! and the PDF.
//!
//! ```text
//! Form + answers + Issue ──Receipt::build(…, &DeviceKey)──► Receipt ──render──► PDF bytes (A4, PDF/A-2b)
//!                                                             │
//!                                                             └─ payload: Base45 text in the QR code
//! scanned text + desk's public key ──verify──► VerifiedPayload (reference, form, time, digest of the answers)
//! ```
//!
//! The desk calls [`Reference::from_random`] with random bytes, [`Receipt::build`] with its clock's time and its
//! device key, and [`render`]. The same inputs always give the same receipt and the same PDF bytes.
//!
//! Architecture invariant: this crate reads no clock, draws no random numbers and does no I/O; the fonts, the
//! colour profile and the example logo are compiled in. It knows nothing of Tauri, the vault or the outbox.

#![deny(missing_docs)]

mod base45;
mod font;
pub mod payload;
mod pdfa;
pub mod qr;
mod receipt;
pub mod reference;
mod render;
mod shape;
mod texts;

pub use payload::{DeviceKey, PAYLOAD_FORMAT, Payload, VerifiedPayload, answers_digest, sign, verify};
pub use receipt::{Bilingual, Delivery, Entry, FeeLine, Issue, Receipt, Section, mask};
pub use reference::Reference;
pub use render::{ShapedGlyph, ShapedRun, render, shaped_runs};

use std::sync::{Arc, LazyLock};

/// Everything that can go wrong with a receipt.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptError {
    /// A reference prefix must be 2 to 5 capital letters.
    #[error("reference prefix {0:?}: expected 2 to 5 capital letters A-Z")]
    InvalidPrefix(String),
    /// A typed or scanned reference could not be read.
    #[error("reference {text:?}: {why}")]
    InvalidReference {
        /// The text as given.
        text: String,
        /// What is wrong with it.
        why: String,
    },
    /// The answers still have errors; only a complete application gets a receipt.
    #[error("the answers have {errors} error(s), first {first}; only a complete application gets a receipt")]
    Incomplete {
        /// How many errors.
        errors: usize,
        /// The first, as `path: message`.
        first: String,
    },
    /// A fee's amount is not a decimal number.
    #[error("fee {fee}: amount {amount:?} is not a decimal number")]
    InvalidFee {
        /// The fee's id.
        fee: String,
        /// The amount as evaluated.
        amount: String,
    },
    /// The time cannot be signed.
    #[error("time of the receipt: {0}")]
    InvalidTime(String),
    /// The device key is not an Ed25519 PKCS#8 document.
    #[error("device key: {0}")]
    InvalidDeviceKey(String),
    /// The payload would not fit the QR code.
    #[error("QR payload too large: {0}")]
    PayloadTooLarge(String),
    /// A scanned payload could not be read.
    #[error("QR payload: {0}")]
    InvalidPayload(String),
    /// A scanned payload's signature does not match the public key: changed, or from another desk.
    #[error("QR payload: the signature does not match this desk's public key (changed, or signed by another desk)")]
    SignatureMismatch,
    /// The municipality's logo is no PNG or JPEG image.
    #[error("municipality logo: {0}")]
    InvalidLogo(String),
    /// The PDF could not be written.
    #[error("PDF: {0}")]
    Pdf(String),
}

/// A logo, decoded and flattened onto white (PDF/A and printers prefer no transparency).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Logo {
    pub width: usize,
    pub height: usize,
    /// RGB, 8 bits per channel, row by row.
    pub rgb: Vec<u8>,
}

/// Logos larger than this (pixels on the longer side) are scaled down; 300 pixels are 300 dpi at 25 mm.
const LOGO_MAX_PIXELS: u32 = 300;

/// The municipality on the receipt's letterhead, from the desk's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Municipality {
    /// Its name ("Gemeinde Musterstadt").
    pub name: String,
    /// Its address, one line each ("Rathausplatz 1", "12345 Musterstadt").
    pub address: Vec<String>,
    logo: Option<Arc<Logo>>,
}

static EXAMPLE: LazyLock<Municipality> = LazyLock::new(|| {
    let name = "Gemeinde Musterstadt";
    let address = vec!["Bürgerbüro, Rathausplatz 1".to_owned(), "12345 Musterstadt".to_owned()];
    let logo = include_bytes!("../assets/musterstadt-logo.png");
    Municipality::new(name, address.clone(), Some(logo)).unwrap_or(Municipality {
        name: name.to_owned(),
        address,
        logo: None,
    })
});

impl Municipality {
    /// A municipality with an optional logo (PNG or JPEG bytes).
    pub fn new(name: &str, address: Vec<String>, logo: Option<&[u8]>) -> Result<Municipality, ReceiptError> {
        let logo = logo.map(decode_logo).transpose()?.map(Arc::new);
        Ok(Municipality { name: name.to_owned(), address, logo })
    }

    /// The example municipality, "Gemeinde Musterstadt", with its coat of arms.
    pub fn example() -> Municipality {
        EXAMPLE.clone()
    }

    /// Whether it has a logo.
    pub fn has_logo(&self) -> bool {
        self.logo.is_some()
    }

    pub(crate) fn logo(&self) -> Option<&Logo> {
        self.logo.as_deref()
    }
}

fn decode_logo(bytes: &[u8]) -> Result<Logo, ReceiptError> {
    let format = image::guess_format(bytes).map_err(|e| ReceiptError::InvalidLogo(e.to_string()))?;
    if !matches!(format, image::ImageFormat::Png | image::ImageFormat::Jpeg) {
        return Err(ReceiptError::InvalidLogo(format!("expected PNG or JPEG, found {format:?}")));
    }
    let mut img = image::load_from_memory_with_format(bytes, format)
        .map_err(|e| ReceiptError::InvalidLogo(e.to_string()))?
        .into_rgba8();
    if img.width() == 0 || img.height() == 0 {
        return Err(ReceiptError::InvalidLogo("the image is empty".into()));
    }
    if img.width().max(img.height()) > LOGO_MAX_PIXELS {
        let scale = f64::from(LOGO_MAX_PIXELS) / f64::from(img.width().max(img.height()));
        let w = ((f64::from(img.width()) * scale).round() as u32).max(1);
        let h = ((f64::from(img.height()) * scale).round() as u32).max(1);
        img = image::imageops::resize(&img, w, h, image::imageops::FilterType::Triangle);
    }
    let rgb = img
        .pixels()
        .flat_map(|p| {
            let [r, g, b, a] = p.0;
            let over_white = |c: u8| ((u32::from(c) * u32::from(a) + 255 * (255 - u32::from(a))) / 255) as u8;
            [over_white(r), over_white(g), over_white(b)]
        })
        .collect();
    Ok(Logo { width: img.width() as usize, height: img.height() as usize, rgb })
}
