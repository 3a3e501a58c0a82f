//! Lays a [`Receipt`] out on A4 pages and writes the PDF with printpdf.
//!
//! One column of label/value rows under a letterhead with the QR code; a row never splits across pages and a
//! heading never ends a page, so a household of eight breaks cleanly. Every page carries the reference and
//! "Seite n von m". Lines with right-to-left text or with characters only Noto Sans Arabic has are laid out
//! by [`crate::shape`] (bidi, shaping, face fallback) and drawn as glyph ids left to right, each mapped to
//! its text so that extractors, which turn right-to-left stretches around, read them in logical order;
//! right-to-left paragraphs are right-aligned in their column. Every other line is drawn as plain text, as
//! before. Non-goals: general text layout (no hyphenation, no justification); characters no face has are
//! printed as `?`.

use crate::font::{self, Face, Family};
use crate::receipt::{Bilingual, Delivery, Entry, Receipt, date_time};
use crate::shape;
use crate::texts::{self, Words};
use crate::{ReceiptError, pdfa, qr};
use printpdf::{
    Codepoint, Color, FontId, LinePoint, Mm, Op, PaintMode, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point,
    Polygon, PolygonRing, Pt, RawImage, RawImageData, RawImageFormat, Rect, Rgb, TextItem, WindingOrder, XObjectId,
    XObjectTransform,
};
use std::collections::{BTreeMap, BTreeSet};

const PAGE_W: f32 = 210.0;
const PAGE_H: f32 = 297.0;
const LEFT: f32 = 20.0;
const RIGHT: f32 = PAGE_W - 20.0;
/// The footer's texts start this far above the page's lower edge at most; a shorter footer leaves more room.
const FOOTER_MAX: f32 = 24.0;
const LABEL_W: f32 = 56.0;
const VALUE_X: f32 = LEFT + LABEL_W + 4.0;
const QR_SIZE: f32 = 36.0;
const PT_TO_MM: f32 = 25.4 / 72.0;
/// Space between rows, mm.
const ROW_GAP: f32 = 0.9;

const INK: (f32, f32, f32) = (0.10, 0.11, 0.13);
const GREY: (f32, f32, f32) = (0.36, 0.38, 0.42);
const ACCENT: (f32, f32, f32) = (0.12, 0.30, 0.55);
const BOX: (f32, f32, f32) = (0.94, 0.95, 0.97);
const RULE: (f32, f32, f32) = (0.75, 0.77, 0.80);
const WARN: (f32, f32, f32) = (0.70, 0.08, 0.08);

/// A run of text in one style.
#[derive(Debug, Clone, Copy)]
struct Style {
    face: Face,
    size: f32,
    color: (f32, f32, f32),
}

const LABEL: Style = Style { face: Face::Regular, size: 8.5, color: GREY };
const LABEL_2: Style = Style { face: Face::Regular, size: 7.5, color: GREY };
const VALUE: Style = Style { face: Face::Regular, size: 9.5, color: INK };
const VALUE_2: Style = Style { face: Face::Regular, size: 8.0, color: GREY };
const STRONG: Style = Style { face: Face::Bold, size: 9.5, color: INK };

impl Style {
    /// The distance between baselines, in mm.
    fn line(self) -> f32 {
        self.size * 1.32 * PT_TO_MM
    }
}

fn rgb((r, g, b): (f32, f32, f32)) -> Color {
    Color::Rgb(Rgb { r, g, b, icc_profile: None })
}

/// Replaces characters the font cannot draw, so that no glyph comes out as an empty box.
fn printable(face: Face, text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\t' => ' ',
            c if c.is_whitespace() || font::has_glyph(face, c) => c,
            _ => '?',
        })
        .collect()
}

