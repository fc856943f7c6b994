import crypto from 'node:crypto';
import request from 'supertest';
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

/** A browser session (cookie + CSRF token), for the pages. */
export async function signIn(ctx: TestContext, user: TestUser): Promise<{ agent: ReturnType<typeof request.agent>; csrf: () => Promise<string> }> {
  const agent = request.agent(ctx.app);
  const login = await agent.get('/login');
  const pre = /name="_csrf" value="([^"]+)"/.exec(login.text)?.[1];
  const res = await agent.post('/login').type('form').send({ email: user.email, password: user.password, _csrf: pre });
  if (res.status !== 302 && res.status !== 303) throw new Error(`sign-in: ${res.status}`);
  return {
    agent,
    csrf: async () => /name="_csrf" value="([^"]+)"/.exec((await agent.get('/')).text)?.[1] ?? '',
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- superagent's response type is not exported by supertest
export const binary = (res: any, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};
