import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** What the global setup started, for the tests (which run in other processes). */
export interface E2eState {
  dashboard: string;
  relay: string;
  token: string;
  receiver: string;
  sims: { name: string; url: string }[];
  dataDir: string;
}

const FILE = fileURLToPath(new URL('../.state.json', import.meta.url));

export function saveState(state: E2eState): void {
  writeFileSync(FILE, JSON.stringify(state, null, 2));
}

export function loadState(): E2eState {
  return JSON.parse(readFileSync(FILE, 'utf8')) as E2eState;
}
