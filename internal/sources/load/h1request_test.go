package load

import (
	"net/http"
	"net/url"
	"testing"
)

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
