package load

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
)

// KeyPlaceholder is what a URL, a header value or a body says where each
// request's key goes. In a URL's path it may also be written escaped, as
// url.URL escapes it (%7Bkey%7D).
const KeyPlaceholder = "{key}"

// escapedKey is KeyPlaceholder as a URL path carries it once parsed.
const escapedKey = "%7Bkey%7D"

// DefaultZipfS is the exponent of --key-dist zipf without one: a skew
// between YCSB's 0.99 and the steeper web caches.
const DefaultZipfS = 1.1

// KeyOptions draw a key 0..N-1 for each request, substituted where the
// request says {key}: uniformly, or by popularity as Zipf's law has it
// (key 0 the most requested), so that a cache in front of the target sees
// a realistic skew. The zero value draws no keys.
type KeyOptions struct {
	N int // keys 0..N-1; 0 for none
	// ZipfS is Zipf's exponent s > 0, P(key k) ∝ 1/(k+1)^s; 0 draws
	// uniformly.
	ZipfS float64
	// Seed makes the draws reproducible: each sender (worker) draws its
	// own sequence from Seed and its number, so the same seed sends the
	// same keys per worker (not in the same order across workers, which
	// the target's pace interleaves).
	Seed uint64
}

// ParseKeyDist reads --key-dist: "uniform", "zipf" (DefaultZipfS) or
// "zipf:S" with S > 0. It returns Zipf's exponent, 0 for uniform.
func ParseKeyDist(s string) (float64, error) {
	name, arg, hasArg := strings.Cut(s, ":")
	switch {
	case name == "uniform" && !hasArg:
		return 0, nil
	case name == "zipf" && !hasArg:
		return DefaultZipfS, nil
	case name == "zipf":
		v, err := strconv.ParseFloat(arg, 64)
		if err != nil || !(v > 0) || math.IsInf(v, 0) || v > 100 {
			return 0, fmt.Errorf("zipf exponent %q: want a number above 0, e.g. zipf:1.1 (zipf:0.99 as YCSB)", arg)
		}
		return v, nil
	}
	return 0, fmt.Errorf("%q: want uniform, zipf or zipf:S (e.g. zipf:1.1)", s)
}

// check reports what makes o no key options.
func (o KeyOptions) check() error {
	switch {
	case o.N < 0:
		return fmt.Errorf("invalid number of keys %d: must be 1 or more", o.N)
	case o.ZipfS < 0 || math.IsNaN(o.ZipfS) || math.IsInf(o.ZipfS, 0):
		return fmt.Errorf("invalid zipf exponent %v: must be above 0", o.ZipfS)
	}
	return nil
}

// HasKey reports whether r says {key} anywhere a key is substituted: the
// URL's path or query, a header value, the body.
func HasKey(r Request) bool {
	if r.URL != nil && (strings.Contains(r.URL.RequestURI(), KeyPlaceholder) || containsFold(r.URL.RequestURI(), escapedKey)) {
		return true
	}
	for _, vs := range r.Header {
		for _, v := range vs {
			if strings.Contains(v, KeyPlaceholder) {
				return true
			}
		}
	}
	return bytes.Contains(r.Body, []byte(KeyPlaceholder))
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToUpper(s), strings.ToUpper(sub))
}

// keyer draws one sender's keys. It is used by one goroutine.
type keyer struct {
	rng  *rand.Rand
	n    uint64
	zipf *zipf // nil: uniform
}

// keySource hands each new sender its own keyer; nil without keys.
type keySource struct {
	o    KeyOptions
	next atomic.Uint64 // senders made so far
}

func newKeySource(o KeyOptions) *keySource {
	if o.N <= 0 {
		return nil
	}
	return &keySource{o: o}
}

// keyer returns the next sender's keyer: its own generator, seeded from
// the seed and the sender's number.
func (s *keySource) keyer() *keyer {
	if s == nil {
		return nil
	}
	k := &keyer{rng: rand.New(rand.NewPCG(s.o.Seed, s.next.Add(1))), n: uint64(s.o.N)}
	if s.o.ZipfS > 0 {
		k.zipf = newZipf(s.o.ZipfS, s.o.N)
	}
	return k
}

