import { describe, expect, it } from 'vitest';
import { answerFromText, formatValue, textFromAnswer } from './input';

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
