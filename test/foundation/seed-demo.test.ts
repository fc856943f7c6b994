import { describeEachDb } from '../helpers/context';
import { seedDemo } from '../../src/seed/demo';
import { installShippedTemplates } from '../../src/letters';

/**
 * `npm run seed:demo`'s organisations and users (the campaign, with its audio and signatures, is left out: it is
 * slow and made only of the features' own services, which their tests cover).
 */
describeEachDb('the demo province is Hà Tĩnh in 2026: two tiers, the Sở Khoa học và Công nghệ', (ctx) => {
  let oldDistrict: number;
  let oldCommune: number;

  beforeAll(async () => {
    // An installation that already has the three-tier tree of before July 2025 keeps it.
    oldDistrict = await ctx().createOrg({ name: 'Ủy ban nhân dân huyện Cẩm Xuyên', shortName: 'UBND', kind: 'district' });
    oldCommune = await ctx().createOrg({ name: 'Ủy ban nhân dân xã Cẩm Vịnh', shortName: 'UBND', kind: 'commune', parentId: oldDistrict });
    await seedDemo(ctx().deps);
  });

  it('puts the communes and wards directly under the province and adds no district', async () => {
    const province = await ctx().db('orgs').where({ code: 'HT' }).first();
    expect(province).toMatchObject({ id: ctx().rootOrgId, name: 'Ủy ban nhân dân tỉnh Hà Tĩnh', kind: 'province' });
    const seeded = await ctx().db('orgs').where('code', 'like', 'HT-%');
    expect(seeded.filter((o) => o.kind === 'district')).toEqual([]);
    const communes = seeded.filter((o) => o.kind === 'commune');
    expect(communes.length).toBeGreaterThanOrEqual(10);
    for (const c of communes) {
      expect(Number(c.parent_id)).toBe(ctx().rootOrgId);
      expect(c.name).toMatch(/^Ủy ban nhân dân (xã|phường) /);
      expect(c.population18).toBeGreaterThan(0);
    }
    // Post-merger names (Nghị quyết 1665/NQ-UBTVQH15), not the 2021 ones (thị trấn, the old city wards).
    expect(communes.map((c) => c.name)).toEqual(expect.arrayContaining(['Ủy ban nhân dân phường Thành Sen', 'Ủy ban nhân dân xã Cẩm Bình']));
    expect(seeded.some((o) => /thị trấn|huyện|thị xã|Bắc Hà/.test(o.name))).toBe(false);
  });

  it('issues from the Sở Khoa học và Công nghệ (SKHCN); the Sở Thông tin và Truyền thông is gone', async () => {
    const dept = await ctx().db('orgs').where({ code: 'HT-SKHCN' }).first();
    expect(dept).toMatchObject({ name: 'Sở Khoa học và Công nghệ', short_name: 'SKHCN', kind: 'department', parent_id: ctx().rootOrgId });
    expect(await ctx().db('orgs').where('name', 'like', '%Thông tin và Truyền thông%')).toEqual([]);
    expect(await ctx().db('orgs').where('name', 'like', '%Lao động - Thương binh%')).toEqual([]);
    const drafter = await ctx().db('users').where({ email: 'chuyenvien@skhcn.hatinh.demo' }).first();
    expect(Number(drafter.org_id)).toBe(Number(dept.id));
    const broadcaster = await ctx().db('users').where({ email: 'truyenthanh@cambinh.hatinh.demo' }).first();
    expect(Number(broadcaster.org_id)).toBe(Number((await ctx().db('orgs').where({ code: 'HT-X-CAMBINH' }).first()).id));
  });

  it('keeps an older tree with districts as it was, and a second run adds nothing', async () => {
    const before = await ctx().db('orgs').count({ n: '*' });
    expect((await seedDemo(ctx().deps)).orgs).toBe(0);
    expect(await ctx().db('orgs').count({ n: '*' })).toEqual(before);
    expect(await ctx().db('orgs').where({ id: oldCommune }).first()).toMatchObject({ kind: 'commune', parent_id: oldDistrict });
    expect(await ctx().db('orgs').where({ id: oldDistrict }).first()).toMatchObject({ kind: 'district', parent_id: ctx().rootOrgId });
  });

  it('ships letter templates that address communes and wards, not districts', async () => {
    await installShippedTemplates(ctx().deps);
    const templates = await ctx().db('letter_templates').select('name', 'body');
    expect(templates.length).toBeGreaterThanOrEqual(3);
    for (const tpl of templates) expect(tpl.body).not.toMatch(/huyện|thị xã/);
    expect(templates.map((tpl) => tpl.body).join('\n')).toContain('Ủy ban nhân dân các xã, phường');
  });
});
