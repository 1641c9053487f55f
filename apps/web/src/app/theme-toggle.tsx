import { useState } from 'react';
import { applyTheme, nextTheme, readTheme, type ThemeChoice } from './theme.ts';

const LABELS: Record<ThemeChoice, string> = {
  system: 'Theme: system',
  light: 'Theme: light',
  dark: 'Theme: dark',
};
const ICONS: Record<ThemeChoice, string> = { system: '◐', light: '☀', dark: '☾' };

/** Cycles system -> light -> dark. */
export function ThemeToggle() {
  const [choice, setChoice] = useState<ThemeChoice>(readTheme);
  return (
    <button
      type="button"
      className="icon-button"
      data-testid="theme-toggle"
      aria-label={`${LABELS[choice]} (change)`}
      title={LABELS[choice]}
      onClick={() => {
        const next = nextTheme(choice);
        applyTheme(next);
        setChoice(next);
      }}
    >
      <span aria-hidden="true">{ICONS[choice]}</span>
    </button>
  );
}
