//go:build linux

package main

import (
	"bytes"
	"fmt"
	"strings"
)

// escSeq is one escape sequence found in terminal output.
type escSeq struct {
	kind  byte   // '[' CSI, ']' OSC, 'P' DCS, '_' APC, '^' PM, 'X' SOS, 0 other
	body  []byte // CSI: parameters and intermediates; strings: the payload
	final byte   // CSI final byte
	end   int    // index just past the sequence
}

// parseEsc parses the escape sequence that starts at b[i] (an ESC). ok is
// false when the sequence is cut off at the end of b.
func parseEsc(b []byte, i int) (s escSeq, ok bool) {
	if i+1 >= len(b) {
		return s, false
	}
	switch c := b[i+1]; c {
	case '[':
		for j := i + 2; j < len(b); j++ {
			if b[j] >= 0x40 && b[j] <= 0x7e {
				return escSeq{kind: '[', body: b[i+2 : j], final: b[j], end: j + 1}, true
			}
		}
		return s, false
	case ']', 'P', '_', '^', 'X':
		// A string terminated by BEL (OSC only, in practice) or ST (ESC \).
		for j := i + 2; j < len(b); j++ {
			if b[j] == 0x07 {
				return escSeq{kind: c, body: b[i+2 : j], end: j + 1}, true
			}
			if b[j] == 0x1b && j+1 < len(b) && b[j+1] == '\\' {
				return escSeq{kind: c, body: b[i+2 : j], end: j + 2}, true
			}
		}
		return s, false
	default:
		// ESC, any intermediates (0x20-0x2f), one final byte: charset
		// designations such as ESC ( B, keypad modes, ESC 7 / ESC 8.
		j := i + 1
		for j < len(b) && b[j] >= 0x20 && b[j] <= 0x2f {
			j++
		}
		if j >= len(b) {
			return s, false
		}
		return escSeq{end: j + 1}, true
	}
}

// stripANSI returns the text of terminal output without escape sequences
// and control characters. A cursor movement becomes one space, so words a
// renderer placed by moving the cursor stay apart but stay findable.
func stripANSI(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c == 0x1b:
			s, ok := parseEsc(b, i)
			if !ok {
				return out
			}
			if s.kind == '[' && strings.IndexByte("ABCDEFGHfd`", s.final) >= 0 {
				out = append(out, ' ')
			}
			i = s.end
		case c == '\n' || c == '\r':
			out = append(out, ' ')
			i++
		case c < 0x20 || c == 0x7f:
			i++
		default:
			out = append(out, c)
			i++
		}
	}
	return out
}

// markerIndex returns where in terminal output the marker has been seen in
// full, as the length of the output up to then, or -1. The plain bytes are
// tried first; then the text with escape sequences removed, because a
// renderer may put colour changes or cursor moves between the letters.
func markerIndex(b []byte, marker string) int {
	if i := bytes.Index(b, []byte(marker)); i >= 0 {
		return i + len(marker)
	}
	if bytes.Contains(stripANSI(b), []byte(marker)) {
		return len(b)
	}
	return -1
}

// terminalQueries names the queries to the terminal found in b, in order of
// first appearance: a program that waits for their replies starts slower on
// a terminal that never answers (this harness answers none).
func terminalQueries(b []byte) []string {
	var names []string
	seen := map[string]bool{}
	for i := 0; i < len(b); {
		if b[i] != 0x1b {
			i++
			continue
		}
		s, ok := parseEsc(b, i)
		if !ok {
			break
		}
		if n := queryName(s); n != "" && !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
		i = s.end
	}
	return names
}

// queryName names s when it asks the terminal for a reply, else "".
func queryName(s escSeq) string {
	body := string(s.body)
	switch s.kind {
	case '[':
		switch {
		case s.final == 'c' && (body == "" || body == "0"):
			return "DA1"
		case s.final == 'c' && strings.HasPrefix(body, ">"):
			return "DA2"
		case s.final == 'c' && strings.HasPrefix(body, "="):
			return "DA3"
		case s.final == 'n' && (body == "6" || body == "?6"):
			return "cursor position (DSR 6)"
		case s.final == 'n' && body == "5":
			return "status (DSR 5)"
		case s.final == 'p' && strings.HasSuffix(body, "$"):
			return "DECRQM " + strings.TrimSuffix(body, "$")
		case s.final == 'u' && body == "?":
			return "kitty keyboard flags (CSI ? u)"
		case s.final == 'q' && strings.HasPrefix(body, ">"):
			return "XTVERSION"
		case s.final == 't' && (body == "14" || body == "16" || body == "18"):
			return "window size (CSI " + body + " t)"
		}
	case ']':
		if strings.HasSuffix(body, ";?") {
			num, _, _ := strings.Cut(body, ";")
			switch num {
			case "10":
				return "foreground colour (OSC 10)"
			case "11":
				return "background colour (OSC 11)"
			case "12":
				return "cursor colour (OSC 12)"
			}
			return fmt.Sprintf("OSC %s query", num)
		}
	case 'P':
		switch {
		case strings.HasPrefix(body, "+q"):
			return "XTGETTCAP"
		case strings.HasPrefix(body, "$q"):
			return "DECRQSS"
		}
	}
	return ""
}
