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
type respParser struct {
	state   parseState
	head    bool
	status  int
	f       framing
	remain  int64  // bytes left of the body or of the current chunk
	n       int64  // body bytes so far
	line    []byte // a line split across reads
	started bool   // some byte of the response arrived
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

// maxLine is the longest status, header, chunk or trailer line accepted.
const maxLine = 16 << 10

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
				if len(p.line)+len(b) > maxLine {
					return false, 0, fmt.Errorf("header line longer than 16 KiB: %w", errProtocol)
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
			if len(line) > maxLine {
				return false, 0, fmt.Errorf("header line longer than 16 KiB: %w", errProtocol)
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

// onLine takes one whole line in a line-oriented state.
func (p *respParser) onLine(line []byte) (done bool, err error) {
	switch p.state {
	case psStatus:
		status, keep, err := parseStatusLine(line)
		if err != nil {
			return false, err
		}
		p.status, p.f, p.state = status, framing{length: -1, keep: keep}, psHeaders
		return false, nil
	case psHeaders:
		h := trimCRLF(line)
		if len(h) > 0 {
			return false, p.f.header(h)
		}
		switch {
		case !hasBody(p.status, p.head):
			return true, nil
		case p.f.chunked:
			p.state = psChunkSize
		case p.f.length == 0:
			return true, nil
		case p.f.length > 0:
			p.state, p.remain = psBody, p.f.length
		default:
			p.state, p.f.keep = psToEOF, false
		}
		return false, nil
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

// parseStatusLine parses "HTTP/1.1 200 OK\r\n". keep is the version's
// default: HTTP/1.1 keeps the connection alive, 1.0 does not.
func parseStatusLine(line []byte) (status int, keep bool, err error) {
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' {
		return 0, false, fmt.Errorf("status line %q: %w", trimCRLF(line), errProtocol)
	}
	status = int(atoi3(line[9:12]))
	if status < 100 || (len(line) > 12 && line[12] != ' ' && line[12] != '\r' && line[12] != '\n') {
		return 0, false, fmt.Errorf("status line %q: %w", trimCRLF(line), errProtocol)
	}
	return status, line[7] == '1', nil
}

// framing is what the headers say about the body and the connection.
type framing struct {
	length  int64 // Content-Length, -1 when absent
	chunked bool
	keep    bool
}

// header takes one header line (without its CRLF) into f.
func (f *framing) header(h []byte) error {
	colon := bytes.IndexByte(h, ':')
	if colon <= 0 {
		return fmt.Errorf("header line %q: %w", h, errProtocol)
	}
	name, value := h[:colon], bytes.TrimSpace(h[colon+1:])
	switch {
	case asciiEqualFold(name, "content-length"):
		v, ok := parseLength(value)
		if !ok {
			return fmt.Errorf("content-length %q: %w", value, errProtocol)
		}
		f.length = v
	case asciiEqualFold(name, "transfer-encoding"):
		f.chunked = bytes.Contains(bytes.ToLower(value), []byte("chunked"))
	case asciiEqualFold(name, "connection"):
		switch {
		case asciiEqualFold(value, "close"):
			f.keep = false
		case asciiEqualFold(value, "keep-alive"):
			f.keep = true
		}
	}
	return nil
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
