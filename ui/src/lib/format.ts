// Dates, times, amounts and sizes as the clerk reads them, through Intl in the interface's language:
// 24.11.2026, 14:05, 1.234,50 €, 1,2 MB. Spaces Intl puts between a number and its unit are ordinary spaces,
// as in the texts the desk formats in Rust; the stylesheet keeps amounts on one line.

/** The Intl locale of a language of the texts: German as in Germany, English as in Europe, Turkish. */
export function locale(lang: string): string {
  if (lang === 'en') return 'en-GB';
  if (lang === 'tr') return 'tr-TR';
  return 'de-DE';
}

/** Intl's narrow and non-breaking spaces as ordinary ones. */
function plainSpaces(text: string): string {
  return text.replace(/[\u00a0\u202f]/g, ' ');
}

/**
 * A local date and time as the desk sends them (`2026-11-24T14:05:09.123456`, no zone) as a `Date` in local
 * time; `null` when it is no such text.
 */
export function parseLocalDateTime(text: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?/.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1).map((p) => Number(p ?? 0)) as number[];
  const date = new Date(year!, month! - 1, day!, hour!, minute!, second!);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** The time of day, `14:05`. */
export function formatTime(date: Date, lang: string): string {
  return new Intl.DateTimeFormat(locale(lang), { hour: '2-digit', minute: '2-digit', hour12: false }).format(date);
}

/** The date, `24.11.2026`. */
export function formatDate(date: Date, lang: string): string {
  return new Intl.DateTimeFormat(locale(lang), { day: '2-digit', month: '2-digit', year: 'numeric' }).format(date);
}

/** An ISO date (`2026-11-24`) as the clerk reads it; other text as it is. */
export function formatIsoDate(iso: string, lang: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return iso;
  return formatDate(new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])), lang);
}

/**
 * When a draft last changed, as short as is unambiguous at the desk: the time for today (`14:05`), the date
 * for any other day (`23.11.2026`).
 */
export function formatChanged(updated: string, now: Date, lang: string): string {
  const date = parseLocalDateTime(updated);
  if (!date) return updated;
  const sameDay =
    date.getFullYear() === now.getFullYear() && date.getMonth() === now.getMonth() && date.getDate() === now.getDate();
  return sameDay ? formatTime(date, lang) : formatDate(date, lang);
}

/** The full date and time, `24.11.2026, 14:05`, for a `<time>` element's text or a screen reader. */
export function formatDateTime(updated: string, lang: string): string {
  const date = parseLocalDateTime(updated);
  if (!date) return updated;
  return `${formatDate(date, lang)}, ${formatTime(date, lang)}`;
}

/** A decimal as the engine writes it (`"1234.5"`, a number, or with a comma) as a number; `null` if none. */
function toNumber(value: string | number): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  const text = value.trim().replace(',', '.');
  if (!/^-?\d+(\.\d+)?$/.test(text)) return null;
  return Number(text);
}

/** An amount in euros with two decimals, `1.234,50 €`; other text as it is. */
export function formatEuro(amount: string | number, lang: string): string {
  const n = toNumber(amount);
  if (n === null) return String(amount);
  return plainSpaces(new Intl.NumberFormat(locale(lang), { style: 'currency', currency: 'EUR' }).format(n));
}

/** A number with the places it has, `1.234,5`; other text as it is. */
export function formatNumber(value: string | number, lang: string): string {
  const n = toNumber(value);
  if (n === null) return String(value);
  const places = typeof value === 'string' ? (value.split(/[.,]/)[1]?.length ?? 0) : undefined;
  return new Intl.NumberFormat(locale(lang), {
    minimumFractionDigits: places,
    maximumFractionDigits: places ?? 20,
  }).format(n);
}

/** A file size, `830 KB`, `1,2 MB`, `512 Bytes`. */
export function formatSize(bytes: number, lang: string): string {
  const format = (n: number, digits: number) =>
    new Intl.NumberFormat(locale(lang), { maximumFractionDigits: digits }).format(n);
  if (bytes < 1024) return `${format(bytes, 0)} ${lang === 'en' ? 'bytes' : 'Bytes'}`;
  if (bytes < 1024 * 1024) return `${format(bytes / 1024, 0)} KB`;
  return `${format(bytes / (1024 * 1024), 1)} MB`;
}
