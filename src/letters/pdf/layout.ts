/**
 * A small flow layout engine with the word processor's rules that a letter needs, so the PDF breaks lines and
 * pages where LibreOffice breaks the DOCX: paragraphs (alignment, indents, spacing before/after, single or exact
 * line height, a rule below, a box), tables with fixed column widths (rows kept whole, header rows repeated),
 * widow and orphan control of two lines, no space before a paragraph at the top of a later page.
 * Units are points, y grows downwards from the top of the page.
 */
import { metrics, textWidth, type FontStyle } from './fonts';

export interface Run {
  text: string;
  size: number;
  style: FontStyle;
  underline?: boolean;
}

export interface Para {
  runs: Run[];
  /** Size of the paragraph mark: the height of an empty paragraph. */
  markSize?: number;
  align?: 'left' | 'center' | 'right' | 'both';
  left?: number;
  right?: number;
  firstLine?: number;
  hanging?: number;
  before?: number;
  after?: number;
  /** Exact line height; otherwise single spacing of the font. */
  exactLine?: number;
  /** A rule under the paragraph across its indented width. */
  ruleBelow?: { thickness: number; space: number };
  /** A box just outside the paragraph's indented width; `space` (w:space, points, default 1) above and below the text. */
  box?: { thickness: number; space?: number };
  /** Kept on the same page as the next block (w:keepNext). */
  keepNext?: boolean;
  /** Not broken across pages (w:keepLines). */
  keepLines?: boolean;
  /** Records where the paragraph lies (union of paragraphs with the same name). */
  mark?: string;
  /** Laid out (it takes its place) but not drawn. */
  hidden?: boolean;
}

export interface Cell {
  width: number;
  paras: Para[];
  padLeft?: number;
  padRight?: number;
  mark?: string;
}

export interface Row {
  cells: Cell[];
  cantSplit?: boolean;
  /** Repeated at the top of each page the table continues on. */
  header?: boolean;
}

export interface Table {
  kind: 'table';
  rows: Row[];
  /** Border line width in points, 0 for none. */
  border: number;
  /** Its last row is kept on the same page as the next block (w:keepNext in the last row). */
  keepNext?: boolean;
}

export type Block = ({ kind: 'para' } & Para) | Table;

export type Op =
  | { t: 'text'; x: number; y: number; text: string; size: number; style: FontStyle }
  | { t: 'line'; x1: number; y1: number; x2: number; y2: number; width: number };

export interface Mark {
  page: number;
  x: number;
  y: number;
  w: number;
  h: number;
  /** Baseline of the first line. */
  baseline: number;
  size: number;
}

export interface PageGeometry {
  width: number;
  height: number;
  top: number;
  bottom: number;
  left: number;
  right: number;
  /** Distance of the page-number header from the top edge. */
  header: number;
}

export interface Layout {
  pages: Op[][];
  marks: Record<string, Mark>;
}

interface Piece {
  text: string;
  size: number;
  style: FontStyle;
  underline: boolean;
  width: number;
}

/** A unit of line breaking: pieces that stay together, then the spaces after them. */
interface Unit {
  pieces: Piece[];
  width: number;
  space: number;
  spaceCount: number;
  forcedBreak: boolean;
}

interface Line {
  units: Unit[];
  width: number;
  height: number;
  ascent: number;
  last: boolean;
  indent: number;
  avail: number;
}

const M = metrics();

/** What a paragraph box adds to the paragraph's height in LibreOffice: 2 × spacing − 2 × border (0.5 pt for 1 pt, 0.75 pt lines). */
function boxExtra(box: { thickness: number; space?: number }): number {
  return Math.max(0, 2 * (box.space ?? 1) - 2 * box.thickness);
}

function lineBox(size: number, exact?: number): { height: number; ascent: number } {
  if (exact) return { height: exact, ascent: exact * 0.8 };
  return { height: size * M.lineHeight, ascent: size * (M.ascent + M.lineGap) };
}

