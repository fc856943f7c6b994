import type { Ctx, Deps } from '../deps';
import { STAFF_ROLES, authorize } from '../auth';
import { descendantIds, listOrgs, outsideProvince } from '../orgs';
import * as repo from './repo';

/**
 * The communes a department looks at: those of its own province (a department never watches another province's
 * receivers), optionally only those under `orgId`.
 */
export async function communesInScope(ctx: Ctx, orgId?: number): Promise<{ id: number; name: string; code: string | null }[]> {
  authorize(ctx.actor, STAFF_ROLES, [ctx.actor.orgId]);
  const all = await listOrgs(ctx, { kind: 'commune' });
  const outside = new Set(await outsideProvince(ctx.db, ctx.actor.orgId, all.map((o) => o.id)));
  let communes = all.filter((o) => !outside.has(o.id));
  if (orgId !== undefined) {
    const under = new Set(await descendantIds(ctx.db, orgId));
    communes = communes.filter((o) => under.has(o.id));
  }
  return communes.map((o) => ({ id: o.id, name: o.name, code: o.code }));
}

/** A receiver reports that it is alive, what it plays and what it holds. The token was checked (revoked: 404). */
export async function recordHeartbeat(deps: Deps, token: repo.FeedTokenRow, body: { version?: string; freeBytes?: number; files?: string[] }): Promise<void> {
  await repo.recordHeartbeat(deps.db, token.id, {
    heartbeat_at: deps.clock().toISOString(),
    player_version: body.version ?? null,
    free_bytes: body.freeBytes ?? null,
    files: body.files ? JSON.stringify([...new Set(body.files)]) : null,
  });
}

export interface Receiver {
  orgId: number;
  name: string;
  tokenId: number;
  label: string | null;
  lastSeenAt: string | null;
  status: 'up' | 'down';
  version: string | null;
  freeBytes: number | null;
  files: string[];
}

/** Every live receiver of the communes in scope: up when its last heartbeat is within RECEIVER_SILENT_MINUTES. */
export async function listReceivers(ctx: Ctx, orgId?: number): Promise<{ items: Receiver[]; silent: { orgId: number; name: string; lastSeenAt: string | null }[]; silentMinutes: number }> {
  const communes = await communesInScope(ctx, orgId);
  const cutoff = ctx.clock().getTime() - ctx.config.RECEIVER_SILENT_MINUTES * 60_000;
  const items: Receiver[] = (await repo.receiversOf(ctx.db, communes.map((c) => c.id))).map((r) => ({
    orgId: r.org_id,
    name: r.name,
    tokenId: r.id,
    label: r.label,
    lastSeenAt: r.heartbeat_at ?? null,
    status: r.heartbeat_at && Date.parse(r.heartbeat_at) >= cutoff ? 'up' : 'down',
    version: r.player_version ?? null,
    freeBytes: r.free_bytes == null ? null : Number(r.free_bytes),
    files: r.files ? (JSON.parse(r.files) as string[]) : [],
  }));
  items.sort((a, b) => a.name.localeCompare(b.name, 'vi') || a.tokenId - b.tokenId);
  // A commune is silent when none of its receivers is up.
  const byOrg = new Map<number, Receiver[]>();
  for (const i of items) byOrg.set(i.orgId, [...(byOrg.get(i.orgId) ?? []), i]);
  const silent = [...byOrg.values()]
    .filter((list) => list.every((i) => i.status === 'down'))
    .map((list) => ({ orgId: list[0].orgId, name: list[0].name, lastSeenAt: list.map((i) => i.lastSeenAt).filter(Boolean).sort().pop() ?? null }));
  return { items, silent, silentMinutes: ctx.config.RECEIVER_SILENT_MINUTES };
}
