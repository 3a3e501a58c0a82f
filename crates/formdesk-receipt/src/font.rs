//! The receipt's typefaces (SIL Open Font License, `assets/OFL.txt`), compiled in and parsed once: Noto Sans
//! for Latin, Greek and Cyrillic, and Noto Sans Arabic for what Noto Sans lacks. Widths for line breaking come
//! from the same tables printpdf embeds, so what is measured is what is drawn. Shaping (for Arabic) is in
//! [`crate::shape`]; this module only knows faces, glyphs and subsets.

use printpdf::ParsedFont;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

/// The regular and the bold face.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Face {
    Regular,
    Bold,
}

/// The typeface: Noto Sans first, Noto Sans Arabic for the characters Noto Sans lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Family {
    Sans,
    Arabic,
}

const REGULAR_BYTES: &[u8] = include_bytes!("../assets/NotoSans-Regular.ttf");
const BOLD_BYTES: &[u8] = include_bytes!("../assets/NotoSans-Bold.ttf");
const ARABIC_REGULAR_BYTES: &[u8] = include_bytes!("../assets/NotoSansArabic-Regular.ttf");
const ARABIC_BOLD_BYTES: &[u8] = include_bytes!("../assets/NotoSansArabic-Bold.ttf");

static REGULAR: LazyLock<Option<ParsedFont>> = LazyLock::new(|| parse(REGULAR_BYTES, "NotoSans-Regular"));
static BOLD: LazyLock<Option<ParsedFont>> = LazyLock::new(|| parse(BOLD_BYTES, "NotoSans-Bold"));
static ARABIC_REGULAR: LazyLock<Option<ParsedFont>> =
    LazyLock::new(|| parse(ARABIC_REGULAR_BYTES, "NotoSansArabic-Regular"));
static ARABIC_BOLD: LazyLock<Option<ParsedFont>> = LazyLock::new(|| parse(ARABIC_BOLD_BYTES, "NotoSansArabic-Bold"));

fn parse(bytes: &[u8], name: &str) -> Option<ParsedFont> {
    let mut warnings = Vec::new();
    let mut font = ParsedFont::from_bytes(bytes, 0, &mut warnings)?;
    font.font_name = Some(name.to_owned());
    Some(font)
}

/// The parsed Noto Sans face; `None` only if the compiled-in font could not be read, which a test rules out.
pub(crate) fn parsed(face: Face) -> Option<&'static ParsedFont> {
    parsed_in(Family::Sans, face)
}

/// The parsed face of a family.
pub(crate) fn parsed_in(family: Family, face: Face) -> Option<&'static ParsedFont> {
    match (family, face) {
        (Family::Sans, Face::Regular) => REGULAR.as_ref(),
        (Family::Sans, Face::Bold) => BOLD.as_ref(),
        (Family::Arabic, Face::Regular) => ARABIC_REGULAR.as_ref(),
        (Family::Arabic, Face::Bold) => ARABIC_BOLD.as_ref(),
    }
}

/// The font program's bytes and its PostScript-style name.
pub(crate) fn program(family: Family, face: Face) -> (&'static [u8], &'static str) {
    match (family, face) {
        (Family::Sans, Face::Regular) => (REGULAR_BYTES, "NotoSans-Regular"),
        (Family::Sans, Face::Bold) => (BOLD_BYTES, "NotoSans-Bold"),
        (Family::Arabic, Face::Regular) => (ARABIC_REGULAR_BYTES, "NotoSansArabic-Regular"),
        (Family::Arabic, Face::Bold) => (ARABIC_BOLD_BYTES, "NotoSansArabic-Bold"),
    }
}

/// The family that draws `c`: Noto Sans where it has the glyph, else Noto Sans Arabic, else none.
pub(crate) fn family_for(face: Face, c: char) -> Option<Family> {
    [Family::Sans, Family::Arabic].into_iter().find(|&family| has_glyph_in(family, face, c))
}

