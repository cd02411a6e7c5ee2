/**
 * Plain CoAP over UDP (RFC 7252 §6.1: coap://, port 5683).
 */
import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import type { DatagramTransport } from '../coap/coap-endpoint.js';
import type { Logger } from '../log.js';

/** FIELD-NOTES.md: the default receive buffer dropped half of 500 simultaneous handshakes. */
export const UDP_BUFFER_BYTES = 4 * 1024 * 1024;

export class UdpTransport implements DatagramTransport {
  readonly kind = 'coap' as const;

  private constructor(
    readonly socket: dgram.Socket,
    private readonly log: Logger,
  ) {}

  /** Binds `host:port` (0 = any free port). IPv6 hosts get a dual-stack socket. */
  static async bind(host: string, port: number, log: Logger): Promise<UdpTransport> {
    const socket = dgram.createSocket({
      type: host.includes(':') ? 'udp6' : 'udp4',
      recvBufferSize: UDP_BUFFER_BYTES,
      sendBufferSize: UDP_BUFFER_BYTES,
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    const transport = new UdpTransport(socket, log);
    // A send to an unreachable peer surfaces here (ICMP); it must never stop the process.
    socket.on('error', (error) => log.warn('udp: socket error', { error }));
    return transport;
  }

  onDatagram(handler: (msg: Buffer, address: string, port: number) => void): void {
    this.socket.on('message', (msg, rinfo) => handler(msg, rinfo.address, rinfo.port));
  }

  send(data: Uint8Array, address: string, port: number): void {
    this.socket.send(data, port, address, (error) => {
      if (error) this.log.debug('udp: send failed', { address, port, error });
    });
  }

  address(): AddressInfo {
    return this.socket.address();
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
