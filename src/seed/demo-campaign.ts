/**
 * The demo campaign: "Cài đặt Sổ sức khỏe điện tử" run by the Sở Khoa học và Công nghệ, with live figures in all three parts —
 * an issued directive e-mailed to every agency (some acknowledged), a loudspeaker broadcast in every commune over
 * the past week (most played, some missed), and three weeks of reports (some late, some missing).
 * Everything goes through the services, with the clock set back to when each thing would have happened.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Ctx, Deps } from '../deps';
import { createUser, findActorByEmail, installationAdmin, type Actor } from '../auth';
import { listOrgs } from '../orgs';
import { parse } from '../shared/validate';
import { addDays, isoWeekOf, localDate, localToUtc, mondayOfIsoWeek } from '../shared/time';
import { CampaignCreate, createCampaign, listCampaigns } from '../campaigns';
import { submitReport } from '../reports';
import { LetterCreate } from '../letters';
import { approveLetter, createLetter, listTemplates, submitLetter } from '../letters';
import { issueLetter } from '../letters';
import { acknowledgeDelivery, dispatchLetter, listDeliveries } from '../dispatch';
import { drainOutbox } from '../dispatch';
import { enqueueAudioJob, uploadAudio } from '../broadcasts';
import { resolveFfmpeg } from '../broadcasts';
import { createBroadcast, markMissed } from '../broadcasts';
import { confirmOccurrence, itemsForCommune } from '../broadcasts';

export const DEMO_CAMPAIGN = 'Cài đặt ứng dụng Sổ sức khỏe điện tử';

/** The broadcaster of Cẩm Bình has a short address of its own (the README's sign-in for the loudspeaker page). */
export const DEMO_BROADCASTER = { email: 'truyenthanh@cambinh.hatinh.demo', org: 'HT-X-CAMBINH' };

async function actorByEmail(deps: Deps, email: string): Promise<Actor> {
  const actor = await findActorByEmail(deps.db, email);
  if (!actor) throw new Error(`demo user ${email} missing: run the organisation seed first`);
  return actor;
}

/** A deterministic "random" so the demo looks the same every time. */
const pick = (i: number, percent: number) => (i * 37) % 100 < percent;

