import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIsoTimestamp, parseTimestamp } from './entry.js';

const MIN = Date.parse('0001-01-01T00:00:00Z');
const MAX = Date.parse('9999-12-31T23:59:59.999Z');
const dates = fc.date({ min: new Date(MIN), max: new Date(MAX), noInvalidDate: true });

describe('parseIsoTimestamp (strict)', () => {
  it('property: toISOString round-trips, with Z, zone-less (UTC) and a space separator', () => {
    fc.assert(
      fc.property(dates, (d) => {
        const iso = d.toISOString();
        expect(parseIsoTimestamp(iso)?.getTime()).toBe(d.getTime());
        expect(parseIsoTimestamp(iso.slice(0, -1))?.getTime()).toBe(d.getTime());
        expect(parseIsoTimestamp(iso.replace('T', ' '))?.getTime()).toBe(d.getTime());
      }),
    );
  });

  it('property: an offset names the same instant as its UTC form', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1970-01-02T00:00:00Z'), max: new Date('9999-12-30T00:00:00Z'), noInvalidDate: true }),
        fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 }),
        fc.constantFrom('colon', 'compact'),
        (d, offsetMin, style) => {
          const local = new Date(d.getTime() + offsetMin * 60_000).toISOString().slice(0, -1);
          const a = Math.abs(offsetMin);
          const hh = String(Math.floor(a / 60)).padStart(2, '0');
          const mm = String(a % 60).padStart(2, '0');
          const zone = `${offsetMin < 0 ? '-' : '+'}${hh}${style === 'colon' ? ':' : ''}${mm}`;
          expect(parseIsoTimestamp(`${local}${zone}`)?.getTime()).toBe(d.getTime());
        },
      ),
    );
  });

  it('property: numbers and numeric strings are refused (the lenient reader takes them as epochs)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer(), fc.double({ noNaN: true })), (n) => {
        expect(parseIsoTimestamp(n)).toBeUndefined();
        expect(parseIsoTimestamp(String(n))).toBeUndefined();
      }),
    );
    expect(parseTimestamp('20260101')).toBeInstanceOf(Date);
    expect(parseIsoTimestamp('20260101')).toBeUndefined();
    expect(parseIsoTimestamp('1700000000')).toBeUndefined();
  });

  it('property: any string that is not a date-time is refused', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        fc.pre(!/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}/.test(s));
        expect(parseIsoTimestamp(s)).toBeUndefined();
      }),
    );
  });

  it('refuses date-only, out-of-range fields, leap seconds, padding, and other shapes', () => {
    for (const bad of [
      '2026-01-01',
      '2026-02-30T00:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-01-01T24:00:00Z',
      '2026-01-01T23:60:00Z',
      '2026-12-31T23:59:60Z',
      ' 2026-01-01T00:00:00Z',
      '2026-01-01T00:00:00Z ',
      '2026-01-01T00:00:00+25:00',
      'Mon, 01 Jan 2026 00:00:00 GMT',
      '2026-01-01T00:00:00.Z',
      'hello',
      '',
      null,
      undefined,
      {},
      new Date(Number.NaN),
    ]) {
      expect(parseIsoTimestamp(bad), String(bad)).toBeUndefined();
    }
  });

  it('accepts minutes without seconds, long fractions (cut to ms), lower-case t and z, and Dates', () => {
    expect(parseIsoTimestamp('2026-01-01T10:20')?.toISOString()).toBe('2026-01-01T10:20:00.000Z');
    expect(parseIsoTimestamp('2026-01-01t10:20:30.123456789z')?.toISOString()).toBe('2026-01-01T10:20:30.123Z');
    expect(parseIsoTimestamp('2026-01-01T10:20:30+02')?.toISOString()).toBe('2026-01-01T08:20:30.000Z');
    expect(parseIsoTimestamp('0099-01-01T00:00:00Z')?.toISOString()).toBe('0099-01-01T00:00:00.000Z');
    const d = new Date(T());
    expect(parseIsoTimestamp(d)).toBe(d);
  });
});

function T(): number {
  return Date.parse('2026-03-04T05:06:07Z');
}
