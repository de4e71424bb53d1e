import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const SECRET = /^tly_(key_[a-z0-9]{16})_([A-Za-z0-9_-]{32,})$/;

/** A new API key: its id and the secret shown once ("tly_<key id>_<random>"). */
export function newApiKey(): { apiKeyId: string; secret: string } {
  const apiKeyId = `key_${randomBytes(8).toString('hex')}`;
  return { apiKeyId, secret: `tly_${apiKeyId}_${randomBytes(24).toString('base64url')}` };
}

/** Secrets are 192 random bits, so a plain SHA-256 is enough to store them (no password stretching needed). */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function apiKeyIdOf(secret: string): string | null {
  return SECRET.exec(secret)?.[1] ?? null;
}

export function secretMatches(secret: string, storedHash: string): boolean {
  const given = Buffer.from(hashSecret(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
}
