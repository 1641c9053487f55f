import { describe, it } from 'vitest';
import { FAULT_CASES } from './cases.ts';
import { variants } from './matrix.ts';
import { runCase } from './run-case.ts';

/**
 * The fault matrix, one-piece calls (stream: false): every simulator fault x native and /v1 x one target and two.
 * Each cell runs on its own fleet, so cells run concurrently; see cases.ts for what each must give.
 */
describe.concurrent('fault matrix, one-piece calls (stream: false)', () => {
  for (const fault of FAULT_CASES) {
    for (const v of variants().filter((x) => x.stream === false)) {
      const where = `${v.api === 'native' ? 'native' : '/v1'}, ${v.targets === 1 ? 'one target' : 'two targets'}`;
      it(`${fault.name}: ${fault.what} (${where})`, () => runCase(fault, v));
    }
  }
});
