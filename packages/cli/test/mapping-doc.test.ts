import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mappingDoc, table } from '../scripts/mapping-doc.js';

const FILE = join(import.meta.dirname, '..', '..', '..', 'docs', 'providers', 'mapping.md');

describe('docs/providers/mapping.md', () => {
  it('is what the adapters map with (regenerate: pnpm exec tsx --conditions=@stackfeed/source packages/cli/scripts/mapping-doc.ts > docs/providers/mapping.md)', () => {
    expect(readFileSync(FILE, 'utf8')).toBe(mappingDoc());
  });

  it('renders an aligned table with one column per mapped field', () => {
    expect(table({ A_B: { action: 'CREATE', phase: 'COMPLETE' }, C: { phase: 'FAILED' } }, 'literal')).toBe(
      [
        '| literal | action | phase    |',
        '| ------- | ------ | -------- |',
        '| `A_B`   | CREATE | COMPLETE |',
        '| `C`     |        | FAILED   |',
      ].join('\n'),
    );
    expect(table({ X: 'Y' }, 'l')).toBe(['| l   | maps to |', '| --- | ------- |', '| `X` | Y       |'].join('\n'));
  });
});
