package load

import (
	"bufio"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// responseCases are the responses both parsers are tested on: readResponse
// from a bufio.Reader, respParser from pieces.
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
}

func TestReadResponse(t *testing.T) {
	for _, tt := range responseCases {
		t.Run(tt.name, func(t *testing.T) {
			br := bufio.NewReaderSize(strings.NewReader(tt.raw), 16<<10)
			status, n, keep, err := readResponse(br, tt.head)
			if tt.wantKind != KindNone {
				if got := Classify(err); got != tt.wantKind {
					t.Fatalf("err %v is %v, want %v", err, got, tt.wantKind)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if status != tt.status || n != tt.n || keep != tt.keep {
				t.Fatalf("got status %d, %d bytes, keep %v; want %d, %d, %v", status, n, keep, tt.status, tt.n, tt.keep)
			}
			if rest, _ := io.ReadAll(br); tt.keep && len(rest) != 0 {
				t.Fatalf("left %q unread on a reusable connection", rest)
			}
		})
	}
}

// TestReadResponsePipelined reads two responses from one stream, as a
// keep-alive connection delivers them.
func TestReadResponsePipelined(t *testing.T) {
	raw := "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcHTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n"
	br := bufio.NewReader(strings.NewReader(raw))
	for _, want := range []int{200, 404} {
		status, _, keep, err := readResponse(br, false)
		if err != nil || status != want || !keep {
			t.Fatalf("got %d %v %v, want %d", status, keep, err, want)
		}
	}
}

func TestSerialise(t *testing.T) {
	u, _ := url.Parse("http://example.com:8080/a/b?q=1")
	r := Request{Method: "POST", URL: u, Header: http.Header{"X-B": {"2"}, "X-A": {"1"}, "Host": {"ignored"}}, Body: []byte("{}")}
	got := string(serialise(r, "example.com:8080", "perftop/test", true).raw)
	want := "POST /a/b?q=1 HTTP/1.1\r\nHost: example.com:8080\r\nContent-Length: 2\r\nUser-Agent: perftop/test\r\nX-A: 1\r\nX-B: 2\r\n\r\n{}"
	if got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
	r = Request{Method: "GET", URL: u, Header: http.Header{"User-Agent": {"mine"}}}
	got = string(serialise(r, "h", "perftop/test", false).raw)
	want = "GET /a/b?q=1 HTTP/1.1\r\nHost: h\r\nConnection: close\r\nUser-Agent: mine\r\n\r\n"
	if got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}

func FuzzReadResponse(f *testing.F) {
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"), false)
	f.Add([]byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"), false)
	f.Fuzz(func(t *testing.T, raw []byte, head bool) {
		br := bufio.NewReaderSize(strings.NewReader(string(raw)), 4096)
		status, n, _, err := readResponse(br, head)
		if err == nil && (status < 100 || status > 999 || n < 0 || n > int64(len(raw))) {
			t.Fatalf("status %d, %d bytes from %d input bytes", status, n, len(raw))
		}
		if err != nil && Classify(err) == KindOther && !errors.Is(err, io.EOF) {
			t.Fatalf("unclassified parse error %v", err)
		}
	})
}
