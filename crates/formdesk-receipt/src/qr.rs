//! The QR code of the payload: the smallest version at error correction level M, at most version 8, so that
//! it scans reliably from paper printed on an office printer.

use crate::ReceiptError;
use qrcode::{EcLevel, QrCode, Version};

/// The largest QR version a receipt uses (49 × 49 modules).
pub const MAX_VERSION: i16 = 8;

/// A QR code's modules, row by row; `true` is dark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrMatrix {
    /// The QR version (1 to 8).
    pub version: i16,
    /// Modules per side, without the quiet zone.
    pub width: usize,
    /// The modules, `width` × `width`, row by row.
    pub modules: Vec<bool>,
}

/// Encodes the payload text. Base45 text is all in the alphanumeric set, so the encoder's optimal segmentation
/// puts it in alphanumeric mode.
pub fn encode(text: &str) -> Result<QrMatrix, ReceiptError> {
    let too_large = || {
        ReceiptError::PayloadTooLarge(format!(
            "{} characters do not fit a QR code of version {MAX_VERSION} at error correction M",
            text.len()
        ))
    };
    let code = QrCode::with_error_correction_level(text, EcLevel::M).map_err(|_| too_large())?;
    let version = match code.version() {
        Version::Normal(v) if v <= MAX_VERSION => v,
        _ => return Err(too_large()),
    };
    Ok(QrMatrix {
        version,
        width: code.width(),
        modules: code.to_colors().into_iter().map(|c| c == qrcode::Color::Dark).collect(),
    })
}
