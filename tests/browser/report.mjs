// How a browser check script reports: one line per check, the findings
// under each failed one, the names of the failed checks again at the end,
// and a last line `N passed, M failed`; exit 1 on any failure.
// Shared by run.mjs and lighthouse.mjs.

const colour = process.stdout.isTTY && !process.env.NO_COLOR;
export const paint = (code, s) => (colour ? `\x1b[${code}m${s}\x1b[0m` : s);
let passed = 0;
let failed = 0;
const failures = [];

/** Record one check: `findings` is a list of strings; empty means it passed. */
export function check(name, findings, notes = []) {
  const noted = notes.length ? paint('2', `  (${notes.join('; ')})`) : '';
  if (findings.length === 0) {
    passed += 1;
    console.log(`${paint('32', 'ok  ')} ${name}${noted}`);
  } else {
    failed += 1;
    failures.push(name);
    console.log(`${paint('31', 'FAIL')} ${name}${noted}`);
    for (const f of findings) console.log(`       ${f.replace(/\n/g, '\n       ')}`);
  }
}

export function section(title) {
  console.log(`\n${paint('1', title)}`);
}

/** The summary, then exit: 1 if any check failed. */
export function finish() {
  console.log('');
  if (failures.length) {
    console.log(paint('31', `Failed checks:\n${failures.map((n) => `  ${n}`).join('\n')}`));
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}
