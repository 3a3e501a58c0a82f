//! Printing a receipt through the system's printing: CUPS's `lp` (Linux, macOS). The PDF goes to `lp` on its
//! standard input, so no file is written for it; CUPS spools and prints it on the default printer.

use crate::DeskError;
use std::io::Write;
use std::process::{Command, Stdio};

/// Prints `pdf` on the default printer, with `title` as the job's name (no personal data: the reference).
pub fn print_pdf(pdf: &[u8], title: &str) -> Result<(), DeskError> {
    print_pdf_with("lp", pdf, title)
}

/// [`print_pdf`] with another program in place of `lp` that takes the same arguments.
pub fn print_pdf_with(program: &str, pdf: &[u8], title: &str) -> Result<(), DeskError> {
    let mut child = Command::new(program)
        .args(["-t", title, "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => DeskError::Print(
                "Auf diesem Arbeitsplatz ist kein Drucksystem eingerichtet (CUPS, Befehl „lp“). Bitte \
                 speichern Sie die Eingangsbestätigung und drucken Sie sie anderswo."
                    .into(),
            ),
            _ => DeskError::Print(crate::logged("Der Druck konnte nicht gestartet werden.".into(), e)),
        })?;
    let written = child.stdin.take().map(|mut stdin| stdin.write_all(pdf));
    let output = child
        .wait_with_output()
        .map_err(|e| DeskError::Print(crate::logged("Der Druck ist fehlgeschlagen.".into(), e)))?;
    if !output.status.success() {
        let reason = String::from_utf8_lossy(&output.stderr);
        let reason = reason.trim();
        let reason = if reason.is_empty() { output.status.to_string() } else { reason.to_owned() };
        return Err(DeskError::Print(crate::logged(
            "Der Drucker hat den Auftrag nicht angenommen. Bitte prüfen Sie, ob ein Drucker eingerichtet und \
             eingeschaltet ist, oder speichern Sie die Eingangsbestätigung."
                .into(),
            reason,
        )));
    }
    if let Some(Err(e)) = written {
        return Err(DeskError::Print(crate::logged("Der Druck ist fehlgeschlagen.".into(), e)));
    }
    Ok(())
}
