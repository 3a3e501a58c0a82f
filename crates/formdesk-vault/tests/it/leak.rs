//! Fifty distinctive personal values go in; none of them can be found in the data directory, its WAL and
//! SHM files or the temp directory, as UTF-8, UTF-16LE or base64: while locked, after closing, and after
//! shredding in the whole file, free pages included.

use crate::new_vault;
use formdesk_vault::Vault;
use std::path::Path;

fn values() -> Vec<String> {
    let mut out = Vec::new();
    let names = ["Jürgen Größmann", "Ayşe Yılmaz-Öztürk", "Zofia Łukasiewicz", "Dvořák Přemysl", "Ödön Ähnlich"];
    let streets = ["Lübberstraße 17", "Am Sülzgürtel 4", "Möllerweg 112"];
    for i in 0..50 {
        out.push(match i % 5 {
            0 => format!("{} {}", names[i % names.len()], 1000 + i),
            1 => format!("DE{:02}3704004405320{:05}", 10 + i, 13000 + i),
            2 => format!("{:02}.0{}.19{}", 1 + i % 28, 1 + i % 9, 50 + i),
            3 => format!("{} · 320{:02} Herford-Süd", streets[i % streets.len()], i),
            _ => format!("hund-{i}-Bällchen-Wuffi"),
        });
    }
    out
}

fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..=chunk.len() {
            out.push(char::from(ABC[((n >> (18 - 6 * k)) & 63) as usize]));
        }
    }
    out
}

/// The byte strings that would betray `value`: UTF-8, UTF-16LE, and base64 at all three alignments
/// (without the characters at the edges, which depend on the neighbouring bytes).
fn needles(value: &str) -> Vec<Vec<u8>> {
    let utf8 = value.as_bytes().to_vec();
    let utf16: Vec<u8> = value.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let mut out = vec![utf8.clone(), utf16];
    for shift in 0..3 {
        let mut padded = vec![0u8; shift];
        padded.extend_from_slice(&utf8);
        let encoded = base64(&padded);
        let skip = if shift == 0 { 0 } else { shift + 1 };
        out.push(encoded.as_bytes()[skip..encoded.len() - 2].to_vec());
    }
    out
}

fn hits(paths: &[std::path::PathBuf], values: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    for path in paths {
        let Ok(bytes) = std::fs::read(path) else { continue };
        for value in values {
            for needle in needles(value) {
                if bytes.windows(needle.len()).any(|w| w == needle.as_slice()) {
                    found.push(format!("{value:?} in {}", path.display()));
                }
            }
        }
    }
    found
}

fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn no_personal_value_is_readable_in_any_file() {
    let values = values();
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let started = std::time::SystemTime::now() - std::time::Duration::from_secs(1);
    // SQLite would put temporary files into the system's temp directory (it must not: temp_store = MEMORY).
    let temp = std::env::temp_dir();
    let new_temp_files = || -> Vec<std::path::PathBuf> {
        std::fs::read_dir(&temp)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.metadata().is_ok_and(|m| m.is_file() && m.modified().is_ok_and(|t| t >= started)))
            .map(|e| e.path())
            .collect()
    };
    let mut vault = new_vault(&data);
    let mut ids = Vec::new();
    for chunk in values.chunks(5) {
        let summary = &chunk[0];
        let body = format!("{{\"answers\":{chunk:?}}}");
        let id = vault.create("hundeanmeldung", "1.0.0", summary, body.as_bytes()).unwrap();
        vault.save(id, summary, format!("{body} ").as_bytes()).unwrap();
        vault.attach(id, &format!("{}.pdf", chunk[0]), "application/pdf", chunk[3].as_bytes()).unwrap();
        ids.push(id);
    }
    // Looking a draft up by the citizen's name works after unlock, from the decrypted work list.
    let list = vault.work_list().unwrap();
    assert!(list.iter().any(|i| i.summary == values[0]));

    vault.lock();
    let mut scanned = files(&data);
    scanned.extend(new_temp_files());
    assert!(scanned.iter().any(|p| p.to_string_lossy().ends_with("-wal")), "the WAL file is scanned: {scanned:?}");
    assert_eq!(hits(&scanned, &values), Vec::<String>::new(), "while locked");
    // The needles do find a value that is there: the scan itself works.
    let probe = root.path().join("probe");
    std::fs::write(&probe, format!("x{}y", values[7]).encode_utf16().flat_map(u16::to_le_bytes).collect::<Vec<u8>>())
        .unwrap();
    assert_eq!(hits(std::slice::from_ref(&probe), &values).len(), 1);
    std::fs::write(&probe, format!("xx{}", base64(format!("ab{}cd", values[3]).as_bytes()))).unwrap();
    assert_eq!(hits(&[probe], &values).len(), 1);

    drop(vault);
    assert_eq!(hits(&files(&data), &values), Vec::<String>::new(), "after closing");

    let mut vault = Vault::open(&data).unwrap();
    vault.unlock("Anna", crate::PIN).unwrap();
    for &id in &ids {
        vault.finalize(id, "x", b"x").unwrap();
        vault.shred(id).unwrap();
    }
    vault.checkpoint().unwrap();
    drop(vault);
    assert_eq!(hits(&files(&data), &values), Vec::<String>::new(), "after shredding");
}
