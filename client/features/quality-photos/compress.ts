// A photo from the camera or the gallery made small on the device before it is kept: longest side at
// most 1600 px, JPEG, through a canvas (decision 0013: no library, the browser already does it).
import { MAX_PHOTO_BYTES, PHOTO_MAX_SIDE } from '../../../sync/attachments';
import { Rejection } from '../../../sync/store';

export interface Compressed { blob: Blob; width: number; height: number }

const notAPicture = () => new Rejection('validation_failed', 'This file is not a picture the app can read.', [{ field: 'photo', message: 'is not a picture (take a photo or pick a JPEG, PNG or WebP)' }]);

/** The size a picture of `width` × `height` is scaled to (never enlarged). */
export function fitted(width: number, height: number, max = PHOTO_MAX_SIDE): { width: number; height: number } {
  const scale = Math.min(1, max / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

export async function compressPhoto(file: Blob): Promise<Compressed> {
  if (file.type && !file.type.startsWith('image/')) throw notAPicture();
  let bitmap: ImageBitmap;
  try {
    // EXIF orientation applied, so a phone's portrait photo stays upright once the metadata is gone.
    bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch {
    throw notAPicture();
  }
  const { width, height } = fitted(bitmap.width, bitmap.height);
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('This browser cannot draw pictures (no canvas).');
  ctx.fillStyle = '#fff'; // a transparent PNG becomes white, not black, as a JPEG
  ctx.fillRect(0, 0, width, height);
  ctx.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  for (const quality of [0.82, 0.7, 0.55]) {
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', quality));
    if (!blob) break;
    if (blob.size <= MAX_PHOTO_BYTES) return { blob, width, height };
  }
  throw new Rejection('validation_failed', 'This picture stays over 5 MB even made smaller.', [{ field: 'photo', message: 'is too large even made smaller' }]);
}
