import type { Ctx, Deps } from '../deps';
import { activeEmailsByRole, authorize } from '../auth';
import { enqueueMail, kickOutbox } from '../dispatch';
import { findOrgsByIds } from '../orgs';
import { formatVnDateTime } from '../shared/time';
import { t } from '../shared/i18n';
import * as repo from './repo';
import { toFeedItem, type FeedItem } from './model';
import { BROADCASTER_ROLES } from './audio';

/** How far back the broadcaster's alert looks for an emergency still waiting for "Đã phát". */
const ALERT_WINDOW_HOURS = 24;

/** The commune's emergencies waiting for confirmation (the broadcaster's page polls this every few seconds). */
export async function pendingAlerts(ctx: Ctx): Promise<{ items: (FeedItem & { deadline: string | null })[] }> {
  authorize(ctx.actor, BROADCASTER_ROLES, [ctx.actor.orgId]);
  const since = new Date(ctx.clock().getTime() - ALERT_WINDOW_HOURS * 3_600_000).toISOString();
  const rows = await repo.pendingEmergencies(ctx.db, ctx.actor.orgId, since);
  const items = [];
  for (const r of rows) {
    const b = await repo.findBroadcast(ctx.db, r.broadcast_id);
    const minutes = b?.confirm_within_minutes ?? ctx.config.EMERGENCY_CONFIRM_MINUTES;
    items.push({ ...toFeedItem(r, ctx.config.publicUrl), deadline: new Date(Date.parse(r.scheduled_at) + minutes * 60_000).toISOString() });
  }
  return { items };
}

/**
 * The job: each commune that has not confirmed an emergency bulletin within its deadline is escalated once, by
 * e-mail to the commune (its broadcasters and its own address) and to the department that sent it (its address
 * and its drafters). The claim on the row and the mails are one transaction; the outbox dedupe key makes a rerun harmless.
 */
export async function escalateEmergencies(deps: Deps): Promise<number> {
  const now = deps.clock();
  const nowIso = now.toISOString();
  const overdue = (await repo.unconfirmedEmergencies(deps.db, nowIso)).filter(
    (r) => Date.parse(r.scheduled_at) + (r.confirm_within_minutes ?? deps.config.EMERGENCY_CONFIRM_MINUTES) * 60_000 <= now.getTime(),
  );
  if (!overdue.length) return 0;
  const orgIds = [...new Set(overdue.flatMap((r) => [r.org_id, r.owner_org_id]))];
  const orgs = new Map((await findOrgsByIds(deps.db, orgIds)).map((o) => [o.id, o]));
  const broadcasters = await activeEmailsByRole(deps.db, orgIds, 'broadcaster');
  const drafters = await activeEmailsByRole(deps.db, orgIds, 'drafter');
  let escalated = 0;
  for (const r of overdue) {
    const commune = orgs.get(r.org_id);
    const dept = orgs.get(r.owner_org_id);
    const to = new Set<string>([...(broadcasters.get(r.org_id) ?? []), ...(commune?.email ? [commune.email] : []), ...(dept?.email ? [dept.email] : []), ...(drafters.get(r.owner_org_id) ?? [])]);
    const vars = { title: r.title, commune: commune?.name ?? String(r.org_id), department: dept?.name ?? '', sentAt: formatVnDateTime(r.scheduled_at), minutes: r.confirm_within_minutes ?? deps.config.EMERGENCY_CONFIRM_MINUTES, link: `${deps.config.publicUrl}/broadcaster` };
    const claimed = await deps.db.transaction(async (tx) => {
      if (!(await repo.markEscalated(tx, r.id, nowIso))) return false;
      for (const address of to) {
        await enqueueMail(
          deps,
          tx,
          {
            to: address,
            subject: t('vi', 'broadcasts.mail.escalation.subject', vars),
            text: t('vi', 'broadcasts.mail.escalation.text', vars),
            kind: 'broadcast-emergency-escalation',
            orgId: r.owner_org_id,
            dedupeKey: `broadcast-escalation:${r.id}:${address}`,
          },
        );
      }
      return true;
    });
    if (claimed) escalated += 1;
  }
  if (escalated) kickOutbox(deps);
  return escalated;
}
