import { describeEachDb } from '../helpers/context';
import { signIn, type PageSession } from '../helpers/browser-session';
import { approvedLetter, plainLetter, PNG, setUpDepartment, type Department } from './helpers';

/** The field messages of a page, by the id of the input they stand beside. */
function fieldErrors(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<span class="field-error" id="([^"]+)-error">([^<]*)<\/span>/g)) out[m[1]] = m[2];
  return out;
}

/** Words of the English field messages and of the API's generic error, none of which a Vietnamese page shows. */
const ENGLISH = /\b(required|invalid|expected|must|not valid|unknown|choose|is not|characters)\b/i;

function expectVietnamese(html: string): void {
  for (const message of Object.values(fieldErrors(html))) expect(message).not.toMatch(ENGLISH);
  expect(html).not.toContain('The request is not valid');
}

/** Every page form of the letters feature, submitted empty (or wrong), answers in the user's language beside its fields. */
describeEachDb('letter forms', (ctx) => {
  let dep: Department;
  let drafter: PageSession;
  let approver: PageSession;
  let admin: PageSession;
  beforeAll(async () => {
    dep = await setUpDepartment(ctx(), 'STTTT');
    drafter = await signIn(ctx().app, dep.drafter.email, dep.drafter.password);
    approver = await signIn(ctx().app, dep.approver.email, dep.approver.password);
    admin = await signIn(ctx().app, ctx().admin.email, ctx().admin.password);
  });
  const count = async (table: string) => Number((await ctx().db(table).count({ n: '*' }))[0].n);

  it('the draft form submitted empty is a 400 marking place, subject, body and signer in Vietnamese, and stores nothing', async () => {
    const before = await count('letters');
    await drafter.refresh('/letters/new');
    const res = await drafter.agent.post('/letters').type('form').send({ _csrf: drafter.csrf });
    expect(res.status).toBe(400);
    const fields = fieldErrors(res.text);
    expect(fields).toMatchObject({ 'l-place': 'bắt buộc', 'l-subject': 'bắt buộc', 'l-body': 'bắt buộc (hoặc chọn một mẫu)', 'l-title': 'bắt buộc', 'l-name': 'bắt buộc' });
    expect(res.text).toContain('Dữ liệu chưa hợp lệ, vui lòng kiểm tra các trường được đánh dấu.');
    expectVietnamese(res.text);
    expect(await count('letters')).toBe(before);
  });

  it('the same form in English says "required" beside the same fields', async () => {
    const english = await signIn(ctx().app, dep.drafter.email, dep.drafter.password); // ?lang=en sticks to its session
    await english.refresh('/letters/new');
    const res = await english.agent.post('/letters?lang=en').type('form').send({ _csrf: english.csrf });
    expect(res.status).toBe(400);
    expect(fieldErrors(res.text)).toMatchObject({ 'l-place': 'required', 'l-subject': 'required', 'l-title': 'required', 'l-name': 'required' });
  });

  it('a template variable, a free recipient and the unit code are marked beside their own inputs', async () => {
    await drafter.refresh(`/letters/new?templateId=${dep.templateId}`);
    const res = await drafter.agent
      .post('/letters')
      .type('form')
      .send({ _csrf: drafter.csrf, templateId: dep.templateId, var_appName: 'Sổ sức khỏe điện tử', place: 'Hà Tĩnh', signerTitle: 'GIÁM ĐỐC', signerName: 'A', unitCode: 'ttbcxb', freeRecipients: 'Doanh nghiệp <khong-phai-email>' });
    expect(res.status).toBe(400);
    const fields = fieldErrors(res.text);
    expect(fields['l-unit']).toBe('chỉ gồm chữ in hoa và chữ số, ví dụ TTBCXB');
    expect(fields['l-free']).toBe('địa chỉ thư điện tử không hợp lệ');
    expectVietnamese(res.text);
    // Once the schema is satisfied, the template's own check marks each missing variable beside it.
    const vars = await drafter.agent
      .post('/letters')
      .type('form')
      .send({ _csrf: drafter.csrf, templateId: dep.templateId, var_appName: 'Sổ sức khỏe điện tử', place: 'Hà Tĩnh', signerTitle: 'GIÁM ĐỐC', signerName: 'A' });
    expect(vars.status).toBe(400);
    expect(fieldErrors(vars.text)).toMatchObject({ 'v-basis': 'bắt buộc', 'v-reportTo': 'bắt buộc' });
    expect(fieldErrors(vars.text)['v-appName']).toBeUndefined();
    expectVietnamese(vars.text);
  });

  it('the edit form of a draft submitted empty is a 400 beside its fields and leaves the draft as it was', async () => {
    const id = (await ctx().as(dep.drafter).post('/api/v1/letters').send(plainLetter(dep))).body.id;
    await drafter.refresh(`/letters/${id}/edit`);
    const res = await drafter.agent.post(`/letters/${id}`).type('form').send({ _csrf: drafter.csrf });
    expect(res.status).toBe(400);
    expect(fieldErrors(res.text)).toMatchObject({ 'l-place': 'bắt buộc', 'l-subject': 'bắt buộc', 'l-title': 'bắt buộc', 'l-name': 'bắt buộc' });
    expectVietnamese(res.text);
    expect((await ctx().db('letters').where({ id }).first()).subject).toBe('tăng cường tuyên truyền');
  });

  it('editing a submitted letter answers 409 on the form, in Vietnamese', async () => {
    const id = (await ctx().as(dep.drafter).post('/api/v1/letters').send(plainLetter(dep))).body.id;
    await drafter.refresh(`/letters/${id}/edit`);
    expect((await ctx().as(dep.drafter).post(`/api/v1/letters/${id}/submit`)).status).toBe(200);
    const res = await drafter.agent.post(`/letters/${id}`).type('form').send({ _csrf: drafter.csrf, ...formOf(plainLetter(dep)) });
    expect(res.status).toBe(409);
    expect(res.text).toContain('Chỉ sửa hoặc trình được công văn đang là dự thảo');
    expect(res.text).toContain(`action="/letters/${id}"`);
  });

  it('reject without a reason is a 400 with "bắt buộc" beside the reason, and the letter stays submitted', async () => {
    const id = (await ctx().as(dep.drafter).post('/api/v1/letters').send(plainLetter(dep))).body.id;
    await ctx().as(dep.drafter).post(`/api/v1/letters/${id}/submit`);
    await approver.refresh(`/letters/${id}`);
    const res = await approver.agent.post(`/letters/${id}/reject`).type('form').send({ _csrf: approver.csrf, reason: '   ' });
    expect(res.status).toBe(400);
    expect(fieldErrors(res.text)).toEqual({ 'r-reason': 'bắt buộc' });
    expectVietnamese(res.text);
    expect((await ctx().db('letters').where({ id }).first()).status).toBe('submitted');
  });

  it('a workflow step out of order answers 409 on the letter page; one for a letter that does not exist is the 404 page', async () => {
    const id = (await ctx().as(dep.drafter).post('/api/v1/letters').send(plainLetter(dep))).body.id;
    const secretary = await signIn(ctx().app, dep.secretary.email, dep.secretary.password);
    await secretary.refresh(`/letters/${id}`);
    const early = await secretary.agent.post(`/letters/${id}/issue`).type('form').send({ confirm: 'on', _csrf: secretary.csrf });
    expect(early.status).toBe(409);
    expect(early.text).toContain('Chỉ cấp số cho công văn đã được duyệt.');
    expect(early.text).toContain('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM'); // the letter page, with its preview
    const missing = await secretary.agent.post('/letters/999999/issue').type('form').send({ confirm: 'on', _csrf: secretary.csrf });
    expect(missing.status).toBe(404);
    expect(missing.text).toContain('Không tìm thấy công văn.');
    const ready = await approvedLetter(ctx(), dep);
    await secretary.refresh(`/letters/${ready}`);
    expect((await secretary.agent.post(`/letters/${ready}/issue`).type('form').send({ confirm: 'on', _csrf: secretary.csrf })).status).toBe(303);
  });

  it('the attachment form: no file is a 400 and a file that is not PDF, DOCX or an image a 415, each beside the file input', async () => {
    const id = (await ctx().as(dep.drafter).post('/api/v1/letters').send(plainLetter(dep))).body.id;
    await drafter.refresh(`/letters/${id}`);
    const none = await drafter.agent.post(`/letters/${id}/attachments`).field('_csrf', drafter.csrf);
    expect(none.status).toBe(400);
    expect(fieldErrors(none.text)).toEqual({ 'a-file': 'bắt buộc' });
    expectVietnamese(none.text);
    const text = await drafter.agent.post(`/letters/${id}/attachments`).field('_csrf', drafter.csrf).attach('file', Buffer.from('chỉ là văn bản'), 'huong-dan.pdf');
    expect(text.status).toBe(415);
    expect(fieldErrors(text.text)).toEqual({ 'a-file': 'tệp PDF, DOCX, PNG hoặc JPEG' });
    const misnamed = await drafter.agent.post(`/letters/${id}/attachments`).field('_csrf', drafter.csrf).attach('file', PNG, 'huong-dan.pdf');
    expect(misnamed.status).toBe(415);
    expect(fieldErrors(misnamed.text)).toEqual({ 'a-file': 'nội dung tệp không đúng với đuôi tên tệp' });
    expect(await ctx().db('letter_attachments').where({ letter_id: id })).toEqual([]);
  });

  it('the letter page gives an attachment’s size in KB, not in bytes', async () => {
    const id = (await ctx().as(dep.drafter).post('/api/v1/letters').send(plainLetter(dep))).body.id;
    const file = Buffer.concat([PNG, Buffer.alloc(12_800 - PNG.length)]); // 12,800 bytes = 12,5 KB
    expect((await ctx().as(dep.drafter).post(`/api/v1/letters/${id}/attachments`).attach('file', file, 'so-do.png')).status).toBe(201);
    const page = await drafter.agent.get(`/letters/${id}`);
    expect(page.text).toContain('so-do.png <span class="muted small">(image/png, 12,5 KB)</span>');
  });

  it('the new-template form submitted empty is a 400 beside name and body; a taken name is a 409 beside the name', async () => {
    const before = await count('letter_templates');
    await admin.refresh('/letter-templates');
    const res = await admin.agent.post('/letter-templates').type('form').send({ _csrf: admin.csrf });
    expect(res.status).toBe(400);
    expect(fieldErrors(res.text)).toEqual({ 't-name': 'bắt buộc', 't-body': 'bắt buộc' });
    expectVietnamese(res.text);
    const taken = await admin.agent.post('/letter-templates').type('form').send({ _csrf: admin.csrf, name: 'Đề nghị tuyên truyền, cài đặt ứng dụng', body: 'Nội dung.' });
    expect(taken.status).toBe(409);
    expect(fieldErrors(taken.text)).toEqual({ 't-name': 'tên này đã được dùng' });
    expect(taken.text).toContain('Tên mẫu đã được dùng.');
    expect(await count('letter_templates')).toBe(before);
    // A drafter may not create templates, however empty the form.
    await drafter.refresh('/letters');
    expect((await drafter.agent.post('/letter-templates').type('form').send({ _csrf: drafter.csrf })).status).toBe(403);
  });

  it('the template editor submitted empty is a 400 beside name and body, and bad JSON is marked beside the variables', async () => {
    const before = await ctx().db('letter_templates').where({ id: dep.templateId }).first();
    await admin.refresh(`/letter-templates/${dep.templateId}`);
    const res = await admin.agent.post(`/letter-templates/${dep.templateId}`).type('form').send({ _csrf: admin.csrf });
    expect(res.status).toBe(400);
    expect(fieldErrors(res.text)).toEqual({ 'e-name': 'bắt buộc', 'e-body': 'bắt buộc' });
    expectVietnamese(res.text);
    const json = await admin.agent.post(`/letter-templates/${dep.templateId}`).type('form').send({ _csrf: admin.csrf, name: 'x', body: 'Xin chào.', variables: '[{' });
    expect(json.status).toBe(400);
    expect(fieldErrors(json.text)).toEqual({ 'e-vars': 'không đúng cú pháp JSON' });
    const badVariable = await admin.agent.post(`/letter-templates/${dep.templateId}`).type('form').send({ _csrf: admin.csrf, name: 'x', body: 'Xin chào {{a b}}.', variables: '[{"name":"a b","label":"A"}]' });
    expect(badVariable.status).toBe(400);
    expect(fieldErrors(badVariable.text)).toEqual({ 'e-vars': 'chỉ gồm chữ cái, chữ số và dấu _' });
    expect(await ctx().db('letter_templates').where({ id: dep.templateId }).first()).toEqual(before);
  });
});

/** The API body of a letter as the draft form posts it. */
function formOf(body: Record<string, unknown>): Record<string, string | string[]> {
  const signer = body.signer as Record<string, string>;
  return {
    subject: String(body.subject),
    body: String(body.body),
    place: String(body.place),
    orgIds: (body.recipients as { orgId: number }[]).map((r) => String(r.orgId)),
    signerAuthority: signer.authority,
    signerAuthorityTitle: signer.authorityTitle,
    signerTitle: signer.title,
    signerName: signer.name,
    unitCode: String(body.unitCode),
  };
}
