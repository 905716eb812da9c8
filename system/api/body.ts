/**
 * Reading a JSON request body without trusting the client.
 *
 * The limit is enforced twice: a declared Content-Length above it is refused before one byte is
 * read, and a chunked (or lying) body is counted while it streams and abandoned at the first chunk
 * that crosses the limit, so an oversize body is never buffered. Either way the caller answers 413
 * and closes the connection (the unread rest of the body makes it unusable for keep-alive).
 */
import type { IncomingMessage } from 'node:http';
import { BodyTooLargeError, InvalidBodyError, MalformedJsonError, UnsupportedMediaTypeError } from './errors.ts';

/**
 * Deepest nesting of arrays/objects a body may have. V8's JSON.parse is iterative and accepts any
 * depth, but JSON.stringify, structuredClone, CBOR encoding and zod all recurse: a 50,000-deep body
 * that got past the parser would blow the stack in whichever of them touched it first. No real
 * bead input is anywhere near this deep.
 */
export const MAX_BODY_DEPTH = 64;

/** The JSON content types we accept: application/json and any application/*+json. */
const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json$/i;

/** True when the request declares or streams a body (Content-Length > 0 or chunked). */
export function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  if (length !== undefined) return Number(length) > 0;
  return req.headers['transfer-encoding'] !== undefined;
}

/**
 * Reads and parses the body. `optional`: an absent body yields `undefined` instead of requiring
 * a content type (POST /beads/:id/cancel may be sent bare).
 */
export async function readJsonBody(req: IncomingMessage, limitBytes: number, optional = false): Promise<unknown> {
  if (!hasBody(req)) {
    if (optional) return undefined;
    throw new MalformedJsonError('empty body');
  }
  const contentType = req.headers['content-type'];
  const mediaType = contentType?.split(';')[0]?.trim() ?? '';
  if (!JSON_MEDIA_TYPE.test(mediaType)) throw new UnsupportedMediaTypeError(contentType);
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limitBytes) throw new BodyTooLargeError(limitBytes);

  const text = await readLimited(req, limitBytes);
  if (text.trim() === '') {
    if (optional) return undefined;
    throw new MalformedJsonError('empty body');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new MalformedJsonError((err as Error).message);
  }
  assertDepthAtMost(value, MAX_BODY_DEPTH);
  return value;
}

/**
 * Throws InvalidBodyError (400) when `value` nests arrays/objects deeper than `maxDepth` (a scalar
 * is depth 0, `[]` and `{}` are depth 1). Iterative, with an explicit stack: it must not itself
 * recurse over the very input it guards against.
 */
export function assertDepthAtMost(value: unknown, maxDepth: number): void {
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const top = stack.pop()!;
    if (top.value === null || typeof top.value !== 'object') continue;
    const depth = top.depth + 1;
    if (depth > maxDepth) {
      throw new InvalidBodyError([{ path: '', message: `nested deeper than ${maxDepth} levels of arrays/objects` }]);
    }
    const children = Array.isArray(top.value) ? top.value : Object.values(top.value);
    for (const child of children) if (child !== null && typeof child === 'object') stack.push({ value: child, depth });
  }
}

/** Collects the body as UTF-8, rejecting with BodyTooLargeError as soon as it passes `limitBytes`. */
function readLimited(req: IncomingMessage, limitBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limitBytes) {
        cleanup();
        chunks.length = 0;
        // Stop reading: the server answers 413 and closes the connection, dropping the rest.
        req.pause();
        reject(new BodyTooLargeError(limitBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(new MalformedJsonError(`body stream failed: ${err.message}`));
    };
    const onAborted = () => onError(new Error('client aborted the request'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}
