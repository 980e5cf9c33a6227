package promql

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/config"
	"github.com/prometheus/common/model"
)

// DefaultTimeout bounds one query when ClientOptions.Timeout is zero.
const DefaultTimeout = 10 * time.Second

// ClientOptions says which Prometheus server to ask, and how.
type ClientOptions struct {
	// Server is the server's base URL, e.g. http://localhost:9090, with a
	// path prefix if the server has one.
	Server string
	// HTTPClient, when set, makes every request as it is; HTTPConfig is
	// then ignored.
	HTTPClient *http.Client
	// HTTPConfig configures authentication (bearer token or its file,
	// basic auth with a password file) and TLS (CA, client certificate,
	// insecure_skip_verify) the way Prometheus's own configuration does.
	// Start from config.DefaultHTTPClientConfig. Nil means the defaults.
	// Secrets are read from their files on every request, so a rotated
	// token is picked up, and never appear in errors.
	HTTPConfig *config.HTTPClientConfig
	// Timeout bounds each query, on the server and on the wire:
	// DefaultTimeout when zero.
	Timeout time.Duration
	// BodyLimit bounds the body of each answer, after decompression:
	// DefaultBodyLimit when zero or negative. A larger answer fails its
	// panel with "answer larger than 16 MiB limit". Decoding an answer
	// takes up to 8 times its size for a moment.
	BodyLimit int64
}

// Client asks one Prometheus server's HTTP API. It is safe for concurrent
// use. Create one with NewClient; the zero value is not ready for use.
type Client struct {
	api     v1.API
	http    *http.Client
	host    string // the server's host:port, for messages; never its user info
	timeout time.Duration
}

// NewClient returns a Client for o. It fails on a malformed server URL or
// an invalid HTTPConfig, without repeating the URL's user info.
func NewClient(o ClientOptions) (*Client, error) {
	u, err := url.Parse(o.Server)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // the message without the URL, which may hold a password
		}
		return nil, fmt.Errorf("prometheus server URL: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("prometheus server URL %q: want http://host:port or https://host:port", u.Redacted())
	}
	hc := o.HTTPClient
	if hc == nil {
		cfg := config.DefaultHTTPClientConfig
		if o.HTTPConfig != nil {
			cfg = *o.HTTPConfig
		}
		if err := cfg.Validate(); err != nil {
			return nil, fmt.Errorf("prometheus http config: %w", err)
		}
		hc, err = config.NewClientFromConfig(cfg, "perftop", config.WithUserAgent("perftop"))
		if err != nil {
			return nil, fmt.Errorf("prometheus http client: %w", err)
		}
	}
	limit := o.BodyLimit
	if limit <= 0 {
		limit = DefaultBodyLimit
	}
	hc = limitClient(hc, limit)
	ac, err := api.NewClient(api.Config{Address: u.String(), Client: hc})
	if err != nil {
		return nil, fmt.Errorf("prometheus client: %w", err)
	}
	c := &Client{api: v1.NewAPI(statusClient{ac}), http: hc, host: u.Host, timeout: o.Timeout}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	return c, nil
}

// CloseIdleConnections closes the connections the Client keeps for the
// next query; it may still be used afterwards.
func (c *Client) CloseIdleConnections() { c.http.CloseIdleConnections() }

// queryRange runs a range query; a failure is an *Error.
func (c *Client) queryRange(ctx context.Context, expr string, r v1.Range) (model.Matrix, v1.Warnings, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	v, warns, _, err := c.api.QueryRange(ctx, expr, r, v1.WithTimeout(c.timeout))
	if err != nil {
		return nil, warns, c.explain(err)
	}
	if v == nil {
		return nil, warns, c.noData()
	}
	m, ok := v.(model.Matrix)
	if !ok {
		return nil, warns, &Error{Msg: fmt.Sprintf("range query returned a %s, want a matrix", v.Type())}
	}
	return m, warns, nil
}

// query runs an instant query at at; a failure is an *Error.
func (c *Client) query(ctx context.Context, expr string, at time.Time) (model.Value, v1.Warnings, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	v, warns, _, err := c.api.Query(ctx, expr, at, v1.WithTimeout(c.timeout))
	if err != nil {
		return nil, warns, c.explain(err)
	}
	if v == nil {
		return nil, warns, c.noData()
	}
	return v, warns, nil
}

// noData is a success answer without a result, e.g. {"status":"success"}
// or {}: client_golang returns no value and no error for it.
func (c *Client) noData() *Error {
	return &Error{Down: true, Msg: fmt.Sprintf("%s did not answer like a Prometheus API: no result", c.host)}
}

// Statuses that the API package reports only as "client error: 401":
// statusClient turns them into these, so the user reads what to do.
var (
	ErrUnauthorized = errors.New("unauthorized (401): check the bearer token or basic auth credentials")
	ErrForbidden    = errors.New("forbidden (403): the credentials may not query this server")
	ErrNotFound     = errors.New("no Prometheus query API here (404): check the server URL and its path prefix")
)

// statusClient is an api.Client that fails answers whose status says the
// request never reached the query engine. It keeps the response, so the API
// package's fallback from POST to GET on 403 still happens.
type statusClient struct{ api.Client }

// Do makes the request and fails 401, 403 and 404 answers.
func (c statusClient) Do(ctx context.Context, req *http.Request) (*http.Response, []byte, error) {
	resp, body, err := c.Client.Do(ctx, req)
	if err != nil || resp == nil {
		return resp, body, err
	}
	switch resp.StatusCode {
	case http.StatusUnauthorized:
		return resp, body, ErrUnauthorized
	case http.StatusForbidden:
		return resp, body, ErrForbidden
	case http.StatusNotFound:
		return resp, body, ErrNotFound
	}
	return resp, body, nil
}

// QueryAt runs an instant query at at, for sources other than the panels
// (a node read from the server); a failure is an *Error.
func (c *Client) QueryAt(ctx context.Context, expr string, at time.Time) (model.Value, error) {
	v, _, err := c.query(ctx, expr, at)
	return v, err
}
