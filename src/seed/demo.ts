/**
 * `npm run seed:demo`: Hà Tĩnh in 2026 (two tiers since 1 July 2025: the province, its departments, and its
 * communes and wards directly under it, with population aged 18+), the provincial press, two enterprises, and one
 * user per role. Safe to run twice: organisations are matched by code, users by e-mail. Installations with the
 * older three-tier tree (districts) keep it: the seed only adds what is missing.
 */
import { loadConfig } from '../config';
import { createDb, migrate } from '../db';
import type { Ctx, Deps } from '../deps';
import { createLogger } from '../logger';
import { bootstrapAdmin, createUser, findActorByEmail, installationAdmin, type Role } from '../auth';
import { createOrg, findOrgByCode, findOrgById, updateOrg, type OrgKind } from '../orgs';
import { installShippedTemplates } from '../letters';
import { DEMO_BROADCASTER, DEMO_CAMPAIGN, seedDemoCampaign } from './demo-campaign';
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
/** The demo's issuing department: the Sở Khoa học và Công nghệ, which took over the Sở Thông tin và Truyền thông on 1 March 2025. */
export const DEMO_DEPARTMENT = 'HT-SKHCN';

/**
 * Hà Tĩnh as it is since 1 July 2025: two tiers, the province and its communes and wards (Nghị quyết
 * 1665/NQ-UBTVQH15: 69 units, here a sample of 15 under their new names), no districts; the departments after
 * the 2025 mergers (Khoa học và Công nghệ with Thông tin và Truyền thông, Nội vụ with Lao động - Thương binh và
 * Xã hội, Tài chính with Kế hoạch và Đầu tư, Nông nghiệp và Môi trường, Xây dựng with Giao thông vận tải).
 * Codes are the demo's own ("HT-X-…" a commune, "HT-P-…" a ward); headcounts and population 18+ are plausible, not official.
 */
