import { Document, Packer, Paragraph, TextRun } from 'docx';
import { renderLetterDocx } from '../../src/letters/docx';
import { validateLetterDocx, type Finding } from '../../src/letters/validate';
import type { LetterDocument } from '../../src/letters/document';
import { formatLegalDate } from '../../src/shared/time';
import { docxParagraphs, docxXml, mutateDocx } from './helpers';

const base: LetterDocument = {
  parentAgency: 'UBND TỈNH ĐỒNG THÁP',
  issuingAgency: 'SỞ Y TẾ',
  number: 3757,
  symbol: 'SYT-NVY',
  place: 'Đồng Tháp',
  date: '2021-08-02',
  subject: 'triển khai cài đặt ứng dụng Sổ sức khỏe điện tử',
  urgency: 'KHAN',
  recipients: ['Bệnh viện Đa khoa tỉnh'],
  body: [
    { type: 'paragraph', text: 'Thực hiện chỉ đạo của Bộ Y tế, Sở Y tế đề nghị các đơn vị triển khai ngay.' },
    { type: 'table', header: ['STT', 'Đơn vị', 'Tỷ lệ (%)'], rows: [['1', 'Bệnh viện Đa khoa tỉnh', '82,5']] },
    { type: 'paragraph', text: 'Đề nghị các đơn vị nghiêm túc thực hiện.' },
  ],
  signer: { authority: null, authorityTitle: null, title: 'Giám đốc', name: 'Trần Văn B' },
  distribution: ['Như trên', 'Lưu: VT, NVY'],
};

const errors = (fs: Finding[]) => fs.filter((f) => f.severity === 'error');
const rulesOf = (fs: Finding[]) => [...new Set(errors(fs).map((f) => f.rule))];

describe('the date line follows the legal rule', () => {
  it.each([
    ['2021-08-02', 'ngày 02 tháng 8 năm 2021'],
    ['2026-02-05', 'ngày 05 tháng 02 năm 2026'],
    ['2021-01-31', 'ngày 31 tháng 01 năm 2021'],
    ['2019-06-29', 'ngày 29 tháng 6 năm 2019'],
    ['2021-10-21', 'ngày 21 tháng 10 năm 2021'],
    ['2021-12-09', 'ngày 09 tháng 12 năm 2021'],
  ])('%s → %s, in the DOCX too', async (date, expected) => {
    expect(formatLegalDate(date)).toBe(expected);
    const buf = await renderLetterDocx({ ...base, date });
    expect(await docxParagraphs(buf)).toContain(`Đồng Tháp, ${expected}`);
    expect((await validateLetterDocx(buf)).ok).toBe(true);
  });
});

describe('the DOCX renderer', () => {
  it('renders the Đồng Tháp letter: one recipient on the Kính gửi line, boxed KHẨN, the head signing without prefix', async () => {
    const buf = await renderLetterDocx(base);
    const paras = await docxParagraphs(buf);
    expect(paras).toContain('Kính gửi: Bệnh viện Đa khoa tỉnh');
    expect(paras).toContain('Số: 3757/SYT-NVY');
    expect(paras).toContain('KHẨN');
    expect(paras).toContain('GIÁM ĐỐC');
    expect(paras).toContain('Đề nghị các đơn vị nghiêm túc thực hiện./.');
    expect(await validateLetterDocx(buf)).toEqual({ ok: true, findings: [] });
    const xml = await docxXml(buf);
    expect(xml).toContain('<w:pgSz w:w="11906" w:h="16838" w:orient="portrait"/>');
    expect(xml).toContain('<w:titlePg/>');
  });

  it('pads numbers below 10 and several recipients become a dash list', async () => {
    const buf = await renderLetterDocx({ ...base, number: 7, recipients: ['Sở Nội vụ', 'Sở Tài chính;', 'Báo Đồng Tháp'] });
    const paras = await docxParagraphs(buf);
    expect(paras).toContain('Số: 07/SYT-NVY');
    expect(paras).toEqual(expect.arrayContaining(['Kính gửi:', '- Sở Nội vụ;', '- Sở Tài chính;', '- Báo Đồng Tháp.']));
    expect((await validateLetterDocx(buf)).ok).toBe(true);
  });

  it('a letter without a parent agency, urgency or body table still passes', async () => {
    const buf = await renderLetterDocx({ ...base, parentAgency: null, urgency: null, body: [{ type: 'paragraph', text: 'Nội dung.' }] });
    expect((await validateLetterDocx(buf)).ok).toBe(true);
  });
});

