/** Letter templates as records: list, create and edit (admin), with the compile check and shipped templates. */
import type { Db, Q } from '../db';
import type { Actor } from '../auth';
import { authorize, requireRole } from '../auth';
import { conflict, notFound } from '../shared/errors';
import * as repo from './repo';
import { toTemplate, type LetterTemplate } from './model';
import type { TemplateCreate, TemplatePatch } from './schemas';
import { compileTemplate, declareVariables, renderTemplate, sampleValues, shippedTemplates } from './templates';
import { READERS } from './service';

export async function listTemplates(db: Q, actor: Actor): Promise<LetterTemplate[]> {
  requireRole(actor, READERS);
  return (await repo.listTemplates(db)).map(toTemplate);
}

export async function getTemplate(db: Q, actor: Actor, id: number): Promise<LetterTemplate> {
  requireRole(actor, READERS);
  const row = await repo.findTemplate(db, id);
  if (!row) throw notFound('Template', 'TEMPLATE_NOT_FOUND');
  return toTemplate(row);
}

/** Compiles body and subject and renders them once with sample values, so a broken template never reaches a draft. */
function check(input: { subject: string; body: string; variables?: TemplateCreate["variables"] }): void {
  compileTemplate(input.body);
  compileTemplate(input.subject);
  const vars = declareVariables(input.body, input.variables);
  const ctx = { ...sampleValues(vars), issuer: 'Sở', issuerShort: 'S', place: 'Hà Tĩnh', year: 2021 };
  renderTemplate(input.body, ctx);
}

export async function createTemplate(db: Db, actor: Actor, input: TemplateCreate, now: Date): Promise<LetterTemplate> {
  authorize(actor, ['admin'], actor.orgId);
  check(input);
  if (await repo.findTemplateByName(db, input.name)) throw conflict('TEMPLATE_NAME_TAKEN', 'A template with this name already exists');
  const ts = now.toISOString();
  const id = await repo.insertTemplate(db, {
    name: input.name,
    subject: input.subject,
    body: input.body.normalize('NFC'),
    variables: JSON.stringify(declareVariables(input.body, input.variables)),
    source: 'user',
    created_by: actor.id,
    created_at: ts,
    updated_at: ts,
  });
  return toTemplate((await repo.findTemplate(db, id))!);
}

export async function updateTemplate(db: Db, actor: Actor, id: number, patch: TemplatePatch, now: Date): Promise<LetterTemplate> {
  authorize(actor, ['admin'], actor.orgId);
  const row = await repo.findTemplate(db, id);
  if (!row) throw notFound('Template', 'TEMPLATE_NOT_FOUND');
  const next = {
    name: patch.name ?? row.name,
    subject: patch.subject ?? row.subject,
    body: (patch.body ?? row.body).normalize('NFC'),
    variables: patch.variables ?? (patch.body ? undefined : JSON.parse(row.variables)),
  };
  check(next);
  if (next.name !== row.name && (await repo.findTemplateByName(db, next.name))) throw conflict('TEMPLATE_NAME_TAKEN', 'A template with this name already exists');
  await repo.updateTemplate(db, id, { name: next.name, subject: next.subject, body: next.body, variables: JSON.stringify(declareVariables(next.body, next.variables)), updated_at: now.toISOString() });
  return toTemplate((await repo.findTemplate(db, id))!);
}

/** Deletes a template no letter was drafted from (409 otherwise: drafts keep their template reference). */
export async function deleteTemplate(db: Db, actor: Actor, id: number): Promise<void> {
  authorize(actor, ['admin'], actor.orgId);
  if (!(await repo.findTemplate(db, id))) throw notFound('Template', 'TEMPLATE_NOT_FOUND');
  if (await repo.templateInUse(db, id)) throw conflict('TEMPLATE_IN_USE', 'Letters were drafted from this template; edit it instead');
  await repo.deleteTemplate(db, id);
}

/** Loads templates/letters/*.hbs into the table once (by name); edits made in the UI are kept. */
export async function installShippedTemplates(db: Db, now = new Date()): Promise<number> {
  let added = 0;
  for (const t of shippedTemplates()) {
    if (await repo.findTemplateByName(db, t.name)) continue;
    const ts = now.toISOString();
    await repo.insertTemplate(db, { name: t.name, subject: t.subject, body: t.body, variables: JSON.stringify(t.variables), source: 'shipped', created_by: null, created_at: ts, updated_at: ts });
    added++;
  }
  return added;
}
