// Package load is perftop's quick-test runner: an HTTP load generator that
// drives a target in closed loop (N workers, each sending its next request as
// soon as the last one is answered) or open loop (requests at a set rate,
// whatever the target does), through ramps and stages, and records what it
// sees into the metrics.Store the dashboard reads.
//
// The hot path records each request with a few atomic adds into per-shard
// counters and lock-free latency Recorders; a collector drains them into HDR
// histograms once per second. In open loop every request's latency is
// measured from the moment the pacer meant to send it, so a stalled server
// shows in the tail as users would feel it (no coordinated omission).
package load
