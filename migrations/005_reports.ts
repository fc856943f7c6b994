import type { Knex } from 'knex';

/**
 * Compliance reports. `campaigns` and `campaign_orgs` come from 001_foundation; this adds:
 * - report_submissions: the current figures of one organisation for one ISO week (one row, updated in place),
 * - report_revisions: every change to those figures (who, when, values), numbered 1, 2, 3… per submission,
 * - report_reminders: one row per reminder sent (campaign, org, week, kind), so each goes out at most once.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('campaigns', (t) => {
    t.integer('group_id').nullable().references('id').inTable('recipient_groups');
  });

  await knex.schema.createTable('report_submissions', (t) => {
    t.increments('id');
    t.integer('campaign_id').notNullable().references('id').inTable('campaigns').onDelete('CASCADE');
    t.integer('org_id').notNullable().references('id').inTable('orgs');
    t.string('week', 8).notNullable();
    t.integer('headcount').notNullable();
    t.integer('installed').notNullable();
    t.string('note', 1000).nullable();
    t.integer('revision').notNullable();
    /** When the first revision arrived: decides on time / late. */
    t.string('submitted_at', 30).notNullable();
    t.boolean('on_time').notNullable();
    t.string('updated_at', 30).notNullable();
    t.integer('updated_by').nullable().references('id').inTable('users');
    // One row per organisation and week; also the index every "latest report up to week W" lookup seeks on.
    t.unique(['campaign_id', 'org_id', 'week']);
    t.index(['campaign_id', 'week']);
  });

  await knex.schema.createTable('report_revisions', (t) => {
    t.increments('id');
    t.integer('campaign_id').notNullable().references('id').inTable('campaigns').onDelete('CASCADE');
    t.integer('org_id').notNullable().references('id').inTable('orgs');
    t.string('week', 8).notNullable();
    t.integer('revision').notNullable();
    t.integer('headcount').notNullable();
    t.integer('installed').notNullable();
    t.string('note', 1000).nullable();
    t.boolean('on_time').notNullable();
    t.integer('submitted_by').nullable().references('id').inTable('users');
    t.string('submitted_at', 30).notNullable();
    t.unique(['campaign_id', 'org_id', 'week', 'revision']);
  });

  await knex.schema.createTable('report_reminders', (t) => {
    t.increments('id');
    t.integer('campaign_id').notNullable().references('id').inTable('campaigns').onDelete('CASCADE');
    t.integer('org_id').notNullable().references('id').inTable('orgs');
    t.string('week', 8).notNullable();
    /** before (ahead of the deadline), late (after it), manual (the department pressed "remind now"). */
    t.string('kind', 10).notNullable();
    t.text('recipients').notNullable();
    t.string('sent_at', 30).notNullable();
    t.integer('sent_by').nullable().references('id').inTable('users');
    t.unique(['campaign_id', 'org_id', 'week', 'kind']);
    t.index(['campaign_id', 'week']);
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
