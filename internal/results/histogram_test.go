package results

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/binary"
	"hash/adler32"
	"io"
	"math"
	"runtime"
	"strings"
	"testing"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/perftop/perftop/internal/metrics"
)

// hdrHeader is the inflated header of a V2 histogram.
type hdrHeader struct {
	cookie, payload, offset, digits int32
	lowest, highest                 int64
	ratio                           float64
}

// own marks a length to be filled in with the right one.
const own = math.MinInt32

// craft encodes a histogram from its parts, as hdrhistogram-go does, so
// that each part can be wrong; a payload length of own is filled in.
func craft(hd hdrHeader, counts []byte) string {
	var inner bytes.Buffer
	if hd.payload == own {
		hd.payload = int32(len(counts))
	}
	_ = binary.Write(&inner, binary.BigEndian, hd)
	inner.Write(counts)
	return outer(hdrhistogram.V2CompressedEncodingCookieBase|0x10, own, zlibOf(inner.Bytes()))
}

// outer wraps a compressed stream in the 8-byte header and base64; a
// length of own is the stream's.
func outer(cookie, length int32, compressed []byte) string {
	if length == own {
		length = int32(len(compressed))
	}
	var b bytes.Buffer
	_ = binary.Write(&b, binary.BigEndian, [2]int32{cookie, length})
	b.Write(compressed)
	return base64.StdEncoding.EncodeToString(b.Bytes())
}

func zlibOf(b []byte) []byte {
	var z bytes.Buffer
	w, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	_, _ = w.Write(b)
	_ = w.Close()
	return z.Bytes()
}

// bomb is a histogram whose zlib stream inflates to a valid header and
// size zero bytes, size a multiple of 258: a stored block for the header,
// then a fixed-Huffman block of 258-byte copies at distance 1 (13 bits
// each), made by hand because compressing a gigabyte takes seconds.
func bomb(size int) string {
	var hdr bytes.Buffer
	_ = binary.Write(&hdr, binary.BigEndian, perftopHeader(int32(size))) // ends in a zero byte
	z := []byte{0x78, 0x01, 0x00, 40, 0, ^byte(40), 0xff}                // zlib header; stored block: 40 bytes
	z = append(z, hdr.Bytes()...)
	var acc uint64
	var nacc uint
	bits := func(v uint64, n uint) {
		acc |= v << nacc
		for nacc += n; nacc >= 8; nacc -= 8 {
			z = append(z, byte(acc))
			acc >>= 8
		}
	}
	huff := func(code uint64, n uint) { // Huffman codes go most significant bit first
		var r uint64
		for i := range n {
			r |= (code >> i & 1) << (n - 1 - i)
		}
		bits(r, n)
	}
	bits(0b011, 3) // final block, fixed Huffman
	for range size / 258 {
		huff(0b11000101, 8) // length 258
		huff(0, 5)          // distance 1
	}
	huff(0, 7) // end of block
	if nacc > 0 {
		bits(0, 8-nacc)
	}
	a := adler32.Checksum(hdr.Bytes())
	lo, hi := uint64(a&0xffff), uint64(a>>16)
	hi = (hi + uint64(size)%65521*lo) % 65521 // each zero adds lo to hi
	z = binary.BigEndian.AppendUint32(z, uint32(hi<<16|lo))
	return outer(hdrhistogram.V2CompressedEncodingCookieBase|0x10, own, z)
}

// perftopHeader is the header of perftop's own histograms.
func perftopHeader(payload int32) hdrHeader {
	return hdrHeader{cookie: hdrhistogram.V2EncodingCookieBase | 0x10, payload: payload, offset: 1, digits: 3,
		lowest: metrics.LatencyLowestMicros, highest: metrics.LatencyHighestMicros, ratio: 1}
}

func zz(vs ...int64) []byte {
	var b []byte
	for _, v := range vs {
		u := uint64(v<<1) ^ uint64(v>>63)
		for i := 0; i < 8 && u >= 0x80; i++ {
			b = append(b, byte(u)|0x80)
			u >>= 7
		}
		b = append(b, byte(u))
	}
	return b
}

