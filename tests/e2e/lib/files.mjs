// Small files for upload fields, written to a temporary folder at test time: the app reads what the clerk
// picks through the web view's file input, so a test needs real files on disk.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A 16×16 green PNG (85 bytes; ImageMagick: `convert -size 16x16 xc:green -strip png8:tree.png`). */
const GREEN_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAMAAAAoLQ9TAAAAA1BMVEUAgACc+aWRAAAADUlEQVQY02NgGAXIAAABEAAB7JfjegAAAABJRU5ErkJggg==',
  'base64',
);

/** A one-page PDF with nothing on it, small but well formed. */
function minimalPdf() {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets = [];
  objects.forEach((o, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) body += `${String(offset).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

/**
 * A temporary folder with `baum.png` and `erlaubnis.pdf`. Returns their absolute paths and `remove()`,
 * which deletes the folder again.
 */
export function uploadFixtures() {
  const dir = mkdtempSync(join(tmpdir(), 'formdesk-e2e-'));
  const png = join(dir, 'baum.png');
  const pdf = join(dir, 'erlaubnis.pdf');
  writeFileSync(png, GREEN_PNG);
  writeFileSync(pdf, minimalPdf());
  return { dir, png, pdf, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
