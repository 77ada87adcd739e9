// POST /api/import/orders: upload .xlsx/.csv, dry run by default, `?commit=true` to create the orders.
import { Hono } from 'hono';
import { describeRoute } from '../http/openapi';
import { bodyLimit } from 'hono/body-limit';
import * as v from 'valibot';
import type { AppEnv } from '../context';
import { AppError, query, tooLarge, validate } from '../http/errors';
import { requireRole } from '../http/auth';
import { mayImport } from '../../sync/permissions';
import { ROLES } from '../../sync/roles';
import { clientIp } from '../http/ip';
import { parseUpload } from './import.parse';
import { IMPORT_FIELDS, PRESETS, type ImportField } from './import.presets';
import type { ImportCommitted, ImportDryRun, ImportPresets } from '../../sync/wire';
import { commitImport, dryRun } from './import.service';

export const MAX_IMPORT_BYTES = 5 * 1024 * 1024;

const ImportQuery = v.strictObject({ commit: v.optional(v.picklist(['true', 'false']), 'false') });
const MappingSchema = v.strictObject(
  Object.fromEntries(IMPORT_FIELDS.map((f) => [f, v.optional(v.pipe(v.string(), v.maxLength(100)))])) as Record<ImportField, v.OptionalSchema<v.SchemaWithPipe<[v.StringSchema<undefined>, v.MaxLengthAction<string, 100, undefined>]>, undefined>>,
);
const FormSchema = v.strictObject({
  file: v.instance(File, 'attach the spreadsheet as "file"'),
  preset: v.optional(v.picklist(Object.keys(PRESETS), `must be one of: ${Object.keys(PRESETS).join(', ')}`), 'generic'),
  mapping: v.optional(v.string()),
});

export const importRoutes = new Hono<AppEnv>()
  .use('*', requireRole(...ROLES.filter(mayImport)))
  .get('/presets', describeRoute({ summary: 'The import presets and fields' }), (c) => c.json<ImportPresets>({ presets: Object.values(PRESETS), fields: IMPORT_FIELDS }))
  .post(
    '/orders',
    describeRoute({ summary: 'Import orders from .xlsx/.csv (dry run unless commit=true)', query: ImportQuery, upload: { file: 'file', preset: 'string', mapping: 'string' } }),
    bodyLimit({ maxSize: MAX_IMPORT_BYTES, onError: (c) => tooLarge(c, `The file is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MB. Split it into smaller files.`) }),
    async (c) => {
      const q = query(c, ImportQuery);
      if (!(c.req.header('content-type') ?? '').startsWith('multipart/form-data')) {
        throw new AppError(400, 'validation_failed', 'Send the spreadsheet as multipart/form-data with a "file" field.', [{ field: 'file', message: 'is required' }]);
      }
      let form: Record<string, unknown>;
      try {
        form = await c.req.parseBody();
      } catch {
        throw new AppError(400, 'validation_failed', 'The upload could not be read.', [{ field: 'file', message: 'unreadable form data' }]);
      }
      const input = validate(FormSchema, form, 'upload');
      let override: Partial<Record<ImportField, string>> = {};
      if (input.mapping) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(input.mapping);
        } catch {
          throw new AppError(400, 'validation_failed', 'The mapping is not valid JSON.', [{ field: 'mapping', message: 'must be a JSON object of field → column header' }]);
        }
        override = validate(MappingSchema, parsed, 'mapping') as Partial<Record<ImportField, string>>;
      }
      const deps = c.get('deps');
      const sheet = await parseUpload(input.file.name, new Uint8Array(await input.file.arrayBuffer()));
      const plan = await dryRun(deps, sheet, PRESETS[input.preset], override);
      if (q.commit !== 'true') {
        // The preview: every row with an error, and the first 200 rows to show the mapping at work.
        const rows = plan.rows.filter((r, i) => i < 200 || r.errors.length);
        return c.json<ImportDryRun>({ headers: plan.headers, mapping: plan.mapping, rows, rowCount: plan.rowCount, errorCount: plan.errorCount, orders: plan.orders.length, committed: false });
      }
      const result = await commitImport(deps, c.get('user'), plan, { fileName: input.file.name, preset: input.preset, ip: clientIp(c) });
      return c.json<ImportCommitted, 201>({ ...result, committed: true }, 201);
    },
  );