// key draws the next key, 0..N-1, without allocating.
func (k *keyer) key() uint64 {
	if k.zipf != nil {
		return k.zipf.sample(k.rng) - 1
	}
	return k.rng.Uint64N(k.n)
}

// zipf samples ranks 1..n with P(k) ∝ k^-s by rejection-inversion
// (Hörmann and Derflinger, "Rejection-inversion to generate variates from
// monotone discrete distributions", 1996), in constant time and memory for
// any n. It is written out rather than taken from math/rand's Zipf, which
// requires s > 1: over a finite key space exponents at or below 1 are the
// common case (YCSB's default is 0.99), and a table of n cumulative
// weights would cost 8 bytes a key.
type zipf struct {
	s, n               float64
	hX1, hN, threshold float64
}

func newZipf(s float64, n int) *zipf {
	z := &zipf{s: s, n: float64(n)}
	z.hX1 = z.hIntegral(1.5) - 1
	z.hN = z.hIntegral(z.n + 0.5)
	z.threshold = 2 - z.hIntegralInverse(z.hIntegral(2.5)-z.h(2))
	return z
}

func (z *zipf) sample(r *rand.Rand) uint64 {
	for {
		u := z.hN + r.Float64()*(z.hX1-z.hN)
		x := z.hIntegralInverse(u)
		k := math.Floor(x + 0.5)
		k = min(max(k, 1), z.n)
		if k-x <= z.threshold || u >= z.hIntegral(k+0.5)-z.h(k) {
			return uint64(k)
		}
	}
}

// h is the unnormalised probability, x^-s; hIntegral its integral
// ((x^(1-s) - 1) / (1-s), log x at s = 1) and hIntegralInverse the
// integral's inverse, written with log1p and expm1 to stay exact near s = 1.
func (z *zipf) h(x float64) float64 { return math.Exp(-z.s * math.Log(x)) }

func (z *zipf) hIntegral(x float64) float64 {
	lx := math.Log(x)
	return expm1Over((1-z.s)*lx) * lx
}

func (z *zipf) hIntegralInverse(x float64) float64 {
	t := max(x*(1-z.s), -1)
	return math.Exp(log1pOver(t) * x)
}

// log1pOver is log1p(x)/x, and expm1Over expm1(x)/x, with their limits at 0.
func log1pOver(x float64) float64 {
	if math.Abs(x) > 1e-8 {
		return math.Log1p(x) / x
	}
	return 1 - x*(0.5-x*(1.0/3-0.25*x))
}

func expm1Over(x float64) float64 {
	if math.Abs(x) > 1e-8 {
		return math.Expm1(x) / x
	}
	return 1 + x*0.5*(1+x*(1.0/3)*(1+0.25*x))
}

// keyedWire is a serialised request with holes where its key goes, and
// where its Content-Length goes when the body holds keys: filled into a
// sender's buffer for each request without allocating once the buffer has
// grown to the longest key.
type keyedWire struct {
	segs  [][]byte // the bytes between holes
	holes []hole   // holes[i] follows segs[i]
	// The body's length without its keys, and how many keys it holds.
	bodyLen, bodyKeys int
}

type hole uint8

const (
	keyHole hole = iota
	lengthHole
)

// lengthMark stands for the Content-Length value while the request is
// serialised; no header value can hold a NUL.
const lengthMark = "\x00len\x00"

