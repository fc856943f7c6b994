import { describeEachDb, type TestUser } from '../helpers/context';
import { signIn } from '../helpers/browser-session';

/** Issue 15 item 2: every list takes q, page, pageSize and answers {items, total, page, pageSize}; pages have a search box. */
describeEachDb('search and pages on every list', (ctx) => {
  let dept: number;
  let drafter: TestUser;
  let secretary: TestUser;

  beforeAll(async () => {
    dept = await ctx().createOrg({ name: 'Sở Văn hóa, Thể thao và Du lịch', shortName: 'SVHTTDL', kind: 'department' });
    for (const name of ['Cẩm Bình', 'Cẩm Thành', 'Cẩm Quang', 'Kỳ Anh']) await ctx().createOrg({ name: `UBND xã ${name}`, shortName: 'UBND', kind: 'commune' });
    drafter = await ctx().createUser(['drafter'], dept, 'Trần Thị Soạn');
    secretary = await ctx().createUser(['secretary'], dept, 'Lê Văn Thư');
    const campaign = { metricLabel: 'Số cán bộ', targetPercent: 100, startDate: '2026-12-07', endDate: '2026-12-31', deadline: { weekday: 5, time: '17:00' }, orgIds: [dept] };
    for (const name of ['Cài đặt VNeID', 'Cài đặt Sổ sức khỏe', 'Tuyên truyền bầu cử']) {
      expect((await ctx().as(drafter).post('/api/v1/campaigns').send({ ...campaign, name })).status).toBe(201);
    }
  });

  it('organisations: searched by name, short name or code, paged by kind then name', async () => {
    const res = await ctx().as(drafter).get('/api/v1/orgs?q=xã%20Cẩm&pageSize=2');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ total: 3, page: 1, pageSize: 2 });
    expect(res.body.items.map((o: { name: string }) => o.name)).toEqual(['UBND xã Cẩm Bình', 'UBND xã Cẩm Quang']);
    const second = await ctx().as(drafter).get('/api/v1/orgs?q=xã%20Cẩm&pageSize=2&page=2');
    expect(second.body.items.map((o: { name: string }) => o.name)).toEqual(['UBND xã Cẩm Thành']);
    expect((await ctx().as(drafter).get('/api/v1/orgs?q=SVHTTDL')).body.items.map((o: { id: number }) => o.id)).toEqual([dept]);
    expect((await ctx().as(drafter).get('/api/v1/orgs?q=100%25')).body.total).toBe(0); // % is taken literally
  });

  it('users: searched by name or e-mail (admins only)', async () => {
    const res = await ctx().as(ctx().admin).get(`/api/v1/users?q=${encodeURIComponent(secretary.email)}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ total: 1, page: 1, pageSize: 50 });
    expect(res.body.items[0]).toMatchObject({ id: secretary.id, email: secretary.email, active: true });
    const all = await ctx().as(ctx().admin).get('/api/v1/users?pageSize=1&page=2');
    expect(all.body.items).toHaveLength(1);
    expect(all.body.total).toBeGreaterThanOrEqual(3);
    expect((await ctx().as(drafter).get('/api/v1/users')).status).toBe(403);
  });

  it('campaigns, audio, broadcasts and the outbox answer the same shape; a bad page is a 400 naming it', async () => {
    const found = await ctx().as(drafter).get(`/api/v1/campaigns?q=${encodeURIComponent('cai dat')}`);
    expect(found.body).toMatchObject({ total: 2, page: 1, pageSize: 50 });
    expect(found.body.items.map((c: { name: string }) => c.name).sort()).toEqual(['Cài đặt Sổ sức khỏe', 'Cài đặt VNeID']);
    expect(found.body.items[0]).toHaveProperty('expected', 1);
    for (const path of ['/api/v1/audio', '/api/v1/broadcasts', '/api/v1/outbox']) {
      const res = await ctx().as(secretary).get(`${path}?q=x&page=1&pageSize=10`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ items: [], total: 0, page: 1, pageSize: 10 });
      const bad = await ctx().as(secretary).get(`${path}?page=0`);
      expect(bad.status).toBe(400);
      expect(bad.body.error.fields).toHaveProperty('page');
    }
    expect((await ctx().as(secretary).get('/api/v1/outbox')).body).toHaveProperty('counts');
  });

  it('each list page has a search box (Vietnamese), keeps the search and shows how many were found', async () => {
    const admin = await signIn(ctx().app, ctx().admin.email, ctx().admin.password);
    const staff = await signIn(ctx().app, secretary.email, secretary.password);
    const pages: [typeof admin, string, string][] = [
      [staff, '/orgs?q=K%E1%BB%B3%20Anh', 'UBND xã Kỳ Anh'],
      [admin, `/users?q=${encodeURIComponent('Lê Văn')}`, secretary.email],
      [staff, `/campaigns?q=${encodeURIComponent('bầu cử')}`, 'Tuyên truyền bầu cử'],
      [staff, '/broadcasts?q=tin', ''],
      [staff, '/outbox?q=tin', ''],
    ];
    for (const [session, path, shows] of pages) {
      const res = await session.agent.get(path);
      expect(res.status).toBe(200);
      expect(res.text).toContain('<label for="f-q">Tìm kiếm</label>');
      expect(res.text).toMatch(/name="q" value="[^"]+"/);
      if (shows) {
        expect(res.text).toContain(shows);
        expect(res.text).toContain('1 mục');
      }
    }
    const orgs = await staff.agent.get('/orgs?q=K%E1%BB%B3%20Anh');
    const table = orgs.text.slice(orgs.text.indexOf('<table class="tree">'), orgs.text.indexOf('</table>'));
    expect(table).toContain('UBND xã Kỳ Anh');
    expect(table).not.toContain('UBND xã Cẩm Bình'); // (the group form's picker still offers every organisation)
    const campaigns = await staff.agent.get(`/campaigns?q=${encodeURIComponent('bầu cử')}`);
    expect(campaigns.text).not.toContain('Cài đặt VNeID</a>');
  });
});
