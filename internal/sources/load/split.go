package load

import (
	"bytes"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/perftop/perftop/internal/printable"
)

// Splitting answers by a response header (--split-by): a cache says HIT or
// MISS in X-Cache, a balancer names its backend in X-Served-By, and latency
// split by that value shows whether the cache or the balancer works.
//
// The header's values are bytes from the server, read on the hot path. The
// fast path's parser copies the configured headers' values into a fixed
// buffer (headerCapture) as it reads the head, net/http's path copies them
// from resp.Header; a valueTable maps the bytes to a small index. Only a
// value never seen before takes the table's lock and allocates, and the
// table holds at most Max values (then "(other)"), so a server sending a
// new value with every answer costs bounded memory and, past the table's
// cache of raw values, a lookup in a read-only map.

// Limits of splitting.
const (
	// MaxSplitHeaders is how many --split-by headers a test may have.
	MaxSplitHeaders = 4
	// DefaultSplitMax is how many distinct values of a header are kept
	// apart before the rest are counted as "(other)".
	DefaultSplitMax = 64
	// MaxSplitMax bounds --split-max: each value costs a latency
	// histogram per request name.
	MaxSplitMax = 1024
	// maxSplitValue is how many bytes of a header's value are kept: a
	// longer value is cut there, before the regular expression sees it.
	maxSplitValue = 128
	// maxRawValues bounds the cache of raw values seen (which may differ
	// but normalise, by the regular expression, to one value).
	maxRawValues = 1024
)

// The values every split has: a missing header and the values past the
// bound. Their indexes come first in every table.
const (
	NoValue    = "(none)"
	OtherValue = "(other)"
	EmptyValue = "(empty)"

	valueNone  = 0
	valueOther = 1
)

// SplitBy is one --split-by: a response header and, optionally, a regular
// expression whose first group is the value ("X-Cache=^(HIT|MISS)").
type SplitBy struct {
	Header  string         `json:"header"`
	Pattern *regexp.Regexp `json:"-"`
}

// String is the split as given on the command line.
func (s SplitBy) String() string {
	if s.Pattern == nil {
		return s.Header
	}
	return s.Header + "=" + s.Pattern.String()
}

// ParseSplitBy reads "HEADER" or "HEADER=REGEX". The header must be a
// token; the regular expression must have a group, the value.
func ParseSplitBy(arg string) (SplitBy, error) {
	name, pat, hasPat := strings.Cut(arg, "=")
	name = strings.TrimSpace(name)
	if !IsToken(name) {
		return SplitBy{}, fmt.Errorf("split by %q: %q is not a header name", printable.Line(arg), printable.Line(name))
	}
	s := SplitBy{Header: http.CanonicalHeaderKey(name)}
	if !hasPat {
		return s, nil
	}
	re, err := regexp.Compile(pat)
	if err != nil {
		return SplitBy{}, fmt.Errorf("split by %q: %v", printable.Line(arg), err)
	}
	if re.NumSubexp() < 1 {
		return SplitBy{}, fmt.Errorf("split by %q: the regular expression needs a group, the value, e.g. X-Cache=^(HIT|MISS)", printable.Line(arg))
	}
	s.Pattern = re
	return s, nil
}

// IsToken reports whether s is an HTTP token (RFC 9110 5.6.2), as a
// header's name and a method must be.
func IsToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

// headerCapture is one worker's copy of the split headers' values of the
// response it is reading: fixed buffers, reused for every response, so that
// capturing allocates nothing. The first occurrence of a header counts.
// Only its worker uses it.
type headerCapture struct {
	names []string // lower-case, the engine's, shared
	seen  [MaxSplitHeaders]bool
	n     [MaxSplitHeaders]uint8
	val   [MaxSplitHeaders][maxSplitValue]byte
}

func newHeaderCapture(splits []SplitBy) *headerCapture {
	if len(splits) == 0 {
		return nil
	}
	c := &headerCapture{}
	for _, s := range splits {
		c.names = append(c.names, strings.ToLower(s.Header))
	}
	return c
}

