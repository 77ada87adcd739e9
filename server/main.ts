// `npm start`: builds the client when it is missing, then runs the server until SIGTERM/SIGINT.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { EnvError, exitOnEnvError, loadEnv, loadOrExit } from './env';
import { DEMO_PASSWORD, DEMO_USERS } from './seed';
import { DIST, startServer } from './server';

const env = loadOrExit(() => loadEnv());

if (process.argv.includes('--build-if-needed') && !existsSync(resolve(DIST, 'index.html'))) {
  console.log('Building the client (first start)…');
  const { build } = await import('vite');
  await build({ configFile: resolve(import.meta.dirname, '../vite.config.ts'), logLevel: 'warn' });
}

const running = await startServer(env).catch((err: unknown) => {
  if (err instanceof EnvError) return exitOnEnvError(err);
  // A database that cannot be opened, a port in use: one clear line, not a stack.
  console.error(`Barron PMS could not start: ${(err as Error).message}`);
  process.exit(1);
});
console.log(`Barron PMS is running at ${running.url}  (database: ${running.database.dialect})`);
if (env.tls) {
  const cert = new X509Certificate(env.tls.cert);
  console.log(`HTTPS certificate for ${cert.subjectAltName ?? cert.subject}, valid until ${new Date(cert.validTo).toISOString().slice(0, 10)}`);
  if (running.redirectPort !== null) console.log(`Plain HTTP on port ${running.redirectPort} redirects to HTTPS.`);
} else {
  console.log('Plain HTTP: phones and tablets need HTTPS to install the app and work offline (docs/https.md).');
}
if (running.seeded || running.database.dialect === 'sqlite') {
  console.log(`Demo users (password "${DEMO_PASSWORD}"): ${DEMO_USERS.map((u) => `${u.username} (${u.role})`).join(', ')}`);
}

let closing = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    console.log(`${signal}: closing the server and the database…`);
    running.close().then(
      () => process.exit(0),
      (err) => {
        console.error(err);
        process.exit(1);
      },
    );
  });
}
