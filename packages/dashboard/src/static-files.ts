import { existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sirv from 'sirv';
import { jsonError } from './http.js';

/**
 * The built page: this package's `web/` folder (published with it; `@stackfeed/dashboard-web`'s
 * build writes it), found from `src/` and `dist/` alike.
 */
export function defaultWebRoot(): string {
  return fileURLToPath(new URL('../web', import.meta.url));
}

const NOT_BUILT =
  'stackfeed dashboard: the page is not built (pnpm --filter @stackfeed/dashboard-web build); the API is under /api/\n';

/** The page's built files under `root` (sirv, `single`: unknown paths get index.html), or one line saying it is not built. */
export function staticHandler(root: string): (req: IncomingMessage, res: ServerResponse) => void {
  let serve: ReturnType<typeof sirv> | undefined;
  const notBuilt = (res: ServerResponse) => {
    res.statusCode = 200;
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.end(NOT_BUILT);
  };
  return (req, res) => {
    if (!serve) {
      if (!existsSync(join(root, 'index.html')) || !statSync(root).isDirectory()) return notBuilt(res);
      // Files are listed once, when the page is first asked for: a later build needs a restart.
      serve = sirv(root, { single: true, dotfiles: false, etag: true, gzip: false, brotli: false });
    }
    serve(req, res, () => jsonError(res, 404, 'NOT_FOUND', 'no such file'));
  };
}
