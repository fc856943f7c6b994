import type { Knex } from 'knex';
import { foldForSearch } from '../src/shared/search';

/**
 * Day-to-day operations (issue 15): organisations can be deactivated (kept for history, gone from pickers), and
 * letters have a full-text search over subject, symbol, body and recipients.
 *
 * `letters.search_text` holds those texts folded (lower case, no diacritics, words only: src/shared/search.ts), written
 * by the letters service whenever a letter or its recipients change. PostgreSQL indexes it with a GIN tsvector
 * ('simple' configuration: the folding already did what unaccent would); SQLite keeps an FTS5 table in step with
 * it by triggers.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('orgs', (t) => {
    t.string('deactivated_at', 30).nullable();
  });
  await knex.schema.alterTable('letters', (t) => {
    t.text('search_text').nullable();
  });

  const pg = (knex.client as { config: Knex.Config }).config.client === 'pg';
  if (pg) {
    await knex.raw(`CREATE INDEX letters_search_gin ON letters USING gin (to_tsvector('simple', coalesce(search_text, '')))`);
  } else {
    await knex.raw(`CREATE VIRTUAL TABLE letters_fts USING fts5(search_text, tokenize = 'unicode61')`);
    await knex.raw(`CREATE TRIGGER letters_fts_insert AFTER INSERT ON letters BEGIN
      INSERT INTO letters_fts(rowid, search_text) VALUES (new.id, coalesce(new.search_text, '')); END`);
    await knex.raw(`CREATE TRIGGER letters_fts_update AFTER UPDATE OF search_text ON letters BEGIN
      DELETE FROM letters_fts WHERE rowid = old.id;
      INSERT INTO letters_fts(rowid, search_text) VALUES (new.id, coalesce(new.search_text, '')); END`);
    await knex.raw(`CREATE TRIGGER letters_fts_delete AFTER DELETE ON letters BEGIN
      DELETE FROM letters_fts WHERE rowid = old.id; END`);
  }

  // Letters written before this migration: the same texts the service folds (see letters/search.ts).
  const letters: { id: number; subject: string; body: string; symbol: string | null; unit_code: string; short_name: string }[] = await knex('letters as l')
    .join('orgs as o', 'o.id', 'l.issuing_org_id')
    .select('l.id', 'l.subject', 'l.body', 'l.symbol', 'l.unit_code', 'o.short_name');
  for (const l of letters) {
    const recipients: { name: string | null; org_name: string | null }[] = await knex('letter_recipients as r')
      .leftJoin('orgs as o', 'o.id', 'r.org_id')
      .where('r.letter_id', l.id)
      .select('r.name', 'o.name as org_name');
    const text = [l.subject, l.symbol ?? '', `${l.short_name}-${l.unit_code}`, l.body, ...recipients.map((r) => r.org_name ?? r.name ?? '')].join(' ');
    await knex('letters').where({ id: l.id }).update({ search_text: foldForSearch(text) });
  }
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
