import request from 'supertest';
import { describeEachDb, type TestUser } from '../helpers/context';
import { signIn } from '../helpers/browser-session';
import { recipientOrder } from '../../src/orgs';
import { auditIdle } from '../../src/audit';

/** Issue 15 item 1 (organisations): deactivated and reactivated by their admin, kept for history, gone from pickers. */
describeEachDb('deactivating an organisation', (ctx) => {
  let province: number;
  let stttt: number;
  let syt: number;
  let camXuyen: number;
  let kyAnh: number;
  let otherProvince: number;
  let provincialAdmin: TestUser;
  let drafter: TestUser;
  let sytReporter: TestUser;
  let letterId: number;
  let groupId: number;

  beforeAll(async () => {
    province = await ctx().createOrg({ name: 'Ủy ban nhân dân tỉnh Hà Tĩnh', shortName: 'UBND', kind: 'province' });
    stttt = await ctx().createOrg({ name: 'Sở Thông tin và Truyền thông', shortName: 'STTTT', kind: 'department', parentId: province, email: 'stttt@ht.vn' });
    syt = await ctx().createOrg({ name: 'Sở Y tế', shortName: 'SYT', kind: 'department', parentId: province, email: 'syt@ht.vn' });
    const district = await ctx().createOrg({ name: 'UBND huyện Cẩm Xuyên', shortName: 'UBND', kind: 'district', parentId: province });
    camXuyen = await ctx().createOrg({ name: 'UBND xã Cẩm Bình', shortName: 'UBND', kind: 'commune', parentId: district, email: 'cb@ht.vn' });
    kyAnh = await ctx().createOrg({ name: 'UBND xã Kỳ Anh', shortName: 'UBND', kind: 'commune', parentId: district, email: 'ka@ht.vn' });
    otherProvince = await ctx().createOrg({ name: 'Ủy ban nhân dân tỉnh Nghệ An', shortName: 'UBND', kind: 'province', parentId: null });
    provincialAdmin = await ctx().createUser(['admin'], province, 'Quản trị tỉnh');
    drafter = await ctx().createUser(['drafter'], stttt, 'Chuyên viên');
    sytReporter = await ctx().createUser(['reporter'], syt, 'Đầu mối Sở Y tế');
    const letter = await ctx().as(drafter).post('/api/v1/letters').send({
      issuingOrgId: stttt, subject: 'tuyên truyền', body: 'Nội dung.', place: 'Hà Tĩnh', unitCode: 'TTBCXB',
      recipients: [{ orgId: syt }], signer: { title: 'GIÁM ĐỐC', name: 'Nguyễn Văn A' },
    });
    expect(letter.status).toBe(201);
    letterId = letter.body.id;
    const group = await ctx().as(drafter).post('/api/v1/recipient-groups').send({ name: 'Các sở và xã', orgIds: [syt, camXuyen, kyAnh] });
    expect(group.status).toBe(201);
    groupId = group.body.id;
  });

  it('the admin deactivates it (audited); it keeps its name in old letters and leaves the pickers', async () => {
    const res = await ctx().as(provincialAdmin).post(`/api/v1/orgs/${syt}/deactivate`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: syt, name: 'Sở Y tế', active: false });
    await auditIdle(ctx().deps);
    const audit = await ctx().db('audit_log').where({ entity: 'orgs', entity_id: String(syt) });
    expect(audit.map((a: { action: string; user_id: number }) => [a.action, a.user_id])).toEqual([['POST orgs/:id/deactivate', provincialAdmin.id]]);
    // History: the old letter still names it.
    const letter = await ctx().as(drafter).get(`/api/v1/letters/${letterId}`);
    expect(JSON.stringify(letter.body.recipients)).toContain('Sở Y tế');
    // The directory still lists it, flagged; `active=true` (a picker) leaves it out.
    const all = await ctx().as(drafter).get('/api/v1/orgs?q=Y%20t');
    expect(all.body.items.map((o: { id: number; active: boolean }) => [o.id, o.active])).toEqual([[syt, false]]);
    expect((await ctx().as(drafter).get('/api/v1/orgs?active=true&q=Y%20t')).body.items).toEqual([]);
    // Pickers: the letter form, the campaign form, the recipient group form.
    const s = await signIn(ctx().app, drafter.email, drafter.password);
    for (const path of ['/letters/new', '/campaigns', '/orgs']) {
      const page = await s.agent.get(path);
      expect(page.status).toBe(200);
      expect(page.text).not.toContain(`name="orgIds" value="${syt}"`);
      expect(page.text).toContain(`name="orgIds" value="${camXuyen}"`);
    }
  });

  it('new letters, campaigns and group expansions leave it out or refuse it, beside the field', async () => {
    const viaGroup = await ctx().as(drafter).post('/api/v1/letters').send({
      issuingOrgId: stttt, subject: 'mới', body: 'Nội dung.', place: 'Hà Tĩnh', recipients: [], recipientGroupIds: [groupId], signer: { title: 'GIÁM ĐỐC', name: 'A' },
    });
    expect(viaGroup.status).toBe(201);
    expect(viaGroup.body.recipients.map((r: { orgId: number }) => r.orgId).sort()).toEqual([camXuyen, kyAnh].sort());
    const named = await ctx().as(drafter).post('/api/v1/letters').send({
      issuingOrgId: stttt, subject: 'mới', body: 'Nội dung.', place: 'Hà Tĩnh', recipients: [{ orgId: syt }], signer: { title: 'GIÁM ĐỐC', name: 'A' },
    });
    expect(named.status).toBe(400);
    expect(named.body.error.code).toBe('ORG_DEACTIVATED');
    expect(named.body.error.fields).toEqual({ 'recipients.0.orgId': 'deactivated: Sở Y tế' });
    const campaign = { name: 'Cài đặt ứng dụng', metricLabel: 'Số cán bộ đã cài đặt', targetPercent: 100, startDate: '2026-12-07', endDate: '2026-12-31', deadline: { weekday: 5, time: '17:00' } };
    const byGroup = await ctx().as(drafter).post('/api/v1/campaigns').send({ ...campaign, groupId });
    expect(byGroup.status).toBe(201);
    const expected = await ctx().db('campaign_orgs').where({ campaign_id: byGroup.body.id }).pluck('org_id');
    expect(expected.map(Number).sort()).toEqual([camXuyen, kyAnh].sort());
    const byName = await ctx().as(drafter).post('/api/v1/campaigns').send({ ...campaign, name: 'Khác', orgIds: [syt, camXuyen] });
    expect(byName.status).toBe(400);
    expect(byName.body.error.fields).toEqual({ orgIds: 'deactivated: Sở Y tế' });
  });

  it('its users cannot sign in (a clear message in Vietnamese and English) and their sessions end', async () => {
    const before = await ctx().as(sytReporter).get('/api/v1/orgs');
    expect(before.status).toBe(401); // the token made before the deactivation no longer works
    const api = await request(ctx().app).post('/api/v1/auth/login').send({ email: sytReporter.email, password: sytReporter.password });
    expect(api.status).toBe(401);
    expect(api.body.error.code).toBe('ORG_DEACTIVATED_SIGN_IN');
    const agent = request.agent(ctx().app);
    const login = await agent.get('/login');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(login.text)![1];
    const vi = await agent.post('/login').type('form').send({ _csrf: csrf, email: sytReporter.email, password: sytReporter.password, next: '/' });
    expect(vi.status).toBe(401);
    expect(vi.text).toContain('Cơ quan, đơn vị của bạn đã ngừng hoạt động');
    const en = await agent.post('/login?lang=en').type('form').send({ _csrf: csrf, email: sytReporter.email, password: sytReporter.password, next: '/' });
    expect(en.text).toContain('Your organisation has been deactivated');
    // A wrong password says only that.
    const wrong = await agent.post('/login').type('form').send({ _csrf: csrf, email: sytReporter.email, password: 'nope-nope', next: '/' });
    expect(wrong.text).not.toContain('ngừng hoạt động');
  });

  it('scoped: a provincial admin only inside their province, never their own organisation; staff not at all', async () => {
    expect((await ctx().as(provincialAdmin).post(`/api/v1/orgs/${otherProvince}/deactivate`)).status).toBe(403);
    expect((await ctx().as(drafter).post(`/api/v1/orgs/${camXuyen}/deactivate`)).status).toBe(403);
    const own = await ctx().as(provincialAdmin).post(`/api/v1/orgs/${province}/deactivate`);
    expect(own.status).toBe(409);
    expect(own.body.error.code).toBe('CANNOT_DEACTIVATE_OWN_ORG');
    expect((await ctx().as(ctx().admin).post(`/api/v1/orgs/${otherProvince}/deactivate`)).status).toBe(200);
  });

  it('the org admin page has the button; reactivating brings it back and its users sign in again', async () => {
    const s = await signIn(ctx().app, provincialAdmin.email, provincialAdmin.password);
    const edit = await s.agent.get(`/orgs/${syt}/edit`);
    expect(edit.text).toContain(`action="/orgs/${syt}/reactivate"`);
    expect(edit.text).toContain('Ngừng hoạt động từ');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(edit.text)![1];
    const back = await s.agent.post(`/orgs/${syt}/reactivate`).type('form').send({ _csrf: csrf });
    expect(back.status).toBe(303);
    const after = await s.agent.get(`/orgs/${syt}/edit`);
    expect(after.text).toContain(`action="/orgs/${syt}/deactivate"`);
    expect(after.text).toContain('Ngừng hoạt động</button>');
    const login = await request(ctx().app).post('/api/v1/auth/login').send({ email: sytReporter.email, password: sytReporter.password });
    expect(login.status).toBe(200);
  });

  it('pickers list as a văn thư does: province, departments, districts, communes; by name within each', async () => {
    const s = await signIn(ctx().app, drafter.email, drafter.password);
    const page = await s.agent.get('/campaigns');
    const order = [...page.text.matchAll(/name="orgIds" value="(\d+)"/g)].map((m) => Number(m[1]));
    const ours = order.filter((id) => [province, stttt, syt, camXuyen, kyAnh].includes(id));
    expect(ours).toEqual([province, stttt, syt, camXuyen, kyAnh]);
    expect(page.text).toContain('data-org-filter');
    const sorted = recipientOrder([
      { kind: 'commune', name: 'UBND xã Kỳ Anh' }, { kind: 'press', name: 'Báo Hà Tĩnh' }, { kind: 'department', name: 'Sở Y tế' },
      { kind: 'commune', name: 'UBND xã Cẩm Bình' }, { kind: 'district', name: 'UBND huyện Can Lộc' }, { kind: 'province', name: 'UBND tỉnh' }, { kind: 'department', name: 'Sở Nội vụ' },
    ] as const);
    expect(sorted.map((o) => o.name)).toEqual(['UBND tỉnh', 'Sở Nội vụ', 'Sở Y tế', 'UBND huyện Can Lộc', 'UBND xã Cẩm Bình', 'UBND xã Kỳ Anh', 'Báo Hà Tĩnh']);
  });
});
