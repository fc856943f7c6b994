import type { Knex } from 'knex';

/**
 * Organisations, users, sessions, the audit log, job leases and campaigns (the hub every feature links to).
 * Timestamps are ISO-8601 UTC strings (see db.ts nowIso) so both engines compare them the same way.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('orgs', (t) => {
    t.increments('id');
    t.integer('parent_id').nullable().references('id').inTable('orgs');
    t.string('kind', 20).notNullable();
    t.string('name', 300).notNullable();
    t.string('short_name', 40).notNullable();
    t.string('code', 60).nullable().unique();
    t.string('email', 254).nullable();
    t.integer('headcount').nullable();
    t.integer('population18').nullable();
    t.string('place', 120).nullable();
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.index(['parent_id']);
    t.index(['kind']);
  });

  await knex.schema.createTable('recipient_groups', (t) => {
    t.increments('id');
    t.integer('owner_org_id').notNullable().references('id').inTable('orgs');
    t.string('name', 200).notNullable();
    t.string('created_at', 30).notNullable();
    t.unique(['owner_org_id', 'name']);
  });

  await knex.schema.createTable('recipient_group_members', (t) => {
    t.integer('group_id').notNullable().references('id').inTable('recipient_groups').onDelete('CASCADE');
    t.integer('org_id').notNullable().references('id').inTable('orgs');
    t.primary(['group_id', 'org_id']);
  });

  await knex.schema.createTable('users', (t) => {
    t.increments('id');
    t.string('email', 254).notNullable().unique();
    t.string('name', 200).notNullable();
    t.string('password_hash', 200).notNullable();
    t.integer('org_id').notNullable().references('id').inTable('orgs');
    t.string('locale', 5).notNullable().defaultTo('vi');
    t.boolean('active').notNullable().defaultTo(true);
    t.string('created_at', 30).notNullable();
    t.index(['org_id']);
  });

  await knex.schema.createTable('user_roles', (t) => {
    t.integer('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('role', 20).notNullable();
    t.primary(['user_id', 'role']);
  });

  // Page sessions and API bearer tokens are the same thing with a different lifetime: a hashed secret bound to a user.
  await knex.schema.createTable('auth_tokens', (t) => {
    t.increments('id');
    t.string('token_hash', 64).notNullable().unique();
    t.integer('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('kind', 10).notNullable();
    t.string('csrf_token', 64).nullable();
    t.string('label', 100).nullable();
    t.string('created_at', 30).notNullable();
    t.string('expires_at', 30).notNullable();
    t.string('revoked_at', 30).nullable();
    t.string('last_used_at', 30).nullable();
    t.index(['user_id']);
  });

  await knex.schema.createTable('login_attempts', (t) => {
    t.increments('id');
    t.string('email', 254).notNullable();
    t.string('ip', 64).notNullable();
    t.boolean('success').notNullable();
    t.string('at', 30).notNullable();
    t.index(['email', 'at']);
    t.index(['ip', 'at']);
  });

  await knex.schema.createTable('audit_log', (t) => {
    t.increments('id');
    t.string('at', 30).notNullable();
    t.integer('user_id').nullable().references('id').inTable('users');
    t.integer('org_id').nullable();
    t.string('action', 60).notNullable();
    t.string('entity', 40).notNullable();
    t.string('entity_id', 60).nullable();
    t.text('detail').nullable();
    t.string('request_id', 64).nullable();
    t.string('ip', 64).nullable();
    t.index(['at']);
    t.index(['entity', 'entity_id']);
  });

  await knex.schema.createTable('job_leases', (t) => {
    t.string('name', 120).primary();
    t.string('holder', 120).notNullable();
    t.string('expires_at', 30).notNullable();
  });

  await knex.schema.createTable('campaigns', (t) => {
    t.increments('id');
    t.integer('owner_org_id').notNullable().references('id').inTable('orgs');
    t.string('name', 300).notNullable();
    t.text('description').nullable();
    t.string('metric_label', 300).nullable();
    t.decimal('target_percent', 6, 2).notNullable().defaultTo(100);
    t.string('start_date', 10).notNullable();
    t.string('end_date', 10).notNullable();
    t.integer('deadline_weekday').nullable();
    t.string('deadline_time', 5).nullable();
    t.integer('reminder_hours_before').nullable();
    t.boolean('counts_residents').notNullable().defaultTo(false);
    t.integer('created_by').nullable().references('id').inTable('users');
    t.string('created_at', 30).notNullable();
    t.index(['owner_org_id']);
  });

  await knex.schema.createTable('campaign_orgs', (t) => {
    t.integer('campaign_id').notNullable().references('id').inTable('campaigns').onDelete('CASCADE');
    t.integer('org_id').notNullable().references('id').inTable('orgs');
    t.primary(['campaign_id', 'org_id']);
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
