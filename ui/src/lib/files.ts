// Attachments, photos and signatures. The bytes go to the desk at once, in parts, and the desk stores them
// encrypted in its vault; the answer the engine sees is metadata only (`{name, mediaType, size, ref}` per
// file, `{ref}` for a signature), with the `ref` the desk gave the file. Pictures (a photo's thumbnail, a
// signature) are cached here as `data:` URLs while the desk is unlocked and forgotten when it locks.
import type { FileRef, JsonValue } from './types';

export type { FileRef };

/** The size of the parts a file is sent in. */
export const PART_SIZE = 1024 * 1024;

/**
 * Sends `blob` part by part through `sendPart`, one part at a time (a large file is never read whole), and
 * reports the bytes sent after each part.
 */
export async function sendInParts(
  blob: Blob,
  sendPart: (bytes: Uint8Array) => Promise<void>,
  progress?: (sent: number, total: number) => void,
): Promise<void> {
  for (let offset = 0; offset < blob.size; offset += PART_SIZE) {
    const end = Math.min(offset + PART_SIZE, blob.size);
    await sendPart(new Uint8Array(await blob.slice(offset, end).arrayBuffer()));
    progress?.(end, blob.size);
  }
}

const pictures = new Map<string, string>();

/** Keeps a picture (a `data:` URL: a signature, a photo's preview) for `ref`. */
export function keepPicture(ref: string, dataUrl: string): void {
  pictures.set(ref, dataUrl);
}

/** The picture kept for `ref`. */
export function picture(ref: string): string | undefined {
  return pictures.get(ref);
}

/** Drops the picture kept for `ref`. */
export function forget(ref: string): void {
  pictures.delete(ref);
}

/** Drops every picture: the desk locks. */
export function forgetAll(): void {
  pictures.clear();
}

/** Whether a file of this media type can be shown as a picture. */
export function isPicture(mediaType: string): boolean {
  return mediaType === 'image/jpeg' || mediaType === 'image/png';
}

/** The bytes of `blob` as a `data:` URL (the page's CSP allows pictures from `data:` only). */
export async function dataUrl(blob: Blob): Promise<string> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let binary = '';
  // In slices: a whole photo's bytes would overflow the arguments of one call.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return `data:${blob.type || 'application/octet-stream'};base64,${btoa(binary)}`;
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
