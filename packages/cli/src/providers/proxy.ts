import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback proxy that gives an emulator listening on a random port a fixed one: requests are
 * forwarded as they are, and the emulator's own origin in response headers (Location) and bodies
 * (links) is rewritten to the proxy's, so redirects and links stay on the fixed origin.
 * For `stackfeed emulator`, when an emulator has no port option of its own.
 */
export async function fixedPortProxy(
  target: string,
  port: number,
  host: string,
): Promise<{ url: string; close(): Promise<void> }> {
  const upstream = new URL(target);
  let publicOrigin = '';
  const server = createServer((req, res) => {
    const up = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (upRes) => {
        const chunks: Buffer[] = [];
        upRes.on('data', (c: Buffer) => chunks.push(c));
        upRes.on('end', () => {
          const body = Buffer.from(Buffer.concat(chunks).toString('utf8').split(upstream.origin).join(publicOrigin));
          const headers = { ...upRes.headers };
          delete headers['content-length'];
          delete headers['transfer-encoding'];
          if (typeof headers.location === 'string')
            headers.location = headers.location.split(upstream.origin).join(publicOrigin);
          res.writeHead(upRes.statusCode ?? 502, { ...headers, 'content-length': String(body.length) });
          res.end(body);
        });
        upRes.on('error', () => res.destroy());
      },
    );
    up.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('emulator unavailable\n');
    });
    req.pipe(up);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  publicOrigin = `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
  return {
    url: publicOrigin,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
