/**
 * The ceiling for the registration benchmark: a UDP server that answers every datagram with a
 * minimal CoAP ACK (same Message ID, 2.01) and does nothing else. Prints its port.
 */
import dgram from 'node:dgram';

const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
socket.on('message', (msg, rinfo) => {
  if (msg.length < 4) return;
  const tkl = msg[0]! & 0x0f;
  const reply = Buffer.allocUnsafe(4 + tkl);
  reply[0] = 0x60 | tkl;
  reply[1] = 0x41;
  reply[2] = msg[2]!;
  reply[3] = msg[3]!;
  msg.copy(reply, 4, 4, 4 + tkl);
  socket.send(reply, rinfo.port, rinfo.address);
});
socket.bind(0, '127.0.0.1', () => process.stdout.write(`${socket.address().port}\n`));
