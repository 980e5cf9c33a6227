package main

import (
	"reflect"
	"testing"
)

func TestParser(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		want  []event // the events completed, in order
	}{
		{"attach block is not ours", []string{"%begin 1796118375 268 0", "%end 1796118375 268 0"},
			[]event{{kind: evReply, num: "268", lines: []string{}}}},
		{"reply with output", []string{"%begin 1796118375 273 1", "%0", "%end 1796118375 273 1"},
			[]event{{kind: evReply, num: "273", mine: true, lines: []string{"%0"}}}},
		{"error reply", []string{"%begin 1 5 1", "can't find pane: %9", "%error 1 5 1"},
			[]event{{kind: evReply, num: "5", mine: true, err: true, lines: []string{"can't find pane: %9"}}}},
		{"screen lines that look like protocol stay inside the block", []string{
			"%begin 1 7 1", "%end of the line", "%end 1 6 1", "%output %0 x", "", "%end 1 7 1"},
			[]event{{kind: evReply, num: "7", mine: true, lines: []string{"%end of the line", "%end 1 6 1", "%output %0 x", ""}}}},
		{"output unescaped", []string{`%output %0 Tue 09:46:15\015\012`, `%output %1 a\134b \033[1mc`},
			[]event{{kind: evOutput, pane: "%0", data: []byte("Tue 09:46:15\r\n")}, {kind: evOutput, pane: "%1", data: []byte("a\\b \x1b[1mc")}}},
		{"utf-8 output passes through", []string{"%output %0 ╭─ Memory"},
			[]event{{kind: evOutput, pane: "%0", data: []byte("╭─ Memory")}}},
		{"notifications ignored, exit seen", []string{"%session-changed $0 bench", "%window-add @1", "%exit"},
			[]event{{kind: evExit}}},
		{"crlf tolerated", []string{"%begin 1 9 1\r", "hi\r", "%end 1 9 1\r"},
			[]event{{kind: evReply, num: "9", mine: true, lines: []string{"hi"}}}},
		{"malformed begin is a notification", []string{"%begin x 1 1", "%output %0 y"},
			[]event{{kind: evOutput, pane: "%0", data: []byte("y")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p parser
			var got []event
			for _, l := range tt.lines {
				if ev := p.feed(l); ev.kind != evNone {
					got = append(got, ev)
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("events = %+v\nwant     %+v", got, tt.want)
			}
		})
	}
}

func TestUnescapeOutput(t *testing.T) {
	tests := []struct{ in, want string }{
		{`plain`, "plain"},
		{`\033[H\033[2J`, "\x1b[H\x1b[2J"},
		{`\134`, `\`},
		{`a\12`, `a\12`},   // cut short: left as is
		{`\8000`, `\8000`}, // not octal
		{`\0010`, "\x010"}, // three digits only
		{`tab\011end`, "tab\tend"},
	}
	for _, tt := range tests {
		if got := string(unescapeOutput(tt.in)); got != tt.want {
			t.Errorf("unescapeOutput(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestClassify(t *testing.T) {
	sp := specs["perftop"]
	tests := []struct {
		screen string
		want   state
	}{
		{" perftop   1 Overview\n╭─ CPU ──╮╭─ Memory ── 382 MiB ─╮", stateClosed},
		{" perftop   1 Overview\n╭─ Keys ── esc to close ─╮\n│?          show/hide this help", stateOpen},
		{"╭─ Memory ─╮ show/hide this help", stateUnknown}, // half redrawn
		{"", stateUnknown},
	}
	for _, tt := range tests {
		if got := classify(sp, tt.screen); got != tt.want {
			t.Errorf("classify(%q) = %v, want %v", tt.screen, got, tt.want)
		}
	}
}

func TestQuoteArg(t *testing.T) {
	for in, want := range map[string]string{"?": `'?'`, "Escape": `'Escape'`, "'": `''\'''`} {
		if got := quoteArg(in); got != want {
			t.Errorf("quoteArg(%q) = %s, want %s", in, got, want)
		}
	}
}
