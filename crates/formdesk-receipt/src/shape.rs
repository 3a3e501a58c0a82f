//! Shaping and bidirectional layout of the lines that need it: lines with a right-to-left character, or with
//! a character only Noto Sans Arabic has.
//!
//! A paragraph takes its direction from its first strong character (UAX #9, rules P2 and P3) unless the
//! caller fixes it, is broken at spaces by its shaped width, and each line is reordered into visual runs
//! (UAX #9, rule L2, with `unicode-bidi`). Each run is split by face (Noto Sans where it has the glyph, else
//! Noto Sans Arabic) and shaped with rustybuzz in the run's direction. Glyphs come out in visual order, left
//! to right, with advances and offsets in font units, as HarfBuzz gives them.
//!
//! Non-goals: hyphenation, justification, kashida stretching, vertical text.

use crate::font::{self, Face, Family};
use std::ops::Range;
use std::sync::LazyLock;
use unicode_bidi::{BidiClass, BidiInfo, Level, bidi_class};

static HB_FACES: LazyLock<[Option<rustybuzz::Face<'static>>; 4]> = LazyLock::new(|| {
    [
        (Family::Sans, Face::Regular),
        (Family::Sans, Face::Bold),
        (Family::Arabic, Face::Regular),
        (Family::Arabic, Face::Bold),
    ]
    .map(|(family, face)| rustybuzz::Face::from_slice(font::program(family, face).0, 0))
});

/// The face as rustybuzz reads it; `None` only if the compiled-in font were unreadable, which a test rules out.
fn hb_face(family: Family, face: Face) -> Option<&'static rustybuzz::Face<'static>> {
    let i = match (family, face) {
        (Family::Sans, Face::Regular) => 0,
        (Family::Sans, Face::Bold) => 1,
        (Family::Arabic, Face::Regular) => 2,
        (Family::Arabic, Face::Bold) => 3,
    };
    HB_FACES[i].as_ref()
}

/// Shape plans made so far, by family, face, direction and script.
type PlanKey = (Family, Face, bool, rustybuzz::Script);

thread_local! {
    static PLANS: std::cell::RefCell<Vec<(PlanKey, rustybuzz::ShapePlan)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The face's units per em.
pub(crate) fn units_per_em(family: Family, face: Face) -> f32 {
    hb_face(family, face).map_or(1000.0, |f| f.units_per_em() as f32)
}

/// One shaped glyph, in the font units of its face.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Glyph {
    /// The glyph id in the full font.
    pub gid: u16,
    /// Byte offset into the run's text of the first character the glyph stands for.
    pub cluster: u32,
    pub x_advance: i32,
    pub x_offset: i32,
    pub y_offset: i32,
}

/// A run in one face and one direction, shaped; its glyphs in visual order, left to right.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Run {
    pub family: Family,
    pub face: Face,
    pub rtl: bool,
    /// The run's text in logical order; clusters are byte offsets into it.
    pub text: String,
    pub glyphs: Vec<Glyph>,
}

impl Run {
    /// The run's width at `size` points, in points.
    pub fn width(&self, size: f32) -> f32 {
        let units: i64 = self.glyphs.iter().map(|g| i64::from(g.x_advance)).sum();
        units as f32 * size / units_per_em(self.family, self.face)
    }

