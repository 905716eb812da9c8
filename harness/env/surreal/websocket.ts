/**
 * undici's WebSocket, as the SurrealDB SDK's `websocketImpl` option takes it. The SDK types that option
 * as the global WebSocket, which @types/node declares from its own bundled copy of undici's types: the
 * same class, two declarations, so this is the one place that says they match.
 */
import { WebSocket } from 'undici';

export const sdkWebSocket = WebSocket as unknown as typeof globalThis.WebSocket;
