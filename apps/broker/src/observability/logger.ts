import pino, { type Logger } from 'pino';

export type { Logger };

/** The broker's structured logger (pino). Secrets never reach it: log fields are chosen, not spread. */
export function createLogger(level: string): Logger {
  return pino({ name: 'broker', level });
}
