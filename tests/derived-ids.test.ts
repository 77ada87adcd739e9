import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../sync/ids';
import { useHarness } from './setup/harness';
import { makeDevice } from './setup/device';

const h = useHarness();

describe('ids a mutator makes', () => {
  it('a maintenance request raised offline keeps its history event id when the server applies it', async () => {
    const d = await makeDevice(h, 'operator.press');
    await d.engine.sync();
    const machine = (await d.db.rows('machines').toArray()).find((m) => m.code === 'PRS-01')!;
    d.network.offline = true;
    const id = uuidv7();
    await d.engine.mutate('maintenance.create', { id, machineId: machine.id, type: 'corrective', priority: 2, description: 'Guard sensor faulty' });
    const [offline] = await d.db.rows('maintenanceEvents').where('ticketId').equals(id).toArray();
    expect(offline).toMatchObject({ kind: 'created', ticketId: id });
    d.network.offline = false;
    await d.engine.sync();
    const server = await h.deps.db.selectFrom('maintenanceEvents').select(['id', 'kind']).where('ticketId', '=', id).execute();
    expect(server).toEqual([{ id: offline.id, kind: 'created' }]);
    expect(await d.db.rows('maintenanceEvents').where('ticketId').equals(id).primaryKeys()).toEqual([offline.id]);
    d.close();
  });
});
