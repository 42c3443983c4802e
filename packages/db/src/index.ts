export { createDb, type CreateDbOptions } from './client.js';
export {
  migrate,
  readMigrations,
  checksumMatches,
  defaultMigrationsDir,
  MigrationError,
  PRISMA_MIGRATE_ADVISORY_LOCK,
  type MigrateOptions,
  type MigrateResult,
  type LocalMigration,
} from './migrate.js';
export { startEmbeddedPostgres, type EmbeddedPostgres, type EmbeddedPostgresOptions } from './embedded-postgres.js';
export { resolveDatabase, type ResolveDatabaseOptions, type ResolvedDatabase } from './resolve.js';
export { redactUrl } from './connection-url.js';

// The generated client: the PrismaClient type, the Prisma namespace (Prisma.JsonNull, error
// classes, input types) and one type per model.
export { Prisma } from './generated/prisma/client.js';
export type { PrismaClient, Session, Subscription, Message, SessionMessage, InboundQos2, RetainedMessage, DelayedWill, MqttUser, Credential, AclRule, Ban, Admin, ApiToken, AuditEvent, ClientPresence, BrokerCommand, SessionExpireJob, SessionPolicy, StatsSample, SysSnapshot, AdminSession, Trace, TraceEvent } from './generated/prisma/client.js';
