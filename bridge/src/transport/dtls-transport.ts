/**
 * CoAP over DTLS (RFC 7252 §9: coaps://, port 5684): our DTLS server on its own UDP socket,
 * presented to the CoAP endpoint as a datagram transport whose datagrams are the sessions'
 * decrypted application data. Peers are still named by address and port; the session at that
 * address supplies what the handshake authenticated.
 */
import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import type { SessionSecurity } from '@lwm2m-console/shared';
import type { DatagramTransport } from '../coap/coap-endpoint.js';
import { DtlsServer, type DtlsServerOptions, type DtlsSession, type HandshakeFailure } from '../dtls/dtls-server.js';
import type { Logger } from '../log.js';
import { UDP_BUFFER_BYTES } from './udp-transport.js';

export class DtlsTransport implements DatagramTransport {
  readonly kind = 'coaps' as const;

  private constructor(
    readonly socket: dgram.Socket,
    readonly server: DtlsServer,
    private readonly log: Logger,
  ) {}

  static async bind(host: string, port: number, options: DtlsServerOptions, log: Logger): Promise<DtlsTransport> {
    const socket = dgram.createSocket({ type: host.includes(':') ? 'udp6' : 'udp4', recvBufferSize: UDP_BUFFER_BYTES, sendBufferSize: UDP_BUFFER_BYTES });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    const server = new DtlsServer({ ...options, log });
    server.attach(socket);
    return new DtlsTransport(socket, server, log);
  }

  onDatagram(handler: (msg: Buffer, address: string, port: number) => void): void {
    this.server.on('data', (session: DtlsSession, plaintext: Buffer) => handler(plaintext, session.address, session.port));
  }

  /** RFC 9146: the peer's address changed under its Connection ID; the session (and registration) go on. */
  onPeerMoved(handler: (session: DtlsSession, oldAddress: string, oldPort: number) => void): void {
    this.server.on('addressChanged', handler);
  }

  /** A handshake past the cookie ended without a session (wrong key, unknown identity, bad certificate, …). */
  onHandshakeFailed(handler: (failure: HandshakeFailure) => void): void {
    this.server.on('handshakeFailed', handler);
  }

  send(data: Uint8Array, address: string, port: number): void {
    const session = this.server.sessionFor(address, port);
    if (!session) {
      this.log.debug('coaps: no DTLS session for downlink', { address, port });
      return;
    }
    this.server.send(session, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  }

  securityOf(address: string, port: number): SessionSecurity | undefined {
    return this.server.sessionFor(address, port)?.security;
  }

  address(): AddressInfo {
    return this.socket.address();
  }

  /** Sends close_notify to every session; the DTLS server closes the socket it was attached to. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.server.close();
    });
  }
}
