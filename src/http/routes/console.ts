import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';

/** Where the console's sources live: `src/console/`, beside this file's `src/http/routes/`. */
const CONSOLE_DIR = fileURLToPath(new URL('../../console/', import.meta.url));

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
 * The console's TypeScript is bundled by esbuild (which tsx, a dependency, brings along) the first
 * time it is asked for, then kept: its sources do not change while the process runs, and servers
 * that no browser visits (tests, API-only deployments) never pay for the build. The memo is per
 * process, not per app, since the result depends only on the files.
 */
const assets = new Map<string, Promise<Asset>>();

function asset(name: string, load: () => Promise<{ body: string; type: string }>): Promise<Asset> {
  let cached = assets.get(name);
  if (!cached) {
    cached = load().then(({ body, type }) => ({ body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` }));
    // A failed build is not kept, so the next request tries again.
    cached.catch(() => assets.delete(name));
    assets.set(name, cached);
  }
  return cached;
}

async function bundleScript(): Promise<{ body: string; type: string }> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [join(CONSOLE_DIR, 'main.ts')],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    write: false,
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error('esbuild produced no console bundle');
  return { body: output.text, type: 'text/javascript; charset=utf-8' };
}

const fileAsset = (file: string, type: string) => async () => ({ body: await readFile(join(CONSOLE_DIR, file), 'utf8'), type });

const ASSETS: Record<string, () => Promise<Asset>> = {
  '/': () => asset('index.html', fileAsset('index.html', 'text/html; charset=utf-8')),
  '/console/app.js': () => asset('app.js', bundleScript),
  '/console/app.css': () => asset('app.css', fileAsset('app.css', 'text/css; charset=utf-8')),
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
