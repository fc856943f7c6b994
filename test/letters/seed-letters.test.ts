/**
 * Done-when of issue 12: the five 2021 seed letters (/shared/seeds) recreated through the HTTP API, each passing
 * the validator and, converted by LibreOffice, showing the structure of its original: the header lines, the
 * number, the V/v lines, the urgency box, the signer's lines in order, the bold runs, the "Lưu:" line, and the
 * signature block on the page of the last body paragraph.
 *
 * The register start (PUT /api/v1/register/start) is another branch's: here an office "continues its series" by
 * a register row written straight into the table for a placeholder letter, number N-1, so issuing gives N.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeEachDb, type TestContext, type TestUser } from '../helpers/context';
import { validateLetterDocx } from '../../src/letters/validate';
import { pdftotext, tools } from '../signing/tools';
import { fieldMessage } from '../../src/web/field-messages';
import { binary, docxXml } from './helpers';

interface Office {
  orgId: number;
  drafter: TestUser;
  approver: TestUser;
  secretary: TestUser;
}

async function office(ctx: TestContext, org: { name: string; shortName: string; kind: string; parentId?: number }): Promise<Office> {
  const orgId = await ctx.createOrg(org);
  return {
    orgId,
    drafter: await ctx.createUser(['drafter'], orgId, 'Chuyên viên'),
    approver: await ctx.createUser(['approver'], orgId, 'Lãnh đạo'),
    secretary: await ctx.createUser(['secretary'], orgId, 'Văn thư'),
  };
}

/** The register of (org, year) continues after `last` (what PUT /register/start will do): a placeholder letter holds it. */
async function continueRegister(ctx: TestContext, o: Office, year: number, last: number, kyHieu: string): Promise<void> {
  const placeholder = await ctx.as(o.drafter).post('/api/v1/letters').send({ issuingOrgId: o.orgId, subject: 'sổ giấy', body: 'Văn bản trên sổ giấy.', place: 'x', signer: { title: 'GIÁM ĐỐC', name: 'x' } });
  expect(placeholder.status).toBe(201);
  await ctx.db('outgoing_register').insert({ issuing_org_id: o.orgId, year, number: last, letter_id: placeholder.body.id, symbol: `${last}/${kyHieu}`, issued_at: `${year}-01-02T01:00:00.000Z`, issued_by: null });
}

