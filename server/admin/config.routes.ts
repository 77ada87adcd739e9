// /api/admin/config: the config keys an admin edits (today the SOP response and escalation times),
// each validated by its schema in sync/ (the admin page checks with the same one), and audited.
import { describeRoute } from '../http/openapi';
import { Hono } from 'hono';
import * as v from 'valibot';
import { SOP_CONFIG_SCHEMAS } from '../../sync/sop';
import type { AppEnv } from '../context';
import { AppError, body, params } from '../http/errors';
import { clientIp } from '../http/ip';
import { auditedWrite } from '../sync/write';
import * as repo from './config.repository';

/** Every editable key: its schema, the value used while unset, and its label. A module adds its keys here. */
export const EDITABLE_CONFIG: Record<string, { schema: v.GenericSchema; fallback: unknown; label: string }> = {
  ...SOP_CONFIG_SCHEMAS,
};

const KeyParam = v.strictObject({ key: v.picklist(Object.keys(EDITABLE_CONFIG), 'is not a config key that can be edited') });
const ValueBody = v.strictObject({ value: v.unknown() }, 'has a field that is not allowed');

export const configRoutes = new Hono<AppEnv>()
  .get('/', describeRoute({ summary: 'The editable configuration (SOP response and escalation times) with its rules', tags: ['Config'] }), async (c) => {
    const rows = new Map((await repo.readConfigRows(c.get('deps').db, Object.keys(EDITABLE_CONFIG))).map((r) => [r.key, r]));
    return c.json({
      items: Object.entries(EDITABLE_CONFIG).map(([key, e]) => {
        const row = rows.get(key);
        return { key, label: e.label, value: row ? JSON.parse(row.value) : e.fallback, default: e.fallback, updatedAt: row?.updatedAt ?? null };
      }),
    });
  })
  .put('/:key', describeRoute({ summary: 'Change one configuration value (validated, audited)', tags: ['Config'] }), async (c) => {
    const deps = c.get('deps');
    const { key } = params(c, KeyParam);
    const input = await body(c, ValueBody);
    const parsed = v.safeParse(EDITABLE_CONFIG[key].schema, input.value);
    if (!parsed.success) {
      const details = parsed.issues.map((i) => ({ field: ['value', v.getDotPath(i)].filter(Boolean).join('.'), message: i.message }));
      throw new AppError(400, 'validation_failed', `${EDITABLE_CONFIG[key].label}: ${details[0].field.replace(/^value\.?/, '') || 'the value'} ${details[0].message}.`, details);
    }
    const user = c.get('user');
    await deps.db.transaction().execute((trx) => auditedWrite(trx, { actor: user, name: 'admin.config.update', ip: clientIp(c) }, async (_store, w) => {
      const before = await repo.writeConfig(trx, key, parsed.output, user.id, w.now);
      return { table: null, id: null, summary: () => ({ key, before: before ?? null, value: parsed.output }), message: `config ${key} changed` };
    }));
    return c.json({ item: { key, label: EDITABLE_CONFIG[key].label, value: parsed.output, default: EDITABLE_CONFIG[key].fallback } });
  });
