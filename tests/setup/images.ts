// Image bytes for the photo suites: a JPEG, PNG and WebP header with a readable size (the server
// sniffs type and size from the bytes and stores them as they are).
export function jpegBytes(width = 1600, height = 1200, padding = 2048): Uint8Array {
  const head = [0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
    0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01];
  const out = new Uint8Array(head.length + padding + 2);
  out.set(head);
  out.set([0xff, 0xd9], head.length + padding);
  return out;
}

export function pngBytes(width = 640, height = 480): Uint8Array {
  const b = new Uint8Array(64);
  b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  new DataView(b.buffer).setUint32(16, width);
  new DataView(b.buffer).setUint32(20, height);
  return b;
}

export function webpBytes(width = 800, height = 600): Uint8Array {
  const b = new Uint8Array(64);
  const enc = new TextEncoder();
  b.set(enc.encode('RIFF'), 0);
  b.set(enc.encode('WEBPVP8X'), 8);
  const w = width - 1, hh = height - 1;
  b.set([w & 0xff, (w >> 8) & 0xff, (w >> 16) & 0xff, hh & 0xff, (hh >> 8) & 0xff, (hh >> 16) & 0xff], 24);
  return b;
}

/** A multipart body for POST /api/attachments. */
export function photoForm(f: { id: string; entity?: string; entityId: string; bytes?: Uint8Array; name?: string; type?: string }): FormData {
  const form = new FormData();
  form.set('id', f.id);
  form.set('entity', f.entity ?? 'rejects');
  form.set('entityId', f.entityId);
  form.set('file', new File([(f.bytes ?? jpegBytes()) as Uint8Array<ArrayBuffer>], f.name ?? 'photo.jpg', { type: f.type ?? 'image/jpeg' }));
  return form;
}

/** A real, decodable PNG of one colour (for the browser suites: the device must draw it to resize it). */
export async function solidPng(width: number, height: number, rgb: [number, number, number] = [200, 60, 40]): Promise<Buffer> {
  const { crc32, deflateSync } = await import('node:zlib');
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const row = Buffer.alloc(1 + width * 3);
  for (let x = 0; x < width; x++) row.set(rgb, 1 + x * 3);
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}
