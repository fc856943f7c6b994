import { describeEachDb } from '../helpers/context';
import { approvedLetter, setUpDepartment, type Department } from './helpers';

describeEachDb('the outgoing register numbers letters', (ctx) => {
  let dep: Department;
  let other: Department;

  beforeAll(async () => {
    // Sign-ins happen on the real clock; the tests then move it.
    dep = await setUpDepartment(ctx(), 'SNV');
    other = await setUpDepartment(ctx(), 'SYTE');
  });

  it('50 letters issued at the same moment get 50 distinct consecutive numbers from 01', async () => {
    ctx().setNow('2022-03-15T03:00:00Z');
    const ids: number[] = [];
    for (let i = 0; i < 50; i++) ids.push(await approvedLetter(ctx(), dep, { subject: `thư số ${i}` }));
    const results = await Promise.all(ids.map((id) => ctx().as(dep.secretary).post(`/api/v1/letters/${id}/issue`)));
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(200));
    const numbers = results.map((r) => r.body.number).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(results.map((r) => r.body.symbol)).toContain('01/SNV-TTBCXB');
    expect(results.map((r) => r.body.symbol)).toContain('50/SNV-TTBCXB');
    const register = await ctx().as(dep.secretary).get(`/api/v1/register?orgId=${dep.orgId}&year=2022`);
    expect(register.body.items.map((e: { number: number }) => e.number)).toEqual(numbers);
  });

  it('the same letter issued 10 times at once gets one number; the other calls are 409 and consume nothing', async () => {
    ctx().setNow('2022-03-16T03:00:00Z');
    const id = await approvedLetter(ctx(), dep);
    const results = await Promise.all(Array.from({ length: 10 }, () => ctx().as(dep.secretary).post(`/api/v1/letters/${id}/issue`)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409).map((r) => r.body.error.code)).toEqual(Array(9).fill('LETTER_ALREADY_ISSUED'));
    expect(results.find((r) => r.status === 200)!.body.number).toBe(51);
    const next = await approvedLetter(ctx(), dep);
    expect((await ctx().as(dep.secretary).post(`/api/v1/letters/${next}/issue`)).body.number).toBe(52);
  });

  it('a new calendar year in Vietnam starts again at 01, even when UTC is still in the old year', async () => {
    const late = await approvedLetter(ctx(), dep);
    ctx().setNow('2022-12-31T16:59:00Z'); // 23:59 on 31/12 in Hà Tĩnh
    expect((await ctx().as(dep.secretary).post(`/api/v1/letters/${late}/issue`)).body).toMatchObject({ number: 53, symbol: '53/SNV-TTBCXB' });
    const first = await approvedLetter(ctx(), dep);
    ctx().setNow('2022-12-31T17:01:00Z'); // 00:01 on 01/01/2023 in Hà Tĩnh
    const res = await ctx().as(dep.secretary).post(`/api/v1/letters/${first}/issue`);
    expect(res.body).toMatchObject({ number: 1, symbol: '01/SNV-TTBCXB' });
    const letter = await ctx().as(dep.secretary).get(`/api/v1/letters/${first}`);
    expect(letter.body.year).toBe(2023);
    const reg2023 = await ctx().as(dep.secretary).get(`/api/v1/register?orgId=${dep.orgId}&year=2023`);
    expect(reg2023.body.items.map((e: { symbol: string }) => e.symbol)).toEqual(['01/SNV-TTBCXB']);
  });

  it('each issuing organisation has its own series', async () => {
    ctx().setNow('2023-02-01T03:00:00Z');
    const id = await approvedLetter(ctx(), other);
    expect((await ctx().as(other.secretary).post(`/api/v1/letters/${id}/issue`)).body).toMatchObject({ number: 1, symbol: '01/SYTE-TTBCXB' });
    const mine = await approvedLetter(ctx(), dep);
    expect((await ctx().as(dep.secretary).post(`/api/v1/letters/${mine}/issue`)).body.number).toBe(2);
  });
});
