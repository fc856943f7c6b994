/**
 * "render a 2-page letter to DOCX": letters per second through renderLetterDocx, against the raw docx Packer
 * building the same content with plain docx calls in the same run (ratio = ours / raw), and a batch spread over
 * the cores with worker_threads (target: more letters per second than raw on one core).
 */
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  AlignmentType,
  BorderStyle,
  Document,
  Header,
  Packer,
  PageNumber,
  Paragraph,
  Table,
  TableBorders,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
} from 'docx';
import type { BenchRow } from './run';
import type { LetterDocument } from '../src/letters/document';
import { renderLetterDocx } from '../src/letters/docx';
import { validateLetterDocx } from '../src/letters/validate';
import { renderLetterPdf } from '../src/letters/pdf';
import { DemoCa, KeySigner, readPkcs12, signPdf } from '../src/signing';

const SCENARIO = 'render a 2-page letter to DOCX';
const PARAGRAPH =
  'Thực hiện chỉ đạo của Ủy ban nhân dân tỉnh về đẩy mạnh chuyển đổi số, Sở Thông tin và Truyền thông đề nghị các cơ quan, đơn vị, địa phương tiếp tục tuyên truyền, hướng dẫn cán bộ, công chức, viên chức, người lao động và Nhân dân cài đặt, sử dụng ứng dụng Sổ sức khỏe điện tử; đăng ký tiêm chủng trên Nền tảng quản lý tiêm chủng COVID-19; tổng hợp kết quả thực hiện hằng tuần.';

/** About two A4 pages in the legal format: 12 body paragraphs, a figures table and six recipients. */
export function twoPageLetter(number: number | null = 1399): LetterDocument {
  return {
    parentAgency: 'UBND TỈNH HÀ TĨNH',
    issuingAgency: 'SỞ THÔNG TIN VÀ TRUYỀN THÔNG',
    number,
    symbol: 'STTTT-TTBCXB',
    place: 'Hà Tĩnh',
    date: '2021-10-21',
    subject: 'tiếp tục tuyên truyền, cài đặt và sử dụng ứng dụng Sổ sức khỏe điện tử',
    urgency: 'KHAN',
    recipients: ['Các sở, ban, ngành, đoàn thể cấp tỉnh', 'UBND các huyện, thành phố, thị xã', 'Các cơ quan báo chí trên địa bàn tỉnh', 'Các doanh nghiệp viễn thông', 'Bệnh viện Đa khoa tỉnh', 'Trung tâm Kiểm soát bệnh tật tỉnh'],
    body: [
      ...Array.from({ length: 6 }, (_, i) => ({ type: 'paragraph' as const, text: `${i + 1}. ${PARAGRAPH}` })),
      { type: 'table', header: ['STT', 'Đơn vị', 'Số cán bộ', 'Đã cài đặt', 'Tỷ lệ (%)'], rows: Array.from({ length: 8 }, (_, i) => [String(i + 1), `UBND huyện ${i + 1}`, '210', '180', '85,71']), widths: [1, 5, 2, 2, 2] },
      ...Array.from({ length: 6 }, (_, i) => ({ type: 'paragraph' as const, text: `${i + 7}. ${PARAGRAPH}` })),
    ],
    signer: { authority: 'KT.', authorityTitle: 'GIÁM ĐỐC', title: 'PHÓ GIÁM ĐỐC', name: 'Đậu Tùng Lâm' },
    distribution: ['Như trên', 'UBND tỉnh (để b/c)', 'Giám đốc, các PGĐ Sở', 'Lưu: VT, TTBCXB'],
  };
}