export async function seedDemoCampaign(deps: Deps, setNow: (d: Date | null) => void, demoPassword: string): Promise<boolean> {
  const realNow = deps.clock();
  const at = (iso: Date) => setNow(iso);
  const drafter = await actorByEmail(deps, 'chuyenvien@skhcn.hatinh.demo');
  const approver = await actorByEmail(deps, 'lanhdao@skhcn.hatinh.demo');
  const secretary = await actorByEmail(deps, 'vanthu@skhcn.hatinh.demo');
  if ((await listCampaigns({ ...deps, actor: drafter })).some((c) => c.name === DEMO_CAMPAIGN)) return false;
  const admin = await installationAdmin(deps.db);
  if (!admin) throw new Error('No administrator yet: the first start (bootstrapAdmin) creates one before the demo is loaded');
  const adminCtx: Ctx = { ...deps, actor: admin };
  const all = await listOrgs({ ...deps, actor: drafter }, {});
  // Since 2025 the communes and wards report to the province directly (an older tree's districts still count).
  const agencies = all.filter((o) => ['department', 'district', 'commune', 'press'].includes(o.kind));
  const communes = all.filter((o) => o.kind === 'commune');

  // The campaign started on the Monday three weeks ago.
  const thisWeek = isoWeekOf(realNow);
  const start = addDays(mondayOfIsoWeek(thisWeek)!, -21);
  at(localToUtc(start, '08:00'));
  const campaign = await createCampaign(
    { ...deps, actor: drafter },
    parse(CampaignCreate, {
      name: DEMO_CAMPAIGN,
      metricLabel: 'Số cán bộ, công chức, viên chức đã cài đặt Sổ sức khỏe điện tử',
      targetPercent: 100,
      startDate: start,
      endDate: addDays(start, 12 * 7 - 1),
      deadline: { weekday: 5, time: '17:00' },
      orgIds: agencies.map((o) => o.id),
      reminderHoursBefore: 24,
    }),
  );

  // The directive, drafted from the shipped template, approved, issued and e-mailed on day two.
  const template = (await listTemplates({ ...deps, actor: drafter })).find((tpl) => tpl.name.includes('cài đặt ứng dụng'));
  at(localToUtc(addDays(start, 1), '08:30'));
  const letter = await createLetter(
    { ...deps, actor: drafter },
    parse(LetterCreate, {
      issuingOrgId: drafter.orgId,
      templateId: template?.id,
      variables: {
        basis: 'Công văn số 3377/UBND-VX ngày 24/7/2021 của Ủy ban nhân dân tỉnh về việc triển khai ứng dụng Sổ sức khỏe điện tử',
        appName: 'Sổ sức khỏe điện tử',
        platformName: 'Nền tảng quản lý tiêm chủng COVID-19',
        figures: 'đến ngày 11/10/2021 toàn tỉnh có 84.941 lượt cài đặt, đạt 9,52% dân số từ 18 tuổi trở lên',
        reportTo: 'Sở Khoa học và Công nghệ, Sở Y tế',
        reportDeadline: '17 giờ 00 thứ Sáu hằng tuần',
        contact: 'Phòng Thông tin - Báo chí - Xuất bản, ĐT 0239.3.855.655',
      },
      place: 'Hà Tĩnh',
      recipients: agencies.map((o) => ({ orgId: o.id })),
      legalBases: ['Công văn số 3377/UBND-VX ngày 24/7/2021 của Ủy ban nhân dân tỉnh'],
      signer: { authority: 'KT.', authorityTitle: 'GIÁM ĐỐC', title: 'PHÓ GIÁM ĐỐC', name: approver.name },
      unitCode: 'CĐS',
      campaignId: campaign.id,
    }),
  );
  await submitLetter({ ...deps, actor: drafter }, letter.id);
  at(localToUtc(addDays(start, 1), '10:00'));
  await approveLetter({ ...deps, actor: approver }, letter.id);
  at(localToUtc(addDays(start, 1), '14:00'));
  await issueLetter({ ...deps, actor: secretary }, letter.id);
  await dispatchLetter({ ...deps, actor: secretary }, letter.id);
  await drainOutbox(deps);
  const deliveries = (await listDeliveries({ ...deps, actor: secretary }, letter.id)).items;
  for (const [i, d] of deliveries.entries()) {
    if (d.status !== 'sent' || !pick(i, 65)) continue;
    at(localToUtc(addDays(start, 2 + (i % 3)), '09:15'));
    await acknowledgeDelivery(deps, d.id);
  }

  // Three weeks of reports and this week's early ones: figures grow each week; some are late, some never come.
  for (let w = 0; w < 4; w++) {
    const monday = addDays(start, w * 7);
    const week = isoWeekOf(localToUtc(monday, '12:00'));
    for (const [i, org] of agencies.entries()) {
      if (pick(i + w, 15)) continue; // missing this week
      const headcount = org.headcount ?? 50;
      const installed = Math.min(headcount, Math.round(headcount * (0.25 + 0.22 * w + ((i * 7) % 20) / 100)));
      const when = w < 3 ? localToUtc(addDays(monday, pick(i * 3 + w, 20) ? 5 : 3), pick(i * 3 + w, 20) ? '09:00' : '15:30') : localToUtc(monday, `${String(8 + (i % 9)).padStart(2, '0')}:00`); // Saturday = late
      if (when > realNow || (w === 3 && pick(i, 50))) continue;
      at(when);
      await submitReport({ ...deps, actor: secretary }, campaign.id, week, { orgId: org.id, headcount, installed });
    }
  }

  // Every commune has its broadcaster.
  const broadcasters = new Map<number, Actor>();
  for (const c of communes) {
    const code = c.code ?? `org${c.id}`;
    const email = code === DEMO_BROADCASTER.org ? DEMO_BROADCASTER.email : `truyenthanh.${code.toLowerCase()}@hatinh.demo`;
    if (!(await findActorByEmail(deps.db, email))) {
      await createUser(adminCtx, { email, name: `Đài truyền thanh ${c.name.replace(/^Ủy ban nhân dân /, '')}`, password: demoPassword, roles: ['broadcaster'], orgId: c.id });
    }
    broadcasters.set(c.id, await actorByEmail(deps, email));
  }

  // A loudspeaker bulletin (a tone stands in for the recorded voice), scheduled from a week ago for two weeks.
  const wav = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vandong-demo-')), 'ban-tin.wav');
  execFileSync(resolveFfmpeg(process.env).path, ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=660:duration=12', '-ar', '44100', '-ac', '1', '-y', wav]);
  const weekAgo = addDays(localDate(realNow), -7);
  at(localToUtc(weekAgo, '00:05'));
  const audio = await uploadAudio({ ...deps, actor: drafter }, { path: wav, size: fs.statSync(wav).size, originalName: 'ban-tin-so-suc-khoe-dien-tu.wav' }, 'Bản tin: cài đặt Sổ sức khỏe điện tử');
  await enqueueAudioJob(deps, audio.id);
  const { broadcast } = await createBroadcast({ ...deps, actor: drafter }, {
    audioId: audio.id,
    title: 'Tuyên truyền cài đặt Sổ sức khỏe điện tử',
    communeIds: communes.map((c) => c.id),
    startDate: weekAgo,
    endDate: addDays(weekAgo, 13),
    times: ['06:00', '17:00'],
    campaignId: campaign.id,
  });
  // Communes confirm most past slots within the hour; the rest are marked missed after the grace period.
  let n = 0;
  for (let day = 0; day < 7; day++) {
    for (const c of communes) {
      for (const item of await itemsForCommune(deps, c.id, addDays(weekAgo, day))) {
        if (item.broadcastId !== broadcast.id || new Date(item.scheduledAt) > realNow || !pick(n++, 82)) continue;
        const playedAt = new Date(new Date(item.scheduledAt).getTime() + 20 * 60_000);
        at(playedAt);
        await confirmOccurrence({ ...deps, actor: broadcasters.get(c.id)! }, item.occurrenceId, playedAt.toISOString());
      }
    }
  }
  setNow(null);
  await markMissed(deps);
  return true;
}
