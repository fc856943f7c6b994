/** Finds the parts of a công văn among the paragraphs (by their text and their place in the header/footer tables). */
import { DRAFTER_MARK_RE, MOTTO, NATIONAL_NAME_VARIANTS, URGENCY_VARIANTS } from '../format';
import type { Para, Parts } from './model';
import { allBold, norm } from './text';

export const DRAFT_NUMBER_RE = /^Số:\s+\/[A-ZĐ0-9]+(-[A-ZĐ0-9]+)+$/u;
export const DATE_RE = /^(.+), ngày (\d{1,2}) tháng (\d{1,2}) năm (\d{4})$/u;
export const DRAFT_DATE_RE = /^(.+), ngày\s+tháng\s+năm\s*(\d{4})?\s*$/u;

const sameCell = (a: Para, b: Para) => (a.cell ? !!b.cell && b.cell.table === a.cell.table && b.cell.row === a.cell.row && b.cell.col === a.cell.col : !b.cell);
const sameRow = (a: Para, b: Para) => !!a.cell && !!b.cell && a.cell.table === b.cell.table && a.cell.row === b.cell.row;

export function locateParts(paras: Para[]): Parts {
  const nationalNames = NATIONAL_NAME_VARIANTS.map(norm);
  const nationalName = paras.find((p) => nationalNames.includes(norm(p.text))) ?? null;
  const motto = paras.find((p) => norm(p.text) === norm(MOTTO)) ?? null;

  // §3.2: the agency lines are the first column of the header table row that holds the Quốc hiệu.
  const agencyCell = nationalName?.cell ? paras.filter((p) => sameRow(p, nationalName) && p.cell!.col === 0) : [];
  const lines = agencyCell.filter((p) => p.text.trim());
  const last = lines[lines.length - 1] ?? null;
  // A wrapped issuing name stacks its lines in one paragraph (soft breaks): the lines before the last one in the
  // same paragraph and with the same weight belong to it (a parent line stacked above it is not bold).
  const issuingLines: Para[] = [];
  for (let i = lines.length - 1; i >= 0 && last; i--) {
    const l = lines[i];
    if (l !== last && (l.source !== last.source || allBold(l) !== allBold(last))) break;
    issuingLines.unshift(l);
  }
  const issuing = issuingLines[0] ?? null;
  const rule = last ? agencyCell.slice(agencyCell.indexOf(last) + 1).find((p) => !p.text.trim() && p.borders.has('bottom')) ?? null : null;

  const numberPara = paras.find((p) => /^Số\s*:/.test(p.text.trim()));
  const number = numberPara ? { para: numberPara, text: numberPara.text.trim(), draft: DRAFT_NUMBER_RE.test(numberPara.text.trim()) } : null;
  const date = paras.find((p) => DATE_RE.test(p.text.trim()) || DRAFT_DATE_RE.test(p.text.trim())) ?? null;
  const subject = paras.find((p) => /^V\/v\s/.test(p.text.trim())) ?? null;
  const urgency = paras.filter((p) => URGENCY_VARIANTS.includes(norm(p.text)));

  // §3.7: "Kính gửi:" outside tables; one recipient on the line, or "- name" lines after it.
  const label = paras.find((p) => !p.cell && /^Kính gửi\s*:/.test(p.text.trim()));
  let kinhGui: Parts['kinhGui'] = null;
  let bodyStart: number;
  if (label) {
    const rest = label.text.trim().replace(/^Kính gửi\s*:\s*/, '');
    const items: Para[] = [];
    if (!rest) for (let i = label.index + 1; i < paras.length && !paras[i].cell && /^[-–]\s/.test(paras[i].text.trim()); i++) items.push(paras[i]);
    kinhGui = { label, rest, items };
    bodyStart = (items.length ? items[items.length - 1].index : label.index) + 1;
  } else bodyStart = paras.findIndex((p, i) => i > (subject ? subject.index : 0) && !p.cell);

  // §3.10 / §3.9: "Nơi nhận:", its items (same cell, up to an empty line) and the signer in the other cells of its row.
  const title = paras.find((p) => /^Nơi nhận\s*:$/.test(p.text.trim()));
  let noiNhan: Parts['noiNhan'] = null;
  let signer: Parts['signer'] = null;
  if (title) {
    const items: Para[] = [];
    for (let i = title.index + 1; i < paras.length && sameCell(title, paras[i]) && paras[i].text.trim(); i++) {
      if (items.length && DRAFTER_MARK_RE.test(paras[i].text.trim())) break; // ô 12 closes the list
      items.push(paras[i]);
    }
    noiNhan = { title, items };
    signer = title.cell ? paras.filter((x) => sameRow(x, title) && x.cell!.col !== title.cell!.col && x.text.trim()) : [];
  }

  // §3.8: the body is what lies between Kính gửi and Nơi nhận, outside tables.
  const bodyEnd = title ? title.index : paras.length;
  const body = bodyStart >= 0 ? paras.slice(bodyStart, bodyEnd).filter((p) => !p.cell && p.text.trim()) : [];

  return {
    nationalName,
    motto,
    afterMotto: motto ? paras[motto.index + 1] ?? null : null,
    agency: { lines, issuing, issuingLines, parents: lines.filter((p) => !issuingLines.includes(p)), rule },
    number,
    date,
    subject,
    urgency,
    kinhGui,
    noiNhan,
    signer,
    body,
  };
}
