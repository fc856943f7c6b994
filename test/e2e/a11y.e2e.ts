import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { startJourney, signInAs, horizontalOverflow, type Journey } from './browser';
import { auditPage, contrast, hex, tabToPrimary } from './a11y';
import { installShippedTemplates } from '../../src/letters/template-service';
import { outboxIdle } from '../../src/dispatch/worker';
import { toneFile, uploadAndWait } from '../broadcasts/audio-helpers';
import { ROOT } from '../../src/shared/paths';
import type { TestUser } from '../helpers/context';

/**
 * Accessibility basics on every main page, for every role, in the browser: a lang attribute and one h1 per page,
 * every form control labelled, every button and link named, text contrast ≥ 4.5:1 (3:1 large) against the
 * background it is drawn on, and the main form's primary button reachable with the Tab key.
 * On the way, every focused element's focus ring must stand out 3:1 from the background around it.
 * Every page is also checked on a phone viewport (390×844), where nothing may overflow sideways.
 */
describe('accessibility basics on every main page', () => {
  let j: Journey;
  const users: Record<string, TestUser> = {};
  const ids: Record<string, number | string> = {};

  beforeAll(async () => {
    j = await startJourney();
    j.ctx.setNow('2021-10-13T01:00:00Z');
    const c = j.ctx;
    await installShippedTemplates(c.deps);
    const stttt = await c.createOrg({ name: 'Sở Thông tin và Truyền thông', shortName: 'STTTT', kind: 'department', email: 'stttt@a11y.e2e.vn' });
    const syt = await c.createOrg({ name: 'Sở Y tế', shortName: 'SYT', kind: 'department', email: 'syt@a11y.e2e.vn', headcount: 118 });
    const district = await c.createOrg({ name: 'UBND huyện Kỳ Anh', shortName: 'UBND', kind: 'district', email: 'kyanh@a11y.e2e.vn' });
    const commune = await c.createOrg({ name: 'UBND xã Kỳ Tân', shortName: 'UBND', kind: 'commune', parentId: district });
    users.admin = c.admin;
    users.secretary = await c.createUser(['secretary', 'drafter'], stttt, 'Văn thư');
    users.approver = await c.createUser(['approver'], stttt, 'Lãnh đạo Sở');
    users.reporter = await c.createUser(['reporter'], syt, 'Cán bộ đầu mối');
    users.broadcaster = await c.createUser(['broadcaster'], commune, 'Cán bộ đài xã');

    const ok = (res: { status: number; body: unknown }, what: string, status = [200, 201, 202]) => {
      if (!status.includes(res.status)) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body as Record<string, any>;
    };
    const sec = c.as(users.secretary);
    const tpl = ok(await sec.get('/api/v1/letter-templates'), 'templates').items[0];
    ids.template = tpl.id;
    const letterBody = {
      issuingOrgId: stttt,
      subject: 'tuyên truyền, cài đặt ứng dụng Sổ sức khỏe điện tử',
      body: 'Đề nghị các cơ quan, đơn vị tuyên truyền, cài đặt ứng dụng.\n\nTrân trọng.',
      place: 'Hà Tĩnh',
      recipients: [{ orgId: syt }, { orgId: district }],
      signer: { authority: 'KT.', authorityTitle: 'GIÁM ĐỐC', title: 'PHÓ GIÁM ĐỐC', name: 'Đậu Tùng Lâm' },
      unitCode: 'TTBCXB',
    };
    ids.draft = ok(await sec.post('/api/v1/letters').send(letterBody), 'draft').id;
    ids.letter = ok(await sec.post('/api/v1/letters').send({ ...letterBody, urgency: 'KHAN' }), 'letter').id;
    ok(await sec.post(`/api/v1/letters/${ids.letter}/submit`), 'submit');
    ok(await c.as(users.approver).post(`/api/v1/letters/${ids.letter}/approve`), 'approve');
    ok(await sec.post(`/api/v1/letters/${ids.letter}/issue`), 'issue');
    ok(await sec.post(`/api/v1/letters/${ids.letter}/dispatch`).send({}), 'dispatch');
    await outboxIdle(c.deps);
    ids.outboxMessage = ok(await sec.get('/api/v1/outbox'), 'outbox').items[0].id;
    // The letter's e-mail (the outbox also holds the workflow's notices, which carry no acknowledgement link).
    const mails = fs.readdirSync(path.join(c.mediaDir, 'outbox')).filter((f) => f.endsWith('.eml')).map((f) => fs.readFileSync(path.join(c.mediaDir, 'outbox', f), 'utf8').replace(/=\r?\n/g, ''));
    ids.ackToken = mails.map((m) => /\/ack\/([A-Za-z0-9_-]+)/.exec(m)).find((m) => m)![1];

    const { id: audioId } = await uploadAndWait(c, users.secretary, toneFile('wav', { toneSec: 1, padSec: 0.2 }), 'ban-tin.wav', 'Bản tin tiêm chủng');
    ids.audio = audioId;
    ids.broadcast = ok(await sec.post('/api/v1/broadcasts').send({ audioId, title: 'Tuyên truyền cài đặt Sổ sức khỏe điện tử', communeIds: [commune], startDate: '2021-10-13', endDate: '2021-10-19', times: ['17:00'] }), 'broadcast').id;
    ids.campaign = ok(
      await sec.post('/api/v1/campaigns').send({ name: 'Cài đặt Sổ sức khỏe điện tử', metricLabel: 'Số cán bộ đã cài đặt', targetPercent: 100, startDate: '2021-10-04', endDate: '2021-12-31', deadline: { weekday: 5, time: '17:00' }, orgIds: [syt] }),
      'campaign',
    ).id;
    ids.syt = syt;
  });
  afterAll(async () => {
    await j?.close();
  });

  const PAGES: Record<string, (string | (() => string))[]> = {
    public: ['/login', () => `/ack/${ids.ackToken}`],
    admin: [
      '/',
      '/letters',
      () => `/letters/${ids.letter}`,
      '/register',
      '/letter-templates',
      () => `/letter-templates/${ids.template}`,
      '/broadcasts',
      () => `/broadcasts/${ids.broadcast}`,
      () => `/broadcasts/audio/${ids.audio}`,
      '/campaigns',
      () => `/campaigns/${ids.campaign}`,
      () => `/campaigns/${ids.campaign}/reports`,
      '/orgs',
      () => `/orgs/${ids.syt}/edit`,
      '/users',
      '/audit',
      '/outbox',
      () => `/outbox/${ids.outboxMessage}`,
      () => `/letters/${ids.letter}/deliveries`,
    ],
    secretary: [
      '/',
      '/letters',
      '/letters/new',
      () => `/letters/new?templateId=${ids.template}`,
      () => `/letters/${ids.draft}`,
      () => `/letters/${ids.draft}/edit`,
      () => `/letters/${ids.letter}`,
      '/register',
      '/outbox',
      () => `/letters/${ids.letter}/deliveries`,
      '/broadcasts',
      '/campaigns',
      () => `/campaigns/${ids.campaign}/reports`,
      '/orgs',
    ],
    approver: ['/', '/letters', () => `/letters/${ids.letter}`],
    reporter: ['/', '/my-reports', '/orgs'],
    broadcaster: ['/', '/broadcaster'],
  };
  /** Reporters and broadcasters work on phones; department staff on both. Every page is checked on a phone. */
  const RUNS: [string, 'phone' | 'desktop'][] = Object.keys(PAGES).flatMap((role) => (['reporter', 'broadcaster', 'public'].includes(role) ? [[role, 'phone']] : [[role, 'desktop'], [role, 'phone']]) as [string, 'phone' | 'desktop'][]);

  async function check(page: Page, url: string, phone: boolean): Promise<string[]> {
    const problems: string[] = [];
    const res = await page.goto(`${j.baseUrl}${url}`);
    if (!res || res.status() >= 400) problems.push(`HTTP ${res?.status()}`);
    const a = await auditPage(page);
    if (!a.lang) problems.push('no lang attribute on <html>');
    if (a.h1 !== 1) problems.push(`${a.h1} h1 elements`);
    for (const u of a.unlabelled) problems.push(`unlabelled ${u}`);
    for (const u of a.unnamed) problems.push(`unnamed ${u}`);
    for (const u of a.lowContrast) problems.push(`low contrast ${u}`);
    if (phone) {
      const over = await horizontalOverflow(page);
      if (over > 0) problems.push(`overflows the phone screen by ${over}px`);
    }
    const tab = await tabToPrimary(page);
    if (tab && tab.presses < 0) problems.push(`Tab never reaches the primary button "${tab.button}"`);
    for (const w of tab?.weakFocus ?? []) problems.push(`focus ring hard to see on ${w}`);
    return problems.map((p) => `${url}: ${p}`);
  }

  it.each(RUNS)('%s pages (%s)', async (role, viewport) => {
    const phone = viewport === 'phone';
    const { page, context } = await j.newPage({ phone });
    if (role !== 'public') await signInAs(page, j.baseUrl, users[role].email, users[role].password);
    const problems: string[] = [];
    for (const p of PAGES[role]) problems.push(...(await check(page, typeof p === 'string' ? p : p(), phone)));
    await context.close();
    expect(problems).toEqual([]);
  });

  it('the checks find what they look for (a page built to fail them)', async () => {
    const { page, context } = await j.newPage();
    await page.setContent(`<html><body><h1>Một</h1><h1>Hai</h1><main><form>
      <input name="q"><select name="s"><option>1</option></select><textarea name="t" placeholder="không phải nhãn"></textarea>
      <input type="hidden" name="h"><label for="ok">Tên</label><input id="ok" name="ok">
      <p style="color:#999">chữ mờ</p><a href="/x"></a>
      <button class="primary" tabindex="-1">Gửi</button></form></main></body></html>`);
    const a = await auditPage(page);
    expect(a).toMatchObject({ lang: '', h1: 2 });
    expect(a.unlabelled).toEqual(['<input name="q">', '<select name="s">', '<textarea name="t">']);
    expect(a.unnamed).toEqual(['<a> href=/x']);
    expect(a.lowContrast).toEqual([expect.stringContaining('"chữ mờ" 2.85:1')]);
    expect(await tabToPrimary(page, 10)).toMatchObject({ presses: -1, button: 'Gửi' });
    await context.close();
  });

  it('the main colours of the style sheet reach 4.5:1 for text and 3:1 for focus rings', () => {
    const css = fs.readFileSync(path.join(ROOT, 'public', 'style.css'), 'utf8');
    const root = /:root\s*\{([^}]+)\}/.exec(css)![1];
    const v = Object.fromEntries([...root.matchAll(/--([\w-]+):\s*(#[0-9a-fA-F]{3,6})/g)].map((m) => [m[1], m[2]]));
    const rule = (selector: string, prop: string) => {
      const m = new RegExp(`(?:^|[}\\s,])${selector.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*(?:,[^{}]*)?\\{[^}]*?(?:^|[;{\\s])${prop}:\\s*(#[0-9a-fA-F]{3,6}|var\\(--[\\w-]+\\))`, 'm').exec(css);
      if (!m) throw new Error(`no ${prop} in ${selector}`);
      const val = m[1];
      return val.startsWith('var(') ? v[val.slice(6, -1)] : val;
    };
    const white = '#ffffff';
    const pairs: [string, string, string][] = [
      ['body text on page', v.fg, v.bg],
      ['body text on card', v.fg, white],
      ['table header', v.fg, rule('th', 'background')],
      ['muted text on page', v.muted, v.bg],
      ['muted text on card', v.muted, white],
      ['muted text in table header', v.muted, rule('th', 'background')],
      ['link on page', rule('a', 'color'), v.bg],
      ['link on card', rule('a', 'color'), white],
      ['top bar', white, v.accent],
      ['primary button', white, v.accent],
      ['primary button (hover)', white, v['accent-dark']],
      ['brand title', v.accent, v.bg],
      ['field error', rule('.field-error', 'color'), white],
      ['error alert', rule('.alert-error', 'color'), rule('.alert-error', 'background')],
      ['ok alert', rule('.alert-ok', 'color'), rule('.alert-ok', 'background')],
      ['warning alert', rule('.alert-warn', 'color'), rule('.alert-warn', 'background')],
      ['link in warning alert', rule('a', 'color'), rule('.alert-warn', 'background')],
      ['tag', v.fg, rule('.tag', 'background')],
      ['submitted tag', v.fg, rule('.status-submitted', 'background')],
      ['approved tag', v.fg, rule('.status-approved', 'background')],
      ['issued/played tag', v.fg, rule('.status-played', 'background')],
      ['failed/missed tag', v.fg, rule('.status-failed', 'background')],
    ];
    // Focus rings are not text: 3:1 against what they are drawn on (WCAG 1.4.11).
    const rings: [string, string, string][] = [
      ['focus ring on page', v.focus, v.bg],
      ['focus ring on card', v.focus, white],
      ['focus ring in the top bar', rule('.topbar :focus-visible', 'outline-color'), v.accent],
    ];
    const weakRings = rings.map(([name, fg, bg]) => ({ name, fg, bg, ratio: Math.round(contrast(hex(fg), hex(bg)) * 100) / 100 })).filter((p) => p.ratio < 3);
    expect(weakRings).toEqual([]);
    const low = pairs.map(([name, fg, bg]) => ({ name, fg, bg, ratio: Math.round(contrast(hex(fg), hex(bg)) * 100) / 100 })).filter((p) => p.ratio < 4.5);
    expect(low).toEqual([]);
  });
});
