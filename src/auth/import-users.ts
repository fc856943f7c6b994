/**
 * Bulk import of users from a spreadsheet (XLSX or CSV), by an administrator, into their own tree: columns e-mail,
 * name, role(s) (Vietnamese labels as the screens show them, or codes, several separated by commas) and the
 * organisation (by code or by name). All or nothing: every row is checked first, and one bad row writes nothing
 * and reports every bad row. Each new user gets an invitation e-mail with a set-password link (7 days) and holds
 * no usable password until they choose one; until then the pages send them to /me/password.
 */
import { loadExcelJs } from '../shared/xlsx';
import type { Ctx } from '../deps';
import { isUniqueViolation } from '../db';
import { kickOutbox } from '../dispatch';
import { managedOrgs, readSheet, type Org } from '../orgs';
import { AppError, invalid } from '../shared/errors';
import { t } from '../shared/i18n';
import { email as emailSchema } from '../shared/validate';
import { ADMIN_ROLES, authorize, isSuperadmin } from './policy';
import { ROLES, type Role } from './roles';
import { issuePasswordLink, NO_PASSWORD } from './accounts';
import * as repo from './repo';

export const USER_IMPORTERS: readonly Role[] = ADMIN_ROLES;

const HEADERS: Record<'email' | 'name' | 'roles' | 'org', string[]> = {
  email: ['email', 'e-mail', 'thư điện tử', 'địa chỉ thư điện tử'],
  name: ['name', 'họ và tên', 'họ tên', 'tên', 'tên người dùng'],
  roles: ['role', 'roles', 'vai trò', 'vai trò (nhiều vai trò cách nhau bởi dấu phẩy)'],
  org: ['organisation', 'organization', 'org', 'cơ quan, đơn vị', 'cơ quan', 'đơn vị', 'mã đơn vị', 'mã cơ quan'],
};

/** The columns as the sample file and the messages name them. */
const COLUMN_LABELS: Record<keyof typeof HEADERS, string> = { email: 'Thư điện tử', name: 'Họ và tên', roles: 'Vai trò', org: 'Cơ quan, đơn vị' };

/** A role from a cell: its code or its label in either language ("Văn thư", "Cán bộ đầu mối", "secretary"). */
const ROLE_LABELS: Map<string, Role> = (() => {
  const map = new Map<string, Role>();
  for (const role of ROLES) {
    map.set(role, role);
    for (const locale of ['vi', 'en'] as const) map.set(t(locale, `roles.${role}`).normalize('NFC').toLowerCase(), role);
  }
  map.set('cán bộ đài truyền thanh xã', 'broadcaster');
  map.set('lãnh đạo sở', 'approver');
  return map;
})();

export type UserImportCode =
  | 'EMAIL_MISSING' | 'EMAIL_INVALID' | 'EMAIL_TAKEN' | 'EMAIL_REPEATED' | 'NAME_MISSING' | 'NAME_TOO_LONG'
  | 'ROLE_MISSING' | 'ROLE_UNKNOWN' | 'ROLE_NOT_GRANTABLE' | 'ORG_MISSING' | 'ORG_NOT_FOUND' | 'ORG_AMBIGUOUS';

/** A row that keeps the file from being imported: its number in the sheet, why (`users.importErrors.<code>`), and the values. */
export interface UserImportError {
  row: number;
  code: UserImportCode;
  params: Record<string, string>;
}

export interface UserImportResult {
  created: number;
  errors: UserImportError[];
}

const key = (s: string) => s.normalize('NFC').trim().toLowerCase().replace(/\s+/g, ' ');

/** Organisations of the admin's tree by code and by name (a name shared by two is ambiguous: give the code). */
function orgFinder(orgs: Org[]) {
  const byCode = new Map<string, Org>();
  const byName = new Map<string, Org[]>();
  for (const o of orgs) {
    if (o.code) byCode.set(key(o.code), o);
    for (const n of new Set([key(o.name), key(o.shortName)])) byName.set(n, [...(byName.get(n) ?? []), o]);
  }
  return (label: string): Org | 'ambiguous' | undefined => {
    const code = byCode.get(key(label));
    if (code) return code;
    const named = byName.get(key(label)) ?? [];
    return named.length > 1 ? 'ambiguous' : named[0];
  };
}

