import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/bin.ts'],
  format: ['esm'],
  // The build does not use the composite (tsc -b) settings meant for typechecking.
  dts: { entry: ['src/index.ts'], compilerOptions: { composite: false, incremental: false } },
  clean: true,
  target: 'node20',
  platform: 'node',
  sourcemap: true,
});
