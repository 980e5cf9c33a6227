// Package units formats numbers in the humane units the screen uses: binary
// byte sizes (KiB, MiB), per-second rates, percentages and durations. Files and
// JSON keep base units (bytes, seconds); only views call this package.
package units

import (
	"math"
	"strconv"
	"strings"
	"time"
)

var binary = [...]string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}

// Bytes formats a byte count with a binary prefix and three significant
// digits: 0 B, 512 B, 1.50 KiB, 23.4 MiB, 456 GiB.
func Bytes(b float64) string {
	if math.IsNaN(b) || math.IsInf(b, 0) {
		return "-"
	}
	neg := b < 0
	if neg {
		b = -b
	}
	i := 0
	for b >= 1024 && i < len(binary)-1 {
		b /= 1024
		i++
	}
	var s string
	switch {
	case i == 0:
		s = strconv.FormatFloat(b, 'f', 0, 64)
	case b >= 100:
		s = strconv.FormatFloat(b, 'f', 0, 64)
	case b >= 10:
		s = strconv.FormatFloat(b, 'f', 1, 64)
	default:
		s = strconv.FormatFloat(b, 'f', 2, 64)
	}
	if neg {
		s = "-" + s
	}
	return s + " " + binary[i]
}

// AxisBytesRate labels a bytes-per-second axis, whose tops are round: as
// short as the value goes, "0", "512 B/s", "2.5 MiB/s", "500 KiB/s".
func AxisBytesRate(b float64) string {
	if b == 0 {
		return "0"
	}
	i := 0
	for b >= 1024 && i < len(binary)-1 {
		b /= 1024
		i++
	}
	return strconv.FormatFloat(b, 'g', 3, 64) + " " + binary[i] + "/s"
}

// BytesRate formats a bytes-per-second rate: "1.50 MiB/s".
func BytesRate(b float64) string { return Bytes(b) + "/s" }

// Count formats a count or rate compactly with SI prefixes: 950, 12.3k, 4.56M.
func Count(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "-"
	}
	a := math.Abs(v)
	switch {
	case a >= 1e9:
		return sig3(v/1e9) + "G"
	case a >= 1e6:
		return sig3(v/1e6) + "M"
	case a >= 1e4:
		return sig3(v/1e3) + "k"
	case a >= 100 || v == math.Trunc(v):
		return strconv.FormatFloat(v, 'f', 0, 64)
	default:
		return sig3(v)
	}
}

func sig3(v float64) string {
	a := math.Abs(v)
	switch {
	case a >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	default:
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
}

// Percent formats a percentage with one decimal: "12.3%".
func Percent(p float64) string {
	if math.IsNaN(p) || math.IsInf(p, 0) {
		return "-"
	}
	return strconv.FormatFloat(p, 'f', 1, 64) + "%"
}

// Seconds formats a latency given in seconds the way people read latencies:
// 850µs, 12.3ms, 1.25s.
func Seconds(s float64) string {
	if math.IsNaN(s) || math.IsInf(s, 0) {
		return "-"
	}
	switch a := math.Abs(s); {
	case a == 0:
		return "0"
	case a < 1e-3:
		return sig3(s*1e6) + "µs"
	case a < 1:
		return sig3(s*1e3) + "ms"
	default:
		return sig3(s) + "s"
	}
}

// Duration formats an interval or elapsed time compactly: 250ms, 1s, 1m30s,
// 2h5m.
func Duration(d time.Duration) string {
	switch {
	case d < time.Second:
		return strconv.FormatInt(d.Milliseconds(), 10) + "ms"
	case d < time.Minute:
		s := d.Seconds()
		if s == math.Trunc(s) {
			return strconv.FormatFloat(s, 'f', 0, 64) + "s"
		}
		return strconv.FormatFloat(s, 'f', 1, 64) + "s"
	case d < time.Hour:
		return d.Truncate(time.Second).String()
	default:
		return strings.TrimSuffix(d.Truncate(time.Minute).String(), "0s")
	}
}
