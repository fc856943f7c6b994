/** Issue 12's pure parts: signer lines, inline emphasis, header line breaks, and how the DOCX, PDF and preview carry them. */
import type { LetterDocument } from '../../src/letters/document';
import { agencyLayout, NOI_NHAN_HANG, renderLetterDocx, urgencyBox, urgencyIndent } from '../../src/letters/docx';
import { HEADER_TABLE_LEFT, TWIPS_PER_MM, URGENCY_TEXT } from '../../src/letters/format';
import { headerLines } from '../../src/letters/header-lines';
import { inlineLines, plainText } from '../../src/letters/inline';
import { layoutLetter } from '../../src/letters/pdf';
import { PREVIEW_CSS, renderLetterHtml } from '../../src/letters/preview';
import { linesFromFields, signerLineProblems } from '../../src/letters/signer-lines';
import { validateLetterDocx } from '../../src/letters/validate';
import { textWidth } from '../../src/letters/pdf/fonts';
import { docxXml } from './helpers';
import { draftFormError, formToLetter } from '../../src/letters/draft-form';
import { LetterCreate } from '../../src/letters/schemas';
import { parse } from '../../src/shared/validate';
import type { AppError } from '../../src/shared/errors';
import { fieldMessage } from '../../src/web/field-messages';

function letter(extra: Partial<LetterDocument> = {}): LetterDocument {
  return {
    parentAgency: 'UBND TỈNH ĐỒNG THÁP',
    issuingAgency: 'SỞ Y TẾ',
    number: 3757,
    symbol: 'SYT-NVY',
    place: 'Đồng Tháp',
    date: '2021-09-14',
    subject: 'sử dụng sổ sức khỏe điện tử và nền tảng tiêm chủng',
    urgency: 'KHAN',
    recipients: ['Các Sở, ban, ngành, đoàn thể Tỉnh', 'Ủy ban nhân dân huyện, thành phố'],
    body: [{ type: 'paragraph', text: 'Sở Y tế đề nghị các đơn vị phối hợp triển khai thực hiện.' }],
    signer: { authority: null, authorityTitle: null, title: 'GIÁM ĐỐC', name: 'Nguyễn Lâm Thái Thuận' },
    distribution: ['Như trên', 'UBND Tỉnh (b/c)', 'Lưu: VT, NVY/nthvan'],
    ...extra,
  };
}

describe('signer lines (ô 7a, §3.9)', () => {
  it.each([
    [['TM. ỦY BAN NHÂN DÂN', 'KT. CHỦ TỊCH', 'PHÓ CHỦ TỊCH']],
    [['TM. ỦY BAN NHÂN DÂN', 'CHỦ TỊCH']],
    [['KT. GIÁM ĐỐC', 'PHÓ GIÁM ĐỐC']],
    [['GIÁM ĐỐC']],
    [['Q. GIÁM ĐỐC']],
    [['TL. GIÁM ĐỐC', 'CHÁNH VĂN PHÒNG']],
    [['TUQ. CHỦ TỊCH', 'GIÁM ĐỐC SỞ Y TẾ']],
  ])('allows %j', (lines) => {
    expect(signerLineProblems(lines)).toEqual([]);
  });

  it.each([
    [['TM. ỦY BAN NHÂN DÂN', 'PHÓ CHỦ TỊCH'], 1, 'a deputy signing for a collective body'],
    [['KT. CHỦ TỊCH', 'TM. ỦY BAN NHÂN DÂN', 'PHÓ CHỦ TỊCH'], 1, 'TM. only on the first line'],
    [['TM. ỦY BAN NHÂN DÂN', 'KT. CHỦ TỊCH', 'Q. CHỦ TỊCH'], 2, 'only one of'],
    [['GIÁM ĐỐC', 'KT. GIÁM ĐỐC'], 1, 'comes first, or right after TM.'],
    [['XT. GIÁM ĐỐC', 'PHÓ GIÁM ĐỐC'], 0, 'unknown prefix'],
    [['KT. GIÁM ĐỐC'], 0, "needs the signer's own position"],
    [['KT. Giám đốc', 'PHÓ GIÁM ĐỐC'], 0, 'upper case'],
  ])('refuses %j at line %i', (lines, index, message) => {
    expect(signerLineProblems(lines)).toContainEqual({ index, message: expect.stringContaining(message) });
  });

  it('the older fields print the KT. line a vice-chairman signing for the committee needs', () => {
    expect(linesFromFields({ authority: 'TM.', authorityTitle: 'Ủy ban nhân dân', title: 'Phó Chủ tịch' })).toEqual(['TM. ỦY BAN NHÂN DÂN', 'KT. CHỦ TỊCH', 'PHÓ CHỦ TỊCH']);
    expect(linesFromFields({ authority: 'KT.', authorityTitle: 'GIÁM ĐỐC', title: 'PHÓ GIÁM ĐỐC' })).toEqual(['KT. GIÁM ĐỐC', 'PHÓ GIÁM ĐỐC']);
    expect(linesFromFields({ authority: null, authorityTitle: null, title: 'GIÁM ĐỐC' })).toEqual(['GIÁM ĐỐC']);
  });
});

