/** A letter's history, deleting drafts and their attachments, and the confirmation tick (issue 12 item 9). */
import fs from 'node:fs';
import path from 'node:path';
import { describeEachDb } from '../helpers/context';
import { signIn } from '../helpers/browser-session';
import { PDF, PNG, plainLetter, setUpDepartment, type Department } from './helpers';

describeEachDb('letter history, deleting drafts, confirmations', (ctx) => {
  let dep: Department;
  let other: Department;

  beforeAll(async () => {
    dep = await setUpDepartment(ctx(), 'STTTT');
    other = await setUpDepartment(ctx(), 'SNV');
  });

  const draft = async (d = dep) => (await ctx().as(d.drafter).post('/api/v1/letters').send(plainLetter(d))).body.id as number;

  it('records who drafted, submitted, sent back (with the reason), approved, issued and dispatched it, and when', async () => {
    ctx().setNow('2026-03-02T01:00:00Z');
    const id = await draft();
    await ctx().as(dep.drafter).post(`/api/v1/letters/${id}/submit`);
    ctx().setNow('2026-03-02T02:00:00Z');
    await ctx().as(dep.approver).post(`/api/v1/letters/${id}/reject`).send({ reason: 'Bổ sung số liệu tháng 2' });
    await ctx().as(dep.drafter).post(`/api/v1/letters/${id}/submit`);
    await ctx().as(dep.approver).post(`/api/v1/letters/${id}/approve`);
    ctx().setNow('2026-03-02T03:00:00Z');
    const issued = await ctx().as(dep.secretary).post(`/api/v1/letters/${id}/issue`);
    expect(issued.status).toBe(200);
    expect((await ctx().as(dep.secretary).post(`/api/v1/letters/${id}/dispatch`)).status).toBe(202);

    const res = await ctx().as(dep.drafter).get(`/api/v1/letters/${id}/history`);
    expect(res.status).toBe(200);
    const drafter = { id: dep.drafter.id, name: 'Chuyên viên' };
    const approver = { id: dep.approver.id, name: 'Lãnh đạo Sở' };
    const secretary = { id: dep.secretary.id, name: 'Văn thư' };
    expect(res.body.items).toEqual([
      { at: '2026-03-02T01:00:00.000Z', action: 'drafted', by: drafter },
      { at: '2026-03-02T01:00:00.000Z', action: 'submitted', by: drafter },
      { at: '2026-03-02T02:00:00.000Z', action: 'rejected', by: approver, note: 'Bổ sung số liệu tháng 2' },
      { at: '2026-03-02T02:00:00.000Z', action: 'submitted', by: drafter },
      { at: '2026-03-02T02:00:00.000Z', action: 'approved', by: approver },
      { at: '2026-03-02T03:00:00.000Z', action: 'issued', by: secretary, note: issued.body.symbol },
      { at: '2026-03-02T03:00:00.000Z', action: 'dispatched', by: secretary },
    ]);
    expect((await ctx().as(other.secretary).get(`/api/v1/letters/${id}/history`)).status).toBe(403);
    expect((await ctx().as(dep.drafter).get('/api/v1/letters/999999/history')).status).toBe(404);

    // The letter's page shows it; /history lists the organisation's recent events and nobody else's.
    const page = await signIn(ctx().app, dep.drafter.email, dep.drafter.password);
    const shown = await page.agent.get(`/letters/${id}`);
    expect(shown.text).toContain('Lịch sử công văn');
    expect(shown.text).toContain('Bổ sung số liệu tháng 2');
    expect(shown.text).toContain('Trả lại');
    const recent = await page.agent.get('/history');
    expect(recent.status).toBe(200);
    expect(recent.text).toContain(`/letters/${id}`);
    expect(recent.text).toContain('Gửi đi');
    const theirs = await draft(other);
    expect(recent.text).not.toContain(`/letters/${theirs}"`);
    const otherPage = await signIn(ctx().app, other.drafter.email, other.drafter.password);
    const otherRecent = await otherPage.agent.get('/history');
    expect(otherRecent.text).toContain(`/letters/${theirs}"`);
    expect(otherRecent.text).not.toContain(`/letters/${id}"`);
  });

  it('DELETE /letters/:id removes a draft with its attachments and their files; anything but a draft is 409', async () => {
    const id = await draft();
    const att = await ctx().as(dep.drafter).post(`/api/v1/letters/${id}/attachments`).attach('file', PNG, 'buoc-1.png');
    expect(att.status).toBe(201);
    const row = await ctx().db('letter_attachments').where({ id: att.body.id }).first();
    const file = path.join(ctx().mediaDir, row.rel_path);
    expect(fs.existsSync(file)).toBe(true);
    // The same file on another draft keeps it on disk until that one goes too.
    const twin = await draft();
    await ctx().as(dep.drafter).post(`/api/v1/letters/${twin}/attachments`).attach('file', PNG, 'buoc-1.png');

    expect((await ctx().as(dep.approver).delete(`/api/v1/letters/${id}`)).status).toBe(403);
    expect((await ctx().as(other.drafter).delete(`/api/v1/letters/${id}`)).status).toBe(403);
    expect((await ctx().as(dep.drafter).delete(`/api/v1/letters/${id}`)).status).toBe(204);
    expect(await ctx().db('letters').where({ id }).first()).toBeUndefined();
    expect(await ctx().db('letter_attachments').where({ letter_id: id })).toEqual([]);
    expect(await ctx().db('letter_events').where({ letter_id: id })).toEqual([]);
    expect(fs.existsSync(file)).toBe(true);
    expect((await ctx().as(dep.secretary).delete(`/api/v1/letters/${twin}`)).status).toBe(204);
    expect(fs.existsSync(file)).toBe(false);
    expect((await ctx().as(dep.drafter).get(`/api/v1/letters/${id}`)).status).toBe(404);
    expect((await ctx().as(dep.drafter).delete(`/api/v1/letters/${id}`)).status).toBe(404);

    const submitted = await draft();
    await ctx().as(dep.drafter).post(`/api/v1/letters/${submitted}/submit`);
    const refused = await ctx().as(dep.drafter).delete(`/api/v1/letters/${submitted}?lang=vi`);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'LETTER_NOT_DELETABLE', message: 'Chỉ xóa được công văn đang là dự thảo.' });
    expect(await ctx().db('letters').where({ id: submitted }).first()).toBeDefined();
    await new Promise((r) => setTimeout(r, 50)); // the audit log is written in the next turn
    const audit = await ctx().db('audit_log').where({ entity: 'letters', entity_id: String(id), action: 'DELETE letters/:id' }).first();
    expect(audit).toMatchObject({ user_id: dep.drafter.id });
  });

  it('DELETE /letters/:id/attachments/:attachmentId removes one attachment of a draft; 409 once submitted', async () => {
    const id = await draft();
    const a = (await ctx().as(dep.drafter).post(`/api/v1/letters/${id}/attachments`).attach('file', PDF, 'huong-dan.pdf')).body.id;
    const b = (await ctx().as(dep.drafter).post(`/api/v1/letters/${id}/attachments`).attach('file', PNG, 'anh.png')).body.id;
    const aFile = path.join(ctx().mediaDir, (await ctx().db('letter_attachments').where({ id: a }).first()).rel_path);
    expect((await ctx().as(other.drafter).delete(`/api/v1/letters/${id}/attachments/${a}`)).status).toBe(403);
    expect((await ctx().as(dep.drafter).delete(`/api/v1/letters/${id}/attachments/${a}`)).status).toBe(204);
    expect(fs.existsSync(aFile)).toBe(false);
    expect((await ctx().as(dep.drafter).get(`/api/v1/letters/${id}`)).body.attachments.map((x: { id: number }) => x.id)).toEqual([b]);
    expect((await ctx().as(dep.drafter).delete(`/api/v1/letters/${id}/attachments/${a}`)).status).toBe(404);
    await ctx().as(dep.drafter).post(`/api/v1/letters/${id}/submit`);
    expect((await ctx().as(dep.drafter).delete(`/api/v1/letters/${id}/attachments/${b}`)).status).toBe(409);
    expect((await ctx().as(dep.drafter).get(`/api/v1/letters/${id}`)).body.attachments).toHaveLength(1);
  });

  it('the pages: delete buttons on a draft, and approving / issuing / deleting refused without the tick', async () => {
    const id = await draft();
    const attId = (await ctx().as(dep.drafter).post(`/api/v1/letters/${id}/attachments`).attach('file', PNG, 'anh.png')).body.id;
    const drafter = await signIn(ctx().app, dep.drafter.email, dep.drafter.password);
    const shown = await drafter.agent.get(`/letters/${id}`);
    expect(shown.text).toContain('Xóa dự thảo');
    expect(shown.text).toContain(`/letters/${id}/attachments/${attId}/delete`);
    await drafter.refresh(`/letters/${id}`);
    const gone = await drafter.agent.post(`/letters/${id}/attachments/${attId}/delete`).type('form').send({ _csrf: drafter.csrf });
    expect(gone.status).toBe(303);
    expect(gone.headers.location).toBe(`/letters/${id}?done=attachmentDeleted`);
    expect((await drafter.agent.get(gone.headers.location)).text).toContain('Đã xóa tệp đính kèm.');
    const unticked = await drafter.agent.post(`/letters/${id}/delete`).type('form').send({ _csrf: drafter.csrf });
    expect(unticked.status).toBe(400);
    expect(unticked.text).toContain('Hãy đánh dấu ô xác nhận trước khi thực hiện.');
    expect(await ctx().db('letters').where({ id }).first()).toBeDefined();

    await ctx().as(dep.drafter).post(`/api/v1/letters/${id}/submit`);
    const approver = await signIn(ctx().app, dep.approver.email, dep.approver.password);
    const toApprove = await approver.agent.get(`/letters/${id}`);
    expect(toApprove.text).toContain('Tôi đã đọc dự thảo và đồng ý duyệt');
    expect(toApprove.text).not.toContain('Xóa dự thảo');
    await approver.refresh(`/letters/${id}`);
    const noTick = await approver.agent.post(`/letters/${id}/approve`).type('form').send({ _csrf: approver.csrf });
    expect(noTick.status).toBe(400);
    expect(noTick.text).toContain('đánh dấu để xác nhận');
    expect((await ctx().db('letters').where({ id }).first()).status).toBe('submitted');
    expect((await approver.agent.post(`/letters/${id}/approve`).type('form').send({ _csrf: approver.csrf, confirm: 'on' })).status).toBe(303);

    const secretary = await signIn(ctx().app, dep.secretary.email, dep.secretary.password);
    await secretary.refresh(`/letters/${id}`);
    expect((await secretary.agent.post(`/letters/${id}/issue`).type('form').send({ _csrf: secretary.csrf })).status).toBe(400);
    expect((await ctx().db('letters').where({ id }).first()).status).toBe('approved');
    expect((await secretary.agent.post(`/letters/${id}/issue`).type('form').send({ _csrf: secretary.csrf, confirm: 'on' })).status).toBe(303);
    await secretary.refresh(`/letters/${id}/deliveries`);
    const noSend = await secretary.agent.post(`/letters/${id}/dispatch`).type('form').send({ _csrf: secretary.csrf });
    expect(noSend.status).toBe(400);
    expect(noSend.text).toContain('Tôi xác nhận gửi văn bản này đến tất cả nơi nhận');
    expect(await ctx().db('deliveries').where({ letter_id: id })).toEqual([]);

    const another = await draft();
    await drafter.refresh(`/letters/${another}`);
    const deleted = await drafter.agent.post(`/letters/${another}/delete`).type('form').send({ _csrf: drafter.csrf, confirm: 'on' });
    expect(deleted.status).toBe(303);
    expect(deleted.headers.location).toBe('/letters?done=deleted');
    expect((await drafter.agent.get('/letters?done=deleted')).text).toContain('Đã xóa dự thảo.');
    expect(await ctx().db('letters').where({ id: another }).first()).toBeUndefined();
  });
});
