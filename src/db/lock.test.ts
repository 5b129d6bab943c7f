import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DatabaseInUseError, lockDirectory, lockSocketPath } from './lock.js';

describe('lockDirectory', () => {
  const dirs: string[] = [];
  const freshDir = async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tollgate-lock-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  it('refuses a second holder and names the process that has the directory', async () => {
    const dir = await freshDir();
    const lock = await lockDirectory(dir);
    const second = await lockDirectory(dir).catch((err: unknown) => err);
    expect(second).toBeInstanceOf(DatabaseInUseError);
    expect((second as DatabaseInUseError).holder).toContain(`pid ${process.pid}`);
    expect((second as Error).message).toContain('DATABASE_URL');
    await lock.release();
  });

  it('can be taken again once released', async () => {
    const dir = await freshDir();
    await (await lockDirectory(dir)).release();
    const again = await lockDirectory(dir);
    await again.release();
  });

  it('gives different directories different locks', async () => {
    const a = await lockDirectory(await freshDir());
    const b = await lockDirectory(await freshDir());
    await a.release();
    await b.release();
  });

  it.skipIf(process.platform === 'win32')(
    'takes over the socket file a crashed holder left behind',
    async () => {
      const dir = await freshDir();
      // What a killed holder leaves: a file at the socket path with nobody listening.
      await writeFile(lockSocketPath(dir), '');
      const lock = await lockDirectory(dir);
      await lock.release();
    },
  );
});
