//! Lays a [`Receipt`] out on A4 pages and writes the PDF with printpdf.
//!
//! One column of label/value rows under a letterhead with the QR code; a row never splits across pages and a
//! heading never ends a page, so a household of eight breaks cleanly. Every page carries the reference and
//! "Seite n von m". Non-goals: general text layout (no hyphenation, no shaping, no right-to-left text);
//! characters the font lacks are printed as `?`.

use crate::font::{self, Face};
use crate::receipt::{Bilingual, Delivery, Entry, Receipt, date_time};
use crate::texts::{self, Words};
use crate::{ReceiptError, pdfa, qr};
use printpdf::{
    Color, FontId, LinePoint, Mm, Op, PaintMode, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Polygon,
    PolygonRing, Pt, RawImage, RawImageData, RawImageFormat, Rect, Rgb, TextItem, WindingOrder, XObjectId,
    XObjectTransform,
};
use std::collections::BTreeSet;

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

/// A block of wrapped lines in up to two styles (German, then the second language). Each line is one or more
/// runs; a short second-language text shares the German line ("Rasse / Irk").
#[derive(Debug)]
struct Block {
    lines: Vec<Vec<(Style, String)>>,
}

/// What stands between the German text and its translation on one line.
const BETWEEN: &str = " / ";

impl Block {
    fn new(text: &Bilingual, first: Style, second: Style, width: f32) -> Block {
        let measure = |style: Style, s: &str| font::width(style.face, s, style.size) * PT_TO_MM;
        if let Some(other) = &text.other {
            let together = measure(first, &text.de) + measure(second, BETWEEN) + measure(second, other);
            if !text.de.contains('\n') && !other.contains('\n') && together <= width {
                let runs = vec![(first, text.de.clone()), (second, format!("{BETWEEN}{other}"))];
                return Block { lines: vec![runs] };
            }
        }
        let mut lines: Vec<Vec<(Style, String)>> =
            wrap(first, &text.de, width).into_iter().map(|l| vec![(first, l)]).collect();
        if let Some(other) = &text.other {
            lines.extend(wrap(second, other, width).into_iter().map(|l| vec![(second, l)]));
        }
        Block { lines }
    }

    fn line_height(line: &[(Style, String)]) -> f32 {
        line.first().map_or(0.0, |(s, _)| s.line())
    }

    fn height(&self) -> f32 {
        self.lines.iter().map(|l| Block::line_height(l)).sum()
    }
}

/// The pages being laid out.
struct Layout<'a> {
    receipt: &'a Receipt,
    fonts: [FontId; 2],
    pages: Vec<Vec<Op>>,
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
        match face {
            Face::Regular => self.fonts[0].clone(),
            Face::Bold => self.fonts[1].clone(),
        }
    }

    /// Draws one line of text with its baseline `baseline` mm from the top.
    fn text(&mut self, style: Style, x: f32, baseline: f32, text: &str) {
        if text.is_empty() {
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

    /// Draws a block's lines from `top` down.
    fn block(&mut self, block: &Block, x: f32, top: f32) {
        let mut y = top;
        for line in &block.lines {
            let h = Block::line_height(line);
            y += h;
            self.runs(line, x, y - h * 0.24);
        }
    }

    /// Draws runs side by side on one baseline.
    fn runs(&mut self, line: &[(Style, String)], x: f32, baseline: f32) {
        let mut x = x;
        for (style, text) in line {
            self.text(*style, x, baseline, text);
            x += font::width(style.face, &printable(style.face, text), style.size) * PT_TO_MM;
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
            self.runs(line, x, top + h * 0.76);
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
    let matrix = receipt.qr_matrix()?;
    let mut doc = PdfDocument::new(&format!("{} {}", texts::DE.title, receipt.reference));
    let tags = pdfa::font_tags(&receipt.payload);
    let fonts = [FontId(tags[0].clone()), FontId(tags[1].clone())];
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
    let mut layout = Layout { receipt, fonts: fonts.clone(), pages: vec![Vec::new()], y: 0.0, bottom };
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
    // Only now is every character known: each face is subset to what the pages show.
    for (face, id) in [(Face::Regular, &fonts[0]), (Face::Bold, &fonts[1])] {
        let chars = used_chars(&pages, id);
        if chars.is_empty() {
            continue;
        }
        let subset = font::subset(face, &chars, &id.0).map_err(ReceiptError::Pdf)?;
        doc.resources.fonts.map.insert(id.clone(), printpdf::PdfFont::new(subset));
    }
    doc.with_pages(pages);
    let options = PdfSaveOptions { optimize: false, subset_fonts: true, secure: true, image_optimization: None };
    let mut warnings = Vec::new();
    let lopdf_doc = printpdf::to_lopdf_doc(&doc, &options, &mut warnings);
    pdfa::finish(lopdf_doc, receipt)
}

/// The characters shown in `font` on the pages.
fn used_chars(pages: &[PdfPage], font: &FontId) -> BTreeSet<char> {
    let mut chars = BTreeSet::new();
    for page in pages {
        let mut current = false;
        for op in &page.ops {
            match op {
                Op::SetFont { font: PdfFontHandle::External(id), .. } => current = id == font,
                Op::ShowText { items } if current => {
                    for item in items {
                        if let TextItem::Text(text) = item {
                            chars.extend(text.chars());
                        }
                    }
                }
                _ => {}
            }
        }
    }
    chars
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
    for line in wrap(name_style, &r.municipality.name, text_w) {
        y += name_style.line();
        layout.text(name_style, x, y, &line);
    }
    y += 1.0;
    let address = Style { face: Face::Regular, size: 9.0, color: GREY };
    for line in r.municipality.address.iter().flat_map(|l| wrap(address, l, text_w)) {
        y += address.line();
        layout.text(address, x, y, &line);
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
    let right_w = font::width(small.face, &right, small.size) * PT_TO_MM;
    let block = footer_block(second, right_w);
    layout.block(&block, LEFT, top + 1.5);
    layout.text(small, RIGHT - right_w, top + 1.5 + small.line() * 0.76, &right);
    let reference = layout.receipt.reference.to_string();
    let ref_w = font::width(small.face, &reference, small.size) * PT_TO_MM;
    layout.text(small, RIGHT - ref_w, top + 1.5 + small.line() * 1.76, &reference);
}
