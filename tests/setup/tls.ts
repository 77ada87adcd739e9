// A plant CA and a server certificate signed by it, made with the same openssl commands docs/https.md shows.
import { execFileSync } from 'node:child_process';
import { createHash, createPublicKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestCertificate {
  /** PEM files: the CA a device would install, the server's certificate and key (TLS_CERT, TLS_KEY). */
  ca: string;
  cert: string;
  key: string;
  /** Base64 SHA-256 of the server key's SubjectPublicKeyInfo, for Chromium's --ignore-certificate-errors-spki-list. */
  spki: string;
}

function openssl(dir: string, args: string[]) {
  try {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
    if (e.code === 'ENOENT') throw new Error('The HTTPS tests need the openssl command (apt-get install openssl).');
    throw new Error(`openssl ${args[0]} failed: ${e.stderr?.toString() ?? e.message}`);
  }
}

/** Writes ca.pem, server.pem and server.key into `dir` for `names` (subjectAltName entries). */
export function makeCertificate(dir: string, names = ['IP:127.0.0.1', 'DNS:localhost']): TestCertificate {
  openssl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem',
    '-days', '3650', '-subj', '/CN=Barron test plant CA', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  openssl(dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=barron-test']);
  writeFileSync(join(dir, 'server.ext'), [
    'basicConstraints = CA:FALSE', 'keyUsage = digitalSignature, keyEncipherment', 'extendedKeyUsage = serverAuth', `subjectAltName = ${names.join(', ')}`,
  ].join('\n'));
  openssl(dir, ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '825', '-extfile', 'server.ext', '-out', 'server.pem']);
  const key = join(dir, 'server.key');
  const spkiDer = createPublicKey(readFileSync(key)).export({ type: 'spki', format: 'der' });
  return { ca: join(dir, 'ca.pem'), cert: join(dir, 'server.pem'), key, spki: createHash('sha256').update(spkiDer).digest('base64') };
}
