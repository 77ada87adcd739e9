import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../../sync/ids';
import type { Change } from '../../sync/protocol';
import { applyChanges } from './shadows';
import { BarronDB } from './db';

const row = (id: string, description: string) => ({ id, version: 1, createdAt: 'x', updatedAt: 'x', updatedBy: null, deletedAt: null, description, priority: 2 });

describe('a pull page written in bulk', () => {
  it('leaves each row as its last change in the page says, and moves the shadows of rows with local changes along', async () => {
    const db = new BarronDB('shadows-test', { indexedDB: new IDBFactory(), IDBKeyRange });
    const [a, b, c, mine] = [uuidv7(), uuidv7(), uuidv7(), uuidv7()];
    await db.rows('maintenanceTickets').bulkPut([row(b, 'old b'), row(mine, 'my local edit')] as never);
    // The device edited `mine` locally: its shadow holds what the server said before.
    await db.shadows.put({ key: `maintenanceTickets:${mine}`, table: 'maintenanceTickets', id: mine, row: row(mine, 'server before') as never });
    const changes: Change[] = [
      { table: 'maintenanceTickets', op: 'upsert', id: a, row: row(a, 'first') },
      { table: 'maintenanceTickets', op: 'delete', id: b },
      { table: 'maintenanceTickets', op: 'upsert', id: a, row: row(a, 'second') },
      { table: 'maintenanceTickets', op: 'upsert', id: c, row: row(c, 'c') },
      { table: 'maintenanceTickets', op: 'delete', id: c },
      { table: 'maintenanceTickets', op: 'upsert', id: mine, row: row(mine, 'server now') },
    ];
    await db.transaction('rw', db.writeScope, () => applyChanges(db, changes));
    expect((await db.rows('maintenanceTickets').get(a))?.description).toBe('second');
    expect(await db.rows('maintenanceTickets').get(b)).toBeUndefined();
    expect(await db.rows('maintenanceTickets').get(c)).toBeUndefined();
    expect((await db.shadows.get(`maintenanceTickets:${mine}`))?.row).toMatchObject({ description: 'server now' });
    // Rows without local changes get no shadow.
    expect(await db.shadows.count()).toBe(1);
    db.close();
  });
});
