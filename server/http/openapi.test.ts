// The API description: every route the app registers is in /api/openapi.json, made from the valibot
// schemas the route validates with; the reference page at /api/docs loads only the app's own files.
import { describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import * as v from 'valibot';
import { useHarness } from '../../tests/setup/harness';
import { describeRoute, documentedRoutes, openApiDocument } from './openapi';

const h = useHarness({ seed: false });

describe('OpenAPI description', () => {
  it('describes every route registered on the app (app.routes): add describeRoute({...}) next to a new route', () => {
    const routes = documentedRoutes(h.app);
    expect(routes.length).toBeGreaterThan(30);
    const missing = routes.filter((r) => !r.doc).map((r) => `${r.method} ${r.path}`);
    expect(missing, 'routes without describeRoute(...)').toEqual([]);
  });

  it('the walk catches a route without a description', () => {
    const app = new Hono();
    app.get('/api/a', describeRoute({ summary: 'A' }), (c) => c.text('a'));
    app.post('/api/b/:id', (c) => c.text('b'));
    app.use('*', async (_c, next) => next()); // middleware is not a route
    expect(documentedRoutes(app).filter((r) => !r.doc).map((r) => `${r.method} ${r.path}`)).toEqual(['POST /api/b/:id']);
  });

  it('GET /api/openapi.json is OpenAPI 3.1 with every route, its parameters and bodies taken from the valibot schemas', async () => {
    const res = await h.app.request('/api/openapi.json');
    expect(res.status).toBe(200);
    const doc = await res.json();
    expect(doc.openapi).toBe('3.1.0');
    const described = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    for (const r of documentedRoutes(h.app)) expect(described).toContain(`${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`);
    // The login body is the route's LoginSchema.
    const login = doc.paths['/api/auth/login'].post;
    expect(login.security).toEqual([]);
    expect(login.requestBody.content['application/json'].schema).toMatchObject({ type: 'object', required: ['username', 'password'], properties: { username: { type: 'string', maxLength: 64 } } });
    // The pull's query parameters are PullQuerySchema's entries.
    const pull = doc.paths['/api/sync/pull'].get;
    expect(pull.parameters.map((p: any) => p.name)).toEqual(expect.arrayContaining(['clientId', 'cursor', 'limit']));
    expect(pull.parameters.find((p: any) => p.name === 'clientId').required).toBe(true);
    // A path parameter, and the CSV and SSE answers.
    expect(doc.paths['/api/admin/users/{id}'].patch.parameters[0]).toMatchObject({ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } });
    expect(Object.keys(doc.paths['/api/orders/export.csv'].get.responses[200].content)).toEqual(['text/csv']);
    expect(doc.paths['/api/orders/export.csv'].get.parameters.find((p: any) => p.name === 'show').schema.enum).toContain('Late');
    expect(Object.keys(doc.paths['/api/sync/events'].get.responses[200].content)).toEqual(['text/event-stream']);
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('GET /api/docs serves the reference from the app itself: every script and style is a local file, none from a CDN', async () => {
    const res = await h.app.request('/api/docs');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script>(?!<\/script>)|<script>[^<]+/); // no inline script (the CSP)
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(assets).toEqual(['/api/docs/swagger-ui.css', '/api/docs/swagger-ui-bundle.js', '/api/docs/start.js']);
    for (const a of assets) {
      const r = await h.app.request(a);
      expect(r.status, a).toBe(200);
      expect(r.headers.get('content-type'), a).toMatch(a.endsWith('.css') ? /^text\/css/ : /^text\/javascript/);
      expect((await r.text()).length).toBeGreaterThan(50);
    }
    expect(await (await h.app.request('/api/docs/start.js')).text()).toContain("url: '/api/openapi.json'");
    expect((await h.app.request('/api/docs/..%2Fpackage.json')).status).toBe(404);
    // The page keeps the app's strict policy: scripts and styles only from the app.
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  it('an object schema becomes one query parameter per entry, optional ones not required', () => {
    const app = new Hono();
    app.get('/api/x', describeRoute({ summary: 'X', query: v.strictObject({ a: v.string(), b: v.optional(v.picklist(['1', '2'])) }) }), (c) => c.text('x'));
    const doc = openApiDocument(app, { title: 't', version: '1' });
    expect((doc.paths['/api/x'] as any).get.parameters).toEqual([
      { name: 'a', in: 'query', required: true, schema: { type: 'string' } },
      { name: 'b', in: 'query', required: false, schema: { type: 'string', enum: ['1', '2'] } },
    ]);
  });
});
