// The user fields Better Auth writes (name, email, image), checked as our own inputs are: at the
// edge (src/auth/json-gate.ts) and again in Better Auth's database hooks (src/auth/auth.ts).
import { z } from 'zod';
import { emailField, hasControlCharacters, nameField } from '../lib/input.js';

export const MAX_IMAGE_URL_LENGTH = 2048;

/** A profile picture: an https URL of at most 2,048 characters, or null (none). */
export const imageField = z
  .string({ error: 'image must be an https URL or null' })
  .max(MAX_IMAGE_URL_LENGTH, `image has at most ${MAX_IMAGE_URL_LENGTH} characters`)
  .refine((v) => !hasControlCharacters(v), 'image cannot contain control characters')
  .refine((v) => {
    try {
      return new URL(v).protocol === 'https:';
    } catch {
      return false;
    }
  }, 'image must be an https URL')
  .nullable();

export const userNameField = nameField('Your name', 'Enter your name');

/** Better Auth's POST /update-user: only these fields, each checked. */
export const UpdateUserBody = z
  .object({ name: userNameField.optional(), image: imageField.optional() })
  .strict();

export const UserFields = z.object({
  name: userNameField.optional(),
  email: emailField.optional(),
  image: imageField.optional(),
});