function unitsOf(runs: Run[]): Unit[] {
  const units: Unit[] = [];
  let cur: Unit = { pieces: [], width: 0, space: 0, spaceCount: 0, forcedBreak: false };
  const push = () => {
    if (cur.pieces.length || cur.spaceCount || cur.forcedBreak) units.push(cur);
    cur = { pieces: [], width: 0, space: 0, spaceCount: 0, forcedBreak: false };
  };
  const addChar = (run: Run, ch: string) => {
    const last = cur.pieces[cur.pieces.length - 1];
    const w = textWidth(ch, run.size, run.style);
    if (last && last.style === run.style && last.size === run.size && last.underline === !!run.underline) {
      last.text += ch;
      last.width += w;
    } else cur.pieces.push({ text: ch, size: run.size, style: run.style, underline: !!run.underline, width: w });
    cur.width += w;
  };
  for (const run of runs) {
    const chars = [...run.text.normalize('NFC')];
    chars.forEach((ch, i) => {
      if (ch === '\n') {
        cur.forcedBreak = true;
        push();
      } else if (ch === ' ' || ch === '\t') {
        cur.space += textWidth(' ', run.size, run.style);
        cur.spaceCount++;
      } else {
        if (cur.spaceCount) push();
        addChar(run, ch);
        // A break is allowed after a hyphen between letters ("Thông tin-Truyền"), not before a digit ("COVID-19").
        if ((ch === '-' || ch === '–' || ch === '—') && i + 1 < chars.length && /\p{L}/u.test(chars[i + 1]) && i > 0 && /\p{L}/u.test(chars[i - 1])) push();
      }
    });
  }
  push();
  return units;
}

/** Splits a unit wider than a whole line into pieces that fit (a long URL). */
function splitUnit(u: Unit, avail: number): Unit[] {
  const out: Unit[] = [];
  let cur: Unit = { pieces: [], width: 0, space: 0, spaceCount: 0, forcedBreak: false };
  for (const p of u.pieces) {
    for (const ch of p.text) {
      const w = textWidth(ch, p.size, p.style);
      if (cur.width + w > avail && cur.width > 0) {
        out.push(cur);
        cur = { pieces: [], width: 0, space: 0, spaceCount: 0, forcedBreak: false };
      }
      const last = cur.pieces[cur.pieces.length - 1];
      if (last && last.style === p.style && last.size === p.size) {
        last.text += ch;
        last.width += w;
      } else cur.pieces.push({ ...p, text: ch, width: w });
      cur.width += w;
    }
  }
  cur.space = u.space;
  cur.spaceCount = u.spaceCount;
  cur.forcedBreak = u.forcedBreak;
  out.push(cur);
  return out;
}

function breakLines(p: Para, width: number): Line[] {
  const markSize = p.markSize ?? p.runs[0]?.size ?? 12;
  const left = p.left ?? 0;
  const right = p.right ?? 0;
  const firstIndent = left + (p.firstLine ?? 0) - (p.hanging ?? 0);
  const lines: Line[] = [];
  let units: Unit[] = [];
  let natural = 0;
  const availFor = (n: number) => width - right - (n === 0 ? firstIndent : left);
  const finish = (last: boolean) => {
    let size = 0;
    for (const u of units) for (const pc of u.pieces) size = Math.max(size, pc.size);
    const box = lineBox(size || markSize, p.exactLine);
    const n = lines.length;
    lines.push({ units, width: natural, height: box.height, ascent: box.ascent, last, indent: n === 0 ? firstIndent : left, avail: availFor(n) });
    units = [];
    natural = 0;
  };
  const queue = unitsOf(p.runs);
  while (queue.length) {
    const u = queue.shift()!;
    const avail = availFor(lines.length);
    const prevSpace = units.length ? units[units.length - 1].space : 0;
    if (units.length && natural + prevSpace + u.width > avail) {
      finish(false);
      queue.unshift(u);
      continue;
    }
    if (!units.length && u.width > avail && u.pieces.length) {
      queue.unshift(...splitUnit(u, avail));
      const first = queue.shift()!;
      units.push(first);
      natural = first.width;
      if (queue.length) finish(false);
      continue;
    }
    natural += prevSpace + u.width;
    units.push(u);
    if (u.forcedBreak) finish(true);
  }
  if (units.length || lines.length === 0) finish(true);
  else if (lines.length) lines[lines.length - 1].last = true;
  return lines;
}