/// Breaks text into lines no wider than `width` mm: at spaces, inside words only when a word alone is wider.
fn wrap(style: Style, text: &str, width: f32) -> Vec<String> {
    let fits = |s: &str| font::width(style.face, s, style.size) * PT_TO_MM <= width;
    let mut lines = Vec::new();
    for paragraph in printable(style.face, text).lines() {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let candidate = if line.is_empty() { word.to_owned() } else { format!("{line} {word}") };
            if fits(&candidate) {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            for c in word.chars() {
                line.push(c);
                if !fits(&line) && line.chars().count() > 1 {
                    line.pop();
                    lines.push(std::mem::take(&mut line));
                    line.push(c);
                }
            }
        }
        lines.push(line);
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

/// Breaks text into lines like [`wrap`], each with the direction of its paragraph; text that needs shaping is
/// measured shaped.
fn wrap_lines(style: Style, text: &str, width: f32) -> Vec<(String, bool)> {
    if shape::needs_shaping(style.face, text) {
        shape::wrap(style.face, style.size, text, width / PT_TO_MM, None).into_iter().map(|l| (l.text, l.rtl)).collect()
    } else {
        wrap(style, text, width).into_iter().map(|l| (l, false)).collect()
    }
}

/// The width of one line of text as drawn, in mm; `rtl` fixes the direction of text that needs shaping.
fn measure(style: Style, text: &str, rtl: Option<bool>) -> f32 {
    if shape::needs_shaping(style.face, text) {
        shape::line(style.face, text, rtl).width(style.size) * PT_TO_MM
    } else {
        font::width(style.face, text, style.size) * PT_TO_MM
    }
}

/// One line of a block: runs side by side, and whether its paragraph runs right to left (then the line is
/// right-aligned).
#[derive(Debug)]
struct BlockLine {
    runs: Vec<(Style, String)>,
    rtl: bool,
}

/// A block of wrapped lines in up to two styles (German, then the second language). Each line is one or more
/// runs; a short second-language text shares the German line ("Rasse / Irk").
#[derive(Debug)]
struct Block {
    lines: Vec<BlockLine>,
    /// The column's width, mm.
    width: f32,
}

/// What stands between the German text and its translation on one line.
const BETWEEN: &str = " / ";

impl Block {
    fn new(text: &Bilingual, first: Style, second: Style, width: f32) -> Block {
        if let Some(other) = &text.other {
            // On the German line, the translation follows left to right ("Vorgangsnummer / رقم المعاملة").
            let ltr = Some(false);
            let together = measure(first, &text.de, ltr) + measure(second, BETWEEN, ltr) + measure(second, other, ltr);
            if !text.de.contains('\n') && !other.contains('\n') && together <= width {
                let runs = vec![(first, text.de.clone()), (second, format!("{BETWEEN}{other}"))];
                return Block { lines: vec![BlockLine { runs, rtl: false }], width };
            }
        }
        let line = |style: Style| move |(text, rtl): (String, bool)| BlockLine { runs: vec![(style, text)], rtl };
        let mut lines: Vec<BlockLine> = wrap_lines(first, &text.de, width).into_iter().map(line(first)).collect();
        if let Some(other) = &text.other {
            lines.extend(wrap_lines(second, other, width).into_iter().map(line(second)));
        }
        Block { lines, width }
    }

    fn line_height(line: &BlockLine) -> f32 {
        line.runs.first().map_or(0.0, |(s, _)| s.line())
    }

    fn height(&self) -> f32 {
        self.lines.iter().map(Block::line_height).sum()
    }
}

/// The pages being laid out.
struct Layout<'a> {
    receipt: &'a Receipt,
    /// Noto Sans regular and bold, Noto Sans Arabic regular and bold.
    fonts: [FontId; 4],
    pages: Vec<Vec<Op>>,
    /// Every shaped run drawn, in drawing order.
    shaped: Vec<shape::Run>,
    /// The top of the free space on the current page, mm from the top.
    y: f32,
    /// Content ends here, mm from the top; below are the footer's rule and texts.
    bottom: f32,
}

impl Layout<'_> {
    fn ops(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn font(&self, face: Face) -> FontId {
        self.font_of(Family::Sans, face)
    }

    fn font_of(&self, family: Family, face: Face) -> FontId {
        self.fonts[font_index(family, face)].clone()
    }

    /// Draws one line of text with its baseline `baseline` mm from the top.
    fn text(&mut self, style: Style, x: f32, baseline: f32, text: &str) {
        self.text_in(style, x, baseline, text, None);
    }

    /// Draws one line of text; `rtl` fixes the paragraph direction of text that needs shaping.
    fn text_in(&mut self, style: Style, x: f32, baseline: f32, text: &str, rtl: Option<bool>) {
        if text.is_empty() {
            return;
        }
        if shape::needs_shaping(style.face, text) {
            let line = shape::line(style.face, text, rtl);
            self.shaped(style, x, baseline, line);
            return;
        }
        let font = self.font(style.face);
        let text = printable(style.face, text);
        self.ops().extend([
            Op::StartTextSection,
            Op::SetFillColor { col: rgb(style.color) },
            Op::SetFont { font: PdfFontHandle::External(font), size: Pt(style.size) },
            Op::SetTextCursor { pos: Point { x: Mm(x).into(), y: Mm(PAGE_H - baseline).into() } },
            Op::ShowText { items: vec![TextItem::Text(text)] },
            Op::EndTextSection,
        ]);
    }

    /// Draws a shaped line: its runs left to right, each as glyph ids (see [`glyph_ops`]).
    fn shaped(&mut self, style: Style, x: f32, baseline: f32, line: shape::Line) {
        let mut ops = Vec::new();
        let mut pen = x;
        for run in &line.runs {
            ops.extend([
                Op::StartTextSection,
                Op::SetFillColor { col: rgb(style.color) },
                Op::SetFont { font: PdfFontHandle::External(self.font_of(run.family, run.face)), size: Pt(style.size) },
            ]);
            ops.extend(glyph_ops(run, style.size, pen, baseline));
            ops.push(Op::EndTextSection);
            pen += run.width(style.size) * PT_TO_MM;
        }
        self.ops().extend(ops);
        self.shaped.extend(line.runs);
    }

    /// Draws a block's lines from `top` down.
    fn block(&mut self, block: &Block, x: f32, top: f32) {
        let mut y = top;
        for line in &block.lines {
            let h = Block::line_height(line);
            y += h;
            self.runs(line, x, block.width, y - h * 0.24);
        }
    }

    /// Draws runs side by side on one baseline, from `x` in a column `width` mm wide; a right-to-left line ends
    /// at the column's right edge.
    fn runs(&mut self, line: &BlockLine, x: f32, width: f32, baseline: f32) {
        let rtl = Some(line.rtl);
        let mut x = x;
        if line.rtl {
            let total: f32 = line.runs.iter().map(|(style, text)| measure(*style, text, rtl)).sum();
            x += (width - total).max(0.0);
        }
        for (style, text) in &line.runs {
            self.text_in(*style, x, baseline, text, rtl);
            x += if shape::needs_shaping(style.face, text) {
                measure(*style, text, rtl)
            } else {
                font::width(style.face, &printable(style.face, text), style.size) * PT_TO_MM
            };
        }
    }

    fn rect(&mut self, x: f32, top: f32, w: f32, h: f32, color: (f32, f32, f32)) {
        self.ops().extend([
            Op::SetFillColor { col: rgb(color) },
            Op::DrawRectangle {
                rectangle: Rect {
                    x: Mm(x).into(),
                    y: Mm(PAGE_H - top - h).into(),
                    width: Mm(w).into(),
                    height: Mm(h).into(),
                    mode: Some(PaintMode::Fill),
                    winding_order: None,
                },
            },
        ]);
    }

    fn rule(&mut self, top: f32) {
        self.rect(LEFT, top, RIGHT - LEFT, 0.25, RULE);
    }

    /// Starts a new page with a short letterhead.
    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        let r = self.receipt;
        let name = r.municipality.name.clone();
        self.text(Style { face: Face::Bold, size: 9.0, color: INK }, LEFT, 18.0, &name);
        let right = format!("{} {} ({})", texts::DE.title, r.reference, texts::DE.continued);
        let style = Style { face: Face::Regular, size: 9.0, color: GREY };
        let w = font::width(style.face, &right, style.size) * PT_TO_MM;
        self.text(style, RIGHT - w, 18.0, &right);
        self.rule(21.0);
        self.y = 26.0;
    }

    /// Makes room for `height` mm, on a new page if need be.
    fn need(&mut self, height: f32) {
        if self.y + height > self.bottom {
            self.new_page();
        }
    }

    /// A label/value row; `keep` is extra height that must fit below it (the next row after a heading).
    fn row(&mut self, label: &Bilingual, value: &Bilingual, value_style: Style) {
        let label = Block::new(label, LABEL, LABEL_2, LABEL_W);
        let value = Block::new(value, value_style, VALUE_2, RIGHT - VALUE_X);
        // Labels are smaller than values; lowering them a little puts both first baselines on one line.
        let lowered = (value_style.line() - LABEL.line()).max(0.0);
        let h = (label.height() + lowered).max(value.height());
        self.need(h);
        let top = self.y;
        self.block(&label, LEFT, top + lowered);
        self.block(&value, VALUE_X, top);
        self.y = top + h + ROW_GAP;
    }

    /// A heading that stays with at least one following row.
    fn heading(&mut self, text: &Bilingual, size: f32, color: (f32, f32, f32), before: f32, underline: bool) {
        let first = Style { face: Face::Bold, size, color };
        let second = Style { face: Face::Regular, size: size * 0.82, color: GREY };
        let block = Block::new(text, first, second, RIGHT - LEFT);
        self.y += before;
        self.need(block.height() + 12.0);
        let top = self.y;
        self.block(&block, LEFT, top);
        self.y = top + block.height() + 1.2;
        if underline {
            self.rule(self.y);
            self.y += 2.0;
        }
    }

    /// A paragraph across the full width.
    fn paragraph(&mut self, text: &Bilingual, first: Style, second: Style, x: f32) {
        let block = Block::new(text, first, second, RIGHT - x);
        // A paragraph may split between lines, but not inside one.
        for line in &block.lines {
            let h = Block::line_height(line);
            self.need(h);
            let top = self.y;
            self.y += h;
            self.runs(line, x, block.width, top + h * 0.76);
        }
        self.y += 1.4;
    }
}

