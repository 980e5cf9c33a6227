package results

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Limits on a results file's latency_histogram_hdr, which is data from
// outside: HdrHistogram's V2 compressed encoding (an 8-byte header, then a
// zlib stream of a 40-byte header and the counts as zigzag varints) in
// base64. perftop's own histograms (1 µs to 1 h, 3 digits: 23,552 counts)
// inflate to at most 40 + 23,552 × 9 bytes, 212 KB, and are far smaller in
// practice.
//
// Worst case of an accepted histogram: 8 MiB of text, 6 MiB decoded from
// base64, 4 MiB inflated (read twice: by the check and by the library) and
// a counts array of 4 MiB, about 26 MiB in all while decoding, 4 MiB kept.
const (
	// MaxHistogramText bounds the base64 text.
	MaxHistogramText = 8 << 20
	// MaxHistogramInflated bounds the inflated contents: a zlib bomb is
	// cut off here, not read to its end.
	MaxHistogramInflated = 4 << 20
	// maxHistogramCounts bounds the counts array the header asks for
	// (8 bytes each). It admits every range at 3 digits, up to 2^45 units
	// at 4 and 2^20 at 5.
	maxHistogramCounts = 1 << 19
	// maxHistogramLowest bounds the lowest discernible value, so that the
	// library's bucket arithmetic cannot overflow (2^20 << 18 sub-buckets
	// fits an int64).
	maxHistogramLowest = 1 << 20
	// maxHistogramTotal bounds the total count (17.6 trillion; a day at
	// 100 million requests a second is 8.6 trillion): far beyond, float64
	// percentiles stop advancing and the library's percentile iterator
	// would never end.
	maxHistogramTotal = 1 << 44
)

// errHistogram prefixes every decode error: "latency histogram: ...".
var errHistogram = errors.New("latency histogram")

// Histogram decodes the stored latency histogram; nil when the file has
// none. The encoding is checked against the limits above before the
// HdrHistogram library sees it, so that a short, hostile or corrupt one
// is an error, never a panic, a hang or a huge allocation.
func (f *File) Histogram() (*hdrhistogram.Histogram, error) {
	if f.LatencyHDR == "" {
		return nil, nil
	}
	if err := checkHistogram(f.LatencyHDR); err != nil {
		return nil, fmt.Errorf("%w: %w", errHistogram, err)
	}
	return decodeHistogram(f.LatencyHDR)
}

// decodeHistogram lets the library decode a checked encoding, turning a
// panic the checks did not foresee into an error.
func decodeHistogram(text string) (h *hdrhistogram.Histogram, err error) {
	defer func() {
		if r := recover(); r != nil {
			h, err = nil, fmt.Errorf("%w: undecodable: %v", errHistogram, r)
		}
	}()
	h, err = hdrhistogram.Decode([]byte(text))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errHistogram, err)
	}
	return h, nil
}

// checkHistogram checks what hdrhistogram.Decode trusts: the lengths it
// slices with, the size of the stream it inflates, the geometry it
// allocates the counts for, and the counts' indexes and sum.
func checkHistogram(text string) error {
	if len(text) > MaxHistogramText {
		return fmt.Errorf("%d bytes of base64, more than the %d MiB allowed", len(text), MaxHistogramText>>20)
	}
	raw, err := base64.StdEncoding.DecodeString(text)
	if err != nil {
		return fmt.Errorf("not base64: %w", err)
	}
	if len(raw) < 8 {
		return fmt.Errorf("%d bytes, too short for the 8-byte header", len(raw))
	}
	if c := int32(binary.BigEndian.Uint32(raw)) &^ 0xf0; c != hdrhistogram.V2CompressedEncodingCookieBase {
		return fmt.Errorf("not a V2 compressed histogram (cookie %#x)", uint32(c))
	}
	n := int32(binary.BigEndian.Uint32(raw[4:]))
	if n < 0 || int64(n) > int64(len(raw)-8) {
		return fmt.Errorf("compressed length %d, but %d bytes follow the header", n, len(raw)-8)
	}
	z, err := zlib.NewReader(bytes.NewReader(raw[8 : 8+n]))
	if err != nil {
		return fmt.Errorf("inflate: %w", err)
	}
	defer z.Close()
	body, err := io.ReadAll(io.LimitReader(z, MaxHistogramInflated+1))
	if err != nil {
		return fmt.Errorf("inflate: %w", err)
	}
	if len(body) > MaxHistogramInflated {
		return fmt.Errorf("inflates to more than %d MiB", MaxHistogramInflated>>20)
	}
	return checkContents(body)
}

