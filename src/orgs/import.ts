import type ExcelJS from 'exceljs';
import { loadExcelJs } from '../shared/xlsx';
import { Readable } from 'node:stream';
import type { Q } from '../db';
import type { Ctx } from '../deps';
import type { Actor, Role } from '../auth';
import { ADMIN_ROLES, authorize } from '../auth';
import { AppError, unsupportedType, invalid, tooLarge } from '../shared/errors';
import { adminScope, authorizeOrgWrite } from './service';
import { zodFields, normalizeStrings } from '../shared/validate';
import * as repo from './repo';
import { OrgCreate, ORG_KINDS } from './schemas';
import { normaliseZip, ZipRefused } from '../shared/zip';
import { t } from '../shared/i18n';

/**
 * Import of the organisation directory from XLSX or CSV.
 * Header names may be English or Vietnamese. Rows match an existing organisation by `code` when given,
 * otherwise by name under the same parent, so importing the same file twice changes nothing.
 * Valid rows are written; each invalid row is reported with its number and left out.
 *
 * Bounded for files from outside: at most `maxRows` data rows (more: 400 before anything is written) and
 * `maxUncompressedBytes` once an XLSX is inflated (a zip bomb: 413 after inflating no more than that). The sheet
 * is read as a stream, parents and existing rows are found in one map loaded once, and rows are written in
 * batches, one transaction each, yielding to other requests between batches.
 */
export const IMPORTERS: readonly Role[] = ADMIN_ROLES;

export interface ImportLimits {
  maxRows: number;
  maxUncompressedBytes: number;
}
const DEFAULT_LIMITS: ImportLimits = { maxRows: 20_000, maxUncompressedBytes: 50 * 1024 * 1024 };

/** Rows per transaction; between two batches other requests get their turn. */
const BATCH_ROWS = 500;
/** Columns read per row (an organisation has ten; a cell far to the right is ignored, not iterated to). */
const MAX_COLUMNS = 64;

const HEADER_ALIASES: Record<string, string[]> = {
  code: ['code', 'mã', 'ma', 'mã đơn vị', 'mã đơn vị hành chính', 'mã đvhc', 'mã số'],
  name: ['name', 'tên', 'ten', 'tên đơn vị', 'tên cơ quan', 'tên đơn vị hành chính', 'tên đvhc'],
  shortName: ['shortname', 'short name', 'abbreviation', 'viết tắt', 'tên viết tắt', 'ký hiệu'],
  kind: ['kind', 'level', 'loại', 'loai', 'cấp', 'cấp hành chính', 'loại đơn vị'],
  parentCode: ['parentcode', 'parent code', 'parent_code', 'mã cấp trên', 'mã đơn vị cấp trên', 'mã cha', 'mã đơn vị cha', 'mã tỉnh', 'mã huyện'],
  parent: ['parent', 'cấp trên', 'đơn vị cấp trên'],
  email: ['email', 'e-mail', 'thư điện tử'],
  headcount: ['headcount', 'biên chế', 'số cán bộ', 'số lượng cán bộ'],
  population18: ['population18', 'population 18+', 'dân số 18+', 'dân số từ 18 tuổi'],
  place: ['place', 'địa danh'],
};

type Kind = (typeof ORG_KINDS)[number];

/**
 * What a "Loại"/"Cấp" cell may say: the codes, the labels the screens show in either language ("Huyện, thị xã,
 * thành phố", "Sở, ban, ngành"), the parts of those labels, and the levels of the statistics office's list of
 * administrative units ("Tỉnh", "Thành phố Trung ương", "Huyện", "Quận", "Xã", "Phường", "Đặc khu"…). A bare
 * "Thành phố" is a city under a province (district level); "Thành phố Trung ương" is a province.
 */
const KIND_ALIASES: Record<string, Kind> = (() => {
  const out: Record<string, Kind> = {
    'ubnd tỉnh': 'province', 'thành phố trung ương': 'province', 'thành phố trực thuộc trung ương': 'province',
    sở: 'department', ngành: 'department', ban: 'department', 'sở, ngành': 'department', 'cơ quan': 'department',
    quận: 'district', 'thành phố thuộc tỉnh': 'district', 'thành phố thuộc thành phố trung ương': 'district',
    'đặc khu': 'commune', 'ubnd xã': 'commune', 'ubnd phường': 'commune',
    'báo chí': 'press', báo: 'press', 'doanh nghiệp': 'enterprise', khác: 'other',
  };
  for (const kind of ORG_KINDS) {
    out[kind] = kind;
    for (const locale of ['vi', 'en'] as const) {
      const label = t(locale, `orgs.kinds.${kind}`).normalize('NFC').toLowerCase();
      out[label] ??= kind;
      for (const part of label.split(',')) if (part.trim()) out[part.trim()] ??= kind;
    }
  }
  return out;
})();

