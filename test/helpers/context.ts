import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import request from 'supertest';
import type { Express } from 'express';
import { createDb, migrate, type Db } from '../../src/db';
import { loadConfig, type Config } from '../../src/config';
import { createLogger } from '../../src/logger';
import { createApp } from '../../src/app';
import type { Deps } from '../../src/deps';
import { provisionUser } from '../../src/auth/service';
import type { Role } from '../../src/auth/roles';

/**
 * Every integration suite runs on a real SQLite file, and also on PostgreSQL when TEST_DATABASE_URL is set
 * (.ci/run sets it when the local server answers). Each suite gets an empty, fully migrated database of its own:
 * SQLite a copy of a template file, PostgreSQL a schema of its own from a pool (see claimPostgresSchema).
 */
export const DB_LANES: string[] = ['sqlite', ...(process.env.TEST_DATABASE_URL ? ['postgres'] : [])];

/** The migrations' fingerprint: a template or pooled schema made by other migrations is never used. */
const MIGRATIONS_HASH = (() => {
  const dir = path.join(__dirname, '../../migrations');
  const h = crypto.createHash('sha256');
  for (const f of fs.readdirSync(dir).sort()) h.update(f).update('\0').update(fs.readFileSync(path.join(dir, f)));
  return h.digest('hex').slice(0, 12);
})();

/**
 * A migrated, empty SQLite file to copy (migrating costs ~0.4 s a suite, a copy a few ms). Made once per machine
 * and migrations version, in the temp folder; two workers making it at once each rename a complete file into place.
 */
async function sqliteTemplate(): Promise<string> {
  const file = path.join(os.tmpdir(), `vandong-test-template-${MIGRATIONS_HASH}.sqlite`);
  if (fs.existsSync(file)) return file;
  const partial = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`;
  const db = createDb({ url: `sqlite://${partial}` });
  try {
    await migrate(db);
    await db.raw('PRAGMA journal_mode = DELETE'); // everything in the one file, no -wal beside it
  } finally {
    await db.destroy();
  }
  fs.renameSync(partial, file);
  return file;
}

/**
 * Deletes every row of a pooled schema and restarts its sequences; false when it has no tables yet. DELETE, children
 * before parents, not TRUNCATE: a suite leaves a few rows, and TRUNCATE's new files for 40 tables cost ~0.4 s.
 */
async function emptySchema(db: Db, schema: string): Promise<boolean> {
  const { rows: tables } = await db.raw<{ rows: { name: string }[] }>("SELECT tablename AS name FROM pg_tables WHERE schemaname = ? AND tablename NOT LIKE 'knex_migrations%'", [schema]);
  if (tables.length === 0) return false;
  const { rows: links } = await db.raw<{ rows: { child: string; parent: string }[] }>(
    `SELECT ch.relname AS child, pa.relname AS parent FROM pg_constraint c
       JOIN pg_class ch ON ch.oid = c.conrelid JOIN pg_class pa ON pa.oid = c.confrelid JOIN pg_namespace n ON n.oid = ch.relnamespace
     WHERE c.contype = 'f' AND n.nspname = ? AND ch.oid <> pa.oid`,
    [schema],
  );
  const order: string[] = [];
  let left = tables.map((t) => t.name);
  while (left.length > 0) {
    // a table goes once no table still left refers to it
    const free = left.filter((t) => !links.some((l) => l.parent === t && left.includes(l.child)));
    if (free.length === 0) {
      await db.raw(`TRUNCATE ${left.map((t) => `"${t}"`).join(', ')} CASCADE`); // a cycle of references
      break;
    }
    order.push(...free);
    left = left.filter((t) => !free.includes(t));
  }
  await db.raw(order.map((t) => `DELETE FROM "${t}"`).join('; '));
  await db.raw("SELECT setval(s.oid, 1, false) FROM pg_class s JOIN pg_namespace n ON n.oid = s.relnamespace WHERE s.relkind = 'S' AND n.nspname = ?", [schema]);
  return true;
}

