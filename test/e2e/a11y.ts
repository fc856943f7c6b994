import type { Page } from 'playwright-core';

// The functions passed to page.evaluate() run in the browser. The project compiles without the DOM library,
// so the few browser globals they use are declared here, loosely, for this module only.
/* eslint-disable @typescript-eslint/no-unnecessary-type-assertion, @typescript-eslint/no-redundant-type-constituents -- the DOM is untyped here (declared `any` below), so casts only document intent */
declare const document: any;
declare const getComputedStyle: (el: any) => any;
declare const Node: { TEXT_NODE: number };
type Element = any;

/** WCAG 2.x relative luminance of an sRGB colour given as 0–255 channels. */
export function luminance([r, g, b]: number[]): number {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** WCAG contrast ratio of two colours (1 … 21). */
export function contrast(a: number[], b: number[]): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

export function hex(h: string): number[] {
  let s = h.replace('#', '');
  if (s.length === 3) s = [...s].map((c) => c + c).join('');
  return [0, 2, 4].map((i) => parseInt(s.slice(i, i + 2), 16));
}

export interface PageAudit {
  lang: string;
  h1: number;
  /** Form controls (not hidden/submit/button) without a label, aria-label or aria-labelledby. */
  unlabelled: string[];
  /** Buttons and links with no accessible text. */
  unnamed: string[];
  /** Visible text whose colour against its effective background is under 4.5:1 (3:1 for large text). */
  lowContrast: string[];
}

/**
 * The basics, checked in the browser on the rendered page. Runs inside the page: keep it self-contained.
 * Accessible names are computed the simple way the templates use: <label for>, a wrapping <label>,
 * aria-labelledby pointing at text, or aria-label (a placeholder or title is not a label).
 */
export async function auditPage(page: Page): Promise<PageAudit> {
  return page.evaluate(() => {
    const describe = (el: Element) => `<${el.tagName.toLowerCase()}${el.id ? ` id="${el.id}"` : ''}${el.getAttribute('name') ? ` name="${el.getAttribute('name')}"` : ''}${el.getAttribute('type') ? ` type="${el.getAttribute('type')}"` : ''}>`;
    const text = (s: string | null | undefined) => (s ?? '').replace(/\s+/g, ' ').trim();
    const byIds = (ids: string | null) =>
      text(
        (ids ?? '')
          .split(/\s+/)
          .filter(Boolean)
          .map((id) => document.getElementById(id)?.textContent ?? '')
          .join(' '),
      );

    const unlabelled: string[] = [];
    for (const el of (Array.from(document.querySelectorAll('input, select, textarea')) as any[])) {
      const type = (el.getAttribute('type') ?? '').toLowerCase();
      if (['hidden', 'submit', 'button', 'reset', 'image'].includes(type)) continue;
      const labels = (Array.from((el).labels ?? []) as any[]);
      const name = text(el.getAttribute('aria-label')) || byIds(el.getAttribute('aria-labelledby')) || text(labels.map((l) => l.textContent).join(' '));
      if (!name) unlabelled.push(describe(el));
    }

    const unnamed: string[] = [];
    for (const el of (Array.from(document.querySelectorAll('button, a[href], input[type=submit], input[type=button]')) as any[])) {
      const name = text(el.getAttribute('aria-label')) || byIds(el.getAttribute('aria-labelledby')) || text((el).innerText) || text(el.getAttribute('value')) || text(el.querySelector('img')?.getAttribute('alt'));
      if (!name) unnamed.push(describe(el) + (el.getAttribute('href') ? ` href=${el.getAttribute('href')}` : ''));
    }

    // Contrast: every element that directly holds visible text, against the first opaque background up its ancestry.
    const rgba = (c: string): number[] | null => {
      const m = /rgba?\(([^)]+)\)/.exec(c);
      if (!m) return null;
      const parts = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
      return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
    };
    const lum = ([r, g, b]: number[]) => {
      const lin = (v: number) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    };
    const ratio = (a: number[], b: number[]) => {
      const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
      return (hi + 0.05) / (lo + 0.05);
    };
    const background = (el: Element | null): number[] => {
      for (let e = el; e; e = e.parentElement) {
        const c = rgba(getComputedStyle(e).backgroundColor);
        if (c && c[3] > 0.5) return c;
      }
      return [255, 255, 255, 1];
    };
    const lowContrast: string[] = [];
    const seen = new Set<string>();
    for (const el of (Array.from(document.body.querySelectorAll('*')) as any[])) {
      if (['SCRIPT', 'STYLE', 'AUDIO', 'VIDEO', 'OPTION', 'SELECT'].includes(el.tagName)) continue;
      const own = (Array.from(el.childNodes) as any[]).some((n) => n.nodeType === Node.TEXT_NODE && text(n.textContent));
      if (!own) continue;
      const he = el;
      if (!he.offsetParent && getComputedStyle(he).position !== 'fixed') continue; // not rendered
      const rect = he.getBoundingClientRect();
      if (rect.right < 0 || rect.bottom < 0 || rect.width === 0) continue; // off-screen (skip link)
      const st = getComputedStyle(he);
      const fg = rgba(st.color);
      if (!fg) continue;
      const size = parseFloat(st.fontSize);
      const bold = Number(st.fontWeight) >= 700;
      const large = size >= 24 || (bold && size >= 18.66);
      const r = ratio(fg, background(he));
      if (r < (large ? 3 : 4.5)) {
        const key = `${st.color} on ${getComputedStyle(he).backgroundColor}`;
        const desc = `${describe(he)}${he.className ? `.${String(he.className).replace(/\s+/g, '.')}` : ''} "${text(he.textContent).slice(0, 30)}" ${r.toFixed(2)}:1 (${st.color})`;
        if (!seen.has(desc + key)) lowContrast.push(desc);
        seen.add(desc + key);
      }
    }

    return {
      lang: document.documentElement.lang,
      h1: document.querySelectorAll('h1').length,
      unlabelled,
      unnamed,
      lowContrast,
    };
  });
}

