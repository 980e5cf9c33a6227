// Package prom scrapes a Prometheus /metrics target directly, no server
// needed, and derives what a performance engineer reads first: request
// rate, error ratio, latency percentiles and concurrency (RED), the
// process's CPU and memory, and a breakdown by handler. Health is always
// known: a target that is down, slow, huge or answering garbage is reported
// in words and retried with backoff.
package prom

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/perftop/perftop/internal/printable"
)

// Limits and defaults of a scrape.
const (
	DefaultBodyLimit   = 10 << 20 // bytes
	DefaultSeriesLimit = 100_000
	DefaultTimeout     = 10 * time.Second
)

// acceptHeader prefers delimited protobuf (native histograms, no text
// parsing), then OpenMetrics 1.0.0, then the classic text format, as
// Prometheus itself asks.
const acceptHeader = `application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,` +
	`application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.3,*/*;q=0.1`

// Exposition is one scrape's result.
type Exposition struct {
	Families []*dto.MetricFamily
	Series   int
	Format   string // "protobuf", "openmetrics" or "text"
	Bytes    int64
}

// fetch scrapes url once within lim. Every error is one line a panel can
// show as is.
func fetch(ctx context.Context, c *http.Client, url string, lim limits) (*Exposition, error) {
	ctx, cancel := context.WithTimeout(ctx, lim.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("bad URL: %w", err)
	}
	req.Header.Set("Accept", acceptHeader)
	resp, err := c.Do(req)
	if err != nil {
		return nil, describe(err, lim.timeout)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusUnauthorized:
		return nil, errors.New("401 unauthorized: check the bearer token or password")
	case resp.StatusCode == http.StatusForbidden:
		return nil, errors.New("403 forbidden: check the credentials")
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("HTTP %s", printable.Line(printable.Cut(resp.Status, maxErrorLen)))
	}
	ctype := resp.Header.Get("Content-Type")
	mediaType, _, _ := mime.ParseMediaType(ctype)
	switch mediaType {
	case "text/html", "application/json", "application/xml", "text/xml":
		return nil, fmt.Errorf("not a Prometheus exposition: got %s", mediaType)
	}
	format := expfmt.ResponseFormat(resp.Header)
	name := "text"
	switch {
	case mediaType == "application/openmetrics-text":
		// expfmt.ResponseFormat does not know OpenMetrics, whatever the
		// version: it is decoded by readOpenMetrics.
		format, name = expfmt.NewFormat(expfmt.TypeOpenMetrics), "openmetrics"
	case format.FormatType() == expfmt.TypeProtoDelim:
		name = "protobuf"
	case format.FormatType() == expfmt.TypeUnknown:
		format = expfmt.NewFormat(expfmt.TypeTextPlain) // text/plain without a version, or none
	}
	exp, err := readExposition(resp.Body, format, resp.ContentLength, lim)
	if err != nil {
		if ctx.Err() != nil {
			return nil, describe(ctx.Err(), lim.timeout)
		}
		return nil, err
	}
	exp.Format = name
	return exp, nil
}

// parseError keeps a parser's message on one line, with its line number,
// and short: expfmt quotes the offending token, which may be megabytes.
func parseError(err error) error {
	var pe expfmt.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("parse error at line %d: %s", pe.Line, printable.Line(printable.Cut(pe.Msg, maxErrorLen)))
	}
	return fmt.Errorf("parse error: %s", printable.Line(printable.Cut(err.Error(), maxErrorLen)))
}

// maxErrorLen is the most bytes of a target's words that an error repeats.
const maxErrorLen = 200

// quoteShort quotes the start of s for an error message.
func quoteShort(s string) string { return strconv.Quote(printable.Cut(s, maxErrorLen/4)) }

// describe turns a transport error into the words a panel shows.
func describe(err error, timeout time.Duration) error {
	var dnsErr *net.DNSError
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, syscall.ETIMEDOUT):
		return fmt.Errorf("timeout after %s", timeout)
	case errors.Is(err, syscall.ECONNREFUSED):
		return errors.New("connection refused")
	case errors.Is(err, syscall.ECONNRESET):
		return errors.New("connection reset")
	case errors.As(err, &dnsErr):
		return fmt.Errorf("no such host %s", printable.Line(dnsErr.Name))
	case errors.Is(err, context.Canceled):
		return err
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("timeout after %s", timeout)
	}
	return errors.New(printable.Line(printable.Cut(err.Error(), maxErrorLen)))
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func sizeLabel(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// Limits bound one scrape by Fetch; a zero field takes the default of
// Options' field of the same name.
type Limits struct {
	BodyLimit, SeriesLimit, LabelLimit int64
	Timeout                            time.Duration
}

// Fetch scrapes url once, within l, for sources other than the Scraper
// that read a target's families themselves (a node_exporter as a host).
// Its errors are the Scraper's, one line each.
func Fetch(ctx context.Context, c *http.Client, url string, l Limits) (*Exposition, error) {
	lim := limits{body: l.BodyLimit, series: l.SeriesLimit, labels: l.LabelLimit, timeout: l.Timeout}
	if lim.body <= 0 {
		lim.body = DefaultBodyLimit
	}
	if lim.series <= 0 {
		lim.series = DefaultSeriesLimit
	}
	if lim.labels <= 0 {
		lim.labels = DefaultLabelLimit
	}
	if lim.timeout <= 0 {
		lim.timeout = DefaultTimeout
	}
	if c == nil {
		c = http.DefaultClient
	}
	return fetch(ctx, c, url, lim)
}
