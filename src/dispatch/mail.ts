import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { TEMPLATES_DIR } from '../shared/paths';

/** E-mail bodies live in templates/email/*.hbs (Handlebars); compiled once. Text is escaped only in the HTML variant. */
const cache = new Map<string, Handlebars.TemplateDelegate>();

function template(name: string, html: boolean): Handlebars.TemplateDelegate {
  const key = `${name}:${html}`;
  let t = cache.get(key);
  if (!t) {
    const source = fs.readFileSync(path.join(TEMPLATES_DIR, 'email', html ? `${name}.html.hbs` : `${name}.hbs`), 'utf8');
    t = Handlebars.compile(source, { noEscape: !html, strict: false });
    cache.set(key, t);
  }
  return t;
}

export function renderEmail(name: string, vars: Record<string, unknown>): { text: string; html: string } {
  return { text: template(name, false)(vars).normalize('NFC'), html: template(name, true)(vars).normalize('NFC') };
}
