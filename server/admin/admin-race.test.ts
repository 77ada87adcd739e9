import { describe, expect, it } from 'vitest';
import { useHarness } from '../../tests/setup/harness';
import { tokenFor } from '../../tests/setup/helpers';

const h = useHarness();

describe('admin writes that race', () => {
  it('two simultaneous creates of one machine code give one 201 and one 409, never a 500', async () => {
    const token = await tokenFor(h, 'admin');
    const dept = (await h.deps.db.selectFrom('departments').select('id').where('code', '=', 'PRS').executeTakeFirstOrThrow()).id;
    const body = { code: 'RACE-1', name: 'Raced press', departmentId: dept };
    const results = await Promise.all(Array.from({ length: 4 }, () => h.call('POST', '/api/admin/machines', { token, body })));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409]);
    expect(results.find((r) => r.status === 409)!.body.error.code).toBe('already_exists');
    const rows = await h.deps.db.selectFrom('machines').select('id').where('code', '=', 'RACE-1').execute();
    expect(rows).toHaveLength(1);
  });
});
