import { describeEachDb } from '../helpers/context';
import { signIn, type PageSession } from '../helpers/browser-session';
import { t } from '../../src/shared/i18n';
import { campaignWorld, type CampaignWorld } from './fixtures';

const decode = (s: string) => s.replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16))).replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;|&#x27;/g, "'");

/** The message the page shows beside the input `id` (templates/views/partials/fieldError.hbs), or null. */
function besideField(html: string, id: string): string | null {
  const m = new RegExp(`<span class="field-error" id="${id}-error">([^<]*)</span>`).exec(html);
  return m ? decode(m[1]) : null;
}

/** What the page says about the error: the alert and every message beside a field. */
function errorTexts(html: string): string[] {
  return [...html.matchAll(/<div class="alert alert-error" role="alert">([^<]*)<\/div>|<span class="field-error" id="[^"]+">([^<]*)<\/span>/g)].map((m) => decode(m[1] ?? m[2]));
}

/** English field messages as the schemas write them: none may reach a Vietnamese page. */
const ENGLISH = /\brequired\b|Invalid input|give orgIds|a number|an ISO week|outside the campaign|at most \d|not valid/;

function expectNoEnglish(html: string): void {
  const texts = errorTexts(html);
  expect(texts.length).toBeGreaterThan(1);
  expect(texts.filter((x) => ENGLISH.test(x))).toEqual([]);
}

const count = async (ctx: () => { db: import('../../src/db').Db }, table: string) => Number((await ctx().db(table).count({ n: '*' }))[0].n);

describeEachDb('page forms of campaigns and reports: every field error beside its field, in the user\'s language', (ctx) => {
  let w: CampaignWorld;
  let drafter: PageSession;
  let reporter: PageSession;

  beforeAll(async () => {
    w = await campaignWorld(ctx(), 2);
    ctx().setNow('2021-10-07T03:00:00Z'); // Thursday of 2021-W40
    drafter = await signIn(ctx().app, w.drafter.email, w.drafter.password);
    reporter = await signIn(ctx().app, w.agencies[0].reporter.email, w.agencies[0].reporter.password);
  });

  describe('the campaign form (/campaigns)', () => {
    it('submitted empty: 400, a Vietnamese message beside name, metric label, start and end dates, deadline and agencies, nothing stored', async () => {
      const before = await count(ctx, 'campaigns');
      const res = await drafter.agent.post('/campaigns').type('form').send({ _csrf: drafter.csrf });
      expect(res.status).toBe(400);
      const required = t('vi', 'validation.required');
      expect(required).toBe('bắt buộc');
      for (const id of ['c-name', 'c-metric', 'c-start', 'c-end', 'c-wd', 'c-time']) expect([id, besideField(res.text, id)]).toEqual([id, required]);
      expect(besideField(res.text, 'c-orgs')).toBe(t('vi', 'validation.give orgIds or groupId'));
      expect(res.text).toContain(t('vi', 'errors.VALIDATION_FAILED'));
      expectNoEnglish(res.text);
      expect(await count(ctx, 'campaigns')).toBe(before);
    });

    it('a wrong value keeps what was typed and chosen, and marks only the wrong fields', async () => {
      const res = await drafter.agent
        .post('/campaigns')
        .type('form')
        .send({ _csrf: drafter.csrf, name: 'Chiến dịch thử', metricLabel: 'Số đã cài đặt', startDate: '2021-10-04', endDate: '2021-10-01', deadlineWeekday: '9', deadlineTime: '17:00', orgIds: [String(w.agencies[1].id)] });
      expect(res.status).toBe(400);
      expect(res.text).toMatch(/id="c-name"[^>]*value="Chiến dịch thử"/);
      expect(res.text).toContain(`name="orgIds" value="${w.agencies[1].id}" checked>`);
      expect(besideField(res.text, 'c-wd')).toBe(t('vi', 'validation.1 = Monday … 7 = Sunday'));
      expect(besideField(res.text, 'c-name')).toBeNull();
      expect(besideField(res.text, 'c-orgs')).toBeNull();
    });

    it('a rule of the service (at most three years) shows beside the end date', async () => {
      const res = await drafter.agent
        .post('/campaigns')
        .type('form')
        .send({ _csrf: drafter.csrf, name: 'Dài quá', metricLabel: 'Số', startDate: '2021-01-01', endDate: '2025-01-01', deadlineWeekday: '5', deadlineTime: '17:00', orgIds: String(w.agencies[0].id) });
      expect(res.status).toBe(400);
      expect(res.text).toContain(t('vi', 'errors.CAMPAIGN_TOO_LONG'));
      expect(besideField(res.text, 'c-end')).toBe(t('vi', 'validation.at most 3 years after the start date'));
    });

    it('in English the same form answers in English', async () => {
      const en = await signIn(ctx().app, w.drafter.email, w.drafter.password);
      const res = await en.agent.post('/campaigns?lang=en').type('form').send({ _csrf: en.csrf });
      expect(res.status).toBe(400);
      expect(besideField(res.text, 'c-name')).toBe(t('en', 'validation.required'));
      expect(besideField(res.text, 'c-orgs')).toBe(t('en', 'validation.give orgIds or groupId'));
      expect(res.text).not.toContain(t('vi', 'validation.required'));
    });
  });

  describe('the weekly report form (/my-reports)', () => {
    it('submitted empty: 400, a Vietnamese message beside the figures and the week, nothing stored', async () => {
      const before = await count(ctx, 'report_submissions');
      const res = await reporter.agent.post(`/my-reports/${w.campaignId}`).type('form').send({ _csrf: reporter.csrf });
      expect(res.status).toBe(400);
      expect(besideField(res.text, `i-${w.campaignId}`)).toBe(t('vi', 'validation.a number'));
      expect(besideField(res.text, `w-${w.campaignId}`)).toBe(t('vi', 'validation.an ISO week written like 2021-W41'));
      expectNoEnglish(res.text);
      expect(await count(ctx, 'report_submissions')).toBe(before);
    });

    it('more installed than the headcount: the message beside installed, and the figures typed stay in the inputs', async () => {
      const res = await reporter.agent.post(`/my-reports/${w.campaignId}`).type('form').send({ _csrf: reporter.csrf, week: '2021-W40', headcount: '15', installed: '16' });
      expect(res.status).toBe(400);
      expect(besideField(res.text, `i-${w.campaignId}`)).toBe(t('vi', 'validation.cannot be greater than the headcount'));
      expect(res.text).toMatch(/name="installed"[^>]*value="16"/);
      expect(besideField(res.text, `h-${w.campaignId}`)).toBeNull();
    });

    it('a week that has not started: the message beside the week', async () => {
      const res = await reporter.agent.post(`/my-reports/${w.campaignId}`).type('form').send({ _csrf: reporter.csrf, week: '2021-W45', installed: '3' });
      expect(res.status).toBe(400);
      expect(res.text).toContain(t('vi', 'errors.WEEK_IN_FUTURE'));
      expect(besideField(res.text, `w-${w.campaignId}`)).toBe(t('vi', 'validation.has not started yet'));
    });

    it('an unknown campaign is the 404 page, not a form error', async () => {
      const res = await reporter.agent.post('/my-reports/999999').type('form').send({ _csrf: reporter.csrf, week: '2021-W40', installed: '3' });
      expect(res.status).toBe(404);
      expect(res.text).not.toContain('field-error');
    });
  });

  describe('the remind form (dashboard and campaign page)', () => {
    it('submitted empty reminds this week\'s missing agencies and goes back to the dashboard', async () => {
      const res = await drafter.agent.post(`/campaigns/${w.campaignId}/remind`).type('form').send({ _csrf: drafter.csrf });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(`/campaigns/${w.campaignId}/reports?week=2021-W40&reminded=2`);
      const [{ n }] = await ctx().db('report_reminders').where({ campaign_id: w.campaignId, week: '2021-W40', kind: 'manual' }).count({ n: '*' });
      expect(Number(n)).toBe(2);
    });

    it('a week outside the campaign: 400, the dashboard with the Vietnamese message beside the button, nothing sent', async () => {
      const before = await count(ctx, 'report_reminders');
      const res = await drafter.agent.post(`/campaigns/${w.campaignId}/remind`).type('form').send({ _csrf: drafter.csrf, week: '2022-W30', back: `/campaigns/${w.campaignId}` });
      expect(res.status).toBe(400);
      expect(res.text).toContain(t('vi', 'errors.WEEK_OUTSIDE_CAMPAIGN'));
      expect(besideField(res.text, 'remind-week')).toBe(t('vi', 'validation.outside the campaign'));
      expectNoEnglish(res.text);
      expect(await count(ctx, 'report_reminders')).toBe(before);
    });

    it('an unknown campaign is the 404 page; a reporter gets 403', async () => {
      expect((await drafter.agent.post('/campaigns/999999/remind').type('form').send({ _csrf: drafter.csrf })).status).toBe(404);
      expect((await reporter.agent.post(`/campaigns/${w.campaignId}/remind`).type('form').send({ _csrf: reporter.csrf })).status).toBe(403);
    });
  });
});
