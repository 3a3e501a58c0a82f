// Which way text runs. The citizen's window takes the citizen's language and its direction as a whole, on
// its document element, so that Arabic mirrors the whole layout (the stylesheet uses logical properties:
// start and end, never left and right). Inside right-to-left text, some values keep running left to right:
// IBANs, numbers, amounts, dates, times, postcodes, phone numbers, e-mail addresses and codes such as the
// Steuer-ID or a number plate. Their inputs and outputs carry `dir="ltr"`, which also isolates them from the
// text around them. The clerk's window stays German (or English) and left to right whatever the citizen reads.

import { textDirection } from './languages';
import type { InputHints, ItemKind, ValueType } from './types';

/** A writing direction, as the `dir` attribute takes it. */
export type Direction = 'ltr' | 'rtl';

/** The language and direction of a whole window: what its document element carries. */
export interface DocumentLanguage {
  readonly lang: string;
  readonly dir: Direction;
}

/**
 * The language and direction of the citizen's window: the citizen's language once a draft is shown (the
 * form's texts are in it), before that the language of the texts around a form (`frameLang`).
 */
export function citizenDocument(citizenLang: string | null | undefined, frameLang: string): DocumentLanguage {
  const lang = citizenLang || frameLang;
  return { lang, dir: textDirection(lang) };
}

/** The clerk's window: the interface's language, always left to right. */
export function clerkDocument(uiLang: string): DocumentLanguage {
  return { lang: uiLang, dir: 'ltr' };
}

/** The part of a document element this module writes. */
export interface DocumentRoot {
  lang: string;
  dir: string;
}

/** Gives the document element `root` the language and direction `doc`. */
export function applyDocument(root: DocumentRoot, doc: DocumentLanguage): void {
  root.lang = doc.lang;
  root.dir = doc.dir;
}

/** The kinds of field whose value runs left to right in any language. */
const LTR_KINDS: ReadonlySet<ItemKind> = new Set<ItemKind>([
  'integer',
  'decimal',
  'currency',
  'date',
  'time',
  'dateTime',
  'email',
  'phone',
  'iban',
  'postcode',
]);

/** The types of computed value that run left to right: numbers, amounts, dates and times. */
const LTR_VALUES: ReadonlySet<ValueType> = new Set<ValueType>([
  'integer',
  'decimal',
  'currency',
  'date',
  'time',
  'dateTime',
]);

/**
 * `ltr` for a field whose value runs left to right in any language (an IBAN, a date, a text field with a
 * special format such as the Steuer-ID), else `undefined`: the field takes the direction around it.
 */
export function fieldDirection(kind: ItemKind, input?: Pick<InputHints, 'format'> | null): 'ltr' | undefined {
  return LTR_KINDS.has(kind) || input?.format != null ? 'ltr' : undefined;
}

/**
 * `ltr` for a computed value that is a number, an amount, a date or a time, else `undefined` (a text or a
 * yes or no in the citizen's language).
 */
export function valueDirection(valueType: ValueType | null | undefined): 'ltr' | undefined {
  return valueType != null && LTR_VALUES.has(valueType) ? 'ltr' : undefined;
}

/**
 * A format hint for a left-to-right value (a date's placeholder, `يوم.شهر.سنة`) in the order of that value:
 * right-to-left words joined by dots would otherwise run right to left and show the year where the day is
 * typed. A left-to-right mark on each side of every separator keeps the words in the value's order; hints in
 * left-to-right languages stay as they are.
 */
export function inValueOrder(hint: string, lang: string): string {
  return textDirection(lang) === 'rtl' ? hint.replace(/[./:-]/g, (separator) => `\u200e${separator}\u200e`) : hint;
}
