/**
 * Inline emphasis in a letter's paragraph, as the Vĩnh Phúc letter bolds its figures: `**bold**`, `*italic*`
 * (a backslash before `*` or `\` prints it), and a single newline as a line break inside the paragraph.
 * A marker without its partner prints as it is. The DOCX, the PDF and the preview all read paragraphs through this.
 */
export interface InlineRun {
  text: string;
  bold: boolean;
  italic: boolean;
}

type Token = { kind: 'text'; text: string } | { kind: '**' | '*' } | { kind: 'br' };

function tokens(source: string): Token[] {
  const out: Token[] = [];
  let text = '';
  const flush = () => {
    if (text) out.push({ kind: 'text', text });
    text = '';
  };
  const s = source.replace(/\r\n?/g, '\n');
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '\\' && (s[i + 1] === '*' || s[i + 1] === '\\')) text += s[++i];
    else if (ch === '*') {
      flush();
      if (s[i + 1] === '*') {
        out.push({ kind: '**' });
        i++;
      } else out.push({ kind: '*' });
    } else if (ch === '\n') {
      flush();
      out.push({ kind: 'br' });
    } else text += ch;
  }
  flush();
  return out;
}

/** The paragraph's lines (split at its line breaks), each as runs of one style; empty runs are left out. */
export function inlineLines(source: string): InlineRun[][] {
  const toks = tokens(source);
  // Markers pair up in order (1st with 2nd, 3rd with 4th…); an odd last one is plain text.
  const literal = new Set<number>();
  for (const kind of ['**', '*'] as const) {
    const at = toks.flatMap((t, i) => (t.kind === kind ? [i] : []));
    if (at.length % 2) literal.add(at[at.length - 1]);
  }
  const lines: InlineRun[][] = [[]];
  let bold = false;
  let italic = false;
  const push = (text: string) => {
    const line = lines[lines.length - 1];
    const last = line[line.length - 1];
    if (last && last.bold === bold && last.italic === italic) last.text += text;
    else line.push({ text, bold, italic });
  };
  toks.forEach((t, i) => {
    if (t.kind === 'text') push(t.text);
    else if (t.kind === 'br') lines.push([]);
    else if (literal.has(i)) push(t.kind);
    else if (t.kind === '**') bold = !bold;
    else italic = !italic;
  });
  return lines.map((l) => l.filter((r) => r.text));
}

/** The paragraph as plain text (markers and escapes removed, line breaks as "\n"): for measuring and searching. */
export function plainText(source: string): string {
  return inlineLines(source)
    .map((l) => l.map((r) => r.text).join(''))
    .join('\n');
}
