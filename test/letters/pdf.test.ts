import { describeEachDb } from '../helpers/context';
import type { LetterDocument } from '../../src/letters/document';
import { renderLetterDocx } from '../../src/letters/docx';
import { DRAFT_MARK, renderLetterPdf } from '../../src/letters/pdf';
import { twoPageLetter } from '../../bench/letters.bench';
import { libreOfficePdfs, pdffonts, pdfPageCount, pdftotext, tools } from '../signing/tools';
import { binary, plainLetter, setUpDepartment, type Department } from './helpers';

const PARA =
  'Thực hiện Kế hoạch số 125/KH-UBND ngày 15 tháng 3 năm 2021 của Ủy ban nhân dân tỉnh, Sở Thông tin và Truyền thông đề nghị các cơ quan, đơn vị tuyên truyền, hướng dẫn cán bộ, công chức, viên chức và Nhân dân cài đặt ứng dụng Sổ sức khỏe điện tử.';

function letter(paragraphs: number, extra: Partial<LetterDocument> = {}): LetterDocument {
  return {
    parentAgency: 'UBND TỈNH HÀ TĨNH',
    issuingAgency: 'SỞ THÔNG TIN VÀ TRUYỀN THÔNG',
    number: 7,
    symbol: 'STTTT-TTBCXB',
    place: 'Hà Tĩnh',
    date: '2026-02-05',
    subject: 'tăng cường tuyên truyền cài đặt ứng dụng',
    urgency: null,
    recipients: ['Sở Y tế'],
    body: Array.from({ length: paragraphs }, (_, i) => ({ type: 'paragraph' as const, text: `${i + 1}. ${PARA}` })),
    signer: { authority: 'KT.', authorityTitle: 'GIÁM ĐỐC', title: 'PHÓ GIÁM ĐỐC', name: 'Nguyễn Văn Ánh' },
    distribution: ['Như trên', 'Lưu: VT, TTBCXB'],
    ...extra,
  };
}

