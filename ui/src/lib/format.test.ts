import { describe, expect, it } from 'vitest';
import {
  formatChanged,
  formatDateTime,
  formatEuro,
  formatIsoDate,
  formatNumber,
  formatSize,
  parseLocalDateTime,
} from './format';

describe('dates and times', () => {
  it('reads the desk’s local date-times, with or without fractions of a second', () => {
    expect(parseLocalDateTime('2026-11-24T14:05:09.123456789')?.getHours()).toBe(14);
    expect(parseLocalDateTime('2026-11-24T14:05:09')?.getMinutes()).toBe(5);
    expect(parseLocalDateTime('gestern')).toBeNull();
  });

  it('shows a change of today as its time and an older one as its date', () => {
    const now = new Date(2026, 10, 24, 16, 0);
    expect(formatChanged('2026-11-24T14:05:09.5', now, 'de')).toBe('14:05');
    expect(formatChanged('2026-11-23T09:30:00', now, 'de')).toBe('23.11.2026');
    expect(formatChanged('2026-11-23T09:30:00', now, 'en')).toBe('23/11/2026');
    expect(formatChanged('kaputt', now, 'de')).toBe('kaputt');
  });

  it('writes dates the German way', () => {
    expect(formatIsoDate('2026-11-24', 'de')).toBe('24.11.2026');
    expect(formatDateTime('2026-11-24T08:07:00', 'de')).toBe('24.11.2026, 08:07');
    expect(formatIsoDate('bald', 'de')).toBe('bald');
  });
});

describe('amounts and numbers', () => {
  it('writes euros with a decimal comma, a thousands point and a plain space', () => {
    expect(formatEuro('1234.5', 'de')).toBe('1.234,50 €');
    expect(formatEuro('96.00', 'de')).toBe('96,00 €');
    expect(formatEuro(600, 'de')).toBe('600,00 €');
    expect(formatEuro('96.00', 'en')).toBe('€96.00');
    expect(formatEuro('viel', 'de')).toBe('viel');
  });

  it('keeps the places a number has', () => {
    expect(formatNumber('1216.00', 'de')).toBe('1.216,00');
    expect(formatNumber('2.5', 'de')).toBe('2,5');
    expect(formatNumber(3, 'de')).toBe('3');
  });

  it('writes file sizes in bytes, KB and MB', () => {
    expect(formatSize(512, 'de')).toBe('512 Bytes');
    expect(formatSize(2048, 'de')).toBe('2 KB');
    expect(formatSize(1.25 * 1024 * 1024, 'de')).toBe('1,3 MB');
  });
});
