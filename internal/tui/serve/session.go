package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	bm "charm.land/wish/v2/bubbletea"
	uv "github.com/charmbracelet/ultraviolet"
	gossh "golang.org/x/crypto/ssh"

	"github.com/perftop/perftop/internal/crash"
)

// session serves one SSH session: a viewer's program, from the pty request
// to the session's end. It turns away sessions without a terminal and
// sessions above MaxSessions, and draws the dashboard at most
// MaxWidth x MaxHeight whatever size the client asks for.
func (s *Server) session(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		defer next(sess)
		pty, windows, ok := sess.Pty()
		if !ok {
			wish.Fatalln(sess, "perftop: the dashboard needs a terminal (ssh -t)")
			return
		}
		if !s.reserve() {
			s.logf("refused %s@%s: %d sessions already", clean(sess.User()), clean(sess.RemoteAddr().String()), s.o.MaxSessions)
			wish.Fatalln(sess, "perftop: too many viewers, try again later")
			return
		}
		defer s.release()
		// The session's own context: the SSH context lasts as long as
		// the connection, which may carry one session after another.
		ctx, cancel := context.WithCancel(sess.Context())
		defer cancel()
		v := s.register(sess, pty)
		defer s.unregister(v)
		size := &viewSize{who: v.User + "@" + v.Addr, logf: s.logf}
		p := s.program(ctx, sess, v, pty, size)
		crash.Go(func() {
			readInput(ctx, p, limitInput(sess), pty.Term, func(r any) {
				s.logf("%s@%s: its input crashed the terminal decoder, session ended: %s", v.User, v.Addr, clean(fmt.Sprint(r)))
			})
		})
		go func() {
			defer p.Quit()
			for {
				select {
				case <-ctx.Done():
					return
				case w, ok := <-windows:
					if !ok {
						return // the session's channel closed
					}
					p.Send(size.ask(w, "window change"))
				}
			}
		}()
		if _, err := p.Run(); err != nil {
			s.logf("%s@%s: the dashboard ended: %v", v.User, v.Addr, err)
		}
		p.Kill()
	}
}

// program builds a viewer's program at the clamped size.
func (s *Server) program(ctx context.Context, sess ssh.Session, v Viewer, pty ssh.Pty, size *viewSize) *tea.Program {
	first := size.ask(pty.Window, "pty request")
	m := &sizedModel{Model: s.o.NewModel(ctx, v), size: size}
	fps := s.o.FPS
	if fps <= 0 {
		fps = 20
	}
	opts := append(bm.MakeOptions(sess),
		tea.WithFPS(fps),
		tea.WithWindowSize(first.Width, first.Height),
		tea.WithFilter(size.filter), // replaces MakeOptions' filter, and does what it did
		tea.WithInput(nil),          // readInput reads it
	)
	return tea.NewProgram(m, opts...)
}

// readInput decodes a viewer's input with Ultraviolet's reader, the one
// Bubble Tea's own input loop uses, and sends each event to the program
// until the input ends (the session closes). Bubble Tea's loop sends to
// the program's channel without watching for the program's end (v2.1.1):
// a viewer who left with input still queued, as a flood leaves it, left
// that goroutine and what it held (20 MiB, measured) behind for good.
// Here Send returns once the program has ended, and the reader is drained
// to its end. A panic in the decoder on a viewer's bytes ends that
// viewer's session (onPanic is told), not the server: Bubble Tea's own
// reader would have taken the process, and every viewer, with it. The
// input is read in segments (see segmenter), so that the reader never
// holds more than maxPending+maxSeq+2 bytes undecoded, nor that many
// events, whatever the viewer sends.
func readInput(ctx context.Context, p *tea.Program, in io.Reader, term string, onPanic func(any)) {
	events := make(chan uv.Event)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			if r := recover(); r != nil {
				onPanic(r)
				p.Quit()
			}
		}()
		decodeInput(ctx, in, term, events)
	}()
	for {
		select {
		case ev := <-events:
			p.Send(ev)
		case <-done:
			return
		}
	}
}

// decodeInput sends in's events on events until in ends or ctx is done.
// It reads in in segments (see segmenter): at each segment's end the
// reader decodes what it holds and returns, and is started again with its
// state (a paste under way) kept. Any other error is the input's end.
func decodeInput(ctx context.Context, in io.Reader, term string, events chan<- uv.Event) {
	tr := uv.NewTerminalReader(&segmenter{r: in}, term)
	for errors.Is(tr.StreamEvents(ctx, events), errSegment) && ctx.Err() == nil {
	}
}

// reserve takes one of MaxSessions, or reports that none is left.
func (s *Server) reserve() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sessions >= s.o.MaxSessions {
		return false
	}
	s.sessions++
	return true
}

func (s *Server) release() {
	s.mu.Lock()
	s.sessions--
	s.mu.Unlock()
}

// register lists the session's viewer and logs the login.
func (s *Server) register(sess ssh.Session, pty ssh.Pty) Viewer {
	v := Viewer{User: clean(sess.User()), Addr: clean(sess.RemoteAddr().String()), Since: time.Now()}
	perms := sess.Permissions()
	var ext map[string]string
	if perms.Permissions != nil {
		ext = perms.Extensions
	}
	if key := sess.PublicKey(); key != nil {
		v.Fingerprint = gossh.FingerprintSHA256(key)
	}
	v.Control = ext[extRole] == "control"
	s.mu.Lock()
	s.next++
	v.ID = s.next
	s.viewers[v.ID] = v
	s.mu.Unlock()
	role := "viewer (read-only)"
	if v.Control {
		role = "controller"
	}
	if why := ext[extControlDenied]; why != "" {
		role += fmt.Sprintf(" (its control key lines do not apply: %s)", why)
	}
	s.logf("login %s@%s key %s as %s, terminal %s %dx%d", v.User, v.Addr, v.Fingerprint, role,
		clean(pty.Term), pty.Window.Width, pty.Window.Height)
	return v
}

func (s *Server) unregister(v Viewer) {
	s.mu.Lock()
	delete(s.viewers, v.ID)
	s.mu.Unlock()
	s.logf("logout %s@%s key %s", v.User, v.Addr, v.Fingerprint)
}
