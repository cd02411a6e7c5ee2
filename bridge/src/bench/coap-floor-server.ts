/**
 * The `coap` package's own floor for the registration benchmark: our CoapEndpoint and a
 * `coap.Server` whose handler answers every request 2.01 with a fixed Location-Path, and does
 * nothing else. Bridge time minus this is the LwM2M work; this minus the UDP echo is the
 * package's per-request cost. Prints its port.
 */
import { Server } from 'coap';
import { CoapEndpoint } from '../coap/coap-endpoint.js';
import { silentLogger } from '../log.js';
import { UdpTransport } from '../transport/udp-transport.js';

const udp = await UdpTransport.bind('127.0.0.1', 0, silentLogger);
const endpoint = new CoapEndpoint(udp, { log: silentLogger });
udp.onDatagram((msg, address, port) => endpoint.handleDatagram(msg, address, port));
const server = new Server({ cacheSize: 1 });
server.listen(endpoint.serverSocket as never);
const location = [Buffer.from('rd'), Buffer.from('0123456789a')];
server.on('request', (_req, res) => {
  res.code = '2.01';
  res.setOption('Location-Path', location);
  res.end();
});
process.stdout.write(`${udp.address().port}\n`);
