package promql

import (
	"fmt"
	"io"
	"net/http"
)

// DefaultBodyLimit bounds an answer's body when ClientOptions.BodyLimit is
// zero.
const DefaultBodyLimit = 16 << 20

// BodyLimitError is an answer larger than the body limit.
type BodyLimitError struct{ Limit int64 }

func (e *BodyLimitError) Error() string {
	return fmt.Sprintf("answer larger than %s limit", sizeLabel(e.Limit))
}

// limitClient returns a copy of hc whose answers fail with a
// *BodyLimitError past limit bytes. client_golang's API client reads a whole
// body into memory before decoding it, with no limit of its own; the limit
// is therefore in the transport, where the body is still a stream: an
// answer that says it is too large (Content-Length) fails before a byte is
// read, one that does not fails at the first byte past the limit, whatever
// it says. The limit applies after decompression, so a gzip bomb is caught
// too. hc itself is left as it is.
func limitClient(hc *http.Client, limit int64) *http.Client {
	c := *hc
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	c.Transport = &limitTransport{base: base, limit: limit}
	return &c
}

// limitTransport is the RoundTripper of limitClient.
type limitTransport struct {
	base  http.RoundTripper
	limit int64
}

// RoundTrip makes the request with the base transport and limits the body
// of its answer.
func (t *limitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	if resp.ContentLength > t.limit {
		resp.Body.Close()
		return nil, &BodyLimitError{Limit: t.limit}
	}
	resp.Body = &limitedBody{rc: resp.Body, left: t.limit, limit: t.limit}
	return resp, nil
}

// CloseIdleConnections closes the base transport's idle connections, as
// http.Client.CloseIdleConnections would without the wrapper.
func (t *limitTransport) CloseIdleConnections() {
	if c, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// limitedBody fails the read that goes past limit bytes.
type limitedBody struct {
	rc          io.ReadCloser
	left, limit int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, &BodyLimitError{Limit: b.limit}
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1] // one byte more tells a body of exactly limit bytes from a larger one
	}
	n, err := b.rc.Read(p)
	if b.left -= int64(n); b.left < 0 {
		return n - 1, &BodyLimitError{Limit: b.limit}
	}
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }

// sizeLabel writes a size in bytes, in MiB when whole.
func sizeLabel(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}
