import { describe, expect, it } from 'vitest';
import { KeyedMutex } from './keyed-mutex.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('KeyedMutex', () => {
  it('runs work for the same key one at a time, in arrival order', async () => {
    const mutex = new KeyedMutex();
    const log: string[] = [];
    const job = (name: string, ms: number) =>
      mutex.run('k', async () => {
        log.push(`start ${name}`);
        await tick(ms);
        log.push(`end ${name}`);
        return name;
      });
    const results = await Promise.all([job('a', 20), job('b', 1), job('c', 1)]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('lets different keys run at the same time, and a failure does not block the next', async () => {
    const mutex = new KeyedMutex();
    const log: string[] = [];
    const slow = mutex.run('x', async () => {
      await tick(20);
      log.push('x');
    });
    await mutex.run('y', async () => {
      log.push('y');
    });
    await slow;
    expect(log).toEqual(['y', 'x']);
    await expect(mutex.run('x', async () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    );
    await expect(mutex.run('x', async () => 'after')).resolves.toBe('after');
  });
});
