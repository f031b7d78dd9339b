import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  // The build does not use the composite (tsc -b) settings meant for typechecking.
  dts: { compilerOptions: { composite: false, incremental: false } },
  clean: true,
  target: 'node20',
  platform: 'node',
  sourcemap: true,
});
