// Public entry point of the Stripe emulator: start it, seed it, point the SDK at it, and drive it
// through its control API. Test helpers (webhook receiver, waitFor) are in `./testing`.
export { DEFAULT_PUBLISHABLE_KEY, DEFAULT_SECRET_KEY, stripeClientFor } from './client.js';
export { type ControlClient, controlClient } from './control-client.js';
export { STATE_FILE_NAME } from './persistence.js';
export { type SeedResult, seedEmulator } from './seed.js';
export { type EmulatorOptions, type RunningEmulator, startEmulator } from './server.js';