    /// The glyphs in the order to draw them (left to right, as shaped), each with the text it stands for in
    /// `/ToUnicode`.
    ///
    /// Text extractors read a line's glyphs by position, left to right, and turn right-to-left stretches
    /// around (poppler's `pdftotext` does). Right to left, HarfBuzz already gives a cluster's glyphs back to
    /// front; so their characters are assigned back to front, and a glyph standing for several characters
    /// (the lam-alef ligature) holds them back to front: turned around, both read in logical order. A bracket
    /// mirrored in right-to-left text stands for the bracket it shows, as it does everywhere else in the font.
    /// With more glyphs than characters, the widest glyph holds the text. Marks in right-to-left runs (harakat)
    /// stand for nothing: drawn with no advance over their letter, extractors take them for overprinted
    /// duplicates and break the word apart, so the text extracts without them.
    pub fn drawing(&self) -> Vec<(usize, String)> {
        let mut out = Vec::with_capacity(self.glyphs.len());
        let mut i = 0;
        while i < self.glyphs.len() {
            let cluster = self.glyphs[i].cluster;
            let end = self.glyphs[i..].iter().position(|g| g.cluster != cluster).map_or(self.glyphs.len(), |n| i + n);
            let start = cluster as usize;
            let text_end =
                self.glyphs.iter().map(|g| g.cluster as usize).filter(|&c| c > start).min().unwrap_or(self.text.len());
            let mut chars: Vec<char> = self.text.get(start..text_end).unwrap_or("").chars().collect();
            if self.rtl {
                chars = chars.into_iter().rev().map(mirrored).collect();
            }
            let shown = |c: &char| !self.rtl || bidi_class(*c) != BidiClass::NSM;
            if end - i == chars.len() {
                out.extend((i..end).zip(chars.iter().map(|c| if shown(c) { c.to_string() } else { String::new() })));
            } else {
                let widest = (i..end).max_by_key(|&g| (self.glyphs[g].x_advance, std::cmp::Reverse(g))).unwrap_or(i);
                let all: String = chars.iter().filter(|c| shown(c)).collect();
                out.extend((i..end).map(|g| (g, if g == widest { all.clone() } else { String::new() })));
            }
            i = end;
        }
        out
    }
}

/// The bracket a right-to-left run shows for `c` (HarfBuzz draws the mirrored glyph), or `c`.
fn mirrored(c: char) -> char {
    match c {
        '(' => ')',
        ')' => '(',
        '[' => ']',
        ']' => '[',
        '{' => '}',
        '}' => '{',
        '<' => '>',
        '>' => '<',
        '«' => '»',
        '»' => '«',
        '‹' => '›',
        '›' => '‹',
        c => c,
    }
}

/// One laid-out line: its text in logical order and its runs in visual order, left to right.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Line {
    pub text: String,
    /// The direction of the paragraph the line belongs to; right-to-left lines are right-aligned.
    pub rtl: bool,
    pub runs: Vec<Run>,
}

impl Line {
    /// The line's width at `size` points, in points.
    pub fn width(&self, size: f32) -> f32 {
        self.runs.iter().map(|r| r.width(size)).sum()
    }
}

/// Whether `text` needs this module: a right-to-left character, or one only Noto Sans Arabic has.
pub(crate) fn needs_shaping(face: Face, text: &str) -> bool {
    text.chars().any(|c| {
        matches!(bidi_class(c), BidiClass::R | BidiClass::AL | BidiClass::RLE | BidiClass::RLO | BidiClass::RLI)
            || (!font::has_glyph_in(Family::Sans, face, c) && font::has_glyph_in(Family::Arabic, face, c))
    })
}

/// Whether the character steers layout without a glyph of its own (bidi marks and isolates, ZWJ, ZWNJ).
fn is_control(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{061C}')
}

/// The paragraph with tabs and separators as spaces and what no face can draw as `?`.
fn printable(face: Face, text: &str) -> String {
    text.chars()
        .map(|c| match c {
            c if matches!(bidi_class(c), BidiClass::B | BidiClass::S) => ' ',
            c if c.is_whitespace() || is_control(c) || font::family_for(face, c).is_some() => c,
            _ => '?',
        })
        .collect()
}

/// Shapes `text` in one face and direction with rustybuzz; glyphs in visual order, left to right.
pub(crate) fn shape(family: Family, face: Face, text: &str, rtl: bool) -> Vec<Glyph> {
    let Some(hb) = hb_face(family, face) else { return Vec::new() };
    let mut buffer = rustybuzz::UnicodeBuffer::new();
    buffer.push_str(text);
    buffer.set_direction(if rtl { rustybuzz::Direction::RightToLeft } else { rustybuzz::Direction::LeftToRight });
    buffer.guess_segment_properties();
    // A shape plan (which lookups apply) depends on face, direction and script only; making one for every
    // run took most of an Arabic receipt's rendering time.
    let key = (family, face, rtl, buffer.script());
    let shaped = PLANS.with_borrow_mut(|plans| {
        let index = match plans.iter().position(|(k, _)| *k == key) {
            Some(index) => index,
            None => {
                let plan = rustybuzz::ShapePlan::new(hb, buffer.direction(), Some(buffer.script()), None, &[]);
                plans.push((key, plan));
                plans.len() - 1
            }
        };
        rustybuzz::shape_with_plan(hb, &plans[index].1, buffer)
    });
    shaped
        .glyph_infos()
        .iter()
        .zip(shaped.glyph_positions())
        .map(|(info, pos)| Glyph {
            gid: u16::try_from(info.glyph_id).unwrap_or(0),
            cluster: info.cluster,
            x_advance: pos.x_advance,
            x_offset: pos.x_offset,
            y_offset: pos.y_offset,
        })
        .collect()
}

