/**
 * `npm run seed:demo`: a province like the 2021 case (Hà Tĩnh): departments, district People's Committees,
 * communes with population aged 18+, the provincial newspaper and radio, two enterprises, and one user
 * per role. Safe to run twice: organisations are matched by code, users by e-mail.
 */
import { loadConfig } from '../config';
import { createDb, migrate } from '../db';
import type { Ctx, Deps } from '../deps';
import { createLogger } from '../logger';
import { bootstrapAdmin, createUser, findActorByEmail, installationAdmin, type Role } from '../auth';
import { createOrg, findOrgByCode, findOrgById, updateOrg, type OrgKind } from '../orgs';
import { installShippedTemplates } from '../letters';
import { DEMO_CAMPAIGN, seedDemoCampaign } from './demo-campaign';
import { seedDemoSigning } from './demo-signing';

interface SeedOrg {
  code: string;
  name: string;
  shortName: string;
  kind: OrgKind;
  parent?: string;
  headcount?: number;
  population18?: number;
  place?: string;
}

const PROVINCE = 'HT';
const ORGS: SeedOrg[] = [
  { code: PROVINCE, name: 'Ủy ban nhân dân tỉnh Hà Tĩnh', shortName: 'UBND', kind: 'province', headcount: 95, population18: 892_000, place: 'Hà Tĩnh' },
  { code: 'HT-STTTT', name: 'Sở Thông tin và Truyền thông', shortName: 'STTTT', kind: 'department', parent: PROVINCE, headcount: 62, place: 'Hà Tĩnh' },
  { code: 'HT-SYT', name: 'Sở Y tế', shortName: 'SYT', kind: 'department', parent: PROVINCE, headcount: 118, place: 'Hà Tĩnh' },
  { code: 'HT-SNV', name: 'Sở Nội vụ', shortName: 'SNV', kind: 'department', parent: PROVINCE, headcount: 74, place: 'Hà Tĩnh' },
  { code: 'HT-SGDDT', name: 'Sở Giáo dục và Đào tạo', shortName: 'SGDĐT', kind: 'department', parent: PROVINCE, headcount: 96, place: 'Hà Tĩnh' },
  { code: 'HT-STC', name: 'Sở Tài chính', shortName: 'STC', kind: 'department', parent: PROVINCE, headcount: 68, place: 'Hà Tĩnh' },
  { code: 'HT-STP', name: 'Sở Tư pháp', shortName: 'STP', kind: 'department', parent: PROVINCE, headcount: 45, place: 'Hà Tĩnh' },
  { code: 'HT-SLDTBXH', name: 'Sở Lao động - Thương binh và Xã hội', shortName: 'SLĐTBXH', kind: 'department', parent: PROVINCE, headcount: 81, place: 'Hà Tĩnh' },
  { code: 'HT-TPHT', name: 'Ủy ban nhân dân thành phố Hà Tĩnh', shortName: 'UBND', kind: 'district', parent: PROVINCE, headcount: 240, population18: 152_000, place: 'Hà Tĩnh' },
  { code: 'HT-TXKA', name: 'Ủy ban nhân dân thị xã Kỳ Anh', shortName: 'UBND', kind: 'district', parent: PROVINCE, headcount: 205, population18: 61_500, place: 'Kỳ Anh' },
  { code: 'HT-CX', name: 'Ủy ban nhân dân huyện Cẩm Xuyên', shortName: 'UBND', kind: 'district', parent: PROVINCE, headcount: 188, population18: 101_300, place: 'Cẩm Xuyên' },
  { code: 'HT-HS', name: 'Ủy ban nhân dân huyện Hương Sơn', shortName: 'UBND', kind: 'district', parent: PROVINCE, headcount: 176, population18: 89_200, place: 'Hương Sơn' },
  { code: 'HT-TPHT-01', name: 'Ủy ban nhân dân phường Bắc Hà', shortName: 'UBND', kind: 'commune', parent: 'HT-TPHT', headcount: 24, population18: 9_850 },
  { code: 'HT-TPHT-02', name: 'Ủy ban nhân dân phường Nam Hà', shortName: 'UBND', kind: 'commune', parent: 'HT-TPHT', headcount: 22, population18: 8_420 },
  { code: 'HT-TPHT-03', name: 'Ủy ban nhân dân xã Thạch Trung', shortName: 'UBND', kind: 'commune', parent: 'HT-TPHT', headcount: 20, population18: 7_310 },
  { code: 'HT-TXKA-01', name: 'Ủy ban nhân dân phường Sông Trí', shortName: 'UBND', kind: 'commune', parent: 'HT-TXKA', headcount: 23, population18: 9_120 },
  { code: 'HT-TXKA-02', name: 'Ủy ban nhân dân phường Kỳ Trinh', shortName: 'UBND', kind: 'commune', parent: 'HT-TXKA', headcount: 21, population18: 8_760 },
  { code: 'HT-TXKA-03', name: 'Ủy ban nhân dân xã Kỳ Hoa', shortName: 'UBND', kind: 'commune', parent: 'HT-TXKA', headcount: 18, population18: 5_240 },
  { code: 'HT-CX-01', name: 'Ủy ban nhân dân thị trấn Cẩm Xuyên', shortName: 'UBND', kind: 'commune', parent: 'HT-CX', headcount: 22, population18: 8_030 },
  { code: 'HT-CX-02', name: 'Ủy ban nhân dân xã Cẩm Bình', shortName: 'UBND', kind: 'commune', parent: 'HT-CX', headcount: 19, population18: 6_410 },
  { code: 'HT-CX-03', name: 'Ủy ban nhân dân xã Cẩm Vịnh', shortName: 'UBND', kind: 'commune', parent: 'HT-CX', headcount: 18, population18: 5_980 },
  { code: 'HT-HS-01', name: 'Ủy ban nhân dân thị trấn Phố Châu', shortName: 'UBND', kind: 'commune', parent: 'HT-HS', headcount: 21, population18: 7_150 },
  { code: 'HT-HS-02', name: 'Ủy ban nhân dân xã Sơn Kim 1', shortName: 'UBND', kind: 'commune', parent: 'HT-HS', headcount: 17, population18: 4_320 },
  { code: 'HT-HS-03', name: 'Ủy ban nhân dân xã Sơn Tây', shortName: 'UBND', kind: 'commune', parent: 'HT-HS', headcount: 18, population18: 5_660 },
  { code: 'HT-BHT', name: 'Báo Hà Tĩnh', shortName: 'BHT', kind: 'press', parent: PROVINCE, headcount: 85 },
  { code: 'HT-DPTTH', name: 'Đài Phát thanh - Truyền hình Hà Tĩnh', shortName: 'ĐPTTH', kind: 'press', parent: PROVINCE, headcount: 140 },
  { code: 'HT-VIETTEL', name: 'Viettel Hà Tĩnh', shortName: 'VIETTEL', kind: 'enterprise', headcount: 310 },
  { code: 'HT-VNPT', name: 'VNPT Hà Tĩnh', shortName: 'VNPT', kind: 'enterprise', headcount: 280 },
];

