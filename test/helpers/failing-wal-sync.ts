/**
 * Preloaded (`--import`) into a Stockroom child process by tests: once the file named by
 * `STOCKROOM_TEST_FAIL_SYNC_WHEN` exists, every fdatasync of a SQLite `-wal` file fails with EIO,
 * as a failing disk would. Patches the same `fs/promises` object the database module uses.
 */
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';

const trigger = process.env.STOCKROOM_TEST_FAIL_SYNC_WHEN;
if (trigger) {
  const realOpen = fs.open;
  fs.open = async (...args: Parameters<typeof realOpen>) => {
    const handle = await realOpen(...args);
    if (String(args[0]).endsWith('-wal')) {
      const datasync = handle.datasync.bind(handle);
      handle.datasync = async () => {
        if (existsSync(trigger)) throw Object.assign(new Error('EIO: i/o error, fdatasync (injected)'), { code: 'EIO' });
        return datasync();
      };
    }
    return handle;
  };
}