describe('the validator catches violations', () => {
  it('a plain DOCX in Arial with default margins fails on fonts, margins, page numbers and every missing part', async () => {
    const doc = new Document({
      styles: { default: { document: { run: { font: 'Arial', size: 24 } } } },
      sections: [{ properties: { page: { margin: { top: 720, bottom: 720, left: 720, right: 720 } } }, children: [new Paragraph({ children: [new TextRun('Công văn')] })] }],
    });
    const result = await validateLetterDocx(await Packer.toBuffer(doc));
    expect(result.ok).toBe(false);
    expect(rulesOf(result.findings)).toEqual(expect.arrayContaining(['font.family', 'page.margins', 'page.numbers', 'quoc-hieu', 'tieu-ngu', 'so-ky-hieu', 'ngay-thang', 'trich-yeu', 'kinh-gui', 'noi-nhan']));
  });

  it('a good letter with one font swapped to Arial fails on the font only', async () => {
    const good = await renderLetterDocx(base);
    const bad = await mutateDocx(good, 'word/document.xml', (x) => x.replace('<w:rPr>', '<w:rPr><w:rFonts w:ascii="Arial" w:hAnsi="Arial"/>'));
    const result = await validateLetterDocx(bad);
    expect(rulesOf(result.findings)).toEqual(['font.family']);
    expect(result.findings[0].message).toContain('Arial');
    const badDefault = await mutateDocx(good, 'word/styles.xml', (x) => x.replace(/w:ascii="Times New Roman"/, 'w:ascii="Arial"'));
    expect(rulesOf((await validateLetterDocx(badDefault)).findings)).toEqual(['font.family']);
  });

  it('wrong margins, a coloured run and a number on page 1 are caught', async () => {
    const good = await renderLetterDocx(base);
    let bad = await mutateDocx(good, 'word/document.xml', (x) => x.replace(/w:left="1701"/, 'w:left="1134"').replace(/<w:titlePg\/>/, '').replace('<w:rPr>', '<w:rPr><w:color w:val="FF0000"/>'));
    const result = await validateLetterDocx(bad);
    expect(rulesOf(result.findings)).toEqual(expect.arrayContaining(['page.margins', 'page.numbers', 'font.color']));
    bad = await mutateDocx(good, 'word/document.xml', (x) => x.replace(/<w:pgSz [^>]+\/>/, '<w:pgSz w:w="12240" w:h="15840"/>'));
    expect(rulesOf((await validateLetterDocx(bad)).findings)).toEqual(['page.size']);
  });

  it('date and number rules: missing leading zeros are errors, "tháng 08" is a warning, "CV" and outdated codes are errors', async () => {
    const good = await renderLetterDocx(base);
    const swap = async (from: string, to: string) => validateLetterDocx(await mutateDocx(good, 'word/document.xml', (x) => x.replace(from, to)));
    expect(rulesOf((await swap('ngày 02 tháng 8', 'ngày 2 tháng 8')).findings)).toEqual(['ngay-thang']);
    const month08 = await swap('ngày 02 tháng 8', 'ngày 02 tháng 08');
    expect(month08.ok).toBe(true);
    expect(month08.findings).toEqual([expect.objectContaining({ rule: 'ngay-thang', severity: 'warning' })]);
    expect(rulesOf((await swap('ngày 02 tháng 8', 'ngày 05 tháng 2')).findings)).toEqual(['ngay-thang']);
    expect(rulesOf((await swap('Số: 3757/SYT-NVY', 'Số: 7/SYT-NVY')).findings)).toEqual(['so-ky-hieu']);
    expect(rulesOf((await swap('Số: 3757/SYT-NVY', 'Số:3757 /SYT-NVY')).findings)).toEqual(['so-ky-hieu']);
    expect(rulesOf((await swap('Số: 3757/SYT-NVY', 'Số: 3757/CV-SYT')).findings)).toEqual(['ky-hieu.type-code']);
    expect(rulesOf((await swap('Số: 3757/SYT-NVY', 'Số: 3757/GT-SYT')).findings)).toEqual(['ky-hieu.type-code']);
  });

  it('bold/italic and size rules of V/v, Nơi nhận, the signer and the body', async () => {
    const good = await renderLetterDocx(base);
    const xml = await docxXml(good);
    // make the V/v run italic
    const vv = xml.indexOf('V/v triển khai');
    const runStart = xml.lastIndexOf('<w:rPr>', vv);
    const italicVv = xml.slice(0, runStart) + '<w:rPr><w:i/>' + xml.slice(runStart + '<w:rPr>'.length);
    const r1 = await validateLetterDocx(await mutateDocx(good, 'word/document.xml', () => italicVv));
    expect(rulesOf(r1.findings)).toEqual(['trich-yeu']);
    // body not justified, no indent
    const r2 = await validateLetterDocx(await mutateDocx(good, 'word/document.xml', (x) => x.replace(/<w:jc w:val="both"\/>/g, '<w:jc w:val="left"/>').replace(/<w:ind w:firstLine="567"\/>/g, '')));
    expect(rulesOf(r2.findings)).toEqual(['noi-dung']);
    // Nơi nhận without "Lưu"
    const r3 = await validateLetterDocx(await renderLetterDocx({ ...base, distribution: ['Như trên', 'Giám đốc Sở'] }));
    expect(rulesOf(r3.findings)).toEqual(['noi-nhan']);
    // academic title before the name
    const r4 = await validateLetterDocx(await renderLetterDocx({ ...base, signer: { ...base.signer, name: 'TS. Trần Văn B' } }));
    expect(rulesOf(r4.findings)).toEqual(['chu-ky']);
  });
});

