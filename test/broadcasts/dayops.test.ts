import { describeEachDb, type TestUser } from '../helpers/context';
import { toneFile, uploadAndWait } from './audio-helpers';
import { markMissed } from '../../src/broadcasts/schedule';

type Item = { occurrenceId: number; scheduledAt: string; status: string };

/**
 * Issue 15 item 5, the broadcaster's day: a slot is confirmed only from 15 minutes before its time, an accidental
 * confirmation is undone within 10 minutes, past days and missed slots stay on the page, and a missed slot takes
 * a note ("mất điện") the department reads on the broadcast's page and status.
 * Times: 06:00 and 17:30 in Hà Tĩnh = 23:00 (the day before) and 10:30 UTC.
 */
describeEachDb("broadcaster's day: confirm window, undo, past and missed slots with a note", (ctx) => {
  let drafter: TestUser;
  let a: TestUser;
  let b: TestUser;
  let communeA: number;
  let broadcastId: number;
  let audio: { id: number; original: { size: number } };
  const slot = async (user: TestUser, date: string, i: number) => ((await ctx().as(user).get(`/api/v1/broadcaster/schedule?date=${date}`)).body.items as Item[])[i];
  const statusOf = async (id: number) => ((await ctx().db('occurrences').where({ id }).first()) as { status: string }).status;

  beforeAll(async () => {
    const dept = await ctx().createOrg({ name: 'Sở Thông tin và Truyền thông', shortName: 'STTTT', kind: 'department' });
    const district = await ctx().createOrg({ name: 'UBND huyện Cẩm Xuyên', shortName: 'UBND', kind: 'district' });
    communeA = await ctx().createOrg({ name: 'UBND xã Cẩm Bình', shortName: 'UBND', kind: 'commune', parentId: district });
    const communeB = await ctx().createOrg({ name: 'UBND xã Cẩm Thành', shortName: 'UBND', kind: 'commune', parentId: district });
    drafter = await ctx().createUser(['drafter'], dept);
    a = await ctx().createUser(['broadcaster'], communeA, 'Đài xã Cẩm Bình');
    b = await ctx().createUser(['broadcaster'], communeB, 'Đài xã Cẩm Thành');
    ctx().setNow('2026-03-01T10:00:00Z');
    const up = await uploadAndWait(ctx(), drafter, toneFile('mp3'), 'tin.mp3', 'Tin phòng chống cháy rừng');
    audio = { id: up.id, original: up.audio.original as { size: number } };
    const res = await ctx().as(drafter).post('/api/v1/broadcasts').send({ audioId: up.id, title: 'Phòng chống cháy rừng', communeIds: [communeA, communeB], startDate: '2026-03-02', endDate: '2026-03-08', times: ['06:00', '17:30'] });
    expect(res.status).toBe(201);
    broadcastId = res.body.id;
  });

  it('today 17:30 cannot be marked played at 06:10 (409, in Vietnamese); from 17:15 it can', async () => {
    ctx().setNow('2026-03-01T23:10:00Z'); // Monday 06:10
    const evening = await slot(a, '2026-03-02', 1);
    expect(evening.scheduledAt).toBe('2026-03-02T10:30:00.000Z');
    const early = await ctx().as(a).post(`/api/v1/broadcaster/occurrences/${evening.occurrenceId}/confirm`).send({});
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('OCCURRENCE_TOO_EARLY');
    const page = await ctx().as(a).post(`/broadcaster/occurrences/${evening.occurrenceId}/confirm`).type('form').send({});
    expect(page.status).toBe(409);
    expect(page.text).toContain('Chưa đến giờ phát: chỉ xác nhận được từ 15 phút trước giờ phát.');
    expect(await statusOf(evening.occurrenceId)).toBe('pending');
    // The page offers the button only for the slot that is due, and it says what it does.
    const list = await ctx().as(a).get('/broadcaster');
    const morning = await slot(a, '2026-03-02', 0);
    expect(list.text).toContain(`id="confirm-${morning.occurrenceId}">Xác nhận đã phát</button>`);
    expect(list.text).not.toContain(`id="confirm-${evening.occurrenceId}"`);

    ctx().setNow('2026-03-02T10:14:59Z'); // 17:14:59: still too early
    expect((await ctx().as(a).post(`/api/v1/broadcaster/occurrences/${evening.occurrenceId}/confirm`).send({})).status).toBe(409);
    ctx().setNow('2026-03-02T10:15:00Z'); // 17:15: fifteen minutes before
    expect((await ctx().as(a).post(`/api/v1/broadcaster/occurrences/${evening.occurrenceId}/confirm`).send({})).body).toMatchObject({ status: 'played' });
  });

  it('an accidental confirmation is undone within 10 minutes by the commune’s broadcaster, not later, not by others', async () => {
    ctx().setNow('2026-03-02T23:05:00Z'); // Tuesday 06:05
    const morning = await slot(a, '2026-03-03', 0);
    expect((await ctx().as(a).post(`/broadcaster/occurrences/${morning.occurrenceId}/confirm`).type('form').send({})).status).toBe(303);
    const page = await ctx().as(a).get('/broadcaster?confirmed=1');
    expect(page.text).toContain(`id="undo-${morning.occurrenceId}"`);
    expect(page.text).toContain('Có thể hoàn tác trong 10 phút');
    expect((await ctx().as(b).post(`/api/v1/broadcaster/occurrences/${morning.occurrenceId}/undo`).send({})).status).toBe(403);
    expect((await ctx().as(drafter).post(`/api/v1/broadcaster/occurrences/${morning.occurrenceId}/undo`).send({})).status).toBe(403);
    ctx().setNow('2026-03-02T23:15:00Z'); // exactly 10 minutes later
    const undo = await ctx().as(a).post(`/broadcaster/occurrences/${morning.occurrenceId}/undo`).type('form').send({});
    expect(undo.status).toBe(303);
    expect(await statusOf(morning.occurrenceId)).toBe('pending');
    const row = await ctx().db('occurrences').where({ id: morning.occurrenceId }).first();
    expect(row).toMatchObject({ confirmed_at: null, confirmed_by: null, confirm_recorded_at: null });
    // Nothing to undo now.
    expect((await ctx().as(a).post(`/api/v1/broadcaster/occurrences/${morning.occurrenceId}/undo`).send({})).body.error.code).toBe('OCCURRENCE_NOT_PLAYED');
    // Confirmed again; eleven minutes later it stays.
    expect((await ctx().as(a).post(`/api/v1/broadcaster/occurrences/${morning.occurrenceId}/confirm`).send({})).body).toMatchObject({ status: 'played' });
    ctx().setNow('2026-03-02T23:26:00Z');
    const late = await ctx().as(a).post(`/broadcaster/occurrences/${morning.occurrenceId}/undo`).type('form').send({});
    expect(late.status).toBe(409);
    expect(late.text).toContain('Đã quá thời gian hoàn tác xác nhận (10 phút).');
    expect(await statusOf(morning.occurrenceId)).toBe('played');
    expect((await ctx().as(a).get('/broadcaster')).text).not.toContain(`id="undo-${morning.occurrenceId}"`);
  });

  it('an undo after the grace period puts the slot back as missed', async () => {
    ctx().setNow('2026-03-04T01:00:00Z'); // Wednesday 08:00: the 06:00 slot, confirmed late with its playing time
    const wed = await slot(a, '2026-03-04', 0);
    expect((await ctx().as(a).post(`/api/v1/broadcaster/occurrences/${wed.occurrenceId}/confirm`).send({ playedAt: '2026-03-04T06:01:00+07:00' })).body).toMatchObject({ status: 'played' });
    ctx().setNow('2026-03-04T01:05:00Z'); // 08:05, the grace (120 min) ended at 08:00
    expect((await ctx().as(a).post(`/api/v1/broadcaster/occurrences/${wed.occurrenceId}/undo`).send({})).body).toMatchObject({ status: 'missed' });
  });

  it('past days and missed slots stay on the page; a missed slot takes a note the department reads', async () => {
    ctx().setNow('2026-03-05T03:00:00Z'); // Thursday 10:00
    await markMissed(ctx().deps);
    const tuesEvening = await slot(a, '2026-03-03', 1); // 17:30 Tuesday, never confirmed
    expect(tuesEvening.status).toBe('missed');
    const page = await ctx().as(a).get('/broadcaster');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Đã qua');
    expect(page.text).toContain(`id="note-${tuesEvening.occurrenceId}"`);
    // Monday is within the last 7 days too.
    const monday = await slot(a, '2026-03-02', 1);
    expect(page.text).toContain(`data-occurrence="${monday.occurrenceId}"`);

    // An empty note is refused beside the field, in Vietnamese; others' broadcasters and played slots cannot take one.
    const empty = await ctx().as(a).post(`/broadcaster/occurrences/${tuesEvening.occurrenceId}/note`).type('form').send({ note: '  ' });
    expect(empty.status).toBe(400);
    expect((await ctx().as(b).post(`/api/v1/broadcaster/occurrences/${tuesEvening.occurrenceId}/note`).send({ note: 'x' })).status).toBe(403);
    expect((await ctx().as(a).post(`/api/v1/broadcaster/occurrences/${monday.occurrenceId}/note`).send({ note: 'x' })).body.error.code).toBe('OCCURRENCE_NOT_MISSED');
    const saved = await ctx().as(a).post(`/broadcaster/occurrences/${tuesEvening.occurrenceId}/note`).type('form').send({ note: 'Mất điện cả xã' });
    expect(saved.status).toBe(303);
    expect((await ctx().as(a).get('/broadcaster')).text).toContain('Mất điện cả xã');

    const status = await ctx().as(drafter).get(`/api/v1/broadcasts/${broadcastId}/status`);
    expect(status.body.missedNotes).toEqual([{ occurrenceId: tuesEvening.occurrenceId, orgId: communeA, name: 'UBND xã Cẩm Bình', scheduledAt: '2026-03-03T10:30:00.000Z', note: 'Mất điện cả xã', notedAt: '2026-03-05T03:00:00.000Z' }]);
    const detail = await ctx().as(drafter).get(`/broadcasts/${broadcastId}`);
    expect(detail.text).toContain('Ghi chú của xã về lượt không phát');
    expect(detail.text).toContain('Mất điện cả xã');
    // The week of the calendar as words; its neighbours' links keep the ISO key.
    expect(detail.text).toContain('<h2>Lịch phát: Tuần 10 (02/03–08/03/2026)</h2>');
    expect(detail.text).toContain('<a href="?week=2026-W11">Tuần 11 (09/03–15/03/2026) →</a>');
  });

  it('the audio page gives the original file’s size in KB/MB', async () => {
    const page = await ctx().as(drafter).get(`/broadcasts/audio/${audio.id}`);
    expect(page.status).toBe(200);
    const kb = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 1 }).format(audio.original.size / 1024);
    expect(audio.original.size).toBeGreaterThan(1024);
    expect(page.text).toContain(`<dt>Tệp gốc</dt><dd>${kb} KB · tin.mp3</dd>`);
  });
});
