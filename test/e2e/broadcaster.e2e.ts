import crypto from 'node:crypto';
import fs from 'node:fs';
import { startJourney, signInAs, horizontalOverflow, type Journey } from './browser';
import { toneFile, uploadAndWait } from '../broadcasts/audio-helpers';
import type { TestUser } from '../helpers/context';

/**
 * A commune broadcaster on a phone: today's schedule, the audio downloaded byte-for-byte as the feed describes it,
 * "Đã phát" tapped and recorded; the neighbouring commune's broadcast is not on this schedule.
 * The clock is Wednesday 13/10/2021 08:00 in Hà Tĩnh; the broadcasts are at 17:00 and 18:00 that day.
 * The audio is a real tone transcoded by the app's real ffmpeg.
 */
describe('a commune broadcaster plays the day’s bulletin', () => {
  let j: Journey;
  let broadcaster: TestUser;
  let sha256: string;
  let broadcastId: number;

  beforeAll(async () => {
    j = await startJourney();
    j.ctx.setNow('2021-10-13T01:00:00Z');
    const stttt = await j.ctx.createOrg({ name: 'Sở Thông tin và Truyền thông', shortName: 'STTTT', kind: 'department' });
    const district = await j.ctx.createOrg({ name: 'UBND huyện Kỳ Anh', shortName: 'UBND', kind: 'district' });
    const kyTan = await j.ctx.createOrg({ name: 'UBND xã Kỳ Tân', shortName: 'UBND', kind: 'commune', parentId: district });
    const kyHoa = await j.ctx.createOrg({ name: 'UBND xã Kỳ Hoa', shortName: 'UBND', kind: 'commune', parentId: district });
    const drafter = await j.ctx.createUser(['drafter'], stttt, 'Chuyên viên');
    broadcaster = await j.ctx.createUser(['broadcaster'], kyTan, 'Trần Văn Bình');

    const { id: audioId, audio } = await uploadAndWait(j.ctx, drafter, toneFile('wav', { toneSec: 2, padSec: 0.5 }), 'ban-tin.wav', 'Bản tin tiêm chủng');
    if (audio.status !== 'ready') throw new Error(`audio: ${JSON.stringify(audio)}`);
    sha256 = audio.sha256;
    const schedule = async (title: string, communeIds: number[], time: string) => {
      const res = await j.ctx.as(drafter).post('/api/v1/broadcasts').send({ audioId, title, communeIds, startDate: '2021-10-13', endDate: '2021-10-13', times: [time] });
      if (res.status !== 201) throw new Error(`broadcast: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.id as number;
    };
    broadcastId = await schedule('Tuyên truyền cài đặt Sổ sức khỏe điện tử', [kyTan], '17:00');
    await schedule('Thông báo riêng xã Kỳ Hoa', [kyHoa], '18:00');
  });
  afterAll(async () => {
    await j?.close();
  });

  it("sees today's schedule, downloads the audio, taps “Đã phát”, and sees only its own commune", async () => {
    const { page } = await j.newPage({ phone: true });
    await signInAs(page, j.baseUrl, broadcaster.email, broadcaster.password);
    const today = page.getByRole('region', { name: 'Lịch phát hôm nay' });
    await today.getByRole('link', { name: '17:00 — Tuyên truyền cài đặt Sổ sức khỏe điện tử' }).waitFor();
    await expect(today.innerText()).resolves.toContain('chưa phát');
    await expect(page.locator('main').innerText()).resolves.not.toContain('Kỳ Hoa');

    // 16:50: a slot can be confirmed from 15 minutes before its time (issue 15), so the button is there now.
    j.ctx.setNow('2021-10-13T09:50:00Z');
    await page.getByRole('navigation').getByRole('link', { name: 'Lịch phát thanh' }).tap();
    await page.getByRole('heading', { level: 1, name: 'Lịch phát thanh của xã' }).waitFor();
    const main = page.locator('main');
    await expect(main.innerText()).resolves.toContain('UBND xã Kỳ Tân');
    const item = page.getByRole('listitem').filter({ hasText: 'Tuyên truyền cài đặt Sổ sức khỏe điện tử' });
    await expect(item.innerText()).resolves.toMatch(/17:00.*Chờ phát/);
    await expect(main.innerText()).resolves.not.toContain('Thông báo riêng xã Kỳ Hoa');
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);

    // The download is the very file the feed describes.
    const [download] = await Promise.all([page.waitForEvent('download'), item.getByRole('link', { name: 'Tải về' }).tap()]);
    const bytes = fs.readFileSync((await download.path()));
    const feed = await j.ctx.as(broadcaster).get('/api/v1/broadcaster/schedule?date=2021-10-13');
    expect(feed.body.items).toHaveLength(1);
    expect(feed.body.items[0].sha256).toBe(sha256);
    expect(bytes.length).toBeGreaterThan(1000);
    expect(crypto.createHash('sha256').update(bytes).digest('hex')).toBe(feed.body.items[0].sha256);
    await j.screenshot(page, 'broadcaster-schedule-phone');

    await item.getByRole('button', { name: 'Xác nhận đã phát' }).tap();
    await page.waitForURL(/\/broadcaster\?confirmed=1$/);
    await page.getByRole('status').getByText('Đã ghi nhận: đã phát.').waitFor();
    await expect(item.innerText()).resolves.toMatch(/17:00.*Đã phát/);
    expect(await item.getByRole('button', { name: 'Xác nhận đã phát' }).count()).toBe(0);
    expect(await item.getByRole('button', { name: 'Hoàn tác xác nhận' }).count()).toBe(1);
    await j.screenshot(page, 'broadcaster-played-phone');

    const status = await j.ctx.as(j.ctx.admin).get(`/api/v1/broadcasts/${broadcastId}/status`);
    expect(status.body.byCommune).toEqual([expect.objectContaining({ name: 'UBND xã Kỳ Tân', scheduled: 1, played: 1, pending: 0 })]);
  });
});
