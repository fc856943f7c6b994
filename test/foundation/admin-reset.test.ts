import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { describeEachDb } from '../helpers/context';
import { resetPasswordFromShell } from '../../src/auth/service';
import { verifyPassword } from '../../src/auth/password';
import { loadConfig } from '../../src/config';
import { createDb, migrate } from '../../src/db';
import { createLogger } from '../../src/logger';
import { bootstrapAdmin } from '../../src/auth';

const run = promisify(execFile);
const ROOT = path.join(__dirname, '../..');

describeEachDb('the first administrator’s password was missed: reset from the shell', (ctx) => {
  const login = (email: string, password: string) => request(ctx().app).post('/api/v1/auth/login').send({ email, password });

  it('sets a new generated password, signs the account out everywhere, and the old password stops working', async () => {
    const { email, password: old, token } = ctx().admin;
    expect((await request(ctx().app).get('/api/v1/auth/me').set('Authorization', `Bearer ${token}`)).status).toBe(200);
    // A few wrong guesses before the reset must not delay the sign-in after it.
    for (let i = 0; i < 3; i++) expect((await login(email, 'wrong-guess')).status).toBe(401);

    const reset = await resetPasswordFromShell(ctx().deps, ` ${email.toUpperCase()} `);
    expect(reset.email).toBe(email);
    expect(reset.password).toMatch(/^\S{12,}$/);
    expect(reset.password).not.toBe(old);

    expect((await request(ctx().app).get('/api/v1/auth/me').set('Authorization', `Bearer ${token}`)).status).toBe(401);
    expect((await login(email, old)).status).toBe(401);
    const fresh = await login(email, reset.password);
    expect(fresh.status).toBe(200);
    ctx().admin.token = fresh.body.token;
    ctx().admin.password = reset.password;
  });

  it('refuses an unknown address and changes nothing', async () => {
    const before = await ctx().db('users').select('id', 'password_hash').orderBy('id');
    await expect(resetPasswordFromShell(ctx().deps, 'nobody@test.vn')).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });
    expect(await ctx().db('users').select('id', 'password_hash').orderBy('id')).toEqual(before);
  });
});

describe('npm run admin:reset-password (the command itself, on a SQLite file)', () => {
  it('prints the new password once, and it is the one stored', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vandong-reset-'));
    const env = { ...process.env, DATABASE_URL: `sqlite://${path.join(dir, 'v.sqlite')}`, MEDIA_DIR: path.join(dir, 'media'), VANDONG_ADMIN_EMAIL: 'quantri@hatinh.gov.vn' };
    delete (env as Record<string, string | undefined>).VANDONG_ADMIN_PASSWORD;
    const config = loadConfig(env);
    const db = createDb({ url: config.DATABASE_URL });
    try {
      await migrate(db);
      const first = await bootstrapAdmin({ db, config, log: createLogger('silent'), clock: () => new Date() });
      expect(first?.password).toBeTruthy(); // the one printed at the first start, "missed"

      const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/auth/reset-password-cli.ts'], { cwd: ROOT, env });
      const printed = /New password for quantri@hatinh\.gov\.vn: (\S+)/.exec(stdout)?.[1];
      expect(printed).toBeTruthy();
      expect(printed).not.toBe(first!.password);
      const row = await db('users').where({ email: 'quantri@hatinh.gov.vn' }).first();
      await expect(verifyPassword(printed!, row.password_hash)).resolves.toBe(true);
      await expect(verifyPassword(first!.password!, row.password_hash)).resolves.toBe(false);

    } finally {
      await db.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
