/**
 * The placeholder picture for clients without an avatar (product §11.6.1; the REST API links to
 * `/static/avatar-placeholder.png`): a grey disc with a light head-and-shoulders silhouette,
 * drawn in code into a small RGBA PNG so the server ships no binary file.
 */
import zlib from 'node:zlib';

export const AVATAR_SIZE = 64;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** Encodes straight RGBA rows as a PNG (colour type 6, 8 bits, no interlace). */
export function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  const rows = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    rows[y * (width * 4 + 1)] = 0; // filter: none
    Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(rows, y * (width * 4 + 1) + 1);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(rows, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

/** Draws the placeholder: 4×4 supersampling for smooth edges. */
export function drawAvatarPlaceholder(size = AVATAR_SIZE): Buffer {
  const disc = [0x9a, 0xa0, 0xa6];
  const figure = [0xf1, 0xf3, 0xf4];
  const rgba = new Uint8Array(size * size * 4);
  const r = size / 2;
  const samples = 4;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let inDisc = 0;
      let inFigure = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          // Coordinates relative to the centre, in units of the radius.
          const px = (x + (sx + 0.5) / samples - r) / r;
          const py = (y + (sy + 0.5) / samples - r) / r;
          if (px * px + py * py > 1) continue;
          inDisc++;
          const head = px * px + (py + 0.22) ** 2 <= 0.3 ** 2;
          const shoulders = py >= 0.2 && (px * px) / 0.62 ** 2 + ((py - 0.78) ** 2) / 0.56 ** 2 <= 1;
          if (head || shoulders) inFigure++;
        }
      }
      const i = (y * size + x) * 4;
      const total = samples * samples;
      if (inDisc === 0) continue;
      const f = inFigure / inDisc;
      for (let c = 0; c < 3; c++) rgba[i + c] = Math.round(disc[c] * (1 - f) + figure[c] * f);
      rgba[i + 3] = Math.round((255 * inDisc) / total);
    }
  }
  return encodePng(size, size, rgba);
}

let cached: Buffer | null = null;
export function avatarPlaceholderPng(): Buffer {
  cached ??= drawAvatarPlaceholder();
  return cached;
}