export class Flow {
  readonly pages: Op[][] = [[]];
  readonly marks: Record<string, Mark> = {};
  private y: number;

  constructor(private readonly g: PageGeometry) {
    this.y = g.top;
  }

  private get bottom(): number {
    return this.g.height - this.g.bottom;
  }

  private get pageIndex(): number {
    return this.pages.length - 1;
  }

  private newPage(): void {
    this.pages.push([]);
    this.y = this.g.top;
  }

  private atTop(): boolean {
    return this.y <= this.g.top + 0.01;
  }

  private mark(name: string, m: Mark): void {
    const old = this.marks[name];
    if (old && old.page === m.page) {
      const x = Math.min(old.x, m.x);
      const y = Math.min(old.y, m.y);
      this.marks[name] = { ...old, x, y, w: Math.max(old.x + old.w, m.x + m.w) - x, h: Math.max(old.y + old.h, m.y + m.h) - y };
    } else this.marks[name] = m;
  }

  /** Draws lines [from, to) of a paragraph at (x, y); returns the height used. */
  private drawLines(ops: Op[], p: Para, lines: Line[], x: number, y: number, width: number, page: number): number {
    let top = y;
    for (const line of lines) {
      const baseline = top + line.ascent;
      if (!p.hidden) this.drawLine(ops, p, line, x, baseline, width);
      top += line.height;
    }
    const h = top - y;
    if (p.mark) {
      const first = lines[0];
      this.mark(p.mark, { page, x: x + (p.left ?? 0), y, w: width - (p.left ?? 0) - (p.right ?? 0), h, baseline: y + (first?.ascent ?? 0), size: p.runs[0]?.size ?? p.markSize ?? 12 });
    }
    return h;
  }

  private drawLine(ops: Op[], p: Para, line: Line, x: number, baseline: number, _width: number): void {
    const align = p.align ?? 'left';
    const spaces = line.units.slice(0, -1).reduce((n, u) => n + u.spaceCount, 0);
    let start = x + line.indent;
    let extraPerSpace = 0;
    const free = line.avail - line.width;
    if (align === 'center') start += free / 2;
    else if (align === 'right') start += free;
    else if (align === 'both' && !line.last && spaces > 0 && free > 0) extraPerSpace = free / spaces;
    let cx = start;
    let ulStart: number | null = null;
    let ulEnd = 0;
    let ulSize = 0;
    line.units.forEach((u, i) => {
      for (const pc of u.pieces) {
        if (pc.text) ops.push({ t: 'text', x: cx, y: baseline, text: pc.text, size: pc.size, style: pc.style });
        if (pc.underline) {
          if (ulStart === null) ulStart = cx;
          ulEnd = cx + pc.width;
          ulSize = Math.max(ulSize, pc.size);
        }
        cx += pc.width;
      }
      if (i < line.units.length - 1) cx += u.space + u.spaceCount * extraPerSpace;
    });
    if (ulStart !== null) {
      const uy = baseline - M.underlinePosition * ulSize;
      ops.push({ t: 'line', x1: ulStart, y1: uy, x2: ulEnd, y2: uy, width: Math.max(0.5, M.underlineThickness * ulSize) });
    }
  }

  /** Height of a paragraph laid out in `width` (for table cells, which do not break across pages). */
  private paraInBox(ops: Op[], p: Para, x: number, y: number, width: number, page: number, first: boolean): number {
    const lines = breakLines(p, width);
    let h = first || !p.before ? (p.before ?? 0) : p.before;
    h += this.decorated(ops, p, lines, x, y + h, width, page);
    return h + (p.after ?? 0);
  }