/// Splits `range` of `text` into stretches of one family each: Noto Sans where it has the glyph, else Noto
/// Sans Arabic. Marks and controls stay with what precedes them when that face has them.
fn by_family(face: Face, text: &str, range: Range<usize>) -> Vec<(Family, Range<usize>)> {
    let mut out: Vec<(Family, Range<usize>)> = Vec::new();
    for (i, c) in text[range.clone()].char_indices() {
        let at = range.start + i;
        let end = at + c.len_utf8();
        let previous = out.last().map(|(f, _)| *f);
        let keep =
            previous.filter(|&f| is_control(c) || (bidi_class(c) == BidiClass::NSM && font::has_glyph_in(f, face, c)));
        let family = keep.or_else(|| font::family_for(face, c)).or(previous).unwrap_or(Family::Sans);
        match out.last_mut() {
            Some((f, r)) if *f == family => r.end = end,
            _ => out.push((family, at..end)),
        }
    }
    out
}

/// Lays out the byte range `line` of a paragraph: its visual runs, each split by face and shaped.
fn layout_line(face: Face, bidi: &BidiInfo<'_>, line: Range<usize>) -> Line {
    let text = bidi.text;
    let Some(paragraph) = bidi.paragraphs.first() else {
        return Line { text: String::new(), rtl: false, runs: Vec::new() };
    };
    let rtl = paragraph.level.is_rtl();
    let (levels, runs) = bidi.visual_runs(paragraph, line.clone());
    let mut out = Vec::new();
    for run in runs {
        let run_rtl = levels.get(run.start).is_some_and(|l| l.is_rtl());
        let mut pieces: Vec<Run> = by_family(face, text, run)
            .into_iter()
            .map(|(family, range)| {
                let piece = &text[range];
                Run { family, face, rtl: run_rtl, text: piece.to_owned(), glyphs: shape(family, face, piece, run_rtl) }
            })
            .collect();
        if run_rtl {
            pieces.reverse();
        }
        out.extend(pieces);
    }
    Line { text: text[line].to_owned(), rtl, runs: out }
}

/// For each byte offset of the paragraph, the shaped width in points of the text before it. The paragraph is
/// shaped once, in stretches of one bidi level and one face; a glyph's advance counts at its cluster. Lines
/// break at spaces, where Arabic letters do not join, so a line's width is the difference of two entries.
fn widths_before(face: Face, size: f32, bidi: &BidiInfo<'_>) -> Vec<f32> {
    let text = bidi.text;
    let mut at = vec![0.0f32; text.len() + 1];
    let mut start = 0;
    while start < text.len() {
        let level = bidi.levels[start];
        let end = (start..text.len()).find(|&i| bidi.levels[i] != level).unwrap_or(text.len());
        for (family, range) in by_family(face, text, start..end) {
            let scale = size / units_per_em(family, face);
            for glyph in shape(family, face, &text[range.clone()], level.is_rtl()) {
                if let Some(w) = at.get_mut(range.start + glyph.cluster as usize) {
                    *w += glyph.x_advance as f32 * scale;
                }
            }
        }
        start = end;
    }
    let mut sum = 0.0;
    for w in &mut at {
        let own = *w;
        *w = sum;
        sum += own;
    }
    at
}

