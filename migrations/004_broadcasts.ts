import type { Knex } from 'knex';

/**
 * Broadcasts: uploaded audio and its loudspeaker master, schedules, their expansion into one occurrence
 * per commune per slot, and the revocable feed tokens of IP loudspeaker receivers.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('audio_assets', (t) => {
    t.increments('id');
    t.integer('owner_org_id').notNullable().references('id').inTable('orgs');
    t.string('title', 300).notNullable();
    t.string('status', 20).notNullable(); // processing | ready | failed
    t.integer('progress').notNullable().defaultTo(0);
    t.string('original_sha256', 64).notNullable();
    t.string('original_rel_path', 300).notNullable();
    t.string('original_mime', 60).notNullable();
    t.string('original_format', 20).notNullable();
    t.string('original_name', 300).nullable();
    t.bigInteger('original_size').notNullable();
    t.string('master_sha256', 64).nullable();
    t.string('master_rel_path', 300).nullable();
    t.bigInteger('master_size').nullable();
    t.float('duration_sec').nullable();
    t.integer('sample_rate').nullable();
    t.integer('channels').nullable();
    t.float('loudness_lufs').nullable();
    t.float('true_peak_dbtp').nullable();
    t.text('error').nullable();
    t.integer('job_attempts').notNullable().defaultTo(0);
    t.string('job_started_at', 30).nullable();
    /** A running transcode renews this; a row still "processing" past it was left by a dead process. */
    t.string('job_lease_until', 30).nullable();
    t.integer('created_by').nullable().references('id').inTable('users');
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.index(['owner_org_id']);
    t.index(['status', 'job_lease_until']);
    t.index(['master_sha256']);
  });

  await knex.schema.createTable('broadcasts', (t) => {
    t.increments('id');
    t.integer('owner_org_id').notNullable().references('id').inTable('orgs');
    t.integer('audio_id').notNullable().references('id').inTable('audio_assets');
    t.string('title', 300).notNullable();
    t.integer('campaign_id').nullable().references('id').inTable('campaigns');
    t.string('start_date', 10).notNullable();
    t.string('end_date', 10).notNullable();
    t.text('times').notNullable(); // JSON ["06:00","17:00"]
    t.text('days_of_week').notNullable(); // JSON [1..7]
    t.integer('created_by').nullable().references('id').inTable('users');
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.index(['owner_org_id']);
  });

  await knex.schema.createTable('broadcast_targets', (t) => {
    t.integer('broadcast_id').notNullable().references('id').inTable('broadcasts').onDelete('CASCADE');
    t.integer('org_id').notNullable().references('id').inTable('orgs');
    t.primary(['broadcast_id', 'org_id']);
    t.index(['org_id']);
  });

  await knex.schema.createTable('occurrences', (t) => {
    t.increments('id');
    t.integer('broadcast_id').notNullable().references('id').inTable('broadcasts').onDelete('CASCADE');
    t.integer('org_id').notNullable().references('id').inTable('orgs');
    t.string('scheduled_at', 30).notNullable();
    t.string('status', 20).notNullable(); // pending | played | missed | cancelled
    t.string('confirmed_at', 30).nullable();
    t.integer('confirmed_by').nullable().references('id').inTable('users');
    t.string('confirmed_via', 20).nullable(); // user | feed
    t.string('updated_at', 30).notNullable();
    t.unique(['broadcast_id', 'org_id', 'scheduled_at']);
    t.index(['org_id', 'scheduled_at']);
    t.index(['status', 'scheduled_at']);
  });

  await knex.schema.createTable('feed_tokens', (t) => {
    t.increments('id');
    t.integer('org_id').notNullable().references('id').inTable('orgs');
    t.string('token_hash', 64).notNullable().unique();
    t.string('label', 100).nullable();
    t.integer('created_by').nullable().references('id').inTable('users');
    t.string('created_at', 30).notNullable();
    t.string('revoked_at', 30).nullable();
    t.string('last_used_at', 30).nullable();
    t.index(['org_id']);
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
