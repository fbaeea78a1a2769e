// A node:test reporter that writes each test file's time (the sum of its top-level tests'
// durations), slowest first, one `seconds  file` line each: what SLOWEST_FIRST in
// scripts/test-files.mjs is made from. Use beside the usual reporter:
//   node --import tsx --test --test-reporter=spec --test-reporter-destination=stdout \
//     --test-reporter=./scripts/file-times-reporter.mjs --test-reporter-destination=file-times.txt …
import { relative } from 'node:path';

export default async function* fileTimes(source) {
  const perFile = new Map();
  for await (const event of source) {
    if ((event.type === 'test:pass' || event.type === 'test:fail') && event.data.nesting === 0 && event.data.file) {
      const file = relative(process.cwd(), event.data.file);
      perFile.set(file, (perFile.get(file) ?? 0) + (event.data.details?.duration_ms ?? 0));
    }
  }
  const lines = [...perFile].sort((a, b) => b[1] - a[1]).map(([file, ms]) => `${(ms / 1000).toFixed(1).padStart(7)}  ${file}`);
  yield `${lines.join('\n')}\n`;
}
