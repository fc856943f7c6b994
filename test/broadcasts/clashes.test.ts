import request from 'supertest';
import { describeEachDb, type TestUser } from '../helpers/context';
import { text, toneFile, uploadAndWait } from './audio-helpers';

type Item = { occurrenceId: number; class: string; title: string };

describeEachDb('broadcasts: a priority bulletin clashing with a commune’s own slot, ordered by the commune', (ctx) => {
  let drafter: TestUser;
  let communes: number[];
  let bc: TestUser[];
  let priorityId: number;
  let token: string;
  const itemsOf = async (user: TestUser) => (await ctx().as(user).get('/api/v1/broadcaster/schedule?date=2026-03-02')).body.items as Item[];

  beforeAll(async () => {
    const dept = await ctx().createOrg({ name: 'Sở Thông tin và Truyền thông', shortName: 'STTTT', kind: 'department' });
    communes = [await ctx().createOrg({ name: 'UBND xã Cẩm Bình', shortName: 'UBND', kind: 'commune' }), await ctx().createOrg({ name: 'UBND xã Cẩm Thành', shortName: 'UBND', kind: 'commune' })];
    drafter = await ctx().createUser(['drafter'], dept);
    bc = [await ctx().createUser(['broadcaster'], communes[0]), await ctx().createUser(['broadcaster'], communes[1])];
    token = (await ctx().as(bc[0]).post('/api/v1/feed-tokens').send({ orgId: communes[0] })).body.token;
    const audioId = (await uploadAndWait(ctx(), drafter, toneFile('mp3', { toneSec: 1, padSec: 0.5 }), 'ban-tin.mp3')).id;
    ctx().setNow('2026-03-02T01:00:00Z'); // Monday 08:00
    const own = await ctx().as(drafter).post('/api/v1/broadcasts').send({ audioId, title: 'Lịch của xã', communeIds: communes, startDate: '2026-03-02', endDate: '2026-03-02', times: ['10:00', '17:00'] });
    expect(own.status).toBe(201);
    const priority = await ctx().as(drafter).post('/api/v1/broadcasts').send({ audioId, title: 'Ưu tiên: phòng chống dịch', class: 'priority', communeIds: communes, startDate: '2026-03-02', endDate: '2026-03-02', times: ['10:00'] });
    expect(priority.status).toBe(201);
    priorityId = priority.body.id;
  });

  it('the commune sees the clash at 10:00, priority first by default', async () => {
    const res = await ctx().as(bc[0]).get('/api/v1/broadcaster/clashes?date=2026-03-02');
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(1);
    expect(res.body.items[0]).toMatchObject({ at: '2026-03-02T03:00:00.000Z', reordered: false });
    expect(res.body.items[0].items.map((i: Item) => i.class)).toEqual(['priority', 'normal']);
    expect((await itemsOf(bc[0])).map((i) => i.class)).toEqual(['priority', 'normal', 'normal']);
    const page = await ctx().as(bc[0]).get('/broadcaster');
    expect(page.text).toContain('Trùng giờ với bản tin ưu tiên');
    expect(page.text).toContain('Phát &quot;Lịch của xã&quot; trước');
  });

  it('ordering another commune’s slots is refused (403) and changes nothing; a non-clash is 400', async () => {
    const other = (await ctx().as(bc[1]).get('/api/v1/broadcaster/clashes?date=2026-03-02')).body.items[0].order as number[];
    const mine = (await ctx().as(bc[0]).get('/api/v1/broadcaster/clashes?date=2026-03-02')).body.items[0].order as number[];
    expect((await ctx().as(bc[0]).post('/api/v1/broadcaster/clashes/order').send({ occurrenceIds: [...other].reverse() })).status).toBe(403);
    expect((await ctx().as(bc[0]).post('/api/v1/broadcaster/clashes/order').send({ occurrenceIds: [mine[1], other[0]] })).status).toBe(403);
    const page = await ctx().as(bc[0]).post('/broadcaster/clashes/order').type('form').send({ occurrenceIds: [other[1], other[0]] });
    expect(page.status).toBe(403);
    expect(await ctx().db('occurrences').whereNotNull('reordered_at').count({ n: '*' }).then((r) => Number(r[0].n))).toBe(0);

    const evening = (await itemsOf(bc[0])).find((i) => i.class === 'normal' && !mine.includes(i.occurrenceId))!;
    const notClash = await ctx().as(bc[0]).post('/api/v1/broadcaster/clashes/order').send({ occurrenceIds: [mine[0], evening.occurrenceId] });
    expect(notClash.status).toBe(400);
    expect(notClash.body.error.code).toBe('NOT_A_CLASH');
  });

  it('the commune puts its own slot first: its feeds follow, the other commune’s do not, the department sees who re-ordered', async () => {
    const [priority, normal] = (await ctx().as(bc[0]).get('/api/v1/broadcaster/clashes?date=2026-03-02')).body.items[0].order as number[];
    const page = await ctx().as(bc[0]).post('/broadcaster/clashes/order').type('form').send({ occurrenceIds: [normal, priority] });
    expect(page.status).toBe(303);
    const clash = (await ctx().as(bc[0]).get('/api/v1/broadcaster/clashes?date=2026-03-02')).body.items[0];
    expect(clash).toMatchObject({ order: [normal, priority], reordered: true });
    expect((await itemsOf(bc[0])).map((i) => i.occurrenceId).slice(0, 2)).toEqual([normal, priority]);
    const json = await request(ctx().app).get(`/feed/${token}/schedule.json`);
    expect((json.body.items as Item[]).slice(0, 2).map((i) => i.occurrenceId)).toEqual([normal, priority]);
    const m3u = await request(ctx().app).get(`/feed/${token}/playlist.m3u`).buffer(true).parse(text);
    expect(m3u.body).toMatch(/^#EXTM3U\n#EXTINF:\d+,10:00 Lịch của xã\n#EXTVDCLASS:normal\n.*\n#EXTINF:\d+,10:00 Ưu tiên/);
    expect((await itemsOf(bc[1])).map((i) => i.class)).toEqual(['priority', 'normal', 'normal']);

    const reorders = await ctx().as(drafter).get(`/api/v1/broadcasts/${priorityId}/reorders`);
    expect(reorders.status).toBe(200);
    expect(reorders.body.items).toEqual([{ orgId: communes[0], name: 'UBND xã Cẩm Bình', reordered: 1 }]);
    const show = await ctx().as(drafter).get(`/broadcasts/${priorityId}`);
    expect(show.text).toContain(`data-reordered="${communes[0]}">1<`);
    expect(show.text).toContain(`data-reordered="${communes[1]}">0<`);
    const activity = await ctx().as(drafter).get('/api/v1/broadcasts/activity?from=2026-03-02&to=2026-03-02');
    expect(activity.body.byCommune.map((c: { reordered: number }) => c.reordered)).toEqual([1, 0]);
  });
});