/** Pool schemas of earlier migrations that nobody holds: dropped when a new pool is started. */
async function dropStalePoolSchemas(query: (sql: string, bindings?: string[]) => Promise<{ rows: Record<string, unknown>[] }>): Promise<void> {
  const { rows } = await query("SELECT nspname AS name FROM pg_namespace WHERE nspname LIKE 'tp\\_%' AND nspname NOT LIKE ?", [`tp\\_${MIGRATIONS_HASH}\\_%`]);
  for (const { name } of rows as { name: string }[]) {
    if (!(await query('SELECT pg_try_advisory_lock(hashtext(?)) AS ok', [name])).rows[0].ok) continue;
    await query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
    await query('SELECT pg_advisory_unlock(hashtext(?))', [name]);
  }
}

/**
 * A PostgreSQL schema for one suite. Migrating a fresh schema costs ~0.7 s, so migrated schemas are kept in a pool
 * (tp_<migrations hash>_<n>) and handed out emptied: a suite holds a session advisory lock on its schema while it
 * runs (on its own connection, so a killed worker frees it), and the next holder empties it first (emptySchema).
 */
async function claimPostgresSchema(url: string): Promise<{ schema: string; release: () => Promise<void> }> {
  const holder = createDb({ url });
  const lock = await holder.client.acquireConnection();
  const query = (sql: string, bindings: string[] = []) => holder.raw(sql, bindings).connection(lock) as Promise<{ rows: Record<string, unknown>[] }>;
  const release = async () => {
    await holder.client.releaseConnection(lock);
    await holder.destroy();
  };
  try {
    for (let n = 0; ; n++) {
      const schema = `tp_${MIGRATIONS_HASH}_${n}`;
      const { rows } = await query('SELECT pg_try_advisory_lock(hashtext(?)) AS ok', [schema]);
      if (!rows[0].ok) continue;
      const db = createDb({ url, schema });
      try {
        if (!(await emptySchema(db, schema))) await dropStalePoolSchemas(query);
        await migrate(db); // a new pool schema is migrated here; a pooled one finds nothing to do
      } finally {
        await db.destroy();
      }
      return { schema, release };
    }
  } catch (err) {
    await release();
    throw err;
  }
}

export interface TestUser {
  id: number;
  email: string;
  password: string;
  token: string;
  orgId: number;
}

export interface TestContext {
  lane: string;
  db: Db;
  deps: Deps;
  app: Express;
  config: Config;
  mediaDir: string;
  /** Moves the clock used by services and jobs. */
  setNow(date: Date | string): void;
  /** The installation's administrator (admin + superadmin) at the root organisation, admin-1@test.vn. */
  admin: TestUser;
  rootOrgId: number;
  createOrg(fields: { name: string; shortName: string; kind: string; parentId?: number | null; email?: string; headcount?: number; population18?: number }): Promise<number>;
  createUser(roles: Role[], orgId: number, name?: string): Promise<TestUser>;
  /** supertest with the user's bearer token. */
  as(user: TestUser): { get: (u: string) => request.Test; post: (u: string) => request.Test; put: (u: string) => request.Test; patch: (u: string) => request.Test; delete: (u: string) => request.Test };
  close(): Promise<void>;
}