/**
 * Presses Tab from the top of the page until the main form's primary button has focus.
 * The main form is the first form in <main> that has a button.primary (else its first submit button).
 * Returns null when the page has no such form, else the number of Tab presses (-1 when never reached),
 * and every element on the way whose focus ring is missing or under 3:1 against the background around it.
 */
export async function tabToPrimary(page: Page, maxPresses = 150): Promise<{ presses: number; button: string; weakFocus: string[] } | null> {
  const label = await page.evaluate(() => {
    const forms = (Array.from(document.querySelectorAll('main form')) as any[]);
    const pick = (f: Element) => f.querySelector('button.primary') ?? f.querySelector('button:not([type=button]):not([name=pick]), input[type=submit]');
    const form = forms.find((f) => f.querySelector('button.primary')) ?? forms.find((f) => pick(f));
    const button = form && pick(form);
    if (!button) return null;
    button.setAttribute('data-a11y-target', '');
    return (button).innerText.trim() || button.getAttribute('value') || '?';
  });
  if (label === null) return null;
  const weakFocus = new Set<string>();
  for (let i = 1; i <= maxPresses; i++) {
    await page.keyboard.press('Tab');
    const step = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return { hit: false, weak: null };
      // Native media controls and date/time fields draw focus inside their own shadow parts (a highlighted segment).
      const nativeFocus = ['AUDIO', 'VIDEO'].includes(el.tagName) || ['date', 'time', 'datetime-local', 'month', 'week'].includes((el.getAttribute('type') ?? '').toLowerCase());
      if (nativeFocus) return { hit: el.hasAttribute('data-a11y-target'), weak: null };
      const rgba = (c: string): number[] | null => {
        const m = /rgba?\(([^)]+)\)/.exec(c);
        if (!m) return null;
        const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
        return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
      };
      const lum = ([r, g, b]: number[]) => {
        const lin = (v: number) => (v / 255 <= 0.03928 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4);
        return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
      };
      let bg = [255, 255, 255, 1];
      for (let e = el.parentElement; e; e = e.parentElement) {
        const c = rgba(getComputedStyle(e).backgroundColor);
        if (c && c[3] > 0.5) {
          bg = c;
          break;
        }
      }
      const st = getComputedStyle(el);
      const ring = st.outlineStyle !== 'none' && parseFloat(st.outlineWidth) >= 1 ? rgba(st.outlineColor) : null;
      const [hi, lo] = ring ? [lum(ring), lum(bg)].sort((x, y) => y - x) : [0, 0];
      const ratio = ring ? (hi + 0.05) / (lo + 0.05) : 0;
      const weak = ratio < 3 ? `<${el.tagName.toLowerCase()}> "${(el.innerText || el.getAttribute('name') || '').trim().slice(0, 30)}" ring ${ring ? `${st.outlineColor} ${ratio.toFixed(2)}:1` : 'none'}` : null;
      return { hit: el.hasAttribute('data-a11y-target'), weak };
    });
    if (step.weak) weakFocus.add(step.weak);
    if (step.hit) return { presses: i, button: label, weakFocus: [...weakFocus] };
  }
  return { presses: -1, button: label, weakFocus: [...weakFocus] };
}
