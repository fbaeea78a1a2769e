// Keeps the better-sqlite3 addon that `npm ci` just compiled (no prebuilt binary can be
// downloaded here: the npm registry is the only network) in prebuild-install's own cache,
// ~/.npm/_prebuilds, under the name prebuild-install looks for: the package's version, the Node
// ABI, the platform and the architecture. The next `npm ci` on this machine unpacks it instead of
// compiling SQLite again. A different version or Node gets a different name, so a stale binary is
// never used.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const fromRoot = createRequire(join(process.cwd(), 'package.json'));
const pkg = fromRoot('better-sqlite3/package.json');
const packageDir = join(fromRoot.resolve('better-sqlite3/package.json'), '..');
// prebuild-install as better-sqlite3's install script finds it.
const require = createRequire(join(packageDir, 'package.json'));
const util = require('prebuild-install/util');
// The options prebuild-install itself reads during the install (npm config, environment), so the
// name is the one it will look for.
const url = util.getDownloadUrl({ ...require('prebuild-install/rc')(pkg), pkg });
const cached = util.cachedPrebuild(url);
if (existsSync(cached)) {
  console.log(`better-sqlite3 addon already cached: ${cached}`);
} else {
  mkdirSync(join(cached, '..'), { recursive: true });
  const partial = `${cached}.${process.pid}.tmp`;
  execFileSync('tar', ['-czf', partial, '-C', packageDir, 'build/Release/better_sqlite3.node']);
  renameSync(partial, cached);
  console.log(`cached the compiled better-sqlite3 addon for the next npm ci: ${cached}`);
}
