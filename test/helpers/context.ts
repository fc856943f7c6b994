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
 * (.ci/run sets it when the local server answers). Each suite gets a fresh database (PG: a fresh schema).
 */
export const DB_LANES: string[] = ['sqlite', ...(process.env.TEST_DATABASE_URL ? ['postgres'] : [])];

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
  const schema = lane === 'postgres' ? `t_${crypto.randomBytes(6).toString('hex')}` : undefined;
  const url = lane === 'postgres' ? process.env.TEST_DATABASE_URL! : `sqlite://${path.join(dir, 'test.sqlite')}`;
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
  const db = createDb({ url, schema });
  await migrate(db);
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
      if (schema) await db.raw(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await db.destroy();
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
