/**
 * edXML (QCVN 102:2016/BTTTT, "cấu trúc mã định danh và định dạng dữ liệu gói tin phục vụ kết nối các hệ thống quản
 * lý văn bản và điều hành"): the envelope Vietnamese offices exchange letters in. Pure: a message in, XML text out,
 * and back. No database, no files.
 *
 * What we write and read (prefix `edXML`, namespace EDXML_NS):
 *   edXMLEnvelope
 *     edXMLHeader
 *       MessageHeader
 *         From (OrganId = the organisation's mã định danh, OrganName, OrganAdd?, Email?)
 *         To+  (same)
 *         DocumentId
 *         Code (CodeNumber, CodeNotation)
 *         PromulgationInfo (Place, PromulgationDate YYYY-MM-DD)
 *         DocumentType (Type, TypeName)
 *         Subject
 *         SignerInfo (Competence, Position, FullName)
 *         OtherInfo (Priority, PageAmount)
 *     edXMLBody
 *       edXMLManifest
 *         Reference+ (@edXML:href = "cid:<n>"; AttachmentName, ContentType, Description, Size, Hash = sha256 hex)
 *       Attachment+ (@edXML:ContentId = "<n>", @edXML:ContentTransferEncoding = "base64"; the bytes, base64)
 * The standard carries attachments as MIME parts beside the envelope; our files are one XML document, so each part
 * is an `Attachment` element of the body, referenced by the manifest exactly as the standard's Reference/href does.
 * The first reference is the letter itself (the signed PDF), the others its attachments.
 */
import crypto from 'node:crypto';
import { DOMParser, type Element as XElement } from '@xmldom/xmldom';
import { invalid } from '../shared/errors';

export const EDXML_NS = 'http://www.mic.gov.vn/TBT/QCVN_102_2016';

/** OtherInfo/Priority codes of the standard: 0 thường, 1 khẩn, 2 thượng khẩn, 3 hỏa tốc. */
export const PRIORITY_OF_URGENCY: Record<string, number> = { KHAN: 1, THUONG_KHAN: 2, HOA_TOC: 3 };
export const URGENCY_OF_PRIORITY: Record<number, string | null> = { 0: null, 1: 'KHAN', 2: 'THUONG_KHAN', 3: 'HOA_TOC', 4: 'HOA_TOC' };

export interface EdxmlOrgan {
  organId: string;
  organName: string;
  organAdd?: string | null;
  email?: string | null;
}

export interface EdxmlFile {
  name: string;
  contentType: string;
  content: Buffer;
  description?: string;
}

