import sharp from 'sharp';

// Test images: a JPEG carrying an EXIF APP1 block with a GPS position, built byte by byte, and
// multipart bodies for app.inject.

function rational(buf: Buffer, at: number, values: [number, number][]) {
  values.forEach(([n, d], i) => {
    buf.writeUInt32LE(n, at + i * 8);
    buf.writeUInt32LE(d, at + i * 8 + 4);
  });
}

/** A little-endian TIFF structure: IFD0 (Make, GPS pointer) and a GPS IFD with latitude and longitude. */
export function exifGps(lat: [number, number][], lng: [number, number][]): Buffer {
  const t = Buffer.alloc(160);
  t.write('II', 0, 'latin1');
  t.writeUInt16LE(42, 2);
  t.writeUInt32LE(8, 4);
  // IFD0 at 8: two entries (Make → 140, GPS IFD pointer → 38)
  t.writeUInt16LE(2, 8);
  const entry = (at: number, tag: number, type: number, count: number, value: number | string) => {
    t.writeUInt16LE(tag, at);
    t.writeUInt16LE(type, at + 2);
    t.writeUInt32LE(count, at + 4);
    if (typeof value === 'string') t.write(value, at + 8, 'latin1');
    else t.writeUInt32LE(value, at + 8);
  };
  entry(10, 0x010f, 2, 14, 140); // Make
  entry(22, 0x8825, 4, 1, 38); // GPS IFD
  t.writeUInt32LE(0, 34);
  // GPS IFD at 38: four entries, values at 92 and 116
  t.writeUInt16LE(4, 38);
  entry(40, 1, 2, 2, 'N\0');
  entry(52, 2, 5, 3, 92);
  entry(64, 3, 2, 2, 'E\0');
  entry(76, 4, 5, 3, 116);
  t.writeUInt32LE(0, 88);
  rational(t, 92, lat);
  rational(t, 116, lng);
  t.write('SecretCamera\0\0', 140, 'latin1');
  return t;
}

/** A real JPEG (sharp) with an APP1 Exif segment inserted after SOI. */
export async function jpegWithGps(): Promise<Buffer> {
  const jpeg = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 200, g: 120, b: 40 } } }).jpeg().toBuffer();
  // 22°33'36" N, 114°7'18" E = 22.56, 114.121667
  const tiff = exifGps([[22, 1], [33, 1], [3600, 100]], [[114, 1], [7, 1], [1800, 100]]);
  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const header = Buffer.from([0xff, 0xe1, 0, 0]);
  header.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), header, payload, jpeg.subarray(2)]);
}

export function multipart(field: string, filename: string, contentType: string, bytes: Buffer) {
  const boundary = `----tongxin${Date.now().toString(16)}`;
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: ${contentType}\r\n\r\n`),
    bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload: body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}
