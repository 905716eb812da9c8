import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { SIGNAL_EXIT, interruptOnSignals } from './interrupt.ts';

describe('interruptOnSignals', () => {
  it('aborts on the first signal, exits with 128+n on the second, and says so each time', () => {
    const emitter = new EventEmitter();
    const said: string[] = [];
    const exits: number[] = [];
    const interrupt = interruptOnSignals(
      (l) => said.push(l),
      (c) => exits.push(c),
      emitter,
    );
    expect(interrupt.signal.aborted).toBe(false);
    emitter.emit('SIGTERM');
    expect(interrupt.signal.aborted).toBe(true);
    expect(interrupt.received).toBe('SIGTERM');
    expect(exits).toEqual([]);
    emitter.emit('SIGINT');
    expect(exits).toEqual([SIGNAL_EXIT.SIGINT]);
    expect(said).toHaveLength(2);
    expect(said[0]).toMatch(/^SIGTERM received: cancelling/);
    expect(said[1]).toMatch(/^SIGINT again: stopping now/);
  });

  it('dispose() removes its handlers', () => {
    const emitter = new EventEmitter();
    const interrupt = interruptOnSignals(
      () => undefined,
      () => undefined,
      emitter,
    );
    expect(emitter.listenerCount('SIGINT')).toBe(1);
    interrupt.dispose();
    expect(emitter.listenerCount('SIGINT') + emitter.listenerCount('SIGTERM')).toBe(0);
    emitter.emit('SIGINT');
    expect(interrupt.signal.aborted).toBe(false);
  });

  it('uses the shell convention for the exit codes', () => {
    expect(SIGNAL_EXIT).toEqual({ SIGINT: 130, SIGTERM: 143 });
  });
});
