import { createServer } from 'node:net';
import { once } from 'node:events';
import { describe, expect, it, onTestFinished } from 'vitest';
import { listeningPortsOf, parseInspectorBanner } from './inspector.ts';

describe('inspector discovery helpers', () => {
  it('reads the ws URL from the stderr banner', () => {
    const text = 'Debugger listening on ws://127.0.0.1:40123/8dec84ba-0d41-400c-88ba-17ebaf5df250\nFor help, see: https://nodejs.org/en/docs/inspector\n';
    expect(parseInspectorBanner(text)).toBe('ws://127.0.0.1:40123/8dec84ba-0d41-400c-88ba-17ebaf5df250');
    expect(parseInspectorBanner('Debugger listening on')).toBeUndefined();
  });

  it('lists the TCP ports a process listens on, from /proc', async () => {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    onTestFinished(() => void server.close());
    const port = (server.address() as { port: number }).port;
    expect(listeningPortsOf(process.pid)).toContain(port);
    server.close();
    await once(server, 'close');
    expect(listeningPortsOf(process.pid)).not.toContain(port);
  });
});
