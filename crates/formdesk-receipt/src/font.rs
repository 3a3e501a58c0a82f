//! The receipt's typeface, Noto Sans (SIL Open Font License, `assets/OFL.txt`), compiled in and parsed once.
//! Widths for line breaking come from the same tables printpdf embeds, so what is measured is what is drawn.
//! Non-goals: shaping (Latin, Greek and Cyrillic need none for names and form texts), right-to-left scripts.

use printpdf::ParsedFont;
use std::collections::BTreeSet;
use std::sync::LazyLock;

/// The regular and the bold face.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Face {
    Regular,
    Bold,
}

const REGULAR_BYTES: &[u8] = include_bytes!("../assets/NotoSans-Regular.ttf");
const BOLD_BYTES: &[u8] = include_bytes!("../assets/NotoSans-Bold.ttf");

static REGULAR: LazyLock<Option<ParsedFont>> = LazyLock::new(|| parse(REGULAR_BYTES, "NotoSans-Regular"));
static BOLD: LazyLock<Option<ParsedFont>> = LazyLock::new(|| parse(BOLD_BYTES, "NotoSans-Bold"));

fn parse(bytes: &[u8], name: &str) -> Option<ParsedFont> {
    let mut warnings = Vec::new();
    let mut font = ParsedFont::from_bytes(bytes, 0, &mut warnings)?;
    font.font_name = Some(name.to_owned());
    Some(font)
}

/// The parsed face; `None` only if the compiled-in font could not be read, which a test rules out.
pub(crate) fn parsed(face: Face) -> Option<&'static ParsedFont> {
    match face {
        Face::Regular => REGULAR.as_ref(),
        Face::Bold => BOLD.as_ref(),
    }
}

/// The face reduced to the glyphs of `chars` (and what they are built from), named `TAG+NotoSans-…` as
/// ISO 32000-1 9.6.4 asks of a subset font. printpdf then embeds this program as it is, with `/ToUnicode`.
pub(crate) fn subset(face: Face, chars: &BTreeSet<char>, tag: &str) -> Result<ParsedFont, String> {
    use allsorts::binary::read::ReadScope;
    use allsorts::font_data::FontData;
    use allsorts::subset::{CmapTarget, SubsetProfile};

    let (bytes, name) = match face {
        Face::Regular => (REGULAR_BYTES, "NotoSans-Regular"),
        Face::Bold => (BOLD_BYTES, "NotoSans-Bold"),
    };
    let full = parsed(face).ok_or("the compiled-in font is unreadable")?;
    // Glyph 0 (.notdef) first, then each used glyph once, in order.
    let glyphs: BTreeSet<u16> = chars.iter().filter_map(|&c| full.lookup_glyph_index(u32::from(c))).collect();
    let ids: Vec<u16> = std::iter::once(0).chain(glyphs.into_iter().filter(|&g| g != 0)).collect();
    let file = ReadScope::new(bytes).read::<FontData<'_>>().map_err(|e| e.to_string())?;
    let provider = file.table_provider(0).map_err(|e| e.to_string())?;
    let program = allsorts::subset::subset(&provider, &ids, &SubsetProfile::Pdf, CmapTarget::Unicode)
        .map_err(|e| e.to_string())?;
    let mut warnings = Vec::new();
    let mut font = ParsedFont::from_bytes(&program, 0, &mut warnings).ok_or("the subset font is unreadable")?;
    font.font_name = Some(format!("{tag}+{name}"));
    Ok(font)
}

/// Whether the face has a glyph for `c`.
pub(crate) fn has_glyph(face: Face, c: char) -> bool {
    parsed(face).is_some_and(|f| f.lookup_glyph_index(u32::from(c)).is_some_and(|g| g != 0))
}

/// The width of `text` at `size` points, in points.
pub(crate) fn width(face: Face, text: &str, size: f32) -> f32 {
    let Some(font) = parsed(face) else { return 0.0 };
    let units: u32 = text
        .chars()
        .map(|c| {
            let gid = font.lookup_glyph_index(u32::from(c)).unwrap_or(0);
            u32::from(font.get_glyph_width(gid).unwrap_or(0))
        })
        .sum();
    units as f32 * size / f32::from(font.units_per_em.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_faces_load_and_cover_the_scripts_of_names() {
        for face in [Face::Regular, Face::Bold] {
            assert!(parsed(face).is_some());
            for c in "äöüÄÖÜßçğışÇĞİŞąćęłńóśźżĄĆĘŁŃŚŹŻčďěňřšťůžČĎĚŇŘŠŤŮŽжЖщЩїЇєЄαβγΩάέ€".chars()
            {
                assert!(has_glyph(face, c), "{face:?} lacks {c}");
            }
        }
        assert!(width(Face::Bold, "Hund", 10.0) > width(Face::Regular, "Hund", 10.0));
        assert!((width(Face::Regular, "", 10.0)).abs() < f32::EPSILON);
    }
}
