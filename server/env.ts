// The one place configuration is read: validated once at boot, typed everywhere after.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import * as v from 'valibot';

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
    v.pipe(v.string(), v.regex(/^(mysql:\/\/.+|sqlite:.+)$/, 'must be mysql://user:pass@host/db or sqlite:<path>')),
    'sqlite:data/barron.sqlite',
  ),
  JWT_SECRET: v.optional(v.pipe(v.string(), v.minLength(32, 'must be at least 32 characters'))),
  SEED_DEMO: v.optional(BoolFromString),
  CHANGE_LOG_RETENTION_DAYS: v.optional(IntFromString(1, 3650), '60'),
  SYNC_WINDOW_DAYS: v.optional(IntFromString(1, 3650), '30'),
  LOG_LEVEL: v.optional(v.picklist(['silent', 'error', 'info']), 'info'),
});

export type Env = v.InferOutput<typeof EnvSchema> & { JWT_SECRET: string; dataDir: string };

export class EnvError extends Error {
  constructor(public readonly fields: string[]) {
    super(`Invalid configuration: ${fields.join('; ')}`);
  }
}

/** Parses `source` (process.env by default). Throws EnvError naming every bad field. */
export function loadEnv(source: Record<string, string | undefined> = process.env, dataDir = 'data'): Env {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(EnvSchema.entries)) {
    const value = source[key];
    if (value !== undefined && value !== '') picked[key] = value;
  }
  const result = v.safeParse(EnvSchema, picked);
  if (!result.success) {
    throw new EnvError(result.issues.map((i) => `${v.getDotPath(i) ?? '?'}: ${i.message}`));
  }
  const env = result.output;
  let secret = env.JWT_SECRET;
  if (!secret) {
    if (env.NODE_ENV === 'production') {
      throw new EnvError(['JWT_SECRET: required in production (at least 32 characters)']);
    }
    secret = demoSecret(dataDir);
  }
  return { ...env, JWT_SECRET: secret, dataDir: resolve(dataDir) };
}

/** Demo mode: a random secret made once and kept beside the database, so sessions survive restarts. */
function demoSecret(dataDir: string): string {
  const file = resolve(dataDir, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dirname(file), { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}
