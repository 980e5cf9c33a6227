package load

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/textproto"
	"os"
	"strings"
	"syscall"
)

// Kind is a class of failed request. Every failure is counted under exactly
// one kind, and none stops the test.
type Kind uint8

// The kinds, in the order summaries print them.
const (
	KindNone      Kind = iota
	KindStatus4xx      // the server answered 4xx
	KindStatus5xx      // the server answered 5xx
	KindTimeout        // no complete answer within --timeout
	KindRefused        // connection refused: nothing listening
	KindReset          // connection reset by the peer
	KindClosed         // the server closed the connection mid-answer (EOF)
	KindTLS            // handshake or certificate failure
	KindDNS            // the host name did not resolve
	KindProtocol       // the answer was not valid HTTP (or a 101 switch the test cannot follow)
	KindRedirects      // --max-redirects redirects followed, and still a redirect
	KindOther          // anything else, counted rather than lost
	// KindInterrupted: still in flight when the run stopped, and cut off
	// after the grace period. Counted as a failure: the request was sent
	// and never answered.
	KindInterrupted
	numKinds
)

var kindNames = [numKinds]string{
	KindNone: "none", KindStatus4xx: "status_4xx", KindStatus5xx: "status_5xx", KindTimeout: "timeout",
	KindRefused: "connection_refused", KindReset: "connection_reset", KindClosed: "connection_closed",
	KindTLS: "tls", KindDNS: "dns", KindProtocol: "protocol", KindRedirects: "redirects", KindOther: "other", KindInterrupted: "interrupted",
}

// String returns the kind's name as results files and summaries use it.
func (k Kind) String() string {
	if k < numKinds {
		return kindNames[k]
	}
	return "other"
}

// Kinds returns every failure kind, for tables.
func Kinds() []Kind {
	out := make([]Kind, 0, numKinds-1)
	for k := KindStatus4xx; k < numKinds; k++ {
		out = append(out, k)
	}
	return out
}

// errProtocol marks a response that is not valid HTTP/1.1.
var errProtocol = errors.New("malformed HTTP response")

// errInterrupted is the failure of a request the engine cut off: in flight
// when the test stopped and still unanswered when the grace period ended,
// or at once by Abort.
var errInterrupted = errors.New("in flight when the test stopped")

// Classify returns the kind of a transport error; nil is KindNone.
func Classify(err error) Kind {
	if err == nil {
		return KindNone
	}
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var recErr tls.RecordHeaderError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	var alert tls.AlertError
	var netErr net.Error
	switch {
	case errors.Is(err, errInterrupted):
		return KindInterrupted
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return KindTimeout
	case errors.As(err, &dnsErr):
		if dnsErr.IsTimeout {
			return KindTimeout
		}
		return KindDNS
	case errors.Is(err, syscall.ECONNREFUSED):
		return KindRefused
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return KindReset
	case errors.As(err, &certErr), errors.As(err, &recErr), errors.As(err, &unknownAuth),
		errors.As(err, &hostErr), errors.As(err, &invalid), errors.As(err, &alert):
		return KindTLS
	case errors.Is(err, errProtocol):
		return KindProtocol
	case errors.Is(err, errRedirects):
		return KindRedirects
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return KindClosed
	case errors.As(err, &netErr) && netErr.Timeout():
		return KindTimeout
	case errors.As(err, new(textproto.ProtocolError)):
		return KindProtocol
	}
	if k := netHTTPKind(err.Error()); k != KindNone {
		return k
	}
	return KindOther
}

// netHTTPKinds are texts of net/http's errors that have no type to match,
// with their kinds: answers that are not valid HTTP (HTTP/1.1's malformed
// status lines and headers, HTTP/2's frame and protocol errors) and
// HTTP/2 connections the server closed.
var netHTTPKinds = []struct {
	text string
	kind Kind
}{
	{"malformed HTTP", KindProtocol},
	{"PROTOCOL_ERROR", KindProtocol},
	{"FRAME_SIZE_ERROR", KindProtocol},
	{"COMPRESSION_ERROR", KindProtocol},
	{"http2: frame too large", KindProtocol},
	{"http2: client conn could not be established", KindClosed},
	{"http2: client connection lost", KindClosed},
	{"http2: server sent GOAWAY and closed the connection", KindClosed},
	// A connection that failed under one stream is closed under the others.
	{"http2: client connection force closed", KindClosed},
}

// netHTTPKind is the kind of a net/http error by its text, KindNone when
// it is none of netHTTPKinds.
func netHTTPKind(msg string) Kind {
	for _, k := range netHTTPKinds {
		if strings.Contains(msg, k.text) {
			return k.kind
		}
	}
	return KindNone
}

// statusKind returns the failure kind of an HTTP status: 4xx and 5xx are
// failures, everything else (1xx-3xx) is an answer.
func statusKind(code int) Kind {
	switch {
	case code >= 500:
		return KindStatus5xx
	case code >= 400:
		return KindStatus4xx
	}
	return KindNone
}