/** A kind from a cell ("Huyện, thị xã, thành phố", "Xã", "district"), or undefined when nothing matches. */
export function kindFromLabel(label: string): Kind | undefined {
  const key = label.normalize('NFC').trim().toLowerCase().replace(/\s+/g, ' ');
  return KIND_ALIASES[key];
}

/** Administrative units (province, district, commune): their letters' symbol is the people's committee's, UBND. */
const ADMINISTRATIVE: readonly Kind[] = ['province', 'district', 'commune'];
const ADMINISTRATIVE_SHORT_NAME = 'UBND';

/**
 * A row left out. `message` is English (the API's, for machine clients); `code` (+ `params`, and the schema's
 * field messages in `fields`) lets a page say it in the user's language (`orgs.importErrors.<code>`).
 */
export interface ImportRowError {
  row: number;
  code: ImportRowCode;
  message: string;
  params?: Record<string, string>;
  fields?: Record<string, string>;
}
export type ImportRowCode = 'PARENT_CODE_NOT_FOUND' | 'PARENT_NOT_FOUND' | 'KIND_UNKNOWN' | 'ROW_INVALID' | 'OUTSIDE_TREE' | 'PARENT_OUTSIDE_TREE' | 'ROW_NOT_WRITTEN';

export interface ImportResult {
  created: number;
  updated: number;
  errors: ImportRowError[];
}

/** Why one row was left out (thrown inside the row's checks, reported as an ImportRowError). */
class RowRefused extends Error {
  constructor(
    readonly code: ImportRowCode,
    message: string,
    readonly params?: Record<string, string>,
    readonly fields?: Record<string, string>,
  ) {
    super(message);
  }
}

const rowError = (row: number, err: unknown): ImportRowError =>
  err instanceof RowRefused
    ? { row, code: err.code, message: err.message, ...(err.params ? { params: err.params } : {}), ...(err.fields ? { fields: err.fields } : {}) }
    : { row, code: 'ROW_NOT_WRITTEN', message: err instanceof Error ? err.message : String(err) };

type Cell = string | number | null;

const tooManyRows = (max: number) =>
  invalid('IMPORT_TOO_MANY_ROWS', `The file has more than ${max} rows; split it into files of at most ${max} rows`, { file: `at most ${max} rows` }, { max });

/** A cell as text or number: rich text joined, hyperlinks by their text, formulas by their result, error cells by their code. */
function cellValue(v: unknown): Cell {
  if (v == null) return null;
  if (typeof v === 'number') return v;
  if (typeof v === 'string' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v instanceof Date) return v.toString();
  if (typeof v !== 'object') return null;
  if ('richText' in v && Array.isArray(v.richText)) return (v.richText as { text?: string }[]).map((r) => r.text ?? '').join('');
  if ('text' in v) return cellValue(v.text);
  if ('result' in v) return cellValue(v.result);
  if ('error' in v) return cellValue(v.error);
  return null;
}

const isBlank = (cells: Cell[] | undefined) => !cells || cells.every((c) => c == null || String(c).trim() === '');

function cellsOf(row: ExcelJS.Row): Cell[] {
  const values: Cell[] = [];
  row.eachCell((cell, col) => {
    if (col <= MAX_COLUMNS) values[col - 1] = cellValue(cell.value);
  });
  for (let i = 0; i < values.length; i++) if (values[i] === undefined) values[i] = null;
  return values;
}

