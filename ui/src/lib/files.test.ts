import { describe, expect, it } from 'vitest';
import {
  PART_SIZE,
  dataUrl,
  filesAnswer,
  filesOf,
  forget,
  forgetAll,
  isPicture,
  keepPicture,
  photoName,
  picture,
  sendInParts,
  signatureRef,
} from './files';

describe('files', () => {
  it('sends a file in parts of PART_SIZE, in order, and reports the progress', async () => {
    const bytes = new Uint8Array(2 * PART_SIZE + 5).map((_, i) => (i * 7) % 251);
    const parts: Uint8Array[] = [];
    const progress: number[] = [];
    await sendInParts(
      new Blob([bytes]),
      async (part) => {
        parts.push(part);
      },
      (sent, total) => {
        expect(total).toBe(bytes.length);
        progress.push(sent);
      },
    );
    expect(parts.map((p) => p.length)).toEqual([PART_SIZE, PART_SIZE, 5]);
    expect(progress).toEqual([PART_SIZE, 2 * PART_SIZE, 2 * PART_SIZE + 5]);
    const joined = new Uint8Array(bytes.length);
    let at = 0;
    for (const p of parts) {
      joined.set(p, at);
      at += p.length;
    }
    expect(joined.every((b, i) => b === bytes[i])).toBe(true);
  });

  it('sends nothing for an empty file and stops at the first refused part', async () => {
    let calls = 0;
    await sendInParts(new Blob([]), async () => {
      calls++;
    });
    expect(calls).toBe(0);
    const refused = sendInParts(new Blob([new Uint8Array(3 * PART_SIZE)]), async () => {
      calls++;
      throw new Error('Formdesk ist gesperrt.');
    });
    await expect(refused).rejects.toThrow('gesperrt');
    expect(calls).toBe(1);
  });

  it('keeps pictures until they are forgotten, one or all', async () => {
    const url = await dataUrl(new Blob([new Uint8Array([137, 80, 78, 71])], { type: 'image/png' }));
    expect(url).toBe('data:image/png;base64,iVBORw==');
    keepPicture('7', url);
    keepPicture('8', url);
    expect(picture('7')).toBe(url);
    forget('7');
    expect(picture('7')).toBeUndefined();
    expect(picture('8')).toBe(url);
    forgetAll();
    expect(picture('8')).toBeUndefined();
  });

  it('shows JPEG and PNG files as pictures and nothing else', () => {
    expect(isPicture('image/jpeg')).toBe(true);
    expect(isPicture('image/png')).toBe(true);
    expect(isPicture('image/svg+xml')).toBe(false);
    expect(isPicture('application/pdf')).toBe(false);
  });

  it('reads file records from an answer and leaves out anything else', () => {
    const ok = { name: 'a.jpg', mediaType: 'image/jpeg', size: 10, ref: 'r1' };
    expect(filesOf([ok, { name: 'kaputt' }, 'text'])).toEqual([ok]);
    expect(filesOf(null)).toEqual([]);
  });

  it('answers no files as unanswered', () => {
    expect(filesAnswer([])).toBeNull();
    expect(filesAnswer([{ name: 'a', mediaType: 'b', size: 1, ref: 'r' }])).toEqual([
      { name: 'a', mediaType: 'b', size: 1, ref: 'r' },
    ]);
  });

  it('reads a signature’s ref', () => {
    expect(signatureRef({ ref: 'abc' })).toBe('abc');
    expect(signatureRef({ ref: '' })).toBeNull();
    expect(signatureRef(null)).toBeNull();
  });

  it('names a photo by when it was taken', () => {
    expect(photoName(new Date(2026, 10, 24, 14, 5, 9))).toBe('foto-2026-11-24-140509.jpg');
  });
});
