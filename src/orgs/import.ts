import ExcelJS from 'exceljs';
import { Readable } from 'node:stream';
import type { Db } from '../db';
import { nowIso } from '../db';
import type { Actor } from '../auth/roles';
import { authorize } from '../auth/policy';
import { adminScope, authorizeOrgWrite } from './service';
import { unsupportedType, invalid } from '../shared/errors';
import { zodFields, normalizeStrings } from '../shared/validate';
import * as repo from './repo';
import { OrgCreate, ORG_KINDS } from './schemas';

/**
 * Import of the organisation directory from XLSX or CSV.
 * Header names may be English or Vietnamese. Rows match an existing organisation by `code` when given,
 * otherwise by name under the same parent, so importing the same file twice changes nothing.
 * Valid rows are written; each invalid row is reported with its number and left out.
 */
const HEADER_ALIASES: Record<string, string[]> = {
  code: ['code', 'mã', 'ma', 'mã đơn vị'],
  name: ['name', 'tên', 'ten', 'tên đơn vị', 'tên cơ quan'],
  shortName: ['shortname', 'short name', 'abbreviation', 'viết tắt', 'tên viết tắt', 'ký hiệu'],
  kind: ['kind', 'loại', 'loai', 'cấp'],
  parentCode: ['parentcode', 'parent code', 'mã cấp trên', 'mã đơn vị cấp trên'],
  parent: ['parent', 'cấp trên', 'đơn vị cấp trên'],
  email: ['email', 'e-mail', 'thư điện tử'],
  headcount: ['headcount', 'biên chế', 'số cán bộ', 'số lượng cán bộ'],
  population18: ['population18', 'population 18+', 'dân số 18+', 'dân số từ 18 tuổi'],
  place: ['place', 'địa danh'],
};

const KIND_ALIASES: Record<string, (typeof ORG_KINDS)[number]> = {
  tỉnh: 'province', 'ubnd tỉnh': 'province', sở: 'department', 'sở, ngành': 'department', huyện: 'district',
  'thị xã': 'district', 'thành phố': 'district', xã: 'commune', phường: 'commune', 'thị trấn': 'commune',
  'báo chí': 'press', 'doanh nghiệp': 'enterprise', khác: 'other',
};

export interface ImportResult {
  created: number;
  updated: number;
  errors: { row: number; message: string }[];
}

type Cell = string | number | null;

export async function readSheet(buffer: Buffer, filename: string): Promise<Cell[][]> {
  const isZip = buffer.length > 4 && buffer.readUInt32LE(0) === 0x04034b50;
  const looksText = !buffer.subarray(0, 4096).includes(0);
  const wb = new ExcelJS.Workbook();
  if (isZip) {
    try {
      await wb.xlsx.load(buffer as unknown as ArrayBuffer);
    } catch {
      throw unsupportedType('The file is not a readable XLSX spreadsheet', 'IMPORT_NOT_SPREADSHEET');
    }
  } else if (looksText && /\.(csv|txt)$/i.test(filename)) {
    await wb.csv.read(Readable.from(buffer.toString('utf8').replace(/^\uFEFF/, '')));
  } else {
    throw unsupportedType('Upload an XLSX or CSV file', 'IMPORT_NOT_SPREADSHEET');
  }
  const sheet = wb.worksheets[0];
  if (!sheet) throw invalid('IMPORT_EMPTY', 'The spreadsheet has no sheet');
  const rows: Cell[][] = [];
  sheet.eachRow({ includeEmpty: true }, (row, n) => {
    const values: Cell[] = [];
    row.eachCell({ includeEmpty: true }, (cell, col) => {
      const v = cell.value as unknown;
      values[col - 1] =
        v == null ? null : typeof v === 'object' && v !== null && 'text' in v ? String((v as { text: unknown }).text) :
        typeof v === 'object' && v !== null && 'result' in v ? ((v as { result: Cell }).result ?? null) :
        typeof v === 'number' ? v : String(v);
    });
    rows[n - 1] = values;
  });
  return rows;
}