/// Whether the family's face has a glyph for `c`.
pub(crate) fn has_glyph_in(family: Family, face: Face, c: char) -> bool {
    parsed_in(family, face).is_some_and(|f| f.lookup_glyph_index(u32::from(c)).is_some_and(|g| g != 0))
}

/// The family's face reduced to the glyphs of `chars` and the glyph ids `glyphs` (from shaping), and what they
/// are built from, named `TAG+NotoSans…` as ISO 32000-1 9.6.4 asks of a subset font; printpdf then embeds this
/// program as it is, with `/ToUnicode`. Also returns where each original glyph id went: the subset numbers
/// glyphs in the order they are passed, .notdef first.
pub(crate) fn subset_glyphs(
    family: Family,
    face: Face,
    chars: &BTreeSet<char>,
    glyphs: &BTreeSet<u16>,
    tag: &str,
) -> Result<(ParsedFont, BTreeMap<u16, u16>), String> {
    use allsorts::binary::read::ReadScope;
    use allsorts::font_data::FontData;
    use allsorts::subset::{CmapTarget, SubsetProfile};

    let (bytes, name) = program(family, face);
    let full = parsed_in(family, face).ok_or("the compiled-in font is unreadable")?;
    // Glyph 0 (.notdef) first, then each used glyph once, in order.
    let mut used: BTreeSet<u16> = chars.iter().filter_map(|&c| full.lookup_glyph_index(u32::from(c))).collect();
    used.extend(glyphs);
    let ids: Vec<u16> = std::iter::once(0).chain(used.into_iter().filter(|&g| g != 0)).collect();
    let file = ReadScope::new(bytes).read::<FontData<'_>>().map_err(|e| e.to_string())?;
    let provider = file.table_provider(0).map_err(|e| e.to_string())?;
    let program = allsorts::subset::subset(&provider, &ids, &SubsetProfile::Pdf, CmapTarget::Unicode)
        .map_err(|e| e.to_string())?;
    let mut warnings = Vec::new();
    let mut font = ParsedFont::from_bytes(&program, 0, &mut warnings).ok_or("the subset font is unreadable")?;
    font.font_name = Some(format!("{tag}+{name}"));
    let remap = ids.iter().enumerate().map(|(new, &old)| (old, new as u16)).collect();
    Ok((font, remap))
}

/// Whether the face has a glyph for `c`.
pub(crate) fn has_glyph(face: Face, c: char) -> bool {
    has_glyph_in(Family::Sans, face, c)
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

    #[test]
    fn arabic_falls_back_to_noto_sans_arabic_and_the_rest_stays_with_noto_sans() {
        for face in [Face::Regular, Face::Bold] {
            assert!(parsed_in(Family::Arabic, face).is_some());
            for c in "إشعار باستلام الطلب،؟٠١٢".chars().filter(|c| !c.is_whitespace()) {
                assert_eq!(family_for(face, c), Some(Family::Arabic), "{c}");
            }
            for c in "Aä0 /-:Жά".chars() {
                assert_eq!(family_for(face, c), Some(Family::Sans), "{c}");
            }
            assert_eq!(family_for(face, '\u{4e2d}'), None, "no CJK face");
        }
    }

    #[test]
    fn a_subset_numbers_its_glyphs_in_the_order_they_were_given() {
        let chars = BTreeSet::new();
        let Some(full) = parsed_in(Family::Arabic, Face::Regular) else { panic!("the Arabic face loads") };
        let beh = full.lookup_glyph_index(u32::from('\u{628}')).unwrap_or(0);
        let glyphs: BTreeSet<u16> = [beh].into();
        let (font, remap) = subset_glyphs(Family::Arabic, Face::Regular, &chars, &glyphs, "ABCDEF").expect("subsets");
        assert_eq!(remap.get(&0), Some(&0));
        assert_eq!(remap.get(&beh), Some(&1));
        assert_eq!(font.lookup_glyph_index(u32::from('\u{628}')), Some(1));
        assert_eq!(font.font_name.as_deref(), Some("ABCDEF+NotoSansArabic-Regular"));
    }
}
