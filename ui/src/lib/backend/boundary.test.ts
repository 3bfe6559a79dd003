// The rule of docs/ui.md: only src/lib/backend talks to the backend. Everything else gets a `Backend`
// object, which is what lets the component tests hand in a fake.
import { describe, expect, it } from 'vitest';

const sources = import.meta.glob<string>('/src/**/*.{ts,svelte}', {
  query: '?raw',
  import: 'default',
  eager: true,
});

describe('backend boundary', () => {
  it('finds the sources it checks', () => {
    expect(Object.keys(sources)).toContain('/src/lib/backend/tauri.ts');
    expect(Object.keys(sources)).toContain('/src/App.svelte');
  });

  it('keeps @tauri-apps/api imports inside src/lib/backend', () => {
    const offenders = Object.entries(sources)
      .filter(([path]) => !path.startsWith('/src/lib/backend/'))
      .filter(([, text]) => /from\s+['"]@tauri-apps\/api|import\(\s*['"]@tauri-apps\/api|__TAURI/.test(text))
      .map(([path]) => path);
    expect(offenders).toEqual([]);
  });
});
