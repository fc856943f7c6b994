import type { Knex } from 'knex';

/**
 * Administrators become provincial: each manages the organisation tree under their own organisation, and one
 * role, 'superadmin', keeps the whole installation. A new installation gives it to the administrator created
 * at first start; an existing one gives it here to its first administrator (the earliest active user holding
 * 'admin', which is the one the first start created). Roles are strings, so no column changes.
 */
export async function up(knex: Knex): Promise<void> {
  const existing = await knex('user_roles').where({ role: 'superadmin' }).first();
  if (existing) return;
  const first = await knex('users')
    .join('user_roles', 'user_roles.user_id', 'users.id')
    .where('user_roles.role', 'admin')
    .andWhere('users.active', true)
    .orderBy('users.id')
    .first('users.id');
  if (first) await knex('user_roles').insert({ user_id: first.id, role: 'superadmin' });
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
