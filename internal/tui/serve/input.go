package serve

import (
	"errors"
	"io"
)

// A viewer's input is bounded before Bubble Tea reads it. Its reader keeps
// an escape sequence in memory until the sequence ends, and scans it again
// from its start on every read: a client that starts an OSC, DCS or APC
// string and never ends it cost a core and a growing heap (4 MiB taken in
// 10 s, slower and slower). A bracketed paste is kept until its end too
// (200 MiB in 35 s, measured). Both limits pass every byte through at once
// (a lone Esc is not held back) and cut only what grows past them.
const (
	// maxSeq bounds an escape sequence; terminals' replies are a few dozen
	// bytes.
	maxSeq = 4 << 10
	// maxPaste bounds a bracketed paste; the rest of it is dropped.
	maxPaste = 64 << 10
	// maxSeps bounds the parameter separators (; and :) of a CSI or DCS
	// sequence. Ultraviolet's decoder (charmbracelet/x/ansi v0.11.9, the
	// newest) keeps 32 parameters and indexes past them on the next
	// digit: ESC [ followed by 32 "1;" and a digit panicked the program's
	// input goroutine, which ends the process, for every viewer. Terminal
	// replies use a handful (a kitty key report, the most, about 8).
	maxSeps = 24
	// maxPending bounds the input Ultraviolet's reader keeps undecoded:
	// see segmenter.
	maxPending = 8 << 10
)

// Bytes of the VT input syntax that the limits look for.
const (
	esc = 0x1b
	can = 0x18 // cancels an escape sequence
	sub = 0x1a // cancels one too
	bel = 0x07 // ends an OSC string
	st  = 0x9c // ends a string (8-bit)
)

// limitFunc is one input limit: it appends in to out, changed as needed.
type limitFunc func(out, in []byte) []byte

// limitReader applies a limit to what r reads. It is used by one
// goroutine, the program's input reader.
type limitReader struct {
	r     io.Reader
	limit limitFunc
	buf   []byte // read from r
	store []byte // out's backing array, reused
	out   []byte // read and not yet returned
	err   error  // r's error, returned once out is empty
}

// limitInput is a viewer's input with its escape sequences and bracketed
// pastes bounded.
func limitInput(r io.Reader) io.Reader {
	seqs := &limitReader{r: &limitReader{r: r, limit: new(paramLimit).scan}, limit: new(seqLimit).scan}
	return &limitReader{r: seqs, limit: new(pasteLimit).scan}
}

func (l *limitReader) Read(b []byte) (int, error) {
	for len(l.out) == 0 {
		if l.err != nil {
			return 0, l.err
		}
		if l.buf == nil {
			l.buf = make([]byte, 32<<10)
		}
		n, err := l.r.Read(l.buf)
		l.err = err
		l.out = l.limit(l.store[:0], l.buf[:n])
		l.store = l.out[:0]
	}
	n := copy(b, l.out)
	l.out = l.out[n:]
	return n, nil
}

// seqLimit cancels (with CAN) an escape sequence longer than maxSeq. It
// follows the sequences as Ultraviolet's decoder does: CSI parameters run
// while bytes are 0x20-0x3F; OSC, DCS, APC, PM and SOS strings run to BEL,
// ESC, ST, CAN or SUB.
type seqLimit struct {
	state int // ground, escape, csi or str
	n     int // bytes in the sequence so far
	cont  int // UTF-8 continuation bytes still due, in ground
}

const (
	ground = iota
	escape
	csi
	str
)

func (s *seqLimit) scan(out, in []byte) []byte {
	for _, c := range in {
		out = append(out, c)
		s.step(c)
		if s.state >= csi && s.n > maxSeq {
			out = append(out, can)
			s.state = ground
		}
	}
	return out
}

func (s *seqLimit) step(c byte) {
	if c == esc {
		s.state, s.n, s.cont = escape, 0, 0
		return
	}
	switch s.state {
	case ground:
		switch {
		case s.cont > 0 && c >= 0x80 && c <= 0xbf:
			s.cont--
		case c >= 0xf0 && c <= 0xf7:
			s.cont = 3
		case c >= 0xe0 && c <= 0xef:
			s.cont = 2
		case c >= 0xc0 && c <= 0xdf:
			s.cont = 1
		case c == 0x9b: // 8-bit CSI
			s.state, s.n, s.cont = csi, 0, 0
		case c == 0x90 || c == 0x98 || c == 0x9d || c == 0x9e || c == 0x9f: // DCS, SOS, OSC, PM, APC
			s.state, s.n, s.cont = str, 0, 0
		default:
			s.cont = 0
		}
	case escape:
		switch c {
		case '[':
			s.state = csi
		case ']', 'P', '_', '^', 'X':
			s.state = str
		default:
			s.state = ground
		}
	case csi:
		if c < 0x20 || c > 0x3f {
			s.state = ground
		}
		s.n++
	case str:
		if c == bel || c == can || c == sub || c == st {
			s.state = ground
		}
		s.n++
	}
}

