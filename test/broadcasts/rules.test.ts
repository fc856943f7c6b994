import { describeEachDb, type TestUser } from '../helpers/context';
import { MATERIALISE_DAYS, materialiseSchedules } from '../../src/broadcasts/schedule';
import { auditIdle } from '../../src/audit';

/**
 * Issue 17 item 2 and issue 15 item 1: a schedule is stored as its rule and written for a rolling window of
 * MATERIALISE_DAYS days (on creation, then by the job); counts over the whole range stay right; a schedule is
 * cancelled from now on, its communes are told.
 * Times: 06:00 and 17:30 in Vietnam = 23:00 (the day before) and 10:30 UTC.
 */
describeEachDb('schedules as rules, the rolling window, cancelling', (ctx) => {
  let drafter: TestUser;
  let other: TestUser;
  let broadcasterA: TestUser;
  let province: number;
  let communes: number[];
  let audioId: number;
  const rows = async (broadcastId: number, status?: string) => Number((await ctx().db('occurrences').where({ broadcast_id: broadcastId, ...(status ? { status } : {}) }).count({ n: '*' }))[0].n);
  const totals = async (user: TestUser, id: number) => {
    const res = await ctx().as(user).get(`/api/v1/broadcasts/${id}/status`);
    expect(res.status).toBe(200);
    return (res.body.byCommune as { scheduled: number; played: number; missed: number; pending: number }[]).reduce(
      (s, c) => ({ scheduled: s.scheduled + c.scheduled, played: s.played + c.played, missed: s.missed + c.missed, pending: s.pending + c.pending }),
      { scheduled: 0, played: 0, missed: 0, pending: 0 },
    );
  };

  beforeAll(async () => {
    province = await ctx().createOrg({ name: 'UBND tỉnh Thanh Hóa', shortName: 'UBND', kind: 'province' });
    const dept = await ctx().createOrg({ name: 'Sở Khoa học và Công nghệ', shortName: 'SKHCN', kind: 'department', parentId: province });
    const otherDept = await ctx().createOrg({ name: 'Sở Văn hóa', shortName: 'SVH', kind: 'department', parentId: province });
    communes = [];
    // A province's real size: 166 communes (Thanh Hóa, 2026)
    for (let i = 0; i < 166; i++) communes.push(await ctx().createOrg({ name: `UBND xã ${String(i).padStart(3, '0')}`, shortName: 'UBND', kind: 'commune', parentId: province, email: i === 1 ? 'xa001@thanhhoa.vn' : undefined }));
    drafter = await ctx().createUser(['drafter'], dept, 'Chuyên viên');
    other = await ctx().createUser(['drafter'], otherDept, 'Người khác');
    broadcasterA = await ctx().createUser(['broadcaster'], communes[0], 'Đài xã 000');
    const ts = new Date().toISOString();
    const [row] = await ctx()
      .db('audio_assets')
      .insert({ owner_org_id: dept, title: 'Tin', status: 'ready', progress: 100, original_sha256: 'e'.repeat(64), original_rel_path: 'x', original_mime: 'audio/mpeg', original_format: 'mp3', original_size: 1, master_sha256: 'f'.repeat(64), master_rel_path: 'x', master_size: 1, duration_sec: 60, created_at: ts, updated_at: ts })
      .returning('id');
    audioId = Number(typeof row === 'object' ? row.id : row);
  });

  it('accepts a province-wide year (166 communes × 2 slots × 365 days) as one rule and writes only the window', async () => {
    ctx().setNow('2026-01-01T01:00:00Z'); // 08:00 on 1 January, Vietnam time
    const res = await ctx().as(drafter).post('/api/v1/broadcasts').send({ audioId, title: 'Cả năm', communeIds: communes, startDate: '2026-01-02', endDate: '2027-01-01', times: ['06:00', '17:30'] });
    expect(res.status).toBe(201);
    expect(res.body.occurrences).toBe(166 * 2 * 365); // 121,180: what the whole rule holds
    const id = res.body.id as number;
    // 2 January … 14 January (the window is today + 13 days), 2 slots, every commune
    expect(MATERIALISE_DAYS).toBe(14);
    expect(await rows(id)).toBe(166 * 2 * 13);
    expect(await totals(drafter, id)).toEqual({ scheduled: 166 * 730, played: 0, missed: 0, pending: 166 * 730 });

    // a week far beyond the window comes from the rule: each slot pending in all 166 communes
    const week = (await ctx().as(drafter).get(`/api/v1/broadcasts/${id}/calendar?week=2026-W30`)).body;
    expect(week.days).toHaveLength(7);
    for (const d of week.days) expect(d.slots).toEqual([{ time: '06:00', played: 0, missed: 0, pending: 166, total: 166 }, { time: '17:30', played: 0, missed: 0, pending: 166, total: 166 }]);

    // the activity report of a future month counts the rule's slots
    const report = (await ctx().as(drafter).get('/api/v1/broadcasts/activity?from=2026-03-01&to=2026-03-31')).body;
    const first = report.byCommune.find((c: { orgId: number }) => c.orgId === communes[0]);
    expect(first).toMatchObject({ scheduled: 62, played: 0, missed: 0 });
    await ctx().db('broadcasts').where({ id }).delete();
  });

  it('the job rolls the window on; a run repeated or cut short writes nothing twice; counts do not move', async () => {
    ctx().setNow('2026-02-01T01:00:00Z');
    const few = communes.slice(0, 3);
    const res = await ctx().as(drafter).post('/api/v1/broadcasts').send({ audioId, title: 'Tháng hai', communeIds: few, startDate: '2026-02-01', endDate: '2026-03-31', times: ['06:00', '17:30'], daysOfWeek: [1, 3, 5] });
    expect(res.status).toBe(201);
    const id = res.body.id as number;
    const whole = await totals(drafter, id);
    expect(whole.scheduled).toBe(res.body.occurrences);
    const before = await rows(id);
    // the iCalendar's eight weeks ahead reach past the window: Mondays, Wednesdays, Fridays of 2 February … 27 March,
    // 24 days × 2 slots; the 6 days of the window are occurrences, the rest the rule's slots
    const ics = (await ctx().as(broadcasterA).get('/api/v1/broadcaster/schedule.ics')).text;
    expect(ics.match(/BEGIN:VEVENT/g)).toHaveLength(48);
    expect(ics.match(/UID:occurrence-/g)).toHaveLength(12);
    expect(ics).toContain(`UID:slot-${id}-20260327T103000Z@`);

    // ten days later the job writes the next days; the broadcaster's receiver feed now reaches them
    ctx().setNow('2026-02-11T01:00:00Z');
    expect(await materialiseSchedules(ctx().deps)).toBe(1);
    const after = await rows(id);
    expect(after).toBeGreaterThan(before);
    const until = (await ctx().db('broadcasts').where({ id }).first()).materialised_until;
    expect(until).toBe('2026-02-24');
    const far = (await ctx().as(broadcasterA).get('/api/v1/broadcaster/schedule?date=2026-02-23')).body.items; // a Monday
    expect(far.map((i: { scheduledAt: string }) => i.scheduledAt)).toEqual(['2026-02-22T23:00:00.000Z', '2026-02-23T10:30:00.000Z']);

    // again: nothing to do; a run that died after its rows but before moving the window end: rerun, no duplicates
    expect(await materialiseSchedules(ctx().deps)).toBe(0);
    await ctx().db('broadcasts').where({ id }).update({ materialised_until: '2026-02-14' });
    expect(await materialiseSchedules(ctx().deps)).toBe(1);
    expect(await rows(id)).toBe(after);
    // the status counts are the same whatever part is written
    expect(await totals(drafter, id)).toEqual(whole);
  });

  it('cancels from now on: future slots off every feed, past and played kept, the rule ended, communes told', async () => {
    ctx().setNow('2026-04-01T01:00:00Z'); // 08:00, Wednesday 1 April
    const two = communes.slice(0, 2);
    const res = await ctx().as(drafter).post('/api/v1/broadcasts').send({ audioId, title: 'Phòng chống dịch', communeIds: two, startDate: '2026-04-01', endDate: '2026-12-31', times: ['06:00', '17:30'] });
    expect(res.status).toBe(201);
    const id = res.body.id as number;
    // Thursday 06:00 is played in commune A, then the schedule is cancelled on Thursday at 09:00
    ctx().setNow('2026-04-01T23:05:00Z');
    const thursday = (await ctx().as(broadcasterA).get('/api/v1/broadcaster/schedule?date=2026-04-02')).body.items;
    expect((await ctx().as(broadcasterA).post(`/api/v1/broadcaster/occurrences/${thursday[0].occurrenceId}/confirm`).send({})).status).toBe(200);
    ctx().setNow('2026-04-02T02:00:00Z');

    expect((await ctx().as(other).post(`/api/v1/broadcasts/${id}/cancel`).send({ reason: 'x' })).status).toBe(403);
    const empty = await ctx().as(drafter).post(`/api/v1/broadcasts/${id}/cancel`).send({ reason: '' });
    expect(empty.status).toBe(400);
    expect(empty.body.error.fields).toHaveProperty('reason');
    expect(await rows(id, 'cancelled')).toBe(0);

    const cancel = await ctx().as(drafter).post(`/api/v1/broadcasts/${id}/cancel`).send({ reason: 'Đã hết dịch' });
    expect(cancel.status).toBe(200);
    expect(cancel.body).toMatchObject({ id, reason: 'Đã hết dịch', communes: 2 });
    // 1 April 17:30 (missed or pending, past) and Thursday 06:00 stay; every later written slot is cancelled
    expect(cancel.body.cancelled).toBe(await rows(id, 'cancelled'));
    expect(await rows(id, 'played')).toBe(1);
    const kept = await ctx().db('occurrences').where({ broadcast_id: id }).whereNot({ status: 'cancelled' }).orderBy(['org_id', 'scheduled_at']).select('scheduled_at', 'status');
    expect(kept.every((o: { scheduled_at: string }) => o.scheduled_at < '2026-04-02T02:00:00.000Z')).toBe(true);
    expect(kept).toHaveLength(4);

    // the rule ended: counts are what was written and kept; the job writes no more
    expect(await totals(drafter, id)).toMatchObject({ scheduled: 4, played: 1 });
    ctx().setNow('2026-04-10T01:00:00Z'); // the window would now reach 23 April
    await materialiseSchedules(ctx().deps);
    expect(await ctx().db('occurrences').where({ broadcast_id: id }).andWhere('scheduled_at', '>', '2026-04-16T00:00:00Z').count({ n: '*' }).then((r) => Number(r[0].n))).toBe(0);

    // the broadcaster sees it on the schedule (API and page) with the reason; the commune without one gets the e-mail
    const mine = (await ctx().as(broadcasterA).get('/api/v1/broadcaster/schedule?date=2026-04-10')).body;
    expect(mine.items).toEqual([]);
    expect(mine.cancellations).toEqual([{ broadcastId: id, title: 'Phòng chống dịch', reason: 'Đã hết dịch', cancelledAt: '2026-04-02T02:00:00.000Z' }]);
    const page = await ctx().as(broadcasterA).get('/broadcaster');
    expect(page.text).toContain('&quot;Phòng chống dịch&quot; đã hủy lúc');
    expect(page.text).toContain('Lý do: Đã hết dịch');
    const mails = await ctx().db('mail_outbox').where({ kind: 'broadcast-cancelled' }).select('to_address', 'subject');
    expect(mails.map((m: { to_address: string }) => m.to_address).sort()).toEqual([broadcasterA.email, 'xa001@thanhhoa.vn'].sort());
    expect(mails[0].subject).toContain('Hủy lịch phát bản tin');
    // audited with the reason
    await auditIdle(ctx().deps);
    const audit = await ctx().db('audit_log').where({ action: 'POST broadcasts/:id/cancel', entity: 'broadcasts', entity_id: String(id) }).first();
    expect(JSON.parse(audit.detail)).toMatchObject({ reason: 'Đã hết dịch' });

    // again: 409, in Vietnamese on the page; nothing changes
    const again = await ctx().as(drafter).post(`/api/v1/broadcasts/${id}/cancel`).send({ reason: 'lần nữa' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('BROADCAST_CANCELLED');
    const againPage = await ctx().as(drafter).post(`/broadcasts/${id}/cancel`).type('form').send({ reason: 'lần nữa' });
    expect(againPage.status).toBe(409);
    expect(againPage.text).toContain('Lịch phát này đã bị hủy.');
    expect(againPage.text).not.toContain('id="cancel-form"');
    expect((await ctx().as(drafter).patch(`/api/v1/broadcasts/${id}`).send({ times: ['07:00'] })).status).toBe(409);
  });

  it('the broadcast page offers Hủy lịch with a reason; a finished schedule is 409', async () => {
    ctx().setNow('2026-05-01T01:00:00Z');
    const res = await ctx().as(drafter).post('/api/v1/broadcasts').send({ audioId, title: 'Tuần lễ', communeIds: [communes[2]], startDate: '2026-05-02', endDate: '2026-05-03', times: ['06:00'] });
    const id = res.body.id as number;
    const page = await ctx().as(drafter).get(`/broadcasts/${id}`);
    expect(page.text).toContain('id="cancel-form"');
    expect(page.text).toContain('name="_csrf"');
    expect(page.text).toContain('Hủy lịch</button>');
    const blank = await ctx().as(drafter).post(`/broadcasts/${id}/cancel`).type('form').send({ reason: ' ' });
    expect(blank.status).toBe(400);
    expect(blank.text).toContain('id="c-reason-error"');
    const done = await ctx().as(drafter).post(`/broadcasts/${id}/cancel`).type('form').send({ reason: 'Trùng lịch' });
    expect(done.status).toBe(200);
    expect(done.text).toContain('Đã hủy lịch: 2 lượt phát sắp tới của 1 xã');
    expect(done.text).toContain('Lý do: Trùng lịch');

    // a schedule whose last slot is past: nothing left to cancel
    const ended = await ctx().as(drafter).post('/api/v1/broadcasts').send({ audioId, title: 'Đã xong', communeIds: [communes[3]], startDate: '2026-05-02', endDate: '2026-05-02', times: ['06:00'] });
    ctx().setNow('2026-05-03T01:00:00Z');
    const finished = await ctx().as(drafter).post(`/api/v1/broadcasts/${ended.body.id}/cancel`).send({ reason: 'muộn' });
    expect(finished.status).toBe(409);
    expect(finished.body.error.code).toBe('BROADCAST_FINISHED');
  });
});
