/**
 * Hostile input from outside, route family by route family: every one is answered with a 400 and a JSON error
 * code, never a 500 or a frozen server — deep JSON, ids past 2^31, NUL characters, implausible dates, broken
 * multipart bodies, a huge free-recipients field — and a hostile X-Request-Id costs nobody their audit entry.
 */
import request from 'supertest';
import { z } from 'zod';
import { describeEachDb, type TestUser } from '../helpers/context';
import { signIn } from '../helpers/browser-session';
import { plainLetter, setUpDepartment, type Department } from '../letters/helpers';
import { parseFreeRecipients } from '../../src/letters/draft-form';
import { auditIdle, queueAudit } from '../../src/audit';
import { calendarDate, parse, text, requiredText } from '../../src/shared/validate';

type Who = 'anon' | 'admin' | 'drafter' | 'broadcaster';
interface Probe {
  name: string;
  method: 'get' | 'post' | 'patch' | 'put';
  url: string;
  who: Who;
  /** A JSON value, or raw text sent as application/json. */
  body?: unknown;
  raw?: string;
  code: string;
  field?: string;
}

const BIG = 2147483648;
const deepArrays = '['.repeat(10_000) + ']'.repeat(10_000);
const deepObjects = '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000);

describeEachDb('security: hostile input answered with 400', (ctx) => {
  let dep: Department;
  let broadcaster: TestUser;
  let letterId: number;
  let campaignId: number;
  const users = (): Record<Exclude<Who, 'anon'>, TestUser> => ({ admin: ctx().admin, drafter: dep.drafter, broadcaster });
  const send = (p: { method: Probe['method']; url: string; who: Who }) => {
    const t = request(ctx().app)[p.method](p.url);
    return p.who === 'anon' ? t : t.set('Authorization', `Bearer ${users()[p.who].token}`);
  };

  beforeAll(async () => {
    dep = await setUpDepartment(ctx());
    const commune = await ctx().createOrg({ name: 'UBND xã Cẩm Bình', shortName: 'UBND', kind: 'commune' });
    broadcaster = await ctx().createUser(['broadcaster'], commune, 'Cán bộ đài');
    const letter = await ctx().as(dep.drafter).post('/api/v1/letters').send(plainLetter(dep));
    expect(letter.status).toBe(201);
    letterId = letter.body.id;
    const campaign = await ctx().as(ctx().admin).post('/api/v1/campaigns').send({
      name: 'Cài đặt VNeID',
      metricLabel: 'Số người đã cài đặt',
      startDate: '2026-02-02',
      endDate: '2026-06-28',
      deadline: { weekday: 5, time: '17:00' },
      orgIds: [dep.recipients.syt],
    });
    expect(campaign.status).toBe(201);
    campaignId = campaign.body.id;
  });

  const schedule = (extra: Record<string, unknown>) => ({ audioId: 1, title: 'Bản tin', communeIds: [1], startDate: '2026-03-02', endDate: '2026-03-08', times: ['06:00'], ...extra });
  const campaign = (extra: Record<string, unknown>) => ({ name: 'C', metricLabel: 'M', startDate: '2026-03-02', endDate: '2026-06-28', deadline: { weekday: 5, time: '17:00' }, orgIds: [1], ...extra });

  const probes = (): Probe[] => [
    // nested JSON, even before sign-in
    ...(
      [
        ['post', '/api/v1/auth/login', 'anon'],
        ['post', '/api/v1/orgs', 'admin'],
        ['patch', `/api/v1/orgs/${ctx().rootOrgId}`, 'admin'],
        ['post', '/api/v1/users', 'admin'],
        ['post', '/api/v1/letters', 'drafter'],
        ['patch', `/api/v1/letters/${letterId}`, 'drafter'],
        ['post', '/api/v1/letter-templates', 'admin'],
        ['post', `/api/v1/letters/${letterId}/reject`, 'admin'],
        ['post', '/api/v1/broadcasts', 'drafter'],
        ['post', '/api/v1/feed-tokens', 'admin'],
        ['post', '/api/v1/campaigns', 'admin'],
        ['put', `/api/v1/campaigns/${campaignId}/reports/2026-W10`, 'admin'],
      ] as const
    ).flatMap(([method, url, who]): Probe[] => [
      { name: 'nested arrays', method, url, who, raw: deepArrays, code: 'JSON_TOO_DEEP' },
      { name: 'nested objects', method, url, who, raw: `{"x":${deepObjects}}`, code: 'JSON_TOO_DEEP' },
    ]),
    // ids past a 32-bit integer, in paths, queries and bodies
    ...[
      `/api/v1/orgs/${BIG}`,
      `/api/v1/recipient-groups/${BIG}`,
      `/api/v1/letters/${BIG}`,
      `/api/v1/letters/${BIG}/docx`,
      `/api/v1/letters/${BIG}/deliveries`,
      `/api/v1/letter-templates/${BIG}`,
      `/api/v1/audio/${BIG}`,
      `/api/v1/broadcasts/${BIG}`,
      `/api/v1/campaigns/${BIG}`,
      `/api/v1/campaigns/${BIG}/overview`,
      `/api/v1/campaigns/${BIG}/dashboard`,
      `/api/v1/letters?orgId=${BIG}`,
      `/api/v1/orgs?parentId=${BIG}`,
      `/api/v1/audit?beforeId=${BIG}`,
      `/api/v1/letters/99999999999999999999999`,
    ].map((url): Probe => ({ name: 'big id', method: 'get', url, who: 'admin', code: 'VALIDATION_FAILED' })),
    { name: 'big id', method: 'patch', url: `/api/v1/users/${BIG}`, who: 'admin', body: { name: 'x' }, code: 'VALIDATION_FAILED' },
    { name: 'big id', method: 'post', url: `/api/v1/letters/${BIG}/submit`, who: 'drafter', code: 'VALIDATION_FAILED' },
    { name: 'big id', method: 'post', url: `/api/v1/letters/${BIG}/dispatch`, who: 'admin', code: 'VALIDATION_FAILED' },
    { name: 'big id', method: 'post', url: `/api/v1/broadcaster/occurrences/${BIG}/confirm`, who: 'broadcaster', code: 'VALIDATION_FAILED' },
    { name: 'big id in body', method: 'post', url: '/api/v1/orgs', who: 'admin', body: { name: 'x', shortName: 'X', kind: 'other', parentId: BIG }, code: 'VALIDATION_FAILED', field: 'parentId' },
    { name: 'big id in body', method: 'post', url: '/api/v1/recipient-groups', who: 'admin', body: { name: 'g', orgIds: [BIG] }, code: 'VALIDATION_FAILED', field: 'orgIds.0' },
    { name: 'big id in body', method: 'post', url: '/api/v1/letters', who: 'drafter', body: { ...plainLetter(dep), issuingOrgId: BIG }, code: 'VALIDATION_FAILED', field: 'issuingOrgId' },
    { name: 'big id in body', method: 'post', url: '/api/v1/broadcasts', who: 'drafter', body: schedule({ audioId: BIG }), code: 'VALIDATION_FAILED', field: 'audioId' },
    { name: 'big id in body', method: 'post', url: '/api/v1/campaigns', who: 'admin', body: campaign({ orgIds: [BIG] }), code: 'VALIDATION_FAILED', field: 'orgIds.0' },
    // NUL characters (PostgreSQL refuses them in text)
    { name: 'NUL', method: 'post', url: '/api/v1/auth/login', who: 'anon', body: { email: 'a\u0000@b.vn', password: 'x' }, code: 'NUL_CHARACTER' },
    { name: 'NUL', method: 'post', url: '/api/v1/orgs', who: 'admin', body: { name: 'Sở\u0000Y tế', shortName: 'SYT', kind: 'department' }, code: 'NUL_CHARACTER', field: 'name' },
    { name: 'NUL', method: 'post', url: '/api/v1/letter-templates', who: 'admin', body: { name: 'Mẫu', body: 'Nội dung\u0000' }, code: 'NUL_CHARACTER', field: 'body' },
    { name: 'NUL', method: 'post', url: '/api/v1/letters', who: 'drafter', body: { ...plainLetter(dep), subject: 'V/v\u0000' }, code: 'NUL_CHARACTER', field: 'subject' },
    { name: 'NUL', method: 'post', url: '/api/v1/campaigns', who: 'admin', body: campaign({ name: 'C\u0000' }), code: 'NUL_CHARACTER', field: 'name' },
    { name: 'NUL in a key', method: 'post', url: '/api/v1/orgs', who: 'admin', body: { 'na\u0000me': 'x' }, code: 'NUL_CHARACTER' },
    { name: 'NUL', method: 'get', url: '/api/v1/orgs?q=S%00', who: 'admin', code: 'NUL_CHARACTER' },
    { name: 'NUL', method: 'get', url: '/api/v1/letters/1%00', who: 'admin', code: 'NUL_CHARACTER' },
    { name: 'NUL', method: 'get', url: '/feed/abc%00/schedule.json', who: 'anon', code: 'NUL_CHARACTER' },
    // implausible and impossible dates
    ...['9999-01-01', '1000-01-01', '2026-02-30', '2026-13-01'].flatMap((d): Probe[] => [
      { name: `date ${d}`, method: 'post', url: '/api/v1/broadcasts', who: 'drafter', body: schedule({ startDate: d }), code: 'VALIDATION_FAILED', field: 'startDate' },
      { name: `date ${d}`, method: 'post', url: '/api/v1/campaigns', who: 'admin', body: campaign({ endDate: d }), code: 'VALIDATION_FAILED', field: 'endDate' },
      { name: `date ${d}`, method: 'get', url: `/api/v1/broadcaster/schedule?date=${d}`, who: 'broadcaster', code: 'VALIDATION_FAILED', field: 'date' },
    ]),
  ];

  it('answers every probe with a 400 and its JSON error code, never a 500', async () => {
    const seen: string[] = [];
    for (const p of probes()) {
      let t = send(p).set('Accept', 'application/json');
      if (p.raw !== undefined) t = t.set('Content-Type', 'application/json').send(p.raw);
      else if (p.body !== undefined) t = t.send(p.body as object);
      const res = await t;
      const got = { probe: `${p.name}: ${p.method.toUpperCase()} ${p.url.slice(0, 80)}`, status: res.status, code: res.body?.error?.code };
      seen.push(`${got.status} ${got.code} ${got.probe}`);
      expect(got).toEqual({ probe: got.probe, status: 400, code: p.code });
      if (p.field) expect([got.probe, Object.keys(res.body.error.fields ?? {})]).toEqual([got.probe, expect.arrayContaining([p.field])]);
    }
    expect(seen.length).toBeGreaterThan(60);
  });

  it('answers the same hostile input on pages with a 400 page', async () => {
    const s = await signIn(ctx().app, dep.drafter.email, dep.drafter.password);
    expect((await s.agent.get(`/letters/${BIG}`)).status).toBe(400);
    expect((await s.agent.get(`/broadcasts/${BIG}`)).status).toBe(400);
    expect((await s.agent.get(`/campaigns/${BIG}`)).status).toBe(400);
    const nul = await s.agent.post(`/letters/${letterId}/reject`).type('form').send({ _csrf: s.csrf, reason: 'a\u0000b' });
    expect(nul.status).toBe(400);
    const deep = await s.agent.post('/letters').set('X-CSRF-Token', s.csrf).set('Content-Type', 'application/json').send(deepArrays);
    expect(deep.status).toBe(400);
  });

  it('answers malformed multipart bodies on every upload route with 400', async () => {
    const routes = [
      [`/api/v1/letters/${letterId}/attachments`, 'drafter'],
      ['/api/v1/audio', 'drafter'],
      ['/api/v1/orgs/import', 'admin'],
    ] as const;
    const bodies: [string, string][] = [
      ['multipart/form-data', '--x\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF-\r\n--x--\r\n'],
      ['multipart/form-data; boundary=', 'whatever'],
      ['multipart/form-data; boundary=abc', 'this is not a multipart body at all'],
      ['multipart/form-data; boundary=abc', '--abc\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF-1.4 truncated here'],
      ['multipart/form-data; boundary=abc', '--abc\r\nno header separator'],
    ];
    for (const [url, who] of routes) {
      for (const [type, body] of bodies) {
        const res = await send({ method: 'post', url, who }).set('Content-Type', type).send(body);
        expect({ url, type, body: body.slice(0, 30), status: res.status, code: res.body?.error?.code }).toEqual({ url, type, body: body.slice(0, 30), status: 400, code: expect.stringMatching(/^(MALFORMED_MULTIPART|FILE_REQUIRED)$/) });
      }
    }
  });

  it('refuses NUL characters and ids past 2^31 in the shared validators themselves', () => {
    const schema = z.object({ a: text(50).optional(), b: requiredText(50).optional() });
    expect(() => parse(schema, { a: 'x\u0000y' })).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED', fields: { a: expect.any(String) } }));
    expect(() => parse(schema, { b: '\u0000' })).toThrow(expect.objectContaining({ fields: { b: expect.any(String) } }));
    expect(parse(z.object({ d: calendarDate() }), { d: '2026-02-28' })).toEqual({ d: '2026-02-28' });
    for (const d of ['2101-01-01', '1999-12-31', '2026-02-29', '2026-2-1', '']) expect(() => parse(z.object({ d: calendarDate() }), { d })).toThrow();
  });

  describe('free recipients of the letter form', () => {
    it('parses a 200 KB hostile value in linear time', () => {
      const hostile = ['<x'.repeat(100_000), '<'.repeat(200_000), 'a <b'.repeat(50_000), `a${' '.repeat(200_000)}<b`];
      for (const value of hostile) {
        const started = process.hrtime.bigint();
        parseFreeRecipients(value);
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        expect([value.slice(0, 8), ms]).toEqual([value.slice(0, 8), expect.any(Number)]);
        expect(ms).toBeLessThan(200);
      }
    });

    it('reads the same recipients as before', () => {
      expect(parseFreeRecipients('Báo Hà Tĩnh <bht@hatinh.gov.vn>\r\n  Đài PT-TH tỉnh  \n\nSở Y tế<syt@hatinh.gov.vn>\nA <b<c>\nTên <>\nx <y> z')).toEqual([
        { name: 'Báo Hà Tĩnh', email: 'bht@hatinh.gov.vn' },
        { name: 'Đài PT-TH tỉnh' },
        { name: 'Sở Y tế', email: 'syt@hatinh.gov.vn' },
        { name: 'A', email: 'b<c' },
        { name: 'Tên <>' },
        { name: 'x <y> z' },
      ]);
    });

    it('answers a 200 KB free-recipients field at once with a 400 in the user’s language', async () => {
      const s = await signIn(ctx().app, dep.drafter.email, dep.drafter.password);
      const form = { _csrf: s.csrf, place: 'Hà Tĩnh', subject: 'tuyên truyền', body: 'Nội dung', signerTitle: 'GIÁM ĐỐC', signerName: 'Nguyễn Văn A', unitCode: 'TTBCXB', freeRecipients: '<x'.repeat(100_000) };
      const started = Date.now();
      const res = await s.agent.post('/letters').type('form').send(form);
      expect(Date.now() - started).toBeLessThan(1000);
      expect(res.status).toBe(400);
      expect(res.text).toContain('quá dài');
      const en = await s.agent.post('/letters?lang=en').type('form').send(form);
      expect(en.status).toBe(400);
      expect(en.text).toContain('too long');
    });
  });

  describe('X-Request-Id', () => {
    const created = async (res: request.Response) => {
      expect(res.status).toBe(201);
      return String(res.body.id);
    };

    it('audits a request with a 200-character id and another one sent with it, without storing the long id', async () => {
      const long = 'r'.repeat(200);
      const [a, b] = await Promise.all([
        ctx().as(ctx().admin).post('/api/v1/orgs').set('X-Request-Id', long).send({ name: 'Đơn vị A', shortName: 'A', kind: 'other' }),
        ctx().as(ctx().admin).post('/api/v1/orgs').set('X-Request-Id', 'normal-request.1').send({ name: 'Đơn vị B', shortName: 'B', kind: 'other' }),
      ]);
      expect(a.headers['x-request-id']).not.toBe(long);
      expect(a.headers['x-request-id']).toMatch(/^[A-Za-z0-9._-]{1,64}$/);
      expect(b.headers['x-request-id']).toBe('normal-request.1');
      const [idA, idB] = [await created(a), await created(b)];
      await auditIdle(ctx().deps);
      const rows = await ctx().db('audit_log').where({ entity: 'orgs' }).whereIn('entity_id', [idA, idB]);
      expect(rows).toHaveLength(2);
      const byId = Object.fromEntries(rows.map((r: { entity_id: string; request_id: string }) => [r.entity_id, r.request_id]));
      expect(byId[idB]).toBe('normal-request.1');
      expect(byId[idA]).toBe(a.headers['x-request-id']);
      expect(await ctx().db('audit_log').where({ request_id: long })).toHaveLength(0);
    });

    it('replaces an id with unsafe characters', async () => {
      for (const bad of ['a b', 'x\ty', 'line;drop', 'ünïcode', '../../etc', '']) {
        const res = await ctx().as(ctx().admin).get('/api/v1/auth/me').set('X-Request-Id', bad);
        expect(res.status).toBe(200);
        if (bad !== '../../etc') expect(res.headers['x-request-id']).not.toBe(bad);
        expect(res.headers['x-request-id']).toMatch(/^[A-Za-z0-9._-]{1,64}$/);
      }
    });

    it('writes the good entries of a batch when one entry cannot be written, and reports the bad one', async () => {
      const errors: unknown[] = [];
      const entry = (n: string, userId: number | null) => ({ userId, orgId: null, action: 'POST test', entity: 'batch-test', entityId: n, detail: null, requestId: `batch-${n}`, ip: '127.0.0.1' });
      queueAudit(ctx().deps, entry('1', ctx().admin.id), (e) => errors.push(e));
      queueAudit(ctx().deps, entry('2', 2_000_000_000), (e) => errors.push(e)); // no such user: the foreign key refuses it
      queueAudit(ctx().deps, { ...entry('3', null), requestId: 'q'.repeat(300) }, (e) => errors.push(e));
      queueAudit(ctx().deps, entry('4', ctx().admin.id), (e) => errors.push(e));
      await auditIdle(ctx().deps);
      const rows = await ctx().db('audit_log').where({ entity: 'batch-test' }).orderBy('entity_id');
      expect(rows.map((r: { entity_id: string }) => r.entity_id)).toEqual(['1', '3', '4']);
      expect(rows[1].request_id.length).toBeLessThanOrEqual(64);
      expect(errors).toHaveLength(1);
    });
  });
});
