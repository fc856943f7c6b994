/** LetterDocument → HTML that mirrors the DOCX layout (same lines, sizes, bold/italic, rules and blocks). */
import type { LetterDocument } from './document';
import { agencyLayout, bodyWithEnding, dateLine, distributionLines, NOI_NHAN_HANG, numberLine, recipientLines, signerLines, subjectLines, urgencyBox } from './docx';
import { inlineLines } from './inline';
import {
  A4,
  BODY_FIRST_LINE,
  BODY_SPACE_AFTER,
  FONT_FAMILY,
  FOOTER_TABLE_LEFT,
  HEADER_LINE_GAP,
  HEADER_TABLE_LEFT,
  KINH_GUI_LAYOUT,
  MOTTO,
  NATIONAL_NAME,
  PAGE_MARGINS,
  SIZE,
  TEXT_WIDTH,
  TWIPS_PER_MM,
  TWIPS_PER_PT,
  URGENCY_BOX,
  URGENCY_TEXT,
} from './format';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Printed sizes in CSS points, lengths in mm / pt / % of the text width, all from the format module. */
const pt = (part: keyof typeof SIZE) => `${SIZE[part].print / 2}pt`;
const mm = (twips: number) => `${Math.round(twips / TWIPS_PER_MM)}mm`;
const twipsPt = (twips: number) => `${twips / TWIPS_PER_PT}pt`;
const ofText = (twips: number) => `${Math.round((twips / TEXT_WIDTH) * 100)}%`;
const cm = (twips: number) => `${Math.round(twips / TWIPS_PER_MM) / 10}cm`;

export const PREVIEW_CSS = `
.letter-page{background:#fff;color:#000;font-family:"${FONT_FAMILY}",Times,serif;width:${mm(A4.width)};max-width:100%;min-height:${mm(A4.height)};padding:${mm(PAGE_MARGINS.top)} ${mm(PAGE_MARGINS.right)} ${mm(PAGE_MARGINS.bottom)} ${mm(PAGE_MARGINS.left)};box-sizing:border-box;margin:0 auto;box-shadow:0 1px 4px rgba(0,0,0,.2);overflow-x:auto}
.letter-page p{margin:0}
.letter-page .head{display:grid;grid-template-columns:${ofText(HEADER_TABLE_LEFT)} ${ofText(TEXT_WIDTH - HEADER_TABLE_LEFT)};text-align:center}
.letter-page .agency{font-size:${pt('parentAgency')}}
.letter-page .issuing{font-size:${pt('issuingAgency')};font-weight:bold}
.letter-page .rule{border-bottom:1px solid #000;margin:1px auto 0}
.letter-page .nation{font-size:${pt('nationalName')};font-weight:bold;white-space:nowrap}
.letter-page .motto{font-size:${pt('motto')};font-weight:bold;text-decoration:underline}
.letter-page .so{font-size:${pt('number')};margin-top:${twipsPt(HEADER_LINE_GAP)};white-space:pre}
.letter-page .date{font-size:${pt('date')};font-style:italic;margin-top:${twipsPt(HEADER_LINE_GAP)};white-space:pre}
.letter-page .vv{font-size:${pt('subject')};margin-top:${twipsPt(HEADER_LINE_GAP)}}
.letter-page .urgent{display:inline-flex;align-items:center;justify-content:center;box-sizing:border-box;border:1px solid #000;font-weight:bold;font-size:${pt('urgency')};margin-top:${twipsPt(URGENCY_BOX.before)}}
.letter-page .kg{font-size:${pt('kinhGui')};margin-top:${twipsPt(KINH_GUI_LAYOUT.before)};margin-bottom:${twipsPt(KINH_GUI_LAYOUT.after)}}
.letter-page .kg.one{text-align:center}
.letter-page .kg .items{margin-left:6.5em}
.letter-page .kg .label{margin-left:${cm(KINH_GUI_LAYOUT.labelIndent)}}
.letter-page .body p{font-size:${pt('body')};text-align:justify;text-indent:${cm(BODY_FIRST_LINE.print)};margin-bottom:${twipsPt(BODY_SPACE_AFTER.print)};line-height:1.2}
.letter-page table.data{border-collapse:collapse;width:100%;margin-bottom:${twipsPt(BODY_SPACE_AFTER.print)}}
.letter-page table.data th,.letter-page table.data td{border:1px solid #000;font-size:${pt('bodyTable')};padding:2pt 4pt}
.letter-page .foot{display:grid;grid-template-columns:${ofText(FOOTER_TABLE_LEFT)} ${ofText(TEXT_WIDTH - FOOTER_TABLE_LEFT)};margin-top:${twipsPt(BODY_SPACE_AFTER.print)}}
.letter-page .nn-title{font-size:${pt('noiNhanTitle')};font-weight:bold;font-style:italic}
.letter-page .nn{font-size:${pt('noiNhanItem')};padding-left:${twipsPt(NOI_NHAN_HANG)};text-indent:-${twipsPt(NOI_NHAN_HANG)}}
.letter-page .ref{font-size:${pt('noiNhanItem')}}
.letter-page .signer{text-align:center;font-size:${pt('signer')};font-weight:bold}
.letter-page .signer .gap{height:5.5em}
`;

