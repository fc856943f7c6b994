import { createTestContext, DB_LANES, type TestContext } from '../helpers/context';
import { jobs } from '../../src/reports/jobs';
import { withLease } from '../../src/jobs';
import { drainOutbox } from '../../src/dispatch/worker';
import { campaignWorld, type CampaignWorld } from './fixtures';
import { startInbox, type Inbox } from './smtp';

/**
 * Reminders go through the real outbox and a real SMTP server on loopback. Campaign deadline: Friday 17:00
 * local; week 2021-W41's deadline is 2021-10-15T10:00Z; reminders start 24 hours before it.
 */
describe.each(DB_LANES)('report reminders reach a real SMTP server once each [%s]', (lane) => {
  let ctx: TestContext;
  let inbox: Inbox;
  let w: CampaignWorld;
  const job = jobs.find((j) => j.name === 'reports.reminders')!;
  /** A cron tick: take the lease, run the job, then let the outbox worker send. */
  const tick = async (holder: string) => {
    await withLease(ctx.deps, job.name, holder, job.leaseSeconds, () => job.run(ctx.deps));
    await drainOutbox(ctx.deps);
  };
  const to = (m: { to?: unknown }) => (Array.isArray(m.to) ? m.to : [m.to]).map((a) => (a as { text: string }).text).join(',');

  beforeAll(async () => {
    inbox = await startInbox();
    ctx = await createTestContext(lane, { SMTP_URL: inbox.url, MAIL_FROM: 'Vận Động <no-reply@hatinh.gov.vn>' });
    w = await campaignWorld(ctx, 3, { startDate: '2021-10-11' }); // starts in week 41: no earlier week to chase
    // Agency 3's reporter has left: its reminders go to the agency's own address.
    await ctx.db('users').where({ id: w.agencies[2].reporter.id }).update({ active: false });
  });
  afterAll(async () => {
    await ctx?.close();
    await inbox?.close();
  });

  it('sends nothing while the deadline is far away', async () => {
    ctx.setNow('2021-10-13T03:00:00Z'); // Wednesday
    await tick('a');
    expect(inbox.messages).toHaveLength(0);
  });

  it('reminds each agency that has not reported, N hours before the deadline, once even when the job runs twice', async () => {
    ctx.setNow('2021-10-14T09:00:00Z');
    expect((await ctx.as(w.agencies[0].reporter).put(`/api/v1/campaigns/${w.campaignId}/reports/2021-W41`).send({ installed: 3 })).status).toBe(201);
    ctx.setNow('2021-10-14T11:00:00Z'); // Thursday 18:00 local: 23 hours before the deadline
    await tick('instance-a');
    await tick('instance-b');
    await job.run(ctx.deps); // even without the lease, the reminder records keep it to one
    await drainOutbox(ctx.deps);
    expect(inbox.messages.map(to).sort()).toEqual([w.agencies[1].reporter.email, 'dv03@hatinh.gov.vn'].sort());
    const mail = inbox.messages.find((m) => to(m) === w.agencies[1].reporter.email)!;
    expect(mail.subject).toBe('Nhắc báo cáo Tuần 41 (11/10–17/10/2021): Cài đặt Sổ sức khỏe điện tử');
    expect(mail.text).toContain('Đơn vị chưa gửi báo cáo Tuần 41 (11/10–17/10/2021) của chiến dịch');
    expect(mail.text).toContain('Kính gửi Đơn vị 02');
    expect(mail.text).toContain('15/10/2021 17:00');
    expect(mail.text).toContain('http://vandong.test/my-reports');
  });

  it('sends one late notice after the deadline', async () => {
    ctx.setNow('2021-10-15T10:30:00Z');
    await tick('instance-a');
    await tick('instance-b');
    ctx.setNow('2021-10-16T10:30:00Z');
    await tick('instance-a');
    const late = inbox.messages.filter((m) => m.subject?.startsWith('Quá hạn'));
    expect(late.map(to).sort()).toEqual([w.agencies[1].reporter.email, 'dv03@hatinh.gov.vn'].sort());
    expect(inbox.messages).toHaveLength(4);
  });

  it('the department can remind the missing now, once per week', async () => {
    ctx.setNow('2021-10-16T11:00:00Z');
    await ctx.as(w.agencies[1].reporter).put(`/api/v1/campaigns/${w.campaignId}/reports/2021-W41`).send({ installed: 5 });
    const first = await ctx.as(w.drafter).post(`/api/v1/campaigns/${w.campaignId}/reminders`).send({ week: '2021-W41' });
    expect(first.body).toEqual({ week: '2021-W41', reminded: 1, missing: 1 });
    const again = await ctx.as(w.drafter).post(`/api/v1/campaigns/${w.campaignId}/reminders`).send({ week: '2021-W41' });
    expect(again.body).toEqual({ week: '2021-W41', reminded: 0, missing: 1 });
    await drainOutbox(ctx.deps);
    expect(inbox.messages).toHaveLength(5);
    expect(to(inbox.messages[4])).toBe('dv03@hatinh.gov.vn');
  });

  it('lists the reminders sent', async () => {
    const res = await ctx.as(w.drafter).get(`/api/v1/campaigns/${w.campaignId}/reminders?week=2021-W41`);
    expect(res.status).toBe(200);
    const rows = res.body.items.map((r: { orgName: string; kind: string; recipients: string[] }) => `${r.kind} ${r.orgName} ${r.recipients.join(',')}`).sort();
    expect(rows).toEqual(
      [
        `before Đơn vị 02 ${w.agencies[1].reporter.email}`,
        'before Đơn vị 03 dv03@hatinh.gov.vn',
        `late Đơn vị 02 ${w.agencies[1].reporter.email}`,
        'late Đơn vị 03 dv03@hatinh.gov.vn',
        'manual Đơn vị 03 dv03@hatinh.gov.vn',
      ].sort(),
    );
    const page = await ctx.as(w.drafter).get(`/campaigns/${w.campaignId}/reports?week=2021-W41`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('dv03@hatinh.gov.vn');
    expect(page.text).toContain('Báo quá hạn');
    // Weeks read as words: the picker, the heading, the trend and the reminders; the ISO key only in values and links.
    expect(page.text).toContain('<option value="2021-W41" selected>Tuần 41 (11/10–17/10/2021)</option>');
    expect(page.text).toContain('<strong>Tuần 41 (11/10–17/10/2021)</strong>');
    expect(page.text.replace(/<[^>]+>/g, ' ')).not.toMatch(/\d{4}-W\d{2}/);
  });
});
