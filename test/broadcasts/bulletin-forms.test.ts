import { describeEachDb, type TestUser } from '../helpers/context';
import { toneFile, uploadAndWait } from './audio-helpers';

/** Field-error span id (without "-error") → its text, as on the page. */
function fieldErrors(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<span class="field-error" id="([^"]+)-error">([^<]*)<\/span>/g)) out[m[1]] = m[2].replace(/&#x3D;/g, '=').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
  return out;
}

const ENGLISH = [/>required</, /choose at least/, /still being converted/, /1 … 5, or -1/, /the period ends/, /Invalid input/];
const noEnglish = (html: string) => ENGLISH.filter((re) => re.test(html)).map(String);

describeEachDb('broadcasts: the emergency, preview, recurrence and activity pages', (ctx) => {
  let drafter: TestUser;
  let communes: number[];
  let audioId: number;
  let processingAudioId: number;
  const emptyEmergency = { audioId: '', title: '', confirmWithinMinutes: '' };
  const plan = { audioId: '', title: 'Lịch', target: 'communes', startDate: '2026-04-27', endDate: '2026-05-08', times: '06:00, 17:00', daysOfWeek: ['1', '2', '3', '4', '5'], exceptDates: '2026-04-30, 2026-05-01' };

  beforeAll(async () => {
    const dept = await ctx().createOrg({ name: 'Sở Thông tin và Truyền thông', shortName: 'STTTT', kind: 'department' });
    communes = [await ctx().createOrg({ name: 'UBND xã Cẩm Bình', shortName: 'UBND', kind: 'commune' }), await ctx().createOrg({ name: 'UBND xã Cẩm Thành', shortName: 'UBND', kind: 'commune' })];
    drafter = await ctx().createUser(['drafter'], dept);
    audioId = (await uploadAndWait(ctx(), drafter, toneFile('mp3', { toneSec: 1, padSec: 0.5 }), 'ban-tin.mp3')).id;
    const ts = new Date().toISOString();
    const [pending] = await ctx()
      .db('audio_assets')
      .insert({ owner_org_id: dept, title: 'Đang xử lý', status: 'processing', progress: 10, original_sha256: 'd'.repeat(64), original_rel_path: 'x', original_mime: 'audio/mpeg', original_format: 'mp3', original_size: 1, created_at: ts, updated_at: ts })
      .returning('id');
    processingAudioId = Number(typeof pending === 'object' ? pending.id : pending);
    ctx().setNow('2026-04-27T00:30:00Z');
  });

  it('the emergency form submitted empty: 400, "bắt buộc" beside the audio, the title and the communes; nothing created', async () => {
    const before = Number((await ctx().db('broadcasts').count({ n: '*' }))[0].n);
    const res = await ctx().as(drafter).post('/broadcasts/emergency').type('form').send(emptyEmergency);
    expect(res.status).toBe(400);
    expect(fieldErrors(res.text)).toEqual({ 'e-audio': 'bắt buộc', 'e-title': 'bắt buộc', 'e-communes': 'chọn ít nhất một xã' });
    expect(noEnglish(res.text)).toEqual([]);
    expect(Number((await ctx().db('broadcasts').count({ n: '*' }))[0].n)).toBe(before);
  });

  it('an emergency with audio not ready: 409 beside the audio, in Vietnamese; a ready one plays now', async () => {
    const res = await ctx().as(drafter).post('/broadcasts/emergency').type('form').send({ ...emptyEmergency, audioId: String(processingAudioId), title: 'Cháy rừng', communeIds: [String(communes[0])] });
    expect(res.status).toBe(409);
    expect(Object.keys(fieldErrors(res.text))).toEqual(['e-audio']);
    expect(noEnglish(res.text)).toEqual([]);
    const ok = await ctx().as(drafter).post('/broadcasts/emergency').type('form').send({ ...emptyEmergency, audioId: String(audioId), title: 'Cháy rừng', communeIds: communes.map(String), confirmWithinMinutes: '5' });
    expect(ok.status).toBe(303);
    const id = Number(/\/broadcasts\/(\d+)$/.exec(ok.headers.location)![1]);
    expect(await ctx().db('broadcasts').where({ id }).first()).toMatchObject({ class: 'emergency', confirm_within_minutes: 5 });
    expect(await ctx().db('occurrences').where({ broadcast_id: id }).select('scheduled_at')).toEqual([{ scheduled_at: '2026-04-27T00:30:00.000Z' }, { scheduled_at: '2026-04-27T00:30:00.000Z' }]);
  });

  it('the preview shows the slots before saving (holidays left out) and saves nothing; a wrong monthly rule is marked beside it', async () => {
    const before = Number((await ctx().db('broadcasts').count({ n: '*' }))[0].n);
    const res = await ctx().as(drafter).post('/broadcasts/preview').type('form').send(plan);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Lịch này tạo 15 lượt phát cho mỗi xã (1 lượt đã qua không được tạo).');
    expect([...res.text.matchAll(/<li data-at="([^"]+)">/g)].map((m) => m[1])).toHaveLength(15);
    expect(res.text).not.toContain('data-at="2026-04-29T23:00:00.000Z"'); // 30 April 06:00
    expect(res.text).toContain('value="2026-04-30, 2026-05-01"');
    expect(Number((await ctx().db('broadcasts').count({ n: '*' }))[0].n)).toBe(before);

    const bad = await ctx().as(drafter).post('/broadcasts/preview').type('form').send({ ...plan, monthlyWeek: '1' });
    expect(bad.status).toBe(400);
    expect(fieldErrors(bad.text)).toEqual({ 'b-monthly-week': 'bắt buộc' });
    const monthly = await ctx().as(drafter).post('/broadcasts/preview').type('form').send({ ...plan, endDate: '2026-07-31', monthlyWeek: '1', monthlyWeekday: '1', exceptDates: '' });
    expect(monthly.status).toBe(200);
    expect([...monthly.text.matchAll(/<li data-at="([^"]+)">/g)].map((m) => m[1])).toEqual(['2026-05-03T23:00:00.000Z', '2026-05-04T10:00:00.000Z', '2026-05-31T23:00:00.000Z', '2026-06-01T10:00:00.000Z', '2026-07-05T23:00:00.000Z', '2026-07-06T10:00:00.000Z']);
  });

  it('the schedule form saves a priority bulletin with its holidays', async () => {
    const res = await ctx().as(drafter).post('/broadcasts').type('form').send({ ...plan, audioId: String(audioId), class: 'priority', communeIds: [String(communes[0])] });
    expect(res.status).toBe(303);
    const id = Number(/\/broadcasts\/(\d+)$/.exec(res.headers.location)![1]);
    const b = (await ctx().as(drafter).get(`/api/v1/broadcasts/${id}`)).body;
    expect(b).toMatchObject({ class: 'priority', exceptDates: ['2026-04-30', '2026-05-01'] });
    expect(Number((await ctx().db('occurrences').where({ broadcast_id: id }).count({ n: '*' }))[0].n)).toBe(15);
  });

  it('the activity page shows the table with its downloads; a period ending before it starts is marked beside "to"', async () => {
    const res = await ctx().as(drafter).get('/broadcasts/activity?from=2026-04-27&to=2026-04-27');
    expect(res.status).toBe(200);
    expect(res.text).toContain('format=docx');
    expect(res.text).toMatch(new RegExp(`<tr data-org-id="${communes[0]}"><td>UBND xã Cẩm Bình</td><td class="num">2</td>`));
    const bad = await ctx().as(drafter).get('/broadcasts/activity?from=2026-04-27&to=2026-04-01');
    expect(bad.status).toBe(400);
    expect(fieldErrors(bad.text)).toEqual({ 'r-to': 'ngày kết thúc trước ngày bắt đầu' });
  });
});