// hostileHistograms are encodings that made hdrhistogram.Decode panic,
// hang or allocate without bound, or that it would take on trust.
func hostileHistograms() map[string]struct{ text, want string } {
	ok := perftopHeader(own)
	with := func(f func(*hdrHeader)) hdrHeader { h := ok; f(&h); return h }
	short := base64.StdEncoding.EncodeToString([]byte{0x1c, 0x84, 0x93, 0x14})
	return map[string]struct{ text, want string }{
		"not base64":              {"HISTFAAAAB!", "not base64"},
		"short: 4 bytes":          {short, "too short for the 8-byte header"},
		"short: cookie only":      {base64.StdEncoding.EncodeToString([]byte{0x1c, 0x84, 0x93, 0x14, 0, 0, 0}), "too short"},
		"empty after base64":      {"AAAA", "too short"},
		"wrong outer cookie":      {outer(0x12345678, 0, nil), "not a V2 compressed histogram"},
		"negative length":         {outer(hdrhistogram.V2CompressedEncodingCookieBase, -5, []byte{1, 2, 3}), "compressed length -5, but 3 bytes"},
		"negative length, -1<<31": {outer(hdrhistogram.V2CompressedEncodingCookieBase, math.MinInt32+1, []byte{1, 2, 3}), "compressed length -2147483647"},
		"length past the end":     {outer(hdrhistogram.V2CompressedEncodingCookieBase, 100, []byte{1, 2, 3}), "compressed length 100, but 3 bytes"},
		"not zlib":                {outer(hdrhistogram.V2CompressedEncodingCookieBase, own, []byte("not zlib at all")), "inflate"},
		"truncated zlib":          {outer(hdrhistogram.V2CompressedEncodingCookieBase, own, zlibOf(make([]byte, 100))[:10]), "inflate"},
		"inflates short":          {outer(hdrhistogram.V2CompressedEncodingCookieBase, own, zlibOf([]byte{1, 2, 3})), "too short for the 40-byte header"},
		"zlib bomb":               {bomb(258 << 15), "inflates to more than 4 MiB"},
		"wrong inner cookie":      {craft(with(func(h *hdrHeader) { h.cookie = 7 }), nil), "not a V2 histogram"},
		"payload length wrong":    {craft(with(func(h *hdrHeader) { h.payload = 99 }), zz(1)), "payload length 99, but 1 bytes"},
		"negative payload length": {craft(with(func(h *hdrHeader) { h.payload = -2 }), zz(1)), "payload length -2"},
		"0 digits":                {craft(with(func(h *hdrHeader) { h.digits = 0 }), nil), "0 significant digits"},
		"6 digits":                {craft(with(func(h *hdrHeader) { h.digits = 6 }), nil), "6 significant digits"},
		"lowest 0":                {craft(with(func(h *hdrHeader) { h.lowest = 0 }), nil), "lowest value 0"},
		"lowest huge (New hangs)": {craft(with(func(h *hdrHeader) { h.lowest, h.highest, h.digits = 1<<50, 1<<62, 5 }), nil), "lowest value"},
		"highest below 2x lowest": {craft(with(func(h *hdrHeader) { h.lowest, h.highest = 1000, 1999 }), nil), "highest value 1999"},
		"highest negative":        {craft(with(func(h *hdrHeader) { h.highest = -1 }), nil), "highest value -1"},
		"counts array too large":  {craft(with(func(h *hdrHeader) { h.digits, h.highest = 5, math.MaxInt64 }), nil), "more than the 524288 allowed"},
		"count past the end":      {craft(ok, zz(-23551, 1, 1)), "more than the 23552 counts"},
		"zeros past the end":      {craft(ok, zz(-23553, 1)), "a run of 23553 zero counts past the end"},
		"zeros MinInt64":          {craft(ok, zz(math.MinInt64)), "zero counts past the end"},
		"truncated varint":        {craft(ok, []byte{0x80}), "counts truncated"},
		"total overflows":         {craft(ok, zz(math.MaxInt64, math.MaxInt64)), "total count over"},
		"total too large":         {craft(ok, zz(1<<43, 1<<43, 1)), "total count over"},
	}
}

func TestHistogramHostile(t *testing.T) {
	for name, tt := range hostileHistograms() {
		t.Run(name, func(t *testing.T) {
			f := &File{LatencyHDR: tt.text}
			h, err := f.Histogram()
			if err == nil || h != nil || !strings.HasPrefix(err.Error(), "latency histogram: ") || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want latency histogram: ...%s...", err, tt.want)
			}
		})
	}
	if _, err := (&File{LatencyHDR: strings.Repeat("A", MaxHistogramText+4)}).Histogram(); err == nil || !strings.Contains(err.Error(), "more than the 8 MiB") {
		t.Errorf("huge text: %v", err)
	}
}

// TestHistogramAccepts: perftop's own histograms, empty or full, and other
// tools' geometries within the limits decode as the library decodes them.
func TestHistogramAccepts(t *testing.T) {
	full := metrics.NewLatencyHistogram()
	for v := int64(1); v < metrics.LatencyHighestMicros; v = v*11/10 + 1 {
		_ = full.RecordValues(v, v%1000+1)
	}
	for name, h := range map[string]*hdrhistogram.Histogram{
		"empty": metrics.NewLatencyHistogram(), "full": full,
		"ns, 2 digits":    hdrhistogram.New(1000, 60e9, 2),
		"5 digits, small": hdrhistogram.New(1, 1<<20, 5),
		"4 digits, year":  hdrhistogram.New(1, 1<<45, 4),
	} {
		_ = h.RecordValue(h.HighestTrackableValue() / 3)
		f := &File{}
		if err := f.EncodeHistogram(h); err != nil {
			t.Fatal(err)
		}
		back, err := f.Histogram()
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if back.TotalCount() != h.TotalCount() || back.ValueAtQuantile(99.9) != h.ValueAtQuantile(99.9) {
			t.Errorf("%s: decoded %d values, p99.9 %d; want %d, %d", name, back.TotalCount(), back.ValueAtQuantile(99.9), h.TotalCount(), h.ValueAtQuantile(99.9))
		}
	}
	if n := len(base64.StdEncoding.EncodeToString(nil)); n != 0 {
		t.Fatal(n)
	}
}

