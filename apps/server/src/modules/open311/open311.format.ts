import type { FastifyReply } from 'fastify';

// The wire formats of GeoReport v2: JSON arrays, or XML with a root element holding one element per
// item; errors as [{code, description}] or <errors><error>…</error></errors>; datetimes in ISO 8601
// with the time zone of the jurisdiction (China, +08:00).

export type Format = 'json' | 'xml';
export type Scalar = string | number | boolean | null | undefined;
export type Item = Record<string, Scalar | Scalar[] | Item[]>;

const UTC8_MS = 8 * 3_600_000;

/** e.g. 2026-11-23T20:15:00+08:00 */
export function w3cDate(d: Date | string | null | undefined): string | null {
  if (!d) return null;
  const t = typeof d === 'string' ? new Date(d) : d;
  return `${new Date(t.getTime() + UTC8_MS).toISOString().slice(0, 19)}+08:00`;
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Text for an XML element: the five entities escaped, characters XML 1.0 forbids removed. */
export function xmlText(value: Scalar): string {
  if (value === null || value === undefined) return '';
  // eslint-disable-next-line no-control-regex
  return String(value).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '').replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!);
}

function xmlValue(name: string, value: Item[string], arrayItem: Record<string, string>): string {
  if (Array.isArray(value)) {
    const child = arrayItem[name] ?? 'item';
    const inner = (value as (Scalar | Item)[])
      .map((v) => (v !== null && typeof v === 'object' ? `<${child}>${xmlFields(v as Item, arrayItem)}</${child}>` : `<${child}>${xmlText(v as Scalar)}</${child}>`))
      .join('');
    return `<${name}>${inner}</${name}>`;
  }
  return `<${name}>${xmlText(value as Scalar)}</${name}>`;
}

function xmlFields(item: Item, arrayItem: Record<string, string>): string {
  return Object.entries(item)
    .map(([k, v]) => xmlValue(k, v, arrayItem))
    .join('');
}

/** `<root><item>…</item>…</root>`; arrays inside an item become `<name><child>…</child></name>`. */
export function toXml(root: string, itemName: string, items: Item[], arrayItem: Record<string, string> = {}): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n<${root}>${items.map((i) => `<${itemName}>${xmlFields(i, arrayItem)}</${itemName}>`).join('')}</${root}>`;
}

/** JSON without undefined fields; null stays null. */
export function send(reply: FastifyReply, format: Format, status: number, xml: () => string, json: unknown) {
  reply.status(status);
  if (format === 'xml') return reply.type('text/xml; charset=utf-8').send(xml());
  return reply.type('application/json; charset=utf-8').send(JSON.stringify(json));
}

export interface Open311ErrorItem {
  code: number;
  description: string;
}

export function sendErrors(reply: FastifyReply, format: Format, status: number, errors: Open311ErrorItem[]) {
  return send(reply, format, status, () => toXml('errors', 'error', errors as unknown as Item[]), errors);
}

/** The format named by a path's extension (json unless it ends in .xml). */
export const formatOfUrl = (url: string): Format => ((url.split('?')[0] ?? '').toLowerCase().endsWith('.xml') ? 'xml' : 'json');

/** A single object as the root element (the discovery document). */
export function toXmlObject(root: string, item: Item, arrayItem: Record<string, string> = {}): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n<${root}>${xmlFields(item, arrayItem)}</${root}>`;
}
