import { networkInterfaces } from 'node:os';

/**
 * The URIs a device can use to reach a socket bound to `host`: for a wildcard bind, one per
 * local interface address (IPv4 first), so the console can show something a device can dial.
 */
export function listeningUris(scheme: 'coap' | 'coaps', host: string, port: number): string[] {
  const wildcard = host === '0.0.0.0' || host === '::';
  const hosts: string[] = [];
  if (!wildcard) hosts.push(host);
  else {
    for (const list of Object.values(networkInterfaces())) {
      for (const a of list ?? []) {
        if (a.family === 'IPv4') hosts.push(a.address);
        else if (host === '::' && !a.address.startsWith('fe80')) hosts.push(a.address);
      }
    }
  }
  return hosts.map((h) => `${scheme}://${h.includes(':') ? `[${h}]` : h}:${port}`);
}
