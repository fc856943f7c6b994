import type { Knex } from 'knex';

/**
 * Incoming letters (issue 14): the receiving office's inbox, its incoming register (sổ đăng ký văn bản đến,
 * NĐ 30/2020 Điều 22: numbered from 1 per organisation and calendar year), the channel of each delivery, and
 * every acknowledgement link ever sent (a reminder adds a link; an earlier one keeps working).
 * Timestamps are ISO-8601 UTC strings (see db.ts nowIso).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('deliveries', (t) => {
    /** system (the recipient's inbox) | email | hand (no address: delivered by hand). */
    t.string('channel', 10).notNullable().defaultTo('email');
  });
  await knex('deliveries').where({ status: 'no_email' }).update({ channel: 'hand' });

  await knex.schema.createTable('delivery_ack_tokens', (t) => {
    t.string('token_hash', 64).primary();
    t.integer('delivery_id').notNullable().references('id').inTable('deliveries');
    t.string('created_at', 30).notNullable();
    t.index(['delivery_id']);
  });
  const old = await knex<{ id: number; ack_token_hash: string; updated_at: string }>('deliveries').whereNotNull('ack_token_hash').select('id', 'ack_token_hash', 'updated_at');
  for (let i = 0; i < old.length; i += 500) {
    await knex('delivery_ack_tokens').insert(old.slice(i, i + 500).map((r) => ({ token_hash: r.ack_token_hash, delivery_id: r.id, created_at: r.updated_at })));
  }

  // One letter that arrived at one organisation: from a dispatch inside this installation or an imported edXML file.
  await knex.schema.createTable('inbox_items', (t) => {
    t.increments('id');
    t.integer('org_id').notNullable().references('id').inTable('orgs');
    /** "letter:<id>" (dispatched here) or "edxml:<sha256 of the sender code, notation and date>": one item each per organisation. */
    t.string('source_key', 200).notNullable();
    /** system | edxml */
    t.string('source', 10).notNullable();
    t.integer('letter_id').nullable().references('id').inTable('letters');
    t.integer('delivery_id').nullable().references('id').inTable('deliveries');
    t.integer('from_org_id').nullable().references('id').inTable('orgs');
    t.string('from_code', 60).nullable();
    t.string('from_name', 300).notNullable();
    t.string('symbol', 120).notNullable();
    t.string('subject', 500).notNullable();
    t.string('document_type', 100).notNullable();
    t.string('place', 120).nullable();
    /** The letter's date (ngày văn bản), YYYY-MM-DD. */
    t.string('letter_date', 10).nullable();
    t.string('signer_name', 200).nullable();
    t.string('signer_title', 200).nullable();
    t.string('urgency', 20).nullable();
    /** JSON [{name, path (relative to MEDIA_DIR), contentType, sha256, size, main}]: the PDF (main) and the attachments. */
    t.text('files').notNullable();
    /** new | received | assigned | done */
    t.string('status', 10).notNullable();
    t.string('arrived_at', 30).notNullable();
    t.integer('incoming_year').nullable();
    t.integer('incoming_number').nullable();
    t.string('received_at', 30).nullable();
    t.integer('received_by').nullable().references('id').inTable('users');
    t.integer('assignee_id').nullable().references('id').inTable('users');
    t.integer('assigned_by').nullable().references('id').inTable('users');
    t.string('assigned_at', 30).nullable();
    t.string('due_date', 10).nullable();
    t.string('assign_note', 1000).nullable();
    t.string('done_at', 30).nullable();
    t.string('done_note', 2000).nullable();
    t.string('updated_at', 30).notNullable();
    t.unique(['org_id', 'source_key']);
    t.index(['org_id', 'status']);
    t.index(['assignee_id', 'status']);
    t.index(['letter_id']);
  });

  // The incoming register: one row per number, from 1 per (organisation, calendar year in Vietnam), no gaps.
  await knex.schema.createTable('incoming_register', (t) => {
    t.increments('id');
    t.integer('org_id').notNullable().references('id').inTable('orgs');
    t.integer('year').notNullable();
    t.integer('number').notNullable();
    t.integer('inbox_item_id').notNullable().unique().references('id').inTable('inbox_items');
    t.string('received_at', 30).notNullable();
    t.integer('received_by').nullable().references('id').inTable('users');
    t.unique(['org_id', 'year', 'number']);
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
