import fs from 'node:fs';
import path from 'node:path';
import { exportDateTime, formatWeek, isoWeekOfDate } from '../../src/shared/time';
import { formatSize } from '../../src/shared/media';
import { helpers } from '../../src/web/views';

describe('a reporting week as a person reads it', () => {
  it('reads "Tuần 49 (30/11–06/12/2026)", in English "Week 49 (…)"', () => {
    expect(formatWeek('2026-W49')).toBe('Tuần 49 (30/11–06/12/2026)');
    expect(formatWeek('2025-W49')).toBe('Tuần 49 (01/12–07/12/2025)');
    expect(formatWeek('2021-W41')).toBe('Tuần 41 (11/10–17/10/2021)');
    expect(formatWeek('2021-W41', 'en')).toBe('Week 41 (11/10–17/10/2021)');
    expect(formatWeek('2026-W06')).toBe('Tuần 6 (02/02–08/02/2026)');
  });

  it('shows both years for a week across New Year (Tuần 1 of 2026 begins on 29/12/2025)', () => {
    expect(isoWeekOfDate('2025-12-29')).toBe('2026-W01');
    expect(formatWeek('2026-W01')).toBe('Tuần 1 (29/12/2025–04/01/2026)');
    expect(formatWeek('2020-W53')).toBe('Tuần 53 (28/12/2020–03/01/2021)');
    expect(formatWeek('2021-W52')).toBe('Tuần 52 (27/12/2021–02/01/2022)');
    expect(formatWeek('2027-W01', 'en')).toBe('Week 1 (04/01–10/01/2027)');
  });

  it('leaves anything that is not a week as it is (no "Tuần NaN")', () => {
    expect(formatWeek('2026-W54')).toBe('2026-W54');
    expect(formatWeek('2021-W53')).toBe('2021-W53'); // 2021 has 52 weeks
    expect(formatWeek('')).toBe('');
  });

  it('is the `weekLabel` helper of every page, in the page’s language', () => {
    expect(helpers.weekLabel('2021-W41', { data: { root: { locale: 'vi' } } })).toBe('Tuần 41 (11/10–17/10/2021)');
    expect(helpers.weekLabel('2021-W41', { data: { root: { locale: 'en' } } })).toBe('Week 41 (11/10–17/10/2021)');
    expect(helpers.weekLabel(null, {})).toBe('');
  });
});

describe('times in exports', () => {
  it('are Vietnam time, day first, to the minute', () => {
    expect(exportDateTime('2026-02-05T07:30:00.000Z')).toBe('05/02/2026 14:30');
    expect(exportDateTime(new Date('2021-10-14T17:05:00Z'))).toBe('15/10/2021 00:05'); // past midnight in Hà Tĩnh
    expect(exportDateTime(null)).toBe('');
  });
});

describe('file sizes', () => {
  it('read in B, KB and MB (1 KB = 1024 B), with the locale’s decimal mark', () => {
    expect(formatSize(0)).toBe('0 B');
    expect(formatSize(1023)).toBe('1.023 B');
    expect(formatSize(1024)).toBe('1 KB');
    expect(formatSize(12_800)).toBe('12,5 KB');
    expect(formatSize(12_800, 'en')).toBe('12.5 KB');
    expect(formatSize(4_404_019)).toBe('4,2 MB');
    expect(formatSize(50 * 1024 * 1024)).toBe('50 MB');
    expect(formatSize(3 * 1024 ** 3, 'en')).toBe('3 GB');
  });

  it('is the `fileSize` helper of every page', () => {
    expect(helpers.fileSize(2_621_440, { data: { root: { locale: 'vi' } } })).toBe('2,5 MB');
    expect(helpers.fileSize(null, {})).toBe('');
  });
});

describe('the print stylesheet', () => {
  const root = path.join(__dirname, '../..');
  const css = fs.readFileSync(path.join(root, 'public/print.css'), 'utf8');

  it('hides the menus, the buttons and the forms, and prints tables whole', () => {
    const rules = /@media print\s*\{([\s\S]*)\}\s*$/.exec(css.replace(/\/\*[\s\S]*?\*\//g, '').trim());
    expect(rules).not.toBeNull();
    const hidden = /([^{}]+)\{\s*display:\s*none\s*!important;?\s*\}/.exec(rules![1]);
    expect(hidden).not.toBeNull();
    const selectors = hidden![1].split(',').map((s) => s.trim());
    expect(selectors).toEqual(expect.arrayContaining(['.topbar', 'nav', 'button', 'form', '.actions', '.filters']));
    expect(rules![1]).toMatch(/thead\s*\{\s*display:\s*table-header-group/);
    expect(rules![1]).toMatch(/\.table-wrap\s*\{[^}]*overflow:\s*visible/);
  });

  it('is linked by both layouts for printing only', () => {
    for (const layout of ['main', 'bare']) {
      const html = fs.readFileSync(path.join(root, `templates/views/layouts/${layout}.hbs`), 'utf8');
      expect(html).toContain('<link rel="stylesheet" href="/static/print.css" media="print">');
    }
  });
});
