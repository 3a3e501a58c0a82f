//! Our ids from FIM names (design section 4.5) and FIM versions as semantic versions.
//!
//! FIM ids are neither valid ids of ours nor unique (the same field occurs in several places), so ids are
//! derived from the elements' names, made unique in document order.

use std::collections::HashSet;
use unicode_normalization::UnicodeNormalization;

/// Names the expression language reserves; an item named so gets a suffix.
const RESERVED: &[&str] = &["true", "false", "null", "in", "today", "item", "index"];

/// `name` as lower-case ASCII with umlauts spelled out, accents stripped and every other run of characters
/// replaced by `sep`; empty when nothing is left.
pub fn slug(name: &str, sep: char) -> String {
    let mut spelled = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        match c {
            'ä' => spelled.push_str("ae"),
            'ö' => spelled.push_str("oe"),
            'ü' => spelled.push_str("ue"),
            'ß' => spelled.push_str("ss"),
            c => spelled.push(c),
        }
    }
    let mut out = String::with_capacity(spelled.len());
    let mut gap = false;
    for c in spelled.nfd().filter(|c| !unicode_normalization::char::is_combining_mark(*c)) {
        if c.is_ascii_alphanumeric() {
            if gap && !out.is_empty() {
                out.push(sep);
            }
            gap = false;
            out.push(c);
        } else {
            gap = true;
        }
    }
    out
}

/// Hands out unique ids of one kind (items, steps, code lists).
#[derive(Debug, Default)]
pub struct Ids {
    taken: HashSet<String>,
    sep: char,
}

impl Ids {
    /// Ids joined by `_` (items, steps).
    pub fn items() -> Ids {
        Ids { taken: HashSet::new(), sep: '_' }
    }

    /// Ids joined by `-` (code lists, forms).
    pub fn lists() -> Ids {
        Ids { taken: HashSet::new(), sep: '-' }
    }

    /// A fresh id from the first non-empty of `names`, else `fallback`.
    pub fn derive(&mut self, names: &[&str], fallback: &str) -> String {
        let base =
            names.iter().map(|n| slug(n, self.sep)).find(|s| !s.is_empty()).unwrap_or_else(|| fallback.to_owned());
        let base = if base.starts_with(|c: char| c.is_ascii_digit()) { format!("f{}{base}", self.sep) } else { base };
        let base = if RESERVED.contains(&base.as_str()) { format!("{base}{}feld", self.sep) } else { base };
        self.claim(&base)
    }

    /// `base` if free, else `base_2`, `base_3`, ….
    pub fn claim(&mut self, base: &str) -> String {
        let mut id = base.to_owned();
        let mut n = 2u32;
        while self.taken.contains(&id) {
            id = format!("{base}{}{n}", self.sep);
            n = n.saturating_add(1);
        }
        self.taken.insert(id.clone());
        id
    }
}

/// Whether `v` is a version of `parts` decimal numbers (`1.2` for v2, `1.2.0` for v3).
pub fn is_version(v: &str, parts: usize) -> bool {
    let nums: Vec<&str> = v.split('.').collect();
    nums.len() == parts && nums.iter().all(|n| !n.is_empty() && n.len() <= 9 && n.bytes().all(|b| b.is_ascii_digit()))
}

/// A FIM version as a semantic version: `1.2` → `1.2.0`, `1.2.0` kept; `None` if it is not numeric.
pub fn semver(v: &str) -> Option<String> {
    numbers_as_semver(v.split('.'))
}

/// A genericode version as a semantic version: numbers separated by `.` or `-` (`2021-01-11` → `2021.1.11`).
pub fn list_version(v: &str) -> Option<String> {
    numbers_as_semver(v.split(['.', '-']))
}

/// One to three runs of digits as `major.minor.patch`, missing parts 0.
fn numbers_as_semver<'a>(parts: impl Iterator<Item = &'a str>) -> Option<String> {
    let nums: Vec<u64> = parts
        .map(|n| n.parse().ok().filter(|_| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())))
        .collect::<Option<_>>()?;
    match nums.as_slice() {
        [a] => Some(format!("{a}.0.0")),
        [a, b] => Some(format!("{a}.{b}.0")),
        [a, b, c] => Some(format!("{a}.{b}.{c}")),
        _ => None,
    }
}
