// Reporting shared by check_feed.mjs, check_transcripts.mjs and check_site.mjs: one line per check
// (`ok   [group] name` or `FAIL [group] name: why`), then `name: N passed, M failed`, the line the
// runner sums.
//
//   import { assert, check, counts, fail, finish, show } from './checks.mjs';
//   check('webvtt', 'it parses', () => assert(parsed.valid, 'not valid'));
//   process.exit(finish('webvtt'));

// The counters; a script may read them, it counts through check() and fail().
export const counts = { passed: 0, failed: 0 };
export const show = (v) => JSON.stringify(v);

// What a check throws to fail with its own message (any other exception is reported with its name).
export class Assertion extends Error {}
export function assert(cond, why) {
  if (!cond) throw new Assertion(why);
}

export function check(group, name, fn) {
  try {
    fn();
    counts.passed += 1;
    console.log(`ok   [${group}] ${name}`);
  } catch (e) {
    const why = e instanceof Assertion ? e.message : `${e?.name ?? 'Error'}: ${e?.message ?? show(e)}`;
    fail(group, `${name}: ${why}`);
  }
}

// A failure that is not a check of its own (a block that stopped, a comparison that could not run).
export function fail(group, message) {
  counts.failed += 1;
  console.log(`FAIL [${group}] ${message}`);
}

// Prints `name: N passed, M failed` and returns the exit code: 1 if a check failed or none ran.
export function finish(name) {
  console.log(`${name}: ${counts.passed} passed, ${counts.failed} failed`);
  return counts.failed > 0 || counts.passed === 0 ? 1 : 0;
}
