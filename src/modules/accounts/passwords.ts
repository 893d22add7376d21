import crypto from 'node:crypto';
import { hash, verify, type Algorithm } from '@node-rs/argon2';
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary } from '@zxcvbn-ts/language-common';
import type { MessageRef } from '../../platform/errors';

/** argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane). `Algorithm` is a const enum: 2 = argon2id. */
const ARGON2_OPTIONS = { algorithm: 2 as Algorithm, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export const PASSWORD_MIN_LENGTH = 12;
/** Long passphrases are welcome; the cap only keeps a request from making us hash megabytes. */
export const PASSWORD_MAX_LENGTH = 256;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** How passwords are hashed and checked; injectable so a test can see the work done (not time it). */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(passwordHash: string, password: string): Promise<boolean>;
}

export const argon2Hasher: PasswordHasher = { hash: hashPassword, verify: verifyPassword };

const dummyHashes = new WeakMap<PasswordHasher, Promise<string>>();

/**
 * Does the same work as checking a real password (one verification of a hash made with the same parameters), for
 * unknown emails, so the answer's timing does not tell whether an account exists.
 */
export async function verifyDummyPassword(
  password: string,
  hasher: PasswordHasher = argon2Hasher,
): Promise<false> {
  let dummyHash = dummyHashes.get(hasher);
  if (!dummyHash) {
    dummyHash = hasher.hash(crypto.randomBytes(24).toString('base64url'));
    dummyHashes.set(hasher, dummyHash);
  }
  await hasher.verify(await dummyHash, password);
  return false;
}

// zxcvbn with the shipped offline dictionaries, including the common (breached) passwords list: no network calls.
const zxcvbn = new ZxcvbnFactory({ dictionary: { ...dictionary }, graphs: adjacencyGraphs });
const commonPasswords = new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()));

/** Score below which a password is refused: 3 = "safely unguessable" (about 10^8 guesses and more). */
const MIN_SCORE = 3;

/**
 * Checks a new password against the policy: 12 characters at least, not on the common-passwords list and not
 * easy to guess (zxcvbn score 3 or more, given the user's own name and email as words an attacker would try).
 * Returns the problem's message, or undefined when the password is acceptable.
 */
export function passwordProblem(password: string, userInputs: string[] = []): MessageRef | undefined {
  if ([...password].length < PASSWORD_MIN_LENGTH) {
    return { key: 'accounts:errors.password.tooShort', values: { min: PASSWORD_MIN_LENGTH } };
  }
  if (password.length > PASSWORD_MAX_LENGTH) {
    return { key: 'accounts:errors.password.tooLong', values: { max: PASSWORD_MAX_LENGTH } };
  }
  if (commonPasswords.has(password.toLowerCase())) return { key: 'accounts:errors.password.common' };
  // zxcvbn's cost grows with length; a long passphrase's first 100 characters already tell enough.
  const inputs = userInputs
    .flatMap((input) => [input, ...input.split(/[@\s.]+/)])
    .filter((s) => s.length > 2);
  const result = zxcvbn.check(password.slice(0, 100), inputs);
  if (result.score < MIN_SCORE) return { key: 'accounts:errors.password.guessable' };
  return undefined;
}
