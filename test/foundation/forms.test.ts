import request from 'supertest';
import { describeEachDb } from '../helpers/context';
import { csrfFrom, signIn, type PageSession } from '../helpers/browser-session';

/**
 * The forms of sign-in, users, organisations, recipient groups and the language switch, submitted empty as a
 * browser sends them (every input, all blank): 400, the page again, and beside each required field its message
 * in Vietnamese (in English with ?lang=en) — never the schema's English — and nothing written.
 */

/** The field messages of a page: the `{{> fieldError}}` spans, by the id of the input they stand beside. */
function fieldErrors(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<span class="field-error" id="([^"]+)-error">([^<]*)<\/span>/g)) out[m[1]] = m[2];
  return out;
}

/** What the schemas say in English (the API's field messages): none of it may reach a Vietnamese page. */
const ENGLISH = /required|invalid|expected|too small|too big|at least|at most|choose|unknown|no such|already/i;

function expectVietnamese(html: string, expected: Record<string, string>): void {
  const found = fieldErrors(html);
  expect(found).toEqual(expected);
  for (const message of Object.values(found)) expect(message).not.toMatch(ENGLISH);
  expect(html).toContain('Dữ liệu chưa hợp lệ');
}

const REQUIRED = 'bắt buộc';
const CHOICE = 'chọn một giá trị trong danh sách';