describe('letter PDF', () => {
  it('holds the letter as text: number, date line, V/v, Kính gửi, body, signer; page numbers from page 2 only', async () => {
    if (!tools('pdftotext', 'pdfinfo')) return;
    const pdf = (await renderLetterPdf(twoPageLetter())).bytes;
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const text = pdftotext(pdf);
    for (const s of ['UBND TỈNH HÀ TĨNH', 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 'Độc lập - Tự do - Hạnh phúc', 'Số: 1399/STTTT-TTBCXB', 'Hà Tĩnh, ngày 21 tháng 10 năm 2021', 'V/v tiếp tục tuyên truyền', 'KHẨN', 'Kính gửi:', '- Trung tâm Kiểm soát bệnh tật tỉnh.', 'Nơi nhận:', '- Lưu: VT, TTBCXB.', 'KT. GIÁM ĐỐC', 'PHÓ GIÁM ĐỐC', 'Đậu Tùng Lâm', 'hằng tuần./.']) {
      expect(text).toContain(s);
    }
    expect(text).not.toContain(DRAFT_MARK);
    const pages = pdfPageCount(pdf);
    expect(pages).toBe(3);
    expect(pdftotext(pdf, { first: 1, last: 1 }).split('\n').map((l) => l.trim())).not.toContain('1');
    expect(pdftotext(pdf, { first: 2, last: 2 }).trim().split('\n')[0].trim()).toBe('2');
    expect(pdftotext(pdf, { first: 3, last: 3 }).trim().split('\n')[0].trim()).toBe('3');
  });

  it('embeds the free Tinos face (Vietnamese glyphs, searchable text), not Times New Roman', async () => {
    if (!tools('pdffonts', 'pdftotext')) return;
    const pdf = (await renderLetterPdf(letter(2))).bytes;
    const fonts = pdffonts(pdf);
    expect(fonts).toMatch(/Tinos-Regular\s+CID TrueType\s+Identity-H\s+yes\s+yes\s+yes/);
    expect(fonts).toMatch(/Tinos-Bold\b/);
    expect(fonts).not.toMatch(/Times/);
    // Every Vietnamese letter comes back out as written.
    expect(pdftotext(pdf).replace(/\s+/g, ' ')).toContain(PARA.replace('Thực hiện Kế hoạch số 125/KH-UBND ngày 15 tháng 3 năm 2021 của ', ''));
  });

  it('a draft has no number and no date, and says DỰ THẢO', async () => {
    if (!tools('pdftotext')) return;
    const pdf = await renderLetterPdf(letter(2, { number: null, date: null }));
    const text = pdftotext(pdf.bytes);
    expect(text).toContain(DRAFT_MARK);
    expect(text).toContain('Số:');
    expect(text).toContain('/STTTT-TTBCXB');
    expect(text).not.toMatch(/\d\/STTTT-TTBCXB/);
    expect(text).toMatch(/Hà Tĩnh, ngày\s+tháng\s+năm/);
  });

  it('the approval PDF leaves the number and date lines empty and says where they are', async () => {
    if (!tools('pdftotext')) return;
    const pdf = await renderLetterPdf(letter(1, { number: null, date: null }), { blankNumberAndDate: true });
    const text = pdftotext(pdf.bytes);
    expect(text).not.toContain('Số:');
    expect(text).not.toContain('Hà Tĩnh, ngày');
    expect(text).not.toContain(DRAFT_MARK);
    expect(pdf.marks.number).toMatchObject({ page: 0, size: 13 });
    expect(pdf.marks.date.x).toBeGreaterThan(pdf.marks.number.x + pdf.marks.number.w - 1);
    expect(pdf.marks.signatureGap.h).toBeGreaterThan(60);
    expect(pdf.marks.signerName.y).toBeCloseTo(pdf.marks.signatureGap.y + pdf.marks.signatureGap.h, 1);
  });

  it('has as many pages as LibreOffice gives the DOCX of the same letter', async () => {
    if (!tools('soffice', 'pdfinfo')) return;
    const docs: LetterDocument[] = [
      letter(1),
      letter(7),
      letter(9, { recipients: ['Các sở, ban, ngành cấp tỉnh', 'UBND các huyện, thành phố, thị xã', 'Báo Hà Tĩnh'], urgency: 'HOA_TOC' }),
      twoPageLetter(),
      letter(14, { parentAgency: null, recipients: [] }),
      // A table across a page break: rows kept whole, the header row repeated.
      letter(1, {
        body: [
          { type: 'paragraph', text: PARA },
          { type: 'table', header: ['STT', 'Đơn vị', 'Số', 'Tỷ lệ'], rows: Array.from({ length: 30 }, (_, i) => [String(i + 1), `UBND xã ${i} có tên khá dài để xuống dòng trong ô bảng này`, '12', '5,5']), widths: [1, 6, 2, 2] },
          { type: 'paragraph', text: PARA },
        ],
      }),
    ];
    const byLibreOffice = libreOfficePdfs(await Promise.all(docs.map((doc) => renderLetterDocx(doc)))).map(pdfPageCount);
    for (const [i, doc] of docs.entries()) {
      const pdf = await renderLetterPdf(doc);
      expect({ letter: i, pages: pdf.pages }).toEqual({ letter: i, pages: byLibreOffice[i] });
      expect(pdfPageCount(pdf.bytes)).toBe(pdf.pages);
    }
  }, 300_000);
});

describeEachDb('GET /api/v1/letters/:id/pdf', (ctx) => {
  let dep: Department;
  beforeAll(async () => {
    dep = await setUpDepartment(ctx());
  });

  it('serves the draft as a PDF to its organisation, 403 to another', async () => {
    const id = (await ctx().as(dep.drafter).post('/api/v1/letters').send(plainLetter(dep))).body.id;
    const res = await ctx().as(dep.drafter).get(`/api/v1/letters/${id}/pdf`).buffer(true).parse(binary);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toContain(`du-thao-${id}.pdf`);
    expect((res.body as Buffer).subarray(0, 5).toString()).toBe('%PDF-');
    if (tools('pdftotext')) expect(pdftotext(res.body)).toContain('V/v tăng cường tuyên truyền');
    const other = await setUpDepartment(ctx(), 'SGTVT');
    expect((await ctx().as(other.drafter).get(`/api/v1/letters/${id}/pdf`)).status).toBe(403);
  });
});
