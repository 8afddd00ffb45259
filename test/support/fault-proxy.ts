/**
 * A loopback TCP proxy in front of the backend for network-fault tests: pass traffic, refuse
 * connections, or let requests through and lose the answers (the backend acted, the terminal
 * never heard) — the case idempotent sync exists for.
 */
import net from 'node:net';

export type ProxyMode = 'pass' | 'refuse' | 'lose_answers';

export interface FaultProxy {
  readonly url: string;
  /** A new mode applies at once: kept-alive connections from the old mode are cut. */
  mode: ProxyMode;
  close(): Promise<void>;
}

export async function startFaultProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  const sockets = new Set<net.Socket>();
  let mode: ProxyMode = 'pass';
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };
  const server = net.createServer((client) => {
    track(client);
    if (mode === 'refuse') {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(target.port, target.host);
    track(upstream);
    client.pipe(upstream);
    upstream.on('data', (chunk) => {
      if (mode === 'lose_answers') client.destroy();
      else client.write(chunk);
    });
    upstream.on('end', () => client.end());
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const cutAll = () => {
    for (const s of sockets) s.destroy();
  };
  return {
    url: `http://127.0.0.1:${port}`,
    get mode() {
      return mode;
    },
    set mode(next: ProxyMode) {
      mode = next;
      cutAll();
    },
    close: () =>
      new Promise<void>((resolve) => {
        cutAll();
        server.close(() => resolve());
      }),
  };
}
