import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors.js';

/** Set by the bundle's first line (scripts/build.mjs) to the bundle's own URL; absent when run from sources. */
declare const STOCKROOM_BUNDLE_URL: string | undefined;

/**
 * Where the console's built files lie (scripts/build.mjs writes them; this server only reads
 * them): `console/` beside the bundle when running as dist/stockroom.mjs, the checkout's
 * `dist/console/` when running from sources (tests start the server in-process).
 */
const CONSOLE_DIR = fileURLToPath(
  typeof STOCKROOM_BUNDLE_URL === 'string' ? new URL('console/', STOCKROOM_BUNDLE_URL) : new URL('../../../dist/console/', import.meta.url),
);

/**
 * The page may load only this server's script and stylesheet and call only this server's API;
 * images may be data: URIs (the catalog's icons) or https. Inline script and style are refused,
 * so a value that slipped into the page as markup could not run.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: https:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

interface Asset {
  readonly body: string;
  readonly type: string;
  readonly etag: string;
}

/*
 * Each file is read on its first request, then kept: the build does not change under a running
 * server (a restart serves a new build), and servers that no browser visits never read them. The
 * memo is per process, not per app, since the result depends only on the files.
 */
const assets = new Map<string, Promise<Asset>>();

function asset(file: string, type: string): Promise<Asset> {
  let cached = assets.get(file);
  if (!cached) {
    cached = readBuilt(file).then((body) => ({ body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` }));
    // A missing file is not kept, so the console appears once it is built.
    cached.catch(() => assets.delete(file));
    assets.set(file, cached);
  }
  return cached;
}

async function readBuilt(file: string): Promise<string> {
  try {
    return await readFile(join(CONSOLE_DIR, file), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new ApiError('service_unavailable', `The web console is not built: ${join(CONSOLE_DIR, file)} is missing. Run \`npm run build\` (\`npm start\` builds it first).`);
  }
}

const ASSETS: Record<string, () => Promise<Asset>> = {
  '/': () => asset('index.html', 'text/html; charset=utf-8'),
  '/console/app.js': () => asset('app.js', 'text/javascript; charset=utf-8'),
  '/console/app.css': () => asset('app.css', 'text/css; charset=utf-8'),
};

/**
 * The web console (issue 8): one page at `/` and its two assets under `/console/`. The page needs
 * no token, since it holds no data; every API call it makes carries the token the person signs in
 * with. Kept out of the OpenAPI document, which describes the API.
 */
export const consoleRoutes: FastifyPluginAsync = async (app) => {
  for (const [path, load] of Object.entries(ASSETS)) {
    app.get(path, { config: { auth: 'none' }, schema: { hide: true } }, async (request: FastifyRequest, reply: FastifyReply) => {
      const { body, type, etag } = await load();
      void reply
        .header('content-type', type)
        // Revalidate every time (a 304 when unchanged): a restarted server may serve a new console.
        .header('cache-control', 'no-cache')
        .header('etag', etag)
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer');
      if (path === '/') void reply.header('content-security-policy', CONTENT_SECURITY_POLICY).header('x-frame-options', 'DENY');
      if (request.headers['if-none-match'] === etag) return reply.code(304).send();
      return reply.send(body);
    });
  }
};