// paramLimit drops the parameter separators of a CSI or DCS sequence past
// maxSeps; the sequence still ends where it did, with its last parameter
// run together. It follows the decoder's parameter state, which starts at
// ESC [, ESC P and their 8-bit forms wherever they stand (the decoder takes
// 0x9b and 0x90 as CSI and DCS at the start of any token, so this does
// not skip them inside UTF-8) and runs while bytes are 0x30-0x3F.
type paramLimit struct {
	escaped bool // the byte before was ESC
	params  bool // inside a sequence's parameters
	seps    int  // separators passed in this sequence
}

func (l *paramLimit) scan(out, in []byte) []byte {
	for _, c := range in {
		if l.step(c) {
			out = append(out, c)
		}
	}
	return out
}

// step reports whether c is passed.
func (l *paramLimit) step(c byte) bool {
	starts := c == 0x9b || c == 0x90 || l.escaped && (c == '[' || c == 'P')
	l.escaped = c == esc
	switch {
	case starts:
		l.params, l.seps = true, 0
	case !l.params:
	case c < 0x30 || c > 0x3f:
		l.params = false
	case c == ';' || c == ':':
		l.seps++
		return l.seps <= maxSeps
	}
	return true
}

// pasteLimit ends for the client a bracketed paste (ESC [ 200 ~ ...
// ESC [ 201 ~) that grows past maxPaste, after a CAN that cancels any
// sequence the paste was in, and drops the rest of it up to and including
// its own end.
type pasteLimit struct {
	state    int  // bytes matched of ESC [ 2 0 (0|1) ~
	end      bool // the sequence being matched ends a paste
	in       bool // inside a paste
	n        int  // bytes of the paste passed so far
	dropping bool // the paste was ended for the client
}

var pasteEnd = []byte{can, esc, '[', '2', '0', '1', '~'}

// Events of pasteLimit.step.
const (
	noSeq = iota
	startSeq
	endSeq
)

func (p *pasteLimit) scan(out, in []byte) []byte {
	for _, c := range in {
		ev := p.step(c)
		switch {
		case p.dropping:
			if ev == endSeq {
				p.dropping, p.in = false, false
			}
		case ev == endSeq:
			out = append(out, c)
			p.in = false
		case ev == startSeq && !p.in:
			out = append(out, c)
			p.in, p.n = true, 0
		case p.in && p.n >= maxPaste:
			out = append(out, pasteEnd...)
			p.dropping = true
		default:
			out = append(out, c)
			if p.in {
				p.n++
			}
		}
	}
	return out
}

// step advances the match of ESC [ 2 0 0 ~ (paste start) and
// ESC [ 2 0 1 ~ (paste end) by c.
func (p *pasteLimit) step(c byte) int {
	switch {
	case p.state == 1 && c == '[', p.state == 2 && c == '2', p.state == 3 && c == '0':
		p.state++
	case p.state == 4 && (c == '0' || c == '1'):
		p.state, p.end = 5, c == '1'
	case p.state == 5 && c == '~':
		p.state = 0
		if p.end {
			return endSeq
		}
		return startSeq
	case c == esc:
		p.state = 1
	default:
		p.state = 0
	}
	return noSeq
}

// errSegment ends one segment of a viewer's input; the next Read goes on.
var errSegment = errors.New("perftop: input segment ended")

// segmenter ends its reader's stream (errSegment, once) after every
// maxPending bytes, at the first byte after which no escape sequence or
// UTF-8 character is open, and then goes on reading.
//
// Ultraviolet's reader (uv.TerminalReader.StreamEvents) keeps what it read
// in a buffer and decodes it after every read; when a token at the
// buffer's start may still be incomplete (a CSI or DCS ended by anything
// but a final byte, as the CAN seqLimit cuts one with, an unknown byte,
// ESC and one byte) it stops there and waits for more, and decodes the
// rest only once 50 ms pass without a read. A viewer's flood never leaves
// that pause: everything it sent after such a token was kept, then turned
// at once into one event per byte (one []Event, about 100 B an event):
// 40 MiB of events and a 130 MiB heap from 2 MiB of input, measured. At
// the end of a segment the reader decodes its whole buffer as timed out
// and returns, and readInput starts it again: it never holds more than
// maxPending+maxSeq+2 bytes undecoded, nor more events than that at once.
// Terminals send nothing that long without a pause but a paste, and a
// paste (one event) is not split by a segment's end.
type segmenter struct {
	r    io.Reader
	seq  seqLimit // follows the sequences; cuts nothing
	n    int      // bytes passed in this segment
	buf  []byte   // read from r
	rest []byte   // read and not yet returned
	cut  bool     // the segment ends before rest
	err  error    // r's error, returned once rest is empty
}

func (s *segmenter) Read(b []byte) (int, error) {
	if s.cut {
		s.cut = false
		return 0, errSegment
	}
	if len(s.rest) == 0 {
		if s.err != nil {
			return 0, s.err
		}
		if s.buf == nil {
			s.buf = make([]byte, 4<<10)
		}
		n, err := s.r.Read(s.buf)
		s.rest, s.err = s.buf[:n], err
		if n == 0 {
			return 0, err
		}
	}
	out := s.rest[:min(len(b), len(s.rest))]
	for i, c := range out {
		s.seq.step(c)
		s.n++
		if s.n >= maxPending && s.seq.state == ground && s.seq.cont == 0 {
			out = out[:i+1]
			s.cut, s.n = true, 0
			break
		}
	}
	n := copy(b, out)
	s.rest = s.rest[n:]
	return n, nil
}
