import { describeEachDb, type TestUser } from '../helpers/context';
import { signIn } from '../helpers/browser-session';
import { plainLetter, setUpDepartment, type Department } from './helpers';

/** Separation of duties: whoever drafted a letter does not approve it (unless ALLOW_SELF_APPROVAL=true). */
describeEachDb('the approver of a letter is not its drafter', (ctx) => {
  let dep: Department;
  let everything: TestUser;

  beforeAll(async () => {
    dep = await setUpDepartment(ctx(), 'STTTT');
    everything = await ctx().createUser(['drafter', 'approver', 'secretary'], dep.orgId, 'Một người ba vai');
  });

  const submitted = async (author: TestUser) => {
    const created = await ctx().as(author).post('/api/v1/letters').send(plainLetter(dep));
    expect(created.status).toBe(201);
    expect((await ctx().as(author).post(`/api/v1/letters/${created.body.id}/submit`)).status).toBe(200);
    return created.body.id as number;
  };

  it('a user holding drafter, approver and secretary cannot approve, and so cannot issue, their own letter', async () => {
    const id = await submitted(everything);
    const approve = await ctx().as(everything).post(`/api/v1/letters/${id}/approve`);
    expect(approve.status).toBe(403);
    expect(approve.body.error.code).toBe('SELF_APPROVAL_FORBIDDEN');
    expect(approve.body.error.message).toContain('Người soạn');
    const en = await ctx().as(everything).post(`/api/v1/letters/${id}/approve?lang=en`);
    expect(en.body.error.message).toMatch(/drafted/i);
    expect((await ctx().as(everything).post(`/api/v1/letters/${id}/issue`)).status).toBe(409);
    const row = await ctx().db('letters').where({ id }).first();
    expect(row.status).toBe('submitted');
    expect(row.number).toBeNull();
    expect(await ctx().db('outgoing_register').where({ letter_id: id })).toEqual([]);
    // Another approver of the organisation approves it; then the three-role user may issue it.
    expect((await ctx().as(dep.approver).post(`/api/v1/letters/${id}/approve`)).status).toBe(200);
    expect((await ctx().as(everything).post(`/api/v1/letters/${id}/issue`)).status).toBe(200);
  });

  it('the same user approves a letter someone else drafted', async () => {
    const id = await submitted(dep.drafter);
    expect((await ctx().as(everything).post(`/api/v1/letters/${id}/approve`)).status).toBe(200);
  });

  it('the letter page offers no approve button to its drafter, and the form post is refused', async () => {
    const id = await submitted(everything);
    const s = await signIn(ctx().app, everything.email, everything.password);
    const page = await s.agent.get(`/letters/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain(`action="/letters/${id}/approve"`);
    await s.refresh(`/letters/${id}`);
    expect((await s.agent.post(`/letters/${id}/approve`).type('form').send({ confirm: 'on', _csrf: s.csrf })).status).toBe(403);
    expect((await ctx().db('letters').where({ id }).first()).status).toBe('submitted');
    const approver = await signIn(ctx().app, dep.approver.email, dep.approver.password);
    expect((await approver.agent.get(`/letters/${id}`)).text).toContain(`action="/letters/${id}/approve"`);
  });
});

describeEachDb(
  'one-person offices (ALLOW_SELF_APPROVAL=true)',
  (ctx) => {
    it('the drafter may approve their own letter', async () => {
      const dep = await setUpDepartment(ctx(), 'STTTT');
      const alone = await ctx().createUser(['drafter', 'approver', 'secretary'], dep.orgId, 'Văn phòng một người');
      const id = (await ctx().as(alone).post('/api/v1/letters').send(plainLetter(dep))).body.id;
      await ctx().as(alone).post(`/api/v1/letters/${id}/submit`);
      const s = await signIn(ctx().app, alone.email, alone.password);
      expect((await s.agent.get(`/letters/${id}`)).text).toContain(`action="/letters/${id}/approve"`);
      expect((await ctx().as(alone).post(`/api/v1/letters/${id}/approve`)).status).toBe(200);
      expect((await ctx().as(alone).post(`/api/v1/letters/${id}/issue`)).status).toBe(200);
    });
  },
  { ALLOW_SELF_APPROVAL: 'true' },
);
