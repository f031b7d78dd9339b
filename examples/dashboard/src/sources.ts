import type { ImageInfo, ProviderId, StackEvent, WatchStream } from '@stackfeed/core';

/** One deployment the dashboard follows: any SDK client's `watchStackEvents`. */
export interface WatchedTarget {
  provider: ProviderId;
  /** What the page shows, e.g. the stack name. */
  target: string;
  /** Starts the watch (called once, when the server starts). */
  watch(signal: AbortSignal): WatchStream<StackEvent, unknown>;
}

/** Where images come from: any SDK client's `listImages`. */
export interface ImageFeed {
  provider: ProviderId;
  list(signal: AbortSignal): AsyncIterable<ImageInfo>;
}

/** What the server serves. `close` releases whatever the sources hold (emulators, SDK clients). */
export interface DashboardSources {
  targets: WatchedTarget[];
  images: ImageFeed[];
  /** Poll interval for the watches (ms). */
  pollIntervalMs: number;
  close(): Promise<void>;
}
