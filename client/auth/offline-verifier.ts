// Lets a user who signed in on this device before sign in again without network (switching users on
// a shared tablet): a salted PBKDF2 hash of the password, kept beside the session, never sent anywhere.
import type { SessionsDB } from '../db/sessions';

interface Verifier { salt: string; hash: string; iterations: number }

const key = (userId: string) => `verifier:${userId}`;
const b64 = (buf: ArrayBuffer | Uint8Array) => btoa(String.fromCharCode(...new Uint8Array(buf)));
const unb64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

async function derive(password: string, salt: Uint8Array, iterations: number): Promise<string> {
  const material = await crypto.subtle.importKey('raw', new TextEncoder().encode(password), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: salt as BufferSource, iterations }, material, 256);
  return b64(bits);
}

export async function saveVerifier(sessions: SessionsDB, userId: string, password: string) {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const iterations = 210_000;
  const value: Verifier = { salt: b64(salt), hash: await derive(password, salt, iterations), iterations };
  await sessions.setValue(key(userId), value);
}

/** true when the password is the one last used to sign in online on this device. */
export async function checkVerifier(sessions: SessionsDB, userId: string, password: string): Promise<boolean> {
  const v = await sessions.getValue<Verifier>(key(userId));
  if (!v) return false;
  return (await derive(password, unb64(v.salt), v.iterations)) === v.hash;
}

export async function deleteVerifier(sessions: SessionsDB, userId: string) {
  await sessions.deleteValue(key(userId));
}
