import { describe, expect, it } from 'vitest';
import { fileBlob, filesAnswer, filesOf, forget, keepFile, keepPicture, photoName, picture, signatureRef } from './files';

describe('files', () => {
  it('keeps the bytes in memory and records name, type, size and ref', () => {
    const file = keepFile(new Blob(['%PDF-1.4'], { type: 'application/pdf' }), 'nachweis.pdf');
    expect(file).toMatchObject({ name: 'nachweis.pdf', mediaType: 'application/pdf', size: 8 });
    expect(file.ref).toMatch(/^[0-9a-f-]{36}$/);
    expect(fileBlob(file.ref)?.size).toBe(8);
    keepPicture(file.ref, 'data:image/png;base64,AAAA');
    expect(picture(file.ref)).toBe('data:image/png;base64,AAAA');
    forget(file.ref);
    expect(fileBlob(file.ref)).toBeUndefined();
    expect(picture(file.ref)).toBeUndefined();
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
