package load

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"os"
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
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return KindClosed
	case errors.As(err, &netErr) && netErr.Timeout():
		return KindTimeout
	}
	return KindOther
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
