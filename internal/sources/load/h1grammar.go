package load

// The HTTP/1.1 grammar respParser reads with (RFC 9112): the status line,
// the header fields that frame a response, and the list and number syntax
// they use.

import (
	"bytes"
	"fmt"
)

// parseStatusLine parses "HTTP/1.1 200 OK\r\n". http11 is the version's
// default for the connection: HTTP/1.1 (and any later 1.x) keeps it alive,
// 1.0 does not.
func parseStatusLine(line []byte) (status int, http11 bool, err error) {
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[7] < '0' || line[7] > '9' || line[8] != ' ' {
		return 0, false, fmt.Errorf("status line %q: %w", trimCRLF(line), errProtocol)
	}
	status = int(atoi3(line[9:12]))
	if status < 100 || (len(line) > 12 && line[12] != ' ' && line[12] != '\r' && line[12] != '\n') {
		return 0, false, fmt.Errorf("status line %q: %w", trimCRLF(line), errProtocol)
	}
	return status, line[7] >= '1', nil
}

// framing is what the headers say about the body and the connection.
type framing struct {
	length    int64 // Content-Length, -1 when absent
	te        bool  // some Transfer-Encoding
	chunked   bool  // chunked is its final coding
	http11    bool  // the version keeps the connection by default
	close     bool  // Connection: close
	keepAlive bool  // Connection: keep-alive
	keep      bool  // the outcome, once the head is complete
}

// header takes one header line (without its CRLF) into f. It keeps no
// order: repeated fields are read as one list, as RFC 9110 5.3 combines
// them.
func (f *framing) header(h []byte) error {
	colon := bytes.IndexByte(h, ':')
	if colon <= 0 {
		return fmt.Errorf("header line %q: %w", h, errProtocol)
	}
	name, value := h[:colon], trimOWS(h[colon+1:])
	switch {
	case asciiEqualFold(name, "content-length"):
		v, ok := parseLengthList(value)
		if !ok {
			return fmt.Errorf("content-length %q: %w", value, errProtocol)
		}
		if f.length >= 0 && f.length != v {
			// Two lengths: which one frames the body is the
			// ambiguity response splitting lives on (RFC 9112 6.3).
			return fmt.Errorf("conflicting content-length %d and %d: %w", f.length, v, errProtocol)
		}
		f.length = v
	case asciiEqualFold(name, "transfer-encoding"):
		f.te = true
		if last, ok := lastElement(value); ok {
			// Codings are ASCII tokens, compared by ASCII case
			// folding, which allocates nothing (bytes.ToLower did, on
			// every chunked response). Unicode folding would also take
			// "chun\u212aed", with a Kelvin sign that lower-cases to
			// 'k', for "chunked"; net/http folds with its internal
			// ascii package to refuse exactly that. Here it is some
			// other coding: the body runs to the close.
			f.chunked = asciiEqualFold(last, "chunked")
		}
	case asciiEqualFold(name, "connection"):
		for rest := value; len(rest) > 0; {
			var opt []byte
			opt, rest = nextElement(rest)
			switch {
			case asciiEqualFold(opt, "close"):
				f.close = true
			case asciiEqualFold(opt, "keep-alive"):
				f.keepAlive = true
			}
		}
	}
	return nil
}

// nextElement splits the first element off a comma-separated list (RFC
// 9110 5.6.1), trimmed; empty elements come back empty.
func nextElement(list []byte) (elem, rest []byte) {
	if i := bytes.IndexByte(list, ','); i >= 0 {
		return trimOWS(list[:i]), list[i+1:]
	}
	return trimOWS(list), nil
}

// lastElement is a list's last non-empty element.
func lastElement(list []byte) (last []byte, ok bool) {
	for rest := list; len(rest) > 0; {
		var e []byte
		if e, rest = nextElement(rest); len(e) > 0 {
			last, ok = e, true
		}
	}
	return last, ok
}

// parseLengthList parses a Content-Length value: one length, or a list of
// the same length repeated (RFC 9112 6.3 item 5), empty elements ignored.
func parseLengthList(value []byte) (int64, bool) {
	n, seen := int64(0), false
	for rest := value; len(rest) > 0; {
		var e []byte
		if e, rest = nextElement(rest); len(e) == 0 {
			continue
		}
		v, ok := parseLength(e)
		if !ok || (seen && v != n) {
			return 0, false
		}
		n, seen = v, true
	}
	return n, seen
}

// trimOWS drops the optional white space (spaces and tabs) around a field
// value or list element.
func trimOWS(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// hasBody says whether a response of this status to this method has a body.
func hasBody(status int, head bool) bool {
	return !head && status != 204 && status != 304 && status >= 200
}

func trimCRLF(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

func atoi3(b []byte) int64 {
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int64(c-'0')
	}
	return n
}

func parseLength(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

func parseHex(b []byte) (int64, bool) {
	if i := bytes.IndexByte(b, ';'); i >= 0 { // chunk extensions
		b = b[:i]
	}
	b = bytes.TrimSpace(b)
	if len(b) == 0 || len(b) > 15 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			n = n<<4 | int64(c-'0')
		case c >= 'a' && c <= 'f':
			n = n<<4 | int64(c-'a'+10)
		case c >= 'A' && c <= 'F':
			n = n<<4 | int64(c-'A'+10)
		default:
			return 0, false
		}
	}
	return n, true
}

// asciiEqualFold compares b with a lower-case ASCII string, ignoring case.
func asciiEqualFold(b []byte, lower string) bool {
	if len(b) != len(lower) {
		return false
	}
	for i := range b {
		c := b[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}
