import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

// Where file bytes live. Content-addressed: the key is the sha256 of the bytes, so the same photo
// uploaded twice is stored once. The local store keeps them under ${dataDir}/files, never under a
// web root: they are served only through the access check of GET /api/files/:id.

export interface FileStore {
  /** Stores the bytes (if not already there) and answers their key. */
  put(bytes: Buffer): Promise<string>;
  /** The bytes of a key, or null when they are missing. */
  get(key: string): Promise<Buffer | null>;
  /** Removes the bytes of a key (nothing happens when they are missing). */
  delete(key: string): Promise<void>;
}

const KEY = /^[0-9a-f]{64}$/;

export const sha256Hex = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

export class LocalFileStore implements FileStore {
  constructor(private readonly root: string) {}

  private pathOf(key: string): string {
    if (!KEY.test(key)) throw new Error(`bad file key ${key}`);
    return join(this.root, key.slice(0, 2), key.slice(2, 4), key);
  }

  async put(bytes: Buffer): Promise<string> {
    const key = sha256Hex(bytes);
    const path = this.pathOf(key);
    if (await stat(path).then(() => true, () => false)) return key;
    await mkdir(join(this.root, key.slice(0, 2), key.slice(2, 4)), { recursive: true, mode: 0o750 });
    // write aside, then rename: a reader never sees half a file
    const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(tmp, bytes, { mode: 0o640 });
    await rename(tmp, path);
    return key;
  }

  async get(key: string): Promise<Buffer | null> {
    try {
      return await readFile(this.pathOf(key));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await unlink(this.pathOf(key));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
}

export const localFileStore = (dataDir: string): FileStore => new LocalFileStore(join(dataDir, 'files'));
