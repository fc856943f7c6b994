import fs from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import request from 'supertest';
import { describeEachDb } from '../helpers/context';
import { signIn } from '../helpers/browser-session';
import { setUpIssuer, communes, draftLetter, issue } from '../dispatch/letter-flow';
import { toneFile, uploadAndWait } from '../broadcasts/audio-helpers';
import { drainOutbox } from '../../src/dispatch/worker';
import { markMissed } from '../../src/broadcasts/schedule';

async function outboxMails(mediaDir: string) {
  const dir = path.join(mediaDir, 'outbox');
  const files = fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('.eml')) : [];
  return Promise.all(files.map(async (f) => simpleParser(fs.readFileSync(path.join(dir, f)))));
}

describeEachDb('a campaign seen as a whole', (ctx) => {
  it('ties letters, broadcasts and weekly reports together, and the next actions send each reminder once', async () => {
    const c = ctx();
    c.setNow('2026-11-24T20:00:00Z'); // Wednesday 25/11/2026, 03:00 in Hà Tĩnh
    const issuer = await setUpIssuer(c);
    const agencies = await communes(c, 3, 'coquan');
    const [communeA, communeB] = await communes(c, 2, 'xa');
    const broadcasterA = await c.createUser(['broadcaster'], communeA.id, 'Đài xã A');

    const campaign = await c.as(issuer.drafter).post('/api/v1/campaigns').send({
      name: 'Cài đặt Sổ sức khỏe điện tử',
      metricLabel: 'Số cán bộ đã cài đặt',
      targetPercent: 100,
      startDate: '2026-11-01',
      endDate: '2026-12-31',
      deadline: { weekday: 5, time: '17:00' },
      orgIds: agencies.map((a) => a.id),
    });
    expect(campaign.status).toBe(201);
    const campaignId = campaign.body.id;

    // Letter to the three agencies, filed under the campaign, issued, e-mailed; one agency acknowledges.
    const letterId = await draftLetter(c, issuer, agencies.map((a) => ({ orgId: a.id })));
    expect((await c.as(issuer.drafter).patch(`/api/v1/letters/${letterId}`).send({ campaignId })).status).toBe(200);
    const { symbol } = await issue(c, issuer, letterId);
    expect((await c.as(issuer.secretary).post(`/api/v1/letters/${letterId}/dispatch`)).status).toBe(202);
    await drainOutbox(c.deps);
    const first = (await outboxMails(c.mediaDir)).find((m) => (m.to as { text: string }).text.includes(agencies[0].email))!;
    const ackPath = /\/ack\/[A-Za-z0-9_-]+/.exec(first.text ?? '')![0];
    const browser = request.agent(c.app);
    const ackPage = await browser.get(ackPath);
    expect((await browser.post(ackPath).type('form').send({ _csrf: /name="_csrf" value="([^"]+)"/.exec(ackPage.text)![1] })).status).toBe(200);

    // Broadcast in two communes at 06:00 and 17:00 today; commune A confirms the morning slot.
    const audio = await uploadAndWait(c, issuer.drafter, toneFile('wav', { toneSec: 1, padSec: 0.2 }), 'ban-tin.wav');
    const b = await c.as(issuer.drafter).post('/api/v1/broadcasts').send({ audioId: audio.id, title: 'Bản tin cài đặt ứng dụng', communeIds: [communeA.id, communeB.id], startDate: '2026-11-25', endDate: '2026-11-25', times: ['06:00', '17:00'], campaignId });
    expect(b.status).toBe(201);
    const schedule = await c.as(broadcasterA).get('/api/v1/broadcaster/schedule?date=2026-11-25');
    const morning = schedule.body.items.find((i: { scheduledAt: string }) => i.scheduledAt === '2026-11-24T23:00:00.000Z');
    c.setNow('2026-11-24T23:10:00Z');
    expect((await c.as(broadcasterA).post(`/api/v1/broadcaster/occurrences/${morning.occurrenceId}/confirm`).send({})).body.status).toBe('played');

    // Two of the three agencies report this week (2026-W48), entered by the department's secretary.
    c.setNow('2026-11-26T12:00:00Z');
    for (const [agency, installed] of [[agencies[0], 30], [agencies[1], 12]] as const) {
      const res = await c.as(issuer.secretary).put(`/api/v1/campaigns/${campaignId}/reports/2026-W48`).send({ orgId: agency.id, headcount: 40, installed });
      expect(res.status).toBe(201);
    }
    expect(await markMissed(c.deps)).toBe(3); // A's 17:00 and both of B's slots

    const o = (await c.as(issuer.drafter).get(`/api/v1/campaigns/${campaignId}/overview?week=2026-W48`)).body;
    expect(o.letters).toEqual([expect.objectContaining({ id: letterId, symbol, recipients: 3, sent: 3, acknowledged: 1, receivedInSystem: 0, acknowledgedByEmail: 1, deliveredPercent: 100, acknowledgedPercent: 33.33 })]);
    expect(o.broadcasts).toEqual([expect.objectContaining({ scheduled: 4, played: 1, missed: 3, pending: 0, playedPercent: 25 })]);
    expect(o.reports).toMatchObject({ week: '2026-W48', expected: 3, received: 2, onTime: 2, totals: { headcount: 80, installed: 42, percent: 52.5 } });
    expect(o.completenessPercent).toBe(66.67);
    expect(o.nextActions.unacknowledged).toEqual([{ letterId, symbol, recipients: [agencies[1].name, agencies[2].name].sort((x, y) => x.localeCompare(y)) }]);
    expect(o.nextActions.missedBroadcasts[0].communes).toEqual([
      { orgId: communeA.id, name: communeA.name, missed: 1 },
      { orgId: communeB.id, name: communeB.name, missed: 2 },
    ]);
    expect(o.nextActions.missingReports).toEqual({ week: '2026-W48', orgs: [{ orgId: agencies[2].id, name: agencies[2].name }] });
    // campaign start 01/11, week 48 from Monday 23/11, broadcast day 25/11 (local midnight), letter issued 25/11 03:00
    expect(o.timeline.map((e: { kind: string }) => e.kind)).toEqual(['campaign', 'report', 'broadcast', 'letter']);

    // One click each; clicking again sends nothing twice.
    const missed1 = await c.as(issuer.drafter).post(`/api/v1/broadcasts/${b.body.id}/remind-missed`);
    expect(missed1.body).toEqual({ communes: 2, messages: 2 });
    expect((await c.as(issuer.drafter).post(`/api/v1/broadcasts/${b.body.id}/remind-missed`)).body).toEqual({ communes: 2, messages: 0 });
    const nudge = await c.as(issuer.secretary).post(`/api/v1/letters/${letterId}/dispatch/remind-unacknowledged`);
    expect(nudge.body).toMatchObject({ queued: 2, total: 2 });
    const reportReminder = await c.as(issuer.drafter).post(`/api/v1/campaigns/${campaignId}/reminders`).send({ week: '2026-W48' });
    expect(reportReminder.body).toMatchObject({ reminded: 1, missing: 1 });
    await drainOutbox(c.deps);
    const mails = await outboxMails(c.mediaDir);
    const to = (m: (typeof mails)[number]) => (m.to as { text: string }).text;
    expect(mails.filter((m) => m.subject?.startsWith('Nhắc xác nhận')).map(to).sort()).toEqual([agencies[1].email, agencies[2].email].sort());
    expect(mails.filter((m) => m.subject?.includes('Bản tin cài đặt ứng dụng')).map(to).sort()).toEqual([broadcasterA.email, communeB.email].sort());

    // The page shows the same figures.
    const page = await signIn(c.app, issuer.drafter.email, issuer.drafter.password);
    const html = (await page.agent.get(`/campaigns/${campaignId}?week=2026-W48`)).text;
    expect(html).toContain('Cài đặt Sổ sức khỏe điện tử');
    expect(html).toContain(symbol);
    expect(html).toContain('52,5%');
    expect(html).toContain(agencies[2].name);
    // The week as words, in the heading and the next action (the ISO key only in the form's hidden field).
    expect(html).toContain('— Tuần 48 (23/11–29/11/2026)</h2>');
    expect(html).toContain('1 đơn vị chưa báo cáo Tuần 48 (23/11–29/11/2026)');
    expect(html.replace(/<[^>]+>/g, ' ')).not.toMatch(/\d{4}-W\d{2}/);
  });

  it('is for the department that runs the campaign only', async () => {
    const c = ctx();
    const issuer = await setUpIssuer(c);
    const [agency] = await communes(c, 1, 'ngoai');
    const campaign = await c.as(issuer.drafter).post('/api/v1/campaigns').send({ name: 'Chiến dịch B', metricLabel: 'Số cán bộ', startDate: '2026-01-01', endDate: '2026-12-31', deadline: { weekday: 5, time: '17:00' }, orgIds: [agency.id] });
    const reporter = await c.createUser(['reporter'], agency.id);
    const otherDept = await c.createOrg({ name: 'Sở Y tế', shortName: 'SYT', kind: 'department' });
    const stranger = await c.createUser(['drafter'], otherDept);
    expect((await c.as(reporter).get(`/api/v1/campaigns/${campaign.body.id}/overview`)).status).toBe(403);
    expect((await c.as(stranger).get(`/api/v1/campaigns/${campaign.body.id}/overview`)).status).toBe(403);
    expect((await c.as(stranger).post('/api/v1/letters').send({ issuingOrgId: otherDept, subject: 'x', body: 'y', place: 'Hà Tĩnh', recipients: [{ name: 'A' }], signer: { title: 'GIÁM ĐỐC', name: 'B' }, unitCode: 'VP', campaignId: campaign.body.id })).status).toBe(400);
  });
});
