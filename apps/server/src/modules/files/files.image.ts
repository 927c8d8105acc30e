import exifr from 'exifr';
import sharp from 'sharp';
import { AppError } from '../../platform/errors.js';

// Images as uploaded: the type is read from the first bytes (never the name or the declared type),
// the GPS position from EXIF, then the image is re-encoded without any metadata, with a thumbnail.

export const ALLOWED_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export type ImageType = (typeof ALLOWED_TYPES)[number];
export const THUMBNAIL_PX = 320;
/** A decompression bomb (a small file that decodes to gigabytes) is refused: 60 megapixels is above any phone camera. */
const MAX_PIXELS = 60_000_000;

export function sniffImageType(b: Buffer): ImageType | null {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length >= 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
  return null;
}

export interface ProcessedImage {
  mime: ImageType;
  bytes: Buffer;
  width: number;
  height: number;
  thumbnail: Buffer;
  gps: { lng: number; lat: number } | null;
}

/** The GPS position in an EXIF block (as sharp hands it over: "Exif\0\0" and a TIFF structure). */
async function gpsOf(exif: Buffer | undefined): Promise<{ lng: number; lat: number } | null> {
  if (!exif || exif.length < 8) return null;
  const tiff = exif.toString('latin1', 0, 6) === 'Exif\0\0' ? exif.subarray(6) : exif;
  try {
    const gps = await exifr.gps(tiff);
    const { longitude: lng, latitude: lat } = gps ?? {};
    if (typeof lng !== 'number' || typeof lat !== 'number' || !Number.isFinite(lng) || !Number.isFinite(lat)) return null;
    if (Math.abs(lng) > 180 || Math.abs(lat) > 90 || (lng === 0 && lat === 0)) return null;
    return { lng: Math.round(lng * 1e7) / 1e7, lat: Math.round(lat * 1e7) / 1e7 };
  } catch {
    return null; // a broken EXIF block is no reason to refuse the photo
  }
}

export async function processImage(input: Buffer): Promise<ProcessedImage> {
  const mime = sniffImageType(input);
  if (!mime) throw new AppError('FILE_TYPE_NOT_ALLOWED', { allowed: 'JPEG, PNG, WebP' });
  try {
    const meta = await sharp(input, { limitInputPixels: MAX_PIXELS }).metadata();
    const gps = await gpsOf(meta.exif);
    // rotate() applies the EXIF orientation; sharp writes no metadata unless asked (withMetadata)
    const base = sharp(input, { failOn: 'error', limitInputPixels: MAX_PIXELS }).rotate();
    const encoded = mime === 'image/jpeg' ? base.jpeg({ quality: 88, mozjpeg: true }) : mime === 'image/png' ? base.png() : base.webp({ quality: 88 });
    const { data: bytes, info } = await encoded.toBuffer({ resolveWithObject: true });
    const thumbnail = await sharp(bytes)
      .resize(THUMBNAIL_PX, THUMBNAIL_PX, { fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 80 })
      .toBuffer();
    return { mime, bytes, width: info.width, height: info.height, thumbnail, gps };
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw new AppError('FILE_IMAGE_UNREADABLE');
  }
}
