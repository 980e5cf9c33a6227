package load

import (
	"strings"
	"testing"
)

// responseCases are the responses the parser is tested on: fed whole, in
// pieces cut anywhere, and through a respReader.
var responseCases = []struct {
	name     string
	raw      string
	head     bool
	status   int
	n        int64
	keep     bool
	wantKind Kind
}{
	{name: "content-length", raw: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", status: 200, n: 5, keep: true},
	{name: "case-insensitive headers", raw: "HTTP/1.1 200 OK\r\ncOnTeNt-LeNgTh: 2\r\nCONNECTION: Close\r\n\r\nhi", status: 200, n: 2, keep: false},
	{name: "chunked", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: y\r\n\r\n", status: 200, n: 11, keep: true},
	{name: "no length reads to close", raw: "HTTP/1.1 200 OK\r\n\r\nuntil the end", status: 200, n: 13, keep: false},
	{name: "http/1.0 closes", raw: "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", status: 200, keep: false},
	{name: "http/1.0 keep-alive", raw: "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n", status: 200, keep: true},
	{name: "head has no body", raw: "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", head: true, status: 200, keep: true},
	{name: "204", raw: "HTTP/1.1 204 No Content\r\n\r\n", status: 204, keep: true},
	{name: "503", raw: "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbusy", status: 503, n: 4, keep: true},
	{name: "no reason phrase", raw: "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", status: 200, keep: true},
	{name: "garbage", raw: "<html>hello</html>\r\n", wantKind: KindProtocol},
	{name: "bad status", raw: "HTTP/1.1 2x0 OK\r\n\r\n", wantKind: KindProtocol},
	{name: "bad length", raw: "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", wantKind: KindProtocol},
	{name: "bad header", raw: "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", wantKind: KindProtocol},
	{name: "bad chunk", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", wantKind: KindProtocol},
	{name: "short body", raw: "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", wantKind: KindClosed},
	{name: "closed in headers", raw: "HTTP/1.1 200 OK\r\nContent-Le", wantKind: KindClosed},
	{name: "empty", raw: "", wantKind: KindClosed},
	{name: "huge header", raw: "HTTP/1.1 200 OK\r\nX: " + strings.Repeat("a", 20000) + "\r\n\r\n", wantKind: KindProtocol},

	// Interim responses (RFC 9112 and 9110 15.2): skipped; the answer is
	// the final response after them.
	{name: "100 continue", raw: "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", status: 200, n: 2, keep: true},
	{name: "102 and 103 early hints", raw: "HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\nContent-Length: 99\r\nConnection: close\r\n\r\n" +
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", status: 200, n: 2, keep: true},
	{name: "interim then 204", raw: "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n", status: 204, keep: true},
	{name: "interim to head", raw: "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n", head: true, status: 200, keep: true},
	{name: "16 interim responses", raw: strings.Repeat("HTTP/1.1 100 Continue\r\n\r\n", maxInterim) + "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", status: 200, keep: true},
	{name: "17 interim responses", raw: strings.Repeat("HTTP/1.1 100 Continue\r\n\r\n", maxInterim+1) + "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", wantKind: KindProtocol},
	{name: "closed after interim", raw: "HTTP/1.1 100 Continue\r\n\r\n", wantKind: KindClosed},
	{name: "101 switching protocols", raw: "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x81\x00", wantKind: KindProtocol},
	{name: "101 after 100", raw: "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 101 Switching Protocols\r\n\r\n", wantKind: KindProtocol},

	// Content-Length (RFC 9112 6.3 item 5): repeats must agree.
	{name: "repeated content-length", raw: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok", status: 200, n: 2, keep: true},
	{name: "content-length list", raw: "HTTP/1.1 200 OK\r\nContent-Length: 2, 2,2\r\n\r\nok", status: 200, n: 2, keep: true},
	{name: "conflicting content-length", raw: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nokk", wantKind: KindProtocol},
	{name: "conflicting content-length list", raw: "HTTP/1.1 200 OK\r\nContent-Length: 2, 3\r\n\r\nokk", wantKind: KindProtocol},
	{name: "empty content-length list", raw: "HTTP/1.1 200 OK\r\nContent-Length: ,\r\n\r\n", wantKind: KindProtocol},

	// Transfer-Encoding (RFC 9112 6.1, 6.3 items 3 and 4).
	{name: "chunked final coding", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, CHUNKED\r\n\r\n2\r\nok\r\n0\r\n\r\n", status: 200, n: 2, keep: true},
	{name: "chunked in the last field", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", status: 200, n: 2, keep: true},
	{name: "chunked not final reads to close", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n2\r\nok\r\n0\r\n\r\n", status: 200, n: 12, keep: false},
	{name: "other coding reads to close", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nContent-Length: 1\r\n\r\nabc", status: 200, n: 3, keep: false},
	{name: "chunked as a substring is not chunked", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: xchunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", status: 200, n: 12, keep: false},
	{name: "kelvin sign is not chunked", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chun\u212aed\r\n\r\n2\r\nok\r\n0\r\n\r\n", status: 200, n: 12, keep: false},
	{name: "chunked overrides content-length", raw: "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", status: 200, n: 2, keep: false},
	{name: "chunked before content-length", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\n2\r\nok\r\n0\r\n\r\n", status: 200, n: 2, keep: false},
	{name: "chunked in http/1.0 closes", raw: "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", status: 200, n: 2, keep: false},

	// Connection options are a list; close wins.
	{name: "connection list with close", raw: "HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\nContent-Length: 0\r\n\r\n", status: 200, keep: false},
	{name: "close then keep-alive", raw: "HTTP/1.0 200 OK\r\nConnection: close\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n", status: 200, keep: false},

	// The head's limits: total bytes and line count, interim heads and
	// trailers included, not only each line's length.
	{name: "1 MiB head", raw: "HTTP/1.1 200 OK\r\n" + strings.Repeat("X: "+strings.Repeat("a", 8000)+"\r\n", 132) + "\r\n", wantKind: KindProtocol},
	{name: "too many header lines", raw: "HTTP/1.1 200 OK\r\n" + strings.Repeat("X: y\r\n", maxHeaderLines) + "\r\n", wantKind: KindProtocol},
	{name: "header lines at the limit", raw: "HTTP/1.1 200 OK\r\n" + strings.Repeat("X: y\r\n", maxHeaderLines-2) + "\r\n", status: 200, keep: false},
	{name: "too many trailer lines", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n" + strings.Repeat("X: y\r\n", maxHeaderLines) + "\r\n", wantKind: KindProtocol},
	{name: "long body of small chunks", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + strings.Repeat("1\r\nx\r\n", maxHeaderLines) + "0\r\n\r\n", status: 200, n: maxHeaderLines, keep: true},
}

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

// TestRespParserCuts feeds every test response whole, cut at every offset,
// and in single bytes: every way must give the expected result.
func TestRespParserCuts(t *testing.T) {
	for _, tt := range responseCases {
		t.Run(tt.name, func(t *testing.T) {
			cutsList := [][]int{nil}
			for _, i := range cutOffsets(len(tt.raw)) {
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

// cutOffsets is where TestRespParserCuts cuts a response of n bytes in two:
// at every offset, but in the long responses of the limits' cases, where
// that would take minutes: every offset of their first and last 128 bytes
// and some 128 between, at an odd stride.
func cutOffsets(n int) []int {
	const every, edge, between = 4 << 10, 128, 128
	var out []int
	stride := 1
	if n > every {
		stride = (n / between) | 1
	}
	for i := 1; i < n; i++ {
		if i < edge || i > n-edge || i%stride == 0 {
			out = append(out, i)
		}
	}
	return out
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

// fuzzCuts turns fuzz bytes into increasing offsets into a string of n
// bytes: each byte is the length of the next piece, 0 an empty piece.
func fuzzCuts(lengths []byte, n int) []int {
	var cuts []int
	at := 0
	for _, l := range lengths {
		at = min(at+int(l), n)
		cuts = append(cuts, at)
	}
	return cuts
}

// FuzzRespParser checks, on any bytes and any cuts, that the parser does
// not panic and gives the same result as when fed the bytes whole: same
// status, body length, reuse and bytes beyond the response, or a failure of
// the same kind.
func FuzzRespParser(f *testing.F) {
	for _, tt := range responseCases {
		if len(tt.raw) > 64<<10 {
			continue // the 1 MiB head: too slow a seed to mutate
		}
		f.Add(tt.raw, tt.head, []byte{uint8(min(len(tt.raw)/2, 255))})
		f.Add(tt.raw, tt.head, []byte{1, 0, 2, 3, 5, 8, 13, 21, 34})
	}
	f.Fuzz(func(t *testing.T, raw string, head bool, lengths []byte) {
		cuts := fuzzCuts(lengths, len(raw))
		status, n, keep, extra, err := parsePieces(raw, head, cuts)
		wstatus, wn, wkeep, wextra, werr := parsePieces(raw, head, nil)
		if Classify(err) != Classify(werr) {
			t.Fatalf("cut at %v: err %v (%v), whole: err %v (%v)", cuts, err, Classify(err), werr, Classify(werr))
		}
		if err == nil && (status != wstatus || n != wn || keep != wkeep || extra != wextra) {
			t.Fatalf("cut at %v: %d %d %v %d, whole: %d %d %v %d", cuts, status, n, keep, extra, wstatus, wn, wkeep, wextra)
		}
	})
}