  /** Lines plus the paragraph's rule or box; returns the height. */
  private decorated(ops: Op[], p: Para, lines: Line[], x: number, y: number, width: number, page: number): number {
    // LibreOffice draws a paragraph box line + 2 × spacing − 2 × border high (measured), the text centred in it,
    // and its sides just outside the indents.
    const extra = p.box ? boxExtra(p.box) : 0;
    let h = this.drawLines(ops, p, lines, x, y + extra / 2, width, page) + extra;
    const x1 = x + (p.left ?? 0);
    const x2 = x + width - (p.right ?? 0);
    if (p.box && !p.hidden) {
      const t = p.box.thickness;
      const y1 = y + t / 2;
      const y2 = y + h - t / 2;
      const l = x1 - t / 2;
      const r = x2 + t / 2;
      ops.push({ t: 'line', x1: l - t / 2, y1, x2: r + t / 2, y2: y1, width: t }, { t: 'line', x1: l - t / 2, y1: y2, x2: r + t / 2, y2, width: t });
      ops.push({ t: 'line', x1: l, y1, x2: l, y2, width: t }, { t: 'line', x1: r, y1, x2: r, y2, width: t });
    }
    if (p.ruleBelow) {
      const ry = y + h + p.ruleBelow.space + p.ruleBelow.thickness / 2;
      if (!p.hidden) ops.push({ t: 'line', x1, y1: ry, x2, y2: ry, width: p.ruleBelow.thickness });
      h += p.ruleBelow.space + p.ruleBelow.thickness;
    }
    return h;
  }

  private get textWidth(): number {
    return this.g.width - this.g.left - this.g.right;
  }

  /**
   * The height a block needs on this page to keep with what follows: a whole paragraph when its lines are kept
   * together (else its last two lines), a table's last row; `leading` for the first block of the chain, the first
   * row (or the first two lines) of the block the chain is kept with.
   */
  private keptHeight(b: Block, part: 'whole' | 'head' | 'tail'): number {
    if (b.kind === 'table') {
      const rows = part === 'head' ? b.rows.slice(0, 1) : b.rows.slice(-1);
      return rows.reduce((h, r) => h + this.row(null, r, b.border, 0, 0, 0), 0) + b.border;
    }
    const lines = breakLines(b, this.textWidth);
    const taken = b.keepLines || b.box || b.ruleBelow || part === 'whole' ? lines : part === 'head' ? lines.slice(0, 2) : lines.slice(-2);
    const before = this.atTop() && this.pageIndex > 0 ? 0 : (b.before ?? 0);
    return before + taken.reduce((h, l) => h + l.height, 0) + (part === 'head' ? 0 : (b.after ?? 0)) + (b.box ? boxExtra(b.box) : 0);
  }

  /** Starts a new page when a chain of blocks kept with the next (keepNext) would not fit on this one but fits on a page. */
  keepTogether(chain: Block[]): void {
    if (this.atTop()) return;
    const last = chain.length - 1;
    const h = chain.reduce((sum, b, i) => sum + this.keptHeight(b, i === last ? 'head' : b.kind === 'para' && b.keepLines ? 'whole' : 'tail'), 0);
    if (this.y + h > this.bottom + 0.01 && h <= this.bottom - this.g.top) this.newPage();
  }

  /** A paragraph in the page flow: breaks across pages with widow and orphan control. */
  para(p: Para): void {
    const width = this.textWidth;
    if (!(this.atTop() && this.pageIndex > 0)) this.y += p.before ?? 0;
    let lines = breakLines(p, width);
    if (p.keepLines && !this.atTop()) {
      const h = lines.reduce((n, l) => n + l.height, 0);
      if (this.y + h > this.bottom + 0.01 && h <= this.bottom - this.g.top) this.newPage();
    }
    if (p.box || p.ruleBelow) {
      // Decorated paragraphs (one or two lines in a letter) stay whole.
      const probe: Op[] = [];
      const h = this.decorated(probe, { ...p, mark: undefined }, lines, 0, 0, width, 0);
      if (this.y + h > this.bottom && !this.atTop()) this.newPage();
      this.y += this.decorated(this.pages[this.pageIndex], p, lines, this.g.left, this.y, width, this.pageIndex);
      this.y += p.after ?? 0;
      return;
    }
    while (lines.length) {
      let fit = 0;
      let h = 0;
      while (fit < lines.length && this.y + h + lines[fit].height <= this.bottom + 0.01) h += lines[fit++].height;
      let take = fit;
      if (fit < lines.length) {
        if (lines.length < 4 || fit < 2) take = 0;
        else if (lines.length - fit < 2) take = lines.length - 2;
        if (take === 0 && this.atTop()) take = Math.max(1, fit);
      }
      if (take > 0) {
        const part = lines.slice(0, take);
        this.y += this.drawLines(this.pages[this.pageIndex], p, part, this.g.left, this.y, width, this.pageIndex);
        lines = lines.slice(take);
      }
      if (lines.length) this.newPage();
    }
    this.y += p.after ?? 0;
  }