async function create(ctx: TestContext, o: Office, body: Record<string, unknown>): Promise<number> {
  const res = await ctx.as(o.drafter).post('/api/v1/letters').send({ issuingOrgId: o.orgId, ...body });
  if (res.status !== 201) throw new Error(`create: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

/** Submitted, approved and issued at `at` (UTC). */
async function issue(ctx: TestContext, o: Office, id: number, at: string): Promise<string> {
  expect((await ctx.as(o.drafter).post(`/api/v1/letters/${id}/submit`)).status).toBe(200);
  expect((await ctx.as(o.approver).post(`/api/v1/letters/${id}/approve`)).status).toBe(200);
  ctx.setNow(at);
  const res = await ctx.as(o.secretary).post(`/api/v1/letters/${id}/issue`);
  expect(res.status).toBe(200);
  return res.body.symbol as string;
}

async function docx(ctx: TestContext, o: Office, id: number): Promise<Buffer> {
  const res = await ctx.as(o.drafter).get(`/api/v1/letters/${id}/docx`).buffer(true).parse(binary);
  expect(res.status).toBe(200);
  return res.body as Buffer;
}

/** All the DOCX files converted by one LibreOffice run; each PDF's text by page. */
function libreOfficePages(files: Record<string, Buffer>): Record<string, string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vd-seeds-'));
  try {
    const paths = Object.entries(files).map(([name, buf]) => {
      const file = path.join(dir, `${name}.docx`);
      fs.writeFileSync(file, buf);
      return file;
    });
    execFileSync('soffice', [`-env:UserInstallation=file://${dir}/profile`, '--headless', '--convert-to', 'pdf', '--outdir', dir, ...paths], { stdio: 'ignore', timeout: 240_000 });
    return Object.fromEntries(
      Object.keys(files).map((name) => {
        const pdf = fs.readFileSync(path.join(dir, `${name}.pdf`));
        return [name, pdftotext(pdf).split('\f').filter((p) => p.trim())];
      }),
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const linesOf = (text: string) => text.split('\n').map((l) => l.trim()).filter(Boolean);

/** `expected` appear as whole lines, in this order. */
function expectLinesInOrder(text: string, expected: string[]): void {
  const lines = linesOf(text);
  let at = -1;
  for (const want of expected) {
    const i = lines.indexOf(want, at + 1);
    expect({ want, found: i > at }).toEqual({ want, found: true });
    at = i;
  }
}

/** The bold runs' texts in a DOCX body. */
function boldRuns(xml: string): string[] {
  return [...xml.matchAll(/<w:r>(?:(?!<\/w:r>).)*?<w:b\/>(?:(?!<\/w:r>).)*?<w:t[^>]*>([^<]*)<\/w:t>/gs)].map((m) => m[1]);
}

const HA_TINH_BODY = [
  'Nhằm đẩy mạnh việc sử dụng hiệu quả nền tảng quản lý tiêm chủng Covid-19 kết hợp với ứng dụng “Sổ sức khỏe điện tử” trong quản lý tiêm chủng Covid-19 trên địa bàn tỉnh, vừa qua, Sở Thông tin và Truyền thông đã có văn bản đề nghị các cơ quan, đơn vị, địa phương quán triệt đến toàn thể cán bộ, công chức, viên chức, người lao động và đơn vị thuộc phạm vi quản lý cài đặt, sử dụng ứng dụng “Sổ sức khỏe điện tử”.',
  'Tuy nhiên, đến ngày 11/10/2021, tổng số thuê bao cài đặt sổ sức khỏe điện tử trên địa bàn tỉnh chỉ có 84,941 thuê bao, đạt 9,52% tỉ lệ Tổng số thuê bao cài đặt SSKĐT/dân số trên 18 tuổi (độ tuổi tiêm chủng).',
  'Để tăng cường số lượng cài đặt, sử dụng ứng dụng “Sổ sức khỏe điện tử” trên địa bàn tỉnh, Sở Thông tin và Truyền thông đề nghị:',
  '- Các Sở, ban, ngành, đoàn thể cấp tỉnh:\n+ Quan tâm phối hợp tuyên truyền sâu rộng mục đích, ý nghĩa, cách cài đặt và sử dụng ứng dụng “Sổ sức khỏe điện tử”.\n+ Tiếp tục chỉ đạo cán bộ, công chức, viên chức, công nhân và người lao động thực hiện cài đặt ứng dụng “Sổ sức khỏe điện tử”.',
  '(Có hướng dẫn cài đặt kèm theo)',
  '- UBND các huyện, thành phố, thị xã:\n+ Chỉ đạo Phòng Văn hóa - Thông tin, Trung tâm Văn hóa - Truyền thông và UBND các xã, phường, thị trấn thực hiện tuyên truyền trên hệ thống truyền thanh cơ sở.',
  'Đề nghị quý cơ quan, đơn vị quan tâm, phối hợp thực hiện.',
].join('\n\n');

const VINH_PHUC_BODY = [
  'Tiểu ban ứng dụng Công nghệ thông tin quản lý tiêm chủng vắc xin phòng COVID-19 và truyền thông đã chỉ đạo tất cả các cơ sở tiêm chủng COVID-19 trên toàn tỉnh ứng dụng Nền tảng tiêm chủng COVID-19 và Sổ sức khỏe điện tử trong quy trình tiêm chủng. Đến ngày 10/10/2021, toàn tỉnh đã tiêm được **427.510** mũi tiêm vắc xin phòng COVID-19.',
  'Tuy nhiên, đến ngày 10/10/2021, toàn tỉnh chỉ có **67.750** máy điện thoại đã cài đặt và sử dụng ứng dụng Sổ sức khỏe điện tử, đạt tỷ lệ **8,58%** trên tổng dân số trên 18 tuổi (độ tuổi tiêm chủng), **xếp hạng thứ 44 trên 63 tỉnh thành phố**.',
  'Để nâng cao tỷ lệ người dân Vĩnh Phúc sử dụng Sổ sức khỏe điện tử, Sở Thông tin và Truyền thông trân trọng đề nghị các cơ quan, đơn vị, địa phương:',
  '**1.** Đề nghị các cơ quan tuyên truyền tăng cường số lượng tin, bài, thời lượng, tần suất phát sóng thông tin tuyên truyền về lợi ích của Sổ sức khỏe điện tử.',
  '**2.** Đề nghị thủ trưởng sở, ban, ngành, chủ tịch UBND các huyện, thành phố quan tâm chỉ đạo, đôn đốc, kiểm tra việc cài đặt ứng dụng Sổ sức khỏe điện tử.',
  'Sở Thông tin và Truyền thông trân trọng đề nghị các sở, ban, ngành, UBND huyện, thành phố, các cơ quan, đơn vị, quan tâm chỉ đạo, phối hợp và tổ chức thực hiện.',
].join('\n\n');

const THAI_NGUYEN_BODY = [
  'Để việc triển khai ứng dụng công nghệ hỗ trợ công tác quản lý, giám sát và điều hành chiến dịch tiêm chủng vắc xin phòng COVID-19 thông qua Nền tảng Quản lý tiêm chủng COVID-19 được hiệu quả, Sở Thông tin và Truyền thông đề nghị các cơ quan, đơn vị, địa phương phối hợp, tăng cường thực hiện các nội dung sau:',
  '1. Các cơ quan báo chí, truyền thông tuyên truyền sâu rộng mục đích, ý nghĩa, cách cài đặt và sử dụng ứng dụng “**Sổ sức khỏe điện tử**” trên các loại hình thông tin, tuyên truyền do cơ quan, đơn vị quản lý.',
  '2. Các sở, ban, ngành, đoàn thể tỉnh, các doanh nghiệp bưu chính, viễn thông tuyên truyền, vận động cán bộ, công chức, viên chức thực hiện cài đặt ứng dụng “**Sổ sức khỏe điện tử**” (*có hướng dẫn cài đặt kèm theo*).',
  '3. Tiếp tục tuyên truyền người dân cài đặt, sử dụng ứng dụng **Bluezone** để khai báo y tế và phát hiện tiếp xúc gần.',
  'Sở Thông tin và Truyền thông đề nghị các cơ quan, đơn vị, địa phương quan tâm, triển khai thực hiện.',
].join('\n\n');

const DONG_THAP_BODY = [
  'Nhằm thực hiện tốt việc triển khai ứng dụng công nghệ thông tin trong công tác tiêm chủng, rút ngắn thời gian thao tác, tạo thuận lợi cho công tác tổ chức, quản lý đối tượng, Sở Y tế đề nghị việc sử dụng Sổ sức khỏe điện tử và nền tảng tiêm chủng như sau:',
  '1. Đề nghị các Sở, ban ngành đoàn thể, Trường Cao đẳng y tế\nTổ chức phổ biến thông tin, tuyên truyền cho cán bộ công chức, viên chức và người lao động tải ứng dụng “Sổ sức khỏe điện tử” trên điện thoại thông minh.',
  '2. Đề nghị Ủy ban nhân dân huyện, thành phố\n- Chỉ đạo tổ chức truyền thông rộng rãi cho người dân, các doanh nghiệp thực hiện tải ứng dụng “Sổ sức khỏe điện tử”.',
  'Sở Y tế đề nghị các đơn vị phối hợp triển khai thực hiện.',
].join('\n\n');

const LAO_CAI_BODY = [
  'Thực hiện Quyết định số 3355/QĐ-BYT ngày 08/7/2021 của Bộ Y tế về việc ban hành Kế hoạch triển khai chiến dịch tiêm vắc xin phòng Covid-19 năm 2021-2022 và công bố triển khai Nền tảng quản lý tiêm chủng COVID-19 trên toàn quốc của Bộ Thông tin và Truyền thông. Để đảm bảo công tác triển khai chiến dịch tiêm vắc xin phòng Covid-19 trên địa bàn tỉnh đạt hiệu quả cao, Chủ tịch UBND tỉnh có ý kiến chỉ đạo như sau:',
  '1. Giao Chủ tịch UBND các huyện, thị xã, thành phố phối hợp với Sở Thông tin và Truyền thông thực hiện công tác tuyền truyền, chỉ đạo các cơ quan, đơn vị, doanh nghiệp và nhất là UBND các xã, phường, thị trấn triển khai hướng dẫn, hỗ trợ người dân trên địa bàn thực hiện việc cài đặt ứng dụng (app) Sổ sức khỏe điện tử do Bộ Y tế và Bộ Thông tin và Truyền thông phối hợp triển khai cung cấp trên các kho ứng dụng của App Store và Google Play; thực hiện cập nhật thông tin, đăng ký tiêm phòng vắc xin trên ứng dụng Sổ sức khỏe điện tử hoặc trên website: https://tiemchungcovid19.gov.vn.',
  '2. Giao Sở Thông tin và Truyền thông chủ trì phối hợp với Sở Y tế, Báo Lào Cai, Đài Phát thanh - Truyền hình tỉnh, Viettel Lào Cai ban hành hướng dẫn cho các cơ quan, đơn vị, địa phương triển khai cài đặt ứng dụng và đăng ký tiêm phòng vắc xin bằng nhiều hình thức; đồng thời, tăng cường truyền thông trên các phương tiện thông tin đại chúng về triển khai chiến dịch tiêm vắc xin phòng Covid-19 trên địa bàn tỉnh.',
  '3. Giao Sở Y tế xây dựng kế hoạch triển khai Sổ sức khỏe điện tử và Nền tảng quản lý tiêm chủng COVID-19 đến 100% cơ sở khám chữa bệnh, cơ sở tiêm vắc xin phòng Covid-19 trên địa bàn tỉnh, có kết nối liên thông với các hệ thống thông tin có liên quan đảm bảo chính xác, hiệu quả.',
  '4. Thủ trưởng các sở, ban, ngành, Chủ tịch UBND các huyện, thị xã, thành phố yêu cầu 100% cán bộ, công chức, viên chức và người lao động trong cơ quan, đơn vị mình phải cài đặt ứng dụng Bluezone, ứng dụng Sổ sức khỏe điện tử và cập nhật thông tin, đăng ký tiêm phòng vắc xin cho bản thân và cho người thân trên các ứng dụng nêu trên. Hàng tuần, tổng hợp số lượng cán bộ đã thực hiện và gửi về Sở Thông tin và Truyền thông, Sở Y tế để tổng hợp, báo cáo UBND tỉnh về kết quả triển khai.',
].join('\n\n');

describeEachDb('the five seed letters, recreated through the API', (ctx) => {
  const files: Record<string, Buffer> = {};
  let laoCai: Office;

  beforeAll(async () => {
    const c = ctx();
    const haTinhUbnd = await c.createOrg({ name: 'Ủy ban nhân dân tỉnh Hà Tĩnh', shortName: 'UBND', kind: 'province' });
    const haTinh = await office(c, { name: 'Sở Thông tin và Truyền thông', shortName: 'STTTT', kind: 'department', parentId: haTinhUbnd });
    const vinhPhucUbnd = await c.createOrg({ name: 'Ủy ban nhân dân tỉnh Vĩnh Phúc', shortName: 'UBND', kind: 'province' });
    const vinhPhuc = await office(c, { name: 'Sở Thông tin và Truyền thông', shortName: 'STTTT', kind: 'department', parentId: vinhPhucUbnd });
    const thaiNguyenUbnd = await c.createOrg({ name: 'Ủy ban nhân dân tỉnh Thái Nguyên', shortName: 'UBND', kind: 'province' });
    const thaiNguyen = await office(c, { name: 'Sở Thông tin Truyền thông', shortName: 'STTTT', kind: 'department', parentId: thaiNguyenUbnd });
    const dongThapUbnd = await c.createOrg({ name: 'Ủy ban nhân dân tỉnh Đồng Tháp', shortName: 'UBND', kind: 'province' });
    const dongThap = await office(c, { name: 'Sở Y tế', shortName: 'SYT', kind: 'department', parentId: dongThapUbnd });
    laoCai = await office(c, { name: 'Ủy ban nhân dân tỉnh Lào Cai', shortName: 'UBND', kind: 'province' });
    // The văn thư chooses where the People's Committee's name breaks.
    const named = await c.as(c.admin).patch(`/api/v1/orgs/${laoCai.orgId}`).send({ headerName: 'ỦY BAN NHÂN DÂN\nTỈNH LÀO CAI' });
    expect(named.status).toBe(200);
    expect(named.body.headerName).toBe('ỦY BAN NHÂN DÂN\nTỈNH LÀO CAI');

    await continueRegister(c, haTinh, 2021, 1398, 'STTTT-TTBCXB');
    const ht = await create(c, haTinh, {
      subject: 'tiếp tục tuyên truyền cài đặt, sử dụng\nphần mềm ứng dụng “Sổ sức khỏe điện tử” trên địa bàn tỉnh.',
      body: HA_TINH_BODY,
      place: 'Hà Tĩnh',
      recipients: [{ name: 'Các sở, ban, ngành, đoàn thể cấp tỉnh' }, { name: 'Ủy ban nhân dân các huyện, thị xã, thành phố' }],
      distribution: ['UBND tỉnh (để b/c)', 'Văn phòng Sở', 'Cổng TTĐT tỉnh'],
      signer: { authority: 'KT.', authorityTitle: 'GIÁM ĐỐC', title: 'PHÓ GIÁM ĐỐC', name: 'Đậu Tùng Lâm' },
      unitCode: 'TTBCXB',
    });
    expect(await issue(c, haTinh, ht, '2021-10-21T02:00:00Z')).toBe('1399/STTTT-TTBCXB');
    files.haTinh = await docx(c, haTinh, ht);

    const vp = await create(c, vinhPhuc, {
      subject: 'cài đặt và sử dụng\nphần mềm Sổ sức khỏe điện tử',
      body: VINH_PHUC_BODY,
      legalBases: ['Văn bản số 1064/QĐ-BTTTT ngày 23/07/2021 của Bộ Thông tin và Truyền thông về việc ban hành Kế hoạch hoạt động của Tiểu ban Ứng dụng công nghệ thông tin quản lý tiêm chủng vắc xin phòng COVID-19 và truyền thông'],
      place: 'Vĩnh Phúc',
      recipients: [{ name: 'Các sở, ban, ngành' }, { name: 'Báo Vĩnh Phúc, Đài Phát thanh và Truyền hình Vĩnh Phúc, Tạp chí Văn nghệ Vĩnh Phúc, Cổng Thông tin - Giao tiếp điện tử Vĩnh Phúc' }, { name: 'Các UBND huyện, thành phố' }],
      distribution: ['UBND tỉnh (B/c)', 'PCT UBND tỉnh Vũ Chí Giang (B/c)', 'UBND các xã, phường, thị trấn', 'GD, các PGD'],
      signer: { lines: ['KT. GIÁM ĐỐC', 'PHÓ GIÁM ĐỐC'], name: 'Vũ Mạnh Toàn' },
      unitCode: 'TTCNTT',
    });
    files.vinhPhuc = await docx(c, vinhPhuc, vp);

    const tn = await create(c, thaiNguyen, {
      subject: 'tăng cường sử dụng Nền tảng\nquản lý tiêm chủng COVID-19 trên địa bàn tỉnh Thái Nguyên',
      body: THAI_NGUYEN_BODY,
      place: 'Thái Nguyên',
      recipients: [{ name: 'Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Thái Nguyên' }, { name: 'Các sở, ban, ngành, đoàn thể thuộc tỉnh' }, { name: 'UBND các huyện, thị xã, thành phố' }, { name: 'Báo Thái Nguyên' }],
      distribution: ['BCĐ phòng, chống Covid-19 tỉnh', 'UBND tỉnh (để b/c)', 'Sở Y tế (để p/h)', 'Tiểu ban Tiếp nhận, vận chuyển, bảo quản vắc xin (để p/h)', 'Ban Giám đốc Sở'],
      archive: 'VT',
      signer: { lines: ['KT. GIÁM ĐỐC', 'PHÓ GIÁM ĐỐC'], otherTitles: ['Trưởng Tiểu ban UDCNTTQLTC', 'vắc xin phòng COVID-19 và truyền thông'], name: 'Phạm Quang Hiếu' },
      unitCode: 'TTCNTTTT',
    });
    files.thaiNguyen = await docx(c, thaiNguyen, tn);

    await continueRegister(c, dongThap, 2021, 3756, 'SYT-NVY');
    const dt = await create(c, dongThap, {
      subject: 'sử dụng sổ sức khỏe điện tử\nvà nền tảng tiêm chủng',
      body: DONG_THAP_BODY,
      legalBases: ['Quyết định số 3355/QĐ-BYT ngày 08/7/2021 của Bộ Y tế về việc ban hành Kế hoạch triển khai chiến dịch tiêm vắc xin phòng COVID-19 năm 2021-2022', 'Kế hoạch số 64/KH-STTTT ngày 12/8/2021 của Sở Thông tin truyền thông Kế hoạch truyền thông và ứng dụng công nghệ thông tin phục vụ phòng, chống dịch COVID-19 trên địa bàn tỉnh Đồng Tháp'],
      place: 'Đồng Tháp',
      urgency: 'KHAN',
      recipients: [{ name: 'Các Sở, ban, ngành, đoàn thể Tỉnh' }, { name: 'Ủy ban nhân dân huyện, thành phố' }, { name: 'Các đơn vị trực thuộc Sở Y tế' }, { name: 'Phòng khám Đa khoa MEDIC 9-11' }],
      distribution: ['UBND Tỉnh (b/c)'],
      archive: 'VT, NVY/nthvan',
      signer: { title: 'GIÁM ĐỐC', name: 'Nguyễn Lâm Thái Thuận' },
      unitCode: 'NVY',
    });
    expect(await issue(c, dongThap, dt, '2021-09-14T02:00:00Z')).toBe('3757/SYT-NVY');
    files.dongThap = await docx(c, dongThap, dt);

    await continueRegister(c, laoCai, 2021, 3376, 'UBND-VX');
    // The older fields, as a form fills them: TM. + the committee + the vice-chairman's title.
    const lc = await create(c, laoCai, {
      subject: 'triển khai Sổ sức khỏe điện tử và đăng ký tiêm vắc xin phòng Covid-19 trực tuyến',
      body: LAO_CAI_BODY,
      place: 'Lào Cai',
      recipients: [{ name: 'Các sở, ban, ngành tỉnh' }, { name: 'UBND các huyện, thị xã, thành phố' }],
      distribution: ['TT. TU, HĐND, UBND tỉnh', 'Sở Thông tin và Truyền thông', 'Sở Y tế'],
      signer: { authority: 'TM.', authorityTitle: 'ỦY BAN NHÂN DÂN', title: 'PHÓ CHỦ TỊCH', name: 'Nguyễn Văn Ký' },
      drafterInitials: 'VX',
      copies: 40,
      unitCode: 'VX',
    });
    expect(await issue(c, laoCai, lc, '2021-07-24T02:00:00Z')).toBe('3377/UBND-VX');
    files.laoCai = await docx(c, laoCai, lc);
  }, 120_000);

  it('each passes the validator', async () => {
    for (const [name, buf] of Object.entries(files)) {
      const result = await validateLetterDocx(buf);
      expect({ name, errors: result.findings.filter((f) => f.severity === 'error') }).toEqual({ name, errors: [] });
    }
  });

  it('the DOCX carries the bold figures and titles as bold runs, and the line breaks as w:br', async () => {
    const vp = await docxXml(files.vinhPhuc);
    expect(boldRuns(vp)).toEqual(expect.arrayContaining(['427.510', '67.750', '8,58%', 'xếp hạng thứ 44 trên 63 tỉnh thành phố', '1.', '2.']));
    expect(vp).not.toContain('**');
    const tn = await docxXml(files.thaiNguyen);
    expect(boldRuns(tn)).toEqual(expect.arrayContaining(['Sổ sức khỏe điện tử', 'Bluezone']));
    expect(tn).toMatch(/<w:i\/>(?:(?!<\/w:r>).)*có hướng dẫn cài đặt kèm theo/s);
    // "- Các Sở…:" / "+ Quan tâm…" stay one paragraph with line breaks.
    expect(await docxXml(files.haTinh)).toMatch(/đoàn thể cấp tỉnh:<\/w:t><\/w:r><w:r>(<w:rPr>(?:(?!<\/w:rPr>).)*<\/w:rPr>)?<w:br\/>/s);
  });

  it('converted by LibreOffice, each shows the structure of its original', () => {
    // The DOCX does not depend on the database: LibreOffice reads it once, in the first lane.
    if (ctx().lane !== 'sqlite' || !tools('soffice', 'pdftotext')) return;
    const pages = libreOfficePages(files);
    const all = (name: string) => pages[name].join('\n');

    // Hà Tĩnh: the number continues the paper register; V/v breaks where chosen; the name never leaves "THÔNG" alone.
    expect(linesOf(all('haTinh'))).toContain('Số: 1399/STTTT-TTBCXB');
    // The chosen break, then the rest wrapped where the DOCX says (LibreOffice adds none), no lone word.
    const vv = linesOf(all('haTinh'));
    const first = vv.indexOf('V/v tiếp tục tuyên truyền cài đặt, sử dụng');
    expect(first).toBeGreaterThanOrEqual(0);
    const rest = vv.slice(first + 1, first + 3);
    expect(rest.join(' ')).toBe('phần mềm ứng dụng “Sổ sức khỏe điện tử” trên địa bàn tỉnh.');
    for (const l of rest) expect(l.split(' ').length).toBeGreaterThan(1);
    expect(linesOf(all('haTinh'))).not.toContain('THÔNG');
    expectLinesInOrder(all('haTinh'), ['KT. GIÁM ĐỐC', 'PHÓ GIÁM ĐỐC', 'Đậu Tùng Lâm']);
    expect(linesOf(all('haTinh'))).toContain('- Lưu: VT, TTBCXB.');

    // Vĩnh Phúc: unnumbered, the V/v on two chosen lines, the figures' text intact.
    expect(all('vinhPhuc')).toMatch(/Số:\s+\/STTTT-TTCNTT/);
    expectLinesInOrder(all('vinhPhuc'), ['V/v cài đặt và sử dụng', 'phần mềm Sổ sức khỏe điện tử']);
    expect(all('vinhPhuc').replace(/\s+/g, ' ')).toContain('toàn tỉnh đã tiêm được 427.510 mũi tiêm');
    expectLinesInOrder(all('vinhPhuc'), ['KT. GIÁM ĐỐC', 'PHÓ GIÁM ĐỐC', 'Vũ Mạnh Toàn']);
    expect(linesOf(all('vinhPhuc'))).toContain('- Lưu: VT, TTCNTT.');

    // Thái Nguyên: the extra title between the position and the name; "Lưu: VT." alone.
    expectLinesInOrder(all('thaiNguyen'), ['KT. GIÁM ĐỐC', 'PHÓ GIÁM ĐỐC', 'Trưởng Tiểu ban UDCNTTQLTC', 'Phạm Quang Hiếu']);
    const tn = linesOf(all('thaiNguyen'));
    // The second title line wraps in the signer's column (14 pt bold); it stays between the first and the name.
    expect(tn.slice(tn.indexOf('Trưởng Tiểu ban UDCNTTQLTC') + 1, tn.indexOf('Phạm Quang Hiếu')).join(' ')).toBe('vắc xin phòng COVID-19 và truyền thông');
    expect(linesOf(all('thaiNguyen'))).toContain('- Lưu: VT.');

    // Đồng Tháp: SỞ Y TẾ under its province, 3757, KHẨN in its box, GIÁM ĐỐC without prefix, the office's Lưu line.
    expectLinesInOrder(all('dongThap'), ['UBND TỈNH ĐỒNG THÁP', 'SỞ Y TẾ']);
    expect(linesOf(all('dongThap'))).toContain('Số: 3757/SYT-NVY');
    expect(linesOf(all('dongThap'))).toContain('KHẨN');
    expectLinesInOrder(all('dongThap'), ['V/v sử dụng sổ sức khỏe điện tử', 'và nền tảng tiêm chủng']);
    expectLinesInOrder(all('dongThap'), ['GIÁM ĐỐC', 'Nguyễn Lâm Thái Thuận']);
    expect(linesOf(all('dongThap'))).toContain('- Lưu: VT, NVY/nthvan.');

    // Lào Cai: the header on the two chosen lines; TM. + KT. for the vice-chairman; ô 12.
    expectLinesInOrder(all('laoCai'), ['ỦY BAN NHÂN DÂN', 'TỈNH LÀO CAI']);
    expect(linesOf(all('laoCai'))).toContain('Số: 3377/UBND-VX');
    expectLinesInOrder(all('laoCai'), ['TM. ỦY BAN NHÂN DÂN', 'KT. CHỦ TỊCH', 'PHÓ CHỦ TỊCH', 'Nguyễn Văn Ký']);
    expect(linesOf(all('laoCai'))).toContain('VX.(40)');

    // Never a signature block alone: the page with Nơi nhận also has the last body paragraph ("…./.").
    for (const [name, list] of Object.entries(pages)) {
      const signing = list.find((p) => p.includes('Nơi nhận:'))!;
      expect({ name, lastParagraphWithIt: /\.\/\./.test(signing) }).toEqual({ name, lastParagraphWithIt: true });
    }
  }, 240_000);

  it('refuses signer lines in a wrong order or with an unknown prefix, and a Lưu line not starting with VT: 400 naming the field, nothing stored', async () => {
    const c = ctx();
    const before = (await c.db('letters').count({ n: '*' }).first())!.n;
    const base = { issuingOrgId: laoCai.orgId, subject: 'thử', body: 'Thử.', place: 'Lào Cai', unitCode: 'VX' };
    const cases: [Record<string, unknown>, string, string][] = [
      [{ signer: { lines: ['TM. ỦY BAN NHÂN DÂN', 'PHÓ CHỦ TỊCH'], name: 'A' } }, 'signer.lines.1', 'cấp phó ký thay mặt tập thể'],
      [{ signer: { lines: ['KT. CHỦ TỊCH', 'TM. ỦY BAN NHÂN DÂN', 'PHÓ CHỦ TỊCH'], name: 'A' } }, 'signer.lines.1', '"TM." chỉ đứng ở dòng đầu'],
      [{ signer: { lines: ['XT. GIÁM ĐỐC', 'PHÓ GIÁM ĐỐC'], name: 'A' } }, 'signer.lines.0', 'tiền tố không hợp lệ'],
      [{ signer: { lines: ['KT. Giám đốc', 'PHÓ GIÁM ĐỐC'], name: 'A' } }, 'signer.lines.0', 'chữ in hoa'],
      [{ signer: { title: 'GIÁM ĐỐC', name: 'A' }, archive: 'NVY/nthvan' }, 'archive', 'phải bắt đầu bằng VT'],
    ];
    for (const [extra, field, vi] of cases) {
      const res = await c.as(laoCai.drafter).post('/api/v1/letters').set('Accept-Language', 'vi').send({ ...base, ...extra });
      expect({ field, status: res.status }).toEqual({ field, status: 400 });
      const fields = res.body.error.fields as Record<string, string>;
      expect(Object.keys(fields)).toEqual([field]);
      // The API's field messages are English (machine clients); pages show them in the user's language.
      expect(fieldMessage(fields[field], 'vi')).toContain(vi);
      expect(fieldMessage(fields[field], 'en').startsWith(fields[field])).toBe(true);
    }
    expect((await c.db('letters').count({ n: '*' }).first())!.n).toEqual(before);
    // A header name is printed upper case: a lower-case one is refused beside the field, the old one kept.
    const bad = await c.as(c.admin).patch(`/api/v1/orgs/${laoCai.orgId}`).send({ headerName: 'Ủy ban nhân dân\ntỉnh Lào Cai' });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.error.fields)).toEqual(['headerName']);
    expect((await c.as(c.admin).get(`/api/v1/orgs/${laoCai.orgId}`)).body.headerName).toBe('ỦY BAN NHÂN DÂN\nTỈNH LÀO CAI');
  });
});
