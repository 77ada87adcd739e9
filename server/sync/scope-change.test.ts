// A user whose department or role changes must not keep the old scope's rows, and must get the new one's.
import { describe, expect, it } from 'vitest';
import { useHarness } from '../../tests/setup/harness';
import { makeDevice } from '../../tests/setup/device';
import { tokenFor } from '../../tests/setup/helpers';

const h = useHarness();

describe('scope changes of a user', () => {
  it('an operator moved from Press to Paint loses the Press stages on their device and gets the Paint ones at the next sync', async () => {
    const d = await makeDevice(h, 'operator.press');
    await d.engine.sync();
    const dept = async (code: string) => (await h.deps.db.selectFrom('departments').select('id').where('code', '=', code).executeTakeFirstOrThrow()).id;
    const [press, paint] = [await dept('PRS'), await dept('PNT')];
    expect((await d.db.rows('stages').toArray()).some((s) => s.departmentId === press)).toBe(true);
    expect((await d.db.rows('stages').toArray()).some((s) => s.departmentId === paint)).toBe(false);

    const r = await h.call('PATCH', `/api/admin/users/${d.user.id}`, { token: await tokenFor(h, 'admin'), body: { departmentId: paint } });
    expect(r.status).toBe(200);
    await d.engine.sync();

    const stages = await d.db.rows('stages').toArray();
    expect(stages.filter((s) => s.departmentId === press)).toEqual([]);
    const serverPaint = await h.deps.db.selectFrom('stages').select('id').where('departmentId', '=', paint).where('deletedAt', 'is', null).execute();
    expect(stages.filter((s) => s.departmentId === paint).map((s) => s.id).sort()).toEqual(serverPaint.map((s) => s.id).sort());
    d.close();
  });
});
