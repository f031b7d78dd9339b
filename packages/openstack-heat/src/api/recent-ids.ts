/** `0`–`9`, `a`–`f` → 0–15; anything else → -1 (an id that is not lowercase hex stays a string). */
const HEX_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX_VALUE[48 + i] = i;
for (let i = 0; i < 6; i++) HEX_VALUE[97 + i] = 10 + i;
const HEX_DIGITS = '0123456789abcdef';
/** Where the four dashes of a UUID stand. */
const DASH_AT = [8, 13, 18, 23];
/** The 32 positions of a UUID's hex digits, in order. */
const HEX_AT = Array.from({ length: 36 }, (_, i) => i).filter((i) => !DASH_AT.includes(i));

/** A slot's kind: 0 (never written), packed UUID bytes, or a string. */
const PACKED = 1;
const STRING = 2;

/**
 * The newest event ids a listing handed out, in a ring of `capacity` slots: one write per event,
 * a Set built only when Heat ignored a marker and the page must be checked against them.
 *
 * Heat's event ids are lowercase UUIDs: those are kept as their 16 bytes, not as strings. Kept
 * as strings, 20,000 ids outlive the young generation, get promoted, and every full collection of
 * a long listing traces them. Any other id (not that exact shape) is kept as the string itself,
 * so {@link toSet} always gives back exactly the ids remembered.
 */
export class RecentIds {
  private readonly kind: Uint8Array;
  private readonly bytes: Uint8Array;
  private readonly strings: Array<string | undefined>;
  private at = 0;

  constructor(private readonly capacity = 20_000) {
    this.kind = new Uint8Array(capacity);
    this.bytes = new Uint8Array(capacity * 16);
    this.strings = new Array<string | undefined>(capacity);
  }

  remember(id: string): void {
    const slot = this.at;
    if (packUuid(id, this.bytes, slot * 16)) {
      if (this.kind[slot] === STRING) this.strings[slot] = undefined;
      this.kind[slot] = PACKED;
    } else {
      this.strings[slot] = id;
      this.kind[slot] = STRING;
    }
    this.at = slot + 1 === this.capacity ? 0 : slot + 1;
  }

  toSet(): Set<string> {
    const out = new Set<string>();
    for (let slot = 0; slot < this.capacity; slot++) {
      const kind = this.kind[slot];
      if (kind === PACKED) out.add(unpackUuid(this.bytes, slot * 16));
      else if (kind === STRING) out.add(this.strings[slot] as string);
    }
    return out;
  }
}

/** Writes a lowercase `8-4-4-4-12` UUID's 16 bytes at `offset`; false for any other string. */
function packUuid(id: string, into: Uint8Array, offset: number): boolean {
  if (id.length !== 36) return false;
  for (const d of DASH_AT) if (id.charCodeAt(d) !== 45) return false;
  for (let b = 0; b < 16; b++) {
    const hi = hexAt(id, HEX_AT[2 * b] as number);
    const lo = hexAt(id, HEX_AT[2 * b + 1] as number);
    if (hi < 0 || lo < 0) return false;
    into[offset + b] = (hi << 4) | lo;
  }
  return true;
}

function hexAt(s: string, i: number): number {
  const c = s.charCodeAt(i);
  return c < 128 ? (HEX_VALUE[c] as number) : -1;
}

function unpackUuid(from: Uint8Array, offset: number): string {
  let s = '';
  for (let b = 0; b < 16; b++) {
    if (b === 4 || b === 6 || b === 8 || b === 10) s += '-';
    const v = from[offset + b] as number;
    s += HEX_DIGITS[v >> 4] + (HEX_DIGITS[v & 15] as string);
  }
  return s;
}
