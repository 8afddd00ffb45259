/**
 * A loopback TCP proxy that cuts answers at a chosen byte: each new connection forwards the
 * request whole and the answer up to `cutAt()` bytes (headers included), then resets both sides —
 * a cable pulled in the middle of a long download. `cutAt` returning null forwards everything.
 */
import net from 'node:net';

export interface CuttingProxy {
  readonly url: string;
  /** Connections cut so far, with the byte each was cut at. */
  readonly cuts: readonly number[];
  close(): Promise<void>;
}

export async function startCuttingProxy(target: { host: string; port: number }, cutAt: () => number | null): Promise<CuttingProxy> {
  const sockets = new Set<net.Socket>();
  const cuts: number[] = [];
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };
  const server = net.createServer((client) => {
    track(client);
    const limit = cutAt();
    const upstream = net.connect(target.port, target.host);
    track(upstream);
    client.pipe(upstream);
    let sent = 0;
    upstream.on('data', (chunk: Buffer) => {
      if (limit === null || sent + chunk.length <= limit) {
        sent += chunk.length;
        client.write(chunk);
        return;
      }
      client.write(chunk.subarray(0, limit - sent), () => {
        client.destroy();
        upstream.destroy();
      });
      sent = limit;
      cuts.push(limit);
      upstream.pause();
    });
    upstream.on('end', () => client.end());
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    cuts,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
