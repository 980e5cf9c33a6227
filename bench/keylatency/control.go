package main

import (
	"strconv"
	"strings"
)

// The tmux control-mode protocol, as far as this harness needs it (see
// "CONTROL MODE" in tmux(1)). Every line tmux writes is either inside a
// reply block,
//
//	%begin TIME NUMBER FLAGS
//	...the command's output, one line each...
//	%end TIME NUMBER FLAGS        (or %error ... when the command failed)
//
// or a notification such as "%output %PANE DATA". Notifications never come
// inside a block. FLAGS is 1 for a command this client sent and 0 for the
// blocks tmux writes on its own (the attach-session that starts the client).

// eventKind says what a finished line or block is.
type eventKind int

const (
	evNone   eventKind = iota // a notification this harness ignores, or a block still open
	evReply                   // a reply block ended (%end or %error)
	evOutput                  // %output: a pane wrote to its terminal
	evExit                    // %exit: the client is detaching
)

// event is one thing the control client reported.
type event struct {
	kind  eventKind
	num   string   // evReply: the command number of %begin/%end
	mine  bool     // evReply: FLAGS said this client sent the command
	err   bool     // evReply: ended with %error
	lines []string // evReply: the output lines
	pane  string   // evOutput: pane id, "%0"
	data  []byte   // evOutput: what the pane wrote, unescaped
}

// parser turns control-mode lines into events. Its zero value is ready.
type parser struct {
	inBlock bool
	num     string
	mine    bool
	lines   []string
}

// feed takes one line without its "\n" and returns the event it completes,
// if any (kind evNone otherwise).
func (p *parser) feed(line string) event {
	line = strings.TrimSuffix(line, "\r")
	if p.inBlock {
		// Only the %end or %error with the number of the %begin closes the
		// block: a captured screen may hold a line that starts with "%end".
		if kw, num, _, ok := blockGuard(line); ok && (kw == "%end" || kw == "%error") && num == p.num {
			ev := event{kind: evReply, num: p.num, mine: p.mine, err: kw == "%error", lines: p.lines}
			p.inBlock, p.num, p.lines = false, "", nil
			return ev
		}
		p.lines = append(p.lines, line)
		return event{}
	}
	if kw, num, flags, ok := blockGuard(line); ok && kw == "%begin" {
		p.inBlock, p.num, p.mine, p.lines = true, num, flags&1 != 0, []string{}
		return event{}
	}
	switch word, rest, _ := strings.Cut(line, " "); word {
	case "%output":
		pane, data, _ := strings.Cut(rest, " ")
		return event{kind: evOutput, pane: pane, data: unescapeOutput(data)}
	case "%exit":
		return event{kind: evExit}
	}
	return event{}
}

// blockGuard parses "%begin|%end|%error TIME NUMBER FLAGS".
func blockGuard(line string) (kw, num string, flags int, ok bool) {
	f := strings.Fields(line)
	if len(f) != 4 || (f[0] != "%begin" && f[0] != "%end" && f[0] != "%error") {
		return "", "", 0, false
	}
	for _, s := range f[1:] {
		if _, err := strconv.ParseUint(s, 10, 64); err != nil {
			return "", "", 0, false
		}
	}
	flags, _ = strconv.Atoi(f[3])
	return f[0], f[2], flags, true
}

// unescapeOutput undoes %output's escaping: tmux writes every byte below
// 0x20 and the backslash as a backslash and three octal digits.
func unescapeOutput(s string) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && isOctal(s[i+1]) && isOctal(s[i+2]) && isOctal(s[i+3]) {
			out = append(out, (s[i+1]-'0')<<6|(s[i+2]-'0')<<3|(s[i+3]-'0'))
			i += 3
			continue
		}
		out = append(out, s[i])
	}
	return out
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }

// quoteArg quotes s as one argument of a tmux command line: single quotes,
// inside which only a single quote itself needs care.
func quoteArg(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
