// One error type and one handler: every failure leaves as the JSON shape of SYNC-PROTOCOL.md.
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import * as v from 'valibot';
import { issueDetails } from '../../sync/mutations';
import { jsonDepth, MAX_JSON_DEPTH } from '../../sync/protocol';
import { classifyDbError } from '../db/errors';

export class AppError extends Error {
  constructor(
    public readonly status: ContentfulStatusCode,
    public readonly code: string,
    message: string,
    public readonly details?: unknown[],
    /** Extra response headers, e.g. Retry-After on a 429. */
    public readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new AppError(404, 'not_found', `${what} was not found.`);
export const forbidden = (message = 'You may not do this.') => new AppError(403, 'forbidden', message);

export function errorBody(code: string, message: string, details?: unknown[]) {
  return { error: details && details.length ? { code, message, details } : { code, message } };
}

/**
 * 413 for a body over its limit. The rest of the body is never read, so the connection cannot carry
 * another request: `Connection: close` tells the client to open a new one instead of failing on this one.
 */
export function tooLarge(c: Context, message: string) {
  return c.json(errorBody('payload_too_large', message), 413, { Connection: 'close' });
}

export type Logger = (msg: string, err?: unknown) => void;

/** Seconds a device should wait before sending again after a 503 (it backs off further on its own). */
export const RETRY_AFTER_SECONDS = 5;

/** `unavailable`: told when a request failed because the database is busy or away (GET /health reports it). */
export function onError(log: Logger, unavailable: () => void = () => {}) {
  return (err: Error, c: Context) => {
    if (err instanceof AppError) {
      if (err.status === 503) unavailable();
      const headers = err.status === 503 ? { 'Retry-After': String(RETRY_AFTER_SECONDS), ...err.headers } : err.headers;
      return c.json(errorBody(err.code, err.message, err.details), err.status, headers);
    }
    if (err instanceof HTTPException) {
      if (err.status === 413) return tooLarge(c, 'The request body is too large.');
      return c.json(errorBody(err.status === 401 ? 'unauthenticated' : 'bad_request', err.message || 'Bad request.'), err.status as ContentfulStatusCode);
    }
    if (classifyDbError(err) === 'transient') {
      unavailable();
      // The database is busy, locked, full or unreachable: nothing was written, and trying again later can work.
      log(`${c.req.method} ${c.req.path}: the database is unavailable`, err);
      return c.json(errorBody('unavailable', 'The database is busy or unreachable. Nothing was changed; try again shortly.'), 503, { 'Retry-After': String(RETRY_AFTER_SECONDS) });
    }
    log(`${c.req.method} ${c.req.path} failed`, err);
    return c.json(errorBody('internal', 'Something went wrong on the server. The error was logged.'), 500);
  };
}

/** Validates `input` or throws 400 validation_failed with the failing fields. */
export function validate<S extends v.GenericSchema>(schema: S, input: unknown, what = 'request'): v.InferOutput<S> {
  const result = v.safeParse(schema, input);
  if (!result.success) throw new AppError(400, 'validation_failed', `The ${what} is not valid.`, issueDetails(result.issues));
  return result.output;
}

/** Reads a JSON body once: malformed JSON is a 400 of its own. */
export async function jsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') throw new AppError(400, 'malformed_json', 'The request body must be JSON.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new AppError(400, 'malformed_json', 'The request body is not valid JSON.');
  }
  // Bounded before anything recursive (validation, audit JSON) touches it.
  if (jsonDepth(parsed, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    throw new AppError(400, 'validation_failed', `The request body nests objects or arrays more than ${MAX_JSON_DEPTH} levels deep.`, [{ field: '', message: `nests more than ${MAX_JSON_DEPTH} levels` }]);
  }
  return parsed;
}

export async function body<S extends v.GenericSchema>(c: Context, schema: S): Promise<v.InferOutput<S>> {
  return validate(schema, await jsonBody(c), 'request body');
}

export function query<S extends v.GenericSchema>(c: Context, schema: S): v.InferOutput<S> {
  return validate(schema, c.req.query(), 'query');
}

export function params<S extends v.GenericSchema>(c: Context, schema: S): v.InferOutput<S> {
  return validate(schema, c.req.param(), 'path');
}
