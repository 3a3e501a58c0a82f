// When the engine's errors are shown: at fields the clerk has touched (left after typing, or answered by a
// click), and at every field of a step the desk has marked as checked ("Weiter" was tried there, or the
// review sent the clerk back). The engine reports every error all the time; hiding them until then keeps an
// empty form from opening in red.
import type { ItemError, ItemState } from './types';

/** Whether the field at `path`, or anything inside it (an instance of a repeat group), was touched. */
export function isTouched(touched: ReadonlySet<string>, path: string): boolean {
  if (touched.has(path)) return true;
  for (const t of touched) {
    if (t.startsWith(`${path}[`) || t.startsWith(`${path}.`)) return true;
  }
  return false;
}

/** The errors to show at `item`: its errors once touched or once its step was checked, none before. */
export function shownErrors(item: ItemState, touched: ReadonlySet<string>, checked = false): ItemError[] {
  if (!item.visible || !item.errors || item.errors.length === 0) return [];
  return checked || isTouched(touched, item.path) ? item.errors : [];
}

/** `touched` with `path` added; the same set when it is already there. */
export function touch(touched: ReadonlySet<string>, path: string): ReadonlySet<string> {
  if (touched.has(path)) return touched;
  return new Set([...touched, path]);
}