/// Lays out `text` in lines no wider than `width` points at `size` points: broken at spaces, inside a word only
/// when the word alone is wider. Each line of the input is a paragraph of its own, with the direction `rtl`
/// or, when that is `None`, the direction of its first strong character.
pub(crate) fn wrap(face: Face, size: f32, text: &str, width: f32, rtl: Option<bool>) -> Vec<Line> {
    let level = rtl.map(|rtl| if rtl { Level::rtl() } else { Level::ltr() });
    let mut lines = Vec::new();
    for paragraph in text.lines() {
        let paragraph = printable(face, paragraph);
        let bidi = BidiInfo::new(&paragraph, level);
        let before = widths_before(face, size, &bidi);
        let fits = |range: Range<usize>| before[range.end] - before[range.start] <= width + 1e-3;
        let mut words = Vec::new();
        let mut start = None;
        for (i, c) in paragraph.char_indices() {
            match (c == ' ', start) {
                (true, Some(s)) => {
                    words.push(s..i);
                    start = None;
                }
                (false, None) => start = Some(i),
                _ => {}
            }
        }
        if let Some(s) = start {
            words.push(s..paragraph.len());
        }
        let mut current: Option<Range<usize>> = None;
        let mut broken: Vec<Range<usize>> = Vec::new();
        for word in words {
            let candidate = current.as_ref().map_or(word.clone(), |c| c.start..word.end);
            if fits(candidate.clone()) {
                current = Some(candidate);
                continue;
            }
            broken.extend(current.take());
            if fits(word.clone()) {
                current = Some(word);
                continue;
            }
            // A word wider than the line: as many characters as fit on each line.
            let mut from = word.start;
            let mut to = word.start;
            for (i, c) in paragraph[word.clone()].char_indices() {
                let next = word.start + i + c.len_utf8();
                if to > from && !fits(from..next) {
                    broken.push(from..to);
                    from = to;
                }
                to = next;
            }
            current = Some(from..to);
        }
        broken.extend(current);
        if broken.is_empty() {
            broken.push(0..0);
        }
        lines.extend(broken.into_iter().map(|range| layout_line(face, &bidi, range)));
    }
    if lines.is_empty() {
        lines.push(Line { text: String::new(), rtl: rtl.unwrap_or(false), runs: Vec::new() });
    }
    lines
}

