import type { TestContext, TestUser } from '../helpers/context';

/** A department that runs the campaign, its drafter, and `n` agencies (each with a reporter) that report to it. */
export interface CampaignWorld {
  departmentId: number;
  drafter: TestUser;
  secretary: TestUser;
  agencies: { id: number; name: string; headcount: number; reporter: TestUser }[];
  campaignId: number;
}

export const pad = (i: number) => String(i).padStart(2, '0');

/** The 2021 campaign as the department would create it (API body), weekly deadline Friday 17:00. */
export const HEALTH_BOOK_CAMPAIGN = {
  name: 'Cài đặt Sổ sức khỏe điện tử',
  metricLabel: 'Số cán bộ đã cài đặt Sổ sức khỏe điện tử',
  targetPercent: 100,
  startDate: '2021-10-04',
  endDate: '2021-12-31',
  deadline: { weekday: 5, time: '17:00' },
};

export async function campaignWorld(ctx: TestContext, n: number, campaign: Record<string, unknown> = {}, opts: { reporters?: boolean } = {}): Promise<CampaignWorld> {
  const departmentId = await ctx.createOrg({ name: 'Sở Thông tin và Truyền thông', shortName: 'STTTT', kind: 'department', email: 'stttt@hatinh.gov.vn' });
  await ctx.db('orgs').where({ id: departmentId }).update({ place: 'Hà Tĩnh' });
  const drafter = await ctx.createUser(['drafter'], departmentId, 'Chuyên viên Sở');
  const secretary = await ctx.createUser(['secretary'], departmentId, 'Văn thư Sở');
  const agencies: CampaignWorld['agencies'] = [];
  for (let i = 1; i <= n; i++) {
    const headcount = 10 * i + 5;
    const name = `Đơn vị ${pad(i)}`;
    const id = await ctx.createOrg({ name, shortName: `DV${pad(i)}`, kind: 'department', headcount, email: `dv${pad(i)}@hatinh.gov.vn` });
    const reporter = opts.reporters === false ? (undefined as unknown as TestUser) : await ctx.createUser(['reporter'], id, `Đầu mối ${pad(i)}`);
    agencies.push({ id, name, headcount, reporter });
  }
  const res = await ctx
    .as(drafter)
    .post('/api/v1/campaigns')
    .send({
      ...HEALTH_BOOK_CAMPAIGN,
      orgIds: agencies.map((a) => a.id),
      reminderHoursBefore: 24,
      ...campaign,
    });
  if (res.status !== 201) throw new Error(`campaign not created: ${res.status} ${JSON.stringify(res.body)}`);
  return { departmentId, drafter, secretary, agencies, campaignId: res.body.id };
}
