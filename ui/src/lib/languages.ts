// The citizen's languages: how each is named (in itself, so that the citizen recognizes it) and which way
// it is written. The codes are those of the form definitions; `de-x-ls` is Leichte Sprache.

const NAMES: Readonly<Record<string, string>> = {
  de: 'Deutsch',
  en: 'English',
  tr: 'Türkçe',
  uk: 'Українська',
  ar: 'العربية',
  ru: 'Русский',
  pl: 'Polski',
  fa: 'فارسی',
  'de-x-ls': 'Leichte Sprache',
};

const RIGHT_TO_LEFT = new Set(['ar', 'fa', 'he', 'ur', 'ps']);

/** The name of the language `code` in that language; the code itself for one not known here. */
export function languageName(code: string): string {
  return NAMES[code] ?? code;
}

/** The writing direction of `code`: `rtl` for Arabic and its neighbours, else `ltr`. */
export function textDirection(code: string): 'ltr' | 'rtl' {
  return RIGHT_TO_LEFT.has(code.split('-')[0] ?? code) ? 'rtl' : 'ltr';
}

