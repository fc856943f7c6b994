import { z } from 'zod';
import { listQuery } from '../shared/paging';
import { email, id, requiredText, text } from '../shared/validate';

export const VARIABLE_TYPES = ['text', 'longtext', 'number', 'date', 'list'] as const;
export type VariableType = (typeof VARIABLE_TYPES)[number];

export const TemplateVariable = z
  .object({
    name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'letters, digits and _ only'),
    label: requiredText(200),
    type: z.enum(VARIABLE_TYPES).default('text'),
    required: z.boolean().default(true),
  })
  .strict();
export type TemplateVariable = z.infer<typeof TemplateVariable>;

export const TemplateCreate = z
  .object({
    name: requiredText(200),
    subject: text(500).default(''),
    body: z.string().min(1, 'required').max(100_000),
    variables: z.array(TemplateVariable).max(100).optional(),
  })
  .strict();
export type TemplateCreate = z.infer<typeof TemplateCreate>;

export const TemplatePatch = TemplateCreate.partial().strict();
export type TemplatePatch = z.infer<typeof TemplatePatch>;

export const URGENCIES = ['KHAN', 'THUONG_KHAN', 'HOA_TOC'] as const;
export const AUTHORITIES = ['KT.', 'TM.', 'TL.', 'TUQ.'] as const;
export const STATUSES = ['draft', 'submitted', 'approved', 'issued'] as const;
export type LetterStatus = (typeof STATUSES)[number];

const Recipient = z.union([
  z.object({ orgId: id() }).strict(),
  z.object({ name: requiredText(300), email: email().nullable().optional() }).strict(),
]);
export type RecipientInput = z.infer<typeof Recipient>;

const Signer = z
  .object({
    authority: z.enum(AUTHORITIES).nullable().optional(),
    authorityTitle: text(200).nullable().optional(),
    title: requiredText(200),
    name: requiredText(200),
  })
  .strict()
  .refine((s) => !s.authority || !!s.authorityTitle, { message: 'required with an authority prefix', path: ['authorityTitle'] });

/** Drafting-unit abbreviation in the symbol: upper-case letters and digits. */
const unitCode = () => requiredText(40).pipe(z.string().regex(/^[A-ZĐ0-9]+$/u, 'upper-case letters and digits only, e.g. TTBCXB'));

const VariableValue = z.union([z.string().max(20_000), z.number(), z.boolean(), z.array(z.string().max(2000)).max(200), z.null()]);

const letterFields = {
  issuingOrgId: id(),
  templateId: id().nullable().optional(),
  variables: z.record(z.string(), VariableValue).optional(),
  subject: text(500).optional(),
  body: z.string().max(100_000).optional(),
  place: requiredText(120),
  recipients: z.array(Recipient).max(2000).default([]),
  recipientGroupIds: z.array(id()).max(100).optional(),
  legalBases: z.array(requiredText(1000)).max(50).optional(),
  distribution: z.array(requiredText(300)).max(200).optional(),
  urgency: z.enum(URGENCIES).nullable().optional(),
  signer: Signer,
  unitCode: unitCode().optional(),
  campaignId: id().nullable().optional(),
};

export const LetterCreate = z.object(letterFields).strict();
export type LetterCreate = z.infer<typeof LetterCreate>;

export const LetterPatch = z
  .object({ ...letterFields, recipients: z.array(Recipient).max(2000).optional() })
  .partial()
  .strict();
export type LetterPatch = z.infer<typeof LetterPatch>;

export const RejectBody = z.object({ reason: requiredText(2000) }).strict();

export const LetterListQuery = listQuery.extend({
  status: z.enum(STATUSES).optional(),
  year: z.coerce.number().int().min(1990).max(2200).optional(),
  orgId: id().optional(),
});

export const RegisterQuery = z.object({
  orgId: id().optional(),
  year: z.coerce.number().int().min(1990).max(2200).optional(),
  format: z.enum(['json', 'xlsx']).optional(),
});
