import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/** A `host:port` split like Go's net.SplitHostPort; `host` is unbracketed. */
export interface HostPort {
  host: string;
  port: number;
}

/** An address error carrying Go's wording, e.g. `address local373: missing port in address`. */
export class AddressError extends Error {}

/** Splits `host:port` (IPv6 in brackets) the way Go does, with Go's error texts. */
export function splitHostPort(address: string): HostPort {
  let host: string;
  let portText: string;
  if (address.startsWith('[')) {
    const close = address.indexOf(']');
    if (close < 0) throw new AddressError(`address ${address}: missing ']' in address`);
    if (address[close + 1] !== ':') throw new AddressError(`address ${address}: missing port in address`);
    host = address.slice(1, close);
    portText = address.slice(close + 2);
  } else {
    const colon = address.lastIndexOf(':');
    if (colon < 0) throw new AddressError(`address ${address}: missing port in address`);
    host = address.slice(0, colon);
    if (host.includes(':')) throw new AddressError(`address ${address}: too many colons in address`);
    portText = address.slice(colon + 1);
  }
  if (portText === '') portText = '0';
  if (!/^\d+$/.test(portText) || Number(portText) > 65535) throw new AddressError(`lookup tcp/${portText}: unknown port`);
  return { host, port: Number(portText) };
}

/** Formats an address like Go's net.JoinHostPort (IPv6 in brackets). */
export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Resolves a host to one IP, IPv4 first (Go resolves `localhost` to 127.0.0.1; Node's default
 * order may give ::1). An empty host stays empty (all interfaces).
 */
export async function resolveHost(host: string): Promise<string> {
  if (host === '' || isIP(host)) return host;
  try {
    const found = await lookup(host, { verbatim: false });
    return found.address;
  } catch {
    throw new AddressError(`lookup ${host}: no such host`);
  }
}

/** Go's `net.ResolveTCPAddr("tcp", listen).String()`, used to decide whether an update differs. */
export async function resolveListen(listen: string): Promise<string> {
  const { host, port } = splitHostPort(listen);
  return joinHostPort(await resolveHost(host), port);
}
