import { bandwidth } from './bandwidth.ts';
import { latency } from './latency.ts';
import { limitData } from './limit_data.ts';
import { noop } from './noop.ts';
import { resetPeer } from './reset_peer.ts';
import { slicer } from './slicer.ts';
import { slowClose } from './slow_close.ts';
import { timeout } from './timeout.ts';
import type { ToxicDefinition } from './types.ts';

/** Every toxic type Toxiproxy 2.12 registers. `down` is not one: disable the proxy instead. */
export const TOXIC_TYPES: ReadonlyMap<string, ToxicDefinition> = new Map(
  [noop, latency, bandwidth, slowClose, timeout, resetPeer, slicer, limitData].map((d) => [d.type, d]),
);

export { noop };
export * from './types.ts';
