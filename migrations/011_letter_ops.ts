import type { Knex } from 'knex';

/**
 * Letters as an office runs them (issue 12, items 2 and 9):
 * - `register_starts`: the number an organisation's outgoing register gives next in a year, for an office that
 *   moves to the system mid-year (Hà Tĩnh continues at 1399). Issuing takes max(last issued + 1, start).
 * - `letter_events`: a letter's history (drafted, submitted, rejected with its reason, approved, signed, issued,
 *   dispatched), written in the same transaction as the change it records.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('register_starts', (t) => {
    t.integer('issuing_org_id').notNullable().references('id').inTable('orgs');
    t.integer('year').notNullable();
    t.integer('next_number').notNullable();
    t.integer('set_by').nullable().references('id').inTable('users');
    t.string('set_at', 30).notNullable();
    t.primary(['issuing_org_id', 'year']);
  });
  await knex.schema.createTable('letter_events', (t) => {
    t.increments('id');
    t.integer('letter_id').notNullable().references('id').inTable('letters').onDelete('CASCADE');
    t.string('at', 30).notNullable();
    t.string('action', 20).notNullable();
    t.integer('user_id').nullable().references('id').inTable('users');
    t.text('note').nullable();
    t.index(['letter_id', 'id']);
    t.index(['at']);
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
