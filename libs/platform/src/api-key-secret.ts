import { createHash, randomBytes } from 'node:crypto';

/** An API key secret as its creator holds it: shown once, stored and sent only as its hash. */
export interface NewApiKeySecret {
  readonly secret: string;
  readonly secretSha256: string;
  /** What a key list shows of it ("tly_a1b2c3d4"). */
  readonly prefix: string;
}

/** `tly_` and 256 random bits: a plain SHA-256 is enough to store them (no stretching needed). */
export function newApiKeySecret(): NewApiKeySecret {
  const secret = `tly_${randomBytes(32).toString('base64url')}`;
  return { secret, secretSha256: sha256Hex(secret), prefix: secret.slice(0, 12) };
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
