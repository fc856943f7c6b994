import type { Knex } from 'knex';

/**
 * Performance at a province's size and campaign edits (issues 17 and 15):
 * - campaign_orgs.from_week / until_week: an organisation is expected from `from_week` (NULL: the campaign's first
 *   week) up to but not including `until_week` (NULL: to the end), so an edit adds or removes expected organisations
 *   from a given week on and the weeks before it keep their figures;
 * - campaigns.closed_at: a closed campaign takes no more reports; campaigns.rollups_built_at (below);
 * - report_rollups: per campaign and week, the number of reports received (and on time) and the change of the
 *   carried-forward totals in that week (headcount, installed): the trend is a running sum of ≤ 160 rows. Kept up
 *   to date by each submission in its own transaction; rebuilt from the reports when the expected set changes.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('campaign_orgs', (t) => {
    t.string('from_week', 8).nullable();
    t.string('until_week', 8).nullable();
  });
  await knex.schema.alterTable('campaigns', (t) => {
    t.string('closed_at', 30).nullable();
    t.integer('closed_by').nullable().references('id').inTable('users');
    // When report_rollups last matched the reports; NULL (campaigns from before this migration, or after a change
    // of the expected organisations) makes the next dashboard or trend rebuild them from the reports.
    t.string('rollups_built_at', 30).nullable();
  });
  await knex.schema.createTable('report_rollups', (t) => {
    t.integer('campaign_id').notNullable().references('id').inTable('campaigns').onDelete('CASCADE');
    t.string('week', 8).notNullable();
    t.integer('received').notNullable().defaultTo(0);
    t.integer('on_time').notNullable().defaultTo(0);
    t.bigInteger('headcount_delta').notNullable().defaultTo(0);
    t.bigInteger('installed_delta').notNullable().defaultTo(0);
    t.primary(['campaign_id', 'week']);
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
