import type { WindowName } from '@lookout/contracts';
import { WINDOW_NAMES } from '@lookout/contracts';
import { useCallback, useState } from 'react';

const KEY = 'lookout.window';

function read(): WindowName {
  try {
    const value = sessionStorage.getItem(KEY);
    return (WINDOW_NAMES as readonly string[]).includes(value ?? '') ? (value as WindowName) : '1m';
  } catch {
    return '1m';
  }
}

/** The sliding window the stats are read from; kept for the tab so drill-downs keep it. */
export function useWindowChoice(): [WindowName, (next: WindowName) => void] {
  const [window, setWindow] = useState<WindowName>(read);
  const choose = useCallback((next: WindowName) => {
    setWindow(next);
    try {
      sessionStorage.setItem(KEY, next);
    } catch {
      // private mode: kept for this page only
    }
  }, []);
  return [window, choose];
}
