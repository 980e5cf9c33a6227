package serve

import (
	"fmt"
	"sync"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"

	"github.com/perftop/perftop/internal/tui/cells"
)

// MaxWidth and MaxHeight bound the terminal a viewer's dashboard is drawn
// for, whatever the client's pty request, window changes or in-band size
// reports say: a viewer's screen buffers and frames cost about 250 bytes
// of heap a cell (24 MiB at 500x200; a client asking for 10000x10000 used
// to take the server to 4.9 GB). 500x200 is more than a 4K screen shows at
// the smallest readable font (480x135 at 8x16 pixels a cell). A larger
// terminal shows the dashboard in its top-left corner, with a one-line
// note under it.
const (
	MaxWidth  = 500
	MaxHeight = 200
)

func clampSize(w, h int) (int, int) { return min(w, MaxWidth), min(h, MaxHeight) }

// viewSize is one viewer's terminal size, as asked for and as drawn. ask
// is called from the session's goroutines, filter and note from the
// program's.
type viewSize struct {
	who  string
	logf func(format string, args ...any)

	mu     sync.Mutex // guards asked and logged
	asked  ssh.Window // the last size the client's pty asked for
	logged bool       // a clamp was logged: once a session is enough
}

// ask records a size the client's pty asked for and returns the size the
// program gets.
func (vs *viewSize) ask(w ssh.Window, how string) tea.WindowSizeMsg {
	cw, ch := clampSize(w.Width, w.Height)
	vs.mu.Lock()
	vs.asked = w
	vs.mu.Unlock()
	if cw != w.Width || ch != w.Height {
		vs.logOnce("%s: %s for %dx%d: the dashboard is drawn at %dx%d at most", vs.who, how, w.Width, w.Height, cw, ch)
	}
	return tea.WindowSizeMsg{Width: cw, Height: ch}
}

func (vs *viewSize) logOnce(format string, args ...any) {
	vs.mu.Lock()
	first := !vs.logged
	vs.logged = true
	vs.mu.Unlock()
	if first {
		vs.logf(format, args...)
	}
}

// filter is the program's message filter. It clamps every size message,
// also those a client's terminal reports in band (CSI 8;h;w t, CSI 48;...t
// on its input) where the pty's size is not asked for, and turns a
// suspend into a resume, as wish's MakeOptions does: a viewer cannot
// suspend the server.
func (vs *viewSize) filter(_ tea.Model, msg tea.Msg) tea.Msg {
	switch msg := msg.(type) {
	case tea.SuspendMsg:
		return tea.ResumeMsg{}
	case tea.WindowSizeMsg:
		cw, ch := clampSize(msg.Width, msg.Height)
		if cw != msg.Width || ch != msg.Height {
			vs.logOnce("%s: the terminal reported %dx%d: the dashboard is drawn at %dx%d at most", vs.who, msg.Width, msg.Height, cw, ch)
			return tea.WindowSizeMsg{Width: cw, Height: ch}
		}
	}
	return msg
}

// note is the line under the dashboard in a terminal of size ws (clamped
// from what the pty asked for), or "" when the dashboard fills it.
func (vs *viewSize) note(ws tea.WindowSizeMsg) string {
	vs.mu.Lock()
	a := vs.asked
	vs.mu.Unlock()
	if cw, ch := clampSize(a.Width, a.Height); cw == a.Width && ch == a.Height || cw != ws.Width || ch != ws.Height || ch < 2 {
		return ""
	}
	return cells.Fit(fmt.Sprintf("perftop draws at most %dx%d: this %dx%d terminal shows the dashboard in its top-left corner",
		MaxWidth, MaxHeight, a.Width, a.Height), ws.Width)
}

// sizedModel is a viewer's model with the note under it when the
// viewer's terminal is larger than is drawn.
type sizedModel struct {
	tea.Model
	size  *viewSize
	note  string
	inner string // the model's last frame
	frame string // inner with the note under it
}

func (m *sizedModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if ws, ok := msg.(tea.WindowSizeMsg); ok {
		m.note, m.inner, m.frame = m.size.note(ws), "", ""
		if m.note != "" {
			ws.Height--
		}
		msg = ws
	}
	var cmd tea.Cmd
	m.Model, cmd = m.Model.Update(msg)
	return m, cmd
}

func (m *sizedModel) View() tea.View {
	v := m.Model.View()
	if m.note == "" {
		return v
	}
	if m.frame == "" || v.Content != m.inner { // the same string most frames: compared by pointer
		m.inner, m.frame = v.Content, v.Content+"\n"+m.note
	}
	v.Content = m.frame
	return v
}
