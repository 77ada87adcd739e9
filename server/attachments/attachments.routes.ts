// POST /api/attachments (a photo of a reject or a return, multipart) and GET /api/attachments/:id.
// The file is checked from its bytes, stored, then its metadata row written through auditedWrite
// (the synced `attachments` table); the same scope rule as its record answers both routes.
import { describeRoute } from '../http/openapi';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import * as v from 'valibot';
import type { AppEnv } from '../context';
import { AppError, tooLarge, validate } from '../http/errors';
import { requireRole } from '../http/auth';
import { clientIp } from '../http/ip';
import { Uuid } from '../../sync/protocol';
import { ATTACHMENT_ENTITIES, attachmentCreate, isAttachmentEntity, MAX_PHOTO_BYTES, ownerVisible, PHOTO_ROLES } from '../../sync/attachments';
import { Rejection } from '../../sync/store';
import { canSee } from '../../sync/tables';
import { ROW_LABEL } from '../../sync/rejections';
import { writeAudited } from '../sync/write';
import { toWire } from '../sync/codec';
import * as repo from '../sync/sync.repository';
import { sniffImage } from './sniff';
import { attachmentStorage } from './storage';

/** The form around the file (boundaries, the id fields) may add this much to the photo's limit. */
const FORM_OVERHEAD = 64 * 1024;
const MB = MAX_PHOTO_BYTES / 1024 / 1024;

const UploadForm = v.object({
  id: Uuid,
  entity: v.picklist(ATTACHMENT_ENTITIES, `must be one of: ${ATTACHMENT_ENTITIES.join(', ')}`),
  entityId: Uuid,
  file: v.instance(File, 'attach the photo as "file"'),
});

const STATUS: Record<string, 400 | 403 | 404 | 409> = { validation_failed: 400, forbidden: 403, not_found: 404, entity_deleted: 404, already_exists: 409 };

function asHttp(err: unknown): never {
  if (err instanceof Rejection) throw new AppError(STATUS[err.code] ?? 400, err.code, err.message, err.details);
  throw err;
}

export const attachmentRoutes = new Hono<AppEnv>()
  .post(
    '/',
    describeRoute({ summary: 'Upload a photo of a reject or customer return (multipart: id, entity, entityId, file; JPEG/PNG/WebP ≤ 5 MB)', tags: ['Photos'] }),
    requireRole(...PHOTO_ROLES),
    // A Content-Length over the limit is refused before a byte of the body is read.
    bodyLimit({ maxSize: MAX_PHOTO_BYTES + FORM_OVERHEAD, onError: (c) => tooLarge(c, `The photo is larger than ${MB} MB. The app sends photos resized; pick a smaller picture.`) }),
    async (c) => {
      if (!(c.req.header('content-type') ?? '').startsWith('multipart/form-data')) {
        throw new AppError(400, 'validation_failed', 'Send the photo as multipart/form-data with id, entity, entityId and file.', [{ field: 'file', message: 'is required' }]);
      }
      let form: Record<string, unknown>;
      try {
        form = await c.req.parseBody();
      } catch {
        throw new AppError(400, 'validation_failed', 'The upload could not be read.', [{ field: 'file', message: 'unreadable form data' }]);
      }
      const input = validate(UploadForm, form, 'upload');
      const { db, env } = c.get('deps');
      const user = c.get('user');

      // Idempotent on id: the same photo sent again (a lost answer) answers the row already stored.
      const existing = await repo.getRow(db, 'attachments', input.id);
      if (existing) {
        if (existing.entity === input.entity && existing.entityId === input.entityId && existing.createdBy === user.id) {
          return c.json({ attachment: toWire('attachments', existing) }, 200);
        }
        throw new AppError(409, 'already_exists', `Photo ${input.id} exists already: a new photo needs a new id.`, [{ field: 'id', message: 'is taken' }]);
      }

      // The record must have reached the server first; the device sends the photo again later.
      const owner = isAttachmentEntity(input.entity) ? await repo.getRow(db, input.entity, input.entityId) : undefined;
      if (!owner) {
        throw new AppError(409, 'not_synced_yet', `${ROW_LABEL[input.entity]} ${input.entityId} has not reached the server yet; the photo is sent again after it.`, [{ field: 'entityId', message: 'not synced yet' }]);
      }
      if (owner.deletedAt || !ownerVisible(user, input.entity, owner)) throw new AppError(404, 'not_found', `${ROW_LABEL[input.entity]} ${input.entityId} does not exist.`, [{ field: 'entityId', message: 'does not exist' }]);

      if (input.file.size > MAX_PHOTO_BYTES) return tooLarge(c, `The photo is larger than ${MB} MB. Pick a smaller picture.`);
      const bytes = new Uint8Array(await input.file.arrayBuffer());
      const image = sniffImage(bytes);
      if (!image) throw new AppError(400, 'validation_failed', 'The file is not a JPEG, PNG or WebP image.', [{ field: 'file', message: 'is not a JPEG, PNG or WebP image' }]);

      const storage = attachmentStorage(env);
      await storage.put(input.id, bytes);
      try {
        const written = await writeAudited(db, { actor: user, name: 'attachment.create', ip: clientIp(c) }, async (store, w) => {
          const ctx = w.context(user);
          const args = v.parse(attachmentCreate.args, { id: input.id, entity: input.entity, entityId: input.entityId, bytes: bytes.length, ...image });
          return attachmentCreate.apply(store, args, ctx);
        });
        const row = await repo.getRow(db, 'attachments', written.id);
        return c.json({ attachment: toWire('attachments', row!) }, 201);
      } catch (err) {
        // Nothing half-written: a file without its row is removed (unless a concurrent retry's row now owns it).
        if (!(await repo.getRow(db, 'attachments', input.id))) await storage.remove(input.id);
        return asHttp(err);
      }
    },
  )
  .get('/:id', describeRoute({ summary: "A photo's image, for whoever may see its record", tags: ['Photos'] }), requireRole(...PHOTO_ROLES), async (c) => {
    const id = validate(Uuid, c.req.param('id'), 'photo id');
    const { db, env } = c.get('deps');
    const user = c.get('user');
    // `u` names the user the address was made for, so a shared device's photo cache (keyed by address) never answers another user.
    const u = c.req.query('u');
    if (u !== undefined && u !== user.id) throw new AppError(403, 'forbidden', 'This photo address was made for another user.');
    const row = await repo.getRow(db, 'attachments', id);
    const missing = () => new AppError(404, 'not_found', `Photo ${id} does not exist.`);
    if (!row || row.deletedAt || !canSee(user, 'attachments', row) || !isAttachmentEntity(String(row.entity))) throw missing();
    const entity = String(row.entity) as (typeof ATTACHMENT_ENTITIES)[number];
    const owner = await repo.getRow(db, entity, String(row.entityId));
    if (!owner || !ownerVisible(user, entity, owner)) throw missing();
    const bytes = await attachmentStorage(env).get(id);
    if (!bytes) throw missing();
    return new Response(bytes as Uint8Array<ArrayBuffer>, { status: 200, headers: { 'content-type': String(row.contentType), 'content-length': String(bytes.length) } });
  });
