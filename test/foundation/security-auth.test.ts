import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import request from 'supertest';
import { createTestContext, describeEachDb, DB_LANES, type TestContext, type TestUser } from '../helpers/context';
import { csrfFrom, signIn } from '../helpers/browser-session';
import * as password from '../../src/auth/password';
import { bootstrapAdmin } from '../../src/auth/service';
import { can } from '../../src/auth/policy';
import type { Actor, Role } from '../../src/auth/roles';
import { createDb, migrate } from '../../src/db';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { safeRedirectPath } from '../../src/web/redirect';
import * as m006 from '../../migrations/006_superadmin';

/** One listening server for a burst of parallel requests (supertest would otherwise open one per request). */
async function listen(ctx: TestContext): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer(ctx.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const login = (ctx: TestContext, email: string, pw: string, ip = '192.0.2.10', lang?: 'en') =>
  request(ctx.app).post(`/api/v1/auth/login${lang ? '?lang=en' : ''}`).set('X-Forwarded-For', ip).send({ email, password: pw });

describe.each(DB_LANES)('sign-in throttle [%s]', (lane) => {
  let ctx: TestContext;
  afterEach(async () => {
    jest.restoreAllMocks();
    await ctx?.close();
  });

  it('80 parallel wrong guesses on one account check the password at most LOGIN_MAX_FAILURES times', async () => {
    ctx = await createTestContext(lane, { LOGIN_MAX_FAILURES: '3' });
    const victim = await ctx.createUser(['drafter'], ctx.rootOrgId);
    const verify = jest.spyOn(password, 'verifyPassword');
    const { server, url } = await listen(ctx);
    try {
      const answers = await Promise.all(
        Array.from({ length: 80 }, (_, i) => request(url).post('/api/v1/auth/login').send({ email: victim.email, password: `guess-${i}` })),
      );
      const statuses = answers.map((r) => r.status);
      expect(statuses.filter((s) => s === 401)).toHaveLength(3);
      expect(statuses.filter((s) => s === 429)).toHaveLength(77);
      expect(verify).toHaveBeenCalledTimes(3);
    } finally {
      server.close();
    }
  });

  it('80 parallel wrong guesses from one address check at most LOGIN_MAX_FAILURES_PER_ADDRESS passwords', async () => {
    ctx = await createTestContext(lane, { LOGIN_MAX_FAILURES: '3', LOGIN_MAX_FAILURES_PER_ADDRESS: '5' });
    const verify = jest.spyOn(password, 'verifyPassword');
    const { server, url } = await listen(ctx);
    try {
      const answers = await Promise.all(
        Array.from({ length: 80 }, (_, i) =>
          request(url).post('/api/v1/auth/login').set('X-Forwarded-For', '203.0.113.50').send({ email: `sprayed-${i}@test.vn`, password: 'Password1!' }),
        ),
      );
      const statuses = answers.map((r) => r.status);
      expect(statuses.filter((s) => s === 401)).toHaveLength(5);
      expect(statuses.filter((s) => s === 429)).toHaveLength(75);
      expect(verify).toHaveBeenCalledTimes(5);
    } finally {
      server.close();
    }
  });

  it('a colleague behind the same office address still signs in after another user’s ten typos', async () => {
    ctx = await createTestContext(lane, { LOGIN_MAX_FAILURES: '10', LOGIN_MAX_FAILURES_PER_ADDRESS: '100' });
    const typist = await ctx.createUser(['drafter'], ctx.rootOrgId);
    const colleague = await ctx.createUser(['secretary'], ctx.rootOrgId);
    const office = '203.0.113.7';
    for (let i = 0; i < 10; i++) expect((await login(ctx, typist.email, 'typo', office)).status).toBe(401);
    expect((await login(ctx, colleague.email, colleague.password, office)).status).toBe(200);
    // The typist's own account waits a little; the office does not.
    expect((await login(ctx, typist.email, typist.password, office)).status).toBe(429);
  });

  it('the address limit is much higher and per address: past it that address waits, others do not', async () => {
    ctx = await createTestContext(lane, { LOGIN_MAX_FAILURES: '10', LOGIN_MAX_FAILURES_PER_ADDRESS: '20', LOGIN_WINDOW_MINUTES: '15' });
    const t0 = Date.parse('2031-03-03T01:00:00Z');
    ctx.setNow(new Date(t0));
    const user = await ctx.createUser(['drafter'], ctx.rootOrgId);
    for (let i = 0; i < 20; i++) expect((await login(ctx, `nobody-${i}@test.vn`, 'x', '198.51.100.20')).status).toBe(401);
    const blocked = await login(ctx, user.email, user.password, '198.51.100.20');
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBe(15 * 60);
    expect((await login(ctx, user.email, user.password, '198.51.100.21')).status).toBe(200);
    ctx.setNow(new Date(t0 + 15 * 60_000 + 1000));
    expect((await login(ctx, user.email, user.password, '198.51.100.20')).status).toBe(200);
  });

  it('an account past its failures waits a delay that doubles per further failure, capped, and the 429 says when', async () => {
    ctx = await createTestContext(lane, { LOGIN_MAX_FAILURES: '3', LOGIN_DELAY_BASE_SECONDS: '30', LOGIN_DELAY_MAX_SECONDS: '100' });
    const t0 = Date.parse('2031-03-03T01:00:00Z');
    ctx.setNow(new Date(t0));
    const user = await ctx.createUser(['drafter'], ctx.rootOrgId);
    for (let i = 0; i < 3; i++) expect((await login(ctx, user.email, 'wrong')).status).toBe(401);

    const first = await login(ctx, user.email, user.password);
    expect(first.status).toBe(429);
    expect(first.body.error.code).toBe('LOGIN_RATE_LIMITED');
    expect(first.headers['retry-after']).toBe('30');
    expect(first.body.error.message).toContain('30 giây');
    const en = await login(ctx, user.email, user.password, '192.0.2.10', 'en');
    expect(en.headers['retry-after']).toBe('30');
    expect(en.body.error.message).toContain('30 seconds');

    ctx.setNow(new Date(t0 + 29_000));
    expect((await login(ctx, user.email, user.password)).headers['retry-after']).toBe('1');
    ctx.setNow(new Date(t0 + 30_000));
    expect((await login(ctx, user.email, 'wrong')).status).toBe(401); // 4th failure: the wait doubles
    expect((await login(ctx, user.email, user.password)).headers['retry-after']).toBe('60');
    ctx.setNow(new Date(t0 + 90_000));
    expect((await login(ctx, user.email, 'wrong')).status).toBe(401); // 5th: 120 s, capped at 100
    expect((await login(ctx, user.email, user.password)).headers['retry-after']).toBe('100');
    ctx.setNow(new Date(t0 + 190_000));
    expect((await login(ctx, user.email, user.password)).status).toBe(200);
    // A successful sign-in clears the account's failures.
    expect((await login(ctx, user.email, 'wrong')).status).toBe(401);
    expect((await login(ctx, user.email, user.password)).status).toBe(200);
  });

  it('ten guesses by a stranger hold the administrator back by the first short delay, not a 15-minute lock', async () => {
    ctx = await createTestContext(lane, { LOGIN_MAX_FAILURES: '10' });
    const t0 = Date.parse('2031-03-03T01:00:00Z');
    ctx.setNow(new Date(t0));
    const admin = await ctx.createUser(['admin'], ctx.rootOrgId, 'Quản trị tỉnh');
    for (let i = 0; i < 10; i++) expect((await login(ctx, admin.email, `guess-${i}`, '198.51.100.66')).status).toBe(401);
    const held = await login(ctx, admin.email, admin.password, '192.0.2.1');
    expect(held.status).toBe(429);
    const wait = Number(held.headers['retry-after']);
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(60);
    ctx.setNow(new Date(t0 + wait * 1000));
    expect((await login(ctx, admin.email, admin.password, '192.0.2.1')).status).toBe(200);
  });

  it('the sign-in page answers 429 with Retry-After and the time to retry', async () => {
    ctx = await createTestContext(lane, { LOGIN_MAX_FAILURES: '2', LOGIN_DELAY_BASE_SECONDS: '45' });
    const user = await ctx.createUser(['drafter'], ctx.rootOrgId);
    for (let i = 0; i < 2; i++) expect((await login(ctx, user.email, 'wrong')).status).toBe(401);
    const agent = request.agent(ctx.app);
    const page = await agent.get('/login');
    const res = await agent.post('/login').set('X-Forwarded-For', '192.0.2.10').type('form').send({ email: user.email, password: user.password, _csrf: csrfFrom(page.text) });
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('45');
    expect(res.text).toContain('45 giây');
  });

  it('an unknown e-mail or a disabled user costs one scrypt check, like a wrong password', async () => {
    ctx = await createTestContext(lane);
    const user = await ctx.createUser(['drafter'], ctx.rootOrgId);
    const disabled = await ctx.createUser(['drafter'], ctx.rootOrgId);
    await ctx.db('users').where({ id: disabled.id }).update({ active: false });
    const verify = jest.spyOn(password, 'verifyPassword');
    expect((await login(ctx, 'nobody@test.vn', 'whatever')).status).toBe(401);
    expect((await login(ctx, disabled.email, disabled.password)).status).toBe(401);
    expect((await login(ctx, user.email, 'wrong')).status).toBe(401);
    expect(verify).toHaveBeenCalledTimes(3);
    // The stand-in hash has the cost of real ones (PASSWORD_SCRYPT_N), whatever the installation sets.
    for (const call of verify.mock.calls) expect(call[1]).toMatch(new RegExp(`^scrypt\\$${ctx.config.PASSWORD_SCRYPT_N}\\$`));
    verify.mockRestore();

    const time = async (email: string) => {
      const start = process.hrtime.bigint();
      await login(ctx, email, 'wrong-password');
      return Number(process.hrtime.bigint() - start) / 1e6;
    };
    const unknown: number[] = [];
    const known: number[] = [];
    for (let i = 0; i < 5; i++) {
      unknown.push(await time(`ghost-${i}@test.vn`));
      known.push(await time(user.email));
    }
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[2];
    expect(median(unknown)).toBeGreaterThan(median(known) * 0.5);
  });
});

describe('the authorisation rule with an administrator’s tree', () => {
  const actor = (roles: Role[], orgId: number): Actor => ({ id: 1, email: 'x@y.vn', name: 'x', roles, orgId, locale: 'vi' });
  const tree = new Set([10, 11, 12]);

  it('a provincial admin passes inside their tree only; the superadmin everywhere; outside any tree only the superadmin', () => {
    const admin = actor(['admin'], 10);
    expect(can(admin, ['admin'], 12, tree)).toBe(true);
    expect(can(admin, ['admin'], 20, tree)).toBe(false);
    expect(can(admin, ['admin'], null, tree)).toBe(false);
    expect(can(admin, ['drafter'], 12, tree)).toBe(false);
    const superadmin = actor(['admin', 'superadmin'], 10);
    expect(can(superadmin, ['admin'], 20, tree)).toBe(true);
    expect(can(superadmin, ['admin'], null, tree)).toBe(true);
    expect(can(actor(['drafter'], 12), ['admin', 'drafter'], 12, tree)).toBe(true);
    expect(can(actor(['drafter'], 11), ['admin', 'drafter'], 12, tree)).toBe(false);
  });
});

interface Province {
  root: number;
  dept: number;
  commune: number;
  admin: TestUser;
  user: TestUser;
}

describeEachDb('provincial administrators', (ctx) => {
  let A: Province;
  let B: Province;
  const province = async (name: string, code: string): Promise<Province> => {
    const root = await ctx().createOrg({ name: `UBND tỉnh ${name}`, shortName: 'UBND', kind: 'province', parentId: null });
    const dept = await ctx().createOrg({ name: `Sở Y tế ${name}`, shortName: 'SYT', kind: 'department', parentId: root, headcount: 100 });
    const commune = await ctx().createOrg({ name: `UBND xã Đông ${name}`, shortName: 'UBND', kind: 'commune', parentId: root });
    await ctx().db('orgs').where({ id: dept }).update({ code: `${code}-SYT` });
    const admin = await ctx().createUser(['admin'], root, `Quản trị ${name}`);
    const user = await ctx().createUser(['drafter'], dept, `Chuyên viên ${name}`);
    return { root, dept, commune, admin, user };
  };

  beforeAll(async () => {
    A = await province('Nghệ An', 'NA');
    B = await province('Quảng Bình', 'QB');
  });

  const userRow = (id: number) => ctx().db('users').where({ id }).first();
  const rolesOf = async (id: number) => (await ctx().db('user_roles').where({ user_id: id }).orderBy('role')).map((r: { role: string }) => r.role);
  const orgRow = (id: number) => ctx().db('orgs').where({ id }).first();

  it('lists only the users of their own tree', async () => {
    const list = await ctx().as(B.admin).get('/api/v1/users');
    expect(list.status).toBe(200);
    const ids = list.body.items.map((u: { id: number }) => u.id);
    expect(ids).toEqual(expect.arrayContaining([B.admin.id, B.user.id]));
    expect(ids).not.toContain(A.user.id);
    expect(ids).not.toContain(A.admin.id);
    expect(ids).not.toContain(ctx().admin.id);
    const filtered = await ctx().as(B.admin).get(`/api/v1/users?orgId=${A.dept}`);
    expect(filtered.body.items ?? []).toEqual([]);
  });

  it('cannot rename, disable, re-role, reset or move a user of another province, and nothing changes', async () => {
    const before = await userRow(A.user.id);
    const api = ctx().as(B.admin);
    for (const patch of [{ name: 'Bị đổi tên' }, { active: false }, { roles: ['admin'] }, { password: 'taken-over-1' }, { orgId: B.dept }]) {
      const res = await api.patch(`/api/v1/users/${A.user.id}`).send(patch);
      expect([403, 404]).toContain(res.status);
    }
    // Nor pull their own user out of their tree.
    expect((await api.patch(`/api/v1/users/${B.user.id}`).send({ orgId: A.dept })).status).toBe(403);
    expect(await userRow(A.user.id)).toEqual(before);
    expect(await rolesOf(A.user.id)).toEqual(['drafter']);
    expect((await userRow(B.user.id)).org_id).toBe(B.dept);
    expect((await ctx().as(A.user).get('/api/v1/auth/me')).status).toBe(200);
  });

  it('cannot create users in another province, nor grant superadmin anywhere', async () => {
    const api = ctx().as(B.admin);
    const outside = await api.post('/api/v1/users').send({ email: 'spy@na.test.vn', name: 'Gián điệp', password: 'password-1', roles: ['admin'], orgId: A.dept });
    expect(outside.status).toBe(403);
    const superUser = await api.post('/api/v1/users').send({ email: 'boss@qb.test.vn', name: 'Trùm', password: 'password-1', roles: ['superadmin'], orgId: B.dept });
    expect(superUser.status).toBe(403);
    expect((await api.patch(`/api/v1/users/${B.user.id}`).send({ roles: ['drafter', 'superadmin'] })).status).toBe(403);
    expect((await api.patch(`/api/v1/users/${B.admin.id}`).send({ roles: ['admin', 'superadmin'] })).status).toBe(403);
    expect(await ctx().db('users').whereIn('email', ['spy@na.test.vn', 'boss@qb.test.vn'])).toEqual([]);
    expect(await rolesOf(B.user.id)).toEqual(['drafter']);
    expect(await rolesOf(B.admin.id)).toEqual(['admin']);
  });

  it('cannot change, create under, re-parent or take organisations of another province, nor create a province root', async () => {
    const before = await orgRow(A.dept);
    const count = async () => Number((await ctx().db('orgs').count({ n: '*' }))[0].n);
    const n = await count();
    const api = ctx().as(B.admin);
    expect((await api.patch(`/api/v1/orgs/${A.dept}`).send({ headcount: 1 })).status).toBe(403);
    expect((await api.patch(`/api/v1/orgs/${A.dept}`).send({ parentId: B.root })).status).toBe(403);
    expect((await api.patch(`/api/v1/orgs/${A.root}`).send({ name: 'UBND tỉnh Bị chiếm' })).status).toBe(403);
    expect((await api.post('/api/v1/orgs').send({ name: 'Sở giả', shortName: 'SG', kind: 'department', parentId: A.root })).status).toBe(403);
    expect((await api.post('/api/v1/orgs').send({ name: 'UBND tỉnh Giả', shortName: 'UBND', kind: 'province' })).status).toBe(403);
    expect((await api.post('/api/v1/orgs').send({ name: 'UBND tỉnh Giả', shortName: 'UBND', kind: 'province', parentId: null })).status).toBe(403);
    expect((await api.patch(`/api/v1/orgs/${B.commune}`).send({ parentId: A.root })).status).toBe(403);
    expect((await api.patch(`/api/v1/orgs/${B.root}`).send({ parentId: A.root })).status).toBe(403);
    expect(await orgRow(A.dept)).toEqual(before);
    expect((await orgRow(A.root)).name).toBe('UBND tỉnh Nghệ An');
    expect((await orgRow(B.commune)).parent_id).toBe(B.root);
    expect((await orgRow(B.root)).parent_id).toBeNull();
    expect(await count()).toBe(n);
  });

  it('cannot import over another province’s organisations or make new roots by import', async () => {
    const before = await orgRow(A.dept);
    const csv = ['code,name,shortName,kind,parentCode,headcount', 'NA-SYT,Sở Y tế bị ghi đè,SYT,department,,1', 'QB-NEW,Sở mồ côi,SMC,department,,5', `NA-X,Sở lẻn vào,SLV,department,NA-SYT,5`].join('\n');
    const res = await ctx().as(B.admin).post('/api/v1/orgs/import').attach('file', Buffer.from(csv), 'orgs.csv');
    expect(res.status).toBe(200);
    expect(res.body.created).toBe(0);
    expect(res.body.updated).toBe(0);
    expect(res.body.errors.map((e: { row: number }) => e.row)).toEqual([2, 3, 4]);
    expect(await orgRow(A.dept)).toEqual(before);
    expect(await ctx().db('orgs').whereIn('code', ['QB-NEW', 'NA-X'])).toEqual([]);
    // Inside its own tree the import works.
    await ctx().db('orgs').where({ id: B.root }).update({ code: 'QB' });
    const file = 'code,name,shortName,kind,parentCode\nQB-STP,Sở Tư pháp,STP,department,QB\nQB-STP-1,Phòng Hành chính tư pháp,PHCTP,other,QB-STP\n';
    const own = await ctx().as(B.admin).post('/api/v1/orgs/import').attach('file', Buffer.from(file), 'orgs.csv');
    expect(own.body).toMatchObject({ created: 2, errors: [] });
  });

  it('cannot create recipient groups owned by another province', async () => {
    const res = await ctx().as(B.admin).post('/api/v1/recipient-groups').send({ name: 'Nhóm lạ', orgIds: [B.dept], ownerOrgId: A.dept });
    expect(res.status).toBe(403);
    expect(await ctx().db('recipient_groups').where({ name: 'Nhóm lạ' })).toEqual([]);
    expect((await ctx().as(B.admin).post('/api/v1/recipient-groups').send({ name: 'Nhóm Quảng Bình', orgIds: [B.dept], ownerOrgId: B.dept })).status).toBe(201);
  });

  it('inside their own tree they still manage users and organisations', async () => {
    const api = ctx().as(A.admin);
    expect((await api.patch(`/api/v1/orgs/${A.dept}`).send({ headcount: 120 })).status).toBe(200);
    const created = await api.post('/api/v1/orgs').send({ name: 'Sở Nội vụ Nghệ An', shortName: 'SNV', kind: 'department', parentId: A.root });
    expect(created.status).toBe(201);
    expect((await api.patch(`/api/v1/orgs/${A.commune}`).send({ parentId: created.body.id })).status).toBe(200);
    const user = await api.post('/api/v1/users').send({ email: 'moi@na.test.vn', name: 'Người mới', password: 'password-1', roles: ['reporter'], orgId: created.body.id });
    expect(user.status).toBe(201);
    expect((await api.patch(`/api/v1/users/${A.user.id}`).send({ roles: ['drafter', 'approver'] })).status).toBe(200);
    expect((await api.patch(`/api/v1/users/${A.user.id}`).send({ roles: ['drafter'] })).status).toBe(200);
  });

  it('only the superadmin grants superadmin, creates a province root and manages every tree', async () => {
    const root = ctx().as(ctx().admin);
    const province = await root.post('/api/v1/orgs').send({ name: 'UBND tỉnh Hà Giang', shortName: 'UBND', kind: 'province', parentId: null });
    expect(province.status).toBe(201);
    expect((await root.patch(`/api/v1/orgs/${A.dept}`).send({ headcount: 121 })).status).toBe(200);
    expect((await root.patch(`/api/v1/users/${B.user.id}`).send({ name: 'Chuyên viên Quảng Bình' })).status).toBe(200);
    const all = (await root.get('/api/v1/users')).body.items.map((u: { id: number }) => u.id);
    expect(all).toEqual(expect.arrayContaining([A.user.id, B.user.id, A.admin.id, B.admin.id]));
    const granted = await root.post('/api/v1/users').send({ email: 'sa2@test.vn', name: 'Quản trị hệ thống 2', password: 'password-1', roles: ['superadmin'], orgId: ctx().rootOrgId });
    expect(granted.status).toBe(201);
    expect(granted.body.roles).toEqual(['admin', 'superadmin']);
  });

  it('an admin whose tree holds the superadmin cannot change the superadmin', async () => {
    const local = await ctx().createUser(['admin'], ctx().rootOrgId, 'Quản trị Hà Tĩnh');
    const before = await userRow(ctx().admin.id);
    for (const patch of [{ password: 'taken-over-1' }, { active: false }, { roles: ['drafter'] }, { name: 'X' }]) {
      expect((await ctx().as(local).patch(`/api/v1/users/${ctx().admin.id}`).send(patch)).status).toBe(403);
    }
    expect(await userRow(ctx().admin.id)).toEqual(before);
    expect(await rolesOf(ctx().admin.id)).toEqual(['admin', 'superadmin']);
  });

  it('the users page shows only their tree, offers only their organisations and no superadmin role, and refuses A’s users', async () => {
    const s = await signIn(ctx().app, B.admin.email, B.admin.password);
    const page = await s.agent.get('/users');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Chuyên viên Quảng Bình');
    expect(page.text).not.toContain('Nghệ An');
    expect(page.text).not.toContain('value="superadmin"');
    const select = page.text.slice(page.text.indexOf('id="u-org"'), page.text.indexOf('</select>', page.text.indexOf('id="u-org"')));
    expect(select).toContain(`value="${B.dept}"`);
    expect(select).not.toContain(`value="${A.dept}"`);
    expect(select).not.toContain(`value="${ctx().rootOrgId}"`);
    expect((await s.agent.get(`/users/${A.user.id}/edit`)).status).toBe(404);
    const before = await userRow(A.user.id);
    const post = await s.agent.post(`/users/${A.user.id}`).type('form').send({ _csrf: csrfFrom(page.text), name: 'Bị đổi', orgId: String(B.dept), roles: 'admin', active: '1' });
    expect(post.status).toBe(403);
    const create = await s.agent.post('/users').type('form').send({ _csrf: csrfFrom(page.text), name: 'Gián điệp', email: 'spy2@na.test.vn', password: 'password-1', orgId: String(A.dept), roles: 'admin' });
    expect(create.status).toBe(403);
    expect(await userRow(A.user.id)).toEqual(before);
    const edit = await s.agent.get(`/users/${B.user.id}/edit`);
    expect(edit.status).toBe(200);
    expect(edit.text).not.toContain(`value="${A.dept}"`);
    expect(edit.text).not.toContain('value="superadmin"');
  });

  it('the organisations page lets them edit only their tree, offers only their parents and refuses A’s organisations', async () => {
    const s = await signIn(ctx().app, B.admin.email, B.admin.password);
    const page = await s.agent.get('/orgs');
    expect(page.status).toBe(200);
    expect(page.text).toContain(`/orgs/${B.dept}/edit`);
    expect(page.text).not.toContain(`/orgs/${A.dept}/edit`);
    expect(page.text).not.toContain(`/orgs/${A.root}/edit`);
    const parents = page.text.slice(page.text.indexOf('id="o-parent"'), page.text.indexOf('</select>', page.text.indexOf('id="o-parent"')));
    expect(parents).toContain(`value="${B.root}"`);
    expect(parents).not.toContain(`value="${A.root}"`);
    expect(parents).not.toContain('<option value="">');
    expect([403, 404]).toContain((await s.agent.get(`/orgs/${A.dept}/edit`)).status);
    const before = await orgRow(A.dept);
    const post = await s.agent.post(`/orgs/${A.dept}`).type('form').send({ _csrf: csrfFrom(page.text), name: 'Sở bị sửa', shortName: 'SYT', kind: 'department', parentId: String(A.root) });
    expect(post.status).toBe(403);
    const create = await s.agent.post('/orgs').type('form').send({ _csrf: csrfFrom(page.text), name: 'Sở lẻn', shortName: 'SL', kind: 'department', parentId: String(A.root) });
    expect(create.status).toBe(403);
    expect(await orgRow(A.dept)).toEqual(before);
    const edit = await s.agent.get(`/orgs/${B.dept}/edit`);
    expect(edit.status).toBe(200);
    expect(edit.text).not.toContain(`value="${A.root}"`);
    // The superadmin may make a new root: the "no parent" choice is there for them.
    const root = await signIn(ctx().app, ctx().admin.email, ctx().admin.password);
    expect((await root.agent.get('/orgs')).text).toContain('<option value="">');
  });
});

describe('the installation’s superadmin', () => {
  it('is the administrator created at first start', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vandong-boot-'));
    const url = `sqlite://${path.join(dir, 'db.sqlite')}`;
    const db = createDb({ url });
    try {
      await migrate(db);
      const config = loadConfig({ DATABASE_URL: url, MEDIA_DIR: dir, VANDONG_ADMIN_PASSWORD: 'first-admin-pass', LOG_LEVEL: 'silent' });
      const made = await bootstrapAdmin({ db, config, log: createLogger('silent'), clock: () => new Date() });
      expect(made?.email).toBe('admin@localhost');
      const user = await db('users').where({ email: 'admin@localhost' }).first();
      const roles = (await db('user_roles').where({ user_id: user.id }).orderBy('role')).map((r: { role: string }) => r.role);
      expect(roles).toEqual(['admin', 'superadmin']);
    } finally {
      await db.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each(DB_LANES)('an existing installation makes its first administrator the superadmin on upgrade [%s]', async (lane) => {
    const ctx = await createTestContext(lane);
    try {
      const other = await ctx.createUser(['admin'], ctx.rootOrgId);
      await ctx.db('user_roles').where({ role: 'superadmin' }).delete();
      await m006.up(ctx.db);
      const supers = await ctx.db('user_roles').where({ role: 'superadmin' }).select('user_id');
      expect(supers.map((r: { user_id: number }) => Number(r.user_id))).toEqual([ctx.admin.id]);
      expect(other.id).not.toBe(ctx.admin.id);
      await m006.up(ctx.db); // running it again changes nothing
      expect(await ctx.db('user_roles').where({ role: 'superadmin' })).toHaveLength(1);
    } finally {
      await ctx.close();
    }
  });
});

describe('safe redirect targets', () => {
  it.each([
    ['/\\evil.example', '/'],
    ['//evil.example', '/'],
    ['/%5Cevil.example', '/'],
    ['/%5cevil.example/x', '/'],
    ['/%2F%2Fevil.example', '/'],
    ['/%2fevil.example', '/'],
    ['https://evil.example', '/'],
    ['http:/evil.example', '/'],
    ['javascript:alert(1)', '/'],
    ['/\t/evil.example', '/'],
    ['/\n/evil.example', '/'],
    ['/%09/evil.example', '/'],
    ['/%0d%0aSet-Cookie:x=1', '/'],
    ['/%255Cevil.example', '/'],
    ['evil.example', '/'],
    ['', '/'],
    ['/%zz', '/'],
    ['/letters?status=draft', '/letters?status=draft'],
    ['/campaigns/3/reports', '/campaigns/3/reports'],
    ['/', '/'],
  ])('%j → %j', (value, expected) => {
    expect(safeRedirectPath(value, '/')).toBe(expected);
  });

  it('anything but a string falls back', () => {
    expect(safeRedirectPath(['/a', '/b'], '/home')).toBe('/home');
    expect(safeRedirectPath(undefined, '/home')).toBe('/home');
    expect(safeRedirectPath({ toString: () => '/x' }, '/home')).toBe('/home');
  });
});

describeEachDb('redirects after sign-in and language switch', (ctx) => {
  const bad = ['/\\evil.example', '//evil.example', '/%5Cevil.example', 'https://evil.example', '/\t/evil.example'];

  it.each(bad)('POST /login with next=%j lands on /', async (next) => {
    const agent = request.agent(ctx().app);
    const page = await agent.get('/login');
    const res = await agent.post('/login').type('form').send({ email: ctx().admin.email, password: ctx().admin.password, _csrf: csrfFrom(page.text), next });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/');
  });

  it('keeps a same-origin next and does not echo a foreign one into the form', async () => {
    const agent = request.agent(ctx().app);
    const page = await agent.get('/login?next=' + encodeURIComponent('//evil.example'));
    expect(page.text).toContain('name="next" value="/"');
    expect(page.text).not.toContain('evil.example');
    const res = await agent.post('/login').type('form').send({ email: ctx().admin.email, password: ctx().admin.password, _csrf: csrfFrom(page.text), next: '/letters?status=draft' });
    expect(res.headers.location).toBe('/letters?status=draft');
  });

  it.each(bad)('POST /me/locale with back=%j lands on /', async (back) => {
    const s = await signIn(ctx().app, ctx().admin.email, ctx().admin.password);
    const res = await s.agent.post('/me/locale').type('form').send({ _csrf: s.csrf, locale: 'vi', back });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/');
  });

  it('POST /me/locale goes back to a same-origin page', async () => {
    const s = await signIn(ctx().app, ctx().admin.email, ctx().admin.password);
    const res = await s.agent.post('/me/locale').type('form').send({ _csrf: s.csrf, locale: 'en', back: '/orgs' });
    expect(res.headers.location).toBe('/orgs');
  });
});

describeEachDb('caching of signed-in answers', (ctx) => {
  it('pages, JSON answers and the sign-in page are no-store; /static and public audio are not', async () => {
    expect((await request(ctx().app).get('/login')).headers['cache-control']).toBe('no-store');
    const s = await signIn(ctx().app, ctx().admin.email, ctx().admin.password);
    for (const url of ['/', '/users', '/orgs']) {
      const res = await s.agent.get(url);
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
    }
    const me = await ctx().as(ctx().admin).get('/api/v1/auth/me');
    expect(me.status).toBe(200);
    expect(me.headers['cache-control']).toBe('no-store');
    const users = await ctx().as(ctx().admin).get('/api/v1/users');
    expect(users.headers['cache-control']).toBe('no-store');
    const missing = await ctx().as(ctx().admin).get('/api/v1/orgs/999999');
    expect(missing.status).toBe(404);
    expect(missing.headers['cache-control']).toBe('no-store');

    const css = await s.agent.get('/static/style.css');
    expect(css.status).toBe(200);
    expect(css.headers['cache-control']).not.toContain('no-store');
    const sha = crypto.createHash('sha256').update('master').digest('hex');
    const file = path.join(ctx().mediaDir, 'audio', sha.slice(0, 2), `${sha}.mp3`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, Buffer.alloc(1024));
    const audio = await s.agent.get(`/audio/${sha}.mp3`);
    expect(audio.status).toBe(200);
    expect(audio.headers['cache-control']).toContain('immutable');
    expect(audio.headers['cache-control']).not.toContain('no-store');
  });
});
