package load

import (
	"bytes"
	"fmt"
	"io"
)

// respParser reads one HTTP/1.1 response from whatever pieces it is fed:
// the only response parser of the fast path. The event loops feed it what
// each non-blocking read returns; the goroutine workers feed it through a
// respReader, which blocks on the connection until the parser is done. It
// keeps nothing of the response but a partial line, and gives the same
// result however the bytes are cut.
//
// Framing follows RFC 9112 as net/http and curl read it: interim (1xx)
// responses are skipped up to the final one, a 101 is refused (the test
// cannot follow a protocol switch), Transfer-Encoding frames the body only
// when chunked is its final coding and overrides Content-Length, and
// Content-Length values must agree. The head is bounded in line length,
// total bytes and line count, interim heads and trailers included.
type respParser struct {
	state    parseState
	head     bool
	status   int
	f        framing
	remain   int64  // bytes left of the body or of the current chunk
	n        int64  // body bytes so far
	line     []byte // a line split across reads
	started  bool   // some byte of the response arrived
	interim  int    // 1xx responses skipped
	hdrBytes int    // bytes of status, header and trailer lines so far
	hdrLines int    // and their count
}

type parseState uint8

const (
	psStatus    parseState = iota // the status line
	psHeaders                     // header lines, up to the empty one
	psBody                        // remain bytes of a Content-Length body
	psToEOF                       // a body without length: up to the close
	psChunkSize                   // a chunk's size line
	psChunkData                   // remain bytes of a chunk
	psChunkEnd                    // the CRLF after a chunk
	psTrailers                    // trailer lines, up to the empty one
)

// The limits on a response's head, which is data from outside (design rule
// 13). They count every status, header and trailer line of the response,
// interim responses' included, so that a server that never ends its headers,
// or sends 100 Continue forever, fails as a protocol error instead of
// holding the request to its timeout.
const (
	// maxLine is the longest status, header, chunk or trailer line.
	maxLine = 16 << 10
	// maxHeaderBytes is net/http's DefaultMaxHeaderBytes.
	maxHeaderBytes = 1 << 20
	// maxHeaderLines is curl's MAX_HTTP_RESP_HEADER_COUNT: a head of short
	// lines reaches it well under maxHeaderBytes.
	maxHeaderLines = 5000
	// maxInterim is how many 1xx responses may come before the final one.
	maxInterim = 16
)

// reset prepares p for the response to a new request.
func (p *respParser) reset(head bool) {
	*p = respParser{head: head, line: p.line[:0]}
}

// feed takes the next bytes of the response. done reports the response
// complete; extra counts bytes that came after it, which a closed loop never
// asked for (the connection is then not reused).
func (p *respParser) feed(b []byte) (done bool, extra int, err error) {
	if len(b) > 0 {
		p.started = true
	}
	for len(b) > 0 {
		switch p.state {
		case psBody, psChunkData:
			k := min(int64(len(b)), p.remain)
			p.remain -= k
			p.n += k
			b = b[k:]
			if p.remain > 0 {
				continue
			}
			if p.state == psBody {
				return true, len(b), nil
			}
			p.state = psChunkEnd
		case psToEOF:
			p.n += int64(len(b))
			return false, 0, nil
		default:
			i := bytes.IndexByte(b, '\n')
			if i < 0 {
				// The whole line is at least this long: the same
				// limit fails it here as when it comes whole.
				if err := p.checkLine(len(p.line) + len(b)); err != nil {
					return false, 0, err
				}
				p.line = append(p.line, b...)
				return false, 0, nil
			}
			line := b[:i+1]
			if len(p.line) > 0 {
				p.line = append(p.line, line...)
				line = p.line
			}
			b = b[i+1:]
			if err := p.checkLine(len(line)); err != nil {
				return false, 0, err
			}
			if p.inHead() {
				p.hdrBytes += len(line)
				if p.hdrLines++; p.hdrLines > maxHeaderLines {
					return false, 0, fmt.Errorf("more than %d header lines: %w", maxHeaderLines, errProtocol)
				}
			}
			done, err := p.onLine(line)
			p.line = p.line[:0]
			if err != nil || done {
				return done, len(b), err
			}
		}
	}
	return false, 0, nil
}

