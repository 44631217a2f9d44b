import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/**
 * The process's whole configuration, read from the environment once at start-up.
 * A wrong value stops the process with a message naming the variable: a silent
 * fallback would let a typo in production run with defaults nobody chose.
 */
const ConfigSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  PATRON_DATA_DIR: Type.String({ minLength: 1, default: './data' }),
  PATRON_ADMIN_TOKEN: Type.Optional(Type.String({ minLength: 16 })),
  PATRON_LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  PATRON_DB_POOL_SIZE: Type.Integer({ minimum: 1, maximum: 200, default: 10 }),
  PATRON_BODY_LIMIT: Type.Integer({ minimum: 1024, maximum: 10_485_760, default: 262_144 }),
  /** Hosts or IPs outbound calls (CRM look-up, webhooks) may reach even when private, comma-separated. */
  PATRON_OUTBOUND_ALLOW: Type.String({ default: '' }),
});

export type Env = Static<typeof ConfigSchema>;

export interface Config {
  port: number;
  host: string;
  /** Either a PostgreSQL server or the embedded PGlite store in a directory (or in memory). */
  database: { kind: 'postgres'; url: string; poolSize: number } | { kind: 'pglite'; dataDir: string | null };
  adminToken: string | null;
  logLevel: Env['PATRON_LOG_LEVEL'];
  bodyLimit: number;
  /** Exceptions to the outbound address check (see src/core/outbound/safe-fetch.ts). */
  outboundAllow: string[];
}

export class ConfigError extends Error {}

const KEYS = Object.keys(ConfigSchema.properties) as (keyof Env)[];
const INTEGER_KEYS = KEYS.filter((key) => ConfigSchema.properties[key].type === 'integer');

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, unknown> = {};
  for (const key of KEYS) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  // Value.Convert would read "12.5" as 12 and "true" as 1: integers must be written as integers.
  const notIntegers = INTEGER_KEYS.filter((key) => raw[key] !== undefined && !/^\d+$/.test(String(raw[key])));
  if (notIntegers.length > 0) {
    throw new ConfigError(`Invalid configuration:\n${notIntegers.map((k) => `  ${k}=${JSON.stringify(raw[k])}: must be a whole number`).join('\n')}`);
  }
  const withDefaults = Value.Default(ConfigSchema, raw);
  const converted = Value.Convert(ConfigSchema, withDefaults);
  const errors = [...Value.Errors(ConfigSchema, converted)];
  if (errors.length > 0) {
    const lines = errors.map((e) => `  ${e.path.slice(1) || '(env)'}=${JSON.stringify(raw[e.path.slice(1)] ?? '')}: ${e.message}`);
    throw new ConfigError(`Invalid configuration:\n${[...new Set(lines)].join('\n')}`);
  }
  const e = converted as Env;
  return {
    port: e.PORT,
    host: e.HOST,
    database: e.DATABASE_URL
      ? { kind: 'postgres', url: e.DATABASE_URL, poolSize: e.PATRON_DB_POOL_SIZE }
      : { kind: 'pglite', dataDir: e.PATRON_DATA_DIR },
    adminToken: e.PATRON_ADMIN_TOKEN ?? null,
    logLevel: e.PATRON_LOG_LEVEL,
    bodyLimit: e.PATRON_BODY_LIMIT,
    outboundAllow: e.PATRON_OUTBOUND_ALLOW.split(',').map((h) => h.trim()).filter((h) => h !== ''),
  };
}
