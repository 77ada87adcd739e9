// `npm run create-admin -- <username> <display name>`: the first admin of a production database.
// The password is read from standard input so it never lands in shell history.
import { createInterface } from 'node:readline/promises';
import bcrypt from 'bcryptjs';
import { uuidv7 } from '../../sync/ids';
import { PASSWORD_MIN_CHARACTERS, passwordProblem } from '../../sync/password';
import { loadEnv } from '../env';
import { openDatabase } from './db';
import { migrateUp } from './migrate';
import { writeAudited } from '../sync/write';
import { findUserByUsername } from '../auth/auth.repository';

const [username, ...name] = process.argv.slice(2);
if (!username || !/^[a-z0-9][a-z0-9._-]{0,63}$/.test(username)) {
  console.error('Usage: npm run create-admin -- <username> [display name]   (lower-case letters, digits, . _ -)');
  process.exit(2);
}
const rl = createInterface({ input: process.stdin, output: process.stdout });
const password = (await rl.question(`Password (at least ${PASSWORD_MIN_CHARACTERS} characters, not the username, not a common one): `)).trim();
rl.close();
const problem = passwordProblem(password, username);
if (problem) {
  console.error(`The password ${problem}.`);
  process.exit(2);
}
const env = loadEnv();
const database = openDatabase(env.DATABASE_URL);
try {
  await migrateUp(database.raw);
  const taken = await findUserByUsername(database.db, username);
  if (taken) {
    console.error(`A user called "${username}" exists already.`);
    process.exitCode = 1;
  } else {
    const id = uuidv7();
    await writeAudited(database.db, { actor: { id, username }, name: 'admin.users.create' }, async (store) => {
      await store.insert('users', { id, username, displayName: name.join(' ') || username, role: 'admin', departmentId: null, active: true, passwordHash: bcrypt.hashSync(password, 10) });
      return { table: 'users', id };
    });
    console.log(`Admin "${username}" created.`);
  }
} finally {
  await database.close();
}
