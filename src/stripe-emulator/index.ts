// Public entry point of the Stripe emulator: start it, seed it, and point the SDK at it.
export { DEFAULT_PUBLISHABLE_KEY, DEFAULT_SECRET_KEY, stripeClientFor } from './client.js';
export { STATE_FILE_NAME } from './persistence.js';
export { type SeedResult, seedEmulator } from './seed.js';
export { type EmulatorOptions, type RunningEmulator, startEmulator } from './server.js';
