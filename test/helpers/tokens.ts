// The bearer tokens test servers are started with (no vitest here: benchmarks use them too).
export const ADMIN = 'test-admin-token-0123456789';
export const INGEST = 'test-ingest-token-0123456789';
