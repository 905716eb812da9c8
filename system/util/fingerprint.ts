/**
 * A non-cryptographic fingerprint of a string: 64-bit FNV-1a over its UTF-8 bytes, as 16 hex digits.
 *
 * For values that only need to be deterministic and well spread (the simulated agent's states and
 * payloads), not unguessable. Why not node:crypto's sha256: loading node:crypto costs a worker
 * ~0.75 MiB of RSS on top of node:http (system/worker/README.md "Memory"), and nothing else a
 * worker does needs it. FNV-1a: http://www.isthe.com/chongo/tech/comp/fnv/ (offset basis
 * 14695981039346656037, prime 1099511628211).
 */

const OFFSET_BASIS = 0xcbf29ce484222325n;
const PRIME = 0x100000001b3n;
const MASK_64 = 0xffffffffffffffffn;

/** 64-bit FNV-1a of `text`'s UTF-8 bytes, 16 lower-case hex digits. */
export function fnv1a64(text: string): string {
  let hash = OFFSET_BASIS;
  for (const byte of Buffer.from(text, 'utf8')) hash = ((hash ^ BigInt(byte)) * PRIME) & MASK_64;
  return hash.toString(16).padStart(16, '0');
}
