import { INTERRUPTED, TIMED_OUT, type ToxicDefinition } from './types.ts';

/**
 * On the first chunk or end of stream in its direction: drop it, wait `timeout` ms (not
 * interruptible, as in Go), then close. Connections that started while a reset_peer toxic was
 * present close with a real RST (the link uses socket.resetAndDestroy(), Go sets SO_LINGER 0).
 */
export const resetPeer: ToxicDefinition = {
  type: 'reset_peer',
  attributes: ['timeout'],
  bufferSize: 0,
  async pipe(stub, { timeout: ms = 0 }) {
    for (;;) {
      const chunk = await stub.read();
      if (chunk === INTERRUPTED) return;
      if (chunk === TIMED_OUT) continue;
      if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
      stub.close();
      return;
    }
  },
};
