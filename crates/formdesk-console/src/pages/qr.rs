//! QR codes as inline SVG: the `qrcode` crate's module matrix written as `<rect>`s with `fill` attributes
//! (the CSP would refuse a `style` attribute). The SVG is an image with a German text alternative; the pages
//! also show the text itself, for people who cannot scan it.

use crate::pages::PageError;
use qrcode::{Color, EcLevel, QrCode};
use std::fmt::Write;

/// Modules of empty border around the code, as the QR standard asks.
const QUIET_ZONE: usize = 4;

/// An inline `<svg>` element showing `text` as a QR code at error correction level M. `label` is the text
/// alternative (`aria-label`); it is escaped here, so any text may be passed.
pub fn svg(text: &str, label: &str) -> Result<String, PageError> {
    let code = QrCode::with_error_correction_level(text, EcLevel::M)
        .map_err(|_| PageError::QrTooLarge(text.chars().count()))?;
    let width = code.width();
    let colors = code.to_colors();
    let side = width + 2 * QUIET_ZONE;
    let mut out = String::new();
    // Writing into a String cannot fail; the results are ignored on purpose.
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"qr\" viewBox=\"0 0 {side} {side}\" \
         role=\"img\" aria-label=\"{}\" shape-rendering=\"crispEdges\">\
         <rect width=\"{side}\" height=\"{side}\" fill=\"#ffffff\"/>",
        escape_attribute(label)
    );
    // One rect per run of dark modules in a row keeps the SVG small.
    for y in 0..width {
        let mut x = 0;
        while x < width {
            if colors[y * width + x] == Color::Dark {
                let start = x;
                while x < width && colors[y * width + x] == Color::Dark {
                    x += 1;
                }
                let _ = write!(
                    out,
                    "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"1\" fill=\"#000000\"/>",
                    start + QUIET_ZONE,
                    y + QUIET_ZONE,
                    x - start
                );
            } else {
                x += 1;
            }
        }
    }
    out.push_str("</svg>");
    Ok(out)
}

fn escape_attribute(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}
