/**
 * The control plane: the API (or any writer) changes rows, then NOTIFYs one of these channels;
 * every broker node LISTENs and acts. Channel names are written here and nowhere else.
 */
export const ControlChannel = {
  /** ACL rules changed: reload them. Payload: none. */
  aclChanged: 'mqtt_acl_changed',
  /** A user or its credentials changed (disabled, revoked, expired, deleted). Payload: CredentialsChanged. */
  credentialsChanged: 'mqtt_credentials_changed',
  /** Bans added, removed or changed: reload them and disconnect connections now banned. Payload: none. */
  bansChanged: 'mqtt_bans_changed',
  /** Traces started, stopped or deleted: reload the running traces. Payload: the trace id (informational). */
  tracesChanged: 'mqtt_traces_changed',
  /** A broker command row was written (kick, expire sessions, delete retained, publish, describe). Payload: CommandNotice. */
  command: 'mqtt_command',
  /** A node acted on a command (or could not). Payload: CommandReply. */
  commandReply: 'mqtt_command_reply',
  /** Session policies (default or overrides) changed: reload them and apply what may change live. Payload: none. */
  policiesChanged: 'mqtt_policies_changed',
} as const;

export type ControlChannel = (typeof ControlChannel)[keyof typeof ControlChannel];

/**
 * The other direction: brokers NOTIFY these after writing, readers (the API's live views)
 * LISTEN. Brokers do not listen on them.
 */
export const EventChannel = {
  /** A batch of trace events was committed. Payload: the trace id. */
  traceEventsWritten: 'mqtt_trace_events',
} as const;

export type EventChannel = (typeof EventChannel)[keyof typeof EventChannel];

export interface CredentialsChanged {
  username: string;
}

/** Parses a credentialsChanged payload; null when it is not one. */
export function decodeCredentialsChanged(payload: string | undefined): CredentialsChanged | null {
  if (!payload) return null;
  try {
    const value = JSON.parse(payload) as unknown;
    if (typeof value === 'object' && value !== null && typeof (value as { username?: unknown }).username === 'string') {
      return { username: (value as { username: string }).username };
    }
  } catch {
    /* not JSON */
  }
  return null;
}

export function encodeCredentialsChanged(message: CredentialsChanged): string {
  return JSON.stringify({ username: message.username });
}

export * from './broker-command.js';