/// One line of `text`, unbroken and with its spaces at either end (see [`wrap`]).
pub(crate) fn line(face: Face, text: &str, rtl: Option<bool>) -> Line {
    let flat = printable(face, &text.replace('\n', " "));
    let level = rtl.map(|rtl| if rtl { Level::rtl() } else { Level::ltr() });
    let bidi = BidiInfo::new(&flat, level);
    layout_line(face, &bidi, 0..flat.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The line's characters in visual order, left to right: each run's text, reversed when right to left.
    fn visual(line: &Line) -> String {
        line.runs.iter().map(|r| if r.rtl { r.text.chars().rev().collect() } else { r.text.clone() }).collect()
    }

    #[test]
    fn every_face_loads_for_shaping() {
        for family in [Family::Sans, Family::Arabic] {
            for face in [Face::Regular, Face::Bold] {
                assert!(hb_face(family, face).is_some(), "{family:?} {face:?}");
            }
        }
    }

    #[test]
    fn only_right_to_left_text_or_arabic_needs_shaping() {
        assert!(!needs_shaping(Face::Regular, "Jürgen Größmann, Олександр, Γιώργος, Ağça"));
        assert!(needs_shaping(Face::Regular, "Name: محمد"));
        assert!(needs_shaping(Face::Regular, "שלום"), "Hebrew is right to left even without a face");
        assert!(needs_shaping(Face::Bold, "٣"), "Arabic-Indic digits only the Arabic face has");
    }

    #[test]
    fn arabic_letters_join_into_their_contextual_forms() {
        // Beh alone, and three behs: initial, medial, final forms, all different glyphs from the isolated one.
        let alone = shape(Family::Arabic, Face::Regular, "ب", true);
        let joined = shape(Family::Arabic, Face::Regular, "ببب", true);
        assert_eq!(alone.len(), 1);
        assert_eq!(joined.len(), 3);
        let ids: std::collections::BTreeSet<u16> = joined.iter().map(|g| g.gid).chain([alone[0].gid]).collect();
        assert_eq!(ids.len(), 4, "isolated, initial, medial and final forms: {joined:?} {alone:?}");
        // Right to left: the first character (cluster 0) is the rightmost glyph.
        assert_eq!(joined.last().map(|g| g.cluster), Some(0));
        assert_eq!(joined.first().map(|g| g.cluster), Some(4));
    }

    #[test]
    fn lam_alef_becomes_one_ligature_glyph() {
        let glyphs = shape(Family::Arabic, Face::Regular, "لا", true);
        assert_eq!(glyphs.len(), 1, "{glyphs:?}");
        let run = Run { family: Family::Arabic, face: Face::Regular, rtl: true, text: "لا".into(), glyphs };
        assert_eq!(run.drawing(), vec![(0, "ال".to_owned())], "the ligature stands for both letters, back to front");
        let jeem = line(Face::Regular, "جّ", Some(true));
        let drawn: Vec<String> = jeem.runs[0].drawing().into_iter().map(|(_, t)| t).collect();
        assert_eq!(drawn, ["", "ج"], "the shadda is drawn before its letter and stands for nothing");
    }

    #[test]
    fn a_single_line_keeps_its_spaces() {
        let l = line(Face::Regular, " / رقم ", Some(false));
        assert_eq!(l.text, " / رقم ");
        assert_eq!(l.runs.first().map(|r| r.text.as_str()), Some(" / "));
    }

    #[test]
    fn the_paragraph_direction_comes_from_the_first_strong_character() {
        assert!(line(Face::Regular, "رقم المعاملة HUND-1234", None).rtl);
        assert!(!line(Face::Regular, "HUND-1234 رقم المعاملة", None).rtl);
        assert!(line(Face::Regular, "1234 رقم", None).rtl, "digits are weak; the Arabic word decides");
        assert!(!line(Face::Regular, "رقم", Some(false)).rtl, "unless the caller fixes it");
    }

    #[test]
    fn an_iban_inside_an_arabic_sentence_stays_left_to_right() {
        let text = "يرجى التحويل إلى IBAN DE89 3704 0044 0532 0130 00 قبل نهاية الشهر";
        let line = line(Face::Regular, text, None);
        assert!(line.rtl);
        assert_eq!(line.text, text, "the logical text is kept for extraction");
        let visual = visual(&line);
        assert!(visual.contains("IBAN DE89 3704 0044 0532 0130 00"), "{visual}");
        // The sentence's start is at the right end, its end at the left end.
        assert!(visual.starts_with(&"الشهر".chars().rev().collect::<String>()), "{visual}");
        assert!(visual.ends_with(&"يرجى".chars().rev().collect::<String>()), "{visual}");
        let latin = line.runs.iter().find(|r| r.text.contains("IBAN")).expect("a Latin run");
        assert!(!latin.rtl);
        assert_eq!(latin.family, Family::Sans);
        assert!(line.runs.iter().filter(|r| r.family == Family::Arabic).all(|r| r.rtl));
    }

    #[test]
    fn latin_text_with_an_arabic_name_keeps_its_order() {
        let line = line(Face::Regular, "Name: محمد علي, geboren 1990", None);
        assert!(!line.rtl);
        let visual = visual(&line);
        assert!(visual.starts_with("Name: "), "{visual}");
        assert!(visual.contains(&"محمد علي".chars().rev().collect::<String>()), "{visual}");
        assert!(visual.ends_with(", geboren 1990"), "{visual}");
    }

    #[test]
    fn lines_break_at_spaces_by_shaped_width_and_keep_all_words() {
        let text = "يرجى التحويل إلى IBAN DE89 3704 0044 0532 0130 00 قبل نهاية الشهر";
        let full = line(Face::Regular, text, None).width(10.0);
        let lines = wrap(Face::Regular, 10.0, text, full / 2.0, None);
        assert!(lines.len() >= 2, "{lines:?}");
        for l in &lines {
            assert!(l.width(10.0) <= full / 2.0 + 1e-3, "{} is too wide", l.text);
            assert!(l.rtl, "every line of the paragraph is right to left: {}", l.text);
        }
        let words: Vec<&str> = lines.iter().flat_map(|l| l.text.split(' ')).collect();
        assert_eq!(words, text.split(' ').collect::<Vec<_>>());
    }

    #[test]
    fn a_word_wider_than_the_line_is_broken_inside() {
        let lines = wrap(Face::Regular, 10.0, "مستشفىمستشفىمستشفى", 20.0, None);
        assert!(lines.len() >= 2);
        assert_eq!(lines.iter().map(|l| l.text.as_str()).collect::<String>(), "مستشفىمستشفىمستشفى");
    }

    #[test]
    fn what_no_face_has_becomes_a_question_mark_and_bad_input_does_not_panic() {
        let l = line(Face::Regular, "اسم 中文", None);
        assert_eq!(l.text, "اسم ??");
        for text in ["", " ", "\u{202E}", "\u{200F}\u{200F}", "\t\r\u{2029}ب", "\u{64E}\u{64E}", "a\u{300}\u{64E}"] {
            let _ = wrap(Face::Bold, 9.0, text, 10.0, None);
            let _ = line(Face::Regular, text, Some(true));
        }
    }

    #[test]
    fn right_to_left_glyphs_are_drawn_so_that_turning_them_around_gives_the_text() {
        for text in ["مُحَمَّد", "سيُرسَل فور توفر الاتصال", "لا (نعم)", "موقَّع", "سجّله", "الأسماء"]
        {
            let l = line(Face::Regular, text, Some(true));
            // What an extractor does: the drawn texts left to right, turned around; marks stand for nothing.
            let drawn: String = l.runs.iter().flat_map(|r| r.drawing().into_iter().map(|(_, t)| t)).collect();
            let read: String = drawn.chars().rev().map(mirrored).collect();
            let letters: String = text.chars().filter(|&c| bidi_class(c) != BidiClass::NSM).collect();
            assert_eq!(read, letters);
            for run in &l.runs {
                let order: Vec<usize> = run.drawing().iter().map(|(i, _)| *i).collect();
                assert_eq!(order, (0..run.glyphs.len()).collect::<Vec<_>>(), "every glyph once, as shaped");
            }
        }
    }

    proptest::proptest! {
        /// Any mix of Arabic and Latin words, numbers and an IBAN: every line fits, the lines hold the words in
        /// their logical order, every character is drawn exactly once, and the runs of digits and Latin letters
        /// stay left to right.
        #[test]
        fn lines_of_mixed_text_keep_every_word_and_fit(
            words in proptest::collection::vec(
                proptest::sample::select(vec![
                    "رقم", "المعاملة", "الطلب", "إلى", "(نعم)", "لا", "سيُرسَل", "Hund", "Müller", "1234",
                    "DE89", "3704", "0044", "٢٠٢٦", "،", "Олександр", "Γιώργος", "?",
                ]),
                1..24,
            ),
            width in 20.0f32..300.0,
            rtl in proptest::option::of(proptest::bool::ANY),
        ) {
            let text = words.join(" ");
            let lines = wrap(Face::Regular, 9.0, &text, width, rtl);
            let mut logical = Vec::new();
            for l in &lines {
                let single_word = !l.text.contains(' ');
                proptest::prop_assert!(single_word || l.width(9.0) <= width + 0.01, "{:?} is too wide", l.text);
                let drawn: usize = l.runs.iter().map(|r| r.text.chars().count()).sum();
                proptest::prop_assert_eq!(drawn, l.text.chars().count());
                for run in &l.runs {
                    let latin = run.text.chars().any(|c| c.is_ascii_alphanumeric());
                    let arabic = run.text.chars().any(|c| bidi_class(c) == BidiClass::AL);
                    if latin && !arabic {
                        proptest::prop_assert!(!run.rtl, "{:?} is drawn right to left", run.text);
                    }
                }
                logical.extend(l.text.split(' ').map(str::to_owned));
            }
            proptest::prop_assert_eq!(logical.concat(), words.concat());
        }
    }

    #[test]
    fn a_harakah_stays_with_its_arabic_letter() {
        let l = line(Face::Regular, "مُحَمَّد", None);
        assert_eq!(l.runs.len(), 1, "{:?}", l.runs);
        assert_eq!(l.runs[0].family, Family::Arabic);
        assert!(l.runs[0].glyphs.iter().any(|g| g.y_offset != 0 || g.x_offset != 0), "marks are positioned");
    }
}
