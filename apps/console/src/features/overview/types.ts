export interface NodeStats {
  node: string;
  startedAt: string;
  uptimeSeconds: number;
  version: string;
  connections: number;
  sessions: number;
  subscriptions: number;
  retained: number;
  queued: number;
  inflight: number;
  dropped: number;
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
  messagesInRate: number;
  messagesOutRate: number;
}

export interface Stats {
  at: string;
  nodes: NodeStats[];
  totals: Omit<NodeStats, 'node' | 'startedAt' | 'uptimeSeconds' | 'version'>;
}

export interface SeriesPoint {
  at: string;
  connections: number;
  subscriptions: number;
  retained: number;
  queued: number;
  dropped: number;
  messagesInRate: number;
  messagesOutRate: number;
}
