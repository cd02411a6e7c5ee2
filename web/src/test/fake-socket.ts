/** A stand-in browser WebSocket a web test drives by hand, and a started bridge socket on it. */
import { expect, vi } from 'vitest';
import { createBridgeSocket } from '../services/bridge-socket.js';

export class FakeSocket {
  static readonly OPEN = 1;
  static instances: FakeSocket[] = [];
  readyState = 0;
  sent: Record<string, unknown>[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: unknown }) => void) | null = null;
  onclose: (() => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.instances.push(this);
  }
  send(text: string) {
    this.sent.push(JSON.parse(text) as Record<string, unknown>);
  }
  close() {
    this.readyState = 3;
    this.onclose?.();
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  receive(message: unknown) {
    this.onmessage?.({ data: typeof message === 'string' ? message : JSON.stringify(message) });
  }
  /** The last message of `type` this console sent. */
  lastSent(type: string): Record<string, unknown> | undefined {
    return this.sent.filter((m) => m.type === type).at(-1);
  }
}

export async function startedSocket() {
  FakeSocket.instances = [];
  const fetchImpl = vi.fn(async () => new Response(JSON.stringify({ authRequired: false, authorized: true }), { status: 200 }));
  const socket = createBridgeSocket({
    url: 'ws://bridge.test/ws',
    WebSocketImpl: FakeSocket as unknown as typeof WebSocket,
    fetchImpl: fetchImpl as unknown as typeof fetch,
  });
  socket.start();
  await vi.waitFor(() => expect(FakeSocket.instances.length).toBeGreaterThan(0));
  const ws = FakeSocket.instances.at(-1)!;
  ws.open();
  return { socket, ws };
}
