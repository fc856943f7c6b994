import request from 'supertest';
import { describeEachDb } from '../helpers/context';
import { createTestContext } from '../helpers/context';
import { can } from '../../src/auth/policy';
import type { Actor, Role } from '../../src/auth/roles';
import { hashPassword, verifyPassword } from '../../src/auth/password';
import { loadConfig } from '../../src/config';

describeEachDb('signing in', (ctx) => {
  it('gives a bearer token and the user with roles and organisation', async () => {
    const res = await request(ctx().app).post('/api/v1/auth/login').send({ email: 'admin-1@test.vn', password: 'password-123' });
    expect(res.status).toBe(200);
    expect(res.body.token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(res.body.user).toMatchObject({ email: 'admin-1@test.vn', roles: ['admin', 'superadmin'], orgId: ctx().rootOrgId });
  });

  it('refuses a wrong password with 401 and no token', async () => {
    const res = await request(ctx().app).post('/api/v1/auth/login').send({ email: 'admin-1@test.vn', password: 'nope' });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('LOGIN_FAILED');
    expect(res.body.token).toBeUndefined();
  });

  it('refuses a missing or revoked token with 401', async () => {
    expect((await request(ctx().app).get('/api/v1/orgs')).status).toBe(401);
    const user = await ctx().createUser(['drafter'], ctx().rootOrgId);
    expect((await ctx().as(user).get('/api/v1/orgs')).status).toBe(200);
    expect((await ctx().as(user).post('/api/v1/auth/logout')).status).toBe(204);
    expect((await ctx().as(user).get('/api/v1/orgs')).status).toBe(401);
  });

  it('stores tokens and passwords only as hashes', async () => {
    const user = await ctx().createUser(['reporter'], ctx().rootOrgId);
    const row = await ctx().db('users').where({ id: user.id }).first();
    expect(row.password_hash).toMatch(/^scrypt\$/);
    expect(row.password_hash).not.toContain(user.password);
    const tokens = await ctx().db('auth_tokens').where({ user_id: user.id });
    expect(tokens.map((t: { token_hash: string }) => t.token_hash)).not.toContain(user.token);
  });
});

describe('login rate limit', () => {
  it('answers 429 after too many failures, even with the right password', async () => {
    const ctx = await createTestContext('sqlite', { LOGIN_MAX_FAILURES: '3' });
    try {
      for (let i = 0; i < 3; i++) {
        expect((await request(ctx.app).post('/api/v1/auth/login').send({ email: 'admin-1@test.vn', password: 'wrong' })).status).toBe(401);
      }
      const res = await request(ctx.app).post('/api/v1/auth/login').send({ email: 'admin-1@test.vn', password: 'password-123' });
      expect(res.status).toBe(429);
      expect(res.body.error.code).toBe('LOGIN_RATE_LIMITED');
    } finally {
      await ctx.close();
    }
  });
});

describe('the authorisation rule', () => {
  const actor = (roles: Role[], orgId: number): Actor => ({ id: 1, email: 'x@y.vn', name: 'x', roles, orgId, locale: 'vi' });
  const ROLES: Role[] = ['admin', 'drafter', 'approver', 'secretary', 'reporter', 'broadcaster'];

  it.each(ROLES)('a %s may act on its own organisation only with an allowed role, never on another one', (role) => {
    for (const allowed of ROLES) {
      const a = actor([role], 10);
      const roleAllowed = role === allowed;
      expect(can(a, [allowed], 10)).toBe(roleAllowed);
      expect(can(a, [allowed], 11)).toBe(role === 'admin' && allowed === 'admin');
    }
  });
});

describe('password hashes', () => {
  it('are made with scrypt N=2^15 unless PASSWORD_SCRYPT_N says otherwise, and verify with the N they were made with', async () => {
    const strong = await hashPassword(loadConfig({}), 'mật khẩu');
    expect(strong.split('$').slice(0, 4)).toEqual(['scrypt', '32768', '8', '1']);
    const light = await hashPassword(loadConfig({ PASSWORD_SCRYPT_N: '1024' }), 'mật khẩu');
    expect(light.split('$')[1]).toBe('1024');
    await expect(verifyPassword('mật khẩu', strong)).resolves.toBe(true);
    await expect(verifyPassword('mật khẩu', light)).resolves.toBe(true);
    await expect(verifyPassword('mat khau', light)).resolves.toBe(false);
    expect(() => loadConfig({ PASSWORD_SCRYPT_N: '3000' })).toThrow();
    expect(() => loadConfig({ PASSWORD_SCRYPT_N: '512' })).toThrow();
  });
});
