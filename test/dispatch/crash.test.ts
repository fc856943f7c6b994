import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { createDb, migrate, type Db } from '../../src/db';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { enqueueMail } from '../../src/dispatch/outbox';
import { storeBuffer } from '../../src/shared/media';
import { ROOT } from '../../src/shared/paths';
import { startSmtpSink, type SmtpSink } from './smtp-sink';

/**
 * Story: a secretary dispatches a letter to 30 agencies; the server is killed (kill -9) while the worker
 * is in the middle of sending; on restart every agency receives the letter exactly once.
 * The worker runs in a child process against a SQLite file and a real SMTP server on loopback.
 */
const CHILD = path.join(__dirname, 'fixtures', 'worker-child.ts');

function startWorker(env: Record<string, string>): { child: ChildProcess; exited: Promise<number | null>; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (out += c));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => out };
}

async function waitFor(what: string, cond: () => Promise<boolean>, timeoutMs = 45_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('outbox worker killed mid-dispatch', () => {
  let dir: string;
  let db: Db;
  let sink: SmtpSink;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vandong-crash-'));
    const mediaDir = path.join(dir, 'media');
    fs.mkdirSync(mediaDir);
    const url = `sqlite://${path.join(dir, 'crash.sqlite')}`;
    db = createDb({ url });
    await migrate(db);
    sink = await startSmtpSink();
    env = { DATABASE_URL: url, MEDIA_DIR: mediaDir, SMTP_URL: sink.url, MAIL_POOL_SIZE: '3', MAIL_RATE_PER_SECOND: '1000', LOG_LEVEL: 'silent' };
    const docx = await storeBuffer(mediaDir, 'dispatch', crypto.randomBytes(60 * 1024), '.docx');
    const deps = { db, config: loadConfig(env), log: createLogger('silent'), clock: () => new Date() };
    for (let i = 1; i <= 30; i++) {
      await enqueueMail(deps, db, {
        kind: 'letter',
        dedupeKey: `crash:${i}`,
        to: `donvi${i}@hatinh.gov.vn`,
        subject: `Công văn số 1399/STTTT-TTBCXB gửi đơn vị ${i}`,
        text: `Kính gửi: Đơn vị ${i}`,
        attachments: [{ filename: '1399-STTTT.docx', path: docx.relPath }],
      });
    }
  });

  afterAll(async () => {
    await sink?.close();
    await db?.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('delivers every message exactly once after a kill -9 and a restart', async () => {
    // The server accepts 10 messages, then never answers the end of DATA: the worker is stuck mid-transaction.
    sink.setOptions({ onDataEnd: (accepted) => (accepted >= 10 ? 'hold' : 'accept') });
    const first = startWorker(env);
    const sentCount = async () => Number((await db('mail_outbox').where({ status: 'sent' }).count({ n: '*' }))[0].n);
    // Kill only once every accepted message is recorded and others are in flight.
    await waitFor('the worker to be mid-dispatch', async () => sink.held() > 0 && sink.accepted() === 10 && (await sentCount()) === 10);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBeNull();
    expect(first.output()).not.toContain('drained');

    const sending = await db('mail_outbox').where({ status: 'sending' }).select('id');
    expect(sending.length).toBeGreaterThan(0); // the crash left messages half-sent
    sink.releaseHeld(); // their connections are dead; the server never said 250

    sink.setOptions({});
    const second = startWorker(env);
    expect(await second.exited).toBe(0);
    expect(second.output()).toMatch(/drained .*"recovered":[1-9]/);

    const mails = await sink.parsed();
    const byMessageId = new Map<string, number>();
    for (const m of mails) byMessageId.set(m.messageId!, (byMessageId.get(m.messageId!) ?? 0) + 1);
    const rows = await db('mail_outbox').orderBy('id');
    expect(rows).toHaveLength(30);
    for (const row of rows) {
      expect(row.status).toBe('sent');
      expect(byMessageId.get(row.message_id)).toBe(1);
    }
    expect(mails).toHaveLength(30);
    expect(new Set(sink.received.map((r) => r.envelopeTo[0])).size).toBe(30);
  });
});
