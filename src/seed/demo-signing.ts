/**
 * The demo's digital signatures: a throwaway demo CA (trusted by this installation only: its root goes to the
 * trust folder), a certificate with a blue signature image for the demo approver, and a certificate with a red
 * seal for the demo Sở, so the demo directive is a signed electronic letter. Skipped when they already exist.
 * The demo CA has no legal value; production certificates come from a licensed CA (VGCA for state bodies).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Ctx, Deps } from '../deps';
import { findActorByEmail, installationAdmin, type Actor } from '../auth';
import { findOrgByCode } from '../orgs';
import { tmpDir } from '../shared/media';
import { addTrustedRoot, DemoCa, demoSealPng, demoSignaturePng, getCertificate, uploadCertificate, uploadImage } from '../signing';

function tempFile(deps: Deps, data: Buffer): { path: string } {
  const file = path.join(tmpDir(deps.config.MEDIA_DIR), `seed-${crypto.randomBytes(8).toString('hex')}`);
  fs.writeFileSync(file, data);
  return { path: file };
}

/** The installation's administrator uploads the organisation's certificate and seal; the approver their own. */
export async function seedDemoSigning(deps: Deps, approverEmail: string, orgCode: string): Promise<boolean> {
  const admin = await installationAdmin(deps.db);
  const approver = await findActorByEmail(deps.db, approverEmail);
  const org = await findOrgByCode(deps.db, orgCode);
  if (!admin || !approver || !org) return false;
  const ctx = (actor: Actor): Ctx => ({ ...deps, actor });
  const has = await getCertificate(ctx(approver), { type: 'user', id: approver.id }).then(
    () => true,
    () => false,
  );
  if (has) return false;

  const now = deps.clock().getTime();
  const from = new Date(now - 365 * 86400_000);
  const until = new Date(now + 3 * 365 * 86400_000);
  const ca = DemoCa.create({ commonName: 'Vận Động Demo Root CA', notBefore: from, notAfter: new Date(now + 10 * 365 * 86400_000) });
  addTrustedRoot(deps.config, 'vandong-demo-root.pem', ca.root.certPem);
  const password = crypto.randomBytes(12).toString('base64url');
  const personal = ca.pkcs12({ commonName: approver.name, organisation: org.name, notBefore: from, notAfter: until }, password);
  const organisation = ca.pkcs12({ commonName: org.name, organisation: 'Ủy ban nhân dân tỉnh Hà Tĩnh', notBefore: from, notAfter: until }, password);
  await uploadCertificate(ctx(approver), { type: 'user', id: approver.id }, tempFile(deps, personal.p12), password);
  await uploadImage(ctx(approver), { type: 'user', id: approver.id }, 'signature', tempFile(deps, demoSignaturePng()));
  await uploadCertificate(ctx(admin), { type: 'org', id: org.id }, tempFile(deps, organisation.p12), password);
  await uploadImage(ctx(admin), { type: 'org', id: org.id }, 'seal', tempFile(deps, demoSealPng()));
  return true;
}