  /** Lays out a row's cells at (x0, y); returns the row height (cells' content + the border). */
  private row(ops: Op[] | null, row: Row, border: number, x0: number, y: number, page: number): number {
    let x = x0;
    let height = 0;
    const sink: Op[] = ops ?? [];
    for (const cell of row.cells) {
      const padL = cell.padLeft ?? 0;
      const inner = cell.width - padL - (cell.padRight ?? 0);
      let h = 0;
      cell.paras.forEach((p, i) => {
        h += this.paraInBox(sink, ops ? p : { ...p, mark: undefined }, x + padL, y + border + h, inner, page, i === 0);
      });
      if (cell.mark && ops) this.mark(cell.mark, { page, x, y, w: cell.width, h, baseline: y, size: 0 });
      height = Math.max(height, h);
      x += cell.width;
    }
    return height + border;
  }

  table(t: Table): void {
    const x0 = this.g.left;
    const headers = t.rows.filter((r) => r.header);
    const hb = t.border / 2;
    let prev: Row | null = null;
    const rowWidth = (row: Row) => row.cells.reduce((n, c) => n + c.width, 0);
    /** The bottom border of the last row drawn on this page. */
    const close = () => {
      if (t.border && prev) this.pages[this.pageIndex].push({ t: 'line', x1: x0, y1: this.y + hb, x2: x0 + rowWidth(prev), y2: this.y + hb, width: t.border });
      prev = null;
    };
    const place = (row: Row) => {
      const h = this.row(null, row, t.border, x0, this.y, this.pageIndex);
      if (this.y + h + t.border > this.bottom && !this.atTop()) {
        close();
        this.newPage();
        if (!row.header) for (const hr of headers) place(hr);
      }
      const ops = this.pages[this.pageIndex];
      const used = this.row(ops, row, t.border, x0, this.y, this.pageIndex);
      if (t.border) {
        ops.push({ t: 'line', x1: x0, y1: this.y + hb, x2: x0 + rowWidth(row), y2: this.y + hb, width: t.border });
        let x = x0;
        for (const c of [...row.cells, null]) {
          ops.push({ t: 'line', x1: x + hb, y1: this.y, x2: x + hb, y2: this.y + used + t.border, width: t.border });
          if (c) x += c.width;
        }
      }
      prev = row;
      this.y += used;
    };
    for (const row of t.rows) place(row);
    close();
    this.y += t.border;
  }

  block(b: Block): void {
    if (b.kind === 'table') this.table(b);
    else this.para(b);
  }

  layout(): Layout {
    return { pages: this.pages, marks: this.marks };
  }
}

export function layoutBlocks(g: PageGeometry, blocks: Block[]): Layout {
  const flow = new Flow(g);
  blocks.forEach((b, i) => {
    // At the start of a keep-with-next chain: the chain and the block it keeps with start a page together.
    if (b.keepNext && !blocks[i - 1]?.keepNext) {
      let end = i;
      while (end < blocks.length - 1 && blocks[end].keepNext) end++;
      flow.keepTogether(blocks.slice(i, end + 1));
    }
    flow.block(b);
  });
  return flow.layout();
}

/** Baseline offset of a single-spaced line of `size` (for text added later at a marked place). */
export function ascentOf(size: number): number {
  return lineBox(size).ascent;
}
