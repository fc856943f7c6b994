import { z } from 'zod';
import { email, id, longText, requiredText, text } from '../shared/validate';
import { signerLineProblems } from './signer-lines';
import { listQuery } from '../shared/paging';

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

/** One printed line: spaces collapsed. */
const printedLine = () => requiredText(200).transform((s) => s.replace(/\s+/g, ' '));

const Signer = z
  .object({
    authority: z.enum(AUTHORITIES).nullable().optional(),
    authorityTitle: text(200).nullable().optional(),
    /** The signer's position; may be left out when `lines` are given (their last line is the position). */
    title: requiredText(200).optional(),
    name: requiredText(200),
    /** ô 7a exactly as printed, e.g. ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]; overrides the three above. */
    lines: z.array(printedLine()).min(1, 'required').max(5).optional(),
    /** ô 7b lines above the name, e.g. "Trưởng Tiểu ban …". */
    otherTitles: z.array(printedLine()).max(5).optional(),
  })
  .strict()
  .refine((s) => !s.authority || !!s.authorityTitle, { message: 'required with an authority prefix', path: ['authorityTitle'] })
  .refine((s) => !!s.lines || !!s.title, { message: 'required', path: ['title'] })
  .superRefine((s, ctx) => {
    for (const p of signerLineProblems(s.lines ?? [])) ctx.addIssue({ code: 'custom', message: p.message, path: ['lines', p.index] });
  });
export type SignerInput = z.infer<typeof Signer>;

/** What follows "Lưu: " (§3.10): the văn thư's copy first, e.g. "VT, NVY/nthvan" or "VT". */
const archive = () =>
  text(200)
    .transform((s) => s.replace(/^-?\s*Lưu\s*:\s*/iu, '').replace(/[.;\s]+$/u, ''))
    .pipe(z.string().regex(/^VT(?=$|[\s,;/(])/u, 'starts with VT (the văn thư\'s copy), e.g. "VT, NVY"'));

/** Drafting-unit abbreviation in the symbol: upper-case letters and digits. */
const unitCode = () => requiredText(40).pipe(z.string().regex(/^[A-ZĐ0-9]+$/u, 'upper-case letters and digits only, e.g. TTBCXB'));

const VariableValue = z.union([z.string().max(20_000), z.number(), z.boolean(), z.array(z.string().max(2000)).max(200), z.null()]);

const letterFields = {
  issuingOrgId: id(),
  templateId: id().nullable().optional(),
  variables: z.record(z.string(), VariableValue).optional(),
  subject: text(500).optional(),
  body: longText(100_000).optional(),
  place: requiredText(120),
  recipients: z.array(Recipient).max(2000).default([]),
  recipientGroupIds: z.array(id()).max(100).optional(),
  legalBases: z.array(requiredText(1000)).max(50).optional(),
  distribution: z.array(requiredText(300)).max(200).optional(),
  urgency: z.enum(URGENCIES).nullable().optional(),
  signer: Signer,
  unitCode: unitCode().optional(),
  archive: archive().nullable().optional(),
  /** ô 12: the drafter's initials (upper case) and the number of copies, e.g. PL.(300). */
  drafterInitials: text(20).pipe(z.string().regex(/^\p{Lu}+$/u, 'upper-case letters only, e.g. PL')).nullable().optional(),
  copies: z.number().int('a whole number').min(1).max(1_000_000).nullable().optional(),
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

/** Where an organisation's outgoing register continues in a year (PUT /register/start). */
export const RegisterStartBody = z
  .object({
    orgId: id(),
    year: z.coerce.number().int().min(2000, 'a year 2000–2100').max(2100, 'a year 2000–2100'),
    nextNumber: z.coerce.number().int('a whole number').min(1, 'at least 1').max(9_999_999, 'at most 9999999'),
  })
  .strict();

/** POST /text/convert: the text as pasted (not through `text()`, which would convert it already). */
export const TextConvertBody = z.object({ text: z.string().max(100_000, 'at most 100000 characters') }).strict();
