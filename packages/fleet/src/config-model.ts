import type { ProviderId, TargetKind } from '@stackfeed/core';
import type { BudgetOptions } from './budget.js';

/** What a place's discovery keeps (every filter must match). */
export interface PlaceFilters {
  /** A glob (`web-*`: `*` and `?`, the whole name) on the target's name. */
  name?: string;
  /** Tags every target must carry (where the provider has tags). */
  tags?: Record<string, string>;
  /** Only targets with an operation running. */
  activeOnly?: boolean;
}

/**
 * One place to discover and follow: a provider account (AWS profile, OpenStack cloud from
 * clouds.yaml, Huawei project) in one region, with the kinds to follow and filters.
 */
export interface Place {
  /** Stable name of the place, e.g. `aws-parallelcluster:profile=prod:region=eu-west-1`. */
  key: string;
  provider: ProviderId;
  profile?: string;
  cloud?: string;
  project?: string;
  region?: string;
  /** The kinds to follow (default: every kind the provider has). */
  kinds: TargetKind[];
  filters: PlaceFilters;
  /** The request budget this place draws on: one per provider account and region. */
  budget: BudgetOptions & { key: string };
}

/** Fleet-wide settings. */
export interface FleetSettings {
  /** How long a lease lasts without a heartbeat (default 30 s); heartbeats come every third of it. */
  leaseTtlMs: number;
  /** How often each place is discovered again (default 60 s). */
  discoverEveryMs: number;
  /** The poll interval handed to each follow (default 5 s). */
  pollIntervalMs: number;
}

/** A validated `stackfeed.yaml`. */
export interface FleetConfig {
  /** The file it was read from (for messages). */
  file: string;
  settings: FleetSettings;
  places: Place[];
}

/** One problem in a config file: where (`file:line:col`) and which key (`places[1].regions[0]`). */
export interface ConfigIssue {
  file: string;
  line: number;
  col: number;
  path: string;
  message: string;
}

/** The kinds each provider can follow. */
export const PROVIDER_KINDS: Readonly<Record<ProviderId, readonly TargetKind[]>> = {
  'openstack-heat': ['stack'],
  'huawei-rfs': ['stack'],
  'aws-parallelcluster': ['image', 'cluster'],
  'aws-imagebuilder': ['image-build', 'lifecycle-execution'],
};

/** Requests per second per account and region when a config names none (below every provider's default quota). */
export const DEFAULT_BUDGET: Readonly<Required<Pick<BudgetOptions, 'limit' | 'intervalMs'>>> = {
  limit: 5,
  intervalMs: 1000,
};