const ORGS: SeedOrg[] = [
  { code: PROVINCE, name: 'Ủy ban nhân dân tỉnh Hà Tĩnh', shortName: 'UBND', kind: 'province', headcount: 95, population18: 905_000, place: 'Hà Tĩnh' },
  { code: DEMO_DEPARTMENT, name: 'Sở Khoa học và Công nghệ', shortName: 'SKHCN', kind: 'department', parent: PROVINCE, headcount: 88, place: 'Hà Tĩnh' },
  { code: 'HT-SYT', name: 'Sở Y tế', shortName: 'SYT', kind: 'department', parent: PROVINCE, headcount: 118, place: 'Hà Tĩnh' },
  { code: 'HT-SNV', name: 'Sở Nội vụ', shortName: 'SNV', kind: 'department', parent: PROVINCE, headcount: 112, place: 'Hà Tĩnh' },
  { code: 'HT-SGDDT', name: 'Sở Giáo dục và Đào tạo', shortName: 'SGDĐT', kind: 'department', parent: PROVINCE, headcount: 96, place: 'Hà Tĩnh' },
  { code: 'HT-STC', name: 'Sở Tài chính', shortName: 'STC', kind: 'department', parent: PROVINCE, headcount: 104, place: 'Hà Tĩnh' },
  { code: 'HT-STP', name: 'Sở Tư pháp', shortName: 'STP', kind: 'department', parent: PROVINCE, headcount: 45, place: 'Hà Tĩnh' },
  { code: 'HT-SNNMT', name: 'Sở Nông nghiệp và Môi trường', shortName: 'SNNMT', kind: 'department', parent: PROVINCE, headcount: 160, place: 'Hà Tĩnh' },
  { code: 'HT-SXD', name: 'Sở Xây dựng', shortName: 'SXD', kind: 'department', parent: PROVINCE, headcount: 92, place: 'Hà Tĩnh' },
  { code: 'HT-P-THANHSEN', name: 'Ủy ban nhân dân phường Thành Sen', shortName: 'UBND', kind: 'commune', parent: PROVINCE, headcount: 64, population18: 71_800, place: 'Hà Tĩnh' },
  { code: 'HT-P-TRANPHU', name: 'Ủy ban nhân dân phường Trần Phú', shortName: 'UBND', kind: 'commune', parent: PROVINCE, headcount: 48, population18: 30_400, place: 'Hà Tĩnh' },
  { code: 'HT-P-HAHUYTAP', name: 'Ủy ban nhân dân phường Hà Huy Tập', shortName: 'UBND', kind: 'commune', parent: PROVINCE, headcount: 46, population18: 27_900, place: 'Hà Tĩnh' },
  { code: 'HT-P-SONGTRI', name: 'Ủy ban nhân dân phường Sông Trí', shortName: 'UBND', kind: 'commune', parent: PROVINCE, headcount: 52, population18: 38_200, place: 'Kỳ Anh' },
  { code: 'HT-P-VUNGANG', name: 'Ủy ban nhân dân phường Vũng Áng', shortName: 'UBND', kind: 'commune', parent: PROVINCE, headcount: 44, population18: 24_600, place: 'Kỳ Anh' },
  { code: 'HT-P-BACHONGLINH', name: 'Ủy ban nhân dân phường Bắc Hồng Lĩnh', shortName: 'UBND', kind: 'commune', parent: PROVINCE, headcount: 42, population18: 22_300, place: 'Hồng Lĩnh' },
  { code: 'HT-X-CAMBINH', name: 'Ủy ban nhân dân xã Cẩm Bình', shortName: 'UBND', kind: 'commune', parent: PROVINCE, headcount: 45, population18: 26_100, place: 'Cẩm Bình' },
  { code: 'HT-X-CAMXUYEN', name: 'Ủy ban nhân dân xã Cẩm Xuyên', shortName: 'UBND', kind: 'commune', parent: PROVINCE, headcount: 43, population18: 24_500, place: 'Cẩm Xuyên' },
  { code: 'HT-X-THIENCAM', name: 'Ủy ban nhân dân xã Thiên Cầm', shortName: 'UBND', kind: 'commune', parent: PROVINCE, headcount: 40, population18: 19_800, place: 'Thiên Cầm' },
  { code: 'HT-X-KYANH', name: 'Ủy ban nhân dân xã Kỳ Anh', shortName: 'UBND', kind: 'commune', parent: PROVINCE, headcount: 42, population18: 21_700, place: 'Kỳ Anh' },
  { code: 'HT-X-KYHOA', name: 'Ủy ban nhân dân xã Kỳ Hoa', shortName: 'UBND', kind: 'commune', parent: PROVINCE, headcount: 36, population18: 14_900, place: 'Kỳ Hoa' },
  { code: 'HT-X-THACHLAC', name: 'Ủy ban nhân dân xã Thạch Lạc', shortName: 'UBND', kind: 'commune', parent: PROVINCE, headcount: 38, population18: 16_200, place: 'Thạch Lạc' },
  { code: 'HT-X-DONGTIEN', name: 'Ủy ban nhân dân xã Đồng Tiến', shortName: 'UBND', kind: 'commune', parent: PROVINCE, headcount: 37, population18: 15_400, place: 'Đồng Tiến' },
  { code: 'HT-X-HUONGSON', name: 'Ủy ban nhân dân xã Hương Sơn', shortName: 'UBND', kind: 'commune', parent: PROVINCE, headcount: 41, population18: 20_300, place: 'Hương Sơn' },
  { code: 'HT-X-SONKIM1', name: 'Ủy ban nhân dân xã Sơn Kim 1', shortName: 'UBND', kind: 'commune', parent: PROVINCE, headcount: 28, population18: 6_900, place: 'Sơn Kim 1' },
  { code: 'HT-BHT', name: 'Báo và Phát thanh, Truyền hình Hà Tĩnh', shortName: 'BPTTH', kind: 'press', parent: PROVINCE, headcount: 210 },
  { code: 'HT-VIETTEL', name: 'Viettel Hà Tĩnh', shortName: 'VIETTEL', kind: 'enterprise', headcount: 310 },
  { code: 'HT-VNPT', name: 'VNPT Hà Tĩnh', shortName: 'VNPT', kind: 'enterprise', headcount: 280 },
];

const USERS: { email: string; name: string; roles: Role[]; org: string }[] = [
  { email: 'chuyenvien@skhcn.hatinh.demo', name: 'Nguyễn Thị Lan', roles: ['drafter'], org: DEMO_DEPARTMENT },
  { email: 'lanhdao@skhcn.hatinh.demo', name: 'Trần Văn Hùng', roles: ['approver'], org: DEMO_DEPARTMENT },
  { email: 'vanthu@skhcn.hatinh.demo', name: 'Lê Thị Hoa', roles: ['secretary', 'drafter'], org: DEMO_DEPARTMENT },
  { email: 'daumoi@syt.hatinh.demo', name: 'Phạm Minh Đức', roles: ['reporter'], org: 'HT-SYT' },
  { email: DEMO_BROADCASTER.email, name: 'Hoàng Văn Nam', roles: ['broadcaster'], org: DEMO_BROADCASTER.org },
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
  if (await seedDemoSigning(deps, 'lanhdao@skhcn.hatinh.demo', DEMO_DEPARTMENT)) {
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
