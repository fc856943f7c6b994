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
  return (db.client as { config: Knex.Config }).config.client === 'pg';
}

// knex ships its dialects untyped: these are the few parts of better-sqlite3 and of knex's query object we touch.
interface SqliteStatement {
  reader: boolean;
  all(bindings: unknown[]): unknown[];
  run(bindings: unknown[]): { lastInsertRowid: number | bigint; changes: number };
}
interface SqliteConnection {
  prepare(sql: string): SqliteStatement;
  pragma(sql: string): unknown;
}
interface KnexQueryObject {
  sql?: string;
  bindings: unknown[];
  response?: unknown;
  context?: { lastID: number | bigint; changes: number };
}
interface BetterSqlite3ClientShape {
  _formatBindings(bindings: unknown[]): unknown[];
}
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the dialect class is not exported by knex's typed entry point
const BetterSqlite3Client = require('knex/lib/dialects/better-sqlite3') as typeof Knex.Client;

/** Prepared statements kept per connection, by SQL text: knex would otherwise compile every statement again on every query. */
const STATEMENT_CACHE_SIZE = 500;
const statements = new WeakMap<SqliteConnection, Map<string, SqliteStatement>>();

/** knex's better-sqlite3 client, re-using prepared statements (knex builds the same SQL text for the same query shape). */
class CachedBetterSqlite3 extends BetterSqlite3Client {
  async _query(connection: SqliteConnection, obj: KnexQueryObject): Promise<KnexQueryObject> {
    if (!obj.sql) throw new Error('The query is empty');
    if (!connection) throw new Error('No connection provided');
    let cache = statements.get(connection);
    if (!cache) statements.set(connection, (cache = new Map<string, SqliteStatement>()));
    let statement = cache.get(obj.sql);
    if (!statement) {
      statement = connection.prepare(obj.sql);
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      cache.set(obj.sql, statement);
    }
    const bindings = (this as unknown as BetterSqlite3ClientShape)._formatBindings(obj.bindings);
    if (statement.reader) {
      obj.response = statement.all(bindings);
      return obj;
    }
    const response = statement.run(bindings);
    obj.response = response;
    obj.context = { lastID: response.lastInsertRowid, changes: response.changes };
    return obj;
  }
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
      // better-sqlite3 runs each statement synchronously on the main thread: for the short statements of a web
      // request that is several times cheaper than sqlite3's hop through the libuv thread pool per statement.
      client: CachedBetterSqlite3,
      connection: { filename },
      useNullAsDefault: true,
      // SQLite allows one writer: a single connection serialises our transactions instead of failing with SQLITE_BUSY.
      pool: {
        min: 1,
        max: 1,
        afterCreate: (conn: SqliteConnection, done: (err: Error | null, conn: unknown) => void) => {
          try {
            conn.pragma('journal_mode = WAL');
            conn.pragma('foreign_keys = ON');
            conn.pragma('busy_timeout = 10000');
            conn.pragma('synchronous = NORMAL');
            done(null, conn);
          } catch (err) {
            done(err as Error, conn);
          }
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
        afterCreate: (conn: { query(sql: string, cb: (err: Error | null) => void): void }, done: (err: Error | null, conn: unknown) => void) => {
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
