/** Minimal XML writing for the AWS query protocols (awsQuery, ec2Query). Everything is escaped. */

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Characters XML 1.0 cannot carry: C0 controls other than tab/LF/CR, U+FFFE/U+FFFF, lone surrogates. */
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const SPECIAL = /[&<>"']/g;

/** Escape text for element content and attribute values; drops characters XML 1.0 cannot carry. */
export function escapeXml(value: string): string {
  return value.replace(NOT_XML_CHAR, '').replace(SPECIAL, (c) => ESC[c] as string);
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
