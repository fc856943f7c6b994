/** Text pasted in TCVN3 / VNI into a letter is stored as Unicode and the answer says where (issue 12 item 7). */
import request from 'supertest';
import { describeEachDb } from '../helpers/context';
import { signIn } from '../helpers/browser-session';
import { encodeLegacy } from '../../src/shared/legacy-text';
import { plainLetter, setUpDepartment, type Department } from './helpers';

describeEachDb('legacy-encoded input', (ctx) => {
  let dep: Department;
  beforeAll(async () => {
    dep = await setUpDepartment(ctx(), 'STTTT');
  });

  it('POST /text/convert answers the text in Unicode NFC and what it was written in', async () => {
    const convert = (text: string) => ctx().as(dep.drafter).post('/api/v1/text/convert').send({ text });
    expect((await convert('Ch\u00ad¬ng tr×nh c¶i c¸ch hµnh chÝnh')).body).toEqual({ text: 'Chương trình cải cách hành chính', from: 'TCVN3' });
    expect((await convert('Töï do - Haïnh phuùc')).body).toEqual({ text: 'Tự do - Hạnh phúc', from: 'VNI' });
    expect((await convert('Hạnh phúc'.normalize('NFD'))).body).toEqual({ text: 'Hạnh phúc', from: 'UNICODE' });
    expect((await convert('Le café où nous étions')).body).toEqual({ text: 'Le café où nous étions', from: 'UNICODE' });
    expect((await ctx().as(dep.drafter).post('/api/v1/text/convert').send({})).body.error.fields).toHaveProperty('text');
    expect((await request(ctx().app).post('/api/v1/text/convert').send({ text: 'x' })).status).toBe(401);
  });

  it('a letter given in TCVN3 and VNI is stored in Unicode, with a warning per converted field', async () => {
    const subject = 'tiếp tục tuyên truyền cài đặt, sử dụng ứng dụng';
    const body = 'Sở Thông tin và Truyền thông đề nghị các cơ quan, đơn vị tiếp tục tuyên truyền.\n\nTrân trọng.';
    const res = await ctx()
      .as(dep.drafter)
      .post('/api/v1/letters')
      .send(
        plainLetter(dep, {
          subject: encodeLegacy(subject, 'TCVN3'),
          body: encodeLegacy(body, 'TCVN3'),
          place: encodeLegacy('Hà Tĩnh', 'VNI'),
          signer: { authority: 'KT.', authorityTitle: 'GIÁM ĐỐC', title: encodeLegacy('PHÓ GIÁM ĐỐC', 'VNI'), name: encodeLegacy('Nguyễn Văn Tùng', 'VNI') },
          recipients: [{ orgId: dep.recipients.syt }, { name: encodeLegacy('Các doanh nghiệp viễn thông', 'VNI') }],
        }),
      );
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ subject, body, place: 'Hà Tĩnh', signer: { title: 'PHÓ GIÁM ĐỐC', name: 'Nguyễn Văn Tùng' } });
    expect(res.body.recipients[1].name).toBe('Các doanh nghiệp viễn thông');
    const code = 'LEGACY_ENCODING_CONVERTED';
    expect(res.body.warnings).toEqual([
      { field: 'body', code, from: 'TCVN3' },
      { field: 'place', code, from: 'VNI' },
      { field: 'recipients.1.name', code, from: 'VNI' },
      { field: 'signer.name', code, from: 'VNI' },
      { field: 'signer.title', code, from: 'VNI' },
      { field: 'subject', code, from: 'TCVN3' },
    ]);
    const stored = await ctx().db('letters').where({ id: res.body.id }).first();
    expect(stored).toMatchObject({ subject, body, place: 'Hà Tĩnh', signer_name: 'Nguyễn Văn Tùng' });
    // Unicode input: no warnings at all; a patch in VNI is converted too.
    const plain = await ctx().as(dep.drafter).post('/api/v1/letters').send(plainLetter(dep));
    expect(plain.status).toBe(201);
    expect(plain.body).not.toHaveProperty('warnings');
    const patched = await ctx().as(dep.drafter).patch(`/api/v1/letters/${plain.body.id}`).send({ subject: encodeLegacy('đẩy mạnh tuyên truyền', 'VNI') });
    expect(patched.body).toMatchObject({ subject: 'đẩy mạnh tuyên truyền', warnings: [{ field: 'subject', code, from: 'VNI' }] });
  });

  it('other features’ text fields too: a campaign named in TCVN3', async () => {
    const res = await ctx()
      .as(ctx().admin)
      .post('/api/v1/campaigns')
      .send({
        name: encodeLegacy('Cài đặt Sổ sức khỏe điện tử', 'TCVN3'),
        metricLabel: 'Số người đã cài đặt',
        startDate: '2026-02-02',
        endDate: '2026-06-28',
        deadline: { weekday: 5, time: '17:00' },
        orgIds: [dep.recipients.syt],
      });
    expect(res.status).toBe(201);
    // TCVN3 has no capital "À": the capital C survives, the rest is as typed.
    expect(res.body.name).toBe('Cài đặt Sổ sức khỏe điện tử');
    expect(res.body.warnings).toEqual([{ field: 'name', code: 'LEGACY_ENCODING_CONVERTED', from: 'TCVN3' }]);
  });

  it('the draft form says in Vietnamese where text was converted', async () => {
    const page = await signIn(ctx().app, dep.drafter.email, dep.drafter.password);
    await page.refresh('/letters/new');
    const saved = await page.agent
      .post('/letters')
      .type('form')
      .send({
        _csrf: page.csrf,
        subject: encodeLegacy('tăng cường tuyên truyền', 'TCVN3'),
        body: encodeLegacy('Đề nghị các cơ quan, đơn vị tăng cường tuyên truyền.', 'TCVN3'),
        orgIds: [String(dep.recipients.syt)],
        place: 'Hà Tĩnh',
        unitCode: 'TTBCXB',
        signerTitle: 'GIÁM ĐỐC',
        signerName: 'Đậu Tùng Lâm',
      });
    expect(saved.status).toBe(303);
    expect(saved.headers.location).toMatch(/^\/letters\/\d+\?legacy=TCVN3&in=body%2Csubject$/);
    const shown = await page.agent.get(saved.headers.location);
    expect(shown.text).toContain('Chữ nhập bằng bảng mã cũ (TCVN3) đã được chuyển sang Unicode ở: Nội dung, Trích yếu.');
    expect(shown.text).toContain('V/v tăng cường tuyên truyền');
  });
});