/** The first sheet of an XLSX, streamed, stopping as soon as it has more than `maxRows` data rows. */
async function readXlsx(buffer: Buffer, limits: ImportLimits): Promise<Cell[][]> {
  let clean: Buffer;
  try {
    clean = await normaliseZip(buffer, limits.maxUncompressedBytes);
  } catch (err) {
    if (!(err instanceof ZipRefused)) throw err;
    if (err.reason === 'unreadable') throw unsupportedType('The file is not a readable XLSX spreadsheet', 'IMPORT_NOT_SPREADSHEET');
    const mb = Math.round(limits.maxUncompressedBytes / 1024 / 1024);
    throw tooLarge(`The spreadsheet is larger than ${mb} MB once uncompressed (${err.message})`, 'IMPORT_TOO_LARGE', { max: mb });
  }
  const rows: Cell[][] = [];
  let dataRows = 0;
  try {
    const reader = new (await loadExcelJs()).stream.xlsx.WorkbookReader(Readable.from([clean]), { sharedStrings: 'cache', hyperlinks: 'ignore', styles: 'ignore', worksheets: 'emit', entries: 'ignore' });
    for await (const sheet of reader) {
      for await (const row of sheet as unknown as AsyncIterable<ExcelJS.Row>) {
        const cells = cellsOf(row);
        if (row.number > 1 && !isBlank(cells) && ++dataRows > limits.maxRows) throw tooManyRows(limits.maxRows);
        rows[row.number - 1] = cells;
      }
      break; // the first sheet only
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw unsupportedType('The file is not a readable XLSX spreadsheet', 'IMPORT_NOT_SPREADSHEET');
  }
  return rows;
}

async function readCsv(buffer: Buffer, limits: ImportLimits): Promise<Cell[][]> {
  const textBody = buffer.toString('utf8').replace(/^\uFEFF/, '');
  // Counted before parsing: a line holds at most one row (a quoted field may span lines, never the reverse).
  let lines = 0;
  for (const line of textBody.split('\n')) if (/[^\s,;"]/.test(line) && ++lines > limits.maxRows + 1) throw tooManyRows(limits.maxRows);
  const wb = new (await loadExcelJs()).Workbook();
  // Cells stay text ("01", "00004": the statistics office's codes keep their leading zeros); numbers are parsed by the schema.
  await wb.csv.read(Readable.from([textBody]), { map: (value: unknown) => value });
  const sheet = wb.worksheets[0];
  if (!sheet) throw invalid('IMPORT_EMPTY', 'The spreadsheet has no sheet');
  const rows: Cell[][] = [];
  sheet.eachRow({ includeEmpty: true }, (row, n) => {
    rows[n - 1] = cellsOf(row);
  });
  return rows;
}

export async function readSheet(buffer: Buffer, filename: string, limits: ImportLimits = DEFAULT_LIMITS): Promise<Cell[][]> {
  const isZip = buffer.length > 4 && buffer.readUInt32LE(0) === 0x04034b50;
  const looksText = !buffer.subarray(0, 4096).includes(0);
  if (isZip) return readXlsx(buffer, limits);
  if (looksText && /\.(csv|txt)$/i.test(filename)) return readCsv(buffer, limits);
  throw unsupportedType('Upload an XLSX or CSV file', 'IMPORT_NOT_SPREADSHEET');
}

function headerKey(header: string): string | undefined {
  const h = header.normalize('NFC').trim().toLowerCase();
  return Object.keys(HEADER_ALIASES).find((k) => HEADER_ALIASES[k].includes(h));
}

export async function importOrgs(ctx: Ctx, buffer: Buffer, filename: string, limits: ImportLimits = DEFAULT_LIMITS): Promise<ImportResult> {
  const { db, actor } = ctx;
  authorize(actor, IMPORTERS, actor.orgId);
  // A provincial admin writes only inside their own tree. The set grows with the rows created under it, so a file
  // may list a new unit and then the units below it.
  const scope = new Set(await adminScope(db, actor));
  const rows = await readSheet(buffer, filename, limits);
  const header = (rows[0] ?? []).map((h) => (h == null ? undefined : headerKey(String(h))));
  // A short name is needed except for administrative units (UBND), so the statistics office's list (code, name,
  // level, parent code) imports as it is.
  if (!header.includes('name') || (!header.includes('shortName') && !header.includes('kind'))) {
    throw invalid('IMPORT_HEADER', 'The first row must name the columns; "name" (Tên) and "shortName" (Viết tắt) or "kind" (Loại, Cấp) are required', {
      file: 'missing name/shortName columns',
    });
  }
  const input: { n: number; raw: Record<string, string> }[] = [];
  for (let i = 1; i < rows.length; i++) {
    const cells = rows[i];
    if (isBlank(cells)) continue;
    const raw: Record<string, string> = {};
    header.forEach((key, col) => {
      const v = cells[col];
      if (key && v != null && String(v).trim() !== '') raw[key] = String(v).normalize('NFC').trim();
    });
    input.push({ n: i + 1, raw });
  }
  if (input.length > limits.maxRows) throw tooManyRows(limits.maxRows);

  const result: ImportResult = { created: 0, updated: 0, errors: [] };
  let index = await OrgIndex.load(db);
  for (let start = 0; start < input.length; start += BATCH_ROWS) {
    const batch = input.slice(start, start + BATCH_ROWS);
    const outcome: ImportResult = { created: 0, updated: 0, errors: [] };
    try {
      await db.transaction(async (tx) => {
        for (const row of batch) await importRow(tx, index, actor, scope, row, outcome, ctx.clock());
      });
    } catch {
      // A write the checks did not foresee (say a code taken meanwhile by another admin): the batch is rolled
      // back, the map reloaded, and its rows written one by one so only the offending row is reported.
      index = await OrgIndex.load(db);
      outcome.created = outcome.updated = 0;
      outcome.errors = [];
      for (const row of batch) {
        await db
          .transaction((tx) => importRow(tx, index, actor, scope, row, outcome, ctx.clock()))
          .catch(async (err) => {
            outcome.errors.push(rowError(row.n, err));
            index = await OrgIndex.load(db);
          });
      }
    }
    result.created += outcome.created;
    result.updated += outcome.updated;
    result.errors.push(...outcome.errors);
    await new Promise((resolve) => setImmediate(resolve));
  }
  result.errors.sort((a, b) => a.row - b.row);
  return result;
}

interface Known {
  id: number;
  name: string;
  short_name: string;
  code: string | null;
  parent_id: number | null;
}

/**
 * Every organisation once, in memory, looked up as the import needs: by code, by name under a parent (the match
 * of a row without code) and by name or short name (a `parent` column; the first in the directory's order wins,
 * as a query per row did). Rows written by the import are added as they are written.
 */
class OrgIndex {
  private byCode = new Map<string, Known>();
  private byNameUnder = new Map<string, Known>();
  private byLabel = new Map<string, Known>();

  static async load(q: Q): Promise<OrgIndex> {
    const index = new OrgIndex();
    for (const o of await repo.listOrgs(q, {})) index.add(o);
    return index;
  }

  private static nameKey = (parentId: number | null, name: string) => `${parentId ?? ''}\u0000${name}`;

  add(o: Known): void {
    if (o.code && !this.byCode.has(o.code)) this.byCode.set(o.code, o);
    const key = OrgIndex.nameKey(o.parent_id, o.name);
    if (!this.byNameUnder.has(key)) this.byNameUnder.set(key, o);
    if (!this.byLabel.has(o.name)) this.byLabel.set(o.name, o);
    if (!this.byLabel.has(o.short_name)) this.byLabel.set(o.short_name, o);
  }

  update(o: Known, next: Omit<Known, 'id'>): void {
    if (o.code && this.byCode.get(o.code) === o) this.byCode.delete(o.code);
    const key = OrgIndex.nameKey(o.parent_id, o.name);
    if (this.byNameUnder.get(key) === o) this.byNameUnder.delete(key);
    Object.assign(o, next);
    this.add(o);
  }

  code(code: string): Known | undefined {
    return this.byCode.get(code);
  }

  label(label: string): Known | undefined {
    return this.byLabel.get(label);
  }

  nameUnder(name: string, parentId: number | null): Known | undefined {
    return this.byNameUnder.get(OrgIndex.nameKey(parentId, name));
  }
}

/** Checks one row against the map (no query) and writes it; a row that fails its checks is reported, not thrown. */
async function importRow(tx: Q, index: OrgIndex, actor: Actor, scope: Set<number>, { n, raw }: { n: number; raw: Record<string, string> }, outcome: ImportResult, at: Date): Promise<void> {
  let prepared: ReturnType<typeof prepareRow>;
  try {
    prepared = prepareRow(index, actor, scope, raw);
  } catch (err) {
    outcome.errors.push(rowError(n, err));
    return;
  }
  const { row, existing } = prepared;
  const now = at.toISOString();
  if (existing) {
    await repo.updateOrg(tx, existing.id, { ...row, updated_at: now });
    index.update(existing, row);
    outcome.updated += 1;
    return;
  }
  const id = await repo.insertOrg(tx, { ...row, created_at: now, updated_at: now });
  scope.add(id);
  index.add({ id, ...row });
  outcome.created += 1;
}

function prepareRow(index: OrgIndex, actor: Actor, scope: Set<number>, raw: Record<string, string>) {
  let parentId: number | null = null;
  if (raw.parentCode) {
    const parent = index.code(raw.parentCode);
    if (!parent) throw new RowRefused('PARENT_CODE_NOT_FOUND', `parent code "${raw.parentCode}" not found (list parents before their units)`, { parentCode: raw.parentCode });
    parentId = parent.id;
  } else if (raw.parent) {
    const parent = index.label(raw.parent);
    if (!parent) throw new RowRefused('PARENT_NOT_FOUND', `parent "${raw.parent}" not found`, { parent: raw.parent });
    parentId = parent.id;
  }
  const kind = raw.kind ? kindFromLabel(raw.kind) : 'other';
  if (!kind) throw new RowRefused('KIND_UNKNOWN', `unknown kind "${raw.kind}"; use one of ${ORG_KINDS.join(', ')}`, { kind: raw.kind ?? '' });
  const matched = raw.code ? index.code(raw.code) : undefined;
  // A known unit listed without its parent (a province at the top of the statistics office's list) stays where it is.
  if (matched && !raw.parentCode && !raw.parent) parentId = matched.parent_id;
  const shortName = raw.shortName?.toUpperCase() ?? matched?.short_name ?? (ADMINISTRATIVE.includes(kind) ? ADMINISTRATIVE_SHORT_NAME : undefined);
  const parsed = OrgCreate.safeParse(
    normalizeStrings({
      name: raw.name,
      shortName,
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
    throw new RowRefused('ROW_INVALID', Object.entries(fields).map(([k, v]) => `${k}: ${v}`).join('; '), undefined, fields);
  }
  const o = parsed.data;
  const existing = o.code ? index.code(o.code) : index.nameUnder(o.name, parentId);
  try {
    authorizeOrgWrite(actor, scope, existing ?? null, parentId);
  } catch {
    throw existing
      ? new RowRefused('OUTSIDE_TREE', 'this organisation is outside your organisation tree')
      : new RowRefused('PARENT_OUTSIDE_TREE', 'the parent must be an organisation of your tree');
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
  return { row, existing };
}

/**
 * The sample file the import page offers: the columns in Vietnamese, three rows that import as they are (a
 * department, a district and a commune under it by its code) and, on a second sheet the import does not read,
 * the accepted values of "Loại".
 */
export async function orgImportSample(): Promise<Buffer> {
  const wb = new (await loadExcelJs()).Workbook();
  wb.creator = 'Vận Động';
  const ws = wb.addWorksheet('Cơ quan, đơn vị');
  ws.addRow(['Mã', 'Tên', 'Viết tắt', 'Loại', 'Mã cấp trên', 'Email', 'Số cán bộ', 'Dân số 18+', 'Địa danh']).font = { bold: true };
  ws.addRow(['VD-SYT', 'Sở Y tế', 'SYT', t('vi', 'orgs.kinds.department'), '', 'syt@vidu.gov.vn', 118, null, 'Hà Tĩnh']);
  ws.addRow(['VD-TH', 'Ủy ban nhân dân huyện Thạch Hà', 'UBND', t('vi', 'orgs.kinds.district'), '', 'ubnd@thachha.vidu.gov.vn', 85, 101300, 'Thạch Hà']);
  ws.addRow(['VD-TH-TK', 'Ủy ban nhân dân xã Thạch Kênh', 'UBND', t('vi', 'orgs.kinds.commune'), 'VD-TH', 'ubnd@thachkenh.vidu.gov.vn', 20, 6410, 'Thạch Kênh']);
  ws.columns.forEach((c, i) => {
    c.width = [12, 40, 10, 28, 14, 30, 10, 12, 16][i];
  });
  const help = wb.addWorksheet('Hướng dẫn');
  help.addRow(['Giá trị của cột "Loại"']).font = { bold: true };
  for (const kind of ORG_KINDS) help.addRow([t('vi', `orgs.kinds.${kind}`), kind]);
  help.addRow([]);
  help.addRow(['Danh mục đơn vị hành chính của Tổng cục Thống kê (cột Mã, Tên, Cấp, Mã cấp trên) nhập được trực tiếp; "Viết tắt" khi bỏ trống là UBND.']);
  help.getColumn(1).width = 40;
  return Buffer.from(await wb.xlsx.writeBuffer());
}
