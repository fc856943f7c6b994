import { describeEachDb, type TestUser } from '../helpers/context';
import { toneFile, uploadAndWait } from './audio-helpers';

/**
 * The broadcast pages' forms, submitted empty or wrong: the page answers with the status of the error (400, 409,
 * 413), and beside each field it concerns the message in the user's language — Vietnamese by default, no English.
 */

/** The messages shown beside fields: field-error span id (without "-error") → its text. */
function fieldErrors(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  const decode = (s: string) =>
    s
      .replace(/&#x3D;/g, '=')
      .replace(/&#x27;/g, "'")
      .replace(/&quot;/g, '"')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  for (const m of html.matchAll(/<span class="field-error" id="([^"]+)-error">([^<]*)<\/span>/g)) out[m[1]] = decode(m[2]);
  return out;
}

/** The page's alert (the form's error message). */
const alertOf = (html: string) => /<div class="alert alert-error" role="alert">([^<]*)<\/div>/.exec(html)?.[1];

/** English field messages of the schemas and services that must never reach a Vietnamese page. */
const ENGLISH = [/>required</, /choose at least/, /give at least/, /Invalid input/, /a real date written/, /expected number/, /still being converted/, /outside your province/, /not a commune/, /The request is not valid/];
const noEnglish = (html: string) => ENGLISH.filter((re) => re.test(html)).map(String);

describeEachDb(
  'broadcasts: page forms show every field error in Vietnamese',
  (ctx) => {
    let drafter: TestUser;
    let approver: TestUser;
    let broadcaster: TestUser;
    let communes: number[];
    let district: number;
    let otherProvince: number;
    let audioId: number;
    let broadcastId: number;
    let processingAudioId: number;

    /** A form as the browser sends it from the schedule page with nothing filled in or chosen. */
    const emptyScheduleForm = { audioId: '', campaignId: '', title: '', target: 'communes', groupId: '', underOrgId: '', startDate: '', endDate: '', times: '' };

    beforeAll(async () => {
      const dept = await ctx().createOrg({ name: 'Sở Thông tin và Truyền thông', shortName: 'STTTT', kind: 'department' });
      district = await ctx().createOrg({ name: 'UBND huyện Cẩm Xuyên', shortName: 'UBND', kind: 'district' });
      communes = [];
      for (const n of ['Cẩm Bình', 'Cẩm Thành']) communes.push(await ctx().createOrg({ name: `UBND xã ${n}`, shortName: 'UBND', kind: 'commune', parentId: district }));
      otherProvince = await ctx().createOrg({ name: 'Ủy ban nhân dân tỉnh Nghệ An', shortName: 'UBND', kind: 'province', parentId: null });
      drafter = await ctx().createUser(['drafter'], dept, 'Nguyễn Văn Chuyên');
      approver = await ctx().createUser(['approver'], dept, 'Lãnh đạo Sở');
      broadcaster = await ctx().createUser(['broadcaster'], communes[0], 'Đài xã Cẩm Bình');
      audioId = (await uploadAndWait(ctx(), drafter, toneFile('mp3', { toneSec: 1, padSec: 0.5 }), 'ban-tin.mp3')).id;
      const ts = new Date().toISOString();
      const [pending] = await ctx()
        .db('audio_assets')
        .insert({ owner_org_id: drafter.orgId, title: 'Đang xử lý', status: 'processing', progress: 10, original_sha256: 'b'.repeat(64), original_rel_path: 'x', original_mime: 'audio/mpeg', original_format: 'mp3', original_size: 1, created_at: ts, updated_at: ts })
        .returning('id');
      processingAudioId = Number(typeof pending === 'object' ? pending.id : pending);
      ctx().setNow('2026-03-01T10:00:00Z'); // Sunday 17:00 in Hà Tĩnh
      const b = await ctx().as(drafter).post('/api/v1/broadcasts').send({ audioId, title: 'Tuyên truyền tiêm chủng', communeIds: communes, startDate: '2026-03-02', endDate: '2026-03-04', times: ['06:00'] });
      expect(b.status).toBe(201);
      broadcastId = b.body.id;
    });

    describe('schedule form', () => {
      it('submitted empty: 400 and "bắt buộc" or its own Vietnamese message beside title, audio, communes, dates and times', async () => {
        const before = Number((await ctx().db('broadcasts').count({ n: '*' }))[0].n);
        const res = await ctx().as(drafter).post('/broadcasts').type('form').send(emptyScheduleForm);
        expect(res.status).toBe(400);
        expect(fieldErrors(res.text)).toEqual({
          'b-audio': 'bắt buộc',
          'b-title': 'bắt buộc',
          'b-communes': 'chọn ít nhất một xã',
          'b-start': 'bắt buộc',
          'b-end': 'bắt buộc',
          'b-times': 'nhập ít nhất một giờ phát',
        });
        expect(alertOf(res.text)).toBe('Dữ liệu chưa hợp lệ, vui lòng kiểm tra các trường được đánh dấu.');
        expect(noEnglish(res.text)).toEqual([]);
        expect(Number((await ctx().db('broadcasts').count({ n: '*' }))[0].n)).toBe(before);
      });

      it('in English when the user reads English', async () => {
        const res = await ctx().as(drafter).post('/broadcasts?lang=en').type('form').send(emptyScheduleForm);
        expect(res.status).toBe(400);
        expect(fieldErrors(res.text)).toMatchObject({ 'b-title': 'required', 'b-communes': 'choose at least one commune', 'b-start': 'required' });
      });

      it('wrong values: an impossible date, a time of day, a weekday, each beside its field', async () => {
        const res = await ctx()
          .as(drafter)
          .post('/broadcasts')
          .type('form')
          .send({ ...emptyScheduleForm, audioId: String(audioId), title: 'Bản tin', communeIds: [String(communes[0])], startDate: '2026-02-30', endDate: '2026-03-05', times: '25:00', daysOfWeek: ['8'] });
        expect(res.status).toBe(400);
        expect(fieldErrors(res.text)).toEqual({
          'b-start': 'ngày có thật, viết dạng YYYY-MM-DD, trong các năm 2000–2100',
          'b-times': 'giờ viết dạng HH:MM, từ 00:00 đến 23:59',
          'b-days': '1 = Thứ Hai … 7 = Chủ nhật',
        });
        expect(noEnglish(res.text)).toEqual([]);
      });

      it('keeps what was typed and chosen', async () => {
        const res = await ctx()
          .as(drafter)
          .post('/broadcasts')
          .type('form')
          .send({ ...emptyScheduleForm, title: 'Bản tin giữ lại', communeIds: [String(communes[1])], times: '06:30', daysOfWeek: ['2', '4'] });
        expect(res.status).toBe(400);
        expect(res.text).toContain('value="Bản tin giữ lại"');
        expect(res.text).toContain(`name="communeIds" value="${communes[1]}" checked>`);
        expect(res.text).toContain('value="06:30"');
        expect(res.text).toMatch(/name="daysOfWeek" value="2" checked/);
        expect(res.text).not.toMatch(/name="daysOfWeek" value="3" checked/);
      });

      it('a group or an organisation left unchosen is required beside its own select', async () => {
        const group = await ctx().as(drafter).post('/broadcasts').type('form').send({ ...emptyScheduleForm, audioId: String(audioId), title: 'x', startDate: '2026-03-02', endDate: '2026-03-03', times: '06:00', target: 'group' });
        expect(group.status).toBe(400);
        expect(fieldErrors(group.text)).toEqual({ 'b-group': 'bắt buộc' });
        const under = await ctx().as(drafter).post('/broadcasts').type('form').send({ ...emptyScheduleForm, audioId: String(audioId), title: 'x', startDate: '2026-03-02', endDate: '2026-03-03', times: '06:00', target: 'under' });
        expect(under.status).toBe(400);
        expect(fieldErrors(under.text)).toEqual({ 'b-under': 'bắt buộc' });
      });

      it('the service’s refusals are marked on their fields too: another province, a non-commune, the end before the start', async () => {
        const base = { ...emptyScheduleForm, audioId: String(audioId), title: 'x', startDate: '2026-03-02', endDate: '2026-03-03', times: '06:00' };
        const outside = await ctx().as(drafter).post('/broadcasts').type('form').send({ ...base, target: 'under', underOrgId: String(otherProvince) });
        expect(outside.status).toBe(400);
        expect(fieldErrors(outside.text)).toEqual({ 'b-under': `ngoài tỉnh của bạn: ${otherProvince}` });
        expect(alertOf(outside.text)).not.toMatch(/[A-Za-z]{4,} [a-z]{3,}/);
        const notCommune = await ctx().as(drafter).post('/broadcasts').type('form').send({ ...base, communeIds: [String(communes[0]), String(district)] });
        expect(notCommune.status).toBe(400);
        expect(fieldErrors(notCommune.text)).toEqual({ 'b-communes': `không phải xã, phường, thị trấn: ${district}` });
        const ends = await ctx().as(drafter).post('/broadcasts').type('form').send({ ...base, communeIds: [String(communes[0])], endDate: '2026-03-01' });
        expect(ends.status).toBe(400);
        expect(fieldErrors(ends.text)).toEqual({ 'b-end': 'lịch kết thúc trước khi bắt đầu' });
        for (const r of [outside, notCommune, ends]) expect(noEnglish(r.text)).toEqual([]);
      });

      it('audio still being converted: 409, said beside the audio', async () => {
        const res = await ctx()
          .as(drafter)
          .post('/broadcasts')
          .type('form')
          .send({ ...emptyScheduleForm, audioId: String(processingAudioId), title: 'x', communeIds: [String(communes[0])], startDate: '2026-03-02', endDate: '2026-03-03', times: '06:00' });
        expect(res.status).toBe(409);
        expect(fieldErrors(res.text)).toEqual({ 'b-audio': 'đang chuyển đổi, lập lịch khi đã sẵn sàng' });
        expect(alertOf(res.text)).toBe('Tệp âm thanh chưa xử lý xong hoặc bị lỗi, chưa thể lập lịch.');
      });

      it('an approver sees the broadcasts but no upload or schedule form (they could not use it)', async () => {
        const page = await ctx().as(approver).get('/broadcasts');
        expect(page.status).toBe(200);
        expect(page.text).toContain('Tuyên truyền tiêm chủng');
        expect(page.text).not.toContain('method="post" action="/broadcasts"'); // the search box is a GET form
        expect(page.text).not.toContain('action="/broadcasts/audio"');
        const own = await ctx().as(drafter).get('/broadcasts');
        expect(own.text).toContain('method="post" action="/broadcasts"');
        expect(own.text).toContain('action="/broadcasts/audio"');
      });
    });

    describe('audio upload form', () => {
      it('submitted empty: 400 and "bắt buộc" beside the title and the file, nothing beside the schedule form', async () => {
        const res = await ctx().as(drafter).post('/broadcasts/audio').field('title', '');
        expect(res.status).toBe(400);
        expect(fieldErrors(res.text)).toEqual({ 'a-title': 'bắt buộc', 'a-file': 'bắt buộc' });
        expect(noEnglish(res.text)).toEqual([]);
      });

      it('a file without a title: the title is marked; a title without a file: the file', async () => {
        const noTitle = await ctx().as(drafter).post('/broadcasts/audio').field('title', ' ').attach('file', toneFile('mp3', { toneSec: 1, padSec: 0.5 }), 'a.mp3');
        expect(noTitle.status).toBe(400);
        expect(fieldErrors(noTitle.text)).toEqual({ 'a-title': 'bắt buộc' });
        const noFile = await ctx().as(drafter).post('/broadcasts/audio').field('title', 'Bản tin sáng');
        expect(noFile.status).toBe(400);
        expect(fieldErrors(noFile.text)).toEqual({ 'a-file': 'bắt buộc' });
        expect(noFile.text).toContain('value="Bản tin sáng"');
        expect(alertOf(noFile.text)).toBe('Vui lòng chọn tệp.');
      });

      it('a file that is not audio: 415, said beside the file', async () => {
        const res = await ctx().as(drafter).post('/broadcasts/audio').field('title', 'Bản tin').attach('file', Buffer.from('%PDF-1.4 not audio at all'), 'ban-tin.mp3');
        expect(res.status).toBe(415);
        expect(fieldErrors(res.text)).toEqual({ 'a-file': 'Tệp không phải âm thanh MP3, WAV, M4A/AAC, OGG/Opus, AMR hoặc WebM.' });
      });

      it('a file over AUDIO_MAX_MB: 413 on the form, said beside the file', async () => {
        const res = await ctx().as(drafter).post('/broadcasts/audio').field('title', 'Bản tin').attach('file', Buffer.alloc(1024 * 1024 + 10, 0x55), 'lon.wav');
        expect(res.status).toBe(413);
        expect(Object.keys(fieldErrors(res.text))).toEqual(['a-file']);
        expect(noEnglish(res.text)).toEqual([]);
      });
    });

    describe('feed token form', () => {
      it('posted without a commune: 400 and "bắt buộc" under the receiver links', async () => {
        const before = Number((await ctx().db('feed_tokens').count({ n: '*' }))[0].n);
        const res = await ctx().as(drafter).post(`/broadcasts/${broadcastId}/feed-tokens`).type('form').send({});
        expect(res.status).toBe(400);
        expect(fieldErrors(res.text)).toEqual({ 'feed-tokens': 'bắt buộc' });
        expect(noEnglish(res.text)).toEqual([]);
        expect(Number((await ctx().db('feed_tokens').count({ n: '*' }))[0].n)).toBe(before);
      });

      it('for an organisation that is not a commune: 400, in Vietnamese', async () => {
        const res = await ctx().as(drafter).post(`/broadcasts/${broadcastId}/feed-tokens`).type('form').send({ orgId: String(district) });
        expect(res.status).toBe(400);
        expect(fieldErrors(res.text)).toEqual({ 'feed-tokens': 'không phải xã, phường, thị trấn' });
      });

      it('for one of the broadcast’s communes: made, its links shown once', async () => {
        const res = await ctx().as(drafter).post(`/broadcasts/${broadcastId}/feed-tokens`).type('form').send({ orgId: String(communes[1]) });
        expect(res.status).toBe(200);
        expect(res.text).toContain('/schedule.json');
        expect(fieldErrors(res.text)).toEqual({});
      });
    });

    describe('remind-missed form', () => {
      it('posted empty: the broadcast page with the notice in Vietnamese; a foreign back link is not followed', async () => {
        const res = await ctx().as(drafter).post(`/broadcasts/${broadcastId}/remind-missed`).type('form').send({});
        expect(res.status).toBe(200);
        expect(res.text).toContain('Đã gửi thư nhắc tới 0 xã.');
        const evil = await ctx().as(drafter).post(`/broadcasts/${broadcastId}/remind-missed`).type('form').send({ back: '//evil.example/x' });
        expect(evil.status).toBe(200);
        const back = await ctx().as(drafter).post(`/broadcasts/${broadcastId}/remind-missed`).type('form').send({ back: '/campaigns/1' });
        expect(back.status).toBe(303);
        expect(back.headers.location).toBe('/campaigns/1?reminded=broadcast');
      });

      it('is refused to an approver (403 page), who sees no reminder button either', async () => {
        expect((await ctx().as(approver).post(`/broadcasts/${broadcastId}/remind-missed`).type('form').send({})).status).toBe(403);
        const page = await ctx().as(approver).get(`/broadcasts/${broadcastId}`);
        expect(page.status).toBe(200);
        expect(page.text).not.toContain('/feed-tokens');
      });
    });

    describe("the broadcaster's confirmation", () => {
      beforeAll(() => ctx().setNow('2026-03-02T00:30:00Z')); // Monday 07:30

      it('a slot of a later day: 409, the Vietnamese reason beside that slot', async () => {
        const items = (await ctx().as(broadcaster).get('/api/v1/broadcaster/schedule?date=2026-03-03')).body.items as { occurrenceId: number }[];
        const res = await ctx().as(broadcaster).post(`/broadcaster/occurrences/${items[0].occurrenceId}/confirm`).type('form').send({});
        expect(res.status).toBe(409);
        expect(fieldErrors(res.text)).toEqual({ [`confirm-${items[0].occurrenceId}`]: 'Lượt phát này thuộc ngày sau, chưa thể xác nhận.' });
        expect((await ctx().db('occurrences').where({ id: items[0].occurrenceId }).first()).status).toBe('pending');
      });

      it("today's slot, posted empty: recorded, and the page says so", async () => {
        const items = (await ctx().as(broadcaster).get('/api/v1/broadcaster/schedule?date=2026-03-02')).body.items as { occurrenceId: number }[];
        const res = await ctx().as(broadcaster).post(`/broadcaster/occurrences/${items[0].occurrenceId}/confirm`).type('form').send({});
        expect(res.status).toBe(303);
        expect(res.headers.location).toBe('/broadcaster?confirmed=1');
        const page = await ctx().as(broadcaster).get(res.headers.location);
        expect(page.status).toBe(200);
        expect(page.text).toContain('Đã ghi nhận: đã phát.');
        expect((await ctx().as(broadcaster).get('/broadcaster')).text).not.toContain('Đã ghi nhận: đã phát.');
        expect((await ctx().db('occurrences').where({ id: items[0].occurrenceId }).first()).status).toBe('played');
      });
    });

    describe('the API keeps its English field messages for machines', () => {
      it('an empty schedule and an empty upload', async () => {
        const res = await ctx().as(drafter).post('/api/v1/broadcasts').send({});
        expect(res.status).toBe(400);
        expect(res.body.error.fields).toMatchObject({ audioId: 'required', title: 'Invalid input: expected string, received undefined', times: 'Invalid input: expected array, received undefined' });
        const up = await ctx().as(drafter).post('/api/v1/audio').field('title', '');
        expect(up.status).toBe(400);
        expect(up.body.error).toMatchObject({ code: 'FILE_REQUIRED', fields: { title: 'required', file: 'required' } });
      });
    });
  },
  { AUDIO_MAX_MB: '1' },
);
