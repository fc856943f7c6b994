import { engine } from 'express-handlebars';
import path from 'node:path';
import type { Express } from 'express';
import { VIEWS_DIR } from '../shared/paths';
import { t, type Locale } from '../shared/i18n';
import { formatEnDate, formatVnDate, formatVnDateTime, formatWeek } from '../shared/time';
import { formatSize } from '../shared/media';

type HelperOptions = { data?: { root?: { locale?: Locale } }; hash?: Record<string, unknown> };

const localeOf = (options: HelperOptions): Locale => options?.data?.root?.locale ?? 'vi';

/** Handlebars helpers available to every page. */
export const helpers = {
  t(key: string, options: HelperOptions) {
    return t(localeOf(options), key, options.hash);
  },
  date(value: string | Date | null | undefined, options: HelperOptions) {
    if (!value) return '';
    return localeOf(options) === 'en' ? formatEnDate(value) : formatVnDate(value);
  },
  datetime(value: string | Date | null | undefined) {
    return value ? formatVnDateTime(value) : '';
  },
  /** A reporting week as read: "Tuần 49 (01/12–07/12/2026)" (the ISO key stays in links and form fields). */
  weekLabel(value: string | null | undefined, options: HelperOptions) {
    return value ? formatWeek(value, localeOf(options)) : '';
  },
  /** A file size in B/KB/MB. */
  fileSize(value: number | null | undefined, options: HelperOptions) {
    return value == null ? '' : formatSize(value, localeOf(options));
  },
  eq: (a: unknown, b: unknown) => a === b,
  ne: (a: unknown, b: unknown) => a !== b,
  or: (...args: unknown[]) => args.slice(0, -1).some(Boolean),
  and: (...args: unknown[]) => args.slice(0, -1).every(Boolean),
  not: (a: unknown) => !a,
  includes: (list: unknown, item: unknown) => Array.isArray(list) && list.includes(item),
  /** Is `item` among `list`, ids compared as text (a form sends "12", a stored list holds 12)? */
  picked: (list: unknown, item: unknown) => Array.isArray(list) && list.some((x) => String(x) === String(item)),
  json: (v: unknown) => JSON.stringify(v),
  number(v: number | null | undefined, options: HelperOptions) {
    if (v == null) return '';
    return new Intl.NumberFormat(localeOf(options) === 'en' ? 'en-GB' : 'vi-VN', { maximumFractionDigits: 2 }).format(v);
  },
  percent(v: number | null | undefined, options: HelperOptions) {
    if (v == null) return '';
    return new Intl.NumberFormat(localeOf(options) === 'en' ? 'en-GB' : 'vi-VN', { maximumFractionDigits: 2 }).format(v) + '%';
  },
  indent: (depth: number) => '\u00a0\u00a0\u00a0\u00a0'.repeat(depth),
  min: (a: number, b: number) => Math.min(a, b),
  concat: (...args: unknown[]) => args.slice(0, -1).join(''),
};

export function setupViews(app: Express): void {
  app.engine(
    'hbs',
    engine({
      extname: '.hbs',
      defaultLayout: 'main',
      layoutsDir: path.join(VIEWS_DIR, 'layouts'),
      partialsDir: path.join(VIEWS_DIR, 'partials'),
      helpers,
    }),
  );
  app.set('view engine', 'hbs');
  app.set('views', VIEWS_DIR);
}