/** The same content written directly with the docx package (what a developer would do without our renderer). */
function rawDocx(doc: LetterDocument): Promise<Buffer> {
  const font = 'Times New Roman';
  const p = (text: string, size: number, o: { bold?: boolean; italics?: boolean; align?: (typeof AlignmentType)[keyof typeof AlignmentType]; indent?: boolean } = {}) =>
    new Paragraph({
      alignment: o.align ?? AlignmentType.CENTER,
      spacing: { after: o.indent ? 120 : 0 },
      indent: o.indent ? { firstLine: 567 } : undefined,
      children: [new TextRun({ text, font, size, bold: o.bold, italics: o.italics })],
    });
  const cell = (children: Paragraph[], w: number) => new TableCell({ width: { size: w, type: WidthType.DXA }, children });
  const head = new Table({
    width: { size: 9355, type: WidthType.DXA },
    columnWidths: [4111, 5244],
    borders: TableBorders.NONE,
    rows: [
      new TableRow({ children: [cell([p(doc.parentAgency!, 24), p(doc.issuingAgency, 24, { bold: true })], 4111), cell([p('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 24, { bold: true }), p('Độc lập - Tự do - Hạnh phúc', 26, { bold: true })], 5244)] }),
      new TableRow({ children: [cell([p(`Số: ${doc.number}/${doc.symbol}`, 26), p(`V/v ${doc.subject}`, 24), p('KHẨN', 26, { bold: true })], 4111), cell([p(`${doc.place}, ngày 21 tháng 10 năm 2021`, 26, { italics: true })], 5244)] }),
    ],
  });
  const body: (Paragraph | Table)[] = [head, p('Kính gửi:', 28), ...doc.recipients.map((r) => p(`- ${r};`, 28, { align: AlignmentType.LEFT }))];
  for (const b of doc.body) {
    if (b.type === 'paragraph') body.push(p(b.text, 28, { align: AlignmentType.BOTH, indent: true }));
    else {
      const border = { style: BorderStyle.SINGLE, size: 4, color: '000000' };
      const row = (cells: string[], bold: boolean) => new TableRow({ children: cells.map((c) => new TableCell({ borders: { top: border, bottom: border, left: border, right: border }, children: [p(c, 26, { bold })] })) });
      body.push(new Table({ width: { size: 9355, type: WidthType.DXA }, rows: [row(b.header, true), ...b.rows.map((r) => row(r, false))] }));
    }
  }
  body.push(
    new Table({
      width: { size: 9355, type: WidthType.DXA },
      columnWidths: [4536, 4819],
      borders: TableBorders.NONE,
      rows: [
        new TableRow({
          children: [
            cell([p('Nơi nhận:', 24, { bold: true, italics: true, align: AlignmentType.LEFT }), ...doc.distribution.map((d) => p(`- ${d};`, 22, { align: AlignmentType.LEFT }))], 4536),
            cell([p('KT. GIÁM ĐỐC', 28, { bold: true }), p('PHÓ GIÁM ĐỐC', 28, { bold: true }), p('', 28), p('', 28), p(doc.signer.name, 28, { bold: true })], 4819),
          ],
        }),
      ],
    }),
  );
  const d = new Document({
    styles: { default: { document: { run: { font, size: 28 } } } },
    sections: [
      {
        properties: { titlePage: true, page: { size: { width: 11906, height: 16838 }, margin: { top: 1134, bottom: 1134, left: 1701, right: 850 } } },
        headers: {
          first: new Header({ children: [new Paragraph({})] }),
          default: new Header({ children: [new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ children: [PageNumber.CURRENT], font, size: 28 })] })] }),
        },
        children: body,
      },
    ],
  });
  return Packer.toBuffer(d);
}

/** Letters per second of `fn` over `ms` of wall time. */
async function rate(fn: (i: number) => Promise<Buffer>, ms: number): Promise<number> {
  let n = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(ms) * 1_000_000n;
  while (process.hrtime.bigint() < end) await fn(n++);
  return n / (Number(process.hrtime.bigint() - start) / 1e9);
}

const WORKER_SOURCE = `
require('tsx/cjs/api').register();
const { parentPort, workerData } = require('node:worker_threads');
const { renderLetterDocx } = require(workerData.docxModule);
const { twoPageLetter } = require(workerData.benchModule);
parentPort.on('message', async ({ count, first }) => {
  for (let i = 0; i < count; i++) await renderLetterDocx(twoPageLetter(first + i));
  parentPort.postMessage(count);
});
`;

/** A batch of letters split over worker threads (one per core); returns letters per second. */
async function batchOnWorkers(total: number, threads: number): Promise<number> {
  const workers = Array.from(
    { length: threads },
    () => new Worker(WORKER_SOURCE, { eval: true, workerData: { docxModule: path.join(__dirname, '../src/letters/docx.ts'), benchModule: __filename } }),
  );
  const job = (w: Worker, count: number, first: number) =>
    new Promise<void>((resolve, reject) => {
      w.once('message', () => resolve());
      w.once('error', reject);
      w.postMessage({ count, first });
    });
  try {
    await Promise.all(workers.map((w, i) => job(w, 30, i * 1000))); // warm-up (module load, JIT)
    const start = process.hrtime.bigint();
    const per = Math.ceil(total / threads);
    await Promise.all(workers.map((w, i) => job(w, per, 10_000 + i * per)));
    return (per * threads) / (Number(process.hrtime.bigint() - start) / 1e9);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

const PDF_SCENARIO = 'render a 2-page letter to PDF';
const SIGN_SCENARIO = 'sign a 2-page PDF (PAdES, RSA 2048, incremental update)';

/** PDF rendering against the DOCX render in the same run, and signing with a throwaway PKCS#12. */
async function pdfBench(): Promise<BenchRow[]> {
  const sample = await renderLetterPdf(twoPageLetter());
  await rate((i) => renderLetterPdf(twoPageLetter(i + 1)).then((r) => r.bytes), 1500);
  let pdf = 0;
  let docx = 0;
  const rounds = 3;
  for (let r = 0; r < rounds; r++) {
    pdf += await rate((i) => renderLetterPdf(twoPageLetter(i + 1)).then((x) => x.bytes), 2000);
    docx += await rate((i) => renderLetterDocx(twoPageLetter(i + 1)), 2000);
  }
  pdf /= rounds;
  docx /= rounds;
  const ca = DemoCa.create();
  const { p12 } = ca.pkcs12({ commonName: 'Sở Thông tin và Truyền thông' }, 'bench');
  const { key, chain } = readPkcs12(p12, 'bench');
  const signer = new KeySigner('pkcs12', key, chain);
  const blank = (await renderLetterPdf(twoPageLetter(null), { blankNumberAndDate: true })).bytes;
  const time = new Date();
  await rate(() => signPdf(blank, { signer, time }), 1000);
  const sign = await rate(() => signPdf(blank, { signer, time, name: 'Bench' }), 4000);
  return [
    { scenario: PDF_SCENARIO, metric: 'pages (LibreOffice gives the DOCX the same)', value: sample.pages, unit: 'pages' },
    { scenario: PDF_SCENARIO, metric: 'PDF size (Tinos subsets embedded)', value: Math.round(sample.bytes.length / 1024), unit: 'KB' },
    { scenario: PDF_SCENARIO, metric: 'renderLetterPdf, one core', value: pdf, unit: 'letters/s' },
    { scenario: PDF_SCENARIO, metric: 'renderLetterDocx in the same run', value: docx, unit: 'letters/s' },
    { scenario: PDF_SCENARIO, metric: 'PDF / DOCX render rate', value: pdf / docx, unit: '×' },
    { scenario: SIGN_SCENARIO, metric: 'signPdf, one core', value: sign, unit: 'signatures/s' },
  ];
}

export async function run(): Promise<BenchRow[]> {
  const sample = await renderLetterDocx(twoPageLetter());
  const check = await validateLetterDocx(sample);
  if (!check.ok) throw new Error(`bench letter fails the validator: ${JSON.stringify(check.findings)}`);
  // warm-up both paths, then interleave rounds so both see the same machine load
  await rate((i) => renderLetterDocx(twoPageLetter(i + 1)), 1500);
  await rate(() => rawDocx(twoPageLetter()), 1500);
  let ours = 0;
  let raw = 0;
  const rounds = 4;
  for (let r = 0; r < rounds; r++) {
    ours += await rate((i) => renderLetterDocx(twoPageLetter(i + 1)), 2500);
    raw += await rate(() => rawDocx(twoPageLetter()), 2500);
  }
  ours /= rounds;
  raw /= rounds;
  const threads = Math.max(1, Math.min(2, os.availableParallelism?.() ?? os.cpus().length));
  const batch = await batchOnWorkers(Math.round(raw * 8), threads);
  const pdfRows = await pdfBench();
  return [
    ...pdfRows,
    { scenario: SCENARIO, metric: 'DOCX size', value: Math.round(sample.length / 1024), unit: 'KB' },
    { scenario: SCENARIO, metric: 'renderLetterDocx, one core', value: ours, unit: 'letters/s' },
    { scenario: SCENARIO, metric: 'raw docx Packer, same content, one core', value: raw, unit: 'letters/s', target: '~140 letters/s/core on these machines' },
    { scenario: SCENARIO, metric: 'time ratio ours / raw', value: raw / ours, unit: '×', target: '≤ 1.2×' },
    { scenario: SCENARIO, metric: `batch on ${threads} worker threads`, value: batch, unit: 'letters/s', target: `> raw one core (${raw.toFixed(0)})` },
  ];
}
