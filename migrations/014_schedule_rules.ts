import type { Knex } from 'knex';

/**
 * Schedules as rules (issue 17): a broadcast row is its rule (dates, times, weekdays, exceptions, monthly days);
 * occurrences exist only for a rolling window, and `materialised_until` is the last local day written (the
 * `broadcasts.materialise` job extends it; UNIQUE(broadcast, commune, instant) makes a repeated run harmless).
 * Cancelling a schedule (issue 15): when, by whom, why.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('broadcasts', (t) => {
    t.string('materialised_until', 10).nullable();
    t.string('cancelled_at', 30).nullable();
    t.integer('cancelled_by').nullable().references('id').inTable('users');
    t.string('cancel_reason', 500).nullable();
  });
  // Schedules written before this were expanded in full: everything up to their end date is there.
  await knex('broadcasts').update({ materialised_until: knex.ref('end_date') });
  await knex.schema.alterTable('broadcasts', (t) => {
    t.index(['materialised_until']);
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
