package load

import "time"

// Phases are the parts of one request's time, as net/http/httptrace names
// them. DNS, Connect and TLS are set only when the request opened a new
// connection; TTFB is from the request being written to the first byte of
// the response.
type Phases struct {
	DNS, Connect, TLS, TTFB time.Duration
	NewConn                 bool
}
