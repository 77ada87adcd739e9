import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../../sync/ids';
import { ClientStore } from './client-store';
import { BarronDB } from './db';

describe('client store', () => {
  it('undo puts back every row a refused mutation wrote, newest first, and keeps the shadows for rebase', async () => {
    const db = new BarronDB('store-test', { indexedDB: new IDBFactory(), IDBKeyRange });
    const ticketId = uuidv7();
    const base = { id: ticketId, version: 3, createdAt: 'x', updatedAt: 'x', updatedBy: null, deletedAt: null, description: 'as the server has it', priority: 2 };
    await db.rows('maintenanceTickets').put(base as never);
    const store = new ClientStore(db, 'u1', '2026-11-25T10:00:00.000Z');
    const eventId = uuidv7();
    await db.transaction('rw', db.writeScope, async () => {
      await store.update('maintenanceTickets', ticketId, { priority: 1 } as never);
      await store.update('maintenanceTickets', ticketId, { description: 'half-way' } as never);
      await store.insert('maintenanceEvents', { id: eventId, ticketId } as never);
      await store.undo();
    });
    expect(await db.rows('maintenanceTickets').get(ticketId)).toEqual(base);
    expect(await db.rows('maintenanceEvents').get(eventId)).toBeUndefined();
    expect((await db.shadows.get(`maintenanceTickets:${ticketId}`))?.row).toEqual(base);
    db.close();
  });
});