fn both(words_de: &Words, second: Option<&Words>, pick: fn(&Words) -> &'static str) -> Bilingual {
    Bilingual {
        de: pick(words_de).to_owned(),
        other: second.map(pick).filter(|o| *o != pick(words_de)).map(str::to_owned),
    }
}

fn delivery(words: &Words, delivery: Delivery) -> String {
    match delivery {
        Delivery::Pending => words.pending.to_owned(),
        Delivery::Delivered(at) => words.delivered.replace("{}", &date_time(&at)),
    }
}

/// Draws the QR code: one filled path of all dark runs, with a quiet zone of four modules.
fn qr_ops(matrix: &qr::QrMatrix, x: f32, top: f32, size: f32) -> Vec<Op> {
    let modules = matrix.width + 8;
    let m = size / modules as f32;
    let mut rings = Vec::new();
    let point =
        |px: f32, py: f32| LinePoint { p: Point { x: Mm(px).into(), y: Mm(PAGE_H - py).into() }, bezier: false };
    for row in 0..matrix.width {
        let mut col = 0;
        while col < matrix.width {
            if !matrix.modules[row * matrix.width + col] {
                col += 1;
                continue;
            }
            let start = col;
            while col < matrix.width && matrix.modules[row * matrix.width + col] {
                col += 1;
            }
            let (x0, x1) = (x + (start + 4) as f32 * m, x + (col + 4) as f32 * m);
            let (y0, y1) = (top + (row + 4) as f32 * m, top + (row + 5) as f32 * m);
            rings.push(PolygonRing { points: vec![point(x0, y0), point(x1, y0), point(x1, y1), point(x0, y1)] });
        }
    }
    vec![
        Op::SetFillColor { col: rgb((0.0, 0.0, 0.0)) },
        Op::DrawPolygon { polygon: Polygon { rings, mode: PaintMode::Fill, winding_order: WindingOrder::NonZero } },
    ]
}

