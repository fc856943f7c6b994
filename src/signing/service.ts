/**
 * Certificates and images of organisations and signers, the signer of an owner, and verification.
 * Entry points acting for a person take the request context `ctx = { db, clock, config, log, actor }` first;
 * the workflow's reads (`signerOf`, `imageOf`) and the public verification take the Deps alone.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Ctx, Deps } from '../deps';
import { ADMIN_ROLES, authorize, can, findActorById } from '../auth';
import { adminScope, findOrgById } from '../orgs';
import { conflict, forbidden, invalid, notFound } from '../shared/errors';
import { mediaPath, storeBuffer } from '../shared/media';
import { readPkcs12 } from './pkcs12';
import { decryptSecret, encryptSecret, signingKey } from './secrets';
import { KeySigner, registerSignerKind, signerFactory, type Signer } from './signer';
import { allowsSigning, certificateInfo, pemCertificates, toPem, validAt, type CertificateInfo } from './x509';
import { checkImage, DEFAULT_WIDTH_MM, type ImageKind } from './images';
import { trustStore } from './trust';
import { verifyPdf, type TrustStore, type VerifyReport } from './verify';
import * as repo from './repo';
import type { OwnerType } from './repo';

export interface Owner {
  type: OwnerType;
  id: number;
}

export interface CertificateView {
  subject: string;
  organisation: string | null;
  issuer: string;
  serial: string;
  notBefore: string;
  notAfter: string;
  kind: string;
  /** Chains to a root in the trust list. */
  trusted: boolean;
}

export interface ImageView {
  kind: ImageKind;
  width: number;
  height: number;
  widthMm: number;
  sha256: string;
}

// The first signer implementation: a PKCS#12 file and its (decrypted) password.
registerSignerKind('pkcs12', async (source) => {
  if (!source.material || source.secret === null) throw new Error('PKCS#12 material missing');
  const { key, chain } = readPkcs12(source.material, source.secret);
  return new KeySigner('pkcs12', key, chain);
});

const norm = (s: string) => s.normalize('NFC').toLocaleLowerCase('vi').replace(/\s+/g, ' ').trim();

/**
 * An organisation's certificate and seal: the administrators of its tree. A signer's: the signer, or an
 * administrator of the signer's organisation's tree.
 */
async function authorizeOwner(ctx: Ctx, owner: Owner): Promise<{ name: string; code: string | null }> {
  const { actor } = ctx;
  if (owner.type === 'org') {
    const org = await findOrgById(ctx.db, owner.id);
    if (!org) throw notFound('Organisation', 'ORG_NOT_FOUND');
    authorize(actor, ADMIN_ROLES, owner.id, await adminScope(ctx.db, actor));
    return { name: org.name, code: org.code };
  }
  const user = await findActorById(ctx.db, owner.id);
  if (!user) throw notFound('User', 'USER_NOT_FOUND');
  if (actor.id !== user.id && !can(actor, ADMIN_ROLES, user.orgId, await adminScope(ctx.db, actor))) throw forbidden();
  return { name: user.name, code: null };
}

function chainTrusted(chain: crypto.X509Certificate[], trust: TrustStore): boolean {
  const anchors = new Set(trust.anchors.map((c) => c.fingerprint256));
  const pool = [...chain, ...trust.anchors];
  let cert = chain[0];
  for (let i = 0; i < 10; i++) {
    if (anchors.has(cert.fingerprint256)) return true;
    const issuer = pool.find((c) => c.fingerprint256 !== cert.fingerprint256 && cert.checkIssued(c) && cert.verify(c.publicKey));
    if (!issuer) return false;
    cert = issuer;
  }
  return false;
}

function view(row: repo.CertificateRow, trust: TrustStore): CertificateView {
  return {
    subject: row.common_name,
    organisation: row.organisation,
    issuer: row.issuer,
    serial: row.serial,
    notBefore: row.not_before,
    notAfter: row.not_after,
    kind: row.kind,
    trusted: chainTrusted(pemCertificates(row.chain_pem), trust),
  };
}

/**
 * Stores a PKCS#12 for an organisation or a signer after checking it: the password opens it, it holds a key and
 * its certificate, the certificate is valid now, may sign, and names the owner. Nothing is stored on refusal.
 */
export async function uploadCertificate(ctx: Ctx, owner: Owner, upload: { path: string }, password: string): Promise<CertificateView> {
  try {
    const who = await authorizeOwner(ctx, owner);
    const bytes = await fs.promises.readFile(upload.path);
    const { chain } = readPkcs12(bytes, password);
    const leaf = new crypto.X509Certificate(chain[0]);
    const info: CertificateInfo = certificateInfo(leaf);
    const state = validAt(leaf, ctx.clock());
    if (state === 'expired') throw invalid('CERTIFICATE_EXPIRED', `The certificate expired on ${info.notAfter}`, { file: 'expired' });
    if (state === 'not_yet_valid') throw invalid('CERTIFICATE_NOT_YET_VALID', `The certificate is valid only from ${info.notBefore}`, { file: 'not yet valid' });
    if (!allowsSigning(chain[0])) throw invalid('CERTIFICATE_KEY_USAGE', 'The certificate may not be used to sign documents', { file: 'key usage' });
    // The subject's common name names the owner: the organisation itself (not a person of it), or the person.
    const matches = norm(info.commonName).includes(norm(who.name)) || (who.code ? info.subject.includes(who.code) : false);
    if (!matches) {
      throw invalid('CERTIFICATE_OWNER_MISMATCH', `The certificate is issued to "${info.commonName}", not to "${who.name}"`, { file: 'issued to someone else' });
    }
    const stored = await storeBuffer(ctx.config.MEDIA_DIR, 'signing', bytes, '.p12');
    const key = signingKey(ctx.config, ctx.log);
    await repo.replaceCertificate(ctx.db, {
      owner_type: owner.type,
      owner_id: owner.id,
      kind: 'pkcs12',
      subject: info.subject.slice(0, 500),
      common_name: info.commonName.slice(0, 300),
      organisation: info.organisation?.slice(0, 300) ?? null,
      issuer: info.issuerCommonName.slice(0, 500),
      serial: info.serial.slice(0, 100),
      not_before: info.notBefore,
      not_after: info.notAfter,
      fingerprint256: info.fingerprint256,
      chain_pem: chain.map(toPem).join(''),
      material_rel_path: stored.relPath,
      secret_enc: encryptSecret(key, password),
      options: '{}',
      created_by: ctx.actor.id,
      created_at: ctx.clock().toISOString(),
    });
    return view((await repo.activeCertificate(ctx.db, owner.type, owner.id))!, trustStore(ctx.config));
  } finally {
    await fs.promises.unlink(upload.path).catch(() => undefined);
  }
}

