import Type, { type Static } from 'typebox';
import Value from 'typebox/value';

/**
 * The API's configuration: one TypeBox schema gives the defaults, the validation and the type.
 * Environment variables are read here and nowhere else (names from ARCHITECTURE.md).
 */
export const ApiConfigSchema = Type.Object({
  /** TCP port of the REST API; 0 picks a free port (tests). */
  port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
  host: Type.String({ minLength: 1, default: '0.0.0.0' }),
  logLevel: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
    { default: 'info' },
  ),
  /** Postgres URL (DATABASE_URL); the /api/v1 routes need it. */
  databaseUrl: Type.Optional(Type.String({ minLength: 1 })),
  /** Password of the first admin, created when there is none; generated and printed once when unset. */
  adminPassword: Type.Optional(Type.String({ minLength: 8 })),
  /** Lifetime of tokens issued by POST /api/v1/auth/login. */
  loginTokenTtlSeconds: Type.Integer({ minimum: 60, default: 43200 }),
  /** What ACL checks answer when no rule matches (as the broker: MQTT_ACL_DEFAULT_*). */
  aclDefaultPublish: Type.Union([Type.Literal('allow'), Type.Literal('deny')], { default: 'deny' }),
  aclDefaultSubscribe: Type.Union([Type.Literal('allow'), Type.Literal('deny')], { default: 'deny' }),
  /**
   * Which reverse proxies to believe about the client (X-Forwarded-For / -Proto): 'false' (none,
   * the default), 'true' (any: only when the API is reachable through the proxy alone), or a
   * comma-separated list of proxy addresses/CIDRs. Decides the address login attempts are counted
   * by and whether the console cookie gets Secure (request came over TLS to the proxy).
   */
  trustProxy: Type.String({ minLength: 1, maxLength: 1000, default: 'false' }),
  /** A console session unused this long ends. */
  sessionIdleSeconds: Type.Integer({ minimum: 60, default: 43200 }),
  /** A console session ends this long after login, used or not. */
  sessionMaxSeconds: Type.Integer({ minimum: 60, default: 604800 }),
});

export type ApiConfig = Static<typeof ApiConfigSchema>;

/** Environment variable -> config key. */
const ENV_NAMES = {
  API_PORT: 'port',
  HOST: 'host',
  LOG_LEVEL: 'logLevel',
  DATABASE_URL: 'databaseUrl',
  ADMIN_PASSWORD: 'adminPassword',
  API_LOGIN_TOKEN_TTL_SECONDS: 'loginTokenTtlSeconds',
  MQTT_ACL_DEFAULT_PUBLISH: 'aclDefaultPublish',
  MQTT_ACL_DEFAULT_SUBSCRIBE: 'aclDefaultSubscribe',
  API_TRUST_PROXY: 'trustProxy',
  API_SESSION_IDLE_SECONDS: 'sessionIdleSeconds',
  API_SESSION_MAX_SECONDS: 'sessionMaxSeconds',
} as const satisfies Record<string, keyof ApiConfig>;

/** Fills defaults and validates; throws with every problem listed. */
export function resolveConfig(input: Partial<Record<keyof ApiConfig, unknown>> = {}): ApiConfig {
  const converted = Value.Convert(ApiConfigSchema, structuredClone(input));
  const withDefaults = Value.Default(ApiConfigSchema, converted) as unknown;
  if (!Value.Check(ApiConfigSchema, withDefaults)) {
    const problems = [...Value.Errors(ApiConfigSchema, withDefaults)].map(
      (error) => `${error.instancePath || '/'} ${error.message}`,
    );
    throw new Error(`invalid API configuration: ${problems.join('; ')}`);
  }
  return withDefaults;
}

/** Reads the environment into a validated config. Empty variables count as unset. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const raw: Partial<Record<keyof ApiConfig, unknown>> = {};
  for (const [name, key] of Object.entries(ENV_NAMES)) {
    const value = env[name];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  return resolveConfig(raw);
}

/** API_TRUST_PROXY as Fastify's trustProxy: a boolean, or the list of trusted proxy addresses. */
export function trustProxyOption(value: string): boolean | string {
  const trimmed = value.trim().toLowerCase();
  if (trimmed === 'true') return true;
  if (trimmed === 'false' || trimmed === '') return false;
  return value;
}
