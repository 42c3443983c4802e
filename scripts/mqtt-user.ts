/**
 * `npm run mqtt-user -- add <username> [--allow <filter>]... [--superuser] [--client-id <glob>]`:
 * creates an MQTT user with a generated password, printed once (only its argon2id hash is
 * stored), and for each --allow an ACL rule letting that user publish and subscribe under the
 * filter (ACLs deny by default). Running brokers are told through NOTIFY.
 * `npm run mqtt-user -- list` lists users. Uses DATABASE_URL, else the embedded Postgres under
 * ./data (the one `npm start` is running, or started for the duration of the command).
 * The REST API will be the main way to provision devices; this is the command-line equivalent.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ControlChannel } from '@repo/control';
import { createDb, resolveDatabase } from '@repo/db';
import { generateSecret, hashPassword } from '@repo/passwords';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function runningEmbeddedUrl(dataDir: string): string | undefined {
  const launcher = path.join(dataDir, 'launcher.json');
  if (!existsSync(launcher)) return undefined;
  const { pid, port } = JSON.parse(readFileSync(launcher, 'utf8')) as { pid: number; port: number };
  try {
    process.kill(pid, 0);
  } catch {
    return undefined;
  }
  const password = readFileSync(path.join(dataDir, 'password'), 'utf8').trim();
  return `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/mqtt`;
}

async function main(): Promise<void> {
  const [command, username, ...rest] = process.argv.slice(2);
  if (command !== 'add' && command !== 'list') {
    console.error('usage: npm run mqtt-user -- add <username> [--allow <filter>]... [--superuser] [--client-id <glob>]\n       npm run mqtt-user -- list');
    process.exit(2);
  }
  const dataDir = path.resolve(root, process.env.DATA_DIR ?? 'data');
  const running = process.env.DATABASE_URL ? undefined : runningEmbeddedUrl(dataDir);
  const database = running
    ? { databaseUrl: running, stop: async () => {} }
    : await resolveDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir, log: () => {} });
  const db = createDb(database.databaseUrl);
  try {
    if (command === 'list') {
      for (const user of await db.mqttUser.findMany({ include: { _count: { select: { credentials: true } } }, orderBy: { username: 'asc' } })) {
        console.log(`${user.username}\tenabled=${user.enabled}\tsuperuser=${user.superuser}\tcredentials=${user._count.credentials}`);
      }
      return;
    }
    if (!username) throw new Error('a username is required');
    const clientIdIndex = rest.indexOf('--client-id');
    const password = generateSecret();
    await db.mqttUser.create({
      data: {
        username,
        superuser: rest.includes('--superuser'),
        credentials: { create: { label: 'created by mqtt-user', secretHash: await hashPassword(password), clientIdPattern: clientIdIndex >= 0 ? (rest[clientIdIndex + 1] ?? null) : null } },
      },
    });
    const allowed = rest.flatMap((arg, i) => (arg === '--allow' && rest[i + 1] ? [rest[i + 1]!] : []));
    for (const topic of allowed) {
      await db.aclRule.create({ data: { subjectKind: 'user', subject: username, action: 'all', topic, permission: 'allow', description: 'created by mqtt-user' } });
    }
    if (allowed.length > 0) await db.$executeRaw`SELECT pg_notify(${ControlChannel.aclChanged}, '')`;
    console.log(`created MQTT user ${username}${allowed.length ? ` allowed on ${allowed.join(', ')}` : ' (no ACL rules yet: everything is denied)'}; password (shown once): ${password}`);
  } finally {
    await db.$disconnect();
    await database.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
