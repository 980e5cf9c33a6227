package system

import (
	"bytes"
	"encoding/binary"
	"reflect"
	"testing"
)

// A real line, from this package's test binary, with the fields the parser
// reads: utime 7, stime 3, num_threads 5, starttime 3371, rss 1552 pages.
const statLine = "16076 (system.test) S 15996 15996 1051 0 -1 4194560 1334 0 0 0 7 3 0 0 20 0 5 0 3371 1262923776 1552 18446744073709551615 1 1 0 0 0 0 0 0 2146171647 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n"

var statCases = []struct {
	name string
	line string
	want procStat
	ok   bool
}{
	{"plain", statLine, procStat{PID: 16076, Comm: []byte("system.test"), State: 'S', UTime: 7, STime: 3, Threads: 5, Start: 3371, RSSPages: 1552}, true},
	{"comm with spaces and parens", "42 (a) b (c)) R 1 1 1 0 -1 0 0 0 0 0 100 50 0 0 20 0 3 0 99 0 10 0\n",
		procStat{PID: 42, Comm: []byte("a) b (c)"), State: 'R', UTime: 100, STime: 50, Threads: 3, Start: 99, RSSPages: 10}, true},
	{"empty comm", "7 () Z 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0", procStat{PID: 7, Comm: []byte{}, State: 'Z', Threads: 1, Start: 5}, true},
	{"kernel thread", "2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 1 0 0 20 0 1 0 1 0 0 18446744073709551615 0 0",
		procStat{PID: 2, Comm: []byte("kthreadd"), State: 'S', STime: 1, Threads: 1, Start: 1}, true},
	{"negative rss", "9 (x) S 1 1 1 0 -1 0 0 0 0 0 1 1 0 0 20 0 1 0 5 0 -3 0", procStat{PID: 9, Comm: []byte("x"), State: 'S', UTime: 1, STime: 1, Threads: 1, Start: 5}, true},
	{"truncated", "9 (x) S 1 1 1 0 -1 0 0 0 0 0 1 1 0 0 20 0 1 0 5 0", procStat{}, false},
	{"no parens", "9 x S 1 1 1", procStat{}, false},
	{"close before open", "9 )x( S 1 1 1 0 -1 0 0 0 0 0 1 1 0 0 20 0 1 0 5 0 0 0", procStat{}, false},
	{"bad pid", "x9 (x) S 1 1 1 0 -1 0 0 0 0 0 1 1 0 0 20 0 1 0 5 0 0 0", procStat{}, false},
	{"pid overflow", "9999999999 (x) S 1 1 1 0 -1 0 0 0 0 0 1 1 0 0 20 0 1 0 5 0 0 0", procStat{}, false},
	{"bad utime", "9 (x) S 1 1 1 0 -1 0 0 0 0 0 1x 1 0 0 20 0 1 0 5 0 0 0", procStat{}, false},
	{"utime overflow", "9 (x) S 1 1 1 0 -1 0 0 0 0 0 99999999999999999999 1 0 0 20 0 1 0 5 0 0 0", procStat{}, false},
	{"empty", "", procStat{}, false},
}

func TestParseStat(t *testing.T) {
	for _, tc := range statCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseStat([]byte(tc.line))
			if (err == nil) != tc.ok {
				t.Fatalf("err = %v, want ok %v", err, tc.ok)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v (comm %q), want %+v (comm %q)", got, got.Comm, tc.want, tc.want.Comm)
			}
		})
	}
}

func BenchmarkParseStat(b *testing.B) {
	line := []byte(statLine)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseStat(line); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzParseStat(f *testing.F) {
	for _, tc := range statCases {
		f.Add([]byte(tc.line))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := parseStat(b)
		if err != nil {
			return
		}
		if !bytes.Contains(b, s.Comm) || s.PID < 0 || s.Threads < 0 {
			t.Errorf("parseStat(%q) = %+v", b, s)
		}
	})
}

// dirent builds one linux_dirent64 record, padded to 8 bytes as the kernel
// does.
func dirent(name string) []byte {
	n := (direntHeader + len(name) + 1 + 7) &^ 7
	b := make([]byte, n)
	binary.NativeEndian.PutUint16(b[16:18], uint16(n))
	copy(b[direntHeader:], name)
	return b
}

func TestParseDirents(t *testing.T) {
	var all []byte
	for _, name := range []string{".", "..", "1", "self", "42", "0", "sys", "4294967296", "2147483647", "12a"} {
		all = append(all, dirent(name)...)
	}
	tests := []struct {
		name string
		buf  []byte
		want []int32
	}{
		{"listing", all, []int32{1, 42, 2147483647}},
		{"empty", nil, nil},
		{"truncated record", all[:len(all)-3], []int32{1, 42, 2147483647}},
		{"short header", all[:10], nil},
		{"zero reclen", make([]byte, 64), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := parseDirents(tc.buf, nil); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func FuzzParseDirents(f *testing.F) {
	f.Add(append(dirent("1"), dirent("self")...))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, pid := range parseDirents(b, nil) {
			if pid <= 0 {
				t.Errorf("parseDirents(%q) gave PID %d", b, pid)
			}
		}
	})
}