// TestCountsLen holds countsLen to the library's own allocation.
func TestCountsLen(t *testing.T) {
	for digits := int32(1); digits <= 5; digits++ {
		for _, lowest := range []int64{1, 2, 3, 7, 1000, 1 << 10, 1<<20 - 1, maxHistogramLowest} {
			for _, highest := range []int64{2 * lowest, 2*lowest + 1, 1 << 30, 3_600_000_000, 1 << 45, 1<<62 + 5, math.MaxInt64} {
				if highest/2 < lowest || (digits == 5 && highest > 1<<40) {
					continue // the library would allocate gigabytes
				}
				h := hdrhistogram.New(lowest, highest, int(digits))
				want := int64(h.ByteSize()-6*8-5*4) / 8
				if got := countsLen(lowest, highest, digits); got != want {
					t.Errorf("countsLen(%d, %d, %d) = %d, the library allocates %d", lowest, highest, digits, got, want)
				}
			}
		}
	}
	if n := countsLen(metrics.LatencyLowestMicros, metrics.LatencyHighestMicros, metrics.LatencyDigits); n != 23552 {
		t.Errorf("perftop's geometry: %d counts", n)
	}
}

// TestBomb: the bomb is a valid zlib stream of what it says.
func TestBomb(t *testing.T) {
	raw, _ := base64.StdEncoding.DecodeString(bomb(258 * 1000))
	z, err := zlib.NewReader(bytes.NewReader(raw[8:]))
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(z)
	if err != nil || len(body) != 40+258*1000 || !bytes.Equal(body[40:], make([]byte, 258*1000)) {
		t.Fatalf("%v: %d bytes", err, len(body))
	}
}

// TestHistogramBombHeap watches the heap while a zlib bomb is decoded: 541 MB
// (half a GiB) of zeros in 3.4 MB of zlib, which hdrhistogram.Decode would
// read whole.
func TestHistogramBombHeap(t *testing.T) {
	f := &File{LatencyHDR: bomb(258 << 21)}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := f.Histogram()
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "inflates to more than") {
		t.Fatalf("err = %v", err)
	}
	// Allocated: the text decoded (about 1 MiB) and the capped inflation
	// (4 MiB, grown by doubling): well under 32 MiB, a 30th of the bomb.
	t.Logf("decoding a %d MB bomb allocated %.1f MiB", 258<<21/1000000, float64(after.TotalAlloc-before.TotalAlloc)/(1<<20))
	if got := after.TotalAlloc - before.TotalAlloc; got > 32<<20 {
		t.Errorf("decoding the bomb allocated %d MiB", got>>20)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if got := int64(after.HeapAlloc) - int64(before.HeapAlloc); got > 4<<20 {
		t.Errorf("decoding the bomb kept %d MiB", got>>20)
	}
}

// TestHistogramHugeTotal: near the total-count limit, the percentile
// spectrum still ends, and is short.
func TestHistogramHugeTotal(t *testing.T) {
	// All but one count at the first index, one at the last: the spectrum
	// climbs towards 100% at the first index for as long as float64 lets it.
	f := &File{LatencyHDR: craft(perftopHeader(own), zz(maxHistogramTotal-1, -23550, 1))}
	h, err := f.Histogram()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(h.CumulativeDistributionWithTicks(5)); n > 2000 {
		t.Errorf("%d brackets", n)
	}
	var out bytes.Buffer
	if err := WritePercentiles(&out, f); err != nil {
		t.Fatal(err)
	}
}

// FuzzHistogram: any latency_histogram_hdr is decoded or refused, never a
// panic, and a decoded one prints.
func FuzzHistogram(f *testing.F) {
	h := metrics.NewLatencyHistogram()
	for _, v := range []int64{1, 900, 1800, 3700, 3_600_000_000} {
		_ = h.RecordValue(v)
	}
	ok := &File{}
	_ = ok.EncodeHistogram(h)
	f.Add(ok.LatencyHDR)
	for _, tt := range hostileHistograms() {
		if len(tt.text) < 64<<10 {
			f.Add(tt.text)
		}
	}
	f.Fuzz(func(t *testing.T, text string) {
		file := &File{LatencyHDR: text}
		h, err := file.Histogram()
		if err != nil {
			if !strings.HasPrefix(err.Error(), "latency histogram: ") {
				t.Fatalf("error without context: %v", err)
			}
			return
		}
		if h != nil && len(h.CumulativeDistributionWithTicks(5)) > 1<<20 {
			t.Fatal("endless spectrum")
		}
	})
}
