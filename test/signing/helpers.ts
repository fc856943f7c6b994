import fs from 'node:fs';
import path from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import type { TestContext } from '../helpers/context';
import { pooledKeys } from '../helpers/keys';
import { addTrustedRoot, DemoCa, demoSealPng, demoSignaturePng } from '../../src/signing';
import type { Department } from '../letters/helpers';

export interface Pki {
  ca: DemoCa;
  approverP12: Buffer;
  orgP12: Buffer;
}

/** A throwaway CA (trusted by this installation), the approver's and the organisation's PKCS#12. */
export function makePki(ctx: TestContext, approverName: string, orgName: string): Pki {
  const valid = { notBefore: new Date('2025-06-01T00:00:00Z'), notAfter: new Date('2028-06-01T00:00:00Z') };
  const ca = DemoCa.create({ commonName: `Test Root CA ${ctx.lane}`, ...valid }, pooledKeys());
  addTrustedRoot(ctx.config, 'test-root.pem', ca.root.certPem);
  return {
    ca,
    approverP12: ca.pkcs12({ commonName: approverName, organisation: orgName, ...valid }, 'approver-pass').p12,
    orgP12: ca.pkcs12({ commonName: orgName, organisation: 'UBND tỉnh Hà Tĩnh', ...valid }, 'org-pass').p12,
  };
}

/** Uploads the approver's certificate and signature image, and the organisation's certificate and seal. */
export async function equip(ctx: TestContext, dep: Department, pki: Pki): Promise<void> {
  const ok = (res: { status: number; body: unknown }, what: string) => {
    if (res.status !== 201) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  };
  ok(await ctx.as(dep.approver).post(`/api/v1/users/${dep.approver.id}/certificate`).field('password', 'approver-pass').attach('file', pki.approverP12, 'lanhdao.p12'), 'approver certificate');
  ok(await ctx.as(dep.approver).post(`/api/v1/users/${dep.approver.id}/signature-image`).attach('file', demoSignaturePng(), 'chuky.png'), 'signature image');
  ok(await ctx.as(ctx.admin).post(`/api/v1/orgs/${dep.orgId}/certificate`).field('password', 'org-pass').attach('file', pki.orgP12, 'coquan.pfx'), 'organisation certificate');
  ok(await ctx.as(ctx.admin).post(`/api/v1/orgs/${dep.orgId}/seal`).attach('file', demoSealPng(), 'condau.png'), 'seal');
}

/** A two-page installation guide, as an agency would attach it (made by another producer than ours). */
export async function guidePdf(): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  for (let i = 1; i <= 2; i++) {
    const page = pdf.addPage([595, 842]);
    page.drawText(`Installation guide, page ${i}`, { x: 72, y: 700, size: 18, font });
  }
  return Buffer.from(await pdf.save());
}

/** Files under MEDIA_DIR/<kind> (to check that a refusal stored nothing). */
export function filesUnder(ctx: TestContext, kind: string): number {
  const dir = path.join(ctx.mediaDir, kind);
  if (!fs.existsSync(dir)) return 0;
  let n = 0;
  for (const sub of fs.readdirSync(dir)) n += fs.statSync(path.join(dir, sub)).isDirectory() ? fs.readdirSync(path.join(dir, sub)).length : 1;
  return n;
}
