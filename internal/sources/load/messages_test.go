package load

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// readErr is a read's error as net reports it, naming both addresses.
func readErr(localPort int, err error) error {
	return &net.OpError{
		Op: "read", Net: "tcp", Err: err,
		Source: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: localPort},
		Addr:   &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080},
	}
}

func TestErrorMessages(t *testing.T) {
	long := strings.Repeat("é", 300) // two bytes each: a cut must not split one
	tests := []struct {
		name string
		add  []error // all of kind KindOther
		want []ErrorMessage
	}{
		{
			name: "one message counted",
			add:  []error{errors.New("boom"), errors.New("boom"), errors.New("boom")},
			want: []ErrorMessage{{"other", "boom", 3}},
		},
		{
			name: "the local address is not part of the message",
			add:  []error{readErr(50001, os.ErrDeadlineExceeded), readErr(50002, os.ErrDeadlineExceeded)},
			want: []ErrorMessage{{"other", "read tcp 127.0.0.1:8080: i/o timeout", 2}},
		},
		{
			name: "an arrow that is not an address stays",
			add:  []error{errors.New(`status line "a -> b"`)},
			want: []ErrorMessage{{"other", `status line "a -> b"`, 1}},
		},
		{
			name: "one line, no control characters",
			add:  []error{errors.New("bad\r\n\tthing\x1b[2J\x00")},
			want: []ErrorMessage{{"other", "bad thing [2J", 1}},
		},
		{
			name: "bounded on a whole character",
			add:  []error{errors.New("x" + long)},
			want: []ErrorMessage{{"other", "x" + long[:maxMessageLen-2], 1}},
		},
		{
			name: "a few per kind, most frequent first, the rest folded",
			add: []error{
				errors.New("a"), errors.New("b"), errors.New("b"), errors.New("c"), errors.New("d"),
				errors.New("e"), errors.New("f"), errors.New("e"), errors.New("e"),
			},
			want: []ErrorMessage{{"other", "e", 3}, {"other", "b", 2}, {"other", "a", 1}, {"other", "c", 1}, {"other", "d", 1}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m errorMessages
			for _, err := range tt.add {
				m.add(KindOther, err)
			}
			got := m.snapshot()
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Fatalf("got %+v\nwant %+v", got, tt.want)
			}
			for _, g := range got {
				if len(g.Message) > maxMessageLen || !utf8.ValidString(g.Message) {
					t.Fatalf("message %q", g.Message)
				}
			}
		})
	}
}

func TestErrorMessagesByKind(t *testing.T) {
	var m errorMessages
	m.add(KindReset, errors.New("reset"))
	m.add(KindTLS, errors.New("x509"))
	m.add(KindTLS, errors.New("x509"))
	m.add(KindReset, errors.New("x509")) // the same text under another kind is another message
	want := []ErrorMessage{{"tls", "x509", 2}, {"connection_reset", "reset", 1}, {"connection_reset", "x509", 1}}
	if got := m.snapshot(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

// TestErrorMessagesConcurrent: workers meeting the same new messages at
// once count each exactly, in one slot each (run with -race).
func TestErrorMessagesConcurrent(t *testing.T) {
	var m errorMessages
	errs := []error{errors.New("a"), errors.New("b"), errors.New("c")}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 3000 {
				m.add(KindOther, errs[i%3])
			}
		}()
	}
	wg.Wait()
	got := m.snapshot()
	if len(got) != 3 {
		t.Fatalf("%d messages: %v", len(got), got)
	}
	for _, g := range got {
		if g.Count != 8000 {
			t.Fatalf("%v", got)
		}
	}
}

// TestErrorMessagesAllocateOnlyWhenNew: a message seen before, local
// address and all, costs no allocation in the table.
func TestErrorMessagesAllocateOnlyWhenNew(t *testing.T) {
	var m errorMessages
	errs := []error{
		errors.New("dial tcp 127.0.0.1:8080: connect: connection refused"),
		constErr("read tcp 127.0.0.1:50312->127.0.0.1:8080: read: connection reset by peer"),
		constErr("x" + strings.Repeat("y", 2*maxMessageLen)),
	}
	for _, err := range errs {
		m.add(KindOther, err)
		if allocs := testing.AllocsPerRun(100, func() { m.add(KindOther, err) }); allocs != 0 {
			t.Errorf("%q: %v allocations", err, allocs)
		}
	}
	for _, g := range m.snapshot() {
		if g.Count != 102 {
			t.Fatalf("%v", m.snapshot())
		}
	}
}

// constErr is an error whose Error allocates nothing.
type constErr string

func (e constErr) Error() string { return string(e) }

// TestErrorMessagesOfARun: a run against a server whose certificate
// nothing trusts says why, in the Result and the Store, like oha's error
// distribution.
func TestErrorMessagesOfARun(t *testing.T) {
	for _, p := range paths {
		if !p.secure {
			continue
		}
		t.Run(p.name, func(t *testing.T) {
			o := p.options(Options{Requests: []Request{req(t, httpServer(t, true, answers(200, 0)))}, Concurrency: 2, MaxRequests: 20})
			o.Client.Insecure = false
			res, _ := runOutcome(t, p, o, nil)
			if len(res.ErrorMessages) != 1 {
				t.Fatalf("messages %+v", res.ErrorMessages)
			}
			if m := res.ErrorMessages[0]; m.Kind != "tls" || m.Count != 20 || !strings.Contains(m.Message, "x509: certificate signed by unknown authority") {
				t.Fatalf("message %+v", m)
			}
		})
	}
}
