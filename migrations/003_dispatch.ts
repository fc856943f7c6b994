import type { Knex } from 'knex';

/**
 * Dispatch: the shared mail outbox (letters and report reminders), one delivery per recipient of a
 * dispatched letter, and the record of each letter's dispatch.
 * Timestamps are ISO-8601 UTC strings (see db.ts nowIso).
 */
export async function up(knex: Knex): Promise<void> {
  // One row per e-mail to send. States (src/dispatch/states.ts): queued → sending → sent | failed (| queued again on a temporary failure).
  await knex.schema.createTable('mail_outbox', (t) => {
    t.increments('id');
    t.string('kind', 30).notNullable();
    /** Unique per logical message: enqueueing the same key twice stores one message. */
    t.string('dedupe_key', 200).notNullable().unique();
    /** Organisation the message is sent for (who may see it in the outbox); null for system mail. */
    t.integer('org_id').nullable().references('id').inTable('orgs');
    t.string('to_address', 320).notNullable();
    t.string('subject', 500).notNullable();
    t.text('text').notNullable();
    t.text('html').nullable();
    /** JSON [{filename, path (relative to MEDIA_DIR, or absolute), contentType, sha256?} | {filename, contentBase64 (small only)}] */
    t.text('attachments').notNullable().defaultTo('[]');
    /** Our own Message-ID, fixed before the first attempt: the key for reconciling after a crash. */
    t.string('message_id', 200).notNullable().unique();
    t.string('status', 10).notNullable().defaultTo('queued');
    t.integer('attempts').notNullable().defaultTo(0);
    t.string('next_attempt_at', 30).notNullable();
    /** Process that moved the row to "sending" (host:pid:nonce) and the batch it claimed it in. */
    t.string('claimed_by', 120).nullable();
    t.string('claim_token', 40).nullable();
    t.string('claimed_at', 30).nullable();
    t.text('last_error').nullable();
    t.string('sent_at', 30).nullable();
    t.string('created_at', 30).notNullable();
    t.index(['status', 'next_attempt_at']);
    t.index(['claim_token']);
    t.index(['org_id', 'id']);
  });

  await knex.schema.createTable('letter_dispatches', (t) => {
    t.integer('letter_id').primary().references('id').inTable('letters');
    t.integer('issuing_org_id').notNullable().references('id').inTable('orgs');
    t.string('number_symbol', 120).notNullable();
    t.string('subject', 500).notNullable();
    t.integer('dispatched_by').nullable().references('id').inTable('users');
    t.string('first_dispatched_at', 30).notNullable();
    t.string('last_dispatched_at', 30).notNullable();
  });

  await knex.schema.createTable('deliveries', (t) => {
    t.increments('id');
    t.integer('letter_id').notNullable().references('id').inTable('letters');
    /** "org:<id>" for an organisation, "name:<lower-case name>" for a free-form recipient: one delivery each. */
    t.string('recipient_key', 340).notNullable();
    t.string('recipient_name', 300).notNullable();
    t.integer('org_id').nullable().references('id').inTable('orgs');
    t.string('email', 320).nullable();
    /** no_email | queued | sent | failed | acknowledged */
    t.string('status', 15).notNullable();
    t.integer('outbox_id').nullable().references('id').inTable('mail_outbox');
    t.string('ack_token_hash', 64).nullable().unique();
    /** Our own error (e.g. INVALID_EMAIL); SMTP replies stay on the outbox row. */
    t.string('error_code', 40).nullable();
    t.integer('resend_count').notNullable().defaultTo(0);
    t.string('acknowledged_at', 30).nullable();
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.unique(['letter_id', 'recipient_key']);
    t.index(['outbox_id']);
    t.index(['status']);
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
