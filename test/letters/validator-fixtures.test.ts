/**
 * The validator on letters made by other tools (test/letters/fixtures, built by make-fixtures.ts): Word-style
 * DOCX formatted through styles, and LibreOffice's own DOCX output, correct and broken. Every fixture's findings
 * must be exactly the expected ones: no false positives, no false negatives.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import JSZip from 'jszip';
import { validateLetterDocx, type Finding } from '../../src/letters/validate';
import { decode, detectLegacyEncoding, encode } from '../../src/letters/validate/legacy-encoding';
import { wordFixtures } from './fixtures/make-fixtures';

const DIR = path.join(__dirname, 'fixtures');

/** Expected findings per fixture: "severity rule", one entry per finding, with what the message must say. */
const EXPECTED: Record<string, { tool: string; expect: [string, RegExp][] }> = {
  'word-letter.docx': { tool: 'Word-style (styles only)', expect: [] },
  'word-arial-style.docx': { tool: 'Word-style', expect: [['error font.family', /Arial/]] },
  'word-nfd.docx': { tool: 'Word-style', expect: [['warning text.nfd', /decomposed Unicode \(NFD\)/]] },
  'word-tcvn3.docx': { tool: 'Word-style', expect: [['error text.encoding', /TCVN3.*reads "Thực hiện chỉ đạo/]] },
  'word-vni.docx': { tool: 'Word-style', expect: [['error text.encoding', /VNI.*reads "Thực hiện chỉ đạo/]] },
  'word-feb30.docx': { tool: 'Word-style', expect: [['error ngay-thang', /ngày 30 tháng 02 năm 2026" is not a real date/]] },
  'word-no-keep-next.docx': { tool: 'Word-style', expect: [['error chu-ky.keep', /not kept with the last body paragraph "Đề nghị/]] },
  'word-row-can-split.docx': { tool: 'Word-style', expect: [['error chu-ky.keep', /w:cantSplit/]] },
  'word-italic-subject.docx': { tool: 'Word-style', expect: [['error trich-yeu', /neither bold nor italic/]] },
  'word-strong-name.docx': { tool: 'Word-style', expect: [['error chu-ky', /signer name must be bold/]] },
  'lo-letter.docx': { tool: 'LibreOffice 7.4 (named styles)', expect: [] },
  'lo-roundtrip.docx': { tool: 'LibreOffice 7.4 (our DOCX re-saved)', expect: [] },
  'lo-arial-style.docx': { tool: 'LibreOffice 7.4', expect: [['error font.family', /Arial/]] },
  'lo-nfd.docx': { tool: 'LibreOffice 7.4', expect: [['warning text.nfd', /NFD/]] },
  'lo-tcvn3.docx': { tool: 'LibreOffice 7.4', expect: [['error text.encoding', /TCVN3/]] },
  'lo-feb30.docx': { tool: 'LibreOffice 7.4', expect: [['error ngay-thang', /is not a real date/]] },
  'lo-no-keep.docx': {
    tool: 'LibreOffice 7.4',
    expect: [
      ['error chu-ky.keep', /w:cantSplit/],
      ['error chu-ky.keep', /not kept with the last body paragraph/],
    ],
  },
};

const key = (f: Finding) => `${f.severity} ${f.rule}`;

/** Findings minus expectations (false positives) and expectations minus findings (false negatives), as multisets. */
function compare(findings: Finding[], expected: [string, RegExp][]) {
  const left = [...expected];
  const falsePositives: Finding[] = [];
  for (const f of findings) {
    const i = left.findIndex(([k, re]) => k === key(f) && re.test(f.message));
    if (i >= 0) left.splice(i, 1);
    else falsePositives.push(f);
  }
  return { falsePositives, falseNegatives: left };
}

describe('the validator on letters made by Word-style markup and by LibreOffice', () => {
  const rows: string[][] = [];
  afterAll(() => {
    const head = ['fixture', 'made by', 'expected', 'got', 'FP', 'FN'];
    const all = [head, ...rows];
    const width = head.map((_, c) => Math.max(...all.map((r) => r[c].length)));
    const line = (r: string[]) => `| ${r.map((x, c) => x.padEnd(width[c])).join(' | ')} |`;
    process.stdout.write(`\n${[line(head), `|${width.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n')}\n`);
  });

  it('every fixture on disk has an expectation, and the other way round', () => {
    expect(fs.readdirSync(DIR).filter((f) => f.endsWith('.docx')).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('%s: exactly the expected findings', async (file, { tool, expect: expected }) => {
    const result = await validateLetterDocx(fs.readFileSync(path.join(DIR, file)));
    const { falsePositives, falseNegatives } = compare(result.findings, expected);
    rows.push([
      file,
      tool,
      expected.map(([k]) => k).join(', ') || '(none)',
      result.findings.map(key).join(', ') || '(none)',
      String(falsePositives.length),
      String(falseNegatives.length),
    ]);
    expect({ file, falsePositives, falseNegatives: falseNegatives.map(([k, re]) => `${k} ${re}`) }).toEqual({ file, falsePositives: [], falseNegatives: [] });
    expect(result.ok).toBe(!expected.some(([k]) => k.startsWith('error')));
  });

  it('the checked-in Word-style fixtures are what make-fixtures.ts builds', async () => {
    for (const [file, buf] of await wordFixtures()) {
      const [built, stored] = await Promise.all([JSZip.loadAsync(buf), JSZip.loadAsync(fs.readFileSync(path.join(DIR, file)))]);
      for (const part of ['word/document.xml', 'word/styles.xml']) expect({ file, part, xml: await stored.file(part)!.async('string') }).toEqual({ file, part, xml: await built.file(part)!.async('string') });
    }
  });

  it('npm run check-letter prints the findings and exits 1 on errors, 0 without', async () => {
    const run = (...files: string[]) =>
      promisify(execFile)(path.join(__dirname, '../../node_modules/.bin/tsx'), ['src/letters/validate-cli.ts', ...files], { cwd: path.join(__dirname, '../..') }).then(
        (r) => ({ code: 0, out: r.stdout }),
        (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
      );
    const ok = await run(path.join(DIR, 'word-letter.docx'));
    expect(ok).toEqual({ code: 0, out: `${path.join(DIR, 'word-letter.docx')}: OK\n` });
    const bad = await run(path.join(DIR, 'lo-letter.docx'), path.join(DIR, 'word-feb30.docx'));
    expect(bad.code).toBe(1);
    expect(bad.out).toContain(`${path.join(DIR, 'word-feb30.docx')}: FAILED\n  error   ngay-thang         "Hà Tĩnh, ngày 30 tháng 02 năm 2026" is not a real date`);
  });
});

describe('TCVN3 / VNI recognition', () => {
  const vietnamese = 'Sở Thông tin và Truyền thông đề nghị các cơ quan, đơn vị tiếp tục tuyên truyền, hướng dẫn người dân cài đặt ứng dụng.';

  it('reads the examples of the issue: "Ch¬ng tr×nh" (TCVN3) and "Chöông trình" (VNI) are "Chương trình"', () => {
    expect(detectLegacyEncoding('Ch¬ng tr×nh c¶i c¸ch hµnh chÝnh')).toMatchObject({ encoding: 'TCVN3', decoded: 'Chơng trình cải cách hành chính' });
    expect(detectLegacyEncoding('Ch\u00ad¬ng tr×nh')).toMatchObject({ encoding: 'TCVN3', decoded: 'Chương trình' });
    expect(detectLegacyEncoding('Chöông trình caûi caùch haønh chính')).toMatchObject({ encoding: 'VNI', decoded: 'Chương trình cải cách hành chính' });
  });

  it('round-trips Vietnamese text through both encodings', () => {
    expect(decode(encode(vietnamese, 'VNI'), 'VNI')).toBe(vietnamese);
    expect(decode(encode(vietnamese, 'TCVN3'), 'TCVN3')).toBe(vietnamese);
  });

  it.each([
    vietnamese,
    'Ông François Müller và bà Zoë Ødegaard dự hội nghị',
    '«Sổ sức khỏe điện tử» © 2021, nhiệt độ 25°C, diện tích 30 m², tỷ lệ ½',
    'Căn cứ § 3 Điều 15 Nghị định số 30/2020/NĐ-CP',
    'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
  ])('does not flag Unicode text: %s', (text) => {
    expect(detectLegacyEncoding(text)).toBeNull();
  });
});
