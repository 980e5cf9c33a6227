package load

import (
	"bufio"
	"strings"
	"testing"
)

// parsePieces feeds raw to a respParser cut at the given offsets, then ends
// the stream as a closed connection does if the response is not complete.
func parsePieces(raw string, head bool, cuts []int) (status int, n int64, keep bool, extra int, err error) {
	var p respParser
	p.reset(head)
	prev := 0
	for _, c := range append(cuts, len(raw)) {
		done, x, err := p.feed([]byte(raw[prev:c]))
		prev = c
		if err != nil {
			return p.status, p.n, false, 0, err
		}
		if done {
			return p.status, p.n, p.keep(), x + len(raw) - c, nil
		}
	}
	done, err := p.eof()
	if !done {
		return p.status, p.n, false, 0, err
	}
	return p.status, p.n, false, 0, nil
}

// TestRespParserMatchesReadResponse cuts every test response at every
// offset, and into single bytes: the pieces must parse exactly as the
// blocking parser reads the whole.
func TestRespParserMatchesReadResponse(t *testing.T) {
	for _, tt := range responseCases {
		t.Run(tt.name, func(t *testing.T) {
			cutsList := [][]int{nil}
			for i := 1; i < len(tt.raw); i++ {
				cutsList = append(cutsList, []int{i})
			}
			var bytewise []int
			for i := 1; i < len(tt.raw); i++ {
				bytewise = append(bytewise, i)
			}
			cutsList = append(cutsList, bytewise)
			for _, cuts := range cutsList {
				status, n, keep, extra, err := parsePieces(tt.raw, tt.head, cuts)
				if tt.wantKind != KindNone {
					if got := Classify(err); got != tt.wantKind {
						t.Fatalf("cut at %v: err %v is %v, want %v", cuts, err, got, tt.wantKind)
					}
					continue
				}
				if err != nil {
					t.Fatalf("cut at %v: %v", cuts, err)
				}
				if status != tt.status || n != tt.n || keep != tt.keep {
					t.Fatalf("cut at %v: got status %d, %d bytes, keep %v; want %d, %d, %v", cuts, status, n, keep, tt.status, tt.n, tt.keep)
				}
				if tt.keep && extra != 0 {
					t.Fatalf("cut at %v: %d bytes beyond a complete response", cuts, extra)
				}
			}
		})
	}
}

// TestRespParserExtraBytes counts what follows a complete response: a
// closed loop never pipelines, so those bytes make the connection unusable.
func TestRespParserExtraBytes(t *testing.T) {
	raw := "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcHTTP/1.1 200 OK\r\n"
	var p respParser
	p.reset(false)
	done, extra, err := p.feed([]byte(raw))
	if !done || err != nil || extra != len("HTTP/1.1 200 OK\r\n") {
		t.Fatalf("done %v extra %d err %v", done, extra, err)
	}
	p.reset(false) // reused for the next request: nothing carried over
	if done, _, err := p.feed([]byte("HTTP/1.1 204 No Content\r\n\r\n")); !done || err != nil || p.status != 204 {
		t.Fatalf("after reset: done %v status %d err %v", done, p.status, err)
	}
}

// FuzzRespParser checks, on any bytes and any cut, that the two parsers
// agree: same status, body length and reuse, or both fail the same way.
func FuzzRespParser(f *testing.F) {
	for _, tt := range responseCases {
		f.Add(tt.raw, tt.head, uint16(len(tt.raw)/2))
	}
	f.Fuzz(func(t *testing.T, raw string, head bool, cut uint16) {
		c := int(cut) % (len(raw) + 1)
		status, n, keep, _, err := parsePieces(raw, head, []int{c})
		br := bufio.NewReaderSize(strings.NewReader(raw), 16<<10)
		wstatus, wn, wkeep, werr := readResponse(br, head)
		if Classify(err) != Classify(werr) {
			t.Fatalf("stream err %v (%v), blocking err %v (%v)", err, Classify(err), werr, Classify(werr))
		}
		if err == nil && (status != wstatus || n != wn || keep != wkeep) {
			t.Fatalf("stream %d %d %v, blocking %d %d %v", status, n, keep, wstatus, wn, wkeep)
		}
	})
}
