// Package metrics is perftop's data model: fixed-size time-series rings,
// counter-to-rate conversion with reset handling, the host sample types and the
// Store that producers write into and views read cheap snapshots from.
//
// The package is pure: it does no I/O and imports nothing else of perftop's, so
// every producer (host sampler, Prometheus scraper, load engine) and every reader
// (dashboard, headless reporter, SSH viewers) can share it.
package metrics
