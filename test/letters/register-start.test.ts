/** Register start (issue 12 item 2): an office that moves to the system mid-year continues its paper series. */
import { describeEachDb } from '../helpers/context';
import { signIn } from '../helpers/browser-session';
import { approvedLetter, setUpDepartment, type Department } from './helpers';

describeEachDb('the register continues where the paper register stopped', (ctx) => {
  let dep: Department;
  let other: Department;

  beforeAll(async () => {
    dep = await setUpDepartment(ctx(), 'STTTT');
    other = await setUpDepartment(ctx(), 'SYT');
  });

  it('after start 1399 the next issued letter is 1399/…, then 1400; the register says what comes next', async () => {
    ctx().setNow('2021-10-20T03:00:00Z');
    const set = await ctx().as(dep.secretary).put('/api/v1/register/start').send({ orgId: dep.orgId, year: 2021, nextNumber: 1399 });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ orgId: dep.orgId, year: 2021, nextNumber: 1399, lastIssued: 0 });
    expect((await ctx().as(dep.secretary).get(`/api/v1/register?orgId=${dep.orgId}&year=2021`)).body.nextNumber).toBe(1399);
    const first = await approvedLetter(ctx(), dep);
    expect((await ctx().as(dep.secretary).post(`/api/v1/letters/${first}/issue`)).body).toMatchObject({ number: 1399, symbol: '1399/STTTT-TTBCXB' });
    const second = await approvedLetter(ctx(), dep);
    expect((await ctx().as(dep.secretary).post(`/api/v1/letters/${second}/issue`)).body.number).toBe(1400);
    // Another year and another organisation are untouched.
    expect((await ctx().as(dep.secretary).get(`/api/v1/register?orgId=${dep.orgId}&year=2022`)).body.nextNumber).toBe(1);
    const theirs = await approvedLetter(ctx(), other);
    expect((await ctx().as(other.secretary).post(`/api/v1/letters/${theirs}/issue`)).body.number).toBe(1);
    const audit = await ctx().db('audit_log').where({ entity: 'register', entity_id: String(dep.orgId) }).first();
    expect(audit).toMatchObject({ action: 'PUT register/start', user_id: dep.secretary.id });
  });

  it('is refused (409, naming nextNumber, in vi and en) at or below a number already issued; nothing changes', async () => {
    for (const nextNumber of [1400, 5, 1]) {
      const res = await ctx().as(dep.secretary).put('/api/v1/register/start').set('Accept-Language', 'vi').send({ orgId: dep.orgId, year: 2021, nextNumber });
      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject({ code: 'REGISTER_START_BELOW_ISSUED', fields: { nextNumber: 'above the last number issued' } });
    }
    const vi = await ctx().as(dep.secretary).put('/api/v1/register/start?lang=vi').send({ orgId: dep.orgId, year: 2021, nextNumber: 1400 });
    expect(vi.body.error.message).toBe('Số 1400 đã được cấp trong năm 2021: sổ chỉ có thể tiếp tục từ số lớn hơn.');
    const en = await ctx().as(dep.secretary).put('/api/v1/register/start?lang=en').send({ orgId: dep.orgId, year: 2021, nextNumber: 1400 });
    expect(en.body.error.message).toBe('Number 1400 is already issued in 2021: the register can only continue above it.');
    expect((await ctx().db('register_starts').where({ issuing_org_id: dep.orgId, year: 2021 }).first()).next_number).toBe(1399);
    // Above the last number: a gap the office chose (its paper register went on meanwhile).
    expect((await ctx().as(dep.secretary).put('/api/v1/register/start').send({ orgId: dep.orgId, year: 2021, nextNumber: 1410 })).status).toBe(200);
    const next = await approvedLetter(ctx(), dep);
    expect((await ctx().as(dep.secretary).post(`/api/v1/letters/${next}/issue`)).body.number).toBe(1410);
  });

  it('bad input is a 400 naming the field; only the secretary or an administrator of the tree may set it', async () => {
    const put = (body: Record<string, unknown>, user = dep.secretary) => ctx().as(user).put('/api/v1/register/start').send(body);
    expect((await put({ orgId: dep.orgId, year: 2021, nextNumber: 0 })).body.error.fields).toEqual({ nextNumber: 'at least 1' });
    expect((await put({ orgId: dep.orgId, year: 2021, nextNumber: 12.5 })).body.error.fields).toHaveProperty('nextNumber');
    expect((await put({ orgId: dep.orgId, year: 1999, nextNumber: 5 })).body.error.fields).toEqual({ year: 'a year 2000–2100' });
    expect((await put({ orgId: dep.orgId, year: 2021 })).status).toBe(400);
    expect((await put({ orgId: dep.orgId, year: 2021, nextNumber: 5, extra: 1 })).status).toBe(400);
    expect((await put({ orgId: dep.orgId, year: 2030, nextNumber: 7 }, dep.drafter)).status).toBe(403);
    expect((await put({ orgId: dep.orgId, year: 2030, nextNumber: 7 }, other.secretary)).status).toBe(403);
    expect((await put({ orgId: dep.orgId, year: 2030, nextNumber: 7 }, ctx().admin)).status).toBe(200);
    expect(await ctx().db('register_starts').where({ issuing_org_id: dep.orgId, year: 2030 }).first()).toMatchObject({ next_number: 7 });
  });

  it('issuing stays gap-free with a start set while letters are being issued at the same moment', async () => {
    ctx().setNow('2024-05-01T03:00:00Z');
    const ids: number[] = [];
    for (let i = 0; i < 12; i++) ids.push(await approvedLetter(ctx(), dep, { subject: `thư ${i}` }));
    const [start, ...issued] = await Promise.all([
      ctx().as(dep.secretary).put('/api/v1/register/start').send({ orgId: dep.orgId, year: 2024, nextNumber: 3757 }),
      ...ids.map((id) => ctx().as(dep.secretary).post(`/api/v1/letters/${id}/issue`)),
    ]);
    expect(issued.map((r) => r.status)).toEqual(Array(12).fill(200));
    const numbers = issued.map((r) => r.body.number as number).sort((a, b) => a - b);
    // Whatever the interleaving: distinct numbers, consecutive within each side of the start, never at or below an issued one.
    expect(new Set(numbers).size).toBe(12);
    if (start.status === 200) {
      const before = numbers.filter((n) => n < 3757);
      const after = numbers.filter((n) => n >= 3757);
      expect(before).toEqual(Array.from({ length: before.length }, (_, i) => i + 1));
      expect(after).toEqual(Array.from({ length: after.length }, (_, i) => 3757 + i));
    } else {
      expect(start.body.error.code).toBe('REGISTER_START_BELOW_ISSUED');
      expect(numbers).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    }
    const register = await ctx().as(dep.secretary).get(`/api/v1/register?orgId=${dep.orgId}&year=2024`);
    expect(register.body.items.map((e: { number: number }) => e.number)).toEqual(numbers);
  });

  it('the register page: the next number, a form for the văn thư (CSRF, Vietnamese messages), none for a drafter', async () => {
    ctx().setNow('2025-03-01T03:00:00Z');
    const secretary = await signIn(ctx().app, dep.secretary.email, dep.secretary.password);
    const page = await secretary.agent.get('/register');
    expect(page.text).toContain('Văn bản tiếp theo sẽ nhận số 1.');
    expect(page.text).toContain('Tiếp tục số của sổ giấy');
    await secretary.refresh('/register');
    const noCsrf = await secretary.agent.post('/register/start').type('form').send({ year: '2025', nextNumber: '1399' });
    expect(noCsrf.status).toBe(403);
    const bad = await secretary.agent.post('/register/start').type('form').send({ _csrf: secretary.csrf, year: '2025', nextNumber: '0' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('ít nhất là 1');
    const ok = await secretary.agent.post('/register/start').type('form').send({ _csrf: secretary.csrf, year: '2025', nextNumber: '1399' });
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe('/register?year=2025&done=startSet');
    const after = await secretary.agent.get(ok.headers.location);
    expect(after.text).toContain('Đã đặt số tiếp theo của sổ.');
    expect(after.text).toContain('Văn bản tiếp theo sẽ nhận số 1399.');
    const letter = await approvedLetter(ctx(), dep);
    await ctx().as(dep.secretary).post(`/api/v1/letters/${letter}/issue`);
    const below = await secretary.agent.post('/register/start').type('form').send({ _csrf: secretary.csrf, year: '2025', nextNumber: '1399' });
    expect(below.status).toBe(409);
    expect(below.text).toContain('Số 1399 đã được cấp trong năm 2025');
    expect(below.text).toContain('phải lớn hơn số đã cấp gần nhất');
    const drafter = await signIn(ctx().app, dep.drafter.email, dep.drafter.password);
    expect((await drafter.agent.get('/register')).text).not.toContain('Tiếp tục số của sổ giấy');
  });
});
