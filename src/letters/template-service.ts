/** Letter templates as records: list, create and edit (admin), with the compile check and shipped templates. */
import type { Ctx, Deps } from '../deps';
import { ADMIN_ROLES, authorize, requireRole, STAFF_ROLES } from '../auth';
import { AppError, conflict, notFound } from '../shared/errors';
import * as repo from './repo';
import { toTemplate, type LetterTemplate } from './model';
import type { TemplateCreate, TemplatePatch, TemplateVariable } from './schemas';
import { compileTemplate, declareVariables, renderTemplate, sampleValues, shippedTemplates } from './templates';

export async function listTemplates(ctx: Ctx): Promise<LetterTemplate[]> {
  requireRole(ctx.actor, STAFF_ROLES);
  return (await repo.listTemplates(ctx.db)).map(toTemplate);
}

export async function getTemplate(ctx: Ctx, id: number): Promise<LetterTemplate> {
  requireRole(ctx.actor, STAFF_ROLES);
  const row = await repo.findTemplate(ctx.db, id);
  if (!row) throw notFound('Template', 'TEMPLATE_NOT_FOUND');
  return toTemplate(row);
}

/** Compiles body and subject and renders them once with sample values, so a broken template never reaches a draft. */
function check(input: { subject: string; body: string; variables?: TemplateCreate['variables'] }): void {
  compileTemplate(input.body);
  compileTemplate(input.subject);
  const vars = declareVariables(input.body, input.variables);
  const ctx = { ...sampleValues(vars), issuer: 'Sở', issuerShort: 'S', place: 'Hà Tĩnh', year: 2021 };
  renderTemplate(input.body, ctx);
}

/** Names are unique: a taken one is a 409 that marks the name field. */
const nameTaken = () => new AppError('conflict', 'TEMPLATE_NAME_TAKEN', 'A template with this name already exists', { name: 'this name is already taken' });

export async function createTemplate(ctx: Ctx, input: TemplateCreate): Promise<LetterTemplate> {
  const { db, actor } = ctx;
  authorize(actor, ADMIN_ROLES, actor.orgId);
  check(input);
  if (await repo.findTemplateByName(db, input.name)) throw nameTaken();
  const ts = ctx.clock().toISOString();
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

export async function updateTemplate(ctx: Ctx, id: number, patch: TemplatePatch): Promise<LetterTemplate> {
  const { db, actor } = ctx;
  authorize(actor, ADMIN_ROLES, actor.orgId);
  const row = await repo.findTemplate(db, id);
  if (!row) throw notFound('Template', 'TEMPLATE_NOT_FOUND');
  const next = {
    name: patch.name ?? row.name,
    subject: patch.subject ?? row.subject,
    body: (patch.body ?? row.body).normalize('NFC'),
    variables: patch.variables ?? (patch.body ? undefined : (JSON.parse(row.variables) as TemplateVariable[])),
  };
  check(next);
  if (next.name !== row.name && (await repo.findTemplateByName(db, next.name))) throw nameTaken();
  await repo.updateTemplate(db, id, { name: next.name, subject: next.subject, body: next.body, variables: JSON.stringify(declareVariables(next.body, next.variables)), updated_at: ctx.clock().toISOString() });
  return toTemplate((await repo.findTemplate(db, id))!);
}

/** Deletes a template no letter was drafted from (409 otherwise: drafts keep their template reference). */
export async function deleteTemplate(ctx: Ctx, id: number): Promise<void> {
  const { db, actor } = ctx;
  authorize(actor, ADMIN_ROLES, actor.orgId);
  if (!(await repo.findTemplate(db, id))) throw notFound('Template', 'TEMPLATE_NOT_FOUND');
  if (await repo.templateInUse(db, id)) throw conflict('TEMPLATE_IN_USE', 'Letters were drafted from this template; edit it instead');
  await repo.deleteTemplate(db, id);
}

/** Loads templates/letters/*.hbs into the table once (by name); edits made in the UI are kept. Start-up work. */
export async function installShippedTemplates(deps: Deps): Promise<number> {
  const { db } = deps;
  let added = 0;
  for (const t of shippedTemplates()) {
    if (await repo.findTemplateByName(db, t.name)) continue;
    const ts = deps.clock().toISOString();
    await repo.insertTemplate(db, { name: t.name, subject: t.subject, body: t.body, variables: JSON.stringify(t.variables), source: 'shipped', created_by: null, created_at: ts, updated_at: ts });
    added++;
  }
  return added;
}
