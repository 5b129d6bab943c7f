// Runs before `npm test`: makes sure what the tests need is on this machine, and says
// exactly what to do when it is not. Chromium comes from Debian's package, never a download.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(chromium)) {
  const canInstall = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
  if (canInstall) {
    console.log(
      `Chromium not found at ${chromium}: installing Debian's chromium package for the browser tests...`,
    );
    execSync(
      'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium',
      {
        stdio: 'inherit',
        shell: '/bin/bash',
      },
    );
  }
  if (!existsSync(chromium)) {
    console.error(
      `\nThe browser tests need Chromium at ${chromium}.\n` +
        'Install it with `sudo apt-get install -y chromium` (Debian/Ubuntu) or set CHROMIUM_PATH.\n',
    );
    process.exit(1);
  }
}
if (!process.env.TEST_DATABASE_URL) {
  console.log(
    'Note: TEST_DATABASE_URL is not set, so the integration tests run on PGlite only.\n' +
      '      For PostgreSQL too: TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm test\n',
  );
}
