package load

import (
	"cmp"
	"slices"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/printable"
)

// Each failure kind keeps its first few distinct error messages with a
// count, as oha's error distribution does ("tls: x509: certificate signed
// by unknown authority  1964"): the kind says what failed, the message
// says why.
const (
	// maxMessages is how many distinct messages a kind keeps; further
	// ones are counted in the kind's count only.
	maxMessages = 5
	// maxMessageLen bounds a message, in bytes.
	maxMessageLen = 200
)

// ErrorMessage is one distinct failure message of a kind and how many
// failures had it.
type ErrorMessage struct {
	Kind    string `json:"kind"`
	Message string `json:"message"`
	Count   int64  `json:"count"`
}

// errorMessages counts the distinct messages of each kind. Failures can
// come thousands of times a second (a dead target before its backoff
// grows, TLS failures), so it takes no lock: a message seen before costs
// a scan of at most maxMessages slots and an atomic add, and only a new
// one allocates. Its zero value is empty; safe for concurrent use.
type errorMessages struct {
	kinds [numKinds][maxMessages]atomic.Pointer[errorMessage]
}

// errorMessage is one slot: its text never changes once stored.
type errorMessage struct {
	text  string
	count atomic.Int64
}

// add counts err's message under kind k. Slots fill in order and are never
// emptied, so two workers that meet the same new message race for the
// same slot: one stores it, the other finds it there and counts.
func (m *errorMessages) add(k Kind, err error) {
	head, tail := messageText(err)
	slots := &m.kinds[k]
	for i := range slots {
		p := slots[i].Load()
		if p == nil {
			p = &errorMessage{text: join(head, tail)}
			p.count.Store(1)
			if slots[i].CompareAndSwap(nil, p) {
				return
			}
			p = slots[i].Load()
		}
		if p.is(head, tail) {
			p.count.Add(1)
			return
		}
	}
}

// is reports whether the slot's text is head+tail, without joining them.
func (p *errorMessage) is(head, tail string) bool {
	return len(p.text) == len(head)+len(tail) && p.text[:len(head)] == head && p.text[len(head):] == tail
}

// snapshot returns the messages counted so far, most frequent first.
func (m *errorMessages) snapshot() []ErrorMessage {
	var out []ErrorMessage
	for k := range m.kinds {
		for i := range m.kinds[k] {
			if p := m.kinds[k][i].Load(); p != nil {
				out = append(out, ErrorMessage{Kind: Kind(k).String(), Message: p.text, Count: p.count.Load()})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b ErrorMessage) int { return cmp.Compare(b.Count, a.Count) })
	return out
}

// messageText is err's message as the table keeps it, in two parts to be
// joined: on one line without control characters (an error may quote
// what a server sent), without the local address a connection's error
// names ("read tcp 127.0.0.1:50312->127.0.0.1:8080: i/o timeout" is one
// message whatever the port), and at most maxMessageLen bytes. Cutting
// the address out by slicing, not building a string, keeps a message seen
// before free of allocations here (err.Error() itself may allocate).
func messageText(err error) (head, tail string) {
	s := printable.Line(err.Error())
	head = s
	if i := strings.Index(s, "->"); i > 0 {
		j := strings.LastIndexByte(s[:i], ' ') + 1
		if local := s[j:i]; strings.ContainsRune(local, ':') && !strings.ContainsRune(local, '"') {
			head, tail = s[:j], s[i+2:]
		}
	}
	if len(head) >= maxMessageLen {
		return cut(head, maxMessageLen), ""
	}
	return head, cut(tail, maxMessageLen-len(head))
}

// cut returns s at most n bytes long, ending on a whole character.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// join returns head+tail in memory of its own: head may be a slice of a
// long error text, which the table should not keep alive.
func join(head, tail string) string {
	var b strings.Builder
	b.Grow(len(head) + len(tail))
	b.WriteString(head)
	b.WriteString(tail)
	return b.String()
}

// metricsMessages converts messages for the Store's LoadTest.
func metricsMessages(in []ErrorMessage) []metrics.ErrorMessage {
	out := make([]metrics.ErrorMessage, len(in))
	for i, m := range in {
		out[i] = metrics.ErrorMessage{Kind: m.Kind, Message: m.Message, Count: m.Count}
	}
	return out
}
