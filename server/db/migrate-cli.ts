// `npm run migrate`: all the way up. `npm run migrate:down`: one step down (`-- --all`: every step).
import { loadDatabaseEnv, loadOrExit } from '../env';
import { openDatabase } from './db';
import { migrateDownAll, migrateDownOne, migrateUp } from './migrate';

const { DATABASE_URL } = loadOrExit(() => loadDatabaseEnv());
const direction = process.argv[2] === 'down' ? 'down' : 'up';
const all = process.argv.includes('--all');
const database = openDatabase(DATABASE_URL);
try {
  const run = direction === 'up' ? migrateUp : all ? migrateDownAll : migrateDownOne;
  const { results } = await run(database.raw);
  for (const r of results ?? []) console.log(`${r.direction} ${r.migrationName}: ${r.status}`);
  if (!results?.length) console.log(direction === 'up' ? 'Already up to date.' : 'Nothing to undo.');
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
} finally {
  await database.close();
}
