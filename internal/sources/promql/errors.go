package promql

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"syscall"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"

	"github.com/perftop/perftop/internal/printable"
)

// Error is a failed query, in words a panel can show.
//
// Down says that the server could not be asked at all: unreachable, no
// answer in time, refused the credentials, not a Prometheus API. That fails
// every panel alike, and the Source backs off. Otherwise the server ran and
// refused this query only (a PromQL parse error, an execution error, the
// server's query timeout), and other panels are unaffected.
type Error struct {
	Down bool
	Msg  string
	Err  error // the cause, for errors.Is and errors.As
}

// Error returns the message.
func (e *Error) Error() string { return e.Msg }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// maxErrorLen is the most bytes of an error message: a server's own words
// are kept, but not a megabyte of them.
const maxErrorLen = 300

// explain turns an error of the API package into an *Error. Prometheus's
// own messages (a PromQL parse error says where and what) pass through,
// made one printable line, since a server's words may carry terminal
// escapes; transport errors lose the request URL, which says nothing new.
func (c *Client) explain(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	e = c.explainRaw(err)
	e.Msg = printable.Line(printable.Cut(e.Msg, maxErrorLen))
	return e
}

// crashed is a recovered panic as an *Error: the source is marked down and
// retried, as when the server cannot be reached.
func crashed(r any) *Error {
	return &Error{Down: true, Msg: "crashed: " + printable.Line(printable.Cut(fmt.Sprint(r), maxErrorLen)), Err: fmt.Errorf("panic: %v", r)}
}

func (c *Client) explainRaw(err error) *Error {
	down := func(msg string) *Error { return &Error{Down: true, Msg: msg, Err: err} }
	var apiErr *v1.Error
	var tooLarge *BodyLimitError
	switch {
	case errors.As(err, &tooLarge):
		return &Error{Msg: tooLarge.Error(), Err: err} // this query's answer: other panels may be fine
	case errors.Is(err, ErrUnauthorized):
		return down(ErrUnauthorized.Error())
	case errors.Is(err, ErrForbidden):
		return down(ErrForbidden.Error())
	case errors.Is(err, ErrNotFound):
		return down(ErrNotFound.Error())
	case errors.Is(err, context.DeadlineExceeded):
		return down(fmt.Sprintf("no answer from %s within %v", c.host, c.timeout))
	case errors.Is(err, context.Canceled):
		return &Error{Msg: "canceled", Err: err}
	case errors.As(err, &apiErr):
		return explainAPI(apiErr, c.host)
	}
	return down(transport(err, c.host))
}

// explainAPI explains an error answer of the server.
func explainAPI(e *v1.Error, host string) *Error {
	switch e.Type {
	case v1.ErrBadData, v1.ErrExec:
		return &Error{Msg: e.Msg, Err: e}
	case v1.ErrTimeout:
		return &Error{Msg: "query timed out on the server: " + e.Msg, Err: e}
	case v1.ErrCanceled:
		return &Error{Msg: "query canceled on the server: " + e.Msg, Err: e}
	case v1.ErrServer, v1.ErrClient:
		// The API package decodes error bodies of 400 and 422 only;
		// Prometheus answers a query timeout with 503 and a JSON body.
		var body struct {
			Status    string `json:"status"`
			ErrorType string `json:"errorType"`
			Error     string `json:"error"`
		}
		if json.Unmarshal([]byte(e.Detail), &body) == nil && body.Status == "error" && body.Error != "" {
			x := explainAPI(&v1.Error{Type: v1.ErrorType(body.ErrorType), Msg: body.Error}, host)
			x.Err = e
			return x
		}
		code := strings.TrimPrefix(strings.TrimPrefix(e.Msg, "server error: "), "client error: ")
		return &Error{Down: true, Msg: fmt.Sprintf("%s answered HTTP %s", host, code), Err: e}
	case "unavailable":
		return &Error{Down: true, Msg: fmt.Sprintf("%s unavailable: %s", host, e.Msg), Err: e}
	case v1.ErrBadResponse:
		return &Error{Down: true, Msg: fmt.Sprintf("%s did not answer like a Prometheus API: %s", host, e.Msg), Err: e}
	}
	if e.Msg == "" {
		return &Error{Down: true, Msg: fmt.Sprintf("%s: %s error", host, e.Type), Err: e}
	}
	return &Error{Msg: e.Msg, Err: e}
}

// transport explains an error on the way to the server.
func transport(err error, host string) string {
	var dnsErr *net.DNSError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Sprintf("cannot reach %s: connection refused", host)
	case errors.Is(err, syscall.ECONNRESET):
		return fmt.Sprintf("connection to %s reset", host)
	case errors.As(err, &dnsErr):
		if dnsErr.IsNotFound {
			return fmt.Sprintf("cannot resolve %s: no such host", dnsErr.Name)
		}
		return fmt.Sprintf("cannot resolve %s: %s", dnsErr.Name, dnsErr.Err)
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return fmt.Sprintf("no answer from %s in time", host)
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err // drop `Post "http://…/api/v1/query_range":`
	}
	return fmt.Sprintf("%s: %v", host, err)
}