// inHead says whether p is reading lines of the response's head (interim
// heads and trailers included), which count against its limits. Chunk size
// lines do not: a long body of small chunks is not a large head.
func (p *respParser) inHead() bool {
	return p.state == psStatus || p.state == psHeaders || p.state == psTrailers
}

// checkLine fails a line of n bytes, or the start of one, that is past a
// limit.
func (p *respParser) checkLine(n int) error {
	switch {
	case p.inHead() && p.hdrBytes+n > maxHeaderBytes:
		return fmt.Errorf("response head larger than 1 MiB: %w", errProtocol)
	case n > maxLine:
		return fmt.Errorf("header line longer than 16 KiB: %w", errProtocol)
	}
	return nil
}

// onLine takes one whole line in a line-oriented state.
func (p *respParser) onLine(line []byte) (done bool, err error) {
	switch p.state {
	case psStatus:
		status, http11, err := parseStatusLine(line)
		if err != nil {
			return false, err
		}
		if status == 101 {
			// The request asked for no upgrade, and what follows is not
			// HTTP/1.1: nothing the test can count as an answer.
			return false, fmt.Errorf("101 switching protocols: %w", errProtocol)
		}
		p.status, p.f, p.state = status, framing{length: -1, http11: http11}, psHeaders
		return false, nil
	case psHeaders:
		if h := trimCRLF(line); len(h) > 0 {
			return false, p.f.header(h)
		}
		return p.endHead()
	case psChunkSize:
		size, ok := parseHex(trimCRLF(line))
		if !ok {
			return false, fmt.Errorf("chunk size %q: %w", trimCRLF(line), errProtocol)
		}
		if size == 0 {
			p.state = psTrailers
		} else {
			p.state, p.remain = psChunkData, size
		}
		return false, nil
	case psChunkEnd:
		if len(trimCRLF(line)) != 0 {
			return false, fmt.Errorf("chunk not followed by CRLF: %w", errProtocol)
		}
		p.state = psChunkSize
		return false, nil
	default: // psTrailers
		return len(trimCRLF(line)) == 0, nil
	}
}

// endHead takes the empty line that ends a head: skips an interim response,
// or settles the final one's framing (RFC 9112 6.3).
func (p *respParser) endHead() (done bool, err error) {
	if p.status < 200 {
		// 100 Continue, 102 Processing, 103 Early Hints, ...: no body, and
		// the answer is still to come.
		if p.interim++; p.interim > maxInterim {
			return false, fmt.Errorf("more than %d interim (1xx) responses: %w", maxInterim, errProtocol)
		}
		p.state = psStatus
		return false, nil
	}
	f := &p.f
	f.keep = !f.close && (f.http11 || f.keepAlive)
	if f.te && (f.length >= 0 || !f.http11) {
		// Transfer-Encoding overrides Content-Length, and the pair (like
		// Transfer-Encoding in HTTP/1.0) may be a smuggling attempt: the
		// connection is closed after this response (RFC 9112 6.1, 6.3).
		f.keep = false
	}
	switch {
	case !hasBody(p.status, p.head):
		return true, nil
	case f.te && f.chunked:
		p.state = psChunkSize
	case f.te:
		// Chunked is not the final coding: the body ends at the close.
		p.state, f.keep = psToEOF, false
	case f.length == 0:
		return true, nil
	case f.length > 0:
		p.state, p.remain = psBody, f.length
	default:
		p.state, f.keep = psToEOF, false
	}
	return false, nil
}

// eof is the connection's end. A body without length ends there; anything
// else was cut short: io.EOF before the first byte (on a reused connection,
// the server closed it while idle), io.ErrUnexpectedEOF after.
func (p *respParser) eof() (done bool, err error) {
	switch {
	case p.state == psToEOF:
		return true, nil
	case !p.started:
		return false, io.EOF
	}
	return false, io.ErrUnexpectedEOF
}

// keep says whether the connection can carry another request after a
// complete response.
func (p *respParser) keep() bool { return p.f.keep }

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
