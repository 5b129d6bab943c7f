// Model-based lifecycle tests: random sequences of what people and the world do to one
// workspace's billing (test/billing/lifecycle-model.ts), run against the emulator and the real
// app; after every step the money, the one state and the audit log are checked. CI runs a fixed
// seed at a small size; `npm run test:lifecycles -- --runs N` runs longer and prints any
// failure's shrunk counterexample (the command list fast-check reports).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { readJson } from '../support/client.js';
import { DB_KINDS } from '../support/databases.js';
import { addMember } from '../support/workspaces.js';
import { sessionIdIn } from './flows.js';
import { commandArbitraries, type Model, type Paid, type Real } from './lifecycle-model.js';
import { pay, settle } from './support.js';

const RUNS = Number(process.env.LIFECYCLE_RUNS ?? 6);
const SEED = process.env.LIFECYCLE_SEED ? Number(process.env.LIFECYCLE_SEED) : 32;
const MAX_COMMANDS = Number(process.env.LIFECYCLE_MAX_COMMANDS ?? 6);
// The old app (before issue 23) has no in-app cancel and no billing state: check money only.
const FULL = process.env.LIFECYCLE_MONEY_ONLY !== '1';

describe.each(DB_KINDS)('billing lifecycles, model-based (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, { SEAT_SYNC_DEBOUNCE_MS: '50' }, {});
  });
  afterAll(() => t.close());

  it(
    'charges exactly right and states one future after every step of any sequence',
    async () => {
      // Where a workspace starts: its size, and Free or a paid plan bought at Checkout.
      const start = fc.record({
        members: fc.integer({ min: 1, max: 3 }),
        plan: fc.constantFrom<Paid | null>(null, 'pro', 'team'),
      });
      await fc.assert(
        fc.asyncProperty(
          start,
          fc.commands(commandArbitraries(FULL), { maxCommands: MAX_COMMANDS }),
          async (begin, cmds) => {
            const admin = await t.signUp('Model Admin');
            const workspaceId = (await admin.firstWorkspace()).id;
            const real: Real = {
              t,
              admin,
              adminId: admin.user!.id,
              workspaceId,
              joined: [],
              full: FULL,
            };
            for (let i = 1; i < begin.members; i += 1)
              real.joined.push(await addMember(t, admin, workspaceId));
            const model: Model = { members: begin.members, sub: null, cardFails: false };
            if (begin.plan) {
              const res = await admin.json(
                'POST',
                `/api/workspaces/${workspaceId}/billing/checkout`,
                { priceId: `${begin.plan}_monthly` },
              );
              await pay(t, sessionIdIn((await readJson<{ url: string }>(res)).url));
              await settle(t, 60_000);
              model.sub = { plan: begin.plan, cancel: false, scheduled: null, failing: false };
            }
            await fc.asyncModelRun(() => ({ model, real }), cmds);
          },
        ),
        { numRuns: RUNS, seed: SEED, endOnFailure: process.env.LIFECYCLE_SHRINK !== '1' },
      );
    },
    Number(process.env.LIFECYCLE_TIMEOUT_MS ?? 170_000),
  );
});
