// Converting between what an input shows and the answer sent to the engine. These are notations only
// (an empty field meaning "unanswered", a German decimal comma on display); whether a value is valid is the
// engine's call, so text that is no number goes to the engine as it is and comes back with the engine's error.
import { formatEuro, formatIsoDate, formatNumber } from './format';
import type { ItemKind, JsonValue, ValueType } from './types';

/**
 * The answer for the text in an input of an item of `kind`. The engine reads numbers given as strings, with
 * `.` or `,` as the decimal separator, so a decimal goes as typed; an integer goes as a number when it is one.
 */
export function answerFromText(kind: ItemKind, text: string): JsonValue {
  if (text.trim() === '') return null;
  if (kind === 'integer' && /^\s*-?\d+\s*$/.test(text)) return Number(text);
  if (kind === 'date') return isoFromGermanDate(text) ?? text;
  return text;
}

/**
 * A date typed the German way as the engine's ISO date: `15.03.1985`, `5.3.1985` and `15031985` become
 * `1985-03-15`. Only the notation is converted: whether the day exists is the engine's call (`31.02.2026`
 * becomes `2026-02-31`, which the engine rejects). `null` for text that is no such notation.
 */
export function isoFromGermanDate(text: string): string | null {
  const t = text.trim();
  const dotted = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(t);
  const packed = /^(\d{2})(\d{2})(\d{4})$/.exec(t);
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t);
  if (iso) return t;
  const m = dotted ?? packed;
  if (!m) return null;
  return `${m[3]}-${m[2]!.padStart(2, '0')}-${m[1]!.padStart(2, '0')}`;
}

/** The text an input shows for an answer of an item of `kind`. */
export function textFromAnswer(kind: ItemKind, value: JsonValue): string {
  if (value === null || value === undefined) return '';
  if (kind === 'date' && typeof value === 'string') {
    const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    if (iso) return `${iso[3]}.${iso[2]}.${iso[1]}`;
  }
  if ((kind === 'decimal' || kind === 'currency') && (typeof value === 'number' || typeof value === 'string')) {
    return String(value).replace(/^(-?\d+)\.(\d+)$/, '$1,$2');
  }
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  return '';
}

/** A time of day as the engine sends it (`14:30`) as the clerk reads it: `14:30 Uhr` in German. */
export function formatClock(hhmm: string, lang: string): string {
  if (!/^\d{2}:\d{2}(:\d{2})?$/.test(hhmm)) return hhmm;
  return lang === 'de' ? `${hhmm} Uhr` : hhmm;
}

/** A date and time as the engine sends it (`2026-12-06T14:30`): `06.12.2026, 14:30 Uhr` in German. */
export function formatIsoDateTime(iso: string, lang: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}(?::\d{2})?)$/.exec(iso);
  if (!m) return iso;
  return `${formatIsoDate(m[1]!, lang)}, ${formatClock(m[2]!, lang)}`;
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

/**
 * A computed value by its type, as the clerk reads it in the interface's language `lang`: amounts in euros
 * (`1.234,50 €`), numbers with a decimal comma, dates as `24.11.2026`, yes/no with the given words.
 */
export function formatComputed(
  value: JsonValue,
  valueType: ValueType | undefined,
  lang: string,
  words: { yes: string; no: string; none: string },
): string {
  if (value === null || value === undefined) return words.none;
  if (typeof value === 'boolean') return value ? words.yes : words.no;
  if (typeof value !== 'string' && typeof value !== 'number') return JSON.stringify(value);
  switch (valueType) {
    case 'currency':
      return formatEuro(value, lang);
    case 'decimal':
    case 'integer':
      return formatNumber(value, lang);
    case 'date':
      return typeof value === 'string' ? formatIsoDate(value, lang) : String(value);
    case 'time':
      return typeof value === 'string' ? formatClock(value, lang) : String(value);
    case 'dateTime':
      return typeof value === 'string' ? formatIsoDateTime(value, lang) : String(value);
    case 'text':
      return String(value);
    default:
      return formatValue(value);
  }
}
