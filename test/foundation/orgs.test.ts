import ExcelJS from 'exceljs';
import { describeEachDb } from '../helpers/context';

async function xlsx(rows: (string | number | null)[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Đơn vị');
  rows.forEach((r) => ws.addRow(r));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describeEachDb('organisations', (ctx) => {
  it('creates a tree of any depth and lists it by kind and parent', async () => {
    const api = ctx().as(ctx().admin);
    const district = await api.post('/api/v1/orgs').send({ name: 'UBND huyện Cẩm Xuyên', shortName: 'UBND', kind: 'district', parentId: ctx().rootOrgId });
    expect(district.status).toBe(201);
    const commune = await api.post('/api/v1/orgs').send({ name: 'UBND xã Cẩm Bình', shortName: 'UBND', kind: 'commune', parentId: district.body.id, population18: 5120, email: 'cambinh@hatinh.gov.vn' });
    expect(commune.status).toBe(201);
    const hamlet = await api.post('/api/v1/orgs').send({ name: 'Thôn 1', shortName: 'T1', kind: 'other', parentId: commune.body.id });
    expect(hamlet.status).toBe(201);
    const communes = await api.get(`/api/v1/orgs?kind=commune&parentId=${district.body.id}`);
    expect(communes.body.items.map((o: { name: string }) => o.name)).toEqual(['UBND xã Cẩm Bình']);
    expect(communes.body.items[0]).toMatchObject({ population18: 5120, parentId: district.body.id });
  });

  it('stores Vietnamese text as NFC whatever form it arrives in', async () => {
    const decomposed = 'Sở Y tế'.normalize('NFD');
    const res = await ctx().as(ctx().admin).post('/api/v1/orgs').send({ name: decomposed, shortName: 'SYT', kind: 'department' });
    expect(res.status).toBe(201);
    const row = await ctx().db('orgs').where({ id: res.body.id }).first();
    expect(row.name).toBe('Sở Y tế'.normalize('NFC'));
    expect(row.name).not.toBe(decomposed);
  });

  it('rejects bad input with field messages and writes nothing', async () => {
    const api = ctx().as(ctx().admin);
    const before = (await ctx().db('orgs').count({ n: '*' }))[0].n;
    const cases = [
      [{ name: 'x', shortName: 'X', kind: 'planet' }, 'kind'],
      [{ name: 'x', shortName: 'lower', kind: 'other' }, 'shortName'],
      [{ name: 'x'.repeat(301), shortName: 'X', kind: 'other' }, 'name'],
      [{ name: 'x', shortName: 'X', kind: 'other', email: 'not-an-email' }, 'email'],
      [{ name: 'x', shortName: 'X', kind: 'other', headcount: -1 }, 'headcount'],
      [{ name: 'x', shortName: 'X', kind: 'other', surprise: true }, '_'],
    ] as const;
    for (const [body, field] of cases) {
      const res = await api.post('/api/v1/orgs').send(body);
      expect(res.status).toBe(400);
      expect(res.body.error.fields).toHaveProperty(field);
    }
    const malformed = await api.post('/api/v1/orgs').set('Content-Type', 'application/json').send('{"name": ');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('MALFORMED_JSON');
    expect((await ctx().db('orgs').count({ n: '*' }))[0].n).toBe(before);
  });

  it('refuses a parent that would make a cycle', async () => {
    const api = ctx().as(ctx().admin);
    const a = (await api.post('/api/v1/orgs').send({ name: 'A', shortName: 'A', kind: 'other' })).body.id;
    const b = (await api.post('/api/v1/orgs').send({ name: 'B', shortName: 'B', kind: 'other', parentId: a })).body.id;
    const res = await api.patch(`/api/v1/orgs/${a}`).send({ parentId: b });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('PARENT_CYCLE');
    expect((await ctx().db('orgs').where({ id: a }).first()).parent_id).toBeNull();
  });

  it('imports an XLSX idempotently and reports bad rows by number', async () => {
    const api = ctx().as(ctx().admin);
    const file = await xlsx([
      ['Mã', 'Tên', 'Viết tắt', 'Loại', 'Mã cấp trên', 'Email', 'Số cán bộ', 'Dân số 18+'],
      ['HT-STTTT', 'Sở Thông tin và Truyền thông', 'STTTT', 'department', null, 'stttt@hatinh.gov.vn', 62, null],
      ['HT-KA', 'UBND thị xã Kỳ Anh', 'UBND', 'district', null, 'kyanh@hatinh.gov.vn', 210, 61000],
      ['HT-KA-01', 'UBND phường Sông Trí', 'UBND', 'commune', 'HT-KA', null, 35, 9800],
      ['HT-BAD', 'Đơn vị lỗi', 'UBND', 'commune', 'NO-SUCH', null, null, null],
      ['HT-BAD2', 'Đơn vị lỗi 2', 'UBND', 'other', null, 'not-mail', null, null],
    ]);
    const first = await api.post('/api/v1/orgs/import').attach('file', file, 'don-vi.xlsx');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ created: 3, updated: 0 });
    expect(first.body.errors.map((e: { row: number }) => e.row)).toEqual([5, 6]);
    const again = await api.post('/api/v1/orgs/import').attach('file', file, 'don-vi.xlsx');
    expect(again.body).toMatchObject({ created: 0, updated: 3 });
    expect(await ctx().db('orgs').where({ code: 'HT-KA-01' }).count({ n: '*' })).toEqual([{ n: expect.anything() }]);
    const ward = await ctx().db('orgs').where({ code: 'HT-KA-01' });
    expect(ward).toHaveLength(1);
    const parent = await ctx().db('orgs').where({ code: 'HT-KA' }).first();
    expect(ward[0].parent_id).toBe(parent.id);
  });

  it('imports CSV and refuses a file that is not a spreadsheet with 415', async () => {
    const api = ctx().as(ctx().admin);
    const csv = Buffer.from('name,shortName,kind,email\n"Báo Hà Tĩnh",BHT,press,baohatinh@example.vn\n');
    const ok = await api.post('/api/v1/orgs/import').attach('file', csv, 'bao.csv');
    expect(ok.body).toMatchObject({ created: 1, errors: [] });
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);
    const bad = await api.post('/api/v1/orgs/import').attach('file', png, 'orgs.xlsx');
    expect(bad.status).toBe(415);
  });

  it('creates recipient groups from known organisations only', async () => {
    const api = ctx().as(ctx().admin);
    const a = await ctx().createOrg({ name: 'Sở Y tế', shortName: 'SYT', kind: 'department' });
    const ok = await api.post('/api/v1/recipient-groups').send({ name: 'Các sở', orgIds: [a] });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ name: 'Các sở', orgIds: [a] });
    const bad = await api.post('/api/v1/recipient-groups').send({ name: 'X', orgIds: [999999] });
    expect(bad.status).toBe(400);
  });
});

