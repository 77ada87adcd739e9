// Every MariaDB connection the server opens escapes quotes with backslashes, whatever the server's
// default sql_mode: mysql2 writes a quote in a value as \' , and with NO_BACKSLASH_ESCAPES on that
// quote would end the string — with multiple statements allowed, a value could add statements
// (docs/decisions/0034). MariaDB suite only.
import { createConnection } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../tests/setup/harness';
import { MYSQL_SESSION, openDatabase } from './db';

const URL_ = process.env.TEST_DATABASE_URL!;
const modeOf = async (c: Awaited<ReturnType<typeof createConnection>>) => ((await c.query('SELECT @@SESSION.sql_mode AS m')) as any)[0][0].m as string;

describe('MariaDB session', () => {
  it('takes NO_BACKSLASH_ESCAPES out of the session mode and keeps the rest, wherever it stands in the list', async () => {
    const c = await createConnection(URL_);
    try {
      for (const [before, after] of [
        ['STRICT_TRANS_TABLES,NO_BACKSLASH_ESCAPES,ERROR_FOR_DIVISION_BY_ZERO', 'STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO'],
        ['NO_BACKSLASH_ESCAPES,STRICT_TRANS_TABLES', 'STRICT_TRANS_TABLES'],
        ['STRICT_TRANS_TABLES,NO_BACKSLASH_ESCAPES', 'STRICT_TRANS_TABLES'],
        ['NO_BACKSLASH_ESCAPES', ''],
        ['STRICT_TRANS_TABLES', 'STRICT_TRANS_TABLES'],
      ]) {
        await c.query(`SET SESSION sql_mode = '${before}'`);
        await c.query(MYSQL_SESSION);
        expect(await modeOf(c)).toBe(after);
      }
    } finally {
      await c.end();
    }
  });

  it('a server whose default has NO_BACKSLASH_ESCAPES: a value with quotes, a backslash and a semicolon is stored as sent and adds no statement', async () => {
    const test = await createTestDatabase();
    const admin = await createConnection(URL_);
    const globalBefore = await (async () => ((await admin.query('SELECT @@GLOBAL.sql_mode AS m')) as any)[0][0].m as string)();
    let handle: ReturnType<typeof openDatabase> | undefined;
    try {
      await admin.query(`SET GLOBAL sql_mode = CONCAT(@@GLOBAL.sql_mode, ',NO_BACKSLASH_ESCAPES')`);
      handle = openDatabase(test.url); // a new pool: its connections start from the global mode
      const evil = `x\\'; DROP TABLE config; -- it's`;
      await handle.db.insertInto('config').values({ key: 'probe', value: JSON.stringify(evil), updatedAt: new Date().toISOString() } as any).execute();
      await admin.query(`SET GLOBAL sql_mode = ?`, [globalBefore]);
      const back = await handle.db.selectFrom('config').select('value').where('key', '=', 'probe').executeTakeFirstOrThrow();
      expect(JSON.parse(back.value)).toBe(evil);
      expect(await handle.db.selectFrom('config').select('key').execute()).not.toHaveLength(0);
    } finally {
      await admin.query(`SET GLOBAL sql_mode = ?`, [globalBefore]);
      await admin.end();
      await handle?.close();
      await test.drop();
    }
  });
});
