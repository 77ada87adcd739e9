// The one place configuration is read: validated once at boot, typed everywhere after.
import { randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createSecureContext } from 'node:tls';
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
  /** HTTPS on PORT: paths to the PEM certificate (with its chain) and its private key, both or neither (docs/https.md). */
  TLS_CERT: v.optional(v.string()),
  TLS_KEY: v.optional(v.string()),
  /** With TLS: a plain-HTTP port that answers every request with a redirect to HTTPS. Off when unset. */
  HTTP_REDIRECT_PORT: v.optional(IntFromString(0, 65535)),
  /** GET /metrics answers only with this as a bearer token; unset, /metrics is 404 (docs/operations.md). */
  METRICS_TOKEN: v.optional(v.pipe(v.string(), v.minLength(16, 'must be at least 16 characters'))),
  /** Where photo files are kept (server/attachments/storage.ts); `attachments/` in the data folder by default. */
  ATTACHMENTS_DIR: v.optional(v.pipe(v.string(), v.minLength(1))),
  /** Seconds between passes of the SOP escalation job (issue 12). */
  ESCALATION_CHECK_SECONDS: v.optional(IntFromString(1, 86_400), '60'),
  // maintenance (issue 13): the preventive job opens a plan's ticket this many days before it is due, and checks this often.
  PREVENTIVE_LEAD_DAYS: v.optional(IntFromString(0, 365), '2'),
  PREVENTIVE_CHECK_SECONDS: v.optional(IntFromString(10, 86_400), '900'),
});

/** The PEM text of the certificate and key, read and checked at boot. */
export interface Tls { cert: string; key: string }

export type Env = v.InferOutput<typeof EnvSchema> & { JWT_SECRET: string; dataDir: string; tls: Tls | null };

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
  return { ...env, JWT_SECRET: secret, dataDir: resolve(dataDir), tls: loadTls(env) };
}

/**
 * Reads TLS_CERT and TLS_KEY when set: both must be given, readable, PEM, and belong together, so a
 * mistake stops the start with the file named instead of failing every phone's connection later.
 */
function loadTls(env: v.InferOutput<typeof EnvSchema>): Tls | null {
  const { TLS_CERT, TLS_KEY, HTTP_REDIRECT_PORT, PORT } = env;
  if (TLS_CERT === undefined && TLS_KEY === undefined) {
    if (HTTP_REDIRECT_PORT !== undefined) throw new EnvError(['HTTP_REDIRECT_PORT: only with TLS_CERT and TLS_KEY (it redirects plain HTTP to the HTTPS port)']);
    return null;
  }
  if (TLS_CERT === undefined || TLS_KEY === undefined) {
    const [missing, given] = TLS_CERT === undefined ? ['TLS_CERT', 'TLS_KEY'] : ['TLS_KEY', 'TLS_CERT'];
    throw new EnvError([`${missing}: required when ${given} is set (both are paths to PEM files)`]);
  }
  if (HTTP_REDIRECT_PORT !== undefined && HTTP_REDIRECT_PORT !== 0 && HTTP_REDIRECT_PORT === PORT) {
    throw new EnvError([`HTTP_REDIRECT_PORT: must differ from PORT (${PORT}), which serves HTTPS`]);
  }
  const errors: string[] = [];
  const read = (name: string, path: string, pem: RegExp, what: string) => {
    try {
      const text = readFileSync(path, 'utf8');
      if (!pem.test(text)) errors.push(`${name}: ${path} holds no PEM ${what} (-----BEGIN …-----)`);
      return text;
    } catch (err) {
      errors.push(`${name}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      return '';
    }
  };
  const cert = read('TLS_CERT', TLS_CERT, /-----BEGIN CERTIFICATE-----/, 'certificate');
  const key = read('TLS_KEY', TLS_KEY, /-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'private key');
  if (errors.length) throw new EnvError(errors);
  if (key.includes('ENCRYPTED')) throw new EnvError([`TLS_KEY: ${TLS_KEY} is encrypted; give the key without a passphrase (openssl pkey -in key.pem -out plain.pem)`]);
  try {
    new X509Certificate(cert);
  } catch (err) {
    throw new EnvError([`TLS_CERT: ${TLS_CERT} is not a valid certificate (${(err as Error).message})`]);
  }
  try {
    createSecureContext({ cert, key });
  } catch (err) {
    throw new EnvError([`TLS_KEY: ${TLS_KEY} does not belong to the certificate in ${TLS_CERT}, or cannot be read as a key (${(err as Error).message})`]);
  }
  return { cert, key };
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
    return exitOnEnvError(err);
  }
}

/** An EnvError prints its fields and ends the process with status 1; anything else is thrown on. */
export function exitOnEnvError(err: unknown): never {
  if (!(err instanceof EnvError)) throw err;
  console.error('Barron PMS: the configuration is not valid.');
  for (const f of err.fields) console.error(`  - ${f}`);
  process.exit(1);
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
