//! The receipt as a citizen and an office meet it: real forms, the real PDF, checked with poppler's
//! `pdftotext`, `pdffonts` and `pdftoppm`, `qpdf` and `zbarimg` (Debian packages poppler-utils, qpdf,
//! zbar-tools; `cargo xtask setup` installs them).

mod golden;
mod pdf;
mod receipt;
mod support;
