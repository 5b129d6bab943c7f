// Verified addresses over real SMTP (EMAIL_VERIFICATION=required): the sign-up mail, an
// invitation mailed to the invitee, acceptance refused until the link is opened (the page says
// so and offers "resend"), billing closed to an unverified admin, and a change of address that
// must be verified again. `optional` still sends the mail and shows the address as unverified.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { location, type TestClient } from '../support/client.js';
import { DB_KINDS } from '../support/databases.js';
import { setPlanForTest } from '../support/plans.js';
import { invitationTokenIn, landingPage } from '../support/workspaces.js';
import { linkIn, mailsTo, waitForMail } from './support.js';

let n = 0;
const freshEmail = (who: string) => `${who}.${++n}.${Date.now()}@example.com`;

async function signUpOnWeb(t: TestApp, name: string, email: string, next = '/dashboard') {
  const client = t.client();
  const res = await client.postForm(`/signup?next=${encodeURIComponent(next)}`, {
    name,
    email,
    password: 'correct horse battery',
  });
  expect(res.status).toBe(303);
  return client;
}

describe.each(DB_KINDS)('email verification, required (%s)', (kind) => {
  let t: TestApp;
  let admin: TestClient;
  let wsId: string;

  beforeAll(async () => {
    t = await createTestApp(kind, { EMAIL_VERIFICATION: 'required' }, undefined, {
      jobs: { pollMs: 50 },
    });
    admin = await t.signUp('Inviter');
    wsId = (await admin.firstWorkspace()).id;
    // Several invitations below: more than the Free plan's 3 members allow.
    await setPlanForTest(t, wsId, 'team');
  });
  afterAll(() => t.close());

  it('an invitation reaches the invitee by mail, and the admin still sees the link once', async () => {
    const email = freshEmail('mailed');
    const res = await admin.postForm(`/workspace/${wsId}/invitations`, { email, role: 'member' });
    const token = invitationTokenIn(await landingPage(admin, res));
    const mail = await waitForMail(t, email, { subject: 'You are invited to a workspace' });
    // A fixed subject: the inviter's and the workspace's names are in the body only.
    expect(mail.subject).not.toContain('Inviter');
    expect(mail.text).toContain('because Inviter invited this address');
    expect(linkIn(mail, '/invitations/')).toBe(`/invitations/${token}`);
  });

  it('an unverified invitee cannot accept; after opening the mailed link they can', async () => {
    const email = freshEmail('invitee');
    const created = await admin.postForm(`/workspace/${wsId}/invitations`, {
      email,
      role: 'member',
    });
    const token = invitationTokenIn(await landingPage(admin, created));

    const invitee = await signUpOnWeb(t, 'Invitee', email, `/invitations/${token}`);
    const first = await waitForMail(t, email, { subject: 'Confirm your email address' });
    expect(first.text).toContain('because this address was used to sign up');

    const page = await (await invitee.get(`/invitations/${token}`)).text();
    expect(page).toContain('Confirm your address first');
    expect(page).toContain('data-verify-banner');
    expect(page).toContain('action="/account/verify/resend"');
    const refused = await invitee.postForm(`/invitations/${token}/accept`);
    expect(refused.status).toBe(403);
    const refusal = await refused.text();
    expect(refusal).toContain('Confirm your email address before you accept an invitation');
    expect(refusal).toContain('Resend the verification email');
    const api = await invitee.json('POST', `/api/invitations/${token}/accept`);
    expect(api.status).toBe(403);

    // "Resend" mails a fresh link.
    const resent = await invitee.postForm('/account/verify/resend');
    expect(resent.status).toBe(303);
    const second = await waitForMail(t, email, { subject: 'Confirm your email address', count: 2 });

    const verify = await invitee.get(linkIn(second, '/api/auth/verify-email'));
    expect(verify.status).toBe(302);
    expect(location(verify)).toBe('/account/verified?next=%2Faccount');
    const landed = await invitee.get(location(verify));
    expect(location(landed)).toBe('/account');
    const account = await (await invitee.get('/account')).text();
    expect(account).toContain('verified</span>');
    // A toast says so, and the banner of an unconfirmed address is gone.
    expect(account).toContain(`Your email address is confirmed: ${email}.`);
    expect(account).not.toContain('data-verify-banner');

    const accepted = await invitee.postForm(`/invitations/${token}/accept`);
    expect(accepted.status).toBe(303);
    expect(location(accepted)).toBe(`/workspace/${wsId}/settings`);
  });

  it('the verification link of a sign-up from an invitation lands back on the invitation', async () => {
    const email = freshEmail('roundtrip');
    const created = await admin.postForm(`/workspace/${wsId}/invitations`, {
      email,
      role: 'member',
    });
    const token = invitationTokenIn(await landingPage(admin, created));
    const invitee = await signUpOnWeb(t, 'Roundtrip', email, `/invitations/${token}`);
    const mail = await waitForMail(t, email, { subject: 'Confirm your email address' });
    const verify = await invitee.get(linkIn(mail, '/api/auth/verify-email'));
    expect(verify.status).toBe(302);
    expect(location(verify)).toBe(
      `/account/verified?next=${encodeURIComponent(`/invitations/${token}`)}`,
    );
    const landed = await invitee.get(location(verify));
    expect(location(landed)).toBe(`/invitations/${token}`);
    const page = await (await invitee.get(location(landed))).text();
    expect(page).toContain('Your email address is confirmed');
    expect(page).toContain(`action="/invitations/${token}/accept"`);
  });

  it('a verified user whose address differs from the invitation still cannot accept it', async () => {
    const created = await admin.postForm(`/workspace/${wsId}/invitations`, {
      email: freshEmail('someone.else'),
      role: 'member',
    });
    const token = invitationTokenIn(await landingPage(admin, created));
    const email = freshEmail('other');
    const other = await signUpOnWeb(t, 'Other', email);
    await other.get(linkIn(await waitForMail(t, email), '/api/auth/verify-email'));
    expect((await other.postForm(`/invitations/${token}/accept`)).status).toBe(403);
  });

  it('an unverified admin cannot manage billing, on the web or through the API', async () => {
    const email = freshEmail('unverified.admin');
    const owner = await signUpOnWeb(t, 'Owner', email);
    const ws = (await owner.firstWorkspace()).id;
    const upgrade = await owner.postForm(`/workspace/${ws}/upgrade/`);
    expect(upgrade.status).toBe(403);
    expect(await upgrade.text()).toContain('before you manage billing');
    expect((await owner.get(`/workspace/${ws}/billing/`)).status).toBe(403);
    const api = await owner.json('POST', `/api/workspaces/${ws}/billing/checkout`, {});
    expect(api.status).toBe(403);
    expect(((await api.json()) as { reason: string }).reason).toBe('email_unverified');
  });

  it('changing the address sends a link to the new one, which must be opened to take effect', async () => {
    const email = freshEmail('mover');
    const mover = await signUpOnWeb(t, 'Mover', email);
    await mover.get(linkIn(await waitForMail(t, email), '/api/auth/verify-email'));
    const newEmail = freshEmail('moved');
    const res = await mover.postForm('/account/email', {
      email: newEmail,
      password: 'correct horse battery',
    });
    expect(res.status).toBe(303);
    const mail = await waitForMail(t, newEmail, { subject: 'Confirm your email address' });
    const verify = await mover.get(linkIn(mail, '/api/auth/verify-email'));
    expect(verify.status).toBe(302);
    const account = await (await mover.get('/account')).text();
    expect(account).toContain(newEmail);
    expect(account).toContain('verified</span>');
  });

  it('a bad address on the change form goes back to the form, marked invalid, with what was typed', async () => {
    const mover = await t.signUp('Typo');
    const res = await mover.postForm('/account/email', {
      email: 'nope',
      password: 'correct horse battery',
    });
    expect(res.status).toBe(303);
    expect(location(res)).toBe('/account#email');
    const html = await landingPage(mover, res);
    expect(html).toMatch(/<input id="new-email"[^>]*aria-invalid="true"/);
    expect(html).toMatch(/<input id="new-email"[^>]*value="nope"/);
  });
});

describe.each(DB_KINDS)('email verification, optional (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, { EMAIL_VERIFICATION: 'optional' }, undefined, {
      jobs: { pollMs: 50 },
    });
  });
  afterAll(() => t.close());

  it('still sends the mail, shows the address as unverified, and lets the user accept', async () => {
    const admin = await t.signUp('Relaxed admin');
    const wsId = (await admin.firstWorkspace()).id;
    const email = freshEmail('relaxed');
    const created = await admin.postForm(`/workspace/${wsId}/invitations`, {
      email,
      role: 'member',
    });
    const token = invitationTokenIn(await landingPage(admin, created));
    const invitee = await signUpOnWeb(t, 'Relaxed', email);
    await waitForMail(t, email, { subject: 'Confirm your email address' });
    expect(await mailsTo(t, email, 'invited to a workspace')).toHaveLength(1);
    const account = await (await invitee.get('/account')).text();
    expect(account).toContain('unverified</span>');
    expect(account).toContain('Resend the verification email');
    expect(account).toContain('Open it to confirm');
    expect((await invitee.postForm(`/invitations/${token}/accept`)).status).toBe(303);
  });
});
