/** LetterDocument → HTML that mirrors the DOCX layout (same lines, sizes, bold/italic, rules and blocks). */
import type { LetterDocument } from './document';
import { bodyWithEnding, dateLine, distributionLines, MOTTO, NATIONAL_NAME, numberLine, recipientLines, signerLines, URGENCY_TEXT } from './docx';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export const PREVIEW_CSS = `
.letter-page{background:#fff;color:#000;font-family:"Times New Roman",Times,serif;width:210mm;max-width:100%;min-height:297mm;padding:20mm 15mm 20mm 30mm;box-sizing:border-box;margin:0 auto;box-shadow:0 1px 4px rgba(0,0,0,.2);overflow-x:auto}
.letter-page p{margin:0}
.letter-page .head{display:grid;grid-template-columns:44% 56%;text-align:center}
.letter-page .agency{font-size:12pt}
.letter-page .issuing{font-size:12pt;font-weight:bold}
.letter-page .rule{border-bottom:1px solid #000;margin:1px auto 0}
.letter-page .nation{font-size:12pt;font-weight:bold;white-space:nowrap}
.letter-page .motto{font-size:13pt;font-weight:bold;text-decoration:underline}
.letter-page .so{font-size:13pt;margin-top:6pt;white-space:pre}
.letter-page .date{font-size:13pt;font-style:italic;margin-top:6pt;white-space:pre}
.letter-page .vv{font-size:12pt;margin-top:6pt}
.letter-page .urgent{display:inline-block;border:1px solid #000;font-weight:bold;font-size:13pt;padding:0 6pt;margin-top:8pt}
.letter-page .kg{font-size:14pt;margin-top:18pt;margin-bottom:12pt}
.letter-page .kg.one{text-align:center}
.letter-page .kg .items{margin-left:6.5em}
.letter-page .kg .label{margin-left:2cm}
.letter-page .body p{font-size:14pt;text-align:justify;text-indent:1cm;margin-bottom:6pt;line-height:1.2}
.letter-page table.data{border-collapse:collapse;width:100%;margin-bottom:6pt}
.letter-page table.data th,.letter-page table.data td{border:1px solid #000;font-size:13pt;padding:2pt 4pt}
.letter-page .foot{display:grid;grid-template-columns:48% 52%;margin-top:6pt}
.letter-page .nn-title{font-size:12pt;font-weight:bold;font-style:italic}
.letter-page .nn{font-size:11pt}
.letter-page .signer{text-align:center;font-size:14pt;font-weight:bold}
.letter-page .signer .gap{height:5.5em}
`;

export function renderLetterHtml(doc: LetterDocument): string {
  const h: string[] = ['<article class="letter-page" lang="vi">', '<div class="head"><div>'];
  if (doc.parentAgency) h.push(`<p class="agency">${esc(doc.parentAgency.toLocaleUpperCase('vi'))}</p>`);
  h.push(`<p class="issuing">${esc(doc.issuingAgency.toLocaleUpperCase('vi'))}</p><div class="rule" style="width:40%"></div>`);
  h.push(`</div><div><p class="nation">${NATIONAL_NAME}</p><p class="motto">${MOTTO}</p></div>`);
  h.push(`<div><p class="so">${esc(numberLine(doc))}</p><p class="vv">V/v ${esc(doc.subject)}</p>`);
  if (doc.urgency) h.push(`<p><span class="urgent">${URGENCY_TEXT[doc.urgency]}</span></p>`);
  h.push(`</div><div><p class="date">${esc(dateLine(doc))}</p></div></div>`);
  if (doc.recipients.length) {
    const { single, items } = recipientLines(doc.recipients);
    if (single) h.push(`<div class="kg one">Kính gửi: ${esc(single)}</div>`);
    else h.push(`<div class="kg"><p class="label">Kính gửi:</p><div class="items">${items.map((i) => `<p>${esc(i)}</p>`).join('')}</div></div>`);
  }
  h.push('<div class="body">');
  for (const b of bodyWithEnding(doc.body)) {
    if (b.type === 'paragraph') h.push(`<p>${esc(b.text)}</p>`);
    else {
      h.push('<table class="data">');
      if (b.header.length) h.push(`<thead><tr>${b.header.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead>`);
      h.push(`<tbody>${b.rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`);
    }
  }
  h.push('</div><div class="foot"><div>');
  h.push(`<p class="nn-title">Nơi nhận:</p>${distributionLines(doc.distribution).map((l) => `<p class="nn">${esc(l)}</p>`).join('')}`);
  h.push(`</div><div class="signer">${signerLines(doc).map((l) => `<p>${esc(l)}</p>`).join('')}<div class="gap"></div><p>${esc(doc.signer.name)}</p></div></div>`);
  h.push('</article>');
  return h.join('');
}

/** A standalone page (for GET /api/v1/letters/:id/preview). */
export function previewPage(doc: LetterDocument): string {
  return `<!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>V/v ${esc(doc.subject)}</title><style>body{background:#eee;margin:0;padding:16px}${PREVIEW_CSS}</style></head><body>${renderLetterHtml(doc)}</body></html>`;
}