/// Renders the receipt as a PDF (A4, fonts embedded and subset, PDF/A-2b metadata and output intent).
pub fn render(receipt: &Receipt) -> Result<Vec<u8>, ReceiptError> {
    render_with_runs(receipt).map(|(pdf, _)| pdf)
}

/// One glyph of a [`ShapedRun`], in the font's units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShapedGlyph {
    /// The glyph id in the font file (before subsetting).
    pub gid: u16,
    /// Byte offset into the run's text of the first character the glyph stands for.
    pub cluster: u32,
    /// How far the pen moves after the glyph.
    pub x_advance: i32,
    /// How far the glyph is moved right of the pen.
    pub x_offset: i32,
    /// How far the glyph is moved up.
    pub y_offset: i32,
}

/// A run of text the receipt shaped and drew (Arabic, or anything in a right-to-left line): what it shows and
/// which glyphs it drew, so that the shaping can be checked against another engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapedRun {
    /// The font file under the crate's `assets/` that draws it.
    pub font_file: &'static str,
    /// The run's text in logical order.
    pub text: String,
    /// Whether it was shaped right to left.
    pub rtl: bool,
    /// The glyphs in visual order, left to right.
    pub glyphs: Vec<ShapedGlyph>,
}

/// Every run the receipt's PDF shapes, in drawing order; empty when no line needs shaping.
pub fn shaped_runs(receipt: &Receipt) -> Result<Vec<ShapedRun>, ReceiptError> {
    let (_, runs) = render_with_runs(receipt)?;
    Ok(runs
        .into_iter()
        .map(|run| ShapedRun {
            font_file: match (run.family, run.face) {
                (Family::Sans, Face::Regular) => "NotoSans-Regular.ttf",
                (Family::Sans, Face::Bold) => "NotoSans-Bold.ttf",
                (Family::Arabic, Face::Regular) => "NotoSansArabic-Regular.ttf",
                (Family::Arabic, Face::Bold) => "NotoSansArabic-Bold.ttf",
            },
            glyphs: run
                .glyphs
                .iter()
                .map(|g| ShapedGlyph {
                    gid: g.gid,
                    cluster: g.cluster,
                    x_advance: g.x_advance,
                    x_offset: g.x_offset,
                    y_offset: g.y_offset,
                })
                .collect(),
            text: run.text,
            rtl: run.rtl,
        })
        .collect())
}

