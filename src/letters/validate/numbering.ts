/**
 * List numbering (word/numbering.xml) as far as a công văn needs it: the bullet a level prints ("- " for the dash
 * lists of Kính gửi and Nơi nhận) and the level's indents.
 */
import { readParaProps, type ParaProps } from './styles';
import { attr, child, children, num, type XElement } from './xml';

export interface ListLevel {
  /** Text the level prints before the paragraph ("- ", "• "), or "" for numbered levels. */
  prefix: string;
  pPr: ParaProps;
}

/** Symbol-font private-use bullets Word writes, as the characters they show. */
const SYMBOL_BULLETS: Record<string, string> = { '\uf02d': '-', '\uf0b7': '•', '\uf0a7': '▪', '\uf0d8': '➢', '\uf0fc': '✓', '\uf06f': 'o' };

export class Numbering {
  private readonly levels = new Map<string, Map<number, XElement>>();

  constructor(root: XElement | null) {
    const abstract = new Map<string, XElement>();
    for (const a of children(root, 'abstractNum')) abstract.set(attr(a, 'abstractNumId') ?? '', a);
    for (const n of children(root, 'num')) {
      const id = attr(n, 'numId') ?? '';
      const levels = new Map<number, XElement>();
      for (const l of children(abstract.get(attr(child(n, 'abstractNumId'), 'val') ?? '') ?? null, 'lvl')) levels.set(num(attr(l, 'ilvl')) ?? 0, l);
      for (const o of children(n, 'lvlOverride')) {
        const l = child(o, 'lvl');
        if (l) levels.set(num(attr(o, 'ilvl')) ?? 0, l);
      }
      this.levels.set(id, levels);
    }
  }

  level(numId: string | undefined, ilvl: number | undefined): ListLevel | null {
    if (!numId || numId === '0') return null;
    const lvl = this.levels.get(numId)?.get(ilvl ?? 0);
    if (!lvl) return null;
    const fmt = attr(child(lvl, 'numFmt'), 'val');
    const text = attr(child(lvl, 'lvlText'), 'val') ?? '';
    const prefix = fmt === 'bullet' && text ? `${[...text].map((c) => SYMBOL_BULLETS[c] ?? c).join('')} ` : '';
    return { prefix, pPr: readParaProps(child(lvl, 'pPr')) };
  }
}