export interface EdxmlMessage {
  documentId: string;
  from: EdxmlOrgan;
  to: EdxmlOrgan[];
  codeNumber: string;
  codeNotation: string;
  place: string;
  /** YYYY-MM-DD */
  promulgationDate: string;
  documentType: { type: number; typeName: string };
  subject: string;
  signer: { competence: string; position: string; fullName: string };
  priority: number;
  /** The letter (first) and its attachments. */
  files: EdxmlFile[];
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
const el = (name: string, value: string | number | null | undefined) => (value == null || value === '' ? '' : `<edXML:${name}>${esc(String(value))}</edXML:${name}>`);
const organ = (tag: string, o: EdxmlOrgan) => `<edXML:${tag}>${el('OrganId', o.organId)}${el('OrganName', o.organName)}${el('OrganAdd', o.organAdd)}${el('Email', o.email)}</edXML:${tag}>`;
const sha256 = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

/** Base64 in lines of 76 characters (as MIME writes it), so the file opens in a text editor. */
const base64Lines = (b: Buffer) => (b.toString('base64').match(/.{1,76}/g) ?? []).join('\n');

export function buildEdxml(m: EdxmlMessage): string {
  const refs = m.files.map(
    (f, i) =>
      `<edXML:Reference edXML:href="cid:${i + 1}">${el('AttachmentName', f.name)}${el('ContentType', f.contentType)}${el('Description', f.description)}${el('Size', f.content.length)}${el('Hash', sha256(f.content))}</edXML:Reference>`,
  );
  const parts = m.files.map((f, i) => `<edXML:Attachment edXML:ContentId="${i + 1}" edXML:ContentTransferEncoding="base64">\n${base64Lines(f.content)}\n</edXML:Attachment>`);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<edXML:edXMLEnvelope xmlns:edXML="${EDXML_NS}">`,
    '<edXML:edXMLHeader>',
    '<edXML:MessageHeader>',
    organ('From', m.from),
    ...m.to.map((o) => organ('To', o)),
    el('DocumentId', m.documentId),
    `<edXML:Code>${el('CodeNumber', m.codeNumber)}${el('CodeNotation', m.codeNotation)}</edXML:Code>`,
    `<edXML:PromulgationInfo>${el('Place', m.place)}${el('PromulgationDate', m.promulgationDate)}</edXML:PromulgationInfo>`,
    `<edXML:DocumentType>${el('Type', m.documentType.type)}${el('TypeName', m.documentType.typeName)}</edXML:DocumentType>`,
    el('Subject', m.subject),
    `<edXML:SignerInfo>${el('Competence', m.signer.competence)}${el('Position', m.signer.position)}${el('FullName', m.signer.fullName)}</edXML:SignerInfo>`,
    `<edXML:OtherInfo>${el('Priority', m.priority)}${el('PageAmount', 1)}</edXML:OtherInfo>`,
    '</edXML:MessageHeader>',
    '</edXML:edXMLHeader>',
    '<edXML:edXMLBody>',
    `<edXML:edXMLManifest>${refs.join('')}</edXML:edXMLManifest>`,
    ...parts,
    '</edXML:edXMLBody>',
    '</edXML:edXMLEnvelope>',
    '',
  ].join('\n');
}

// ---------------------------------------------------------------- parsing

const missing = (part: string) => invalid('EDXML_MISSING_PART', `The edXML envelope has no ${part}`, { file: `missing ${part}` }, { part });

function children(parent: XElement, name: string): XElement[] {
  const out: XElement[] = [];
  for (let n = parent.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 && (n as XElement).namespaceURI === EDXML_NS && (n as XElement).localName === name) out.push(n as XElement);
  }
  return out;
}
const child = (parent: XElement, name: string): XElement | undefined => children(parent, name)[0];
const textOf = (e: XElement | undefined) => (e?.textContent ?? '').normalize('NFC').trim();

function required(parent: XElement, path: string): string {
  let node: XElement | undefined = parent;
  for (const name of path.split('/')) node = node && child(node, name);
  const value = textOf(node);
  if (!value) throw missing(path);
  return value;
}

function optional(parent: XElement, path: string): string {
  let node: XElement | undefined = parent;
  for (const name of path.split('/')) node = node && child(node, name);
  return textOf(node);
}

/** From needs its OrganId; a To may name an organisation that has no code (it cannot be matched, only shown). */
function readOrgan(e: XElement, idRequired: boolean): EdxmlOrgan {
  return { organId: (idRequired ? required(e, 'OrganId') : optional(e, 'OrganId')).slice(0, 60), organName: required(e, 'OrganName').slice(0, 300), organAdd: optional(e, 'OrganAdd') || null, email: optional(e, 'Email') || null };
}

const bad = (reason: string) => invalid('EDXML_MALFORMED', `The file is not well-formed XML: ${reason}`, { file: 'not well-formed XML' }, { reason: reason.slice(0, 200) });

/**
 * Reads an envelope. Refuses, with a reason (400): a DOCTYPE or entity declaration (no external entities, no entity
 * expansion: we never let the parser see one), XML that is not well-formed, another root or namespace, a header
 * without From / To / Code / PromulgationInfo / Subject, a manifest without the letter, a part the manifest names
 * that is missing or whose bytes do not match its size or hash.
 */
export function parseEdxml(source: Buffer | string): EdxmlMessage {
  const xml = (typeof source === 'string' ? source : source.toString('utf8')).replace(/^\uFEFF/, '');
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw invalid('EDXML_DTD', 'Document type and entity declarations are not accepted in edXML', { file: 'DOCTYPE not accepted' });
  let root: XElement | null;
  try {
    const doc = new DOMParser({
      onError: (level, message) => {
        if (level !== 'warning') throw new Error(message);
      },
    }).parseFromString(xml, 'text/xml');
    root = doc.documentElement;
  } catch (err) {
    throw bad((err as Error).message.split('\n')[0]);
  }
  if (!root || root.namespaceURI !== EDXML_NS || root.localName !== 'edXMLEnvelope') {
    throw invalid('EDXML_NOT_ENVELOPE', `The root element must be edXMLEnvelope in ${EDXML_NS}`, { file: 'not an edXML envelope' });
  }
  const header = child(root, 'edXMLHeader');
  const mh = header && child(header, 'MessageHeader');
  if (!mh) throw missing('edXMLHeader/MessageHeader');
  const from = child(mh, 'From');
  if (!from) throw missing('From');
  const to = children(mh, 'To');
  if (to.length === 0) throw missing('To');
  if (!child(mh, 'Code')) throw missing('Code');
  const date = required(mh, 'PromulgationInfo/PromulgationDate');
  const day = /^(\d{4}-\d{2}-\d{2})/.exec(date)?.[1];
  if (!day || Number.isNaN(Date.parse(day))) throw invalid('EDXML_BAD_DATE', `PromulgationDate "${date}" is not a date`, { file: 'bad PromulgationDate' }, { date: date.slice(0, 40) });
  const priority = Number(optional(mh, 'OtherInfo/Priority') || 0);
  const typeNumber = Number(optional(mh, 'DocumentType/Type') || 0);

  const body = child(root, 'edXMLBody');
  const manifest = body && child(body, 'edXMLManifest');
  const refs = manifest ? children(manifest, 'Reference') : [];
  if (!body || refs.length === 0) throw missing('edXMLBody/edXMLManifest/Reference');
  const parts = new Map(children(body, 'Attachment').map((a) => [a.getAttributeNS(EDXML_NS, 'ContentId') || a.getAttribute('ContentId') || '', a]));
  const files = refs.map((ref) => {
    const href = ref.getAttributeNS(EDXML_NS, 'href') || ref.getAttribute('href') || '';
    const cid = href.replace(/^cid:/, '');
    const name = required(ref, 'AttachmentName');
    const part = parts.get(cid);
    if (!cid || !part) throw invalid('EDXML_ATTACHMENT_MISSING', `The manifest names "${name}" but the body has no part ${href}`, { file: `missing part ${name}` }, { name });
    const b64 = (part.textContent ?? '').replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) throw invalid('EDXML_ATTACHMENT_CORRUPT', `The part "${name}" is not base64`, { file: `corrupt part ${name}` }, { name });
    const content = Buffer.from(b64, 'base64');
    const size = optional(ref, 'Size');
    const hash = optional(ref, 'Hash').toLowerCase();
    if ((size && Number(size) !== content.length) || (hash && hash !== sha256(content))) {
      throw invalid('EDXML_ATTACHMENT_CORRUPT', `The part "${name}" does not match its size or hash`, { file: `corrupt part ${name}` }, { name });
    }
    return { name: name.slice(0, 255), contentType: optional(ref, 'ContentType') || 'application/octet-stream', description: optional(ref, 'Description') || undefined, content };
  });

  return {
    documentId: optional(mh, 'DocumentId'),
    from: readOrgan(from, true),
    to: to.map((t) => readOrgan(t, false)),
    codeNumber: optional(mh, 'Code/CodeNumber'),
    codeNotation: required(mh, 'Code/CodeNotation').slice(0, 100),
    place: optional(mh, 'PromulgationInfo/Place').slice(0, 120),
    promulgationDate: day,
    documentType: { type: Number.isFinite(typeNumber) ? typeNumber : 0, typeName: (optional(mh, 'DocumentType/TypeName') || 'Công văn').slice(0, 100) },
    subject: required(mh, 'Subject').slice(0, 500),
    signer: { competence: optional(mh, 'SignerInfo/Competence'), position: optional(mh, 'SignerInfo/Position').slice(0, 200), fullName: optional(mh, 'SignerInfo/FullName').slice(0, 200) },
    priority: Number.isInteger(priority) ? priority : 0,
    files,
  };
}

/** "01/STTTT-TTBCXB" → {codeNumber: "01", codeNotation: "STTTT-TTBCXB"}; and back. */
export function splitSymbol(symbol: string): { codeNumber: string; codeNotation: string } {
  const i = symbol.indexOf('/');
  return i < 0 ? { codeNumber: '', codeNotation: symbol } : { codeNumber: symbol.slice(0, i), codeNotation: symbol.slice(i + 1) };
}
export const joinSymbol = (m: Pick<EdxmlMessage, 'codeNumber' | 'codeNotation'>) => (m.codeNumber ? `${m.codeNumber}/${m.codeNotation}` : m.codeNotation);