/// The faces in the order of the layout's fonts.
const FACES: [(Family, Face); 4] = [
    (Family::Sans, Face::Regular),
    (Family::Sans, Face::Bold),
    (Family::Arabic, Face::Regular),
    (Family::Arabic, Face::Bold),
];

fn font_index(family: Family, face: Face) -> usize {
    FACES.iter().position(|&f| f == (family, face)).unwrap_or(0)
}

/// A shaped run's glyphs as text operators, the run starting at `x` mm on the baseline `baseline` mm from the
/// top. The glyphs go in [`shape::Run::drawing`] order, each with the text it stands for (for `/ToUnicode`);
/// the number after a glyph moves the pen from where the font's own advance leaves it to where shaping puts
/// the next glyph drawn (kerning, marks), in thousandths of an em; vertical offsets (marks above and below) go
/// through the text rise.
fn glyph_ops(run: &shape::Run, size: f32, x: f32, baseline: f32) -> Vec<Op> {
    let upem = shape::units_per_em(run.family, run.face);
    let per_unit = 1000.0 / upem;
    let full = font::parsed_in(run.family, run.face);
    // Where each glyph goes, in font units from the run's start.
    let mut at = Vec::with_capacity(run.glyphs.len());
    let mut pen = 0i64;
    for glyph in &run.glyphs {
        at.push(pen + i64::from(glyph.x_offset));
        pen += i64::from(glyph.x_advance);
    }
    let order = run.drawing();
    let first = order.first().and_then(|(i, _)| at.get(*i)).copied().unwrap_or(0);
    let mut ops = vec![Op::SetTextCursor {
        pos: Point { x: Mm(x + first as f32 * size / upem * PT_TO_MM).into(), y: Mm(PAGE_H - baseline).into() },
    }];
    let mut items = Vec::new();
    let mut rise = 0;
    for (k, (i, text)) in order.iter().enumerate() {
        let glyph = run.glyphs[*i];
        if glyph.y_offset != rise {
            if !items.is_empty() {
                ops.push(Op::ShowText { items: vec![TextItem::GlyphIds(std::mem::take(&mut items))] });
            }
            rise = glyph.y_offset;
            ops.push(Op::SetLineOffset { multiplier: rise as f32 * size / upem });
        }
        // The advance the viewer takes from /W, computed as printpdf computes /W.
        let own = full.and_then(|f| f.get_glyph_width(glyph.gid)).map_or(0, |w| (f32::from(w) * per_unit) as i64);
        let next = order.get(k + 1).and_then(|(n, _)| at.get(*n)).copied().unwrap_or(pen);
        let offset = own as f32 - (next - at[*i]) as f32 * per_unit;
        items.push(Codepoint { gid: glyph.gid, offset, cid: Some(text.clone()) });
    }
    if !items.is_empty() {
        ops.push(Op::ShowText { items: vec![TextItem::GlyphIds(items)] });
    }
    if rise != 0 {
        ops.push(Op::SetLineOffset { multiplier: 0.0 });
    }
    ops
}