describeEachDb('page forms submitted empty', (ctx) => {
  let admin: PageSession;
  beforeAll(async () => {
    admin = await signIn(ctx().app, ctx().admin.email, ctx().admin.password);
  });
  const count = async (table: string) => Number((await ctx().db(table).count({ n: '*' }))[0].n);

  it('sign-in: e-mail and password are required, in Vietnamese and in English', async () => {
    const agent = request.agent(ctx().app);
    const page = await agent.get('/login');
    const res = await agent.post('/login').type('form').send({ _csrf: csrfFrom(page.text), next: '/', email: '', password: '' });
    expect(res.status).toBe(400);
    expectVietnamese(res.text, { email: REQUIRED, password: REQUIRED });
    expect(res.headers['set-cookie'] ?? []).not.toContainEqual(expect.stringContaining('vd_sid='));

    const en = await agent.post('/login?lang=en').type('form').send({ _csrf: csrfFrom(page.text), next: '/', email: '', password: '' });
    expect(en.status).toBe(400);
    expect(fieldErrors(en.text)).toEqual({ email: 'required', password: 'required' });
  });

  it('sign-in: a wrong password stays on the form with 401 and the e-mail kept', async () => {
    const agent = request.agent(ctx().app);
    const page = await agent.get('/login');
    const res = await agent.post('/login').type('form').send({ _csrf: csrfFrom(page.text), next: '/', email: ctx().admin.email, password: 'not-the-password' });
    expect(res.status).toBe(401);
    expect(res.text).toContain('Sai thư điện tử hoặc mật khẩu');
    expect(res.text).toContain(`value="${ctx().admin.email}"`);
  });

  it('add a user: name, e-mail, password, organisation and a role', async () => {
    const before = await count('users');
    const res = await admin.agent.post('/users').type('form').send({ _csrf: admin.csrf, name: '', email: '', password: '', orgId: '' });
    expect(res.status).toBe(400);
    expectVietnamese(res.text, { 'u-name': REQUIRED, 'u-email': REQUIRED, 'u-password': REQUIRED, 'u-org': REQUIRED, 'u-roles': 'chọn ít nhất một vai trò' });
    expect(await count('users')).toBe(before);
  });

  it('add a user: an e-mail already used is a 409 beside the e-mail, with the form kept', async () => {
    const taken = await admin.agent
      .post('/users')
      .type('form')
      .send({ _csrf: admin.csrf, name: 'Người trùng', email: ctx().admin.email, password: 'password-123', orgId: String(ctx().rootOrgId), roles: 'drafter' });
    expect(taken.status).toBe(409);
    expect(fieldErrors(taken.text)).toEqual({ 'u-email': 'đã có người dùng khác dùng địa chỉ này' });
    expect(taken.text).toContain('Thư điện tử này đã có người dùng');
    expect(taken.text).toContain('value="Người trùng"');
  });

  it('edit a user: a cleared name, no organisation and no role', async () => {
    const user = await ctx().createUser(['drafter'], ctx().rootOrgId, 'Người được sửa');
    const res = await admin.agent.post(`/users/${user.id}`).type('form').send({ _csrf: admin.csrf, name: '', orgId: '', password: '' });
    expect(res.status).toBe(400);
    expectVietnamese(res.text, { 'e-name': REQUIRED, 'e-org': REQUIRED, 'e-roles': REQUIRED });
    const row = await ctx().db('users').where({ id: user.id }).first();
    expect([row.name, Boolean(row.active)]).toEqual(['Người được sửa', true]);
    expect((await ctx().db('user_roles').where({ user_id: user.id })).map((r: { role: string }) => r.role)).toEqual(['drafter']);
  });

  it('edit a user: an unknown user is the 404 page, not a form', async () => {
    const res = await admin.agent.post('/users/99999').type('form').send({ _csrf: admin.csrf, name: 'X', orgId: String(ctx().rootOrgId), roles: 'drafter' });
    expect(res.status).toBe(404);
    expect(fieldErrors(res.text)).toEqual({});
  });

  it('add an organisation: name, abbreviation and kind', async () => {
    const before = await count('orgs');
    const blank = { name: '', shortName: '', kind: '', parentId: '', email: '', headcount: '', population18: '', place: '', code: '' };
    const res = await admin.agent.post('/orgs').type('form').send({ _csrf: admin.csrf, ...blank });
    expect(res.status).toBe(400);
    expectVietnamese(res.text, { 'o-name': REQUIRED, 'o-short': REQUIRED, 'o-kind': CHOICE });
    expect(await count('orgs')).toBe(before);
  });

  it('add an organisation: a code already used is a 409 beside the code', async () => {
    const fields = { name: 'Sở Tư pháp', shortName: 'STP', kind: 'department', parentId: String(ctx().rootOrgId), code: 'F-STP' };
    expect((await admin.agent.post('/orgs').type('form').send({ _csrf: admin.csrf, ...fields })).status).toBe(303);
    const again = await admin.agent.post('/orgs').type('form').send({ _csrf: admin.csrf, ...fields, name: 'Sở Tư pháp (trùng)' });
    expect(again.status).toBe(409);
    expect(fieldErrors(again.text)).toEqual({ 'o-code': 'đã được một cơ quan, đơn vị khác dùng' });
    expect(await ctx().db('orgs').where({ code: 'F-STP' })).toHaveLength(1);
  });

  it('edit an organisation: a cleared name, abbreviation and kind; nothing changes', async () => {
    const id = await ctx().createOrg({ name: 'Sở Công Thương', shortName: 'SCT', kind: 'department', email: 'sct@test.vn', headcount: 60 });
    const form = await admin.agent.get(`/orgs/${id}/edit`);
    expect(form.status).toBe(200);
    const blank = { name: '', shortName: '', kind: '', parentId: '', email: '', headcount: '', population18: '', place: '', code: '' };
    const res = await admin.agent.post(`/orgs/${id}`).type('form').send({ _csrf: csrfFrom(form.text), ...blank });
    expect(res.status).toBe(400);
    expectVietnamese(res.text, { 'o-name': REQUIRED, 'o-short': REQUIRED, 'o-kind': CHOICE });
    const row = await ctx().db('orgs').where({ id }).first();
    expect([row.name, row.short_name, row.parent_id, row.email, row.headcount]).toEqual(['Sở Công Thương', 'SCT', ctx().rootOrgId, 'sct@test.vn', 60]);
  });

  it('edit an organisation: a cleared e-mail and headcount are emptied', async () => {
    const id = await ctx().createOrg({ name: 'Sở Xây dựng', shortName: 'SXD', kind: 'department', email: 'sxd@test.vn', headcount: 40 });
    const form = await admin.agent.get(`/orgs/${id}/edit`);
    const res = await admin.agent
      .post(`/orgs/${id}`)
      .type('form')
      .send({ _csrf: csrfFrom(form.text), name: 'Sở Xây dựng', shortName: 'SXD', kind: 'department', parentId: String(ctx().rootOrgId), email: '', headcount: '', population18: '', place: '', code: '' });
    expect(res.status).toBe(303);
    const row = await ctx().db('orgs').where({ id }).first();
    expect([row.email, row.headcount, row.parent_id]).toEqual([null, null, ctx().rootOrgId]);
  });

  it('import organisations: the file is required (a browser sends an empty file part)', async () => {
    const before = await count('orgs');
    const boundary = '----vandongFormBoundary';
    const body = [
      `--${boundary}`,
      'Content-Disposition: form-data; name="_csrf"',
      '',
      admin.csrf,
      `--${boundary}`,
      'Content-Disposition: form-data; name="file"; filename=""',
      'Content-Type: application/octet-stream',
      '',
      '',
      `--${boundary}--`,
      '',
    ].join('\r\n');
    const res = await admin.agent.post('/orgs/import').set('Content-Type', `multipart/form-data; boundary=${boundary}`).send(body);
    expect(res.status).toBe(400);
    expect(fieldErrors(res.text)).toEqual({ 'import-file': REQUIRED });
    expect(res.text).toContain('Vui lòng chọn tệp');
    expect(res.text).toContain('Đăng xuất'); // the top bar shows the person again after the upload
    expect(await count('orgs')).toBe(before);
  });

  it('import organisations: a sheet without the name columns is a 400 beside the file, in Vietnamese', async () => {
    const res = await admin.agent.post('/orgs/import').field('_csrf', admin.csrf).attach('file', Buffer.from('foo,bar\n1,2\n'), 'orgs.csv');
    expect(res.status).toBe(400);
    expect(fieldErrors(res.text)).toEqual({ 'import-file': 'thiếu cột Tên hoặc Viết tắt' });
  });

  it('import organisations: the rows left out are explained in the user’s language', async () => {
    const csv = 'Mã,Tên,Viết tắt,Loại,Mã cấp trên,Email\nF-OK,Sở Du lịch,SDL,department,,sdl@test.vn\nF-BAD,Đơn vị lỗi,UBND,commune,NO-SUCH,\nF-BAD2,,A-B,other,,not-mail\n';
    const res = await admin.agent.post('/orgs/import').field('_csrf', admin.csrf).attach('file', Buffer.from(csv), 'don-vi.csv');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Đã nhập: 1 mới, 0 cập nhật, 2 dòng lỗi.');
    expect(res.text).toContain('Dòng 3: không có đơn vị cấp trên mã &quot;NO-SUCH&quot;');
    expect(res.text).toMatch(/Dòng 4: dữ liệu chưa hợp lệ: Tên cơ quan, đơn vị: bắt buộc; Viết tắt: chỉ gồm chữ in hoa và chữ số, ví dụ STTTT; Thư điện tử: địa chỉ thư điện tử không hợp lệ/);
    expect(res.text).not.toMatch(/not found|not a valid/);
    const english = await signIn(ctx().app, ctx().admin.email, ctx().admin.password); // ?lang=en is remembered: a session of its own
    const en = await english.agent.post('/orgs/import?lang=en').field('_csrf', english.csrf).attach('file', Buffer.from(csv), 'don-vi.csv');
    expect(en.text).toContain('Row 3: no parent with code &quot;NO-SUCH&quot;');
  });

  it('create a recipient group: a name and at least one organisation', async () => {
    const before = await count('recipient_groups');
    const res = await admin.agent.post('/recipient-groups').type('form').send({ _csrf: admin.csrf, name: '' });
    expect(res.status).toBe(400);
    expectVietnamese(res.text, { 'g-name': REQUIRED, 'g-orgs': 'chọn ít nhất một cơ quan, đơn vị' });
    expect(await count('recipient_groups')).toBe(before);
  });

  it('create a recipient group: a name already used is a 409 beside the name', async () => {
    const group = { _csrf: admin.csrf, name: 'Các sở', orgIds: [String(ctx().rootOrgId)] };
    expect((await admin.agent.post('/recipient-groups').type('form').send(group)).status).toBe(303);
    const again = await admin.agent.post('/recipient-groups').type('form').send(group);
    expect(again.status).toBe(409);
    expect(fieldErrors(again.text)).toEqual({ 'g-name': 'đã có nhóm mang tên này' });
  });

  it('the language switch: a language must be chosen', async () => {
    const res = await admin.agent.post('/me/locale').type('form').send({ _csrf: admin.csrf, back: '/orgs' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Dữ liệu chưa hợp lệ');
    expect(res.text).toContain(`<code>locale</code>: ${CHOICE}`);
    expect(res.text).not.toMatch(/Invalid option/);
    const switched = await admin.agent.post('/me/locale').type('form').send({ _csrf: admin.csrf, back: '/orgs', locale: 'en' });
    expect([switched.status, switched.headers.location]).toEqual([303, '/orgs']);
    expect((await admin.agent.get('/orgs')).text).toContain('Organisations');
    await admin.agent.post('/me/locale').type('form').send({ _csrf: admin.csrf, back: '/', locale: 'vi' });
  });
});
