//! What printpdf leaves out for PDF/A-2b, added to its document before it is written: the PDF/A output intent
//! with an sRGB profile, XMP metadata that matches the document information, a document ID, the language.
//! Everything here is derived from the receipt, so the same receipt always gives the same bytes.
//!
//! What printpdf does by itself: fonts embedded as Identity-H CID fonts with `/ToUnicode` and subset with
//! allsorts, widths from the font, images as plain Flate streams. What it does differently from PDF/A: its own
//! output intent is `GTS_PDFX` with a CMYK profile (wrong for a PDF/A file drawn in RGB), and without one it
//! writes no XMP; its document information carries PDF/X keys; its IDs are random. `docs/receipts.md` lists
//! what is and is not checked.

use crate::receipt::{Delivery, Receipt};
use crate::{ReceiptError, texts};
use chrono::{DateTime, FixedOffset};
use lopdf::{Dictionary, Object, Stream, StringFormat};

/// The sRGB profile of the output intent (zlib licence, `assets/sRGB.icc.LICENSE.txt`).
const SRGB: &[u8] = include_bytes!("../assets/sRGB.icc");

/// What the PDF's producer field says.
const PRODUCER: &str = "Formdesk receipt renderer (printpdf 0.12, lopdf 0.44)";

fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    for part in parts {
        ctx.update(part);
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(ctx.finish().as_ref());
    out
}

/// The subset tags of the four faces (six capital letters each, ISO 32000-1 9.6.4), derived from the payload
/// so that the output is reproducible and they differ: Noto Sans regular and bold, Noto Sans Arabic regular and
/// bold.
pub(crate) fn font_tags(payload: &str) -> [String; 4] {
    let hash = sha256(&[b"font tags", payload.as_bytes()]);
    let tag = |bytes: &[u8]| bytes.iter().map(|b| char::from(b'A' + b % 26)).collect::<String>();
    let mut tags = [tag(&hash[..6]), tag(&hash[6..12]), tag(&hash[18..24]), tag(&hash[24..30])];
    if tags[0] == tags[1] {
        tags[1] = tag(&hash[12..18]).chars().rev().collect();
    }
    for i in 2..4 {
        let mut salt = 0u8;
        while tags[..i].contains(&tags[i]) {
            salt = salt.wrapping_add(1);
            let more = sha256(&[b"font tags", payload.as_bytes(), &[i as u8, salt]]);
            tags[i] = tag(&more[..6]);
        }
    }
    tags
}

fn text(s: &str) -> Object {
    // PDF text strings: UTF-16BE with a byte order mark, so umlauts survive in every reader.
    let mut bytes = vec![0xFE, 0xFF];
    bytes.extend(s.encode_utf16().flat_map(u16::to_be_bytes));
    Object::String(bytes, StringFormat::Hexadecimal)
}

