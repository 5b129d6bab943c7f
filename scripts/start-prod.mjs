// `npm run start:prod`: the compiled app (`npm run build`) in production mode. NODE_ENV unset is
// set to production here; any other value is refused, so this command can never quietly start a
// development server (the emulator, the embedded mailbox, a default secret).
const env = process.env.NODE_ENV;
if (env && env !== 'production') {
  console.error(
    `\nnpm run start:prod runs production only, but NODE_ENV is "${env}". Unset it (or set it to production), or use \`npm start\` for development.\n`,
  );
  process.exit(1);
}
process.env.NODE_ENV = 'production';
try {
  await import('../dist/server.js');
} catch (err) {
  if (err?.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/server.js')) {
    console.error('\nThere is no compiled app in dist/: run `npm run build` first.\n');
    process.exit(1);
  }
  throw err;
}
