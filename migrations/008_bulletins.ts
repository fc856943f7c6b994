import type { Knex } from 'knex';

/**
 * Bulletin classes (Thông tư 39/2020/TT-BTTTT): normal, priority, emergency; an emergency's confirmation deadline
 * and when its escalation mail went out; recurrence exceptions and monthly rules; the order a commune chose for a clash; receivers' heartbeats on their feed tokens.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('broadcasts', (t) => {
    t.string('class', 20).notNullable().defaultTo('normal'); // normal | priority | emergency
    t.integer('confirm_within_minutes').nullable();
    t.text('except_dates').nullable(); // JSON ["YYYY-MM-DD"]: days left out (holidays)
    t.text('monthly_on').nullable(); // JSON [{week: 1..5 | -1, weekday: 1..7}]: "first Monday of the month" instead of weekdays
  });
  await knex.schema.alterTable('occurrences', (t) => {
    t.string('escalated_at', 30).nullable();
    // A clash (a priority bulletin overlapping the commune's own slot) put in the commune's chosen order
    t.integer('play_order').nullable();
    t.string('reordered_at', 30).nullable();
    t.integer('reordered_by').nullable().references('id').inTable('users');
  });
  await knex.schema.alterTable('feed_tokens', (t) => {
    t.string('heartbeat_at', 30).nullable();
    t.string('player_version', 100).nullable();
    t.bigInteger('free_bytes').nullable();
    t.text('files').nullable(); // JSON [sha256]
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
