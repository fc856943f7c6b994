import { describeEachDb } from '../helpers/context';
import { renderLetterDocx } from '../../src/letters/docx';
import { letterDocument } from '../../src/letters/build';
import { formatLegalDate, localDate } from '../../src/shared/time';
import { binary, plainLetter, setUpDepartment, type Department } from '../letters/helpers';
import { equip, guidePdf, makePki } from './helpers';
import { libreOfficePages, pdfPageCount, pdfsig, pdftotext, renderPage, tools } from './tools';
import fs from 'node:fs';
import request from 'supertest';
import { simpleParser } from 'mailparser';
import { drainOutbox } from '../../src/dispatch/worker';
import { verifyPdf } from '../../src/signing';
import path from 'node:path';

/** Dark pixels (< 128) of page 1 in a region given as fractions of the page. */
function darkIn(pdf: Buffer, region: { x0: number; x1: number; y0: number; y1: number }): number {
  const { width, height, pixels } = renderPage(pdf, 50);
  let n = 0;
  for (let y = Math.floor(region.y0 * height); y < region.y1 * height; y++) {
    for (let x = Math.floor(region.x0 * width); x < region.x1 * width; x++) if (pixels[y * width + x] < 128) n++;
  }
  return n;
}

describeEachDb('electronic letters: signed at approval and issue, verified by pdfsig and /verify', (ctx) => {
  let dep: Department;
  let letterId: number;
  let issued: Buffer;
  let attachmentOriginal: Buffer;

  beforeAll(async () => {
    dep = await setUpDepartment(ctx());
    await equip(ctx(), dep, makePki(ctx(), 'Lãnh đạo Sở', 'Sở Thông tin và Truyền thông'));
    ctx().setNow('2026-02-05T02:15:30Z'); // 09:15:30 in Hà Tĩnh
    const created = await ctx()
      .as(dep.drafter)
      .post('/api/v1/letters')
      .send(plainLetter(dep, { signer: { authority: 'KT.', authorityTitle: 'GIÁM ĐỐC', title: 'PHÓ GIÁM ĐỐC', name: 'Lãnh đạo Sở' } }));
    letterId = created.body.id;
    attachmentOriginal = await guidePdf();
    const att = await ctx().as(dep.drafter).post(`/api/v1/letters/${letterId}/attachments`).attach('file', attachmentOriginal, 'huong-dan-cai-dat.pdf');
    expect(att.status).toBe(201);
    expect((await ctx().as(dep.drafter).post(`/api/v1/letters/${letterId}/submit`)).status).toBe(200);
    const approve = await ctx().as(dep.approver).post(`/api/v1/letters/${letterId}/approve`);
    expect(approve.status).toBe(200);
    expect(approve.body.signatures).toEqual([expect.objectContaining({ kind: 'signer', subject: 'Lãnh đạo Sở' })]);
    const issue = await ctx().as(dep.secretary).post(`/api/v1/letters/${letterId}/issue`);
    expect(issue.status).toBe(200);
    expect(issue.body).toMatchObject({ number: 1, symbol: '01/STTTT-TTBCXB' });
    const letter = await ctx().as(dep.drafter).get(`/api/v1/letters/${letterId}`);
    expect(letter.body.signatures).toEqual([
      { kind: 'signer', subject: 'Lãnh đạo Sở', issuer: expect.stringContaining('Test Root CA'), signedAt: '2026-02-05T02:15:30.000Z' },
      { kind: 'organisation', subject: 'Sở Thông tin và Truyền thông', issuer: expect.stringContaining('Test Root CA'), signedAt: '2026-02-05T02:15:30.000Z' },
    ]);
    const res = await ctx().as(dep.drafter).get(`/api/v1/letters/${letterId}/pdf`).buffer(true).parse(binary);
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toContain('01-STTTT-TTBCXB.pdf');
    issued = res.body as Buffer;
  });

  it('the issued PDF carries two valid PAdES signatures: the first does not cover the whole file, the last does', () => {
    if (!tools('pdfsig')) return;
    const { status, out } = pdfsig(issued);
    expect(status).toBe(0);
    const sigs = out.split(/Signature #\d+:/).slice(1);
    expect(sigs).toHaveLength(2);
    for (const s of sigs) {
      expect(s).toContain('Signature Validation: Signature is Valid.');
      expect(s).toContain('Signature Type: ETSI.CAdES.detached');
    }
    expect(sigs[0]).toContain('Signer Certificate Common Name: Lãnh đạo Sở');
    expect(sigs[0]).toContain('Not total document signed');
    expect(sigs[1]).toContain('Signer Certificate Common Name: Sở Thông tin và Truyền thông');
    expect(sigs[1]).toContain('Total document signed');
  });

  it('its text holds the number, the date line, V/v and the signer, and it has the pages LibreOffice gives the DOCX', async () => {
    if (!tools('pdftotext', 'pdfinfo', 'soffice')) return;
    const text = pdftotext(issued);
    expect(text).toContain('Số: 01/STTTT-TTBCXB');
    expect(text).toContain(`Hà Tĩnh, ${formatLegalDate('2026-02-05')}`);
    expect(text).toContain('Hà Tĩnh, ngày 05 tháng 02 năm 2026');
    expect(text).toContain('V/v tăng cường tuyên truyền');
    expect(text).toContain('Lãnh đạo Sở');
    expect(text).not.toContain('DỰ THẢO');
    const { doc } = await letterDocument(ctx().db, letterId);
    expect(doc.date).toBe(localDate(new Date('2026-02-05T02:15:30Z')));
    expect(pdfPageCount(issued)).toBe(libreOfficePages(await renderLetterDocx(doc)));
  }, 120_000);

  it('shows the signature image between position and name, and the seal over its left third', async () => {
    if (!tools('pdftoppm')) return;
    const row = await ctx().db('letter_pdfs').where({ letter_id: letterId, stage: 'issued' }).whereNull('attachment_id').first();
    const layout = JSON.parse(row.layout) as { marks: Record<string, { page: number; x: number; y: number; w: number; h: number }>; signatureRect: number[] };
    const gap = layout.marks.signatureGap;
    const title = layout.marks.signerTitle;
    const name = layout.marks.signerName;
    const [x1, y1, x2, y2] = layout.signatureRect;
    // Between the position lines and the name, inside the signer's column.
    expect(y2).toBeLessThanOrEqual(841.9 - title.y - title.h + 0.5);
    expect(y1).toBeGreaterThanOrEqual(841.9 - name.y - 0.5);
    expect(x1).toBeGreaterThanOrEqual(gap.x);
    expect(x2).toBeLessThanOrEqual(gap.x + gap.w);
    const ink = (pdf: Buffer, r: number[]) => {
      const { width, height, pixels } = renderPage(pdf, 50, gap.page + 1);
      let n = 0;
      for (let py = Math.floor(((841.9 - r[3]) / 841.9) * height); py < ((841.9 - r[1]) / 841.9) * height; py++) {
        for (let px = Math.floor((r[0] / 595.3) * width); px < (r[2] / 595.3) * width; px++) if (pixels[py * width + px] < 160) n++;
      }
      return n;
    };
    const unsigned = (await import('../../src/letters/pdf')).renderLetterPdf((await letterDocument(ctx().db, letterId)).doc);
    const w = x2 - x1;
    const rightTwoThirds = [x1 + w / 2, y1, x2, y2];
    const leftOfSignature = [x1 - 40, y1, x1 + w / 3, y2];
    expect(ink((await unsigned).bytes, rightTwoThirds)).toBe(0);
    expect(ink(issued, rightTwoThirds)).toBeGreaterThan(30); // the blue signature
    expect(ink(issued, leftOfSignature)).toBeGreaterThan(100); // the red seal
  });

  it('/verify (no sign-in) reports both signatures intact and trusted; pdfsig and /verify see one changed byte', async () => {
    const ok = await request(ctx().app).post('/api/v1/verify').attach('file', issued, 'cv.pdf');
    expect(ok.status).toBe(200);
    expect(ok.body.signatures).toEqual([
      expect.objectContaining({ subject: 'Lãnh đạo Sở', organisation: 'Sở Thông tin và Truyền thông', intact: true, coversWholeDocument: false, certificateTrusted: true, signedAt: '2026-02-05T02:15:30.000Z' }),
      expect.objectContaining({ subject: 'Sở Thông tin và Truyền thông', intact: true, coversWholeDocument: true, certificateTrusted: true }),
    ]);
    const broken = Buffer.from(issued);
    const at = broken.indexOf('/Producer');
    broken[at + 12] ^= 0x01;
    const bad = await request(ctx().app).post('/api/v1/verify').attach('file', broken, 'cv.pdf');
    expect(bad.body.signatures.map((s: { intact: boolean }) => s.intact)).toEqual([false, false]);
    if (tools('pdfsig')) {
      const { out } = pdfsig(broken);
      expect(out.match(/Signature is Valid/g)).toBeNull();
      expect(out.match(/Digest Mismatch/g)).toHaveLength(2);
    }
  });

  it('each PDF attachment is signed by the organisation, with its stamp at the top right of page 1', async () => {
    const rows = await ctx().db('letter_pdfs').where({ letter_id: letterId }).whereNotNull('attachment_id');
    expect(rows).toHaveLength(1);
    const signed = fs.readFileSync(path.join(ctx().mediaDir, rows[0].rel_path));
    const report = await request(ctx().app).post('/api/v1/verify').attach('file', signed, 'hd.pdf');
    expect(report.body.signatures).toEqual([expect.objectContaining({ subject: 'Sở Thông tin và Truyền thông', intact: true, coversWholeDocument: true })]);
    if (!tools('pdfsig', 'pdftoppm')) return;
    expect(pdfsig(signed).out).toContain('Signature is Valid');
    const topRight = { x0: 0.6, x1: 1, y0: 0, y1: 0.12 };
    expect(darkIn(attachmentOriginal, topRight)).toBe(0);
    expect(darkIn(signed, topRight)).toBeGreaterThan(50);
  });

  it('dispatch e-mails the signed PDF, the DOCX as an editable copy and the signed attachment, and names who signed', async () => {
    const sent = await ctx().as(dep.secretary).post(`/api/v1/letters/${letterId}/dispatch`);
    expect(sent.status).toBe(202);
    await drainOutbox(ctx().deps);
    const dir = path.join(ctx().mediaDir, 'outbox');
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.eml'));
    expect(files.length).toBeGreaterThan(0);
    // The outbox also holds the workflow's notices (submitted, approved, issued): the letter is the one with attachments.
    const mails = await Promise.all(files.map(async (f) => simpleParser(fs.readFileSync(path.join(dir, f)))));
    const letters = mails.filter((m) => m.attachments.length > 0);
    expect(letters.length).toBeGreaterThan(0);
    const mail = letters[0];
    expect(mail.attachments.map((a) => a.filename)).toEqual(['01-STTTT-TTBCXB.pdf', '01-STTTT-TTBCXB.docx', 'huong-dan-cai-dat.pdf']);
    expect(mail.attachments[0].content.equals(issued)).toBe(true);
    expect(mail.text).toContain('đã được ký số bởi người ký Lãnh đạo Sở và bởi cơ quan ban hành Sở Thông tin và Truyền thông');
    expect(mail.text).toContain('http://vandong.test/verify');
    const att = verifyPdf(mail.attachments[2].content, { anchors: [] }, new Date());
    expect(att.signatures).toEqual([expect.objectContaining({ subject: 'Sở Thông tin và Truyền thông', intact: true })]);
  });
});
