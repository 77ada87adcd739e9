// Where photo files are kept: a small interface, so one server's folder can be replaced by a volume
// every server mounts or by an S3-compatible bucket (docs/architecture.md "Scaling").
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Env } from '../env';

export interface AttachmentStorage {
  /** Stores the bytes under the id (replacing what is there: a retried upload writes the same bytes). */
  put(id: string, bytes: Uint8Array): Promise<void>;
  /** The bytes, or null when nothing is stored under the id. */
  get(id: string): Promise<Uint8Array<ArrayBuffer> | null>;
  has(id: string): Promise<boolean>;
  remove(id: string): Promise<void>;
}

/** Ids are UUIDs (checked at the route); the name is made of nothing else. */
const safe = (id: string) => {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new Error(`not an attachment id: ${id}`);
  return id.toLowerCase();
};

/** Files in one folder, two levels of sub-folders by the id's first characters to keep folders small. */
export function folderStorage(dir: string): AttachmentStorage {
  const path = (id: string) => { const s = safe(id); return join(dir, s.slice(0, 2), s); };
  return {
    async put(id, bytes) {
      const file = path(id);
      await mkdir(join(file, '..'), { recursive: true });
      // Written aside and renamed: a reader never sees half a file, a crash leaves no partial photo.
      const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
      await writeFile(tmp, bytes);
      await rename(tmp, file);
    },
    async get(id) {
      try {
        return new Uint8Array(await readFile(path(id)));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
    },
    async has(id) {
      try {
        return (await stat(path(id))).isFile();
      } catch {
        return false;
      }
    },
    async remove(id) {
      await rm(path(id), { force: true });
    },
  };
}

/** The configured store: ATTACHMENTS_DIR, or `attachments/` in the data folder. */
export function attachmentStorage(env: Env): AttachmentStorage {
  return folderStorage(resolve(env.ATTACHMENTS_DIR ?? join(env.dataDir, 'attachments')));
}
