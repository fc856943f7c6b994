import crypto from 'node:crypto';
import request from 'supertest';
import { describeEachDb, type TestUser } from '../helpers/context';
import { binary, text, toneFile, uploadAndWait } from './audio-helpers';
import { markMissed } from '../../src/broadcasts/schedule';

type Item = { occurrenceId: number; scheduledAt: string; title: string; audioUrl: string; sha256: string; durationSec: number; status: string };

describeEachDb('broadcasts: from a phone recording to what each commune played', (ctx) => {
  let drafter: TestUser;
  let district: number;
  let communes: number[];
  let audioId: number;
  let broadcasterA: TestUser;
  let broadcasterB: TestUser;
  let broadcastId: number;

  beforeAll(async () => {
    const dept = await ctx().createOrg({ name: 'Sở Thông tin và Truyền thông', shortName: 'STTTT', kind: 'department' });
    district = await ctx().createOrg({ name: 'UBND huyện Cẩm Xuyên', shortName: 'UBND', kind: 'district' });
    communes = [];
    for (const n of ['Cẩm Bình', 'Cẩm Thành', 'Cẩm Quang', 'Cẩm Vịnh', 'Cẩm Thạch']) communes.push(await ctx().createOrg({ name: `UBND xã ${n}`, shortName: 'UBND', kind: 'commune', parentId: district }));
    drafter = await ctx().createUser(['drafter'], dept, 'Nguyễn Văn Chuyên');
    broadcasterA = await ctx().createUser(['broadcaster'], communes[0], 'Đài xã Cẩm Bình');
    broadcasterB = await ctx().createUser(['broadcaster'], communes[1], 'Đài xã Cẩm Thành');
    // Sunday 1 March 2026, 17:00 in Hà Tĩnh (set after signing in: bearer tokens expire by the real clock)
    ctx().setNow('2026-03-01T10:00:00Z');
  });

  it('a drafter uploads an m4a recorded on a phone and schedules it at 06:00 and 17:00 for a week in five communes', async () => {
    const up = await uploadAndWait(ctx(), drafter, toneFile('m4a'), 'ghi-am-tiem-chung.m4a', 'Tuyên truyền tiêm vắc xin COVID-19');
    expect(up.audio.status).toBe('ready');
    audioId = up.id;
    const res = await ctx().as(drafter).post('/api/v1/broadcasts').send({
      audioId,
      title: 'Tuyên truyền tiêm vắc xin COVID-19',
      communeIds: communes,
      startDate: '2026-03-02',
      endDate: '2026-03-08',
      times: ['06:00', '17:00'],
    });
    expect(res.status).toBe(201);
    expect(res.body.occurrences).toBe(5 * 7 * 2);
    broadcastId = res.body.id;
    const rows = await ctx().db('occurrences').where({ broadcast_id: broadcastId, org_id: communes[0] }).orderBy('scheduled_at');
    expect(rows).toHaveLength(14);
    // 06:00 and 17:00 in Asia/Ho_Chi_Minh are 23:00 the day before and 10:00 UTC
    expect(rows.slice(0, 2).map((r: { scheduled_at: string }) => r.scheduled_at)).toEqual(['2026-03-01T23:00:00.000Z', '2026-03-02T10:00:00.000Z']);
    expect(rows[13].scheduled_at).toBe('2026-03-08T10:00:00.000Z');
  });

  it('the broadcaster of one commune sees it, downloads it with a resumed Range request and confirms once', async () => {
    ctx().setNow('2026-03-02T00:30:00Z'); // Monday 07:30
    const feed = await ctx().as(broadcasterA).get('/api/v1/broadcaster/schedule?date=2026-03-02');
    expect(feed.status).toBe(200);
    const items = feed.body.items as Item[];
    expect(items.map((i) => i.scheduledAt)).toEqual(['2026-03-01T23:00:00.000Z', '2026-03-02T10:00:00.000Z']);
    expect(items[0]).toMatchObject({ title: 'Tuyên truyền tiêm vắc xin COVID-19', status: 'pending', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(items[0].durationSec).toBeGreaterThan(2.5);

    const url = new URL(items[0].audioUrl).pathname;
    const first = await request(ctx().app).get(url).set('Range', 'bytes=0-9999').buffer(true).parse(binary);
    expect(first.status).toBe(206);
    const size = Number(first.headers['content-range'].split('/')[1]);
    const rest = await request(ctx().app).get(url).set('Range', 'bytes=10000-').set('If-Range', first.headers.etag).buffer(true).parse(binary);
    expect(rest.status).toBe(206);
    expect(rest.headers['content-range']).toBe(`bytes 10000-${size - 1}/${size}`);
    const whole = Buffer.concat([first.body, rest.body]);
    expect(whole.length).toBe(size);
    expect(crypto.createHash('sha256').update(whole).digest('hex')).toBe(items[0].sha256);

    const ok = await ctx().as(broadcasterA).post(`/api/v1/broadcaster/occurrences/${items[0].occurrenceId}/confirm`).send({});
    expect(ok.status).toBe(200);
    expect(ok.body.status).toBe('played');
    const again = await ctx().as(broadcasterA).post(`/api/v1/broadcaster/occurrences/${items[0].occurrenceId}/confirm`).send({});
    expect(again.body).toEqual(ok.body);

    // tomorrow's slot cannot be confirmed today
    const tomorrow = (await ctx().as(broadcasterA).get('/api/v1/broadcaster/schedule?date=2026-03-03')).body.items[0];
    expect((await ctx().as(broadcasterA).post(`/api/v1/broadcaster/occurrences/${tomorrow.occurrenceId}/confirm`).send({})).status).toBe(409);
  });

  it("a broadcaster cannot see or confirm another commune's broadcast", async () => {
    const itemsA = (await ctx().as(broadcasterA).get('/api/v1/broadcaster/schedule?date=2026-03-02')).body.items as Item[];
    const res = await ctx().as(broadcasterB).post(`/api/v1/broadcaster/occurrences/${itemsA[1].occurrenceId}/confirm`).send({});
    expect(res.status).toBe(403);
    expect((await ctx().db('occurrences').where({ id: itemsA[1].occurrenceId }).first()).status).toBe('pending');
    expect((await ctx().as(broadcasterB).get(`/api/v1/broadcaster/schedule?date=2026-03-02&orgId=${communes[0]}`)).status).toBe(403);
    expect((await ctx().as(drafter).post(`/api/v1/broadcaster/occurrences/${itemsA[1].occurrenceId}/confirm`).send({})).status).toBe(403);
  });

  it('after the grace period the department view shows played and missed per commune', async () => {
    ctx().setNow('2026-03-02T12:30:00Z'); // Monday 19:30: 2 h 30 after the 17:00 slot
    expect(await markMissed(ctx().deps)).toBe(9); // 4 communes missed 06:00, all 5 missed 17:00
    const status = await ctx().as(drafter).get(`/api/v1/broadcasts/${broadcastId}/status`);
    expect(status.status).toBe(200);
    const byId = new Map((status.body.byCommune as { orgId: number }[]).map((c) => [c.orgId, c]));
    expect(byId.get(communes[0])).toEqual({ orgId: communes[0], name: 'UBND xã Cẩm Bình', scheduled: 14, played: 1, missed: 1, pending: 12 });
    for (const c of communes.slice(1)) expect(byId.get(c)).toMatchObject({ scheduled: 14, played: 0, missed: 2, pending: 12 });
    expect(await markMissed(ctx().deps)).toBe(0);

    const cal = await ctx().as(drafter).get(`/api/v1/broadcasts/${broadcastId}/calendar?week=2026-W10`);
    expect(cal.body.days[0]).toMatchObject({ date: '2026-03-02', slots: [{ time: '06:00', played: 1, missed: 4, pending: 0, total: 5 }, { time: '17:00', played: 0, missed: 5, pending: 0, total: 5 }] });
    expect(cal.body.days[6].slots).toHaveLength(2);

    const page = await ctx().as(drafter).get(`/broadcasts/${broadcastId}?week=2026-W10`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('UBND xã Cẩm Bình');
    expect(page.text).toContain('Thứ Hai');
  });

  it('editing the schedule changes only future occurrences', async () => {
    const res = await ctx().as(drafter).patch(`/api/v1/broadcasts/${broadcastId}`).send({ times: ['07:00'], endDate: '2026-03-04' });
    expect(res.status).toBe(200);
    const rows = await ctx().db('occurrences').where({ broadcast_id: broadcastId, org_id: communes[0] }).orderBy('scheduled_at');
    const active = rows.filter((r: { status: string }) => r.status !== 'cancelled').map((r: { scheduled_at: string; status: string }) => `${r.scheduled_at} ${r.status}`);
    expect(active).toEqual([
      '2026-03-01T23:00:00.000Z played',
      '2026-03-02T10:00:00.000Z missed',
      '2026-03-03T00:00:00.000Z pending', // Tue 07:00
      '2026-03-04T00:00:00.000Z pending', // Wed 07:00
    ]);
    expect(res.body.occurrences).toBe(5 * 4);
    const status = await ctx().as(drafter).get(`/api/v1/broadcasts/${broadcastId}/status`);
    expect(status.body.byCommune.find((c: { orgId: number }) => c.orgId === communes[0])).toMatchObject({ scheduled: 4, played: 1, missed: 1, pending: 2 });
  });

  it('an IP receiver reads JSON, M3U and iCalendar through a revocable token and confirms with it', async () => {
    ctx().setNow('2026-03-03T00:05:00Z'); // Tuesday 07:05
    const created = await ctx().as(drafter).post('/api/v1/feed-tokens').send({ orgId: communes[2], label: 'Cụm loa IP thôn 1' });
    expect(created.status).toBe(201);
    const feedPath = (u: string) => new URL(u).pathname;
    const json = await request(ctx().app).get(feedPath(created.body.urls.json));
    expect(json.status).toBe(200);
    expect(json.body.items).toHaveLength(1);
    expect(json.body.items[0]).toMatchObject({ scheduledAt: '2026-03-03T00:00:00.000Z', sha256: expect.any(String), audioUrl: expect.stringContaining('/audio/') });
    const m3u = await request(ctx().app).get(feedPath(created.body.urls.m3u)).buffer(true).parse(text);
    expect(m3u.headers['content-type']).toMatch(/mpegurl/);
    expect(m3u.body).toMatch(/^#EXTM3U\n#EXTINF:3,07:00 Tuyên truyền/);
    expect(m3u.body).toContain(json.body.items[0].audioUrl);
    const ics = await request(ctx().app).get(feedPath(created.body.urls.ics));
    expect(ics.headers['content-type']).toMatch(/text\/calendar/);
    expect(ics.text).toContain('BEGIN:VCALENDAR');
    expect(ics.text).toContain('DTSTART:20260303T000000Z');
    expect(ics.text.split('\r\n').every((l) => Buffer.byteLength(l) <= 75)).toBe(true);

    const confirm = await request(ctx().app).post(`/api/v1/feed/occurrences/${json.body.items[0].occurrenceId}/confirm`).set('X-Feed-Token', created.body.token).send({});
    expect(confirm.body).toMatchObject({ status: 'played' });
    const otherCommune = (await ctx().as(broadcasterA).get('/api/v1/broadcaster/schedule?date=2026-03-03')).body.items[0];
    expect((await request(ctx().app).post(`/api/v1/feed/occurrences/${otherCommune.occurrenceId}/confirm`).set('X-Feed-Token', created.body.token).send({})).status).toBe(403);

    expect((await ctx().as(broadcasterA).post(`/api/v1/feed-tokens/${created.body.id}/revoke`)).status).toBe(403);
    expect((await ctx().as(drafter).post(`/api/v1/feed-tokens/${created.body.id}/revoke`)).status).toBe(200);
    expect((await request(ctx().app).get(feedPath(created.body.urls.json))).status).toBe(404);
    expect((await request(ctx().app).get('/feed/not-a-real-token-at-all-xxxx/schedule.json')).status).toBe(404);
  });

  it("the broadcaster's phone page lists today's broadcasts with play, download and a one-tap confirmation", async () => {
    const api = ctx().as(broadcasterA);
    const m3u = await api.get('/api/v1/broadcaster/playlist.m3u?date=2026-03-03').buffer(true).parse(text);
    expect(m3u.body).toContain('#EXTM3U');
    const ics = await api.get('/api/v1/broadcaster/schedule.ics');
    expect(ics.text).toContain('BEGIN:VEVENT');
    const page = await api.get('/broadcaster');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<audio controls');
    expect(page.text).toContain('Đã phát');
    const item = (await api.get('/api/v1/broadcaster/schedule?date=2026-03-03')).body.items[0];
    const tap = await api.post(`/broadcaster/occurrences/${item.occurrenceId}/confirm`).type('form').send({});
    expect(tap.status).toBe(303);
    expect((await ctx().db('occurrences').where({ id: item.occurrenceId }).first()).status).toBe('played');
  });

  it('refuses bad schedules with clear errors and creates nothing', async () => {
    const api = ctx().as(drafter);
    const before = Number((await ctx().db('occurrences').count({ n: '*' }))[0].n);
    const base = { audioId, title: 'x', communeIds: communes, startDate: '2026-03-10', endDate: '2026-03-12', times: ['06:00'] };
    const ends = await api.post('/api/v1/broadcasts').send({ ...base, endDate: '2026-03-09' });
    expect(ends.status).toBe(400);
    expect(ends.body.error.fields).toHaveProperty('endDate');
    const late = await api.post('/api/v1/broadcasts').send({ ...base, times: ['25:00'] });
    expect(late.status).toBe(400);
    expect(late.body.error.fields).toHaveProperty(['times.0']);
    const unknown = await api.post('/api/v1/broadcasts').send({ ...base, communeIds: [communes[0], district, 999999] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('UNKNOWN_COMMUNES');
    const both = await api.post('/api/v1/broadcasts').send({ ...base, underOrgId: district });
    expect(both.status).toBe(400);
    const ts = new Date().toISOString();
    const [pending] = await ctx().db('audio_assets').insert({ owner_org_id: drafter.orgId, title: 'đang xử lý', status: 'processing', progress: 10, original_sha256: 'a'.repeat(64), original_rel_path: 'x', original_mime: 'audio/mpeg', original_format: 'mp3', original_size: 1, created_at: ts, updated_at: ts }).returning('id');
    const notReady = await api.post('/api/v1/broadcasts').send({ ...base, audioId: Number(typeof pending === 'object' ? pending.id : pending) });
    expect(notReady.status).toBe(409);
    expect(notReady.body.error.code).toBe('AUDIO_NOT_READY');
    expect((await ctx().as(broadcasterA).post('/api/v1/broadcasts').send(base)).status).toBe(403);
    expect(Number((await ctx().db('occurrences').count({ n: '*' }))[0].n)).toBe(before);
  });

  it('targets every commune under an organisation on chosen weekdays', async () => {
    const res = await ctx().as(drafter).post('/api/v1/broadcasts').send({ audioId, title: 'Thứ Hai, Tư, Sáu', underOrgId: district, startDate: '2026-03-09', endDate: '2026-03-22', times: ['18:30'], daysOfWeek: [1, 3, 5] });
    expect(res.status).toBe(201);
    expect(res.body.occurrences).toBe(5 * 6);
    expect(res.body.broadcast.communeIds).toEqual([...communes].sort((a, b) => a - b));
  });
});
