// Attachments, photos and signatures. The answer the engine sees is metadata only (`{name, mediaType, size,
// ref}` per file, `{ref}` for a signature); the bytes stay here, in this window's memory, under the `ref`
// the UI made up for them. Nothing is written to disk: the encrypted vault will take the bytes over.
import type { JsonValue } from './types';

/** One file as the answer records it. */
export interface FileRef {
  name: string;
  mediaType: string;
  size: number;
  ref: string;
}

const blobs = new Map<string, Blob>();
const pictures = new Map<string, string>();

/** A new id for a file or signature, unique for this desk. */
export function newRef(): string {
  return globalThis.crypto.randomUUID();
}

/** Keeps `blob` in memory and returns the answer's record of it. */
export function keepFile(blob: Blob, name: string): FileRef {
  const ref = newRef();
  blobs.set(ref, blob);
  return { name, mediaType: blob.type || 'application/octet-stream', size: blob.size, ref };
}

/** The bytes kept for `ref`, if this window still has them. */
export function fileBlob(ref: string): Blob | undefined {
  return blobs.get(ref);
}

/** Keeps a picture (a `data:` URL: a signature, a photo's preview) for `ref`. */
export function keepPicture(ref: string, dataUrl: string): void {
  pictures.set(ref, dataUrl);
}

/** The picture kept for `ref`. */
export function picture(ref: string): string | undefined {
  return pictures.get(ref);
}

/** Drops what is kept for `ref`. */
export function forget(ref: string): void {
  blobs.delete(ref);
  pictures.delete(ref);
}

function isObject(v: JsonValue | undefined): v is { [key: string]: JsonValue } {
  return v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v);
}

/** The files of an attachment's or photo's answer; anything that is no file record is left out. */
export function filesOf(value: JsonValue | undefined): FileRef[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((f) =>
    isObject(f) &&
    typeof f.name === 'string' &&
    typeof f.mediaType === 'string' &&
    typeof f.size === 'number' &&
    typeof f.ref === 'string'
      ? [{ name: f.name, mediaType: f.mediaType, size: f.size, ref: f.ref }]
      : [],
  );
}

/** The answer for a list of files: `null` (unanswered) when it is empty. */
export function filesAnswer(files: readonly FileRef[]): JsonValue {
  return files.length === 0 ? null : files.map((f) => ({ ...f }));
}

/** The `ref` of a signature's answer, if it has one. */
export function signatureRef(value: JsonValue | undefined): string | null {
  return isObject(value) && typeof value.ref === 'string' && value.ref !== '' ? value.ref : null;
}

/** The name of a photo taken with the camera: `foto-2026-11-24-140509.jpg`. */
export function photoName(date: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return (
    `foto-${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}-` +
    `${p(date.getHours())}${p(date.getMinutes())}${p(date.getSeconds())}.jpg`
  );
}