export async function createTestContext(lane: string, env: Record<string, string> = {}): Promise<TestContext> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vandong-test-'));
  const mediaDir = path.join(dir, 'media');
  fs.mkdirSync(mediaDir);
  const pooled = lane === 'postgres' ? await claimPostgresSchema(process.env.TEST_DATABASE_URL!) : undefined;
  const schema = pooled?.schema;
  const url = lane === 'postgres' ? process.env.TEST_DATABASE_URL! : `sqlite://${path.join(dir, 'test.sqlite')}`;
  if (lane !== 'postgres') fs.copyFileSync(await sqliteTemplate(), path.join(dir, 'test.sqlite'));
  const config = loadConfig({
    DATABASE_URL: url,
    MEDIA_DIR: mediaDir,
    PUBLIC_URL: 'http://vandong.test',
    LOG_LEVEL: 'silent',
    VANDONG_ADMIN_PASSWORD: 'admin-password',
    LOGIN_MAX_FAILURES: '1000',
    LOGIN_MAX_FAILURES_PER_ADDRESS: '1000',
    PASSWORD_SCRYPT_N: '1024',
    ...env,
  });
  // already migrated: the template file, or the pooled schema by claimPostgresSchema
  const db = createDb({ url, schema });
  let now: Date | null = null;
  const deps: Deps = { db, config, log: createLogger('silent'), clock: () => now ?? new Date() };
  const app = createApp(deps);

  const t0 = new Date().toISOString();
  const [root] = await db('orgs').insert({ kind: 'province', name: 'Ủy ban nhân dân tỉnh Hà Tĩnh', short_name: 'UBND', place: 'Hà Tĩnh', created_at: t0, updated_at: t0 }).returning('id');
  const rootOrgId = Number(typeof root === 'object' ? root.id : root);

  const login = async (email: string, password: string): Promise<string> => {
    const res = await request(app).post('/api/v1/auth/login').send({ email, password });
    if (res.status !== 200) throw new Error(`login failed for ${email}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.token;
  };

  let userSeq = 0;
  const makeUser = async (roles: Role[], orgId: number, name?: string, emailPrefix = roles.join('-')): Promise<TestUser> => {
    userSeq += 1;
    const email = `${emailPrefix}-${userSeq}@test.vn`;
    const password = 'password-123';
    const actor = await provisionUser(deps, { email, name: name ?? `${roles.join(' ')} ${userSeq}`, password, roles, orgId });
    return { id: actor.id, email, password, orgId, token: await login(email, password) };
  };
  const ctx: TestContext = {
    lane,
    db,
    deps,
    app,
    config,
    mediaDir,
    rootOrgId,
    setNow: (d) => {
      now = typeof d === 'string' ? new Date(d) : d;
    },
    admin: undefined as unknown as TestUser,
    createOrg: async (fields) => {
      const ts = new Date().toISOString();
      const [row] = await db('orgs')
        .insert({
          kind: fields.kind,
          name: fields.name.normalize('NFC'),
          short_name: fields.shortName,
          parent_id: fields.parentId === undefined ? rootOrgId : fields.parentId,
          email: fields.email ?? null,
          headcount: fields.headcount ?? null,
          population18: fields.population18 ?? null,
          created_at: ts,
          updated_at: ts,
        })
        .returning('id');
      return Number(typeof row === 'object' ? row.id : row);
    },
    createUser: (roles, orgId, name) => makeUser(roles, orgId, name),
    as: (user) => {
      const auth = (t: request.Test) => t.set('Authorization', `Bearer ${user.token}`);
      return {
        get: (u) => auth(request(app).get(u)),
        post: (u) => auth(request(app).post(u)),
        put: (u) => auth(request(app).put(u)),
        patch: (u) => auth(request(app).patch(u)),
        delete: (u) => auth(request(app).delete(u)),
      };
    },
    close: async () => {
      await db.destroy();
      await pooled?.release();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  // The installation's administrator, as the first start creates it: admin and superadmin (manages every tree).
  ctx.admin = await makeUser(['admin', 'superadmin'], rootOrgId, 'Quản trị', 'admin');
  return ctx;
}

/**
 * describe() once per database lane. The context is created before the suite and closed after it:
 *   describeEachDb('letters', (ctx) => { it('...', async () => { ctx().as(...) }) })
 */
export function describeEachDb(name: string, body: (ctx: () => TestContext) => void, env: Record<string, string> = {}): void {
  describe.each(DB_LANES)(`${name} [%s]`, (lane) => {
    let context: TestContext;
    beforeAll(async () => {
      context = await createTestContext(lane, env);
    });
    afterAll(async () => {
      await context?.close();
    });
    body(() => context);
  });
}