fn pdf_date(at: &DateTime<FixedOffset>) -> Object {
    let offset = at.offset().local_minus_utc() / 60;
    let sign = if offset < 0 { '-' } else { '+' };
    let offset = offset.abs();
    let s = format!("D:{}{sign}{:02}'{:02}'", at.format("%Y%m%d%H%M%S"), offset / 60, offset % 60);
    Object::String(s.into_bytes(), StringFormat::Literal)
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn xmp(
    title: &str,
    author: &str,
    subject: &str,
    created: &DateTime<FixedOffset>,
    modified: &DateTime<FixedOffset>,
) -> String {
    let date = |at: &DateTime<FixedOffset>| at.format("%Y-%m-%dT%H:%M:%S%:z").to_string();
    format!(
        r#"<?xpacket begin="{bom}" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
   <pdfaid:part>2</pdfaid:part>
   <pdfaid:conformance>B</pdfaid:conformance>
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>{author}</rdf:li></rdf:Seq></dc:creator>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{subject}</rdf:li></rdf:Alt></dc:description>
   <dc:language><rdf:Bag><rdf:li>de</rdf:li></rdf:Bag></dc:language>
   <xmp:CreatorTool>Formdesk</xmp:CreatorTool>
   <xmp:CreateDate>{created}</xmp:CreateDate>
   <xmp:ModifyDate>{modified}</xmp:ModifyDate>
   <xmp:MetadataDate>{modified}</xmp:MetadataDate>
   <pdf:Producer>{producer}</pdf:Producer>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"#,
        bom = '\u{feff}',
        title = xml(title),
        author = xml(author),
        subject = xml(subject),
        created = date(created),
        modified = date(modified),
        producer = xml(PRODUCER),
    )
}

/// Compresses every stream that allows it with Flate at zlib's default level: lopdf's own `compress` uses
/// the best level, which takes three times as long for about 3 % less.
fn compress(doc: &mut lopdf::Document) -> Result<(), ReceiptError> {
    use std::io::Write;
    for object in doc.objects.values_mut() {
        if let Object::Stream(stream) = object
            && stream.allows_compression
            && stream.dict.get(b"Filter").is_err()
        {
            let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
            encoder.write_all(&stream.content).map_err(|e| ReceiptError::Pdf(e.to_string()))?;
            let compressed = encoder.finish().map_err(|e| ReceiptError::Pdf(e.to_string()))?;
            if compressed.len() < stream.content.len() {
                stream.dict.set("Filter", Object::Name(b"FlateDecode".to_vec()));
                stream.set_content(compressed);
            }
        }
    }
    Ok(())
}

/// Completes printpdf's document for PDF/A-2b and writes it.
pub(crate) fn finish(mut doc: lopdf::Document, receipt: &Receipt) -> Result<Vec<u8>, ReceiptError> {
    let pdf_error = |e: lopdf::Error| ReceiptError::Pdf(e.to_string());
    // PDF/A-2 rests on ISO 32000-1, which is PDF 1.7.
    doc.version = "1.7".to_owned();

    let title = format!("{} {}", texts::DE.title, receipt.reference);
    let subject = receipt.title.de.clone();
    let author = receipt.municipality.name.clone();
    let created = receipt.issued_at;
    let modified = match receipt.delivery {
        Delivery::Delivered(at) if at > created => at,
        _ => created,
    };

    let icc = Stream::new(Dictionary::from_iter(vec![("N", Object::Integer(3))]), SRGB.to_vec());
    let icc_id = doc.add_object(icc);
    let intent = Dictionary::from_iter(vec![
        ("Type", Object::Name(b"OutputIntent".to_vec())),
        ("S", Object::Name(b"GTS_PDFA1".to_vec())),
        ("OutputConditionIdentifier", Object::string_literal("sRGB IEC61966-2.1")),
        ("Info", Object::string_literal("sRGB IEC61966-2.1")),
        ("RegistryName", Object::string_literal("http://www.color.org")),
        ("DestOutputProfile", Object::Reference(icc_id)),
    ]);
    // The XMP packet stays uncompressed so that archive tools can read it without a PDF parser.
    let metadata = Stream::new(
        Dictionary::from_iter(vec![
            ("Type", Object::Name(b"Metadata".to_vec())),
            ("Subtype", Object::Name(b"XML".to_vec())),
        ]),
        xmp(&title, &author, &subject, &created, &modified).into_bytes(),
    )
    .with_compression(false);
    let metadata_id = doc.add_object(metadata);

    let catalog = doc.catalog_mut().map_err(pdf_error)?;
    catalog.set("OutputIntents", Object::Array(vec![Object::Dictionary(intent)]));
    catalog.set("Metadata", Object::Reference(metadata_id));
    catalog.set("Lang", Object::string_literal("de-DE"));

    // The document information, replaced whole: printpdf's carries PDF/X and empty keys; every key here has
    // its counterpart in the XMP packet.
    let info = Dictionary::from_iter(vec![
        ("Title", text(&title)),
        ("Author", text(&author)),
        ("Subject", text(&subject)),
        ("Creator", text("Formdesk")),
        ("Producer", text(PRODUCER)),
        ("CreationDate", pdf_date(&created)),
        ("ModDate", pdf_date(&modified)),
    ]);
    let info_id = doc.add_object(info);
    doc.trailer.set("Info", Object::Reference(info_id));

    // The ID's first half names the receipt, the second this rendering of it (the delivery state changes).
    let permanent = sha256(&[receipt.payload.as_bytes()]);
    let delivery = format!("{:?}", receipt.delivery);
    let changing = sha256(&[receipt.payload.as_bytes(), delivery.as_bytes()]);
    doc.trailer.set(
        "ID",
        Object::Array(vec![
            Object::String(permanent[..16].to_vec(), StringFormat::Hexadecimal),
            Object::String(changing[..16].to_vec(), StringFormat::Hexadecimal),
        ]),
    );

    doc.prune_objects();
    compress(&mut doc)?;
    let mut out = Vec::new();
    doc.save_to(&mut out).map_err(|e| ReceiptError::Pdf(e.to_string()))?;
    Ok(out)
}
