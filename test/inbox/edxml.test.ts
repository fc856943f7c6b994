import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { buildEdxml, EDXML_NS, parseEdxml, type EdxmlMessage } from '../../src/inbox/edxml';
import { AppError } from '../../src/shared/errors';

/** The edXML envelope (QCVN 102:2016) as a pure module: the standard's example read back, our own written and read, refusals. */
const fixture = fs.readFileSync(path.join(__dirname, 'fixtures', 'van-phong-ubnd-125.edxml'));

const codeOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return `${err.kind}:${err.code}`;
    throw err;
  }
  throw new Error('did not throw');
};

describe('edXML', () => {
  it('reads the hand-written envelope of the standard: header, both recipients, signer, priority, and the parts by the manifest', () => {
    const m = parseEdxml(fixture);
    expect(m.from).toMatchObject({ organId: '000.00.00.H42', organName: 'Văn phòng Ủy ban nhân dân tỉnh Hà Tĩnh', email: 'vpubnd@hatinh.gov.vn' });
    expect(m.to.map((t) => t.organId)).toEqual(['000.00.31.H42', '000.00.99.H42']);
    expect(m).toMatchObject({ codeNumber: '125', codeNotation: 'VP-KGVX', place: 'Hà Tĩnh', promulgationDate: '2026-11-20', priority: 1 });
    expect(m.documentType).toEqual({ type: 2, typeName: 'Công văn' });
    expect(m.subject).toBe('triển khai Sổ sức khỏe điện tử trong tháng 12 năm 2026');
    expect(m.signer).toEqual({ competence: 'KT. CHÁNH VĂN PHÒNG', position: 'PHÓ CHÁNH VĂN PHÒNG', fullName: 'Nguyễn Thị Hoa' });
    expect(m.files.map((f) => [f.name, f.contentType])).toEqual([
      ['125-VP-KGVX.pdf', 'application/pdf'],
      ['danh-sach-don-vi.txt', 'text/plain'],
    ]);
    expect(m.files[0].content.subarray(0, 8).toString()).toBe('%PDF-1.4');
    expect(m.files[1].content.toString()).toContain('So Y te');
  });

  it('writes an envelope that reads back to the same message, every byte of binary parts included', () => {
    const files = [
      { name: '01-STTTT-TTBCXB.pdf', contentType: 'application/pdf', content: Buffer.concat([Buffer.from('%PDF-1.7\n'), crypto.randomBytes(70_001)]) },
      { name: 'phụ lục & hướng dẫn <1>.docx', contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', content: crypto.randomBytes(5_003) },
      { name: 'rỗng.bin', contentType: 'application/octet-stream', content: Buffer.alloc(0) },
    ];
    const message: EdxmlMessage = {
      documentId: 'x',
      from: { organId: '000.00.31.H42', organName: 'Sở "Thông tin" & Truyền thông', email: 'stttt@hatinh.gov.vn' },
      to: [{ organId: '000.00.33.H42', organName: 'Sở Y tế' }, { organId: '', organName: 'Báo Hà Tĩnh' }],
      codeNumber: '01',
      codeNotation: 'STTTT-TTBCXB',
      place: 'Hà Tĩnh',
      promulgationDate: '2026-12-02',
      documentType: { type: 2, typeName: 'Công văn' },
      subject: 'tuyên truyền <ứng dụng> & cài đặt',
      signer: { competence: 'KT. GIÁM ĐỐC', position: 'PHÓ GIÁM ĐỐC', fullName: 'Đậu Tùng Lâm' },
      priority: 3,
      files,
    };
    const xml = buildEdxml(message);
    expect(xml).toContain(`xmlns:edXML="${EDXML_NS}"`);
    const back = parseEdxml(Buffer.from(xml, 'utf8'));
    expect(back.files.map((f) => f.name)).toEqual(files.map((f) => f.name));
    back.files.forEach((f, i) => expect(f.content.equals(files[i].content)).toBe(true));
    expect(back).toMatchObject({ codeNumber: '01', codeNotation: 'STTTT-TTBCXB', subject: message.subject, priority: 3, promulgationDate: '2026-12-02' });
    expect(back.from.organName).toBe(message.from.organName);
    expect(back.to.map((t) => t.organId)).toEqual(['000.00.33.H42', '']);
  });

  it('refuses entity declarations before parsing: the billion laughs and an external entity (XXE)', () => {
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><edXML:edXMLEnvelope xmlns:edXML="${EDXML_NS}">&lol2;</edXML:edXMLEnvelope>`;
    const xxe = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><edXML:edXMLEnvelope xmlns:edXML="${EDXML_NS}"><edXML:edXMLHeader><edXML:MessageHeader><edXML:Subject>&x;</edXML:Subject></edXML:MessageHeader></edXML:edXMLHeader></edXML:edXMLEnvelope>`;
    expect(codeOf(() => parseEdxml(laughs))).toBe('invalid:EDXML_DTD');
    expect(codeOf(() => parseEdxml(xxe))).toBe('invalid:EDXML_DTD');
  });

  it('refuses what is not well-formed, not an envelope, or lacks a part the standard requires', () => {
    const text = fixture.toString('utf8');
    expect(codeOf(() => parseEdxml('<edXML:edXMLEnvelope xmlns:edXML="x"><a></b>'))).toBe('invalid:EDXML_MALFORMED');
    expect(codeOf(() => parseEdxml('not xml at all'))).toBe('invalid:EDXML_MALFORMED');
    expect(codeOf(() => parseEdxml(text.replaceAll(EDXML_NS, 'http://example.org/other')))).toBe('invalid:EDXML_NOT_ENVELOPE');
    expect(codeOf(() => parseEdxml(text.replace(/<edXML:To>[\s\S]*?<\/edXML:To>/g, '')))).toBe('invalid:EDXML_MISSING_PART');
    expect(codeOf(() => parseEdxml(text.replace(/<edXML:Subject>.*<\/edXML:Subject>/, '')))).toBe('invalid:EDXML_MISSING_PART');
    expect(codeOf(() => parseEdxml(text.replace(/<edXML:edXMLManifest>[\s\S]*<\/edXML:edXMLManifest>/, '')))).toBe('invalid:EDXML_MISSING_PART');
    expect(codeOf(() => parseEdxml(text.replace(/<edXML:Attachment edXML:ContentId="2"[\s\S]*?<\/edXML:Attachment>/, '')))).toBe('invalid:EDXML_ATTACHMENT_MISSING');
    expect(codeOf(() => parseEdxml(text.replace('RGFuaCBzYWNo', 'RGFuaCBzYWNi')))).toBe('invalid:EDXML_ATTACHMENT_CORRUPT');
    expect(codeOf(() => parseEdxml(text.replace('2026-11-20</edXML:PromulgationDate>', 'hôm qua</edXML:PromulgationDate>')))).toBe('invalid:EDXML_BAD_DATE');
  });
});
