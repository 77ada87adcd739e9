// GET /api/openapi.json (the description, made from the routes: server/http/openapi.ts) and GET
// /api/docs, the interactive reference (Swagger UI), served from the app's own node_modules: plants
// run offline, so nothing comes from a CDN. Public: the description holds no plant data, and every
// call tried from the page still needs a token (the Authorize button). docs/api.md.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Hono } from 'hono';
import type { AppEnv } from '../context';
import { describeRoute, openApiDocument } from './openapi';

const require = createRequire(import.meta.url);

/** The files of the reference page: Swagger UI's own two, and the start script (no inline script: the CSP forbids it). */
const FILES: Record<string, { type: string; read: () => string }> = {
  'swagger-ui.css': { type: 'text/css; charset=utf-8', read: () => readFileSync(join(dirname(require.resolve('swagger-ui-dist/package.json')), 'swagger-ui.css'), 'utf8') },
  'swagger-ui-bundle.js': { type: 'text/javascript; charset=utf-8', read: () => readFileSync(join(dirname(require.resolve('swagger-ui-dist/package.json')), 'swagger-ui-bundle.js'), 'utf8') },
  'start.js': {
    type: 'text/javascript; charset=utf-8',
    read: () => `window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#api-reference', deepLinking: true, persistAuthorization: false, tryItOutEnabled: false });\n`,
  },
};

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Barron PMS API reference</title>
<link rel="stylesheet" href="/api/docs/swagger-ui.css">
</head>
<body>
<main id="api-reference"></main>
<script src="/api/docs/swagger-ui-bundle.js"></script>
<script src="/api/docs/start.js"></script>
</body>
</html>
`;

/** The docs routes; `app` is the whole app, read when the description is first asked for (all routes are mounted by then). */
export function apiDocsRoutes(app: Hono<any>) {
  let doc: unknown = null;
  const cache = new Map<string, string>();
  return new Hono<AppEnv>()
    .get('/openapi.json', describeRoute({ summary: 'This description (OpenAPI 3.1)', tags: ['Docs'], public: true }), (c) => {
      doc ??= openApiDocument(app, { title: 'Barron PMS API', version: '1' });
      return c.json(doc, 200, { 'Cache-Control': 'no-cache' });
    })
    .get('/docs', describeRoute({ summary: 'The interactive API reference (Swagger UI)', tags: ['Docs'], public: true, html: true }), (c) => c.html(PAGE, 200, { 'Cache-Control': 'no-cache' }))
    .get('/docs/:file', describeRoute({ summary: 'A file of the API reference page', tags: ['Docs'], public: true, html: true }), (c) => {
      const name = c.req.param('file');
      const f = Object.hasOwn(FILES, name) ? FILES[name] : null;
      if (!f) return c.json({ error: { code: 'not_found', message: `There is no file ${name} in the API reference.` } }, 404);
      let text = cache.get(name);
      if (text === undefined) cache.set(name, (text = f.read()));
      return c.body(text, 200, { 'Content-Type': f.type, 'Cache-Control': 'public, max-age=3600' });
    });
}
