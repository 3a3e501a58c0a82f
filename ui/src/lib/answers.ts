// Reading and writing answers by the engine's item paths (`halter_vorname`, `hunde[1].rasse`,
// `halter_adresse.postcode`). Every write returns new objects along the path and shares the rest, so that
// Svelte sees the change and an answers object already sent to the engine is never mutated.
import type { Answers, JsonValue } from './types';

/** One step of a path: a key of an object or an index into an array. */
export type PathSegment = string | number;

/** Splits `hunde[1].rasse` into `['hunde', 1, 'rasse']`. */
export function parsePath(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  const pattern = /([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]/g;
  let consumed = 0;
  for (const match of path.matchAll(pattern)) {
    const isIndex = match[2] !== undefined;
    // A name follows a dot (except the first); an index follows directly.
    const separator = isIndex || segments.length === 0 ? '' : '.';
    if (path.slice(consumed, match.index) !== separator) throw new Error(`Ungültiger Pfad „${path}“`);
    segments.push(isIndex ? Number(match[2]) : (match[1] as string));
    consumed = match.index + match[0].length;
  }
  if (segments.length === 0 || consumed !== path.length) throw new Error(`Ungültiger Pfad „${path}“`);
  return segments;
}

/** The value at `path`, or `null` when any part of it is missing. */
export function getAt(answers: Answers, path: string): JsonValue {
  let node: JsonValue = answers;
  for (const segment of parsePath(path)) {
    if (typeof segment === 'number') {
      if (!Array.isArray(node)) return null;
      node = node[segment] ?? null;
    } else {
      if (node === null || typeof node !== 'object' || Array.isArray(node)) return null;
      node = node[segment] ?? null;
    }
  }
  return node;
}

function setIn(node: JsonValue | undefined, segments: PathSegment[], value: JsonValue): JsonValue {
  const [head, ...rest] = segments;
  if (head === undefined) return value;
  if (typeof head === 'number') {
    const list: JsonValue[] = Array.isArray(node) ? [...node] : [];
    // Instances before the one written stay unanswered rather than holes, which JSON cannot carry.
    while (list.length < head) list.push({});
    list[head] = setIn(list[head], rest, value);
    return list;
  }
  const object: { [key: string]: JsonValue } =
    node !== null && node !== undefined && typeof node === 'object' && !Array.isArray(node) ? { ...node } : {};
  object[head] = setIn(object[head], rest, value);
  return object;
}

/** A copy of `answers` with `value` at `path`; the objects and arrays on the way are created as needed. */
export function setAt(answers: Answers, path: string, value: JsonValue): Answers {
  const segments = parsePath(path);
  if (typeof segments[0] !== 'string') throw new Error(`Ungültiger Pfad „${path}“`);
  return setIn(answers, segments, value) as Answers;
}
