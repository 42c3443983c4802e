import type { PrismaClient } from '@repo/db';

/** A connected client as an ACL check sees it, with the subscriptions Postgres knows of. */
export interface ConnectedClient {
  clientId: string;
  username: string | null;
  node: string;
  groups: string[];
  superuser: boolean;
  /** Subscriptions of its persistent session; null when it has none (clean session: they live in the broker only). */
  subscriptions: Array<{ topicFilter: string; qos: number }> | null;
}

const PAGE = 1000;

/**
 * Connected clients from `client_presence` (kept current by the broker nodes), joined with their
 * users' groups and the subscriptions of their persistent sessions. Read a page at a time.
 */
export function createConnectedClientRepository(db: PrismaClient) {
  return {
    async *all(): AsyncGenerator<ConnectedClient> {
      let after: string | undefined;
      for (;;) {
        const presence = await db.clientPresence.findMany({
          where: after === undefined ? {} : { clientId: { gt: after } },
          orderBy: { clientId: 'asc' },
          take: PAGE,
          select: { clientId: true, username: true, node: true },
        });
        if (presence.length === 0) return;
        const clientIds = presence.map((p) => p.clientId);
        const usernames = [...new Set(presence.flatMap((p) => (p.username === null ? [] : [p.username])))];
        const [users, sessions, subscriptions] = await Promise.all([
          db.mqttUser.findMany({ where: { username: { in: usernames } }, select: { username: true, groups: true, superuser: true } }),
          db.session.findMany({ where: { clientId: { in: clientIds } }, select: { clientId: true } }),
          db.subscription.findMany({ where: { sessionClientId: { in: clientIds } }, select: { sessionClientId: true, topicFilter: true, qos: true }, orderBy: [{ sessionClientId: 'asc' }, { topicFilter: 'asc' }] }),
        ]);
        const userByName = new Map(users.map((u) => [u.username, u]));
        const persistent = new Set(sessions.map((s) => s.clientId));
        const subsByClient = new Map<string, Array<{ topicFilter: string; qos: number }>>();
        for (const sub of subscriptions) {
          const list = subsByClient.get(sub.sessionClientId) ?? [];
          list.push({ topicFilter: sub.topicFilter, qos: sub.qos });
          subsByClient.set(sub.sessionClientId, list);
        }
        for (const p of presence) {
          const user = p.username === null ? undefined : userByName.get(p.username);
          yield {
            clientId: p.clientId,
            username: p.username,
            node: p.node,
            groups: user?.groups ?? [],
            superuser: user?.superuser ?? false,
            subscriptions: persistent.has(p.clientId) ? (subsByClient.get(p.clientId) ?? []) : null,
          };
        }
        if (presence.length < PAGE) return;
        after = presence.at(-1)?.clientId;
      }
    },
  };
}

export type ConnectedClientRepository = ReturnType<typeof createConnectedClientRepository>;
