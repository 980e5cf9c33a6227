package load

import "time"

// Coordinated omission in the closed loop. A closed-loop worker sends its
// next request only when the last is answered, so while a server stalls,
// each worker has one slow request out and sends none of the requests a
// steady client would have: the stall is one sample per worker, and the
// tail hides it (p99 1.8ms against a server that stalls every request for
// 300ms every 3s, where users at a fixed rate see 270ms).
//
// perftop corrects the closed loop's latency as wrk does: an answer that
// took longer than the worker's expected interval between requests also
// records the requests the worker could not send meanwhile, each at the
// time it would have waited (HdrHistogram's corrected recording:
// d-E, d-2E, ... while at least E; metrics.Recorder.RecordCorrected).
// The uncorrected latency is kept as the service latency, "as measured".
// Only the latency distribution gains those samples: requests, errors,
// throughput and status counts stay counts of real requests, as in wrk.
//
// The expected interval E. wrk 4 (wrk.c, main) corrects once, after the
// run: E = runtime / (requests / connections), the mean interval between
// a connection's requests over the whole run, stalls included, applied to
// the whole histogram (stats.c, stats_correct). wrk 3's calibrate and
// sample_rate sampled latencies at a calibrated rate instead, and wrk2
// does not correct at all: it paces each connection at -R/connections
// and measures from each request's intended send, which is perftop's open
// loop. perftop keeps wrk 4's E but computes it per worker (an event-loop
// slot or a goroutine, with its connections) from its own answers, and
// while the test runs, so the live screen, the timeline, SLOs and a
// stress test's verdict see the corrected tail as it happens:
//
//   - E is the worker's mean cycle: each answer's time from its send, plus
//     the think time the scenario asked after it. A worker that thinks a
//     second between requests would not have sent another during a 300ms
//     stall, so the think belongs to the interval: it makes E longer and
//     the correction smaller, never phantom samples of its own (the think
//     is never in a request's latency).
//   - Only answers count. Failures (refused, timeouts, resets) are not in
//     the latency, as in wrk, nor in E; the backoff after a refusal, a
//     pause and the wait for a stage's workers are in neither either.
//   - E is known from a worker's second answer on (the first, with its
//     connect, is recorded uncorrected), and is taken before the answer
//     being recorded joins it, so a stall does not excuse itself.
//   - E is over the worker's whole mix: in a mix of a 100ms and a 100µs
//     request the slow one takes twice E and adds a sample, as it would in
//     wrk with a script; a worker of a steady pace sends E apart, whichever
//     request is next.
//   - E follows the last cadenceHorizon of a worker's answers rather than
//     all of them, so stages and ramps, which change how fast each worker
//     goes, move it within seconds; a horizon of several seconds spans
//     the stalls of a service that pauses every few seconds, as wrk's
//     whole-run mean does.
//
// On the stalling server above, wrk's E and perftop's differ by a few
// percent and so do their p99s; both are within 10% of the open loop's
// (bench/README.md has the figures).

// cadenceHorizon is how much of a worker's recent answering time its
// expected interval is the mean of: between half of it and all of it.
const cadenceHorizon = 10 * time.Second

// cadence is one closed-loop worker's expected interval between requests.
// The zero value expects nothing; only the worker's goroutine or event
// loop uses it.
type cadence struct {
	sum time.Duration // answers' cycles in the horizon
	n   int64
}

// expected is the worker's expected interval, 0 until it has answers.
func (c *cadence) expected() time.Duration {
	if c.n == 0 {
		return 0
	}
	return c.sum / time.Duration(c.n)
}

// add counts an answer's cycle: its latency and the think after it.
func (c *cadence) add(cycle time.Duration) {
	c.sum += cycle
	c.n++
	if c.sum > cadenceHorizon && c.n >= 2 {
		mean := c.sum / time.Duration(c.n)
		c.n /= 2
		c.sum = mean * time.Duration(c.n) // the mean stays
	}
}
