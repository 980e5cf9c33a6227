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
	// cap, when set, keeps the final response's values of the --split-by
	// headers; reset keeps it, as it keeps line's buffer.
	cap *headerCapture
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
	*p = respParser{head: head, line: p.line[:0], cap: p.cap}
	if p.cap != nil {
		p.cap.clear()
	}
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
		if p.cap != nil {
			p.cap.clear() // an interim response's headers are not the answer's
		}
		return false, nil
	case psHeaders:
		if h := trimCRLF(line); len(h) > 0 {
			if err := p.f.header(h); err != nil {
				return false, err
			}
			if p.cap != nil {
				p.cap.take(h)
			}
			return false, nil
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
