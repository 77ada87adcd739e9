// `npm run migrate` / `npm run migrate:down`: one step down, or all the way up.
import { loadEnv } from '../env';
import { openDatabase } from './db';
import { migrateDownOne, migrateUp } from './migrate';

const env = loadEnv();
const database = openDatabase(env.DATABASE_URL);
const direction = process.argv[2] === 'down' ? 'down' : 'up';
try {
  const { results } = direction === 'up' ? await migrateUp(database.raw) : await migrateDownOne(database.raw);
  for (const r of results ?? []) console.log(`${r.direction} ${r.migrationName}: ${r.status}`);
  if (!results?.length) console.log(direction === 'up' ? 'Already up to date.' : 'Nothing to undo.');
} finally {
  await database.close();
}
