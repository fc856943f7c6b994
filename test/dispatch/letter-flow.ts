import crypto from 'node:crypto';
import type { TestContext, TestUser } from '../helpers/context';

/** A department that issues letters, with the people who draft, approve and send them. */
export interface Issuer {
  orgId: number;
  drafter: TestUser;
  approver: TestUser;
  secretary: TestUser;
}

let seq = 0;

export async function setUpIssuer(ctx: TestContext): Promise<Issuer> {
  seq++;
  const orgId = await ctx.createOrg({ name: 'Sở Thông tin và Truyền thông', shortName: 'STTTT', kind: 'department', email: `stttt.${seq}@hatinh.gov.vn` });
  return {
    orgId,
    drafter: await ctx.createUser(['drafter'], orgId, 'Chuyên viên'),
    approver: await ctx.createUser(['approver'], orgId, 'Lãnh đạo Sở'),
    secretary: await ctx.createUser(['secretary'], orgId, 'Văn thư'),
  };
}

/** Organisations (communes) with an e-mail each. */
export async function communes(ctx: TestContext, n: number, label = 'xa'): Promise<{ id: number; email: string; name: string }[]> {
  seq++;
  const out = [];
  for (let i = 1; i <= n; i++) {
    const name = `UBND xã số ${i} (${label} ${seq})`;
    const email = `${label}${i}.${seq}@hatinh.gov.vn`;
    out.push({ id: await ctx.createOrg({ name, shortName: 'UBND', kind: 'commune', email }), email, name });
  }
  return out;
}

/** A PDF guide with random content (so byte-for-byte checks mean something). */
export function pdfGuide(size = 40_000): Buffer {
  return Buffer.concat([Buffer.from('%PDF-1.4\n'), crypto.randomBytes(size), Buffer.from('\n%%EOF\n')]);
}

/** Draft → attachment → submitted → approved → issued, through the API as the people would. Returns the letter id. */
export async function draftLetter(ctx: TestContext, issuer: Issuer, recipients: Record<string, unknown>[]): Promise<number> {
  const res = await ctx.as(issuer.drafter).post('/api/v1/letters').send({
    issuingOrgId: issuer.orgId,
    subject: 'tuyên truyền, cài đặt ứng dụng Sổ sức khỏe điện tử',
    body: 'Đề nghị các cơ quan, đơn vị tuyên truyền, cài đặt ứng dụng.\n\nTrân trọng.',
    place: 'Hà Tĩnh',
    recipients,
    signer: { authority: 'KT.', authorityTitle: 'GIÁM ĐỐC', title: 'PHÓ GIÁM ĐỐC', name: 'Đậu Tùng Lâm' },
    unitCode: 'TTBCXB',
  });
  if (res.status !== 201) throw new Error(`create letter: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

export async function issue(ctx: TestContext, issuer: Issuer, letterId: number): Promise<{ number: number; symbol: string }> {
  for (const [who, step] of [[issuer.drafter, 'submit'], [issuer.approver, 'approve'], [issuer.secretary, 'issue']] as const) {
    const res = await ctx.as(who).post(`/api/v1/letters/${letterId}/${step}`);
    if (res.status !== 200) throw new Error(`${step}: ${res.status} ${JSON.stringify(res.body)}`);
    if (step === 'issue') return res.body;
  }
  throw new Error('unreachable');
}

export { binary } from '../helpers/parsers';