describeEachDb('who sees which organisation', (ctx) => {
  it('a reporter sees and changes only its own agency; admins manage all', async () => {
    const agencyA = await ctx().createOrg({ name: 'Sở Tư pháp', shortName: 'STP', kind: 'department', headcount: 40 });
    const agencyB = await ctx().createOrg({ name: 'Sở Tài chính', shortName: 'STC', kind: 'department', headcount: 55 });
    const reporter = await ctx().createUser(['reporter'], agencyA);
    const api = ctx().as(reporter);
    const list = await api.get('/api/v1/orgs');
    expect(list.body.items.map((o: { id: number }) => o.id)).toEqual([agencyA]);
    expect((await api.get(`/api/v1/orgs/${agencyB}`)).status).toBe(404);
    expect((await api.patch(`/api/v1/orgs/${agencyB}`).send({ headcount: 1 })).status).toBe(403);
    expect((await api.patch(`/api/v1/orgs/${agencyA}`).send({ headcount: 1 })).status).toBe(403);
    expect((await api.post('/api/v1/users').send({ email: 'x@x.vn', name: 'X', password: 'password-1', roles: ['admin'], orgId: agencyA })).status).toBe(403);
    expect((await ctx().db('orgs').where({ id: agencyB }).first()).headcount).toBe(55);
    expect((await ctx().as(ctx().admin).patch(`/api/v1/orgs/${agencyB}`).send({ headcount: 56 })).status).toBe(200);
  });

  it('records every change in the audit log with who and which record', async () => {
    const api = ctx().as(ctx().admin);
    const created = await api.post('/api/v1/orgs').send({ name: 'Báo Hà Tĩnh', shortName: 'BHT', kind: 'press' });
    await new Promise((r) => setTimeout(r, 50));
    const log = await api.get(`/api/v1/audit?entity=orgs&entityId=${created.body.id}`);
    expect(log.body.items[0]).toMatchObject({ userId: ctx().admin.id, action: 'POST orgs', entity: 'orgs', entityId: String(created.body.id) });
  });
});
