import { ControlChannel, decodeCredentialsChanged, type CredentialsChanged } from '@repo/control';
import type { Logger } from '../observability/logger.js';
import { startPgListener } from './pg-listener.js';

export interface ControlHandlers {
  aclChanged(): Promise<void> | void;
  credentialsChanged(message: CredentialsChanged): Promise<void> | void;
  bansChanged(): Promise<void> | void;
  /** Traces started, stopped or deleted (when tracing runs). */
  tracesChanged?(): Promise<void> | void;
  /** Session policies changed (absent: the notification is ignored). */
  policiesChanged?(): Promise<void> | void;
  /** (Re)connected: anything may have changed while not listening. */
  resynchronize(): Promise<void> | void;
}

export interface ControlListener {
  stop(): Promise<void>;
}

/**
 * LISTENs on the control channels of @repo/control and dispatches notifications. The
 * connection is re-established with backoff if Postgres goes away; after every (re)connection
 * the handlers resynchronize, since notifications sent meanwhile are lost.
 */
export async function startControlListener(databaseUrl: string, handlers: ControlHandlers, log: Logger): Promise<ControlListener> {
  const run = (what: string, action: () => Promise<void> | void): void => {
    Promise.resolve()
      .then(action)
      .catch((error: unknown) => log.error({ err: error }, `control: ${what} failed`));
  };

  return startPgListener({
    databaseUrl,
    channels: [ControlChannel.aclChanged, ControlChannel.credentialsChanged, ControlChannel.bansChanged, ControlChannel.policiesChanged, ControlChannel.tracesChanged],
    name: 'listener',
    log,
    onNotification(message) {
      if (message.channel === ControlChannel.aclChanged) run('ACL reload', () => handlers.aclChanged());
      else if (message.channel === ControlChannel.bansChanged) run('ban reload', () => handlers.bansChanged());
      else if (message.channel === ControlChannel.tracesChanged) run('trace reload', () => handlers.tracesChanged?.());
      else if (message.channel === ControlChannel.policiesChanged) run('session policy reload', () => handlers.policiesChanged?.());
      else if (message.channel === ControlChannel.credentialsChanged) {
        const payload = decodeCredentialsChanged(message.payload);
        if (payload) run('credentials check', () => handlers.credentialsChanged(payload));
        else log.warn({ payload: message.payload }, 'control: ignoring a malformed credentials notification');
      }
    },
    onReconnected: () => run('resynchronization', () => handlers.resynchronize()),
  });
}
