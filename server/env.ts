// The one place configuration is read: validated once at boot, typed everywhere after.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import * as v from 'valibot';

const MIN_SECRET = 32;

function isMysqlUrl(s: string): boolean {
  if (!URL.canParse(s)) return false;
  const u = new URL(s);
  return u.hostname !== '' && /^\/[^/]+$/.test(u.pathname);
}

const IntFromString = (min: number, max: number) =>
  v.pipe(v.string(), v.regex(/^\d+$/, 'must be a whole number'), v.transform(Number), v.minValue(min), v.maxValue(max));

const BoolFromString = v.pipe(
  v.picklist(['0', '1', 'true', 'false'], 'must be 0, 1, true or false'),
  v.transform((s) => s === '1' || s === 'true'),
);

export const EnvSchema = v.object({
  NODE_ENV: v.optional(v.picklist(['development', 'production', 'test']), 'development'),
  PORT: v.optional(IntFromString(0, 65535), '3000'),
  HOST: v.optional(v.pipe(v.string(), v.minLength(1)), '0.0.0.0'),
  DATABASE_URL: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^(mysql:\/\/.+|sqlite:.+)$/, 'must be mysql://user:pass@host/db or sqlite:<path>'),
      v.check((s) => !s.startsWith('mysql://') || isMysqlUrl(s), 'must name a host and a database: mysql://user:pass@host:3306/db'),
    ),
    'sqlite:data/barron.sqlite',
  ),
  JWT_SECRET: v.optional(v.pipe(v.string(), v.minLength(MIN_SECRET, `must be at least ${MIN_SECRET} characters`))),
  SEED_DEMO: v.optional(BoolFromString),
  CHANGE_LOG_RETENTION_DAYS: v.optional(IntFromString(1, 3650), '60'),
  SYNC_WINDOW_DAYS: v.optional(IntFromString(1, 3650), '30'),
  /** Behind a reverse proxy: take the client address from the proxy's X-Forwarded-For. */
  TRUST_PROXY: v.optional(BoolFromString),
  LOG_LEVEL: v.optional(v.picklist(['silent', 'error', 'info']), 'info'),
});

export type Env = v.InferOutput<typeof EnvSchema> & { JWT_SECRET: string; dataDir: string };

export class EnvError extends Error {
  constructor(public readonly fields: string[]) {
    super(`Invalid configuration: ${fields.join('; ')}`);
  }
}

/** Validates the keys of `schema` found in `source`; throws EnvError naming every bad field. */
function parse<S extends v.ObjectSchema<v.ObjectEntries, undefined>>(schema: S, source: Record<string, string | undefined>): v.InferOutput<S> {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(schema.entries)) {
    const value = source[key];
    if (value !== undefined && value !== '') picked[key] = value;
  }
  const result = v.safeParse(schema, picked, { abortPipeEarly: true }); // one message a field
  if (!result.success) {
    throw new EnvError(result.issues.map((i) => `${v.getDotPath(i) ?? '?'}: ${i.message}`));
  }
  return result.output;
}

/** Parses `source` (process.env by default). Throws EnvError naming every bad field. */
export function loadEnv(source: Record<string, string | undefined> = process.env, dataDir = 'data'): Env {
  const env = parse(EnvSchema, source);
  let secret = env.JWT_SECRET;
  if (!secret) {
    if (env.NODE_ENV === 'production') {
      throw new EnvError([`JWT_SECRET: required in production (at least ${MIN_SECRET} characters)`]);
    }
    secret = demoSecret(dataDir);
  }
  return { ...env, JWT_SECRET: secret, dataDir: resolve(dataDir) };
}

/** Only the database URL: what `npm run migrate` needs (a migration job need not hold the JWT secret). */
export function loadDatabaseEnv(source: Record<string, string | undefined> = process.env): { DATABASE_URL: string } {
  return parse(v.pick(EnvSchema, ['DATABASE_URL']), source);
}

/** Runs `load`; on bad configuration prints the fields and ends the process with status 1. */
export function loadOrExit<T>(load: () => T): T {
  try {
    return load();
  } catch (err) {
    if (!(err instanceof EnvError)) throw err;
    console.error('Barron PMS: the configuration is not valid.');
    for (const f of err.fields) console.error(`  - ${f}`);
    process.exit(1);
  }
}

/**
 * Demo mode: a random secret made once and kept beside the database, so sessions survive restarts.
 * A file too short to be a secret (empty, truncated) is replaced rather than trusted.
 */
function demoSecret(dataDir: string): string {
  const file = resolve(dataDir, 'jwt-secret');
  if (existsSync(file)) {
    const kept = readFileSync(file, 'utf8').trim();
    if (kept.length >= MIN_SECRET) return kept;
  }
  mkdirSync(dirname(file), { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}
