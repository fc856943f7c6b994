import request from 'supertest';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { describeEachDb, type TestUser } from '../helpers/context';
import { binary, text, toneFile, uploadAndWait } from './audio-helpers';
import { markMissed } from '../../src/broadcasts/schedule';
import { escalateEmergencies } from '../../src/broadcasts/emergency';

type Item = { occurrenceId: number; scheduledAt: string; title: string; class: string; status: string; audioUrl: string };

/**
 * Commune radio as Thông tư 39/2020/TT-BTTTT runs it: three classes of bulletin, an emergency at the top of every
 * targeted commune's feed at once, confirmation within a deadline and escalation by e-mail, receivers' heartbeats,
 * and the activity report counted by hand.
 */
describeEachDb('broadcasts: emergency, priority and normal bulletins, receivers, activity', (ctx) => {
  let dept: number;
  let drafter: TestUser;
  let communes: number[];
  let bc: TestUser[];
  let audioId: number;
  let processingAudioId: number;
  const tokens: { id: number; token: string }[] = [];
  let emergencyId: number;
  const feed = (token: string, file: string) => request(ctx().app).get(`/feed/${token}/${file}`);

  beforeAll(async () => {
    dept = await ctx().createOrg({ name: 'Sở Thông tin và Truyền thông', shortName: 'STTTT', kind: 'department', email: 'so-tttt@test.vn' });
    const district = await ctx().createOrg({ name: 'UBND huyện Cẩm Xuyên', shortName: 'UBND', kind: 'district' });
    communes = [];
    for (const [n, mail] of [['Cẩm Bình', 'cam-binh'], ['Cẩm Thành', 'cam-thanh'], ['Cẩm Quang', 'cam-quang']]) {
      communes.push(await ctx().createOrg({ name: `UBND xã ${n}`, shortName: 'UBND', kind: 'commune', parentId: district, email: `${mail}@test.vn` }));
    }
    await ctx().db('orgs').where({ id: communes[0] }).update({ code: '18310' }); // a statistics office code; the others have none
    drafter = await ctx().createUser(['drafter'], dept, 'Nguyễn Văn Chuyên');
    bc = [];
    for (const c of communes) bc.push(await ctx().createUser(['broadcaster'], c));
    audioId = (await uploadAndWait(ctx(), drafter, toneFile('mp3', { toneSec: 1, padSec: 0.5 }), 'ban-tin.mp3')).id;
    const ts = new Date().toISOString();
    const [pending] = await ctx()
      .db('audio_assets')
      .insert({ owner_org_id: dept, title: 'Đang xử lý', status: 'processing', progress: 10, original_sha256: 'c'.repeat(64), original_rel_path: 'x', original_mime: 'audio/mpeg', original_format: 'mp3', original_size: 1, created_at: ts, updated_at: ts })
      .returning('id');
    processingAudioId = Number(typeof pending === 'object' ? pending.id : pending);
    for (let i = 0; i < 3; i++) {
      const t = await ctx().as(bc[i]).post('/api/v1/feed-tokens').send({ orgId: communes[i], label: 'Máy thu IP' });
      expect(t.status).toBe(201);
      tokens.push({ id: t.body.id, token: t.body.token });
    }
    // Monday 2 March 2026, 08:00 in Hà Tĩnh: the communes' own schedule for today and tomorrow, and a priority bulletin for Cẩm Bình
    ctx().setNow('2026-03-02T01:00:00Z');
    const normal = await ctx().as(drafter).post('/api/v1/broadcasts').send({ audioId, title: 'Lịch thường', communeIds: communes, startDate: '2026-03-02', endDate: '2026-03-03', times: ['10:00', '17:00'] });
    expect(normal.status).toBe(201);
    expect(normal.body.broadcast.class).toBe('normal');
    const priority = await ctx().as(drafter).post('/api/v1/broadcasts').send({ audioId, title: 'Ưu tiên', class: 'priority', communeIds: [communes[0]], startDate: '2026-03-02', endDate: '2026-03-02', times: ['16:00'] });
    expect(priority.status).toBe(201);
    expect(priority.body.broadcast.class).toBe('priority');
  });

  it('refuses an emergency whose audio is not ready (409) and creates nothing', async () => {
    const before = Number((await ctx().db('broadcasts').count({ n: '*' }))[0].n);
    const res = await ctx().as(drafter).post('/api/v1/broadcasts').send({ audioId: processingAudioId, title: 'Bão số 3', class: 'emergency', communeIds: communes });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('AUDIO_NOT_READY');
    expect(Number((await ctx().db('broadcasts').count({ n: '*' }))[0].n)).toBe(before);
  });

  it('sends an emergency to three communes: within a second it is first in each JSON, M3U and ICS feed, playing now', async () => {
    ctx().setNow('2026-03-02T02:00:00Z'); // 09:00
    const started = Date.now();
    const res = await ctx().as(drafter).post('/api/v1/broadcasts').send({ audioId, title: 'Khẩn cấp: bão số 3 đổ bộ', class: 'emergency', communeIds: communes, confirmWithinMinutes: 10 });
    expect(res.status).toBe(201);
    expect(res.body.occurrences).toBe(3);
    expect(res.body.broadcast).toMatchObject({ class: 'emergency', confirmWithinMinutes: 10, startDate: '2026-03-02', times: ['09:00'] });
    emergencyId = res.body.id;
    for (let i = 0; i < 3; i++) {
      const json = await feed(tokens[i].token, 'schedule.json');
      expect(json.status).toBe(200);
      const items = json.body.items as Item[];
      expect(items[0]).toMatchObject({ title: 'Khẩn cấp: bão số 3 đổ bộ', class: 'emergency', scheduledAt: '2026-03-02T02:00:00.000Z', status: 'pending' });
      const m3u = await feed(tokens[i].token, 'playlist.m3u').buffer(true).parse(text);
      expect(m3u.body).toMatch(/^#EXTM3U\n#EXTINF:\d+,09:00 Khẩn cấp: bão số 3 đổ bộ\n#EXTVDCLASS:emergency\n/);
      const ics = await feed(tokens[i].token, 'schedule.ics');
      const firstEvent = ics.text.split('BEGIN:VEVENT')[1];
      expect(firstEvent).toContain(`UID:occurrence-${items[0].occurrenceId}@`);
      expect(firstEvent).toContain('CATEGORIES:EMERGENCY');
      expect(firstEvent).toContain('PRIORITY:1');
      expect(firstEvent).toContain('DTSTART:20260302T020000Z');
    }
    expect(Date.now() - started).toBeLessThan(1000);

    // Cẩm Bình: emergency, then priority, then its own schedule, each by time
    const own = await ctx().as(bc[0]).get('/api/v1/broadcaster/schedule?date=2026-03-02');
    expect((own.body.items as Item[]).map((i) => [i.class, i.scheduledAt])).toEqual([
      ['emergency', '2026-03-02T02:00:00.000Z'],
      ['priority', '2026-03-02T09:00:00.000Z'],
      ['normal', '2026-03-02T03:00:00.000Z'],
      ['normal', '2026-03-02T10:00:00.000Z'],
    ]);
  });

  it('the broadcaster’s page tells each commune at once and asks for confirmation before the deadline', async () => {
    const alerts = await ctx().as(bc[2]).get('/broadcaster/alerts.json');
    expect(alerts.status).toBe(200);
    expect(alerts.body.items).toHaveLength(1);
    expect(alerts.body.items[0]).toMatchObject({ class: 'emergency', deadline: '2026-03-02T02:10:00.000Z' });
    const page = await ctx().as(bc[2]).get('/broadcaster');
    expect(page.status).toBe(200);
    expect(page.text).toContain('BẢN TIN KHẨN CẤP');
    expect(page.text).toContain('data-alerts-poll="/broadcaster/alerts.json"');
    expect(page.text).toContain(`data-alert-ids="${alerts.body.items[0].occurrenceId}"`);
  });

  it('confirmed by two communes (the page and a receiver), escalated for the third after the deadline, once', async () => {
    const occ = async (i: number) => (await ctx().db('occurrences').where({ broadcast_id: emergencyId, org_id: communes[i] }).first()) as { id: number };
    ctx().setNow('2026-03-02T02:03:00Z');
    expect((await ctx().as(bc[0]).post(`/api/v1/broadcaster/occurrences/${(await occ(0)).id}/confirm`).send({})).status).toBe(200);
    ctx().setNow('2026-03-02T02:05:00Z');
    const viaFeed = await request(ctx().app).post(`/api/v1/feed/occurrences/${(await occ(1)).id}/confirm`).set('X-Feed-Token', tokens[1].token).send({});
    expect(viaFeed.status).toBe(200);
    expect((await ctx().as(bc[0]).get('/broadcaster/alerts.json')).body.items).toHaveLength(0);

    ctx().setNow('2026-03-02T02:09:00Z'); // before the deadline: nothing
    expect(await escalateEmergencies(ctx().deps)).toBe(0);
    ctx().setNow('2026-03-02T02:10:30Z');
    expect(await escalateEmergencies(ctx().deps)).toBe(1);
    expect(await escalateEmergencies(ctx().deps)).toBe(0);
    const mails = await ctx().db('mail_outbox').where({ kind: 'broadcast-emergency-escalation' }).orderBy('to_address');
    expect(mails.map((m: { to_address: string }) => m.to_address).sort()).toEqual([bc[2].email, 'cam-quang@test.vn', drafter.email, 'so-tttt@test.vn'].sort());
    expect(mails[0].subject).toContain('UBND xã Cẩm Quang');
    const escalated = await ctx().db('occurrences').where({ broadcast_id: emergencyId }).whereNotNull('escalated_at').select('org_id');
    expect(escalated.map((r: { org_id: number }) => r.org_id)).toEqual([communes[2]]);
  });

  it('a heartbeat with a revoked token is 404 and changes nothing', async () => {
    const spare = await ctx().as(bc[2]).post('/api/v1/feed-tokens').send({ orgId: communes[2], label: 'Dự phòng' });
    expect((await ctx().as(bc[2]).post(`/api/v1/feed-tokens/${spare.body.id}/revoke`).send({})).status).toBe(200);
    const res = await request(ctx().app).post('/api/v1/feed/heartbeat').set('X-Feed-Token', spare.body.token).send({ version: 'x' });
    expect(res.status).toBe(404);
    const row = await ctx().db('feed_tokens').where({ id: spare.body.id }).first();
    expect(row.heartbeat_at).toBeNull();
    expect(row.player_version).toBeNull();
  });

  it('receivers report heartbeats; one that stops shows as down on the department page', async () => {
    ctx().setNow('2026-03-02T02:20:00Z');
    const sha = ((await feed(tokens[0].token, 'schedule.json')).body.items as { sha256: string }[])[0].sha256;
    for (const t of tokens) {
      const res = await request(ctx().app).post('/api/v1/feed/heartbeat').set('X-Feed-Token', t.token).send({ version: 'vd-player 1.2.0', freeBytes: 5_000_000_000, files: [sha] });
      expect(res.status).toBe(204);
    }
    const all = await ctx().as(drafter).get('/api/v1/receivers');
    expect(all.status).toBe(200);
    expect(all.body.items.map((i: { status: string }) => i.status)).toEqual(['up', 'up', 'up']);
    expect(all.body.items[0]).toMatchObject({ lastSeenAt: '2026-03-02T02:20:00.000Z', version: 'vd-player 1.2.0', freeBytes: 5_000_000_000, files: [sha] });
    expect(all.body.silent).toEqual([]);

    // Cẩm Quang's receiver falls silent; the others report again 20 minutes later (RECEIVER_SILENT_MINUTES is 15)
    ctx().setNow('2026-03-02T02:40:00Z');
    for (const t of tokens.slice(0, 2)) expect((await request(ctx().app).post('/api/v1/feed/heartbeat').set('X-Feed-Token', t.token).send({})).status).toBe(204);
    const later = await ctx().as(drafter).get(`/api/v1/receivers`);
    const byOrg = Object.fromEntries(later.body.items.map((i: { orgId: number; status: string }) => [i.orgId, i.status]));
    expect(byOrg).toEqual({ [communes[0]]: 'up', [communes[1]]: 'up', [communes[2]]: 'down' });
    expect(later.body.silent).toEqual([{ orgId: communes[2], name: 'UBND xã Cẩm Quang', lastSeenAt: '2026-03-02T02:20:00.000Z' }]);

    const page = await ctx().as(drafter).get('/broadcasts/receivers');
    expect(page.status).toBe(200);
    expect(page.text).toMatch(new RegExp(`<tr data-token-id="${tokens[2].id}" data-status="down">`));
    expect(page.text).toMatch(new RegExp(`<tr data-token-id="${tokens[0].id}" data-status="up">`));
    expect(page.text).toContain('Mất liên lạc');
    expect(page.text).toMatch(/id="silent-receivers"[\s\S]*UBND xã Cẩm Quang/);
  });

  it('the activity report’s figures equal a hand count (JSON, XLSX and the báo cáo DOCX)', async () => {
    // Cẩm Bình plays its 10:00 slot; the day ends and every unconfirmed slot past the grace period is missed
    ctx().setNow('2026-03-02T03:05:00Z');
    const a10 = (await ctx().as(bc[0]).get('/api/v1/broadcaster/schedule?date=2026-03-02')).body.items.find((i: Item) => i.scheduledAt === '2026-03-02T03:00:00.000Z');
    expect((await ctx().as(bc[0]).post(`/api/v1/broadcaster/occurrences/${a10.occurrenceId}/confirm`).send({})).status).toBe(200);
    ctx().setNow('2026-03-02T13:00:00Z'); // 20:00, grace 120 min
    await markMissed(ctx().deps);

    const res = await ctx().as(drafter).get('/api/v1/broadcasts/activity?from=2026-03-02&to=2026-03-02');
    expect(res.status).toBe(200);
    // By hand, on 2 March: Cẩm Bình 4 slots (emergency 09:00 played after 3 min, normal 10:00 played, priority 16:00
    // and normal 17:00 missed); Cẩm Thành 3 (emergency played after 5 min, 10:00 and 17:00 missed); Cẩm Quang 3, all missed.
    expect(res.body.byCommune).toEqual([
      { orgId: communes[0], code: '18310', name: 'UBND xã Cẩm Bình', scheduled: 4, played: 2, missed: 2, emergencies: 1, emergencyConfirmed: 1, medianConfirmMinutes: 3, reordered: 0 },
      { orgId: communes[2], code: null, name: 'UBND xã Cẩm Quang', scheduled: 3, played: 0, missed: 3, emergencies: 1, emergencyConfirmed: 0, medianConfirmMinutes: null, reordered: 0 },
      { orgId: communes[1], code: null, name: 'UBND xã Cẩm Thành', scheduled: 3, played: 1, missed: 2, emergencies: 1, emergencyConfirmed: 1, medianConfirmMinutes: 5, reordered: 0 },
    ]);
    // The next day's slots (2 per commune) count only in a period that contains it
    const both = await ctx().as(drafter).get('/api/v1/broadcasts/activity?from=2026-03-02&to=2026-03-03');
    expect(both.body.byCommune.map((c: { scheduled: number }) => c.scheduled)).toEqual([6, 5, 5]);

    const xlsx = await ctx().as(drafter).get('/api/v1/broadcasts/activity?from=2026-03-02&to=2026-03-02&format=xlsx').buffer(true).parse(binary);
    expect(xlsx.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.body);
    const ws = wb.worksheets[0];
    expect(ws.getRow(1).values).toEqual([undefined, 'TT', 'Mã đơn vị', 'Xã, phường, đặc khu', 'Lượt phát theo lịch', 'Đã phát', 'Không phát', 'Bản tin khẩn cấp', 'Khẩn cấp đã xác nhận', 'Thời gian xác nhận (phút, trung vị)']);
    // The commune by its statistics office code and name, never a database id; without a code the cell is empty.
    expect(ws.getRow(2).values).toEqual([undefined, 1, '18310', 'UBND xã Cẩm Bình', 4, 2, 2, 1, 1, 3]);
    expect(ws.getRow(3).getCell(2).value).toBe('');
    expect((ws.getRow(5).values as unknown[]).slice(3, 9)).toEqual(['Tổng cộng', 10, 3, 7, 3, 2]);

    const docx = await ctx().as(drafter).get('/api/v1/broadcasts/activity?from=2026-03-02&to=2026-03-02&format=docx').buffer(true).parse(binary);
    expect(docx.status).toBe(200);
    const xml = await (await JSZip.loadAsync(docx.body as Buffer)).file('word/document.xml')!.async('string');
    const text = xml.replace(/<[^>]+>/g, '');
    expect(text).toContain('10 lượt phát theo lịch, 3 lượt đã phát, 7 lượt không phát');
    expect(text).toContain('Bản tin khẩn cấp: 3 lượt, 2 lượt được xác nhận đã phát; chưa xác nhận: UBND xã Cẩm Quang');
    expect(text).toContain('Thông tư số 39/2020/TT-BTTTT');
  });

  it('an emergency bulletin cannot be re-scheduled (409)', async () => {
    const res = await ctx().as(drafter).patch(`/api/v1/broadcasts/${emergencyId}`).send({ times: ['10:00'] });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('BROADCAST_EMERGENCY');
  });
});