/** Lines printed one under the other. */
const stacked = (lines: string[]) => lines.map(esc).join('<br>');

/** A paragraph's inline emphasis and line breaks (inline.ts) as HTML. */
function inlineHtml(text: string): string {
  return inlineLines(text)
    .map((line) => line.map((r) => (r.bold ? (s: string) => `<strong>${s}</strong>` : (s: string) => s)(r.italic ? `<em>${esc(r.text)}</em>` : esc(r.text))).join(''))
    .join('<br>');
}

export function renderLetterHtml(doc: LetterDocument): string {
  const h: string[] = ['<article class="letter-page" lang="vi">', '<div class="head"><div>'];
  const agency = agencyLayout(doc);
  if (agency.parent.length) h.push(`<p class="agency">${stacked(agency.parent)}</p>`);
  h.push(`<p class="issuing">${stacked(agency.issuing)}</p><div class="rule" style="width:${twipsPt(agency.ruleWidth)}"></div>`);
  h.push(`</div><div><p class="nation">${NATIONAL_NAME}</p><p class="motto">${MOTTO}</p></div>`);
  h.push(`<div><p class="so">${esc(numberLine(doc))}</p><p class="vv">${stacked(subjectLines(doc))}</p>`);
  if (doc.urgency) {
    const box = urgencyBox(doc.urgency);
    h.push(`<p><span class="urgent" style="width:${mm(box.width)};height:${mm(box.height)}">${URGENCY_TEXT[doc.urgency]}</span></p>`);
  }
  h.push(`</div><div><p class="date">${esc(dateLine(doc))}</p></div></div>`);
  if (doc.recipients.length) {
    const { single, items } = recipientLines(doc.recipients);
    if (single) h.push(`<div class="kg one">Kính gửi: ${esc(single)}</div>`);
    else h.push(`<div class="kg"><p class="label">Kính gửi:</p><div class="items">${items.map((i) => `<p>${esc(i)}</p>`).join('')}</div></div>`);
  }
  h.push('<div class="body">');
  for (const b of bodyWithEnding(doc.body)) {
    if (b.type === 'paragraph') h.push(`<p>${inlineHtml(b.text)}</p>`);
    else {
      h.push('<table class="data">');
      if (b.header.length) h.push(`<thead><tr>${b.header.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead>`);
      h.push(`<tbody>${b.rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`);
    }
  }
  h.push('</div><div class="foot"><div>');
  h.push(`<p class="nn-title">Nơi nhận:</p>${distributionLines(doc.distribution).map((l) => `<p class="nn">${esc(l)}</p>`).join('')}`);
  if (doc.drafterMark) h.push(`<p class="ref">${esc(doc.drafterMark)}</p>`);
  const above = (doc.signer.otherTitles ?? []).map((l) => `<p>${esc(l)}</p>`).join('');
  h.push(`</div><div class="signer">${signerLines(doc).map((l) => `<p>${esc(l)}</p>`).join('')}<div class="gap"></div>${above}<p>${esc(doc.signer.name)}</p></div></div>`);
  h.push('</article>');
  return h.join('');
}

/** A standalone page (for GET /api/v1/letters/:id/preview). */
export function previewPage(doc: LetterDocument): string {
  return `<!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>V/v ${esc(doc.subject.replace(/\s*\n\s*/g, ' '))}</title><style>body{background:#eee;margin:0;padding:16px}${PREVIEW_CSS}</style></head><body>${renderLetterHtml(doc)}</body></html>`;
}
