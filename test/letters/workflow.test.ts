import { describeEachDb, type TestUser } from '../helpers/context';
import { authenticate } from '../../src/auth/service';
import { awaitingActor } from '../../src/letters/service';
import { approvedLetter, PDF, plainLetter, PNG, setUpDepartment, type Department } from './helpers';

describeEachDb('drafting and the approval workflow', (ctx) => {
  let dep: Department;
  let otherDep: Department;
  let reporter: TestUser;

  beforeAll(async () => {
    dep = await setUpDepartment(ctx(), 'STTTT');
    otherDep = await setUpDepartment(ctx(), 'SGTVT');
    reporter = await ctx().createUser(['reporter'], dep.orgId); // signed in on the real clock
  });

  const count = async (table: string) => Number((await ctx().db(table).count({ n: '*' }))[0].n);

  it('a template variable that is missing or of the wrong type is a 400 naming it, and nothing is stored', async () => {
    const before = await count('letters');
    const missing = await ctx()
      .as(dep.drafter)
      .post('/api/v1/letters')
      .send({ ...plainLetter(dep), subject: undefined, body: undefined, templateId: dep.templateId, variables: { appName: 'Sổ sức khỏe điện tử' } });
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe('TEMPLATE_VARIABLES');
    expect(missing.body.error.fields).toHaveProperty(['variables.basis']);
    expect(missing.body.error.fields).toHaveProperty(['variables.reportTo']);
    const tpl = (await ctx().as(dep.drafter).get('/api/v1/letter-templates')).body.items.find((t: { name: string }) => t.name === 'Báo cáo kết quả thực hiện');
    const wrongType = await ctx()
      .as(dep.drafter)
      .post('/api/v1/letters')
      .send({
        ...plainLetter(dep),
        subject: undefined,
        body: undefined,
        templateId: tpl.id,
        variables: { basis: 'Công văn số 1399/STTTT-TTBCXB', campaignName: 'cài đặt ứng dụng', period: 'tuần 41', headcount: 'nhiều', installed: 12, percent: 10 },
      });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error.fields).toEqual({ 'variables.headcount': expect.stringContaining('number') });
    expect(await count('letters')).toBe(before);
  });

  it('an unknown recipient organisation or group is a 400 and nothing is stored', async () => {
    const before = await count('letters');
    const recipientsBefore = await count('letter_recipients');
    const badOrg = await ctx().as(dep.drafter).post('/api/v1/letters').send(plainLetter(dep, { recipients: [{ orgId: dep.recipients.syt }, { orgId: 987654 }] }));
    expect(badOrg.status).toBe(400);
    expect(badOrg.body.error).toMatchObject({ code: 'RECIPIENT_NOT_FOUND', fields: { 'recipients.1.orgId': expect.any(String) } });
    const badGroup = await ctx().as(dep.drafter).post('/api/v1/letters').send(plainLetter(dep, { recipientGroupIds: [987654] }));
    expect(badGroup.status).toBe(400);
    const badShape = await ctx().as(dep.drafter).post('/api/v1/letters').send(plainLetter(dep, { recipients: [{ email: 'x@y.vn' }], urgency: 'SOON' }));
    expect(badShape.status).toBe(400);
    expect(badShape.body.error.fields).toHaveProperty('urgency');
    expect(await count('letters')).toBe(before);
    expect(await count('letter_recipients')).toBe(recipientsBefore);
  });

  it('attachments: the content decides, not the name; oversize is 413; nothing is stored on refusal', async () => {
    const id = (await ctx().as(dep.drafter).post('/api/v1/letters').send(plainLetter(dep))).body.id;
    const before = await count('letter_attachments');
    const text = await ctx().as(dep.drafter).post(`/api/v1/letters/${id}/attachments`).attach('file', Buffer.from('just some text, not a pdf'), 'guide.pdf');
    expect(text.status).toBe(415);
    const misnamed = await ctx().as(dep.drafter).post(`/api/v1/letters/${id}/attachments`).attach('file', PNG, 'guide.pdf');
    expect(misnamed.status).toBe(415);
    expect(misnamed.body.error.code).toBe('ATTACHMENT_MISMATCH');
    const png = await ctx().as(dep.drafter).post(`/api/v1/letters/${id}/attachments`).attach('file', PNG, 'buoc-1.png');
    expect(png.status).toBe(201);
    expect(png.body).toMatchObject({ name: 'buoc-1.png', size: PNG.length });
    expect(await count('letter_attachments')).toBe(before + 1);
  });

  it('an edit to a submitted letter is 409 until it is sent back; reject needs a reason and returns it to draft', async () => {
    const id = (await ctx().as(dep.drafter).post('/api/v1/letters').send(plainLetter(dep))).body.id;
    expect((await ctx().as(dep.drafter).patch(`/api/v1/letters/${id}`).send({ subject: 'trích yếu mới' })).body.subject).toBe('trích yếu mới');
    expect((await ctx().as(dep.drafter).post(`/api/v1/letters/${id}/submit`)).body.status).toBe('submitted');
    const edit = await ctx().as(dep.drafter).patch(`/api/v1/letters/${id}`).send({ subject: 'sửa khi đã trình' });
    expect(edit.status).toBe(409);
    expect(edit.body.error.code).toBe('LETTER_NOT_DRAFT');
    expect((await ctx().as(dep.approver).post(`/api/v1/letters/${id}/reject`).send({})).status).toBe(400);
    const rejected = await ctx().as(dep.approver).post(`/api/v1/letters/${id}/reject`).send({ reason: 'Bổ sung số liệu tuần 41' });
    expect(rejected.body).toMatchObject({ status: 'draft', rejectReason: 'Bổ sung số liệu tuần 41' });
    expect((await ctx().as(dep.drafter).patch(`/api/v1/letters/${id}`).send({ subject: 'đã bổ sung' })).status).toBe(200);
    const row = await ctx().db('letters').where({ id }).first();
    expect(row.subject).toBe('đã bổ sung');
  });

  it('steps out of order are 409; issuing twice is 409; no number is consumed by a failed issue', async () => {
    ctx().setNow('2024-05-02T03:00:00Z');
    const id = (await ctx().as(dep.drafter).post('/api/v1/letters').send(plainLetter(dep))).body.id;
    const early = await ctx().as(dep.secretary).post(`/api/v1/letters/${id}/issue`);
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('LETTER_NOT_APPROVED');
    expect((await ctx().as(dep.approver).post(`/api/v1/letters/${id}/approve`)).status).toBe(409);
    expect(await ctx().db('outgoing_register').where({ issuing_org_id: dep.orgId, year: 2024 })).toEqual([]);
    const ready = await approvedLetter(ctx(), dep);
    const first = await ctx().as(dep.secretary).post(`/api/v1/letters/${ready}/issue`);
    expect(first.body.number).toBe(1);
    const again = await ctx().as(dep.secretary).post(`/api/v1/letters/${ready}/issue`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('LETTER_ALREADY_ISSUED');
    expect((await ctx().as(dep.drafter).post(`/api/v1/letters/${ready}/submit`)).status).toBe(409);
    expect((await ctx().as(dep.drafter).patch(`/api/v1/letters/${ready}`).send({ subject: 'x' })).status).toBe(409);
    expect((await ctx().as(dep.drafter).post(`/api/v1/letters/${ready}/attachments`).attach('file', PDF, 'a.pdf')).status).toBe(409);
    const next = await approvedLetter(ctx(), dep);
    expect((await ctx().as(dep.secretary).post(`/api/v1/letters/${next}/issue`)).body.number).toBe(2);
    const letter = await ctx().as(dep.drafter).get(`/api/v1/letters/${ready}`);
    expect(letter.body).toMatchObject({ status: 'issued', number: 1, symbol: '01/STTTT-TTBCXB' });
  });

  it('only an approver of the issuing organisation approves; only its secretary issues', async () => {
    const id = (await ctx().as(dep.drafter).post('/api/v1/letters').send(plainLetter(dep))).body.id;
    await ctx().as(dep.drafter).post(`/api/v1/letters/${id}/submit`);
    expect((await ctx().as(otherDep.approver).post(`/api/v1/letters/${id}/approve`)).status).toBe(403);
    expect((await ctx().as(dep.drafter).post(`/api/v1/letters/${id}/approve`)).status).toBe(403);
    expect((await ctx().as(dep.secretary).post(`/api/v1/letters/${id}/approve`)).status).toBe(403);
    expect((await ctx().as(dep.approver).post(`/api/v1/letters/${id}/approve`)).status).toBe(200);
    expect((await ctx().as(otherDep.secretary).post(`/api/v1/letters/${id}/issue`)).status).toBe(403);
    expect((await ctx().as(dep.approver).post(`/api/v1/letters/${id}/issue`)).status).toBe(403);
    expect((await ctx().db('letters').where({ id }).first()).status).toBe('approved');
    expect((await ctx().as(otherDep.drafter).post('/api/v1/letters').send(plainLetter(dep))).status).toBe(403);
  });

  it('a reporter cannot read a letter, its DOCX or the register', async () => {
    const id = (await ctx().as(dep.drafter).post('/api/v1/letters').send(plainLetter(dep))).body.id;
    expect((await ctx().as(reporter).get(`/api/v1/letters/${id}`)).status).toBe(403);
    expect((await ctx().as(reporter).get(`/api/v1/letters/${id}/docx`)).status).toBe(403);
    expect((await ctx().as(reporter).get(`/api/v1/letters/${id}/preview`)).status).toBe(403);
    expect((await ctx().as(reporter).get(`/api/v1/register?orgId=${dep.orgId}`)).status).toBe(403);
    expect((await ctx().as(otherDep.drafter).get(`/api/v1/letters/${id}`)).status).toBe(403);
    expect((await ctx().as(dep.drafter).get('/api/v1/letters/999999')).status).toBe(404);
  });

  it('an approver sees what waits for approval, a secretary what waits for a number', async () => {
    const waiting = (await ctx().as(dep.drafter).post('/api/v1/letters').send(plainLetter(dep, { subject: 'chờ duyệt' }))).body.id;
    await ctx().as(dep.drafter).post(`/api/v1/letters/${waiting}/submit`);
    const ready = await approvedLetter(ctx(), dep, { subject: 'chờ cấp số' });
    const ctxOf = async (u: TestUser) => ({ ...ctx().deps, actor: (await authenticate(ctx().deps, u.token, 'api'))!.actor });
    const forApprover = await awaitingActor(await ctxOf(dep.approver));
    expect(forApprover.toApprove.map((l) => l.id)).toContain(waiting);
    expect(forApprover.toIssue).toEqual([]);
    const forSecretary = await awaitingActor(await ctxOf(dep.secretary));
    expect(forSecretary.toIssue.map((l) => l.id)).toContain(ready);
    expect(forSecretary.toApprove).toEqual([]);
  });

  it('lists letters by status and year', async () => {
    const res = await ctx().as(dep.drafter).get('/api/v1/letters?status=issued&year=2024');
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeGreaterThanOrEqual(2);
    expect(res.body.items.every((l: { status: string; year: number }) => l.status === 'issued' && l.year === 2024)).toBe(true);
  });
});

describeEachDb('an oversize attachment', (ctx) => {
  it('is refused with 413 above UPLOAD_MAX_MB and leaves nothing behind', async () => {
    const dep = await setUpDepartment(ctx());
    const id = (await ctx().as(dep.drafter).post('/api/v1/letters').send(plainLetter(dep))).body.id;
    const big = Buffer.concat([PDF, Buffer.alloc(1024 * 1024 + 10, 0x20)]);
    const res = await ctx().as(dep.drafter).post(`/api/v1/letters/${id}/attachments`).attach('file', big, 'big.pdf');
    expect(res.status).toBe(413);
    expect(await ctx().db('letter_attachments').where({ letter_id: id })).toEqual([]);
    const fs = await import('node:fs');
    const path = await import('node:path');
    expect(fs.readdirSync(path.join(ctx().mediaDir, 'tmp'))).toEqual([]);
  });
}, { UPLOAD_MAX_MB: '1' });
