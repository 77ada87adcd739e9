// Photos of quality records (issue 11 §4): which records take photos, who may see them, and the
// mutator that records a stored photo's metadata. The image itself is uploaded with
// POST /api/attachments (server/attachments/), which runs `attachmentCreate` once the file is stored:
// a push carries no file, so `attachment.create` is not in the push registry (sync/mutations.ts).
import * as v from 'valibot';
import { Uuid } from './protocol';
import { FLOOR, type Actor } from './roles';
import { define } from './mutation-kit';
import { notFound } from './rejections';
import { Rejection, type MutationStore } from './store';
import { canSee, type TableName } from './tables';

/** The records a photo can belong to: the pull table name of its owner. */
export const ATTACHMENT_ENTITIES = ['rejects', 'customerReturns'] as const satisfies readonly TableName[];
export type AttachmentEntity = (typeof ATTACHMENT_ENTITIES)[number];

export function isAttachmentEntity(name: string): name is AttachmentEntity {
  return (ATTACHMENT_ENTITIES as readonly string[]).includes(name);
}

/** Image types the server keeps (sniffed from the bytes, never taken from the upload's headers). */
export const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export type ImageType = (typeof IMAGE_TYPES)[number];

/** The largest photo the server stores; the device sends far less (longest side 1600 px, JPEG). */
export const MAX_PHOTO_BYTES = 5 * 1024 * 1024;
/** The device's resize target: the longest side of a stored photo. */
export const PHOTO_MAX_SIDE = 1600;

/** Who may attach photos: the people who log and review rejects. */
export const PHOTO_ROLES = FLOOR;

/**
 * The owner of a photo as the actor may see it, or a not_found rejection (the same answer a made-up
 * id gets). One place per entity: the scope of a photo is the scope of its record.
 */
export async function visibleOwner(store: MutationStore, actor: Actor, entity: AttachmentEntity, id: string): Promise<{ departmentIds: string[] }> {
  switch (entity) {
    case 'rejects': {
      const row = await store.get('rejects', id);
      if (!row || row.deletedAt || !canSee(actor, 'rejects', row)) throw notFound('rejects', id);
      return { departmentIds: [row.departmentId] };
    }
    case 'customerReturns': {
      const row = await store.get('customerReturns', id);
      if (!row || row.deletedAt || !canSee(actor, 'customerReturns', row)) throw notFound('customerReturns', id);
      return { departmentIds: row.departmentIds };
    }
  }
}

/**
 * A record's scope moved (a return made another department's): its photos' `departmentIds` follow,
 * in the same mutation, so the photos reach exactly the devices the record reaches.
 */
export async function movePhotoScope(store: MutationStore, entity: AttachmentEntity, id: string, departmentIds: string[]) {
  for (const photo of await store.find('attachments', 'entityId', id)) {
    if (photo.entity === entity && JSON.stringify(photo.departmentIds) !== JSON.stringify(departmentIds)) {
      await store.update('attachments', photo.id, { departmentIds });
    }
  }
}

/** Whether the actor may see the record a photo belongs to (the GET route and the device's list). */
export function ownerVisible(actor: Actor, entity: AttachmentEntity, owner: Record<string, unknown>): boolean {
  switch (entity) {
    case 'rejects': return canSee(actor, 'rejects', owner);
    case 'customerReturns': return canSee(actor, 'customerReturns', owner);
  }
}

export const AttachmentCreateArgs = v.strictObject({
  id: Uuid,
  entity: v.picklist(ATTACHMENT_ENTITIES, `must be one of: ${ATTACHMENT_ENTITIES.join(', ')}`),
  entityId: Uuid,
  contentType: v.picklist(IMAGE_TYPES, 'must be a JPEG, PNG or WebP image'),
  bytes: v.pipe(v.number(), v.integer(), v.minValue(1, 'is empty'), v.maxValue(MAX_PHOTO_BYTES, `must be at most ${MAX_PHOTO_BYTES / 1024 / 1024} MB`)),
  width: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100_000)),
  height: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100_000)),
}, 'has a field that is not allowed');

export const attachmentCreate = define({
  name: 'attachment.create',
  kind: 'create',
  table: 'attachments',
  roles: PHOTO_ROLES,
  args: AttachmentCreateArgs,
  async apply(store, args, ctx) {
    if (!PHOTO_ROLES.includes(ctx.actor.role)) throw new Rejection('forbidden', `A ${ctx.actor.role} may not attach photos.`);
    const owner = await visibleOwner(store, ctx.actor, args.entity, args.entityId);
    await store.insert('attachments', {
      id: args.id, entity: args.entity, entityId: args.entityId, departmentIds: owner.departmentIds,
      contentType: args.contentType, bytes: args.bytes, width: args.width, height: args.height, createdBy: ctx.actor.id,
    });
    return { table: 'attachments', id: args.id };
  },
});
