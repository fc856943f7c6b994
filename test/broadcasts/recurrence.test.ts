import { describeEachDb, type TestUser } from '../helpers/context';
import { toneFile, uploadAndWait } from './audio-helpers';
import { planDays } from '../../src/broadcasts/schedule';

describe('recurrence: weekdays except holidays, n-th weekday of the month', () => {
  it('every weekday at 06:00 and 17:00 except 30 April and 1 May', () => {
    const days = planDays({ startDate: '2026-04-27', endDate: '2026-05-08', times: ['06:00', '17:00'], daysOfWeek: [1, 2, 3, 4, 5], exceptDates: ['2026-04-30', '2026-05-01'] });
    expect(days).toEqual(['2026-04-27', '2026-04-28', '2026-04-29', '2026-05-04', '2026-05-05', '2026-05-06', '2026-05-07', '2026-05-08']);
  });

  it('the first Monday and the last Friday of each month', () => {
    expect(planDays({ startDate: '2026-01-01', endDate: '2026-06-30', times: ['06:00'], daysOfWeek: [1, 2, 3, 4, 5, 6, 7], monthlyOn: [{ week: 1, weekday: 1 }] })).toEqual([
      '2026-01-05',
      '2026-02-02',
      '2026-03-02',
      '2026-04-06',
      '2026-05-04',
      '2026-06-01',
    ]);
    expect(planDays({ startDate: '2026-01-01', endDate: '2026-03-31', times: ['06:00'], daysOfWeek: [], monthlyOn: [{ week: -1, weekday: 5 }] })).toEqual(['2026-01-30', '2026-02-27', '2026-03-27']);
  });
});

describeEachDb('broadcasts: preview of the slots before saving, then the same slots saved', (ctx) => {
  let drafter: TestUser;
  let commune: number;
  let audioId: number;

  beforeAll(async () => {
    const dept = await ctx().createOrg({ name: 'Sở Thông tin và Truyền thông', shortName: 'STTTT', kind: 'department' });
    commune = await ctx().createOrg({ name: 'UBND xã Cẩm Bình', shortName: 'UBND', kind: 'commune' });
    drafter = await ctx().createUser(['drafter'], dept);
    audioId = (await uploadAndWait(ctx(), drafter, toneFile('mp3', { toneSec: 1, padSec: 0.5 }), 'ban-tin.mp3')).id;
    ctx().setNow('2026-04-27T00:30:00Z'); // Monday 27 April, 07:30: today's 06:00 is past
  });

  const plan = { startDate: '2026-04-27', endDate: '2026-05-08', times: ['06:00', '17:00'], daysOfWeek: [1, 2, 3, 4, 5], exceptDates: ['2026-04-30', '2026-05-01'] };

  it('previews 15 future slots (8 days × 2, less this morning’s) without saving anything', async () => {
    const before = Number((await ctx().db('broadcasts').count({ n: '*' }))[0].n);
    const res = await ctx().as(drafter).post('/api/v1/broadcasts/preview').send(plan);
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(15);
    expect(res.body.past).toBe(1);
    expect(res.body.slots[0]).toEqual({ date: '2026-04-27', time: '17:00', weekday: 1, at: '2026-04-27T10:00:00.000Z' });
    expect(res.body.slots.map((s: { date: string }) => s.date)).not.toContain('2026-04-30');
    expect(Number((await ctx().db('broadcasts').count({ n: '*' }))[0].n)).toBe(before);
  });

  it('saves the previewed plan: the same slots, and the holidays kept on a later edit', async () => {
    const preview = (await ctx().as(drafter).post('/api/v1/broadcasts/preview').send(plan)).body;
    const res = await ctx().as(drafter).post('/api/v1/broadcasts').send({ audioId, title: 'Tuyên truyền', communeIds: [commune], ...plan });
    expect(res.status).toBe(201);
    expect(res.body.occurrences).toBe(preview.total);
    expect(res.body.broadcast).toMatchObject({ exceptDates: ['2026-04-30', '2026-05-01'], monthlyOn: null });
    const rows = await ctx().db('occurrences').where({ broadcast_id: res.body.id }).orderBy('scheduled_at').select('scheduled_at');
    expect(rows.map((r: { scheduled_at: string }) => r.scheduled_at)).toEqual(preview.slots.map((s: { at: string }) => s.at));

    const patched = await ctx().as(drafter).patch(`/api/v1/broadcasts/${res.body.id}`).send({ times: ['17:00'] });
    expect(patched.status).toBe(200);
    expect(patched.body.broadcast.exceptDates).toEqual(['2026-04-30', '2026-05-01']);
    expect(patched.body.occurrences).toBe(8);
  });

  it('a monthly rule: the first Monday of the month from May to July', async () => {
    const res = await ctx().as(drafter).post('/api/v1/broadcasts/preview').send({ startDate: '2026-05-01', endDate: '2026-07-31', times: ['06:00'], monthlyOn: [{ week: 1, weekday: 1 }] });
    expect(res.status).toBe(200);
    expect(res.body.slots.map((s: { date: string }) => s.date)).toEqual(['2026-05-04', '2026-06-01', '2026-07-06']);
    const bad = await ctx().as(drafter).post('/api/v1/broadcasts/preview').send({ startDate: '2026-05-01', endDate: '2026-07-31', times: ['06:00'], monthlyOn: [{ week: 6, weekday: 1 }] });
    expect(bad.status).toBe(400);
  });
});
