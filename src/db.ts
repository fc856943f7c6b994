import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { Knex } from 'knex';
import { migrations } from '../migrations';

export type Db = Knex;
export type Tx = Knex.Transaction;
/** A query runner: the database itself or a transaction on it. Repos accept either. */
export type Q = Knex | Knex.Transaction;

export interface DbOptions {
  url: string;
  /** PostgreSQL schema to work in (tests use a fresh one per run). */
  schema?: string;
}

export function isPostgres(db: Q): boolean {
  return db.client.config.client === 'pg';
}

function sqliteFile(url: string): string {
  const rest = url.replace(/^sqlite:(\/\/)?/, '');
  return rest === ':memory:' ? rest : path.resolve(rest);
}

/** Opens the database named by DATABASE_URL: `sqlite://<file>` (embedded default) or `postgres://...`. */
export function createDb(opts: DbOptions): Db {
  const { url } = opts;
  if (url.startsWith('sqlite:')) {
    const filename = sqliteFile(url);
    if (filename !== ':memory:') fs.mkdirSync(path.dirname(filename), { recursive: true });
    return knexFactory({
      client: 'sqlite3',
      connection: { filename },
      useNullAsDefault: true,
      // SQLite allows one writer: a single connection serialises our transactions instead of failing with SQLITE_BUSY.
      pool: {
        min: 1,
        max: 1,
        afterCreate: (conn: any, done: (err: Error | null, conn: unknown) => void) => { // eslint-disable-line @typescript-eslint/no-explicit-any -- driver connection type is untyped in knex
          conn.serialize(() => {
            conn.run('PRAGMA journal_mode = WAL');
            conn.run('PRAGMA foreign_keys = ON');
            conn.run('PRAGMA busy_timeout = 10000');
            conn.run('PRAGMA synchronous = NORMAL', (err: Error | null) => done(err, conn));
          });
        },
      },
    });
  }
  if (url.startsWith('postgres:') || url.startsWith('postgresql:')) {
    const schema = opts.schema;
    return knexFactory({
      client: 'pg',
      connection: url,
      searchPath: schema ? [schema] : undefined,
      pool: {
        min: 0,
        max: 10,
        afterCreate: (conn: any, done: (err: Error | null, conn: unknown) => void) => { // eslint-disable-line @typescript-eslint/no-explicit-any -- pg client is untyped in knex
          const sql = schema ? `CREATE SCHEMA IF NOT EXISTS "${schema}"; SET search_path TO "${schema}"; SET TIME ZONE 'UTC'` : `SET TIME ZONE 'UTC'`;
          conn.query(sql, (err: Error | null) => done(err, conn));
        },
      },
    });
  }
  throw new Error(`DATABASE_URL must start with sqlite:// or postgres:// (got "${url}")`);
}

/** Forward-only migrations, listed in migrations/index.ts so they run the same from src/ and dist/. */
export async function migrate(db: Db): Promise<void> {
  await db.migrate.latest({
    migrationSource: {
      getMigrations: async () => migrations.map((m) => m.name),
      getMigrationName: (name: string) => name,
      getMigration: async (name: string) => {
        const m = migrations.find((x) => x.name === name);
        if (!m) throw new Error(`Unknown migration ${name}`);
        return m.module;
      },
    },
  });
}

/** Timestamps are stored as ISO-8601 UTC strings on both engines, so they compare and sort the same way. */
export function nowIso(): string {
  return new Date().toISOString();
}

/** True when an error is a unique-constraint violation, on either engine. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; errno?: number; message?: string };
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT' && /UNIQUE/i.test(e.message ?? '') || /UNIQUE constraint failed/i.test(e?.message ?? '');
}

/** Inserts a row and returns its id on both engines (SQLite has no RETURNING through knex's sqlite3 client before 3.35 semantics). */
export async function insertId(q: Q, table: string, row: Record<string, unknown>): Promise<number> {
  const res = await q(table).insert(row).returning('id');
  const first = res[0] as unknown;
  return typeof first === 'object' && first !== null ? Number((first as { id: number }).id) : Number(first);
}

/**
 * Rows per multi-row INSERT. SQLite compiles one as a compound SELECT limited to 500 terms (and caps bound
 * variables), so every bulk insert goes through this in slices.
 */
export const INSERT_CHUNK = 200;

export function chunked<T>(list: T[], size = INSERT_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}
