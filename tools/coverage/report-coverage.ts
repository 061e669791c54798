// Prints the line coverage of each package from c8's json-summary and fails when one falls below its
// floor in coverage-floor.json. The floors only rise: when a package is well above its floor, the
// report says so, and the next change that keeps it there raises the floor in the same commit.
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';

interface Totals {
  total: number;
  covered: number;
}

const root = resolve(import.meta.dirname, '../..');
const summaryPath = resolve(root, 'coverage/coverage-summary.json');
const floorPath = resolve(import.meta.dirname, 'coverage-floor.json');
const RAISE_HINT_POINTS = 1;

const summary = JSON.parse(readFileSync(summaryPath, 'utf8')) as Record<string, { lines: Totals }>;
const floors = JSON.parse(readFileSync(floorPath, 'utf8')) as Record<string, number>;

const byPackage = new Map<string, Totals>(
  Object.keys(floors).map((name) => [name, { total: 0, covered: 0 }]),
);
for (const [file, { lines }] of Object.entries(summary)) {
  if (file === 'total') continue;
  const path = relative(root, file);
  const owner = [...byPackage.keys()].find((name) => path.startsWith(`${name}/`));
  const totals = owner === undefined ? undefined : byPackage.get(owner);
  if (totals === undefined) continue;
  totals.total += lines.total;
  totals.covered += lines.covered;
}

const percent = ({ total, covered }: Totals) => (total === 0 ? 0 : (100 * covered) / total);
const below: string[] = [];
console.log('\nLine coverage by package (c8, every test file and the provider processes they start):');
for (const [name, totals] of byPackage) {
  const figure = percent(totals);
  const floor = floors[name] ?? 0;
  const note =
    figure < floor
      ? `BELOW its floor of ${floor} %`
      : figure >= floor + RAISE_HINT_POINTS
        ? `floor ${floor} %: raise it to ${Math.floor(figure)} in ${relative(root, floorPath)}`
        : `floor ${floor} %`;
  console.log(`  ${name.padEnd(16)} ${figure.toFixed(1).padStart(5)} %  of ${totals.total} lines  (${note})`);
  if (figure < floor) below.push(name);
}
if (below.length > 0) {
  console.error(
    `\nCoverage fell below the floor in ${below.join(', ')}: add the tests the change is missing.`,
  );
  process.exit(1);
}
