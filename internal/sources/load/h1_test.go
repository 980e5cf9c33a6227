package load

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// stringReader is a respReader over raw, read through wrap.
func stringReader(raw string, wrap func(io.Reader) io.Reader) (*respReader, io.Reader) {
	rd := wrap(strings.NewReader(raw))
	var rr respReader
	rr.reset(rd)
	return &rr, rd
}

// readers are the ways TestReadResponse reads a response: as a socket
// delivers it in one read, a byte at a time, and with the final EOF coming
// with the last bytes.
var readers = []struct {
	name string
	wrap func(io.Reader) io.Reader
}{
	{"whole", func(r io.Reader) io.Reader { return r }},
	{"bytes", iotest.OneByteReader},
	{"eof with data", iotest.DataErrReader},
}

// TestReadResponse reads every test response through a respReader, the
// goroutine workers' blocking path.
func TestReadResponse(t *testing.T) {
	for _, r := range readers {
		for _, tt := range responseCases {
			t.Run(r.name+"/"+tt.name, func(t *testing.T) {
				rr, rd := stringReader(tt.raw, r.wrap)
				status, n, keep, err := rr.readResponse(tt.head)
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
				rest, _ := io.ReadAll(rd)
				if rest = append(rr.buf[rr.r:rr.w:rr.w], rest...); tt.keep && len(rest) != 0 {
					t.Fatalf("left %q unread on a reusable connection", rest)
				}
			})
		}
	}
}

// TestReadResponsePipelined reads two responses from one stream, as a
// keep-alive connection delivers them.
func TestReadResponsePipelined(t *testing.T) {
	raw := "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcHTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n"
	rr, _ := stringReader(raw, func(r io.Reader) io.Reader { return r })
	for _, want := range []int{200, 404} {
		status, _, keep, err := rr.readResponse(false)
		if err != nil || status != want || !keep {
			t.Fatalf("got %d %v %v, want %d", status, keep, err, want)
		}
	}
}

func FuzzReadResponse(f *testing.F) {
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"), false)
	f.Add([]byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"), false)
	f.Fuzz(func(t *testing.T, raw []byte, head bool) {
		rr := respReader{buf: make([]byte, 4096)}
		rr.reset(strings.NewReader(string(raw)))
		status, n, _, err := rr.readResponse(head)
		if err == nil && (status < 100 || status > 999 || n < 0 || n > int64(len(raw))) {
			t.Fatalf("status %d, %d bytes from %d input bytes", status, n, len(raw))
		}
		if err != nil && Classify(err) == KindOther && !errors.Is(err, io.EOF) {
			t.Fatalf("unclassified parse error %v", err)
		}
	})
}
