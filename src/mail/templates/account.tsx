// Account messages: password reset and address verification (Better Auth makes the tokens).
import { Button, FullLink, type MailContent } from './layout.js';

export function passwordReset(opts: {
  name: string;
  url: string;
  expiresInMinutes: number;
}): MailContent {
  return {
    subject: 'Reset your password',
    body: (
      <div>
        <p>Hi {opts.name},</p>
        <p>Someone (hopefully you) asked to reset the password of your account.</p>
        <Button href={opts.url} label="Choose a new password" />
        <FullLink href={opts.url} />
        <p>
          The link works once and expires in {opts.expiresInMinutes} minutes. If you did not ask,
          ignore this message: your password stays as it is.
        </p>
      </div>
    ),
    text: `Hi ${opts.name},

Someone (hopefully you) asked to reset the password of your account.
Choose a new password here:

${opts.url}

The link works once and expires in ${opts.expiresInMinutes} minutes. If you did not ask, ignore this message: your password stays as it is.`,
    reason: 'You got this email because a password reset was requested for your account.',
  };
}

export function verifyEmail(opts: { name: string; url: string }): MailContent {
  return {
    subject: 'Confirm your email address',
    body: (
      <div>
        <p>Hi {opts.name},</p>
        <p>Confirm that this address is yours to finish setting up your account.</p>
        <Button href={opts.url} label="Confirm my address" />
        <FullLink href={opts.url} />
        <p>Until you do, you can sign in, but not join workspaces or manage billing.</p>
      </div>
    ),
    text: `Hi ${opts.name},

Confirm that this address is yours to finish setting up your account:

${opts.url}

Until you do, you can sign in, but not join workspaces or manage billing.`,
    reason:
      'You got this email because this address was used to sign up or given as a new account address.',
  };
}

/** To the owner of an address someone tried to sign up with (the sign-up answered as usual). */
export function signUpAttempt(opts: {
  name: string;
  loginUrl: string;
  resetUrl: string;
}): MailContent {
  return {
    subject: 'Someone tried to sign up with your address',
    body: (
      <div>
        <p>Hi {opts.name},</p>
        <p>
          Someone tried to create a Tollgate account with this address, which already has one. No
          new account was made and nothing changed.
        </p>
        <Button href={opts.loginUrl} label="Sign in" />
        <p>
          Forgot your password? <a href={opts.resetUrl}>Choose a new one</a>. If it was not you, you
          need not do anything.
        </p>
      </div>
    ),
    text: `Hi ${opts.name},

Someone tried to create a Tollgate account with this address, which already has one. No new account was made and nothing changed.

Sign in: ${opts.loginUrl}
Forgot your password? ${opts.resetUrl}

If it was not you, you need not do anything.`,
    reason: 'You got this email because someone tried to sign up with this address.',
  };
}
