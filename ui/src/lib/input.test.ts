import { describe, expect, it } from 'vitest';
import {
  answerFromText,
  formatClock,
  formatComputed,
  formatIsoDateTime,
  formatValue,
  isoFromGermanDate,
  textFromAnswer,
} from './input';

describe('answerFromText', () => {
  it('treats an empty input as unanswered', () => {
    expect(answerFromText('text', '')).toBeNull();
    expect(answerFromText('integer', '  ')).toBeNull();
  });

  it('reads integers and leaves anything else for the engine to reject', () => {
    expect(answerFromText('integer', '12')).toBe(12);
    expect(answerFromText('integer', '12a')).toBe('12a');
  });

  it('sends decimals as typed, for the engine to read or reject', () => {
    expect(answerFromText('currency', '12,50')).toBe('12,50');
    expect(answerFromText('decimal', '1.234,5')).toBe('1.234,5');
    expect(answerFromText('currency', 'zwölf')).toBe('zwölf');
  });

  it('leaves texts as typed', () => {
    expect(answerFromText('text', ' Bello ')).toBe(' Bello ');
  });
});

describe('display', () => {
  it('shows decimals with a comma', () => {
    expect(textFromAnswer('currency', '96.00')).toBe('96,00');
    expect(formatValue('1216.00')).toBe('1.216,00');
  });

  it('shows dates, booleans and missing values the German way', () => {
    expect(formatValue('2026-11-24')).toBe('24.11.2026');
    expect(formatValue(true)).toBe('Ja');
    expect(formatValue(null)).toBe('–');
  });
});

describe('dates', () => {
  it('reads German dates into the engine’s ISO dates and leaves other text for the engine to reject', () => {
    expect(answerFromText('date', '15.03.1985')).toBe('1985-03-15');
    expect(answerFromText('date', '5.3.1985')).toBe('1985-03-05');
    expect(answerFromText('date', '15031985')).toBe('1985-03-15');
    expect(answerFromText('date', '1985-03-15')).toBe('1985-03-15');
    expect(answerFromText('date', '31.02.2026')).toBe('2026-02-31');
    expect(answerFromText('date', '15.03.')).toBe('15.03.');
    expect(isoFromGermanDate('morgen')).toBeNull();
  });

  it('shows ISO dates the German way', () => {
    expect(textFromAnswer('date', '1985-03-15')).toBe('15.03.1985');
    expect(textFromAnswer('date', '15.03.')).toBe('15.03.');
  });
});

describe('formatComputed', () => {
  const words = { yes: 'Ja', no: 'Nein', none: '–' };

  it('formats by the value’s type', () => {
    expect(formatComputed('696.00', 'currency', 'de', words)).toBe('696,00 €');
    expect(formatComputed('1234.5', 'decimal', 'de', words)).toBe('1.234,5');
    expect(formatComputed(3, 'integer', 'de', words)).toBe('3');
    expect(formatComputed('2026-11-24', 'date', 'de', words)).toBe('24.11.2026');
    expect(formatComputed(true, 'boolean', 'de', words)).toBe('Ja');
    expect(formatComputed(null, 'currency', 'de', words)).toBe('–');
    expect(formatComputed('Eiche', 'text', 'de', words)).toBe('Eiche');
  });
});

describe('times', () => {
  it('sends what time and datetime-local inputs give as the answer, and shows it back unchanged', () => {
    expect(answerFromText('time', '14:30')).toBe('14:30');
    expect(answerFromText('dateTime', '2026-12-06T14:30')).toBe('2026-12-06T14:30');
    expect(answerFromText('time', '')).toBeNull();
    expect(textFromAnswer('dateTime', '2026-12-06T14:30')).toBe('2026-12-06T14:30');
  });

  it('shows times the German way', () => {
    expect(formatClock('14:30', 'de')).toBe('14:30 Uhr');
    expect(formatClock('14:30', 'en')).toBe('14:30');
    expect(formatIsoDateTime('2026-12-06T14:30', 'de')).toBe('06.12.2026, 14:30 Uhr');
    expect(formatIsoDateTime('kein Termin', 'de')).toBe('kein Termin');
    const words = { yes: 'Ja', no: 'Nein', none: '–' };
    expect(formatComputed('09:05', 'time', 'de', words)).toBe('09:05 Uhr');
    expect(formatComputed('2026-12-06T09:05', 'dateTime', 'de', words)).toBe('06.12.2026, 09:05 Uhr');
  });
});
