// Converting between what an input shows and the answer sent to the engine. These are notations only
// (an empty field meaning "unanswered", a German decimal comma on display); whether a value is valid is the
// engine's call, so text that is no number goes to the engine as it is and comes back with the engine's error.
import type { ItemKind, JsonValue } from './types';

/**
 * The answer for the text in an input of an item of `kind`. The engine reads numbers given as strings, with
 * `.` or `,` as the decimal separator, so a decimal goes as typed; an integer goes as a number when it is one.
 */
export function answerFromText(kind: ItemKind, text: string): JsonValue {
  if (text.trim() === '') return null;
  if (kind === 'integer' && /^\s*-?\d+\s*$/.test(text)) return Number(text);
  return text;
}

/** The text an input shows for an answer of an item of `kind`. */
export function textFromAnswer(kind: ItemKind, value: JsonValue): string {
  if (value === null || value === undefined) return '';
  if ((kind === 'decimal' || kind === 'currency') && (typeof value === 'number' || typeof value === 'string')) {
    return String(value).replace(/^(-?\d+)\.(\d+)$/, '$1,$2');
  }
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  return '';
}

/** A computed value as the clerk reads it: German decimals, dates and yes/no. */
export function formatValue(value: JsonValue): string {
  if (value === null || value === undefined) return '–';
  if (typeof value === 'boolean') return value ? 'Ja' : 'Nein';
  if (typeof value === 'number') return value.toLocaleString('de-DE');
  if (typeof value === 'string') {
    const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    if (date) return `${date[3]}.${date[2]}.${date[1]}`;
    const decimal = /^(-?)(\d+)\.(\d+)$/.exec(value);
    if (decimal) {
      const whole = Number(decimal[2]).toLocaleString('de-DE');
      return `${decimal[1]}${whole},${decimal[3]}`;
    }
    return value;
  }
  return JSON.stringify(value);
}
