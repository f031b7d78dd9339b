import type { Ctx } from '../context.js';
import { EXIT, formatError, UsageError } from '../errors.js';
import { SHORT_PROVIDER } from '../format/table.js';
import { parsePositive } from '../options.js';
import { demoClock, type EmulatorRun, LOOP_PERIOD_MS } from '../providers/types.js';

/** `stackfeed emulator`: the providers' emulators on fixed ports until Ctrl-C. */
export async function emulatorCommand(
  ctx: Ctx,
  flags: { portBase?: string; host?: string; speed?: string; loop?: boolean },
): Promise<number> {
  const clock = demoClock(parsePositive(flags.speed, '--speed', 'emulator') ?? 1);
  const base = Number(flags.portBase ?? 4750);
  if (!Number.isInteger(base) || base < 1 || base > 65_000) {
    throw new UsageError(`--port-base must be a port number, not "${flags.portBase}"`, 'emulator');
  }
  const host = flags.host ?? '127.0.0.1';
  const c = ctx.colors;
  const started: EmulatorRun[] = [];
  /** Ports another process holds: reported once, as one line, after the loop. */
  const busy: number[] = [];
  let code: number = EXIT.OK;
  try {
    for (const [i, entry] of ctx.providers.entries()) {
      const short = SHORT_PROVIDER[entry.id] ?? entry.id;
      let plugin: Awaited<ReturnType<NonNullable<typeof entry.load>>> | undefined;
      try {
        plugin = entry.load ? await entry.load() : undefined;
      } catch (err) {
        code = EXIT.CALL_FAILED;
        ctx.err.write(`${formatError(err)}\n`);
        continue;
      }
      if (!plugin?.emulator) {
        ctx.out.write(c.dim(`· ${short}: ${entry.title} has no emulator in this build yet\n`));
        continue;
      }
      try {
        const run = await plugin.emulator({ port: base + 10 * i, host, clock, loop: flags.loop === true });
        started.push(run);
        ctx.out.write(`${c.green('●')} ${c.bold(short)} ${entry.title}\n  endpoint  ${run.endpoint}\n`);
        for (const [k, v] of Object.entries(run.settings)) ctx.out.write(`  ${k}=${v}\n`);
        for (const n of run.notes) ctx.out.write(`  ${c.dim(n)}\n`);
      } catch (err) {
        code = EXIT.CALL_FAILED;
        if ((err as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE') busy.push(base + 10 * i);
        else ctx.err.write(`${formatError(err)} (port ${base + 10 * i})\n`);
      }
    }
    if (busy.length > 0) {
      // Most often a second `stackfeed emulator`: nothing half-started is left running.
      const ports = busy.length === 1 ? `port ${busy[0]} is` : `ports ${busy.join(', ')} are`;
      ctx.err.write(
        `stackfeed: ${ports} in use on ${host} (another stackfeed emulator?); try --port-base ${base + 100}\n`,
      );
      return EXIT.CALL_FAILED;
    }
    if (started.length === 0) return EXIT.CALL_FAILED;
    ctx.out.write(`\n${started.length} emulator(s) running on ${host}. Ctrl-C to stop.\n`);
    if (flags.loop) {
      ctx.out.write(
        c.dim(`The scenarios start again every ${LOOP_PERIOD_MS / 1000} s of scenario time, with new ids (--loop).\n`),
      );
    }
    if (clock.speed > 1) {
      ctx.out.write(
        c.dim(`Scenario time runs ${clock.speed}× the wall clock (--speed): event times run ahead of "now".\n`),
      );
    }
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    return code;
  } finally {
    await Promise.allSettled(started.map((s) => s.close()));
  }
}
