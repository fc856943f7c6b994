/** Every query of the signing feature. */
import type { Q } from '../db';
import { insertId } from '../db';

export type OwnerType = 'org' | 'user';

export interface CertificateRow {
  id: number;
  owner_type: OwnerType;
  owner_id: number;
  kind: string;
  subject: string;
  common_name: string;
  organisation: string | null;
  issuer: string;
  serial: string;
  not_before: string;
  not_after: string;
  fingerprint256: string;
  chain_pem: string;
  material_rel_path: string | null;
  secret_enc: string | null;
  options: string;
  active: boolean | number;
  created_by: number | null;
  created_at: string;
}

export interface ImageRow {
  id: number;
  owner_type: OwnerType;
  owner_id: number;
  kind: 'signature' | 'seal';
  sha256: string;
  rel_path: string;
  width: number;
  height: number;
  width_mm: number;
  active: boolean | number;
  created_by: number | null;
  created_at: string;
}

/** The owner's certificate from now on; the previous ones stay (old signatures name them) but inactive. */
export async function replaceCertificate(q: Q, row: Omit<CertificateRow, 'id' | 'active'>): Promise<number> {
  await q('signing_certificates').where({ owner_type: row.owner_type, owner_id: row.owner_id, active: true }).update({ active: false });
  return insertId(q, 'signing_certificates', { ...row, active: true });
}

export async function activeCertificate(q: Q, ownerType: OwnerType, ownerId: number): Promise<CertificateRow | undefined> {
  return (await q('signing_certificates').where({ owner_type: ownerType, owner_id: ownerId, active: true }).orderBy('id', 'desc').first()) as CertificateRow | undefined;
}

export async function replaceImage(q: Q, row: Omit<ImageRow, 'id' | 'active'>): Promise<number> {
  await q('signing_images').where({ owner_type: row.owner_type, owner_id: row.owner_id, kind: row.kind, active: true }).update({ active: false });
  return insertId(q, 'signing_images', { ...row, active: true });
}

export async function activeImage(q: Q, ownerType: OwnerType, ownerId: number, kind: 'signature' | 'seal'): Promise<ImageRow | undefined> {
  return (await q('signing_images').where({ owner_type: ownerType, owner_id: ownerId, kind, active: true }).orderBy('id', 'desc').first()) as ImageRow | undefined;
}
