package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/perftop/perftop/internal/units"
)

// byteSize is a flag holding a size in bytes, given as a number with an
// optional unit: 10MiB, 512KiB, 1GiB (powers of 1024), 10MB, 1GB (powers
// of 1000), or plain bytes.
type byteSize int64

var byteUnits = []struct {
	suffix string
	mult   float64
}{
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30},
	{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"B", 1},
}

func (b *byteSize) Set(s string) error {
	num, mult := strings.TrimSpace(s), 1.0
	for _, u := range byteUnits {
		if len(num) > len(u.suffix) && strings.EqualFold(num[len(num)-len(u.suffix):], u.suffix) {
			num, mult = strings.TrimSpace(num[:len(num)-len(u.suffix)]), u.mult
			break
		}
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || v*mult < 1 || v*mult > math.MaxInt64/2 || math.IsNaN(v) {
		return fmt.Errorf("want a size such as 10MiB, 512KiB or 1GiB")
	}
	*b = byteSize(v * mult)
	return nil
}

func (b *byteSize) String() string { return units.Bytes(float64(*b)) }

func (b *byteSize) Type() string { return "size" }
