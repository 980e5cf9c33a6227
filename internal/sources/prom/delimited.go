package prom

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/perftop/perftop/internal/printable"
)

// protoBuffer is the buffer a protobuf body is read through. A message that
// fits, as most of a real exposition's do, is decoded where it lies.
const protoBuffer = 16 << 10

// protoReader splits a delimited protobuf body into its messages: each is a
// varint length, then that many bytes. A length is checked before anything
// is allocated for it: no message may reach past the body limit, nor past
// the end of a body whose length the server gave. The zero value is not
// ready for use; one protoReader reads one body from one goroutine.
type protoReader struct {
	br     *bufio.Reader
	body   *countingReader // below br: counts what br has taken from the body
	limit  int64           // the body limit
	size   int64           // the body's length, if the server said it, else -1
	peeked int             // bytes of br that the last message occupies
	buf    []byte          // the last message, when larger than br's buffer
}

func newProtoReader(body *countingReader, limit, size int64) *protoReader {
	return &protoReader{br: bufio.NewReaderSize(body, protoBuffer), body: body, limit: limit, size: size}
}

// offset is how far into the body the reader is: the bytes taken from it
// less those still buffered.
func (p *protoReader) offset() int64 { return p.body.n - int64(p.br.Buffered()) }

// next returns the next message, valid until the following call to next
// or done; io.EOF at the end of the body. Other errors are a *LimitError,
// a parse error or a read error, each one line.
func (p *protoReader) next() ([]byte, error) {
	p.done()
	size, err := p.length()
	if err != nil {
		return nil, err
	}
	at := p.offset()
	switch {
	case size > uint64(p.limit):
		return nil, parseError(fmt.Errorf("protobuf message of %d bytes exceeds the %s limit", size, sizeLabel(p.limit)))
	case p.size >= 0 && int64(size) > p.size-at:
		return nil, parseError(fmt.Errorf("protobuf message of %d bytes, but the body has %d bytes left", size, max(p.size-at, 0)))
	case int64(size) > p.limit-at:
		return nil, bodyTooLarge(p.limit)
	}
	n := int(size)
	if n <= p.br.Size() {
		b, err := p.br.Peek(n)
		if err != nil {
			return nil, p.cut(err, n, len(b))
		}
		p.peeked = n
		return b, nil
	}
	// At most what is left of the body limit, so that all the messages
	// of a body take at most the limit, one buffer reused.
	if cap(p.buf) < n {
		p.buf = make([]byte, n)
	}
	got, err := io.ReadFull(p.br, p.buf[:n])
	if err != nil {
		return nil, p.cut(err, n, got)
	}
	return p.buf[:n], nil
}

// done releases the last message's bytes.
func (p *protoReader) done() {
	if p.peeked > 0 {
		_, _ = p.br.Discard(p.peeked)
		p.peeked = 0
	}
}

// length reads a message's varint length prefix, as protodelim does.
func (p *protoReader) length() (uint64, error) {
	var arr [binary.MaxVarintLen64]byte
	b := arr[:0]
	for i := range arr {
		c, err := p.br.ReadByte()
		if errors.Is(err, io.EOF) && i == 0 {
			return 0, io.EOF
		}
		if errors.Is(err, io.EOF) {
			return 0, parseError(errors.New("protobuf length prefix cut short"))
		}
		if err != nil {
			return 0, readError(err)
		}
		b = append(b, c)
		if c < 0x80 {
			break
		}
	}
	size, n := protowire.ConsumeVarint(b)
	if n < 0 {
		return 0, parseError(fmt.Errorf("protobuf length prefix: %w", protowire.ParseError(n)))
	}
	return size, nil
}

// cut explains a message that ended early.
func (p *protoReader) cut(err error, want, got int) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, bufio.ErrBufferFull) {
		return parseError(fmt.Errorf("protobuf message of %d bytes cut short after %d", want, got))
	}
	return readError(err)
}

// readError is a failure to read the body, on one line.
func readError(err error) error {
	return errors.New("reading the body: " + printable.Line(printable.Cut(err.Error(), maxErrorLen)))
}
