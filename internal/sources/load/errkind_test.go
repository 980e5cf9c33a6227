package load

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"net/url"
	"os"
	"syscall"
	"testing"
)

func TestClassify(t *testing.T) {
	opErr := func(e error) error {
		return &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", e)}
	}
	tests := []struct {
		name string
		err  error
		want Kind
	}{
		{"nil", nil, KindNone},
		{"deadline", context.DeadlineExceeded, KindTimeout},
		{"wrapped deadline", fmt.Errorf("read: %w", os.ErrDeadlineExceeded), KindTimeout},
		{"refused", opErr(syscall.ECONNREFUSED), KindRefused},
		{"reset", opErr(syscall.ECONNRESET), KindReset},
		{"broken pipe", opErr(syscall.EPIPE), KindReset},
		{"dns", &net.DNSError{Err: "no such host", Name: "nope.invalid", IsNotFound: true}, KindDNS},
		{"dns timeout", &net.DNSError{Err: "i/o timeout", IsTimeout: true}, KindTimeout},
		{"eof", io.EOF, KindClosed},
		{"unexpected eof", fmt.Errorf("body: %w", io.ErrUnexpectedEOF), KindClosed},
		{"tls unknown authority", &tls509{x509.UnknownAuthorityError{}}, KindTLS},
		{"protocol", fmt.Errorf("status line %q: %w", "garbage", errProtocol), KindProtocol},
		{"redirects", &url.Error{Op: "Get", URL: "http://a/", Err: fmt.Errorf("%w (limit 2)", errRedirects)}, KindRedirects},
		{"net/http malformed", errors.New(`net/http: HTTP/1.x transport connection broken: malformed HTTP response "SSH-2.0"`), KindProtocol},
		{"net/http malformed header", fmt.Errorf("read: %w", textproto.ProtocolError("malformed MIME header line: x")), KindProtocol},
		{"http2 frame", errors.New("http2: frame too large"), KindProtocol},
		{"http2 stream", errors.New("stream error: stream ID 1; PROTOCOL_ERROR; received from peer"), KindProtocol},
		{"http2 closed", errors.New(`Get "https://h/": http2: client conn could not be established`), KindClosed},
		{"interrupted", fmt.Errorf("send: %w", errInterrupted), KindInterrupted},
		{"other", errors.New("something odd"), KindOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Classify(tt.err); got != tt.want {
				t.Fatalf("Classify(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

// tls509 wraps an x509 error the way crypto/tls reports it.
type tls509 struct{ err error }

func (e *tls509) Error() string { return "tls: " + e.err.Error() }
func (e *tls509) Unwrap() error { return e.err }

func TestStatusKind(t *testing.T) {
	for code, want := range map[int]Kind{100: KindNone, 200: KindNone, 301: KindNone, 404: KindStatus4xx, 429: KindStatus4xx, 500: KindStatus5xx, 503: KindStatus5xx} {
		if got := statusKind(code); got != want {
			t.Errorf("statusKind(%d) = %v, want %v", code, got, want)
		}
	}
}

func TestKindNames(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range Kinds() {
		n := k.String()
		if n == "" || seen[n] {
			t.Errorf("kind %d has name %q", k, n)
		}
		seen[n] = true
	}
}
