import { z } from 'zod';
import type { Knex } from 'knex';
import { text } from './validate';
import { foldForSearch } from './search';

/**
 * Search and pages for every list (api.md: lists take `q`, `page`, `pageSize` and answer
 * `{items, total, page, pageSize}`). One schema and one answer shape so every list pages the same way.
 */
export const MAX_PAGE_SIZE = 200;
export const DEFAULT_PAGE_SIZE = 50;

export const listQuery = z.object({
  q: text(200).optional(),
  page: z.coerce.number().int().min(1, 'must be at least 1').max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1, 'must be at least 1').max(MAX_PAGE_SIZE, `at most ${MAX_PAGE_SIZE}`).default(DEFAULT_PAGE_SIZE),
});

export type ListQuery = z.infer<typeof listQuery>;

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

/** Rows to skip for a page (pages count from 1). */
export const offsetOf = (p: Pick<ListQuery, 'page' | 'pageSize'>): number => (p.page - 1) * p.pageSize;

export const pageOf = <T>(items: T[], total: number, p: Pick<ListQuery, 'page' | 'pageSize'>): Page<T> => ({
  items,
  total,
  page: p.page,
  pageSize: p.pageSize,
});

/** A LIKE pattern that finds `q` anywhere, with the user's %, _ and \ taken literally (use with `escape '\'`). */
export const containsPattern = (q: string): string => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** A page link of a list page: its number and the address that shows it (the other filters kept). */
export interface PageLink {
  n: number;
  href: string;
  current: boolean;
}

/** What a list page's search box and page links show (templates/views/partials/pager.hbs, listSearch.hbs). */
export interface PagerView {
  q: string;
  total: number;
  page: number;
  pages: number;
  /** More than one page: the links are shown. */
  many: boolean;
  prev: string | null;
  next: string | null;
  links: PageLink[];
}

/**
 * The page links under a list: previous, next and the numbers around the current page (first and last always),
 * each an ordinary GET address with the list's other filters (`query`) kept, so they work without JavaScript.
 * `param` names the page number in the address (a page with two lists pages the second by another name).
 */
export function pagerView(path: string, query: Record<string, unknown>, page: Page<unknown>, param = 'page'): PagerView {
  const pages = Math.max(1, Math.ceil(page.total / page.pageSize));
  const href = (n: number) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (k === param || v === undefined || v === null || v === '') continue;
      for (const one of Array.isArray(v) ? v : [v]) params.append(k, String(one));
    }
    if (param === 'page' && page.pageSize !== DEFAULT_PAGE_SIZE && !('pageSize' in query)) params.set('pageSize', String(page.pageSize));
    if (n > 1) params.set(param, String(n));
    const s = params.toString();
    return s ? `${path}?${s}` : path;
  };
  const shown = [...new Set([1, page.page - 2, page.page - 1, page.page, page.page + 1, page.page + 2, pages])].filter((n) => n >= 1 && n <= pages).sort((a, b) => a - b);
  return {
    q: typeof query.q === 'string' ? query.q : '',
    total: page.total,
    page: page.page,
    pages,
    many: pages > 1,
    prev: page.page > 1 ? href(page.page - 1) : null,
    next: page.page < pages ? href(page.page + 1) : null,
    links: shown.map((n) => ({ n, href: href(n), current: n === page.page })),
  };
}

/** A list page's query string with its empty fields left out (a GET form sends `q=` for an empty search box). */
export const givenFields = (query: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(query).filter(([, v]) => v !== '' && v !== undefined));

/**
 * Narrows a query to rows where one of `columns` contains `q`, case-insensitively on both databases (lower() on
 * both sides; SQLite's lower() folds ASCII only, so Vietnamese capitals match on PostgreSQL alone).
 */
export function whereContains<T extends Knex.QueryBuilder>(query: T, columns: string[], q: string): T {
  const pattern = containsPattern(q.toLowerCase());
  return query.where((w) => {
    for (const c of columns) w.orWhereRaw(`lower(??) like ? escape '\\'`, [c, pattern]);
  }) as T;
}

/**
 * Search and a page over a list already read and authorised in memory (lists of one organisation's audio,
 * broadcasts or campaigns, whose access rule is applied row by row): `textOf` gives what `q` is looked for in,
 * accents and case ignored.
 */
export function pageInMemory<T>(items: readonly T[], query: ListQuery, textOf: (item: T) => string): Page<T> {
  const words = query.q ? foldForSearch(query.q).split(' ').filter(Boolean) : [];
  const found = words.length ? items.filter((item) => {
    const text = ` ${foldForSearch(textOf(item))}`;
    return words.every((w) => text.includes(w));
  }) : query.q ? [] : [...items];
  return pageOf(found.slice(offsetOf(query), offsetOf(query) + query.pageSize), found.length, query);
}
