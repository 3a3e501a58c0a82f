// The desk's keyboard shortcuts: which key does what, on which screen. Kept apart from the DOM so that the
// mapping can be tested; App.svelte listens for keys and carries out the actions.
//
// The keys avoid what WebKitGTK or text editing already uses: no Ctrl+R (reload), no Ctrl+Backspace or
// Ctrl+Arrow (word-wise editing), no plain letters inside text fields. Alt+Arrow moves between steps, as
// "back" and "forward" do elsewhere; a web view without history has no use for them. Ctrl+L locks the desk
// (a web view has no address bar to focus).

/** What a shortcut does. */
export type Action = 'search' | 'next' | 'back' | 'review' | 'help' | 'lock';

/** Where the clerk is. */
export type Screen = 'start' | 'wizard' | 'review' | 'dialog';

/** The parts of a `KeyboardEvent` the mapping reads. */
export interface KeyPress {
  key: string;
  code?: string;
  altKey?: boolean;
  ctrlKey?: boolean;
  metaKey?: boolean;
  shiftKey?: boolean;
}

/**
 * One line of the help overlay: the key combinations that do it (each a list of keys pressed together;
 * `Ctrl` is shown as the keyboard labels it, "Strg" on a German one) and what they do.
 */
export interface ShortcutHelp {
  keys: string[][];
  action: Action | 'close' | 'results';
}

/** The shortcuts as the help overlay lists them, in this order. */
export const SHORTCUTS: readonly ShortcutHelp[] = [
  { keys: [['Ctrl', 'K'], ['/']], action: 'search' },
  { keys: [['↑'], ['↓'], ['Enter']], action: 'results' },
  { keys: [['Alt', '→']], action: 'next' },
  { keys: [['Alt', '←']], action: 'back' },
  { keys: [['Alt', 'P']], action: 'review' },
  { keys: [['Ctrl', 'L']], action: 'lock' },
  { keys: [['F1'], ['?']], action: 'help' },
  { keys: [['Esc']], action: 'close' },
];

/** Whether typing into `element` produces text, so that plain keys ("/", "?") belong to it. */
export function isTextEntry(element: Element | null): boolean {
  if (!element) return false;
  const tag = element.tagName.toLowerCase();
  if (tag === 'textarea' || tag === 'select') return true;
  if ((element as HTMLElement).isContentEditable) return true;
  if (tag !== 'input') return false;
  const type = ((element as HTMLInputElement).type || 'text').toLowerCase();
  return !['button', 'checkbox', 'radio', 'submit', 'reset', 'file', 'image', 'range', 'color'].includes(type);
}

/** The letter of a key, from the physical key when a layout or Alt changes the character. */
function letter(press: KeyPress): string {
  if (press.code?.startsWith('Key')) return press.code.slice(3).toLowerCase();
  return press.key.length === 1 ? press.key.toLowerCase() : '';
}

/**
 * The action of a key press on `screen`, or `null` when the key is not a shortcut there and must keep its
 * ordinary meaning. `inText`: the focus is in a field that takes text.
 */
export function actionFor(press: KeyPress, screen: Screen, inText: boolean): Action | null {
  const ctrl = press.ctrlKey === true || press.metaKey === true;
  const alt = press.altKey === true;

  // Inside the help overlay only the overlay's own keys count.
  if (screen === 'dialog') return null;

  if (press.key === 'F1' && !ctrl && !alt) return 'help';
  if (press.key === '?' && !ctrl && !alt && !inText) return 'help';

  if (ctrl && !alt && !press.shiftKey && letter(press) === 'k') return 'search';
  if (ctrl && !alt && !press.shiftKey && letter(press) === 'l') return 'lock';
  if (press.key === '/' && !ctrl && !alt && !inText && screen === 'start') return 'search';

  if (screen === 'start') return null;
  if (alt && !ctrl && !press.shiftKey) {
    if (press.key === 'ArrowRight') return screen === 'wizard' ? 'next' : null;
    if (press.key === 'ArrowLeft') return 'back';
    if (letter(press) === 'p') return screen === 'wizard' ? 'review' : null;
  }
  return null;
}
