import JSZip from 'jszip';
import { DOMParser } from '@xmldom/xmldom';
import type { TestContext, TestUser } from '../helpers/context';
import { installShippedTemplates } from '../../src/letters/template-service';

/** Paragraph texts of a DOCX body (and its headers), in order, NFC; a soft line break (w:br) reads as a space. */
export async function docxParagraphs(buf: Buffer, part = 'word/document.xml'): Promise<string[]> {
  const zip = await JSZip.loadAsync(buf);
  const xml = await zip.file(part)!.async('string');
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const ps = doc.getElementsByTagName('w:p');
  const out: string[] = [];
  for (let i = 0; i < ps.length; i++) {
    const all = ps[i].getElementsByTagName('*');
    let s = '';
    for (let j = 0; j < all.length; j++) {
      if (all[j].tagName === 'w:t') s += all[j].textContent ?? '';
      else if (all[j].tagName === 'w:br' && s) s += ' ';
    }
    out.push(s.normalize('NFC').replace(/\u00a0/g, ' '));
  }
  return out;
}

export async function docxXml(buf: Buffer, part = 'word/document.xml'): Promise<string> {
  return (await JSZip.loadAsync(buf)).file(part)!.async('string');
}

/** Rewrites one XML part of a DOCX (to build letters that break a rule). */
export async function mutateDocx(buf: Buffer, part: string, fn: (xml: string) => string): Promise<Buffer> {
  const zip = await JSZip.loadAsync(buf);
  zip.file(part, fn(await zip.file(part)!.async('string')));
  return zip.generateAsync({ type: 'nodebuffer' });
}

export { binary } from '../helpers/parsers';

export const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
export const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);

export interface Department {
  orgId: number;
  drafter: TestUser;
  approver: TestUser;
  secretary: TestUser;
  recipients: { syt: number; camXuyen: number; baoHaTinh: number };
  groupId: number;
  templateId: number;
}

let seq = 0;
/** The Sở Thông tin và Truyền thông of Hà Tĩnh with its staff, some recipients and the shipped templates. */
export async function setUpDepartment(ctx: TestContext, shortName = 'STTTT'): Promise<Department> {
  seq++;
  await installShippedTemplates(ctx.deps);
  const orgId = await ctx.createOrg({ name: 'Sở Thông tin và Truyền thông', shortName, kind: 'department', email: `stttt${seq}@hatinh.gov.vn` });
  const syt = await ctx.createOrg({ name: 'Sở Y tế', shortName: 'SYT', kind: 'department', email: `syt${seq}@hatinh.gov.vn` });
  const camXuyen = await ctx.createOrg({ name: 'UBND huyện Cẩm Xuyên', shortName: 'UBND', kind: 'district', email: `camxuyen${seq}@hatinh.gov.vn` });
  const baoHaTinh = await ctx.createOrg({ name: 'Báo Hà Tĩnh', shortName: 'BHT', kind: 'press', email: `bht${seq}@hatinh.gov.vn` });
  const drafter = await ctx.createUser(['drafter'], orgId, 'Chuyên viên');
  const approver = await ctx.createUser(['approver'], orgId, 'Lãnh đạo Sở');
  const secretary = await ctx.createUser(['secretary'], orgId, 'Văn thư');
  const group = await ctx.as(drafter).post('/api/v1/recipient-groups').send({ name: `Cơ quan báo chí ${seq}`, orgIds: [baoHaTinh], ownerOrgId: orgId });
  if (group.status !== 201) throw new Error(`group: ${group.status} ${JSON.stringify(group.body)}`);
  const list = await ctx.as(drafter).get('/api/v1/letter-templates');
  const tpl = list.body.items.find((t: { name: string }) => t.name === 'Đề nghị tuyên truyền, cài đặt ứng dụng');
  return { orgId, drafter, approver, secretary, recipients: { syt, camXuyen, baoHaTinh }, groupId: group.body.id, templateId: tpl.id };
}

/** The body of POST /letters for a plain letter of the department. */
export function plainLetter(dep: Department, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    issuingOrgId: dep.orgId,
    subject: 'tăng cường tuyên truyền',
    body: 'Đề nghị các cơ quan, đơn vị tăng cường tuyên truyền.\n\nTrân trọng.',
    place: 'Hà Tĩnh',
    recipients: [{ orgId: dep.recipients.syt }],
    signer: { authority: 'KT.', authorityTitle: 'GIÁM ĐỐC', title: 'PHÓ GIÁM ĐỐC', name: 'Nguyễn Văn A' },
    unitCode: 'TTBCXB',
    ...extra,
  };
}

/** Draft → submitted → approved through the API; returns the letter id. */
export async function approvedLetter(ctx: TestContext, dep: Department, extra: Record<string, unknown> = {}): Promise<number> {
  const created = await ctx.as(dep.drafter).post('/api/v1/letters').send(plainLetter(dep, extra));
  if (created.status !== 201) throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`);
  const id = created.body.id;
  const s = await ctx.as(dep.drafter).post(`/api/v1/letters/${id}/submit`);
  if (s.status !== 200) throw new Error(`submit: ${s.status}`);
  const a = await ctx.as(dep.approver).post(`/api/v1/letters/${id}/approve`);
  if (a.status !== 200) throw new Error(`approve: ${a.status}`);
  return id;
}
