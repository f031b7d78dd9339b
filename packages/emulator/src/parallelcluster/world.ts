import { CfnStore } from '../cloudformation/store.js';
import { LogsStore } from '../cloudwatch-logs/index.js';
import { Ec2Store } from '../ec2/index.js';
import { ImageBuilderStore, ManualClock } from '../imagebuilder/store.js';

/** The pcluster version the emulated API reports and tags with. */
export const PCLUSTER_VERSION = '3.12.0';

export interface WorldOptions {
  region?: string;
  accountId?: string;
  /** Start of the scenario clock (default 2026-01-15T12:00:00Z). */
  start?: number | Date;
  /**
   * Advance the clock by this many ms on every request any of the emulated services receives
   * (default 0: the clock moves only with `advance`). Makes a watch see a build progress without
   * depending on wall time.
   */
  requestStepMs?: number;
  /** The world's clock (e.g. a `RunningClock` that plays the scenarios by itself); `start` is then its own. */
  clock?: ManualClock;
}

/**
 * One AWS account and region as ParallelCluster sees it: CloudFormation stacks, EC2 AMIs, Image
 * Builder images and CloudWatch log groups, all timelines on one clock.
 */
export class ParallelClusterWorld {
  readonly clock: ManualClock;
  readonly region: string;
  readonly accountId: string;
  readonly cfn: CfnStore;
  readonly ec2: Ec2Store;
  readonly logs: LogsStore;
  readonly imagebuilder: ImageBuilderStore;
  requestStepMs: number;
  private counter = 0;

  constructor(opts: WorldOptions = {}) {
    this.clock = opts.clock ?? new ManualClock(opts.start ?? Date.UTC(2026, 0, 15, 12, 0, 0));
    this.region = opts.region ?? 'us-east-1';
    this.accountId = opts.accountId ?? '123456789012';
    const common = { clock: this.clock, region: this.region, accountId: this.accountId };
    this.cfn = new CfnStore(common);
    this.ec2 = new Ec2Store(common);
    this.logs = new LogsStore(common);
    this.imagebuilder = new ImageBuilderStore(common);
    this.requestStepMs = opts.requestStepMs ?? 0;
  }

  now(): number {
    return this.clock.now();
  }

  /** Move the clock forward. */
  advance(ms: number): number {
    return this.clock.advance(ms);
  }

  /** Called by every emulated service on every request. */
  onRequest(): void {
    if (this.requestStepMs > 0) this.clock.advance(this.requestStepMs);
  }

  /** A fresh, deterministic id suffix. */
  nextId(): number {
    return ++this.counter;
  }
}
