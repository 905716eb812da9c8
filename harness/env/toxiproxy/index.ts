/** The embedded Toxiproxy-compatible server (Toxiproxy 2.12 HTTP API + TCP data plane). */
export { startToxiproxyServer, type ToxiproxyServerHandle, type ToxiproxyServerOptions } from './server.ts';
export { TOXIPROXY_VERSION } from './api.ts';
export { ToxiproxyApiError, ToxiproxyConfigError, ToxiproxyListenError } from './errors.ts';
export { createRandom, type Random } from './random.ts';
export { TOXIC_TYPES } from './toxics/index.ts';
