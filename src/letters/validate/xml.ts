/** Small DOM helpers over @xmldom/xmldom for WordprocessingML (namespace-aware, tolerant of prefixes). */
import type { Element as XElement, Node as XNode } from '@xmldom/xmldom';

export type { XElement };
export const W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';
export const R = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

export function children(el: XElement | XNode | null | undefined, name?: string): XElement[] {
  const out: XElement[] = [];
  if (!el) return out;
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 && (!name || (n as XElement).localName === name)) out.push(n as XElement);
  }
  return out;
}
export const child = (el: XElement | null | undefined, name: string): XElement | null => (el ? children(el, name)[0] ?? null : null);
export const attr = (el: XElement | null | undefined, name: string): string | null => (el ? el.getAttributeNS(W, name) || el.getAttribute(`w:${name}`) || null : null);
export const num = (v: string | null): number | null => (v == null || v === '' ? null : Number(v));
/** An on/off property (w:b, w:i, w:keepNext…): null when absent, else true unless its value is "0"/"false"/"none". */
export function flag(pr: XElement | null | undefined, name: string): boolean | null {
  const el = child(pr, name);
  if (!el) return null;
  const v = attr(el, 'val');
  return !(v === '0' || v === 'false' || v === 'none' || v === 'off');
}
