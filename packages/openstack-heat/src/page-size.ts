/**
 * Heat's `limit` for event and stack listings. Heat sets no maximum and no default (without `limit`
 * it answers every retained event at once; a real Heat answers `limit=100000` too), so
 * the default is a large page: 10,000 events is one request for a stack at Heat's default retention
 * (`max_events_per_stack` = 1,000) with up to nine nested stacks, and about 10 MB of JSON at most.
 */
export const PAGE_SIZE = { min: 1, max: 100_000, default: 10_000 } as const;