function headerKey(header: string): string | undefined {
  const h = header.normalize('NFC').trim().toLowerCase();
  return Object.keys(HEADER_ALIASES).find((k) => HEADER_ALIASES[k].includes(h));
}

export async function importOrgs(db: Db, actor: Actor, buffer: Buffer, filename: string): Promise<ImportResult> {
  authorize(actor, ['admin'], actor.orgId);
  // Grows with the rows created under it, so a file may list a new unit and then the units below it.
  const scope = new Set(await adminScope(db, actor));
  const rows = await readSheet(buffer, filename);
  const header = (rows[0] ?? []).map((h) => (h == null ? undefined : headerKey(String(h))));
  if (!header.includes('name') || !header.includes('shortName')) {
    throw invalid('IMPORT_HEADER', 'The first row must name the columns; "name" (Tên) and "shortName" (Viết tắt) are required', {
      file: 'missing name/shortName columns',
    });
  }
  const result: ImportResult = { created: 0, updated: 0, errors: [] };
  for (let i = 1; i < rows.length; i++) {
    const cells = rows[i];
    if (!cells || cells.every((c) => c == null || String(c).trim() === '')) continue;
    const raw: Record<string, string> = {};
    header.forEach((key, col) => {
      const v = cells[col];
      if (key && v != null && String(v).trim() !== '') raw[key] = String(v).normalize('NFC').trim();
    });
    try {
      await db.transaction(async (tx) => {
        const outcome = await importRow(tx, actor, scope, raw);
        result[outcome] += 1;
      });
    } catch (err) {
      result.errors.push({ row: i + 1, message: (err as Error).message });
    }
  }
  return result;
}

/** One row, with the same tree rule as the forms: a provincial admin writes only inside their own tree. */
async function importRow(tx: Db, actor: Actor, scope: Set<number>, raw: Record<string, string>): Promise<'created' | 'updated'> {
  let parentId: number | null = null;
  if (raw.parentCode) {
    const parent = await repo.findOrgByCode(tx, raw.parentCode);
    if (!parent) throw new Error(`parent code "${raw.parentCode}" not found (list parents before their units)`);
    parentId = parent.id;
  } else if (raw.parent) {
    const parent = (await repo.listOrgs(tx, {})).find((o) => o.name === raw.parent || o.short_name === raw.parent);
    if (!parent) throw new Error(`parent "${raw.parent}" not found`);
    parentId = parent.id;
  }
  const kind = raw.kind ? (KIND_ALIASES[raw.kind.toLowerCase()] ?? raw.kind.toLowerCase()) : 'other';
  const parsed = OrgCreate.safeParse(
    normalizeStrings({
      name: raw.name,
      shortName: raw.shortName?.toUpperCase(),
      kind,
      parentId,
      code: raw.code ?? null,
      email: raw.email ?? null,
      headcount: raw.headcount ?? null,
      population18: raw.population18 ?? null,
      place: raw.place ?? null,
    }),
  );
  if (!parsed.success) {
    const fields = zodFields(parsed.error);
    throw new Error(Object.entries(fields).map(([k, v]) => `${k}: ${v}`).join('; '));
  }
  const o = parsed.data;
  const existing = o.code ? await repo.findOrgByCode(tx, o.code) : await repo.findOrgByNameUnder(tx, o.name, parentId);
  try {
    authorizeOrgWrite(actor, scope, existing ?? null, parentId);
  } catch {
    throw new Error(existing ? 'this organisation is outside your organisation tree' : 'the parent must be an organisation of your tree');
  }
  const row = {
    name: o.name,
    short_name: o.shortName,
    kind: o.kind,
    parent_id: parentId,
    code: o.code ?? null,
    email: o.email ?? null,
    headcount: o.headcount ?? null,
    population18: o.population18 ?? null,
    place: o.place ?? null,
  };
  const now = nowIso();
  if (existing) {
    await repo.updateOrg(tx, existing.id, { ...row, updated_at: now });
    return 'updated';
  }
  scope.add(await repo.insertOrg(tx, { ...row, created_at: now, updated_at: now }));
  return 'created';
}
