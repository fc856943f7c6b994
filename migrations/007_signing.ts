import type { Knex } from 'knex';

/**
 * Electronic letters: signing certificates (an organisation's and a signer's), signature and seal images, the
 * signed PDFs of a letter (the approval PDF, the issued PDF, each signed attachment) and its signatures.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('signing_certificates', (t) => {
    t.increments('id');
    t.string('owner_type', 10).notNullable(); // 'org' | 'user'
    t.integer('owner_id').notNullable();
    t.string('kind', 30).notNullable(); // signer implementation: 'pkcs12', …
    t.string('subject', 500).notNullable();
    t.string('common_name', 300).notNullable();
    t.string('organisation', 300).nullable();
    t.string('issuer', 500).notNullable();
    t.string('serial', 100).notNullable();
    t.string('not_before', 30).notNullable();
    t.string('not_after', 30).notNullable();
    t.string('fingerprint256', 100).notNullable();
    t.text('chain_pem').notNullable();
    /** The key material (the PKCS#12 file), stored by hash under MEDIA_DIR/signing. */
    t.string('material_rel_path', 300).nullable();
    /** The PKCS#12 password, AES-256-GCM under SIGNING_KEY; never in clear. */
    t.text('secret_enc').nullable();
    t.text('options').notNullable().defaultTo('{}');
    t.boolean('active').notNullable().defaultTo(true);
    t.integer('created_by').nullable().references('id').inTable('users');
    t.string('created_at', 30).notNullable();
    t.index(['owner_type', 'owner_id', 'active']);
  });

  await knex.schema.createTable('signing_images', (t) => {
    t.increments('id');
    t.string('owner_type', 10).notNullable();
    t.integer('owner_id').notNullable();
    t.string('kind', 20).notNullable(); // 'signature' (a signer's, blue) | 'seal' (an organisation's, red)
    t.string('sha256', 64).notNullable();
    t.string('rel_path', 300).notNullable();
    t.integer('width').notNullable();
    t.integer('height').notNullable();
    /** Printed width in millimetres (from the PNG's pHYs, else the usual size). */
    t.float('width_mm').notNullable();
    t.boolean('active').notNullable().defaultTo(true);
    t.integer('created_by').nullable().references('id').inTable('users');
    t.string('created_at', 30).notNullable();
    t.index(['owner_type', 'owner_id', 'kind', 'active']);
  });

  await knex.schema.createTable('letter_pdfs', (t) => {
    t.increments('id');
    t.integer('letter_id').notNullable().references('id').inTable('letters').onDelete('CASCADE');
    t.integer('attachment_id').nullable().references('id').inTable('letter_attachments').onDelete('CASCADE');
    t.string('stage', 20).notNullable(); // 'approved' | 'issued'
    t.string('rel_path', 300).notNullable();
    t.string('sha256', 64).notNullable();
    t.integer('size').notNullable();
    /** JSON: where the number, date and images are (for the next incremental update). */
    t.text('layout').notNullable().defaultTo('{}');
    t.string('created_at', 30).notNullable();
    t.index(['letter_id', 'stage']);
  });

  await knex.schema.createTable('letter_signatures', (t) => {
    t.increments('id');
    t.integer('letter_id').notNullable().references('id').inTable('letters').onDelete('CASCADE');
    t.integer('attachment_id').nullable().references('id').inTable('letter_attachments').onDelete('CASCADE');
    t.string('kind', 20).notNullable(); // 'signer' | 'organisation'
    t.integer('certificate_id').nullable().references('id').inTable('signing_certificates');
    t.string('subject', 300).notNullable();
    t.string('issuer', 300).notNullable();
    t.string('serial', 100).notNullable();
    t.string('signed_at', 30).notNullable();
    t.integer('signed_by').nullable().references('id').inTable('users');
    t.index(['letter_id']);
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
