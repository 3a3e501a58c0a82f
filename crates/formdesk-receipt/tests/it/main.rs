//! The receipt as a citizen and an office meet it: real forms, the real PDF, checked with poppler's
//! `pdftotext`, `pdffonts` and `pdftoppm`, `qpdf`, `zbarimg` and HarfBuzz's `hb-shape` (Debian packages
//! poppler-utils, qpdf, zbar-tools, libharfbuzz-bin; `cargo xtask setup` installs them).

mod golden;
mod pdf;
mod receipt;
mod scripts;
mod support;
