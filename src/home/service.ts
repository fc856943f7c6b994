import type { Ctx } from '../deps';
import type { Role } from '../auth';
import { hasRole } from '../auth';
import { t, type Locale } from '../shared/i18n';
import { formatVnDate, formatVnDateTime, formatWeek, localDate, localTime } from '../shared/time';
import { awaitingActor, returnedToActor } from '../letters';
import { myReports } from '../reports';
import { itemsForCommune } from '../broadcasts';
import { lettersAwaitingDispatch } from '../dispatch';
import { lettersAssignedToMe, lettersToReceive } from '../inbox';

export interface HomeItem {
  label: string;
  href: string;
  detail?: string;
}

export interface HomePanel {
  key: string;
  title: string;
  items: HomeItem[];
  empty: string;
}

/** The role each panel is for (a panel is one role's work, so each set holds one role). */
const APPROVERS = ['approver'] as const satisfies readonly Role[];
const SECRETARIES = ['secretary'] as const satisfies readonly Role[];
const REPORTERS = ['reporter'] as const satisfies readonly Role[];
const BROADCASTERS = ['broadcaster'] as const satisfies readonly Role[];
/** Who drafts letters (their returned drafts wait for them). */
const DRAFTERS = ['drafter', 'secretary'] as const satisfies readonly Role[];

/**
 * What each role sees first: the secretary the letters to issue, to dispatch and to receive, the approver the
 * letters to approve, anyone the incoming letters handed to them (overdue first), the reporter this week's report and its deadline, the broadcaster today's schedule.
 * Each panel reads through its feature's service, so the same rules apply as on the feature's pages.
 */
export async function homeFor(ctx: Ctx, locale: Locale): Promise<{ panels: HomePanel[] }> {
  const { actor } = ctx;
  const panels: HomePanel[] = [];
  const now = ctx.clock();

  if (hasRole(actor, DRAFTERS)) {
    const returned = await returnedToActor(ctx);
    // Shown only when something was sent back: a drafter with nothing returned has nothing waiting here.
    if (returned.length || !hasRole(actor, [...APPROVERS, ...SECRETARIES, ...REPORTERS, ...BROADCASTERS])) {
      panels.push({
        key: 'returned',
        title: t(locale, 'home.returned'),
        items: returned.map((l) => ({ label: l.subject, href: `/letters/${l.id}/edit`, detail: `${t(locale, 'letters.rejectedBecause')} ${l.rejectReason ?? ''} (${formatVnDateTime(l.updatedAt)})` })),
        empty: t(locale, 'home.noneReturned'),
      });
    }
  }

  if (hasRole(actor, [...APPROVERS, ...SECRETARIES])) {
    const { toApprove, toIssue } = await awaitingActor(ctx);
    const letterItem = (l: { id: number; subject: string; updatedAt: string }) => ({ label: l.subject, href: `/letters/${l.id}`, detail: formatVnDateTime(l.updatedAt) });
    if (hasRole(actor, APPROVERS)) panels.push({ key: 'toApprove', title: t(locale, 'home.toApprove'), items: toApprove.map(letterItem), empty: t(locale, 'home.noneToApprove') });
    if (hasRole(actor, SECRETARIES)) {
      panels.push({ key: 'toIssue', title: t(locale, 'home.toIssue'), items: toIssue.map(letterItem), empty: t(locale, 'home.noneToIssue') });
      const toDispatch = await lettersAwaitingDispatch(ctx);
      panels.push({
        key: 'toDispatch',
        title: t(locale, 'home.toDispatch'),
        items: toDispatch.map((l) => ({ label: `${l.symbol} — ${l.subject}`, href: `/letters/${l.id}/deliveries` })),
        empty: t(locale, 'home.noneToDispatch'),
      });
      const toReceive = await lettersToReceive(ctx);
      panels.push({
        key: 'toReceive',
        title: t(locale, 'home.toReceive'),
        items: toReceive.map((i) => ({ label: `${i.symbol} — ${i.subject}`, href: `/inbox/${i.id}`, detail: `${i.from.name} · ${formatVnDateTime(i.arrivedAt)}` })),
        empty: t(locale, 'home.noneToReceive'),
      });
    }
  }

  // Anyone in an organisation may be handed an incoming letter: the panel shows when something is.
  const assigned = await lettersAssignedToMe(ctx);
  if (assigned.length > 0) {
    panels.push({
      key: 'assignedToMe',
      title: t(locale, 'home.assignedToMe'),
      items: assigned.map((i) => ({
        label: `${i.symbol} — ${i.subject}`,
        href: `/inbox/${i.id}`,
        detail: i.overdue ? t(locale, 'home.assignedOverdue', { due: formatVnDate(i.dueDate!) }) : i.dueDate ? t(locale, 'home.assignedDue', { due: formatVnDate(i.dueDate) }) : i.from.name,
      })),
      empty: '',
    });
  }

  if (hasRole(actor, REPORTERS)) {
    const reports = await myReports(ctx);
    panels.push({
      key: 'myReport',
      title: t(locale, 'home.myReport'),
      items: reports.map((r) => ({
        label: r.campaign.name,
        href: '/my-reports',
        detail: r.submitted
          ? t(locale, 'home.reported', { week: formatWeek(r.week, locale) })
          : t(locale, r.overdue ? 'home.overdue' : 'home.dueBy', { week: formatWeek(r.week, locale), deadline: r.deadline ? formatVnDateTime(r.deadline) : '' }),
      })),
      empty: t(locale, 'home.noReportDue'),
    });
  }

  if (hasRole(actor, BROADCASTERS)) {
    const items = await itemsForCommune(ctx, actor.orgId, localDate(now));
    panels.push({
      key: 'today',
      title: t(locale, 'home.today'),
      items: items.map((i) => ({ label: `${localTime(new Date(i.scheduledAt))} — ${i.title}`, href: '/broadcaster', detail: t(locale, `home.occurrence.${i.status}`) })),
      empty: t(locale, 'home.nothingToday'),
    });
  }

  return { panels };
}
