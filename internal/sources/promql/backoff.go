package promql

import "time"

// jitter is the share by which a backoff varies either way, so that many
// dashboards whose server went down together do not retry in lockstep.
const jitter = 0.2

// backoff returns the wait before the next attempt after n consecutive
// failures (n >= 1): base doubled per failure, capped at ceiling, then
// scaled by a factor in [1-jitter, 1+jitter) chosen by r in [0, 1).
func backoff(n int, base, ceiling time.Duration, r float64) time.Duration {
	d := base
	for i := 1; i < n && d < ceiling; i++ {
		d *= 2
	}
	d = min(d, ceiling)
	return time.Duration(float64(d) * (1 - jitter + 2*jitter*r))
}
