import type { Knex } from 'knex';

/**
 * Know what waits, and accounts (issue 15 items 3–4): in-app notifications (a message key and its parameters,
 * rendered in the reader's language when read), single-use password links (reset and invitation; only the
 * sha256 of the token is kept) and the flag that makes an imported user choose their own password.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('notifications', (t) => {
    t.increments('id');
    t.integer('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('kind', 60).notNullable();
    t.text('params').notNullable();
    t.string('link', 500).nullable();
    t.string('created_at', 30).notNullable();
    t.string('read_at', 30).nullable();
    t.index(['user_id', 'read_at']);
  });

  await knex.schema.createTable('password_links', (t) => {
    t.increments('id');
    t.integer('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('token_hash', 64).notNullable().unique();
    t.string('purpose', 10).notNullable();
    t.string('created_at', 30).notNullable();
    t.string('expires_at', 30).notNullable();
    t.string('used_at', 30).nullable();
    t.index(['user_id']);
  });

  await knex.schema.alterTable('users', (t) => {
    t.boolean('must_change_password').notNullable().defaultTo(false);
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