const USERS: { email: string; name: string; roles: Role[]; org: string }[] = [
  { email: 'chuyenvien@stttt.hatinh.demo', name: 'Nguyễn Thị Lan', roles: ['drafter'], org: 'HT-STTTT' },
  { email: 'lanhdao@stttt.hatinh.demo', name: 'Trần Văn Hùng', roles: ['approver'], org: 'HT-STTTT' },
  { email: 'vanthu@stttt.hatinh.demo', name: 'Lê Thị Hoa', roles: ['secretary', 'drafter'], org: 'HT-STTTT' },
  { email: 'daumoi@syt.hatinh.demo', name: 'Phạm Minh Đức', roles: ['reporter'], org: 'HT-SYT' },
  { email: 'truyenthanh@cambinh.hatinh.demo', name: 'Hoàng Văn Nam', roles: ['broadcaster'], org: 'HT-CX-02' },
];

const DEMO_PASSWORD = 'VanDong@2026';

function demoEmail(code: string): string {
  return `${code.toLowerCase()}@hatinh.demo`;
}

/**
 * The seed acts as the installation's administrator (the superadmin of the first start), through the same
 * services and rules as the pages: organisations and users are created and changed by `createOrg`, `updateOrg`
 * and `createUser`.
 */
export async function adminContext(deps: Deps): Promise<Ctx> {
  const admin = await installationAdmin(deps.db);
  if (!admin) throw new Error('No administrator yet: the first start (bootstrapAdmin) creates one before the demo is loaded');
  return { ...deps, actor: admin };
}

