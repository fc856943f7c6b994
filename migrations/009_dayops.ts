import type { Knex } from 'knex';

/**
 * Day-to-day operations (issue 15): when a broadcaster's confirmation was recorded (so it can be undone within a
 * few minutes), and the short note a broadcaster attaches to a missed slot ("mất điện").
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('occurrences', (t) => {
    t.string('confirm_recorded_at', 30).nullable();
    t.string('missed_note', 200).nullable();
    t.string('missed_note_at', 30).nullable();
    t.integer('missed_note_by').nullable().references('id').inTable('users');
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
