package load

import "time"

// Outcomes. Every request the engine sends ends in exactly one counted
// outcome, and every path (the event loops, the goroutine workers of both
// loops, the fast path and net/http) records it here, through a shard's
// sent and record, and nowhere else:
//
//   - an answer, with its status. 4xx and 5xx are answers that also count
//     as failures of kind status_4xx and status_5xx.
//   - a failure, of the kind Classify gives its error: timeout, refused,
//     reset, closed, tls, dns, protocol, redirects, other.
//   - interrupted (errInterrupted): in flight when the test stopped and
//     cut off after the grace period, or at once by Abort. A failure too:
//     the request was sent and never answered.
//
// Only answers enter latency, service latency and the phases: a refused
// connect takes microseconds and a timeout takes --timeout, and neither is
// how fast the target answers. A request is sent (started) when it starts,
// dial included, and finished once with its outcome, so started - finished
// is the requests in flight, and it is 0 when Run returns.

// sent counts a request that starts now.
func (s *shard) sent() { s.started.Add(1) }

// scheduled records an open-loop send's delay behind its intended time,
// the scheduling delay, and counts it late past LateAfter.
func (s *shard) scheduled(d time.Duration) {
	s.sched.Record(max(d, 0))
	if d > LateAfter {
		s.late.Add(1)
	}
}

// record counts how a request that was sent ended: err nil is an answer
// with status, anything else a failure of Classify(err)'s kind,
// errInterrupted included. latency is from the intended send (open loop)
// or the send (closed), service from the actual send; expected, when
// positive, is a closed-loop worker's expected interval, and latency is
// recorded with the samples it stood for (correct.go). It returns the
// outcome's kind, KindNone for an answer below 400.
//
// req is the request's index in the plan: the outcome is also counted in
// its group (groups.go), and an answer split by the values hc captured of
// the --split-by headers (hc nil: none).
//
// An answer costs atomic adds only: no lock, no allocation. A failure's
// message is counted in the engine's errorMessages, which allocates only
// for a message it has not seen; a split value's table allocates only for
// a value it has not seen.
func (s *shard) record(latency, service, expected time.Duration, status int, n int64, ph *Phases, err error, req int, hc *headerCapture) Kind {
	s.bytesIn.Add(n)
	if err != nil {
		kind := Classify(err)
		s.kinds[kind].Add(1)
		s.failed.Add(1)
		s.msgs.add(kind, err)
		if s.groups != nil {
			s.recordGroup(req, 0, n, kind, false, nil)
		}
		s.finished.Add(1)
		return kind
	}
	s.latency.RecordCorrected(latency, expected)
	s.service.Record(service)
	if ph.NewConn {
		if ph.DNS > 0 {
			s.dns.Record(ph.DNS)
		}
		s.connect.Record(ph.Connect)
		if ph.TLS > 0 {
			s.tls.Record(ph.TLS)
		}
	}
	if ph.TTFB > 0 {
		s.ttfb.Record(ph.TTFB)
	}
	s.status[min(max(status, 0), maxStatus-1)].Add(1)
	kind := statusKind(status)
	if kind != KindNone {
		s.failed.Add(1)
		s.kinds[kind].Add(1)
	}
	if s.groups != nil {
		s.recordGroup(req, latency, n, kind, true, hc)
	}
	s.finished.Add(1)
	return kind
}

// isAnswer reports whether an outcome's kind is an answer (any status).
func isAnswer(k Kind) bool { return k == KindNone || k == KindStatus4xx || k == KindStatus5xx }

// Refused connects back off, per closed-loop worker (event-loop slot or
// goroutine): a target that is down refuses at once, and without a pause
// each worker would try it again tens of thousands of times a second at
// full CPU. The wait doubles from minBackoff to maxBackoff with every
// refusal and ends with the first answer. The open loop does not back
// off: its rate already bounds the attempts, and keeping to the schedule
// is what it is for.
const (
	minBackoff = time.Millisecond
	maxBackoff = time.Second
)

// backoff is one worker's wait after refused connects. The zero value
// waits for nothing.
type backoff struct{ wait time.Duration }

// after returns how long the worker waits before its next request, given
// the kind of the last one's outcome: refused doubles the wait, an answer
// resets it, other failures leave it as it is and do not wait.
func (b *backoff) after(k Kind) time.Duration {
	switch {
	case k == KindRefused:
		b.wait = min(max(2*b.wait, minBackoff), maxBackoff)
		return b.wait
	case isAnswer(k):
		b.wait = 0
	}
	return 0
}

// pause is a goroutine worker's timer, for think times and backoff: made
// the first time it is needed and reused after, so a pause between
// requests does not allocate.
type pause struct{ t *time.Timer }

// wait sleeps for d; false when stop closed first.
func (p *pause) wait(d time.Duration, stop <-chan struct{}) bool {
	if p.t == nil {
		p.t = time.NewTimer(d)
	} else {
		p.t.Reset(d) // Go 1.23 timers: no stale tick to drain
	}
	select {
	case <-p.t.C:
		return true
	case <-stop:
		p.t.Stop()
		return false
	}
}
