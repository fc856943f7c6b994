import type { Knex } from 'knex';

/**
 * Letters exactly as a văn thư issues them (issue 12): the signer's printed lines (ô 7a) and other titles (ô 7b),
 * the "Lưu:" text, the drafter's initials and copy count (ô 12), and the organisation's header name as printed.
 * Lists are JSON text, as the letters feature stores its variables.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('letters', (t) => {
    t.text('signer_lines').nullable();
    t.text('signer_other_titles').nullable();
    t.string('archive', 200).nullable();
    t.string('drafter_initials', 20).nullable();
    t.integer('copies').nullable();
  });
  await knex.schema.alterTable('orgs', (t) => {
    t.string('header_name', 300).nullable();
  });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
