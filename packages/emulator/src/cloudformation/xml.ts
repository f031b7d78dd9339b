/** Minimal XML writing for the AWS query protocols (awsQuery, ec2Query). Everything is escaped. */

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** True for characters XML 1.0 cannot carry (C0 controls other than tab/LF/CR, U+FFFE, U+FFFF). */
function forbidden(code: number): boolean {
  return (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0xfffe || code === 0xffff;
}

/** Escape text for element content and attribute values; drops characters XML 1.0 cannot carry. */
export function escapeXml(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (forbidden(c)) continue;
    const ch = value[i] as string;
    out += ESC[ch] ?? ch;
  }
  return out;
}

/** A value an element may hold: text, a number, a boolean, a Date (ISO), nested XML, or nothing. */
export type XmlValue = string | number | boolean | Date | Xml | undefined | null;

/** Already-serialized XML (not escaped again). */
export class Xml {
  constructor(readonly text: string) {}
}

/** `<name>value</name>`; undefined/null values give no element at all (absent, not empty). */
export function el(name: string, value: XmlValue): string {
  if (value === undefined || value === null) return '';
  if (value instanceof Xml) return `<${name}>${value.text}</${name}>`;
  const text = value instanceof Date ? value.toISOString() : String(value);
  return `<${name}>${escapeXml(text)}</${name}>`;
}

/** Concatenate pieces into nested XML. */
export function xml(...parts: string[]): Xml {
  return new Xml(parts.join(''));
}

/** A list: `<name><item>…</item>…</name>` (`member` for awsQuery, `item` for ec2Query); absent when empty. */
export function list<T>(
  name: string,
  itemName: string,
  items: readonly T[] | undefined,
  render: (item: T) => string,
): string {
  if (!items || items.length === 0) return '';
  return `<${name}>${items.map((i) => `<${itemName}>${render(i)}</${itemName}>`).join('')}</${name}>`;
}
