import { z } from 'zod';
import { text } from './validate';

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
