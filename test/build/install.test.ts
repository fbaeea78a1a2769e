import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { ROOT } from '../../scripts/build-inputs.mjs';

/** What `npm ci` installs, as the README's first command runs it. */

test('npm ci warns about no engine: every locked package supports the Node the project targets', async () => {
  // A dry run resolves the lockfile and checks engines, and changes nothing on disk.
  const { stdout, stderr } = await promisify(execFile)('npm', ['ci', '--dry-run', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: ROOT, timeout: 60_000 });
  assert.doesNotMatch(`${stdout}${stderr}`, /EBADENGINE/, `${stdout}${stderr}`);
});

test('the runtime dependencies are what the server runs: no build tools', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
  for (const tool of ['esbuild', 'tsx', 'typescript']) {
    assert.equal(pkg.dependencies[tool], undefined, `${tool} is a build tool, not a runtime dependency`);
  }
  // scripts/build.mjs imports esbuild itself, so it is listed, not only brought in by tsx.
  assert.ok(pkg.devDependencies.esbuild, 'esbuild is a devDependency');
});
