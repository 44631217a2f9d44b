import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Secrets are 256 random bits behind a recognisable prefix (so secret scanners and people
 * can tell what leaked). Only a SHA-256 of the secret is stored: the secret itself has full
 * entropy, so a slow password hash would add latency to every request and no safety.
 */
export function newSecret(prefix: string): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

/** SHA-256, hex. Every authenticated request hashes its token (the key of the verdict cache). */
export function hashSecret(secret: string): string {
  return hash('sha256', secret, 'hex');
}

export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}