// checkContents checks the inflated header and counts.
func checkContents(b []byte) error {
	const header = 40
	if len(b) < header {
		return fmt.Errorf("%d bytes inflated, too short for the %d-byte header", len(b), header)
	}
	be := binary.BigEndian
	cookie := int32(be.Uint32(b)) &^ 0xf0
	payload := int32(be.Uint32(b[4:]))
	digits := int32(be.Uint32(b[12:]))
	lowest, highest := int64(be.Uint64(b[16:])), int64(be.Uint64(b[24:]))
	switch {
	case cookie != hdrhistogram.V2EncodingCookieBase:
		return fmt.Errorf("not a V2 histogram (cookie %#x)", uint32(cookie))
	case int64(payload) != int64(len(b)-header):
		return fmt.Errorf("payload length %d, but %d bytes follow the header", payload, len(b)-header)
	case digits < 1 || digits > 5:
		return fmt.Errorf("%d significant digits, want 1 to 5", digits)
	case lowest < 1 || lowest > maxHistogramLowest:
		return fmt.Errorf("lowest value %d, want 1 to %d", lowest, maxHistogramLowest)
	case highest/2 < lowest:
		return fmt.Errorf("highest value %d, want at least twice the lowest, %d", highest, lowest)
	}
	counts := countsLen(lowest, highest, digits)
	if counts > maxHistogramCounts {
		return fmt.Errorf("range %d to %d at %d digits needs %d counts, more than the %d allowed", lowest, highest, digits, counts, maxHistogramCounts)
	}
	var index, total int64
	for p := b[header:]; len(p) > 0; {
		v, n := zigzag(p)
		if n == 0 {
			return errors.New("counts truncated")
		}
		p = p[n:]
		if v < 0 { // a run of -v zero counts
			if v == math.MinInt64 || -v > counts-index {
				return fmt.Errorf("a run of %d zero counts past the end of %d", -v, counts)
			}
			index += -v
			continue
		}
		if index >= counts {
			return fmt.Errorf("more than the %d counts of the header", counts)
		}
		if total += v; total > maxHistogramTotal || total < 0 {
			return fmt.Errorf("total count over %d", int64(maxHistogramTotal))
		}
		index++
	}
	return nil
}

// zigzag reads one of HdrHistogram's LEB128-64b9B zigzag varints: seven
// bits a byte for eight bytes, all eight of the ninth. n is 0 when p ends
// first.
func zigzag(p []byte) (v int64, n int) {
	var u uint64
	for i := range 9 {
		if i == len(p) {
			return 0, 0
		}
		if i == 8 {
			u |= uint64(p[8]) << 56
			n = 9
			break
		}
		u |= uint64(p[i]&0x7f) << (7 * i)
		if p[i]&0x80 == 0 {
			n = i + 1
			break
		}
	}
	return int64(u>>1) ^ -int64(u&1), n
}

// countsLen is the length of the counts array hdrhistogram.New allocates
// for a geometry, computed as it computes it (TestCountsLen holds the two
// equal).
func countsLen(lowest, highest int64, digits int32) int64 {
	subBucketCountMag := int32(math.Ceil(math.Log2(2 * math.Pow10(int(digits)))))
	subBucketHalfCountMag := max(subBucketCountMag, 1) - 1
	unitMag := max(int32(math.Floor(math.Log2(float64(lowest)))), 0)
	subBucketCount := int64(1) << (subBucketHalfCountMag + 1)
	smallestUntrackable := subBucketCount << unitMag
	buckets := int64(1)
	for smallestUntrackable < highest {
		if smallestUntrackable > math.MaxInt64/2 {
			buckets++
			break
		}
		smallestUntrackable <<= 1
		buckets++
	}
	return (buckets + 1) * (subBucketCount / 2)
}
