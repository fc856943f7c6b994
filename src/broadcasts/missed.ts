import type { Ctx, Deps } from '../deps';
import { PREPARER_ROLES, activeEmailsByRole, authorize } from '../auth';
import { enqueueMail, kickOutbox } from '../dispatch';
import { formatVnDateTime, localDate } from '../shared/time';
import { t } from '../shared/i18n';
import * as repo from './repo';
import { getBroadcast } from './schedule';

export interface MissedByCommune {
  orgId: number;
  name: string;
  email: string | null;
  missed: { occurrenceId: number; scheduledAt: string }[];
}

/** Missed occurrences of the given broadcasts, per broadcast and commune (the campaign page's follow-up list). */
export async function missedByBroadcast(deps: Deps, broadcastIds: number[]): Promise<Map<number, MissedByCommune[]>> {
  const out = new Map<number, Map<number, MissedByCommune>>();
  for (const r of await repo.missedOccurrences(deps.db, broadcastIds)) {
    const byOrg = out.get(r.broadcast_id) ?? new Map<number, MissedByCommune>();
    const entry = byOrg.get(r.org_id) ?? { orgId: r.org_id, name: r.name, email: r.email, missed: [] };
    entry.missed.push({ occurrenceId: r.id, scheduledAt: r.scheduled_at });
    byOrg.set(r.org_id, entry);
    out.set(r.broadcast_id, byOrg);
  }
  return new Map([...out].map(([id, byOrg]) => [id, [...byOrg.values()]]));
}

/**
 * E-mails each commune that missed a broadcast: its broadcasters, else the commune's own address.
 * At most one reminder per broadcast, commune and day (the outbox dedupe key), however often it is clicked.
 */
export async function remindMissed(ctx: Ctx, broadcastId: number): Promise<{ communes: number; messages: number }> {
  const { actor, ...deps } = ctx;
  const b = await getBroadcast(ctx, broadcastId);
  authorize(actor, PREPARER_ROLES, [b.ownerOrgId]);
  const communes = (await missedByBroadcast(deps, [broadcastId])).get(broadcastId) ?? [];
  const emails = await activeEmailsByRole(deps.db, communes.map((c) => c.orgId), 'broadcaster');
  const now = deps.clock();
  const day = localDate(now);
  let messages = 0;
  await deps.db.transaction(async (tx) => {
    for (const c of communes) {
      const to = emails.get(c.orgId) ?? (c.email ? [c.email] : []);
      const vars = { title: b.title, commune: c.name, times: c.missed.map((m) => formatVnDateTime(m.scheduledAt)).join(', '), link: `${deps.config.publicUrl}/broadcaster` };
      for (const address of to) {
        const { created } = await enqueueMail(deps, tx, {
          to: address,
          subject: t('vi', 'broadcasts.mail.missed.subject', vars),
          text: t('vi', 'broadcasts.mail.missed.text', vars),
          kind: 'broadcast-missed',
          orgId: b.ownerOrgId,
          dedupeKey: `broadcast-missed:${broadcastId}:${c.orgId}:${day}:${address}`,
        });
        if (created) messages += 1;
      }
    }
  });
  if (messages > 0) kickOutbox(deps);
  return { communes: communes.length, messages };
}
