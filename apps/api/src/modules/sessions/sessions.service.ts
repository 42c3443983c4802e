import type { ExpireSessionsResult } from '@repo/control';
import type { SessionExpireJob } from '@repo/db';
import { ApiError, ApiErrors } from '../../lib/api-error.js';
import type { AuditLog } from '../../lib/audit.js';
import { replyError, type BrokerCommandClient } from '../../lib/broker-commands.js';
import { actorName, type Actor } from '../../lib/roles.js';
import type { ClientRepository } from '../clients/clients.repository.js';
import { pageOfClients, type ClientView, type Page } from '../clients/clients.service.js';
import type { ExpirySelection, SessionRepository } from './sessions.repository.js';

/** Sessions per expire-sessions command of a bulk job. */
const JOB_BATCH = 100;

export interface ExpireJobView {
  id: string;
  status: 'running' | 'done' | 'failed';
  offlineForSeconds: number;
  usernamePrefix: string | null;
  total: number;
  done: number;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
}

function toJobView(job: SessionExpireJob): ExpireJobView {
  return {
    id: job.id,
    status: job.status as ExpireJobView['status'],
    offlineForSeconds: job.offlineForSeconds,
    usernamePrefix: job.usernamePrefix,
    total: job.total,
    done: job.done,
    error: job.error,
    createdAt: job.createdAt.toISOString(),
    finishedAt: job.finishedAt?.toISOString() ?? null,
  };
}

export function createSessionService(deps: {
  repo: SessionRepository;
  clients: ClientRepository;
  commands: BrokerCommandClient;
  audit: AuditLog;
  log: { error(obj: object, msg: string): void };
  now?: () => Date;
}) {
  const { repo, clients, commands, audit } = deps;
  const now = deps.now ?? (() => new Date());
  const running = new Set<Promise<void>>();
  let closing = false;

  /** Expires the selected sessions batch by batch through the brokers, recording progress in the job row. */
  async function runJob(job: SessionExpireJob, selection: ExpirySelection): Promise<void> {
    let done = 0;
    let after = '';
    try {
      for (;;) {
        if (closing) throw new Error('the API stopped before the job finished');
        const batch = await repo.nextSelected(selection, after, JOB_BATCH);
        if (batch.length === 0) break;
        const reply = await commands.run({ kind: 'expire-sessions', args: { clientIds: batch } }, null);
        if (!reply.ok) throw replyError(reply);
        // Sessions no broker held in memory are removed here.
        const expired = new Set((reply.result as ExpireSessionsResult).expired);
        await clients.deleteOfflineSessions(batch.filter((id) => !expired.has(id)));
        done += batch.length;
        after = batch.at(-1)!;
        await repo.updateJob(job.id, { done, ...(done > job.total ? { total: done } : {}) });
      }
      await repo.updateJob(job.id, { status: 'done', done, finishedAt: now() });
    } catch (error) {
      deps.log.error({ err: error, jobId: job.id }, 'session expire job failed');
      const detail = error instanceof ApiError ? error.kind.title : error instanceof Error ? error.message : 'failed';
      await repo.updateJob(job.id, { status: 'failed', error: detail, finishedAt: now() }).catch(() => {});
    }
  }

  return {
    /** Persistent sessions (connected or not); offlineForSeconds keeps offline ones disconnected at least that long. */
    list(query: { limit?: number; cursor?: string; offlineForSeconds?: number }): Promise<Page<ClientView>> {
      const filter = query.offlineForSeconds === undefined ? { persistentOnly: true } : { persistentOnly: true, disconnectedBefore: new Date(now().getTime() - query.offlineForSeconds * 1000) };
      return pageOfClients(clients, filter, 'clientId', { ...(query.limit !== undefined ? { limit: query.limit } : {}), ...(query.cursor !== undefined ? { cursor: query.cursor } : {}) });
    },

    async createExpireJob(actor: Actor, input: { offlineForSeconds: number; usernamePrefix?: string }): Promise<ExpireJobView> {
      const selection: ExpirySelection = { cutoff: new Date(now().getTime() - input.offlineForSeconds * 1000), usernamePrefix: input.usernamePrefix ?? null };
      const total = await repo.countSelected(selection);
      const job = await repo.createJob({ offlineForSeconds: input.offlineForSeconds, usernamePrefix: selection.usernamePrefix, total, actor: actorName(actor) });
      await audit.record({ actor: actorName(actor), action: 'session.expire-job.create', resourceType: 'session-expire-job', resourceId: job.id, after: { offlineForSeconds: input.offlineForSeconds, usernamePrefix: selection.usernamePrefix, total } });
      const task = runJob(job, selection).finally(() => running.delete(task));
      running.add(task);
      return toJobView(job);
    },

    async getExpireJob(id: string): Promise<ExpireJobView> {
      const job = await repo.findJob(id);
      if (!job) throw new ApiError(ApiErrors.notFound, `No session expire job with id ${id}.`, { extensions: { jobId: id } });
      return toJobView(job);
    },

    /** Lets running jobs stop at their next batch (app close). */
    async close(): Promise<void> {
      closing = true;
      await Promise.allSettled([...running]);
    },
  };
}

export type SessionService = ReturnType<typeof createSessionService>;
