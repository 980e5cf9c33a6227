package load

import (
	"bytes"
	"fmt"
	"net/http"
	"sort"
	"strconv"
)

// wireRequest is a request serialised once and written as is.
type wireRequest struct {
	raw  []byte
	head bool // a HEAD request: the response has no body
}

// serialise renders r as HTTP/1.1 bytes for the given Host header value.
func serialise(r Request, host, userAgent string, keepAlive bool) wireRequest {
	return serialiseWith(r, host, userAgent, keepAlive, false)
}

// serialiseWith is serialise; with ownLength, r's Content-Length header is
// written as it is (a keyed body's, whose length each key sets: keys.go).
func serialiseWith(r Request, host, userAgent string, keepAlive, ownLength bool) wireRequest {
	var b bytes.Buffer
	uri := r.URL.RequestURI()
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\n", r.Method, uri, host)
	h := r.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	if h.Get("User-Agent") == "" {
		h.Set("User-Agent", userAgent)
	}
	h.Del("Host")
	if !ownLength {
		h.Del("Content-Length")
		if len(r.Body) > 0 || r.Method == http.MethodPost || r.Method == http.MethodPut || r.Method == http.MethodPatch {
			h.Set("Content-Length", strconv.Itoa(len(r.Body)))
		}
	}
	if !keepAlive {
		h.Set("Connection", "close")
	}
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	b.WriteString("\r\n")
	b.Write(r.Body)
	return wireRequest{raw: b.Bytes(), head: r.Method == http.MethodHead}
}
