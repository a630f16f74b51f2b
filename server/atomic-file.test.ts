import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { restorePrevious, writeFileAtomic } from './atomic-file';

describe('atomic file writes', () => {
  it('writes a new file, keeps the previous version, and restores it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'atomic-'));
    const file = path.join(dir, 'config.toml');
    await writeFileAtomic(file, 'v1');
    expect(await readFile(file, 'utf8')).toBe('v1');
    await writeFileAtomic(file, 'v2');
    expect(await readFile(file, 'utf8')).toBe('v2');
    expect(await readFile(`${file}.prev`, 'utf8')).toBe('v1');
    await restorePrevious(file);
    expect(await readFile(file, 'utf8')).toBe('v1');
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('leaves the old file untouched when the folder is gone', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'atomic-'));
    await writeFile(path.join(dir, 'keep'), 'old');
    await expect(writeFileAtomic(path.join(dir, 'missing', 'x'), 'new')).rejects.toThrow(/ENOENT/);
    expect(await readFile(path.join(dir, 'keep'), 'utf8')).toBe('old');
  });
});
