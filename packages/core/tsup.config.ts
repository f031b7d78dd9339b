import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/adapter.ts', 'src/schemas.ts'],
  format: ['esm'],
  // The build does not use the composite (tsc -b) settings meant for typechecking. `@internal`
  // declarations (test-only and cross-module helpers) are left out of the published types.
  dts: { compilerOptions: { composite: false, incremental: false, stripInternal: true } },
  clean: true,
  target: 'node20',
  platform: 'node',
  sourcemap: true,
});
