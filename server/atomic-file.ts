import { randomBytes } from 'node:crypto';
import { copyFile, open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';

/**
 * Write a file so that a crash or power cut leaves either the old or the new content, never half of one:
 * write a temporary file beside it, fsync it, keep the current version as `<file>.prev`, rename over, fsync the folder.
 */
export async function writeFileAtomic(file: string, content: string | Buffer, mode = 0o644): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(tmp, 'wx', mode);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await copyFile(file, `${file}.prev`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
  }
  await rename(tmp, file);
  const dirHandle = await open(dir, 'r');
  try {
    await dirHandle.sync();
  } finally {
    await dirHandle.close();
  }
}

/** Put the kept previous version back (a failed apply). */
export async function restorePrevious(file: string): Promise<void> {
  await rename(`${file}.prev`, file);
}
