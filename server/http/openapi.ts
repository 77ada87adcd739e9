// The OpenAPI 3.1 description of the API, made from the routes themselves: each route carries a
// `describeRoute({...})` middleware (a no-op at run time) naming its summary and the valibot schemas
// it validates with; openApiDocument(app) walks app.routes and turns those schemas into JSON Schema
// with @valibot/to-json-schema. server/http/openapi.test.ts fails for a route without one. docs/api.md.
import type { Hono, MiddlewareHandler } from 'hono';
import { toJsonSchema } from '@valibot/to-json-schema';
import type * as v from 'valibot';

type Schema = v.GenericSchema;

export interface RouteDoc {
  summary: string;
  description?: string;
  tags?: string[];
  /** The valibot schema of the query string (an object schema: one parameter per entry). */
  query?: Schema;
  /** The schema of the path parameters (an object schema); without it, each `:name` is a string. */
  params?: Schema;
  /** The JSON request body. */
  body?: Schema;
  /** A multipart upload (the import): the form's fields. */
  upload?: Record<string, 'file' | 'string'>;
  /** The 200 answer's JSON, when there is a schema for it. */
  response?: Schema;
  /** The answer is a CSV download (server/http/csv.ts). */
  csv?: boolean;
  /** The answer is a Server-Sent Events stream. */
  sse?: boolean;
  /** The answer is HTML or a static file (the API reference itself). */
  html?: boolean;
  /** No access token needed. */
  public?: boolean;
  /** The status of a success when it is not 200. */
  status?: number;
}

const DOC = Symbol.for('barron.openapi');

/** The description of one route, as a middleware placed before its handler: `app.get(path, describeRoute({...}), handler)`. */
export function describeRoute(doc: RouteDoc): MiddlewareHandler {
  const mw: MiddlewareHandler = (_c, next) => next();
  (mw as any)[DOC] = doc;
  return mw;
}

export function routeDoc(handler: unknown): RouteDoc | undefined {
  return (handler as any)?.[DOC];
}

/** The routes a description must cover: every method + path a handler answers (not the `use` middleware and catch-alls). */
export function documentedRoutes(app: Hono<any>) {
  const seen = new Map<string, { method: string; path: string; doc?: RouteDoc }>();
  for (const r of app.routes) {
    if (r.method === 'ALL' || r.path.endsWith('*')) continue;
    const key = `${r.method} ${r.path}`;
    const entry = seen.get(key) ?? { method: r.method, path: r.path };
    entry.doc ??= routeDoc(r.handler);
    seen.set(key, entry);
  }
  return [...seen.values()];
}

const json = (s: Schema) => {
  const out = toJsonSchema(s, { target: 'draft-2020-12', errorMode: 'ignore', typeMode: 'input' }) as Record<string, unknown>;
  delete out.$schema;
  return out;
};

function entriesOf(s: Schema | undefined): [string, Schema, boolean][] {
  const entries = (s as any)?.entries as Record<string, Schema> | undefined;
  if (!entries) return [];
  return Object.entries(entries).map(([name, e]) => [name, e, !['optional', 'nullish', 'undefinedable'].includes((e as any).type)]);
}

const ERROR = { $ref: '#/components/schemas/Error' };
const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: ERROR } } });

/** The OpenAPI 3.1 document of every described route of `app`. */
export function openApiDocument(app: Hono<any>, info: { title: string; version: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const { method, path, doc } of documentedRoutes(app)) {
    if (!doc) continue;
    const oaPath = path.replace(/:(\w+)(\{[^}]*\})?/g, '{$1}');
    const parameters: unknown[] = [];
    const pathNames = [...path.matchAll(/:(\w+)/g)].map((m) => m[1]);
    const paramSchemas = new Map(entriesOf(doc.params).map(([n, s]) => [n, s]));
    for (const name of pathNames) parameters.push({ name, in: 'path', required: true, schema: paramSchemas.has(name) ? json(paramSchemas.get(name)!) : { type: 'string' } });
    for (const [name, s, required] of entriesOf(doc.query)) parameters.push({ name, in: 'query', required, schema: json(s) });
    const ok = doc.csv
      ? { description: 'A CSV file (UTF-8 with BOM), streamed', content: { 'text/csv': { schema: { type: 'string' } } } }
      : doc.sse
        ? { description: 'A Server-Sent Events stream', content: { 'text/event-stream': { schema: { type: 'string' } } } }
        : doc.html
          ? { description: 'A page or file of the API reference', content: { 'text/html': { schema: { type: 'string' } } } }
          : { description: 'OK', content: { 'application/json': { schema: doc.response ? json(doc.response) : {} } } };
    const op: Record<string, unknown> = {
      summary: doc.summary,
      ...(doc.description ? { description: doc.description } : {}),
      tags: doc.tags ?? [path.split('/')[2] ?? 'app'],
      operationId: `${method.toLowerCase()}${oaPath.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, ch: string | undefined) => (ch ? ch.toUpperCase() : ''))}`,
      ...(parameters.length ? { parameters } : {}),
      ...(doc.body ? { requestBody: { required: true, content: { 'application/json': { schema: json(doc.body) } } } } : {}),
      ...(doc.upload ? { requestBody: { required: true, content: { 'multipart/form-data': { schema: { type: 'object', properties: Object.fromEntries(Object.entries(doc.upload).map(([k, t]) => [k, t === 'file' ? { type: 'string', format: 'binary' } : { type: 'string' }])) } } } } } : {}),
      ...(doc.public ? { security: [] } : {}),
      responses: {
        [String(doc.status ?? 200)]: ok,
        ...(doc.query || doc.body || doc.params || doc.upload ? { 400: errorResponse('The input is not valid (validation_failed, with the failing fields)') } : {}),
        ...(doc.public ? {} : { 401: errorResponse('No valid access token'), 403: errorResponse('Not allowed for this role') }),
      },
    };
    (paths[oaPath] ??= {})[method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: { ...info, description: 'The REST and sync API of Barron PMS. Sign in with POST /api/auth/login and send the access token as `Authorization: Bearer <token>`. Errors have one JSON shape (Error). docs/api.md.' },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: {
        Error: {
          type: 'object', required: ['error'],
          properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' }, details: { type: 'array', items: {} } } } },
        },
      },
    },
  };
}