export async function seedDemo(deps: Deps): Promise<{ orgs: number; users: { email: string; roles: Role[] }[] }> {
  const ctx = await adminContext(deps);
  const { db } = deps;
  let created = 0;
  // The first start created a placeholder province for the administrator: the demo province becomes it.
  if (!(await findOrgByCode(db, PROVINCE))) {
    const home = await findOrgById(db, ctx.actor.orgId);
    if (home && home.parentId === null && home.code === null && home.kind === 'province') {
      const p = ORGS[0];
      await updateOrg(ctx, home.id, { code: p.code, name: p.name.normalize('NFC'), shortName: p.shortName, headcount: p.headcount, population18: p.population18, place: p.place, email: demoEmail(p.code) });
    }
  }
  for (const o of ORGS) {
    if (await findOrgByCode(db, o.code)) continue;
    const parent = o.parent ? await findOrgByCode(db, o.parent) : undefined;
    await createOrg(ctx, {
      code: o.code,
      name: o.name.normalize('NFC'),
      shortName: o.shortName.normalize('NFC'),
      kind: o.kind,
      parentId: parent?.id ?? null,
      email: demoEmail(o.code),
      headcount: o.headcount ?? null,
      population18: o.population18 ?? null,
      place: o.place ?? null,
    });
    created += 1;
  }
  const users = [];
  for (const u of USERS) {
    const org = (await findOrgByCode(db, u.org))!;
    if (!(await findActorByEmail(db, u.email))) {
      await createUser(ctx, { email: u.email, name: u.name, password: DEMO_PASSWORD, roles: u.roles, orgId: org.id });
    }
    users.push({ email: u.email, roles: u.roles });
  }
  return { orgs: created, users };
}

async function main(): Promise<void> {
  const config = loadConfig();
  const db = createDb({ url: config.DATABASE_URL });
  await migrate(db);
  // The campaign seed sets the clock back to when each thing would have happened; null is the real time.
  let now: Date | null = null;
  const deps: Deps = { db, config, log: createLogger('warn'), clock: () => now ?? new Date() };
  const admin = await bootstrapAdmin(deps);
  const result = await seedDemo(deps);
  console.log(`Demo province loaded: ${result.orgs} new organisations.`);
  await installShippedTemplates(deps);
  if (await seedDemoSigning(deps, 'lanhdao@stttt.hatinh.demo', 'HT-STTTT')) {
    console.log('Demo digital signatures: a demo CA (trusted by this installation only), certificates, a signature image and a seal.');
  }
  if (await seedDemoCampaign(deps, (d) => (now = d), DEMO_PASSWORD)) console.log(`Demo campaign "${DEMO_CAMPAIGN}" loaded with letters, broadcasts and reports.`);
  if (admin) console.log(`Administrator: ${admin.email} / ${admin.password ?? '(VANDONG_ADMIN_PASSWORD)'}`);
  console.log(`Demo users (password ${DEMO_PASSWORD}):`);
  for (const u of result.users) console.log(`  ${u.roles.join(', ').padEnd(20)} ${u.email}`);
  await db.destroy();
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