describe('inline emphasis', () => {
  it('reads **bold**, *italic*, escapes and single-newline breaks; a lone marker prints as it is', () => {
    expect(inlineLines('đã tiêm **427.510** mũi, *có hướng dẫn*')).toEqual([
      [
        { text: 'đã tiêm ', bold: false, italic: false },
        { text: '427.510', bold: true, italic: false },
        { text: ' mũi, ', bold: false, italic: false },
        { text: 'có hướng dẫn', bold: false, italic: true },
      ],
    ]);
    expect(plainText('5 \\* 3 = 15 và 2 * 2')).toBe('5 * 3 = 15 và 2 * 2');
    expect(inlineLines('- Các sở:\n+ Quan tâm')).toEqual([[{ text: '- Các sở:', bold: false, italic: false }], [{ text: '+ Quan tâm', bold: false, italic: false }]]);
  });
});

describe('header line breaks', () => {
  const col = HEADER_TABLE_LEFT / 20;
  it('a name that does not fit breaks before, balanced, never leaving a lone word', () => {
    const lines = headerLines('SỞ THÔNG TIN VÀ TRUYỀN THÔNG', col, 12, 'bold');
    expect(lines.length).toBe(2);
    for (const l of lines) expect(l.split(' ').length).toBeGreaterThan(1);
    expect(lines.join(' ')).toBe('SỞ THÔNG TIN VÀ TRUYỀN THÔNG');
  });

  it('keeps the văn thư’s chosen breaks and a name that fits on one line', () => {
    expect(headerLines('ỦY BAN NHÂN DÂN\nTỈNH LÀO CAI', col, 12, 'bold')).toEqual(['ỦY BAN NHÂN DÂN', 'TỈNH LÀO CAI']);
    expect(headerLines('SỞ Y TẾ', col, 12, 'bold')).toEqual(['SỞ Y TẾ']);
    const vv = headerLines('V/v tiếp tục tuyên truyền cài đặt, sử dụng phần mềm ứng dụng “Sổ sức khỏe điện tử” trên địa bàn tỉnh.', col, 12, 'regular');
    for (const l of vv) {
      expect(l.split(' ').length).toBeGreaterThan(1);
      expect(textWidth(l, 12, 'regular')).toBeLessThanOrEqual(col);
    }
  });
});

describe('the layout of issue 12 in the DOCX, the PDF and the preview', () => {
  it('the rule under a short name is 1/3–1/2 of its printed line, drawn the same in all three', async () => {
    const doc = letter();
    const { ruleWidth } = agencyLayout(doc);
    const line = textWidth('SỞ Y TẾ', 12, 'bold') * 20;
    expect(ruleWidth / line).toBeGreaterThanOrEqual(1 / 3);
    expect(ruleWidth / line).toBeLessThanOrEqual(1 / 2);
    const xml = await docxXml(await renderLetterDocx(doc));
    const side = Math.round((HEADER_TABLE_LEFT - ruleWidth) / 2);
    expect(xml).toContain(`<w:ind w:left="${side}" w:right="${side}"/>`);
    expect(renderLetterHtml(doc)).toContain(`class="rule" style="width:${ruleWidth / 20}pt"`);
    const rule = layoutLetter(doc).pages[0].find((op) => op.t === 'line' && Math.abs(op.x2 - op.x1 - ruleWidth / 20) < 0.01);
    expect(rule).toBeDefined();
  });

  it('the urgency box has the stamp’s size (HỎA TỐC 30×8, THƯỢNG KHẨN 40×8, KHẨN 20×8 mm) and its text clears the box', async () => {
    for (const [urgency, mm] of [['KHAN', 20], ['THUONG_KHAN', 40], ['HOA_TOC', 30]] as const) {
      expect(textWidth(URGENCY_TEXT[urgency], 13, 'bold')).toBeLessThan((mm - 2) * (72 / 25.4));
      const box = urgencyBox(urgency);
      expect(box.width / TWIPS_PER_MM).toBeCloseTo(mm, 0);
      const side = urgencyIndent(urgency);
      // The borders (0.75 pt = 15 twips each) sit just outside the indents.
      expect(HEADER_TABLE_LEFT - 2 * side + 30).toBeCloseTo(box.width, -1);
      expect(await docxXml(await renderLetterDocx(letter({ urgency })))).toContain(`<w:ind w:left="${side}" w:right="${side}"/>`);
      // In the PDF: the box is `mm` wide and about 8 mm high, outside edge to outside edge.
      const lines = layoutLetter(letter({ urgency })).pages[0].filter((op) => op.t === 'line' && op.x1 === op.x2 && op.y2 - op.y1 > 15);
      const [l, r] = lines as { x1: number; y1: number; y2: number; width: number }[];
      const mmOf = (pt: number) => (pt / 72) * 25.4;
      expect(mmOf(r.x1 - l.x1 + l.width)).toBeCloseTo(mm, 0);
      expect({ urgency, height: Math.abs(mmOf(l.y2 - l.y1 + l.width) - 8) < 0.5 }).toEqual({ urgency, height: true });
    }
  });

  it('Nơi nhận items hang under their text; the last body paragraph keeps with the signature, whole; ô 12 and other titles print', async () => {
    const doc = letter({ signer: { authority: null, authorityTitle: null, title: 'GIÁM ĐỐC', name: 'Phạm Quang Hiếu', otherTitles: ['Trưởng Tiểu ban'] }, drafterMark: 'PL.(300)' });
    const xml = await docxXml(await renderLetterDocx(doc));
    expect(xml).toContain(`<w:ind w:left="${NOI_NHAN_HANG}" w:hanging="${NOI_NHAN_HANG}"/>`);
    expect(xml).toMatch(/<w:keepNext\/><w:keepLines\/>(?:(?!<\/w:p>).)*phối hợp triển khai thực hiện\.\/\./s);
    expect(xml.indexOf('Trưởng Tiểu ban')).toBeLessThan(xml.indexOf('Phạm Quang Hiếu'));
    expect(xml.indexOf('Lưu: VT, NVY/nthvan.')).toBeLessThan(xml.indexOf('PL.(300)'));
    const html = renderLetterHtml(doc);
    expect(html).toContain('<p class="ref">PL.(300)</p>');
    expect(PREVIEW_CSS).toContain(`padding-left:${NOI_NHAN_HANG / 20}pt`);
  });
});

