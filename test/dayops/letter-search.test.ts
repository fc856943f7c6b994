import { describeEachDb } from '../helpers/context';
import { signIn } from '../helpers/browser-session';
import { approvedLetter, plainLetter, setUpDepartment, type Department } from '../letters/helpers';

/** Letters search (issue 15 item 2): subject, symbol, body and recipients, accents and case ignored, paged. */
describeEachDb('letter search', (ctx) => {
  let dep: Department;
  let symbol: string;
  let decisionId: number;
  let draftIds: number[];

  beforeAll(async () => {
    dep = await setUpDepartment(ctx(), 'STTTT');
    ctx().setNow('2026-12-02T02:00:00Z');
    decisionId = await approvedLetter(ctx(), dep, { subject: 'triển khai Quyết định số 12/QĐ-UBND', body: 'Thực hiện kế hoạch chuyển đổi số.' });
    const issued = await ctx().as(dep.secretary).post(`/api/v1/letters/${decisionId}/issue`);
    expect(issued.status).toBe(200);
    symbol = issued.body.symbol;
    draftIds = [];
    for (const [subject, body, recipient] of [
      ['tuyên truyền cài đặt ứng dụng', 'Đề nghị cài đặt Sổ sức khỏe điện tử.', dep.recipients.syt],
      ['báo cáo tuần', 'Gửi báo cáo đúng hạn về Sở.', dep.recipients.camXuyen],
      ['họp giao ban', 'Mời dự họp giao ban tháng 12.', dep.recipients.baoHaTinh],
    ] as const) {
      const res = await ctx().as(dep.drafter).post('/api/v1/letters').send(plainLetter(dep, { subject, body, recipients: [{ orgId: recipient }] }));
      expect(res.status).toBe(201);
      draftIds.push(res.body.id);
    }
  });

  const search = async (q: string, extra = '') => {
    const res = await ctx().as(dep.drafter).get(`/api/v1/letters?q=${encodeURIComponent(q)}${extra}`);
    expect(res.status).toBe(200);
    return res.body as { items: { id: number; symbol: string; subject: string }[]; total: number; page: number; pageSize: number };
  };

  it('a search for the symbol finds its letter, and only it', async () => {
    expect(symbol).toMatch(/^01\/STTTT-TTBCXB$/);
    const found = await search(symbol);
    expect(found.items.map((l) => l.id)).toEqual([decisionId]);
    expect(found.total).toBe(1);
    expect((await search('01/STTTT')).items.map((l) => l.id)).toEqual([decisionId]);
  });

  it('finds the subject with or without diacritics, and the body and recipients', async () => {
    expect((await search('quyết định')).items.map((l) => l.id)).toEqual([decisionId]);
    expect((await search('quyet dinh')).items.map((l) => l.id)).toEqual([decisionId]);
    expect((await search('QUYẾT ĐỊNH 12')).items.map((l) => l.id)).toEqual([decisionId]);
    expect((await search('chuyển đổi số')).items.map((l) => l.id)).toEqual([decisionId]);
    expect((await search('Sổ sức khỏe')).items.map((l) => l.id)).toEqual([draftIds[0]]);
    expect((await search('Cẩm Xuyên')).items.map((l) => l.id)).toEqual([draftIds[1]]);
    expect((await search('bao ha tinh')).items.map((l) => l.id)).toEqual([draftIds[2]]);
    expect((await search('không có chữ này')).items).toEqual([]);
    expect((await search('%')).total).toBe(0);
  });

  it('an edited draft is found by its new words, not its old ones', async () => {
    const res = await ctx().as(dep.drafter).patch(`/api/v1/letters/${draftIds[2]}`).send({ subject: 'hội nghị trực tuyến', recipients: [{ orgId: dep.recipients.syt }] });
    expect(res.status).toBe(200);
    expect((await search('hoi nghi')).items.map((l) => l.id)).toEqual([draftIds[2]]);
    expect((await search('giao ban')).items.map((l) => l.id)).toEqual([draftIds[2]]); // still in the body
    expect((await search('Báo Hà Tĩnh')).items).toEqual([]);
    expect((await search('Sở Y tế')).items.map((l) => l.id).sort()).toEqual([draftIds[0], draftIds[2], decisionId].sort());
  });

  it('pages: {items, total, page, pageSize}, newest first, with other filters kept', async () => {
    const all = await ctx().as(dep.drafter).get('/api/v1/letters?pageSize=2');
    expect(all.body).toMatchObject({ total: 4, page: 1, pageSize: 2 });
    expect(all.body.items.map((l: { id: number }) => l.id)).toEqual([draftIds[2], draftIds[1]]);
    const second = await ctx().as(dep.drafter).get('/api/v1/letters?pageSize=2&page=2');
    expect(second.body.items.map((l: { id: number }) => l.id)).toEqual([draftIds[0], decisionId]);
    expect((await ctx().as(dep.drafter).get('/api/v1/letters?page=3&pageSize=2')).body.items).toEqual([]);
    expect((await search('Sở Y tế', '&status=issued')).items.map((l) => l.id)).toEqual([decisionId]);
    const bad = await ctx().as(dep.drafter).get('/api/v1/letters?pageSize=1000');
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields).toHaveProperty('pageSize');
  });

  it('the letters page has a search box and page links that work without JavaScript', async () => {
    const s = await signIn(ctx().app, dep.drafter.email, dep.drafter.password);
    const page = await s.agent.get(`/letters?q=${encodeURIComponent('quyet dinh')}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('name="q" value="quyet dinh"');
    expect(page.text).toContain(`/letters/${decisionId}"`);
    expect(page.text).not.toContain(`/letters/${draftIds[0]}"`);
    expect(page.text).toContain('1 mục');
    const paged = await s.agent.get('/letters?pageSize=2&status=draft');
    expect(paged.text).toContain('<a href="/letters?pageSize&#x3D;2&amp;status&#x3D;draft&amp;page&#x3D;2" rel="next">');
  });
});
