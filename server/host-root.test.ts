import { mkdtemp, mkdir, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { HostPathError, HostRoot } from './host-root';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'hostroot-'));
  await mkdir(path.join(root, 'proc/sys/vm'), { recursive: true });
  await writeFile(path.join(root, 'proc/sys/vm/swappiness'), '10\n');
  await mkdir(path.join(root, 'sys/class'), { recursive: true });
  await symlink('/etc', path.join(root, 'sys/class/escape'));
  await symlink('../../proc/sys/vm', path.join(root, 'sys/class/vm'));
});

describe('host root', () => {
  it('reads host paths under the root', async () => {
    const host = new HostRoot(root);
    expect(await host.readValue('/proc/sys/vm/swappiness')).toBe('10');
    expect(await host.readValue('/sys/class/vm/swappiness')).toBe('10'); // a link that stays inside is fine
    expect(await host.list('/proc/sys/vm')).toEqual(['swappiness']);
  });

  it('treats a missing file as null and a missing folder as empty', async () => {
    const host = new HostRoot(root);
    expect(await host.readOptional('/proc/sys/kernel/osrelease')).toBeNull();
    expect(await host.list('/sys/nothing')).toEqual([]);
  });

  it('refuses relative paths, "..", NUL bytes and links that leave the root', async () => {
    const host = new HostRoot(root);
    expect(() => host.resolve('proc/stat')).toThrow(HostPathError);
    expect(() => host.resolve('/proc/../../etc/passwd')).toThrow(/\.\./);
    expect(() => host.resolve('/proc/x\0y')).toThrow(/NUL/);
    await expect(host.read('/sys/class/escape/hostname')).rejects.toThrow(/outside the host root/);
    await expect(host.readOptional('/sys/class/escape/hostname')).rejects.toThrow(HostPathError);
  });

  it('is the identity on the real root', () => {
    expect(new HostRoot('/').resolve('/proc/stat')).toBe('/proc/stat');
  });
});