describe('the validator checks the signer combinations', () => {
  it('TM. with a deputy title and no KT. is an error; with KT. it passes; other titles above the name are not ô 7a', async () => {
    const wrong = await validateLetterDocx(await renderLetterDocx(letter({ signer: { authority: null, authorityTitle: null, title: 'PHÓ CHỦ TỊCH', name: 'A', lines: ['TM. ỦY BAN NHÂN DÂN', 'PHÓ CHỦ TỊCH'] } })));
    expect(wrong.findings).toContainEqual(expect.objectContaining({ rule: 'chu-ky', severity: 'error', message: expect.stringContaining('a deputy signing for a collective body') }));
    const right = await validateLetterDocx(
      await renderLetterDocx(letter({ signer: { authority: null, authorityTitle: null, title: 'PHÓ CHỦ TỊCH', name: 'A', lines: ['TM. ỦY BAN NHÂN DÂN', 'KT. CHỦ TỊCH', 'PHÓ CHỦ TỊCH'], otherTitles: ['Trưởng Tiểu ban'] }, drafterMark: 'PL.(300)' })),
    );
    expect(right.findings.filter((f) => f.severity === 'error')).toEqual([]);
  });
});

describe('the draft form carries the printed lines, the other titles, Lưu and ô 12', () => {
  const form = {
    place: 'Lào Cai',
    subject: 'thử',
    body: 'Thử.',
    signerTitle: '',
    signerName: 'Nguyễn Văn A',
    signerLines: 'TM. ỦY BAN NHÂN DÂN\r\nKT. CHỦ TỊCH\r\nPHÓ CHỦ TỊCH',
    signerOtherTitles: '',
    archive: 'VT, VX/nva',
    drafterInitials: 'NVA',
    copies: '40',
    unitCode: 'VX',
  };

  it('a good form parses with the API schema: lines without a title, archive, initials and copies', () => {
    const input = parse(LetterCreate, formToLetter(form, 7));
    expect(input.signer).toMatchObject({ lines: ['TM. ỦY BAN NHÂN DÂN', 'KT. CHỦ TỊCH', 'PHÓ CHỦ TỊCH'], name: 'Nguyễn Văn A', otherTitles: [] });
    expect(input.signer.title).toBeUndefined();
    expect(input).toMatchObject({ archive: 'VT, VX/nva', drafterInitials: 'NVA', copies: 40 });
  });

  it('a wrong order shows beside the lines field, in Vietnamese; a Lưu not starting with VT beside its own', () => {
    const body = { ...form, signerLines: 'TM. ỦY BAN NHÂN DÂN\nPHÓ CHỦ TỊCH', archive: 'NVY' };
    let err: unknown;
    try {
      parse(LetterCreate, formToLetter(body, 7));
    } catch (e) {
      err = draftFormError(e, body, 'vi');
    }
    const fields = (err as AppError).fields!;
    expect(Object.keys(fields).sort()).toEqual(['archive', 'signerLines']);
    expect(fieldMessage(fields.signerLines, 'vi')).toContain('KT. <chức vụ người đứng đầu>');
    expect(fieldMessage(fields.archive, 'vi')).toContain('phải bắt đầu bằng VT');
  });
});
