/**
 * The kinds of event a trace records. One word per thing the broker did, named after the MQTT
 * packet where there is one.
 */
export type TraceEventType =
  | 'connect'
  | 'connack'
  | 'subscribe'
  | 'unsubscribe'
  | 'publish_received'
  | 'routed'
  | 'delivery'
  | 'puback'
  | 'pubrec'
  | 'pubrel'
  | 'pubcomp'
  | 'drop'
  | 'disconnect'
  | 'connection_closed'
  | 'kick'
  | 'will_published'
  | 'session_expired';

/** Why a message (or one delivery of it) went nowhere. */
export type TraceDropReason =
  | 'acl_denied'
  | 'queue_full'
  | 'expired'
  | 'too_large'
  | 'no_subscribers'
  | 'slow_consumer'
  | 'qos0_offline'
  | 'payload_format_invalid'
  | 'quota_exceeded';

/** One event as recorded, before it is written (a trace_events row without id and seq). */
export interface TraceEventRecord {
  traceId: string;
  at: number;
  type: TraceEventType;
  clientId: string | null;
  username: string | null;
  messageId: string | null;
  topic: string | null;
  qos: number | null;
  packetId: number | null;
  reason: string | null;
  detail: Record<string, unknown>;
}

/** The fields of an event shared by every trace it is recorded for. */
export type TraceEventFields = Omit<TraceEventRecord, 'traceId' | 'at'>;
