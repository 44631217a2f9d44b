import type { IfMatch } from '../core/customers/customer.service.js';

/** Strong ETags from the customer's version: `"3"`. */
export const etagOf = (version: number) => `"${version}"`;

function entityTags(header: string): string[] {
  return header.split(',').map((t) => t.trim()).filter(Boolean);
}

/**
 * If-Match uses the strong comparison (RFC 9110 §13.1.1): a weak tag never matches, and a
 * tag Patron could not have issued simply matches nothing, so the write gets 412.
 */
export function parseIfMatch(header: string | undefined): IfMatch | undefined {
  if (header === undefined) return undefined;
  const tags = entityTags(header);
  if (tags.includes('*')) return '*';
  return tags.flatMap((tag) => {
    const m = /^"(\d{1,9})"$/.exec(tag);
    return m ? [Number(m[1])] : [];
  });
}

/** If-None-Match uses the weak comparison (RFC 9110 §13.1.2). */
export function matchesIfNoneMatch(header: string | undefined, version: number): boolean {
  if (header === undefined) return false;
  const current = etagOf(version);
  return entityTags(header).some((tag) => tag === '*' || tag.replace(/^W\//, '') === current);
}
