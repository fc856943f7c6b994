import type { Knex } from 'knex';

export async function up(_knex: Knex): Promise<void> {
  // Filled in by the feature that owns these tables.
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
