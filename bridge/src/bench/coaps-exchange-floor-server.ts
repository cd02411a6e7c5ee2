/**
 * The floor for `bench:coaps`: a UDP server that plays the bridge's side of a PSK handshake +
 * Register as bare datagrams and does nothing else (no DTLS, no CoAP, no registry). Each client
 * datagram starts with its step (0–3); the reply is a prepared datagram of the size the bridge
 * really sends at that step (HelloVerifyRequest, ServerHello + ServerHelloDone, ChangeCipherSpec
 * + Finished, the 2.01 to the Register). Prints its port.
 */
import dgram from 'node:dgram';

/** Datagram sizes the bridge sends per step, counted on the wire during `bench:coaps`. */
export const BRIDGE_DATAGRAM_SIZES = [60, 131, 67, 52] as const;
/** Datagram sizes the load generator's DTLS client sends per step (ClientHello, with cookie, flight 3, Register). */
export const CLIENT_DATAGRAM_SIZES = [80, 112, 104, 78] as const;

if (process.argv[1]?.endsWith('coaps-exchange-floor-server.js')) {
  const replies = BRIDGE_DATAGRAM_SIZES.map((n, step) => Buffer.alloc(n, step));
  const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
  socket.on('message', (msg, rinfo) => {
    const reply = replies[msg[0] ?? 255];
    if (reply) socket.send(reply, rinfo.port, rinfo.address);
  });
  socket.bind(0, '127.0.0.1', () => process.stdout.write(`${socket.address().port}\n`));
}
