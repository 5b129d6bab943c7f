// The outbox over real SMTP: an outage of the relay delays mail and loses none, and two
// instances on one PostgreSQL database deliver each message exactly once.
import { eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobs } from '../../src/jobs/schema.js';
import { mailboxMessages, mailOutbox } from '../../src/mail/schema.js';
import { passwordReset } from '../../src/mail/templates/account.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { DB_KINDS } from '../support/databases.js';

const message = (to: string) => ({
  kind: 'password_reset' as const,
  to,
  content: passwordReset({ name: 'Test', url: 'http://localhost:3000/x', expiresInMinutes: 60 }),
});

async function until(check: () => Promise<boolean>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const received = async (t: TestApp, to: string[]) =>
  t.database.db
    .select({ to: mailboxMessages.toAddress, messageId: mailboxMessages.messageId })
    .from(mailboxMessages)
    .where(inArray(mailboxMessages.toAddress, to));

describe.each(DB_KINDS)('mail outbox (%s)', (kind) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp(kind, {}, undefined, {
      // Few, quick attempts, so the test also covers the runner running out of them.
      jobs: { pollMs: 50, backoffBaseMs: 50, backoffMaxMs: 200, maxAttempts: 3 },
      mailRetryEveryMs: 300,
    });
  });
  afterAll(() => t.close());

  it('an SMTP outage delays mail and loses none: every message arrives once the server is back', async () => {
    await t.mailbox.stop();
    const to = Array.from({ length: 5 }, (_, i) => `outage.${i}.${Date.now()}@example.com`);
    for (const address of to) await t.mail.send(message(address));

    // Long enough to exhaust the runner's attempts: the mail must still be waiting, not dropped.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await received(t, to)).toHaveLength(0);
    const waiting = await t.database.db
      .select()
      .from(mailOutbox)
      .where(inArray(mailOutbox.toAddress, to));
    expect(waiting).toHaveLength(5);
    for (const row of waiting) {
      expect(row.sentAt).toBeNull();
      expect(row.failedAt).toBeNull();
      expect(row.lastError).toBeTruthy();
    }

    await t.mailbox.start();
    await until(async () => (await received(t, to)).length >= 5);
    await new Promise((r) => setTimeout(r, 300));
    const arrived = await received(t, to);
    expect(arrived.map((m) => m.to).sort()).toEqual([...to].sort());

    const sent = await t.database.db
      .select()
      .from(mailOutbox)
      .where(inArray(mailOutbox.toAddress, to));
    for (const row of sent) {
      expect(row.sentAt).not.toBeNull();
      // One-time links do not stay in the database once delivered.
      expect(row.html).toBe('');
      expect(row.text).toBe('');
      expect(arrived.find((m) => m.to === row.toAddress)?.messageId).toBe(row.messageId);
    }
    // A delivered message leaves no job behind.
    const left = await t.database.db
      .select()
      .from(jobs)
      .where(
        inArray(
          jobs.key,
          sent.map((r) => r.id),
        ),
      );
    expect(left).toHaveLength(0);
  });

  it('a message is queued only with the transaction that asks for it', async () => {
    const to = `rolled.back.${Date.now()}@example.com`;
    await expect(
      t.database.db.transaction(async (tx) => {
        await t.mail.queue(tx, message(to));
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(
      await t.database.db.select().from(mailOutbox).where(eq(mailOutbox.toAddress, to)),
    ).toHaveLength(0);
  });

  it('the same dedupe key queues one message, however often it is asked for', async () => {
    const to = `dedupe.${Date.now()}@example.com`;
    const ids = await Promise.all(
      [1, 2, 3].map(() => t.mail.send({ ...message(to), dedupeKey: `test:${to}` })),
    );
    expect(ids.filter(Boolean)).toHaveLength(1);
    await until(async () => (await received(t, [to])).length >= 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(await received(t, [to])).toHaveLength(1);
  });
});

describe.skipIf(!DB_KINDS.includes('postgres'))('mail outbox, two instances (postgres)', () => {
  let a: TestApp;
  let b: TestApp;
  const runner = { pollMs: 20, concurrency: 4 };

  beforeAll(async () => {
    a = await createTestApp('postgres', {}, undefined, { jobs: runner });
    b = await createTestApp('postgres', {}, undefined, { jobs: runner, shareDatabaseWith: a });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('two instances on one database deliver each of many messages exactly once', async () => {
    const to = Array.from({ length: 40 }, (_, i) => `twice.${i}.${Date.now()}@example.com`);
    await a.database.db.transaction(async (tx) => {
      for (const address of to) await a.mail.queue(tx, message(address));
    });
    a.mail.notify();
    b.mail.notify();
    await until(async () => (await received(a, to)).length >= to.length);
    await new Promise((r) => setTimeout(r, 500));
    const arrived = await received(a, to);
    expect(arrived).toHaveLength(to.length);
    expect(new Set(arrived.map((m) => m.messageId)).size).toBe(to.length);
    const [unsent] = (
      (await a.database.db.execute(
        sql`select count(*)::int as n from mail_outbox where sent_at is null`,
      )) as unknown as { rows: { n: number }[] }
    ).rows;
    expect(Number(unsent!.n)).toBe(0);
  });
});
