import { describe, expect, it } from 'vitest';
import { passwordReset, verifyEmail } from './account.js';
import { paymentFailed, paymentRecovered, planChanged, subscriptionEnded } from './billing.js';
import { APP_NAME, type MailContent, renderMail } from './layout.js';
import { invitation } from './workspace.js';

const url = 'https://app.example.com/some/link?token=abc&x=1';
const base = {
  workspaceName: 'Acme <script>alert(1)</script>',
  billingUrl: url,
  planLabel: 'Team',
};

const every: Array<[string, MailContent]> = [
  ['password reset', passwordReset({ name: 'Ada', url, expiresInMinutes: 60 })],
  ['verification', verifyEmail({ name: 'Ada', url })],
  ['invitation', invitation({ inviterName: 'Ada', workspaceName: 'Acme', role: 'admin', url })],
  ['payment failed', paymentFailed({ ...base, nextRetry: new Date('2026-12-03T10:00:00Z') })],
  ['payment recovered', paymentRecovered(base)],
  ['subscription canceled', subscriptionEnded({ ...base, scheduled: true, freePlanLabel: 'Free' })],
  ['subscription ended', subscriptionEnded({ ...base, scheduled: false, freePlanLabel: 'Free' })],
  ['plan changed', planChanged({ ...base, plan: 'Pro' })],
];

describe('mail templates', () => {
  it.each(every)(
    'the %s mail has an HTML and a text part, the app name, the link and a footer saying why',
    async (_, content) => {
      const mail = await renderMail(content, 'https://app.example.com');
      expect(mail.subject).toContain(APP_NAME);
      for (const part of [mail.html, mail.text]) {
        expect(part).toContain(APP_NAME);
        expect(part).toContain('You got this email because');
      }
      expect(mail.html.startsWith('<!doctype html>')).toBe(true);
      expect(mail.text).toContain(url);
      expect(mail.html).toContain(`href="${url.replace('&', '&amp;')}"`);
    },
  );

  it('escapes names in the HTML part', async () => {
    const mail = await renderMail(paymentRecovered(base), 'https://app.example.com');
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&lt;script&gt;');
  });

  it('tells the date of the next retry, or that there is none', async () => {
    const soon = paymentFailed({ ...base, nextRetry: new Date('2026-12-03T10:00:00Z') });
    expect(soon.text).toContain('We will try the card again on Dec 3, 2026.');
    expect(paymentFailed({ ...base, nextRetry: null }).text).toContain(
      'No further automatic retry is scheduled.',
    );
  });

  it('names the plan the mail is about from the catalog, never "Pro" for another tier', () => {
    const failed = paymentFailed({ ...base, nextRetry: null });
    const ended = subscriptionEnded({ ...base, scheduled: false, freePlanLabel: 'Hobby' });
    expect(failed.text).toContain('to keep Team');
    expect(ended.text).toContain('The Team subscription of');
    expect(ended.text).toContain('on the Hobby plan now');
    for (const mail of [failed, ended]) expect(mail.text).not.toContain('Pro');
  });
});