// newKeyedWire serialises r as serialise does, with holes for its keys;
// nil when r says no {key}.
func newKeyedWire(r Request, host, userAgent string, keepAlive bool) *keyedWire {
	if !HasKey(r) {
		return nil
	}
	bodyKeys := bytes.Count(r.Body, []byte(KeyPlaceholder))
	k := &keyedWire{bodyKeys: bodyKeys, bodyLen: len(r.Body) - bodyKeys*len(KeyPlaceholder)}
	if bodyKeys > 0 {
		r.Header = r.Header.Clone()
		if r.Header == nil {
			r.Header = http.Header{}
		}
		r.Header.Set("Content-Length", lengthMark)
	}
	raw := serialiseWith(r, host, userAgent, keepAlive, bodyKeys > 0).raw
	// The request line may carry the key escaped (a URL path's braces),
	// the header block the length; the body only {key}, whatever else it
	// holds.
	line := bytes.Index(raw, []byte("\r\n"))
	head := bytes.Index(raw, []byte("\r\n\r\n")) + 4
	var cur []byte
	for _, part := range []struct {
		b               []byte
		escaped, length bool
	}{{raw[:line], true, false}, {raw[line:head], false, true}, {raw[head:], false, false}} {
		b := part.b
		for len(b) > 0 {
			i, n, h := nextHole(b, part.escaped, part.length)
			if i < 0 {
				cur = append(cur, b...)
				break
			}
			k.segs = append(k.segs, append(cur, b[:i]...))
			k.holes = append(k.holes, h)
			cur, b = nil, b[i+n:]
		}
	}
	k.segs = append(k.segs, cur)
	return k
}

// nextHole finds the first hole in b: its offset, length and kind; -1
// when there is none. escaped also finds the key escaped, length the
// Content-Length mark.
func nextHole(b []byte, escaped, length bool) (int, int, hole) {
	best, n, h := -1, 0, keyHole
	consider := func(i, l int, kind hole) {
		if i >= 0 && (best < 0 || i < best) {
			best, n, h = i, l, kind
		}
	}
	consider(bytes.Index(b, []byte(KeyPlaceholder)), len(KeyPlaceholder), keyHole)
	if escaped {
		consider(indexFold(b, escapedKey), len(escapedKey), keyHole)
	}
	if length {
		consider(bytes.Index(b, []byte(lengthMark)), len(lengthMark), lengthHole)
	}
	return best, n, h
}

// indexFold is bytes.Index for an ASCII sub, ignoring case.
func indexFold(b []byte, sub string) int {
	for i := 0; i+len(sub) <= len(b); i++ {
		if bytes.EqualFold(b[i:i+len(sub)], []byte(sub)) {
			return i
		}
	}
	return -1
}

// fill writes the request for key into dst's storage and returns it.
func (k *keyedWire) fill(dst []byte, key uint64) []byte {
	dst = dst[:0]
	for i, s := range k.segs {
		dst = append(dst, s...)
		if i >= len(k.holes) {
			break
		}
		switch k.holes[i] {
		case keyHole:
			dst = strconv.AppendUint(dst, key, 10)
		case lengthHole:
			dst = strconv.AppendInt(dst, int64(k.bodyLen+k.bodyKeys*digits(key)), 10)
		}
	}
	return dst
}

// maxLen is the longest request fill writes for keys below n.
func (k *keyedWire) maxLen(n int) int {
	d, l := digits(uint64(max(n-1, 0))), 0
	for _, s := range k.segs {
		l += len(s)
	}
	for _, h := range k.holes {
		if h == keyHole {
			l += d
		} else {
			l += digits(uint64(k.bodyLen + k.bodyKeys*d))
		}
	}
	return l
}

// digits is how many decimal digits key has.
func digits(key uint64) int {
	n := 1
	for key >= 10 {
		key /= 10
		n++
	}
	return n
}

// withKey is r with key substituted, for the net/http path, which builds
// a request for every send anyway: it allocates.
func withKey(r *Request, key uint64) (string, http.Header, []byte) {
	ks := strconv.FormatUint(key, 10)
	u := strings.NewReplacer(KeyPlaceholder, ks, escapedKey, ks, strings.ToLower(escapedKey), ks).Replace(r.URL.String())
	h := r.Header.Clone()
	for name, vs := range h {
		for i, v := range vs {
			h[name][i] = strings.ReplaceAll(v, KeyPlaceholder, ks)
		}
	}
	return u, h, bytes.ReplaceAll(r.Body, []byte(KeyPlaceholder), []byte(ks))
}

var errKeysWithoutPlaceholder = errors.New("keys are drawn (--keys) but no request says {key} in its URL, a header or its body")
