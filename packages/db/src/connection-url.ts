/**
 * Prisma's connection strings may carry `?schema=name` (the Postgres schema to use, default
 * `public`). node-postgres does not understand that parameter, so it is split off here and applied
 * by the callers (search_path for the migration runner, the adapter's `schema` option for the
 * client).
 */
export function splitSchemaParam(databaseUrl: string): { url: string; schema: string | undefined } {
  let parsed: URL;
  try {
    parsed = new URL(databaseUrl);
  } catch {
    throw new Error('DATABASE_URL is not a valid URL (expected postgresql://user:password@host:port/database)');
  }
  if (parsed.protocol !== 'postgresql:' && parsed.protocol !== 'postgres:') {
    throw new Error(`DATABASE_URL must start with postgresql:// or postgres:// (got ${parsed.protocol}//)`);
  }
  const schema = parsed.searchParams.get('schema') ?? undefined;
  if (schema === undefined) return { url: databaseUrl, schema: undefined };
  parsed.searchParams.delete('schema');
  return { url: parsed.toString(), schema: schema === '' ? undefined : schema };
}

/** The URL with its password replaced, for log lines and error messages. */
export function redactUrl(databaseUrl: string): string {
  try {
    const parsed = new URL(databaseUrl);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<invalid url>';
  }
}