export async function importUsers(ctx: Ctx, buffer: Buffer, filename: string, limits: { maxRows: number; maxUncompressedBytes: number }): Promise<UserImportResult> {
  const { db, actor } = ctx;
  authorize(actor, USER_IMPORTERS, actor.orgId);
  const rows = await readSheet(buffer, filename, limits);
  const header = (rows[0] ?? []).map((h) => (h == null ? undefined : (Object.keys(HEADERS) as (keyof typeof HEADERS)[]).find((k) => HEADERS[k].includes(key(String(h))))));
  const missing = (['email', 'name', 'roles', 'org'] as const).filter((k) => !header.includes(k));
  if (missing.length) {
    throw invalid('USER_IMPORT_HEADER', 'The first row must name the columns: e-mail, name, roles, organisation', { file: 'missing columns' }, { columns: missing.map((k) => COLUMN_LABELS[k]).join(', ') });
  }
  const findOrg = orgFinder(await managedOrgs(ctx));
  const errors: UserImportError[] = [];
  const planned: { row: number; email: string; name: string; roles: Role[]; orgId: number }[] = [];
  const seen = new Map<string, number>();
  for (let i = 1; i < rows.length; i++) {
    const cells = rows[i] ?? [];
    const raw: Partial<Record<keyof typeof HEADERS, string>> = {};
    header.forEach((k, col) => {
      const v = cells[col];
      if (k && v != null && String(v).trim() !== '') raw[k] = String(v).normalize('NFC').trim();
    });
    if (Object.keys(raw).length === 0) continue;
    const n = i + 1;
    const fail = (code: UserImportCode, params: Record<string, string> = {}) => errors.push({ row: n, code, params });
    const before = errors.length;

    const parsedEmail = raw.email ? emailSchema().safeParse(raw.email) : undefined;
    if (!raw.email) fail('EMAIL_MISSING');
    else if (!parsedEmail?.success) fail('EMAIL_INVALID', { email: raw.email });
    const email = parsedEmail?.success ? parsedEmail.data : '';
    if (email && seen.has(email)) fail('EMAIL_REPEATED', { email, first: String(seen.get(email)) });
    if (email && !seen.has(email)) seen.set(email, n);

    if (!raw.name) fail('NAME_MISSING');
    else if (raw.name.length > 200) fail('NAME_TOO_LONG');

    const roles: Role[] = [];
    for (const label of (raw.roles ?? '').split(/[,;\n]/).map((s) => s.trim()).filter(Boolean)) {
      const role = ROLE_LABELS.get(key(label));
      if (!role) fail('ROLE_UNKNOWN', { role: label });
      else if (role === 'superadmin' && !isSuperadmin(actor)) fail('ROLE_NOT_GRANTABLE', { role: label });
      else if (!roles.includes(role)) roles.push(role);
    }
    if (!raw.roles) fail('ROLE_MISSING');

    const org = raw.org ? findOrg(raw.org) : undefined;
    if (!raw.org) fail('ORG_MISSING');
    else if (org === 'ambiguous') fail('ORG_AMBIGUOUS', { org: raw.org });
    else if (!org) fail('ORG_NOT_FOUND', { org: raw.org });

    if (errors.length === before && org && org !== 'ambiguous') planned.push({ row: n, email, name: raw.name!, roles: roles.includes('superadmin') && !roles.includes('admin') ? [...roles, 'admin'] : roles, orgId: org.id });
  }
  if (rows.length - 1 > limits.maxRows) throw invalid('IMPORT_TOO_MANY_ROWS', `The file has more than ${limits.maxRows} rows`, { file: `at most ${limits.maxRows} rows` }, { max: limits.maxRows });

  const taken = await repo.existingEmails(db, planned.map((p) => p.email));
  for (const p of planned) if (taken.has(p.email)) errors.push({ row: p.row, code: 'EMAIL_TAKEN', params: { email: p.email } });
  if (errors.length) return { created: 0, errors: errors.sort((a, b) => a.row - b.row) };
  if (planned.length === 0) throw invalid('USER_IMPORT_EMPTY', 'The spreadsheet lists no users', { file: 'no rows' });

  const now = ctx.clock().toISOString();
  try {
    await db.transaction(async (tx) => {
      for (const p of planned) {
        const id = await repo.insertUser(tx, { email: p.email, name: p.name, password_hash: NO_PASSWORD, org_id: p.orgId, locale: 'vi', active: true, created_at: now, must_change_password: true }, p.roles);
        await issuePasswordLink(ctx, tx, { id, email: p.email, name: p.name, locale: 'vi' }, 'invite');
      }
    });
  } catch (err) {
    // Someone took one of the addresses meanwhile: nothing was written; the file can be imported again as it is.
    if (isUniqueViolation(err)) throw new AppError('conflict', 'EMAIL_TAKEN', 'A user with one of these e-mails was created meanwhile; import the file again', { file: 'an e-mail was taken meanwhile' });
    throw err;
  }
  kickOutbox(ctx);
  return { created: planned.length, errors: [] };
}

/** The sample file of the users import page: the columns, three rows (labels and codes both work), the accepted roles. */
export async function userImportSample(): Promise<Buffer> {
  const wb = new (await loadExcelJs()).Workbook();
  wb.creator = 'Vận Động';
  const ws = wb.addWorksheet('Người dùng');
  ws.addRow(['Thư điện tử', 'Họ và tên', 'Vai trò', 'Cơ quan, đơn vị']).font = { bold: true };
  ws.addRow(['nguyenvana@vidu.gov.vn', 'Nguyễn Văn A', t('vi', 'roles.drafter'), 'Sở Y tế']);
  ws.addRow(['tranthib@vidu.gov.vn', 'Trần Thị B', `${t('vi', 'roles.secretary')}, ${t('vi', 'roles.drafter')}`, 'VD-SYT']);
  ws.addRow(['levanc@vidu.gov.vn', 'Lê Văn C', 'reporter', 'Ủy ban nhân dân xã Thạch Kênh']);
  ws.columns.forEach((c, i) => {
    c.width = [30, 24, 34, 40][i];
  });
  const help = wb.addWorksheet('Hướng dẫn');
  help.addRow(['Vai trò (ghi tên hoặc mã; nhiều vai trò cách nhau bởi dấu phẩy)']).font = { bold: true };
  for (const role of ROLES.filter((r) => r !== 'superadmin')) help.addRow([t('vi', `roles.${role}`), role]);
  help.addRow([]);
  help.addRow(['Cơ quan, đơn vị: ghi mã đơn vị hoặc tên đúng như trong danh mục.']);
  help.addRow(['Tệp được nhập trọn vẹn hoặc không nhập dòng nào: nếu có dòng lỗi, không tài khoản nào được tạo.']);
  help.addRow(['Mỗi người nhận một thư mời có đường dẫn đặt mật khẩu (dùng được 7 ngày).']);
  help.getColumn(1).width = 50;
  return Buffer.from(await wb.xlsx.writeBuffer());
}
