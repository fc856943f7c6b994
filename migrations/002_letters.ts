import type { Knex } from 'knex';

/**
 * Letters: templates, drafts and their parts, attachments, and the outgoing register (sổ đăng ký văn bản đi).
 * The register's unique constraints are what make numbering safe: one number per (issuer, year), one number per letter.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('letter_templates', (t) => {
    t.increments('id');
    t.string('name', 200).notNullable().unique();
    t.string('subject', 500).notNullable().defaultTo('');
    t.text('body').notNullable();
    /** JSON: [{name,label,type,required}] */
    t.text('variables').notNullable().defaultTo('[]');
    t.string('source', 20).notNullable().defaultTo('user'); // 'shipped' for templates/letters/*.hbs
    t.integer('created_by').nullable().references('id').inTable('users');
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
  });

  await knex.schema.createTable('letters', (t) => {
    t.increments('id');
    t.integer('issuing_org_id').notNullable().references('id').inTable('orgs');
    t.integer('template_id').nullable().references('id').inTable('letter_templates');
    t.text('variables').nullable(); // JSON object
    t.string('subject', 500).notNullable();
    t.text('body').notNullable();
    t.string('place', 120).notNullable();
    t.string('urgency', 20).nullable();
    t.string('signer_authority', 10).nullable();
    t.string('signer_authority_title', 200).nullable();
    t.string('signer_title', 200).notNullable();
    t.string('signer_name', 200).notNullable();
    t.string('unit_code', 40).notNullable();
    t.integer('campaign_id').nullable().references('id').inTable('campaigns');
    t.string('status', 20).notNullable().defaultTo('draft');
    t.text('reject_reason').nullable();
    t.integer('number').nullable();
    t.integer('year').nullable();
    t.string('symbol', 120).nullable();
    t.string('issued_at', 30).nullable();
    t.integer('created_by').nullable().references('id').inTable('users');
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.index(['issuing_org_id', 'status']);
    t.index(['campaign_id']);
  });

  await knex.schema.createTable('letter_recipients', (t) => {
    t.increments('id');
    t.integer('letter_id').notNullable().references('id').inTable('letters').onDelete('CASCADE');
    t.integer('org_id').nullable().references('id').inTable('orgs');
    t.string('name', 300).nullable(); // free-form recipient (org_id null)
    t.string('email', 254).nullable();
    t.integer('position').notNullable();
    t.index(['letter_id']);
  });

  await knex.schema.createTable('letter_legal_bases', (t) => {
    t.increments('id');
    t.integer('letter_id').notNullable().references('id').inTable('letters').onDelete('CASCADE');
    t.text('text').notNullable();
    t.integer('position').notNullable();
    t.index(['letter_id']);
  });

  await knex.schema.createTable('letter_distribution', (t) => {
    t.increments('id');
    t.integer('letter_id').notNullable().references('id').inTable('letters').onDelete('CASCADE');
    t.string('text', 300).notNullable();
    t.integer('position').notNullable();
    t.index(['letter_id']);
  });

  await knex.schema.createTable('letter_attachments', (t) => {
    t.increments('id');
    t.integer('letter_id').notNullable().references('id').inTable('letters').onDelete('CASCADE');
    t.string('name', 255).notNullable();
    t.integer('size').notNullable();
    t.string('sha256', 64).notNullable();
    t.string('mime', 100).notNullable();
    t.string('rel_path', 300).notNullable();
    t.integer('created_by').nullable().references('id').inTable('users');
    t.string('created_at', 30).notNullable();
    t.index(['letter_id']);
  });

  await knex.schema.createTable('outgoing_register', (t) => {
    t.increments('id');
    t.integer('issuing_org_id').notNullable().references('id').inTable('orgs');
    t.integer('year').notNullable();
    t.integer('number').notNullable();
    t.integer('letter_id').notNullable().references('id').inTable('letters');
    t.string('symbol', 120).notNullable();
    t.string('issued_at', 30).notNullable();
    t.integer('issued_by').nullable().references('id').inTable('users');
    t.unique(['issuing_org_id', 'year', 'number']);
    t.unique(['letter_id']);
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
