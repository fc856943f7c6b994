import request from 'supertest';
import { describeEachDb, type TestContext, type TestUser } from '../helpers/context';
import { setUpDepartment, type Department } from './helpers';

/** A browser: signs in through the login form and keeps the session cookie. */
async function browser(ctx: TestContext, user: TestUser) {
  const agent = request.agent(ctx.app);
  const login = await agent.get('/login');
  const csrf0 = /name="_csrf" value="([^"]+)"/.exec(login.text)![1];
  const res = await agent.post('/login').type('form').send({ _csrf: csrf0, email: user.email, password: user.password, next: '/' });
  if (res.status !== 303) throw new Error(`login ${res.status}`);
  const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1];
  return { agent, csrfOf };
}

describeEachDb('letter pages', (ctx) => {
  let dep: Department;
  beforeAll(async () => {
    dep = await setUpDepartment(ctx(), 'STTTT');
  });

  it('a drafter picks a template, is asked for its variables, saves; approver and secretary finish it from the detail page', async () => {
    const { agent, csrfOf } = await browser(ctx(), dep.drafter);
    const form = await agent.get(`/letters/new?templateId=${dep.templateId}`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('Tên ứng dụng');
    expect(form.text).toContain('name="var_appName"');
    const bad = await agent.post('/letters').type('form').send({ _csrf: csrfOf(form.text), templateId: dep.templateId, place: 'Hà Tĩnh', signerTitle: 'GIÁM ĐỐC', signerName: 'A', var_appName: 'Sổ sức khỏe điện tử' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Thiếu thông tin hoặc thông tin sai kiểu');
    const saved = await agent
      .post('/letters')
      .type('form')
      .send({
        _csrf: csrfOf(form.text),
        templateId: dep.templateId,
        var_basis: 'Công văn số 5316/BYT-CNTT của Bộ Y tế',
        var_appName: 'Sổ sức khỏe điện tử',
        var_platformName: 'Nền tảng quản lý tiêm chủng COVID-19',
        var_reportTo: 'Sở Thông tin và Truyền thông',
        var_reportDeadline: 'thứ Sáu hằng tuần',
        orgIds: [String(dep.recipients.syt), String(dep.recipients.camXuyen)],
        freeRecipients: 'Các doanh nghiệp viễn thông <vt@example.vn>',
        place: 'Hà Tĩnh',
        unitCode: 'TTBCXB',
        signerAuthority: 'KT.',
        signerAuthorityTitle: 'GIÁM ĐỐC',
        signerTitle: 'PHÓ GIÁM ĐỐC',
        signerName: 'Đậu Tùng Lâm',
      });
    expect(saved.status).toBe(303);
    const url = saved.headers.location;
    const detail = await agent.get(url);
    expect(detail.text).toMatch(/Số: \u00a0{6}\/STTTT-TTBCXB/); // the draft leaves the number blank
    expect(detail.text).toContain('Kính gửi:');
    expect(detail.text).toContain('Trình duyệt');
    expect((await agent.post(`${url}/submit`).type('form').send({ _csrf: csrfOf(detail.text) })).status).toBe(303);

    const approver = await browser(ctx(), dep.approver);
    const seen = await approver.agent.get(url);
    expect(seen.text).toContain('Duyệt');
    expect(seen.text).not.toContain('Cấp số, ban hành');
    expect((await approver.agent.post(`${url}/approve`).type('form').send({ confirm: 'on', _csrf: approver.csrfOf(seen.text) })).status).toBe(303);

    const secretary = await browser(ctx(), dep.secretary);
    const ready = await secretary.agent.get(url);
    expect(ready.text).toContain('Cấp số, ban hành');
    const issued = await secretary.agent.post(`${url}/issue`).type('form').send({ confirm: 'on', _csrf: secretary.csrfOf(ready.text) });
    expect(issued.status).toBe(303);
    const after = await secretary.agent.get(issued.headers.location);
    expect(after.text).toContain('Đã cấp số và ban hành.');
    expect(after.text).toMatch(/Số: 0\d\/STTTT-TTBCXB/);
    const again = await secretary.agent.post(`${url}/issue`).type('form').send({ confirm: 'on', _csrf: secretary.csrfOf(after.text) });
    expect(again.status).toBe(409);

    const list = await secretary.agent.get('/letters?status=issued');
    expect(list.text).toMatch(/0\d\/STTTT-TTBCXB/);
    const register = await secretary.agent.get('/register');
    expect(register.status).toBe(200);
    expect(register.text).toContain('format=xlsx');
    expect(register.text).toMatch(/0\d\/STTTT-TTBCXB/);
    // The register's number column shows the number itself ("number" is also a view helper: it printed NaN).
    expect(register.text).not.toContain('NaN');
    expect(register.text).toMatch(/<td class="num">\d+<\/td>/);
  });

  it('an admin edits a template with a live preview; a broken one shows its line and column', async () => {
    const { agent, csrfOf } = await browser(ctx(), ctx().admin);
    const index = await agent.get('/letter-templates');
    expect(index.status).toBe(200);
    const editor = await agent.get(`/letter-templates/${dep.templateId}`);
    expect(editor.text).toContain('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
    const preview = await agent.post(`/letter-templates/${dep.templateId}`).type('form').send({ _csrf: csrfOf(editor.text), preview: '1', name: 'x', subject: 'thử {{a}}', body: 'Xin chào {{a}}.', variables: '[]' });
    expect(preview.status).toBe(200);
    expect(preview.text).toContain('Xin chào [a]./.');
    const broken = await agent.post(`/letter-templates/${dep.templateId}`).type('form').send({ _csrf: csrfOf(editor.text), name: 'x', subject: 's', body: 'Một\n{{#if a}}', variables: '[]' });
    expect(broken.status).toBe(400);
    expect(broken.text).toMatch(/<span class="field-error" id="e-body-error">dòng 2, cột \d+: /);
    const drafter = await browser(ctx(), dep.drafter);
    expect((await drafter.agent.get('/letter-templates')).status).toBe(403);
  });
});
