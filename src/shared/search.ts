/**
 * Search text without accents or case, shared by every full-text search (letters on SQLite FTS5 and PostgreSQL
 * tsvector): "Quyết định 1399/STTTT" and "quyet dinh 1399 stttt" fold to the same words, so a search typed
 * with or without Vietnamese diacritics finds the same rows on both databases.
 */

/** Lower case, no diacritics (đ → d), every run of other characters one space: only [a-z0-9] words remain. */
export function foldForSearch(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** The words of a search, folded; at most 12 (a longer search is not more precise). Each is [a-z0-9]+, safe to quote. */
export function searchWords(q: string): string[] {
  return foldForSearch(q).split(' ').filter(Boolean).slice(0, 12);
}

/** An SQLite FTS5 MATCH expression: every word must be there, each as a prefix ("quyet" finds "quyet", "1399" finds "1399"). */
export const fts5Query = (words: string[]): string => words.map((w) => `"${w}"*`).join(' ');

/** A PostgreSQL to_tsquery('simple', …) expression with the same meaning: every word, as a prefix. */
export const tsQuery = (words: string[]): string => words.map((w) => `${w}:*`).join(' & ');