/// Renders the receipt and returns the runs it shaped.
fn render_with_runs(receipt: &Receipt) -> Result<(Vec<u8>, Vec<shape::Run>), ReceiptError> {
    let matrix = receipt.qr_matrix()?;
    let mut doc = PdfDocument::new(&format!("{} {}", texts::DE.title, receipt.reference));
    let fonts = pdfa::font_tags(&receipt.payload).map(FontId);
    let logo = receipt.municipality.logo().map(|logo| {
        let image = RawImage {
            pixels: RawImageData::U8(logo.rgb.clone()),
            width: logo.width,
            height: logo.height,
            data_format: RawImageFormat::RGB8,
            tag: Vec::new(),
        };
        // A fixed resource name instead of printpdf's random one keeps the output reproducible.
        let id = XObjectId("Logo".to_owned());
        doc.resources.xobjects.map.insert(id.clone(), printpdf::XObject::Image(image));
        (id, logo.width, logo.height)
    });
    let second = receipt.second_words();
    let footer_height = footer_block(second, 10.0).height();
    let bottom = PAGE_H - 12.0 - footer_height.min(FOOTER_MAX) - 4.0;
    let mut layout =
        Layout { receipt, fonts: fonts.clone(), pages: vec![Vec::new()], shaped: Vec::new(), y: 0.0, bottom };
    letterhead(&mut layout, logo);
    layout.ops().extend(qr_ops(&matrix, RIGHT - QR_SIZE + 2.5, 12.0, QR_SIZE));
    body(&mut layout);

    let count = layout.pages.len();
    let mut pages = Vec::with_capacity(count);
    for (n, ops) in std::mem::take(&mut layout.pages).into_iter().enumerate() {
        layout.pages = vec![ops];
        footer(&mut layout, n + 1, count, second);
        let ops = std::mem::take(&mut layout.pages).into_iter().flatten().collect();
        pages.push(PdfPage::new(Mm(PAGE_W), Mm(PAGE_H), ops));
    }
    // Only now is every character and glyph known: each face is subset to what the pages show, and the shaped
    // glyphs are renumbered to the subset's glyph ids. A face the pages do not use is not embedded.
    for ((family, face), id) in FACES.into_iter().zip(&fonts) {
        let (chars, glyphs) = used_glyphs(&pages, id);
        if chars.is_empty() && glyphs.is_empty() {
            continue;
        }
        let (subset, remap) = font::subset_glyphs(family, face, &chars, &glyphs, &id.0).map_err(ReceiptError::Pdf)?;
        if !glyphs.is_empty() {
            renumber(&mut pages, id, &remap);
        }
        doc.resources.fonts.map.insert(id.clone(), printpdf::PdfFont::new(subset));
    }
    doc.with_pages(pages);
    let options = PdfSaveOptions { optimize: false, subset_fonts: true, secure: true, image_optimization: None };
    let mut warnings = Vec::new();
    let lopdf_doc = printpdf::to_lopdf_doc(&doc, &options, &mut warnings);
    Ok((pdfa::finish(lopdf_doc, receipt)?, layout.shaped))
}

/// The characters shown as text and the glyph ids shown as glyphs in `font` on the pages.
fn used_glyphs(pages: &[PdfPage], font: &FontId) -> (BTreeSet<char>, BTreeSet<u16>) {
    let mut chars = BTreeSet::new();
    let mut glyphs = BTreeSet::new();
    for page in pages {
        let mut current = false;
        for op in &page.ops {
            match op {
                Op::SetFont { font: PdfFontHandle::External(id), .. } => current = id == font,
                Op::ShowText { items } if current => {
                    for item in items {
                        match item {
                            TextItem::Text(text) => chars.extend(text.chars()),
                            TextItem::GlyphIds(ids) => glyphs.extend(ids.iter().map(|c| c.gid)),
                            TextItem::Offset(_) => {}
                        }
                    }
                }
                _ => {}
            }
        }
    }
    (chars, glyphs)
}

