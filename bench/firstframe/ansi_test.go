//go:build linux

package main

import (
	"slices"
	"testing"
	"time"
)

func TestMarkerIndex(t *testing.T) {
	tests := []struct {
		name, out, marker string
		want              int
	}{
		{"plain", "ab Overview cd", "Overview", 11},
		{"absent", "\x1b[1mOver\x1b[m", "Overview", -1},
		{"colour inside", "\x1b[38;5;75mOver\x1b[1mview\x1b[m", "Overview", 25},
		{"cursor move for a space", "Load\x1b[1Caverage", "Load average", 15},
		{"ncurses charset and sgr", "\x1b(B\x1b[mLoad average: 1.0", "Load average", 18},
		{"cut in the middle of an escape", "Over\x1b[3", "Overview", -1},
		{"osc title does not count", "\x1b]2;Overview\x07", "Overview", 12}, // plain bytes match first
		{"osc then text", "\x1b]2;x\x07pro\x1b[1mc", "proc", 14},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := markerIndex([]byte(tt.out), tt.marker); got != tt.want {
				t.Errorf("markerIndex(%q, %q) = %d, want %d", tt.out, tt.marker, got, tt.want)
			}
		})
	}
}

func TestStripANSI(t *testing.T) {
	tests := []struct{ in, want string }{
		{"\x1b[?1049h\x1b[H\x1b[2Jab", " ab"},
		{"a\x1b[38;2;1;2;3mb\x1b[mc", "abc"},
		{"a\x1b]11;?\x1b\\b", "ab"},
		{"a\x1bP+q544e\x1b\\b", "ab"},
		{"a\x1b(Bb\x1b=c", "abc"},
		{"a\r\nb\x0fc", "a  bc"},
		{"ab\x1b[", "ab"},
	}
	for _, tt := range tests {
		if got := string(stripANSI([]byte(tt.in))); got != tt.want {
			t.Errorf("stripANSI(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTerminalQueries(t *testing.T) {
	out := "\x1b[?2026$p\x1b[?2027$p\x1b[>4m\x1b[?1049h\x1b[?u\x1b[c\x1b]11;?\x07\x1b[6n\x1b[>0q\x1bP+q544e\x1b\\\x1b[?2026$p\x1b[1;1Hhi"
	want := []string{"DECRQM ?2026", "DECRQM ?2027", "kitty keyboard flags (CSI ? u)", "DA1",
		"background colour (OSC 11)", "cursor position (DSR 6)", "XTVERSION", "XTGETTCAP"}
	if got := terminalQueries([]byte(out)); !slices.Equal(got, want) {
		t.Errorf("terminalQueries = %q, want %q", got, want)
	}
	if got := terminalQueries([]byte("\x1b[2J\x1b[1;1H\x1b[38;5;1mhello\x1b[m")); len(got) != 0 {
		t.Errorf("terminalQueries of drawing only = %q, want none", got)
	}
}

func TestQuantile(t *testing.T) {
	ds := []time.Duration{5, 1, 4, 2, 3, 6, 7, 8, 9, 10}
	tests := []struct {
		q    float64
		want time.Duration
	}{{0, 1}, {0.5, 5}, {0.9, 9}, {1, 10}}
	for _, tt := range tests {
		if got := quantile(ds, tt.q); got != tt.want {
			t.Errorf("quantile(%v) = %v, want %v", tt.q, got, tt.want)
		}
	}
	if got := quantile(nil, 0.5); got != 0 {
		t.Errorf("quantile(nil) = %v, want 0", got)
	}
}