// clear forgets the values: a new response (or an interim one's end).
func (c *headerCapture) clear() { c.seen = [MaxSplitHeaders]bool{} }

// take looks at one header line, "Name: value" without its CRLF.
func (c *headerCapture) take(line []byte) {
	colon := bytes.IndexByte(line, ':')
	if colon <= 0 {
		return
	}
	name := line[:colon]
	for i, want := range c.names {
		if !c.seen[i] && asciiEqualFold(name, want) {
			c.set(i, trimOWS(line[colon+1:]))
		}
	}
}

// set keeps v as header i's value: its first maxSplitValue bytes.
func (c *headerCapture) set(i int, v []byte) {
	c.seen[i] = true
	c.n[i] = uint8(copy(c.val[i][:], v))
}

// value is header i's captured value, and whether it came.
func (c *headerCapture) value(i int) ([]byte, bool) {
	return c.val[i][:c.n[i]], c.seen[i]
}

// valueTable numbers one split header's values: valueNone, valueOther,
// then each value in the order first seen, at most max of them. index is
// called by every worker at once; a lookup of a known value reads an
// immutable map through an atomic pointer, without lock or allocation.
type valueTable struct {
	header string // as given, with its regular expression: one header may be split two ways
	re     *regexp.Regexp
	max    int

	mu    sync.Mutex // guards names and the maps' replacement
	names []string   // index -> value, printable
	raw   atomic.Pointer[map[string]int32]
	norm  atomic.Pointer[map[string]int32] // printable value -> index
}

func newValueTable(s SplitBy, max int) *valueTable {
	t := &valueTable{header: s.String(), re: s.Pattern, max: max, names: []string{NoValue, OtherValue}}
	raw, norm := map[string]int32{}, map[string]int32{}
	t.raw.Store(&raw)
	t.norm.Store(&norm)
	return t
}

// size is how many indexes a value may have: every index is below it.
func (t *valueTable) size() int { return t.max + 2 }

// values is the table's values by index, a copy.
func (t *valueTable) values() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.names...)
}

// index is the index of raw, a captured value.
func (t *valueTable) index(raw []byte) int32 {
	if i, ok := (*t.raw.Load())[string(raw)]; ok { // no allocation: the compiler looks up without a copy
		return i
	}
	if len(*t.raw.Load()) >= maxRawValues {
		// Every raw value is new (a request id, a time): normalise it
		// each time, adding nothing. A regular expression allocates here.
		i, ok := (*t.norm.Load())[string(t.normalise(raw))]
		if !ok {
			return valueOther
		}
		return i
	}
	return t.add(raw)
}

// normalise is raw's value: the regular expression's first group, trimmed;
// nil when it does not match.
func (t *valueTable) normalise(raw []byte) []byte {
	v := raw
	if t.re != nil {
		m := t.re.FindSubmatchIndex(raw)
		if m == nil || m[2] < 0 {
			return nil
		}
		v = raw[m[2]:m[3]]
	}
	return trimOWS(v)
}

// add numbers raw, a value not in the raw cache, under the lock.
func (t *valueTable) add(raw []byte) int32 {
	t.mu.Lock()
	defer t.mu.Unlock()
	rawMap := *t.raw.Load()
	if i, ok := rawMap[string(raw)]; ok {
		return i
	}
	idx := int32(valueOther)
	if v := t.normalise(raw); v != nil {
		s := EmptyValue
		if len(v) > 0 {
			s = printable.Line(string(v)) // bytes from a server: no control characters reach a screen or file
		}
		norm := *t.norm.Load()
		if i, ok := norm[s]; ok {
			idx = i
		} else if len(t.names)-2 < t.max {
			idx = int32(len(t.names))
			t.names = append(t.names, s)
			next := make(map[string]int32, len(norm)+1)
			for k, v := range norm {
				next[k] = v
			}
			next[s] = idx
			t.norm.Store(&next)
		}
	}
	next := make(map[string]int32, len(rawMap)+1)
	for k, v := range rawMap {
		next[k] = v
	}
	next[string(raw)] = idx
	t.raw.Store(&next)
	return idx
}