/// Replaces the full font's glyph ids shown in `font` by the subset's.
fn renumber(pages: &mut [PdfPage], font: &FontId, remap: &BTreeMap<u16, u16>) {
    for page in pages {
        let mut current = false;
        for op in &mut page.ops {
            match op {
                Op::SetFont { font: PdfFontHandle::External(id), .. } => current = id == font,
                Op::ShowText { items } if current => {
                    for item in items {
                        if let TextItem::GlyphIds(ids) = item {
                            for codepoint in ids {
                                codepoint.gid = remap.get(&codepoint.gid).copied().unwrap_or(0);
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

fn letterhead(layout: &mut Layout<'_>, logo: Option<(XObjectId, usize, usize)>) {
    let r = layout.receipt;
    let mut x = LEFT;
    if let Some((id, w, h)) = logo {
        let height = 22.0_f32;
        let width = (height * w as f32 / h as f32).min(34.0);
        let height = width * h as f32 / w as f32;
        let dpi = w as f32 * 25.4 / width;
        layout.ops().push(Op::UseXobject {
            id,
            transform: XObjectTransform {
                translate_x: Some(Mm(LEFT).into()),
                translate_y: Some(Mm(PAGE_H - 14.0 - height).into()),
                dpi: Some(dpi),
                ..XObjectTransform::default()
            },
        });
        x = LEFT + width + 5.0;
    }
    let name_style = Style { face: Face::Bold, size: 13.0, color: ACCENT };
    let text_w = RIGHT - QR_SIZE - 4.0 - x;
    let mut y = 14.0;
    for (line, rtl) in wrap_lines(name_style, &r.municipality.name, text_w) {
        y += name_style.line();
        layout.text_in(name_style, x, y, &line, Some(rtl));
    }
    y += 1.0;
    let address = Style { face: Face::Regular, size: 9.0, color: GREY };
    for (line, rtl) in r.municipality.address.iter().flat_map(|l| wrap_lines(address, l, text_w)) {
        y += address.line();
        layout.text_in(address, x, y, &line, Some(rtl));
    }
    layout.y = y.max(14.0 + 22.0) + 5.0;
}

fn body(layout: &mut Layout<'_>) {
    let r = layout.receipt;
    let second = r.second_words();
    let de = &texts::DE;

    let title = both(de, second, |w| w.title);
    // The title stands left of the QR code's lower part; everything below it has the full width.
    let beside_qr = RIGHT - QR_SIZE - 4.0 - LEFT;
    let title_block = Block::new(
        &title,
        Style { face: Face::Bold, size: 18.0, color: INK },
        Style { face: Face::Regular, size: 11.0, color: GREY },
        beside_qr,
    );
    let top = layout.y;
    layout.block(&title_block, LEFT, top);
    layout.y = top + title_block.height() + 2.0;
    let service = Block::new(
        &r.title,
        Style { face: Face::Bold, size: 12.5, color: ACCENT },
        Style { face: Face::Regular, size: 10.0, color: GREY },
        beside_qr,
    );
    let top = layout.y;
    layout.block(&service, LEFT, top);
    layout.y = (top + service.height()).max(12.0 + QR_SIZE - 2.0) + 3.5;
    if r.preview {
        let style = Style { face: Face::Bold, size: 12.0, color: WARN };
        layout.text(style, LEFT, layout.y + 4.0, "MUSTER – Vorschau für die Verwaltung, keine Eingangsbestätigung");
        layout.y += 7.0;
    }

    // The key facts in a shaded box.
    let mut facts: Vec<(Bilingual, Bilingual, Style)> = vec![
        (
            both(de, second, |w| w.reference),
            Bilingual::plain(r.reference.to_string()),
            Style { face: Face::Bold, size: 15.0, color: INK },
        ),
        (both(de, second, |w| w.received), Bilingual::plain(date_time(&r.issued_at)), VALUE),
        (both(de, second, |w| w.clerk), Bilingual::plain(r.clerk.clone()), VALUE),
        (
            both(de, second, |w| w.delivery),
            Bilingual {
                de: delivery(de, r.delivery),
                other: second.map(|w| delivery(w, r.delivery)).filter(|o| *o != delivery(de, r.delivery)),
            },
            VALUE,
        ),
    ];
    // Which text of the form was filled in, for the office (German only: the citizen need not read it).
    if let Some(sha) = &r.form_sha256 {
        let value = format!("Fassung {} · Prüfsumme {}", r.form_version, sha.get(..16).unwrap_or(sha));
        facts.push((Bilingual::plain("Formular".to_owned()), Bilingual::plain(value), VALUE));
    }
    let height: f32 = facts
        .iter()
        .map(|(l, v, s)| {
            let lowered = (s.line() - LABEL.line()).max(0.0);
            (Block::new(l, LABEL, LABEL_2, LABEL_W).height() + lowered)
                .max(Block::new(v, *s, VALUE_2, RIGHT - VALUE_X).height())
                + ROW_GAP
        })
        .sum::<f32>()
        + 4.0;
    layout.rect(LEFT - 3.0, layout.y, RIGHT - LEFT + 6.0, height, BOX);
    layout.y += 2.5;
    for (label, value, style) in &facts {
        layout.row(label, value, *style);
    }
    layout.y += 1.5;

    layout.heading(&both(de, second, |w| w.answers), 11.5, INK, 3.0, true);
    for section in &r.sections {
        layout.heading(&section.title, 10.0, ACCENT, 1.2, false);
        for entry in &section.entries {
            match entry {
                Entry::Heading(text) => layout.heading(text, 9.5, INK, 0.8, false),
                Entry::Field { label, value } => layout.row(label, value, VALUE),
            }
        }
    }

    layout.heading(&both(de, second, |w| w.fees), 11.5, INK, 3.0, true);
    if r.fees.is_empty() {
        layout.paragraph(&both(de, second, |w| w.no_fees), VALUE, VALUE_2, LEFT);
    }
    for fee in &r.fees {
        layout.row(&fee.label, &Bilingual::plain(fee.amount.clone()), STRONG);
        if let Some(note) = &fee.note {
            layout.paragraph(note, LABEL_2, Style { size: 7.5, ..LABEL_2 }, VALUE_X);
        }
    }
    if let Some(total) = &r.fee_total {
        layout.row(&both(de, second, |w| w.total), &Bilingual::plain(total.clone()), STRONG);
    }

    layout.heading(&both(de, second, |w| w.next), 11.5, INK, 3.0, true);
    layout.paragraph(&r.next_steps, VALUE, VALUE_2, LEFT);
}

const FOOTER: Style = Style { face: Face::Regular, size: 7.0, color: GREY };

/// The footer's explanation, wrapped beside a page counter `counter_w` mm wide.
fn footer_block(second: Option<&'static Words>, counter_w: f32) -> Block {
    let text = both(&texts::DE, second, |w| w.footer);
    Block::new(&text, FOOTER, FOOTER, RIGHT - LEFT - counter_w.max(30.0) - 6.0)
}

fn footer(layout: &mut Layout<'_>, page: usize, pages: usize, second: Option<&'static Words>) {
    let de = &texts::DE;
    let top = layout.bottom + 4.0;
    layout.rule(top);
    let small = FOOTER;
    let counter = |w: &Words| w.page.replace("{0}", &page.to_string()).replace("{1}", &pages.to_string());
    let mut right = counter(de);
    if let Some(w) = second.filter(|w| counter(w) != counter(de)) {
        right = format!("{right} · {}", counter(w));
    }
    let right_w = measure(small, &right, None);
    let block = footer_block(second, right_w);
    layout.block(&block, LEFT, top + 1.5);
    layout.text(small, RIGHT - right_w, top + 1.5 + small.line() * 0.76, &right);
    let reference = layout.receipt.reference.to_string();
    let ref_w = font::width(small.face, &reference, small.size) * PT_TO_MM;
    layout.text(small, RIGHT - ref_w, top + 1.5 + small.line() * 1.76, &reference);
}