export async function getCertificate(ctx: Ctx, owner: Owner): Promise<CertificateView> {
  await authorizeOwner(ctx, owner);
  const row = await repo.activeCertificate(ctx.db, owner.type, owner.id);
  if (!row) throw notFound('Certificate', 'CERTIFICATE_NOT_FOUND');
  return view(row, trustStore(ctx.config));
}

/** A signer's signature image (blue) or an organisation's seal (red), PNG with a transparent background. */
export async function uploadImage(ctx: Ctx, owner: Owner, kind: ImageKind, upload: { path: string }): Promise<ImageView> {
  try {
    if ((kind === 'seal') !== (owner.type === 'org')) throw invalid('VALIDATION_FAILED', 'A seal belongs to an organisation, a signature image to a user');
    await authorizeOwner(ctx, owner);
    const bytes = await fs.promises.readFile(upload.path);
    const facts = checkImage(bytes, kind);
    const stored = await storeBuffer(ctx.config.MEDIA_DIR, 'signing', bytes, '.png');
    const widthMm = facts.widthMm ?? DEFAULT_WIDTH_MM[kind];
    await repo.replaceImage(ctx.db, {
      owner_type: owner.type,
      owner_id: owner.id,
      kind,
      sha256: stored.sha256,
      rel_path: stored.relPath,
      width: facts.width,
      height: facts.height,
      width_mm: widthMm,
      created_by: ctx.actor.id,
      created_at: ctx.clock().toISOString(),
    });
    return { kind, width: facts.width, height: facts.height, widthMm, sha256: stored.sha256 };
  } finally {
    await fs.promises.unlink(upload.path).catch(() => undefined);
  }
}

export interface OwnerSigner {
  signer: Signer;
  certificateId: number;
  info: CertificateView;
}

/**
 * The signer of an owner, or null when the owner has no certificate. A certificate that is not valid at the
 * clock's time is a 409 (the owner meant to sign: silently not signing would be worse).
 */
export async function signerOf(deps: Deps, owner: Owner): Promise<OwnerSigner | null> {
  const row = await repo.activeCertificate(deps.db, owner.type, owner.id);
  if (!row) return null;
  const leaf = pemCertificates(row.chain_pem)[0];
  const state = validAt(leaf, deps.clock());
  if (state !== 'valid') {
    throw conflict(state === 'expired' ? 'CERTIFICATE_EXPIRED' : 'CERTIFICATE_NOT_YET_VALID', `The signing certificate of "${row.common_name}" is not valid now`);
  }
  const factory = signerFactory(row.kind);
  if (!factory) throw new Error(`no signer implementation for kind "${row.kind}"`);
  const material = row.material_rel_path ? await fs.promises.readFile(mediaPath(deps.config.MEDIA_DIR, row.material_rel_path)) : null;
  const secret = row.secret_enc ? decryptSecret(signingKey(deps.config, deps.log), row.secret_enc) : null;
  const signer = await factory({ kind: row.kind, material, secret, chain: pemCertificates(row.chain_pem).map((c) => c.raw), options: JSON.parse(row.options) as Record<string, unknown> });
  return { signer, certificateId: row.id, info: view(row, trustStore(deps.config)) };
}

export interface OwnerImage {
  png: Buffer;
  width: number;
  height: number;
  widthMm: number;
}

export async function imageOf(deps: Deps, owner: Owner, kind: ImageKind): Promise<OwnerImage | null> {
  const row = await repo.activeImage(deps.db, owner.type, owner.id, kind);
  if (!row) return null;
  return { png: await fs.promises.readFile(mediaPath(deps.config.MEDIA_DIR, row.rel_path)), width: row.width, height: row.height, widthMm: Number(row.width_mm) };
}

/** Verifies any PDF against the installation's trust list (no sign-in needed). */
export async function verifyUpload(deps: Pick<Deps, 'config' | 'clock'>, upload: { path: string }): Promise<VerifyReport> {
  try {
    const bytes = await fs.promises.readFile(upload.path);
    if (bytes.subarray(0, 1024).indexOf('%PDF-') < 0) throw invalid('PDF_UNREADABLE', 'The file is not a PDF', { file: 'not a PDF' });
    return verifyPdf(bytes, trustStore(deps.config), deps.clock());
  } finally {
    await fs.promises.unlink(upload.path).catch(() => undefined);
  }
}
