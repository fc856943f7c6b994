import { describeEachDb } from '../helpers/context';
import { validateLetterDocx } from '../../src/letters/validate';
import { shippedTemplates, sampleValues } from '../../src/letters/templates';
import { binary, plainLetter, setUpDepartment, type Department } from './helpers';

describeEachDb('letter templates', (ctx) => {
  let dep: Department;
  beforeAll(async () => {
    dep = await setUpDepartment(ctx());
  });

  it('ships the installation directive, a báo cáo and a plain công văn', async () => {
    const res = await ctx().as(dep.drafter).get('/api/v1/letter-templates');
    const names = res.body.items.map((t: { name: string }) => t.name);
    expect(names).toEqual(expect.arrayContaining(['Đề nghị tuyên truyền, cài đặt ứng dụng', 'Báo cáo kết quả thực hiện', 'Công văn thông thường']));
    const bc = res.body.items.find((t: { name: string }) => t.name === 'Báo cáo kết quả thực hiện');
    expect(bc.variables).toContainEqual({ name: 'headcount', label: 'Tổng số cán bộ', type: 'number', required: true });
  });

  it('every shipped template makes a letter that passes the validator', async () => {
    const items = (await ctx().as(dep.drafter).get('/api/v1/letter-templates')).body.items;
    for (const shipped of shippedTemplates()) {
      const tpl = items.find((t: { name: string }) => t.name === shipped.name);
      const created = await ctx()
        .as(dep.drafter)
        .post('/api/v1/letters')
        .send({ ...plainLetter(dep), subject: undefined, body: undefined, templateId: tpl.id, variables: sampleValues(shipped.variables) });
      expect(created.status).toBe(201);
      const docx = await ctx().as(dep.drafter).get(`/api/v1/letters/${created.body.id}/docx`).buffer(true).parse(binary);
      const result = await validateLetterDocx(docx.body);
      expect({ template: shipped.name, errors: result.findings.filter((f) => f.severity === 'error') }).toEqual({ template: shipped.name, errors: [] });
    }
  });

  it('a template that does not compile is refused with its line and column', async () => {
    const res = await ctx()
      .as(ctx().admin)
      .post('/api/v1/letter-templates')
      .send({ name: 'Hỏng', subject: 'thử', body: 'Dòng một.\n\nDòng hai {{#if dieuKien}} chưa đóng.\n' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('TEMPLATE_SYNTAX');
    expect(res.body.error.fields.body).toMatch(/^line 4, column \d+/);
    const unclosed = await ctx().as(ctx().admin).post('/api/v1/letter-templates').send({ name: 'Hỏng 2', subject: 'thử', body: 'Kính gửi {{ten}\n' });
    expect(unclosed.status).toBe(400);
    expect(unclosed.body.error.fields.body).toMatch(/^line 1, column 1[0-9]/);
    expect(await ctx().db('letter_templates').where({ name: 'Hỏng' })).toEqual([]);
  });

  it('an admin creates and edits a template; its variables are declared or found in the body; drafters cannot', async () => {
    const created = await ctx().as(ctx().admin).post('/api/v1/letter-templates').send({ name: 'Thông báo lịch phát', subject: 'lịch phát thanh {{tuan}}', body: 'Lịch phát thanh tuần {{tuan}} gửi {{noiNhan}}.' });
    expect(created.status).toBe(201);
    expect(created.body.variables.map((v: { name: string }) => v.name).sort()).toEqual(['noiNhan', 'tuan']);
    const patched = await ctx().as(ctx().admin).patch(`/api/v1/letter-templates/${created.body.id}`).send({ variables: [{ name: 'tuan', label: 'Tuần', type: 'text', required: true }, { name: 'noiNhan', label: 'Nơi nhận', type: 'text', required: false }] });
    expect(patched.status).toBe(200);
    expect(patched.body.variables[1]).toMatchObject({ name: 'noiNhan', required: false });
    expect((await ctx().as(dep.drafter).post('/api/v1/letter-templates').send({ name: 'X', subject: 'x', body: 'x' })).status).toBe(403);
    const dup = await ctx().as(ctx().admin).post('/api/v1/letter-templates').send({ name: 'Thông báo lịch phát', subject: 'x', body: 'x' });
    expect(dup.status).toBe(409);
    expect((await ctx().as(ctx().admin).delete(`/api/v1/letter-templates/${created.body.id}`)).status).toBe(204);
    expect((await ctx().as(ctx().admin).get(`/api/v1/letter-templates/${created.body.id}`)).status).toBe(404);
  });

  it('a template letters were drafted from cannot be deleted', async () => {
    await ctx().as(dep.drafter).post('/api/v1/letters').send({ ...plainLetter(dep), subject: undefined, body: undefined, templateId: dep.templateId, variables: sampleValues(shippedTemplates()[0].variables) });
    const res = await ctx().as(ctx().admin).delete(`/api/v1/letter-templates/${dep.templateId}`);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('TEMPLATE_IN_USE');
  });
});