describe('the validator checks the calendar and the page flow', () => {
  it('an impossible date is not a real date: 30 tháng 02, 29 tháng 02 of a common year, 31 tháng 4; 29 tháng 02 of a leap year is', async () => {
    const good = await renderLetterDocx(base);
    const swap = async (to: string) => validateLetterDocx(await mutateDocx(good, 'word/document.xml', (x) => x.replace('ngày 02 tháng 8 năm 2021', to)));
    for (const bad of ['ngày 30 tháng 02 năm 2026', 'ngày 29 tháng 02 năm 2021', 'ngày 31 tháng 4 năm 2021', 'ngày 29 tháng 02 năm 1900']) {
      const r = await swap(bad);
      expect(r.findings).toEqual([{ rule: 'ngay-thang', severity: 'error', message: `"Đồng Tháp, ${bad}" is not a real date` }]);
    }
    expect(await swap('ngày 29 tháng 02 năm 2024')).toEqual({ ok: true, findings: [] });
    expect(await swap('ngày 29 tháng 02 năm 2000')).toEqual({ ok: true, findings: [] });
  });

  it('the signature block is kept with the last body paragraph (w:keepNext) and its row cannot split (w:cantSplit)', async () => {
    for (const doc of [base, { ...base, body: [{ type: 'paragraph' as const, text: 'Nội dung.' }, base.body[1]] }]) {
      const good = await renderLetterDocx(doc);
      expect(await validateLetterDocx(good)).toEqual({ ok: true, findings: [] });
      const loose = await validateLetterDocx(await mutateDocx(good, 'word/document.xml', (x) => x.replace(/<w:keepNext\/>/g, '')));
      expect(loose.findings).toEqual([expect.objectContaining({ rule: 'chu-ky.keep', severity: 'error' })]);
      const split = await validateLetterDocx(await mutateDocx(good, 'word/document.xml', (x) => x.replace(/<w:cantSplit\/>/g, '')));
      expect(split.findings).toEqual([expect.objectContaining({ rule: 'chu-ky.keep', message: expect.stringContaining('w:cantSplit') })]);
    }
  });
});
