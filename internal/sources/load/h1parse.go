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
