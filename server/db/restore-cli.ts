// `npm run restore -- <backup file>`: puts a SQLite backup back in place of the database, keeping
// the current file beside it. Refuses while a server is running on the database. MySQL/MariaDB are
// restored with the mysql client (docs/operations.md).
import { resolve } from 'node:path';
import { loadDatabaseEnv, loadOrExit } from '../env';
import { restoreSqlite, sqliteFile } from './backup';

const from = process.argv[2];
if (!from) {
  console.error('Usage: npm run restore -- <backup file>   (e.g. data/backups/barron-20261201T060000Z.sqlite)');
  process.exit(2);
}
const { DATABASE_URL } = loadOrExit(() => loadDatabaseEnv());
const file = sqliteFile(DATABASE_URL);
if (!file) {
  console.error('DATABASE_URL is a MySQL/MariaDB database: restore it with `gunzip -c <file> | mysql <database>` (docs/operations.md).');
  process.exit(2);
}
try {
  const { kept } = await restoreSqlite(resolve(from), file);
  console.log(`Restored ${file} from ${from}.${kept ? ` The database it replaced is kept as ${kept}.` : ''}`);
} catch (err) {
  console.error(`Restore refused: ${(err as Error).message}`);
  process.exit(1);
}
