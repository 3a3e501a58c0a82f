//! Looking for personal values in files, for the leak tests of the vault and the desk: each value as UTF-8,
//! as UTF-16LE and as base64 at all three alignments.

#![allow(dead_code)]

use std::path::Path;

/// Fifty distinctive fake personal values: names with diacritics, IBANs, birth dates (as the desk stores
/// them, `1950-01-01`), street addresses and dogs' names; in groups of five, one of each kind.
pub fn values() -> Vec<String> {
    let mut out = Vec::new();
    let names = ["Jürgen Größmann", "Ayşe Yılmaz-Öztürk", "Zofia Łukasiewicz", "Dvořák Přemysl", "Ödön Ähnlich"];
    let streets = ["Lübberstraße 17", "Am Sülzgürtel 4", "Möllerweg 112"];
    for i in 0..50 {
        out.push(match i % 5 {
            0 => format!("{} {}", names[(i / 5) % names.len()], 1000 + i),
            1 => format!("DE{:02}3704004405320{:05}", 10 + i, 13000 + i),
            2 => format!("19{}-0{}-{:02}", 40 + i, 1 + i % 9, 1 + i % 28),
            3 => format!("{} · 320{:02} Herford-Süd", streets[i % streets.len()], i),
            _ => format!("Wuffi-{i}-Bällchen"),
        });
    }
    out
}

pub fn base64(bytes: &[u8]) -> String {
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
pub fn needles(value: &str) -> Vec<Vec<u8>> {
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

pub fn hits(paths: &[std::path::PathBuf], values: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    for path in paths {
        let Ok(bytes) = std::fs::read(path) else { continue };
        let haystack = latin1(&bytes);
        for value in values {
            for needle in needles(value) {
                if haystack.contains(latin1(&needle).as_str()) {
                    found.push(format!("{value:?} in {}", path.display()));
                }
            }
        }
    }
    found
}

/// The bytes as a string of the same length, one char per byte: a byte search then runs on the standard
/// library's string search, which is fast even in an unoptimized test build.
fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

pub fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out
}
