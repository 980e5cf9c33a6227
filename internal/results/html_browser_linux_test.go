package results

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// measure is the test's own script, appended to a copy of the page (the
// report has none): it looks for horizontal scrolling, elements outside
// the viewport or their parent's box, and boxes whose content overflows
// them, and writes what it found into a <pre> that --dump-dom prints.
const measure = `<script>
(function () {
  var vw = document.documentElement.clientWidth;
  var out = {width: vw, scrollWidth: document.documentElement.scrollWidth,
    height: document.documentElement.scrollHeight, charts: 0, overflows: []};
  function name(e) {
    var c = e.getAttribute("class");
    return e.tagName.toLowerCase() + (c ? "." + c.split(" ").join(".") : "");
  }
  function box(r) { return "[" + [r.left, r.top, r.right, r.bottom].map(Math.round) + "]"; }
  document.querySelectorAll("body *").forEach(function (e) {
    if (e.tagName === "SCRIPT") return;
    var r = e.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) return;
    if (r.left < -0.5 || r.right > vw + 0.5) out.overflows.push(name(e) + " " + box(r) + " outside the viewport, " + vw + " wide");
    var p = e.parentElement, q = p.getBoundingClientRect();
    var inline = getComputedStyle(e).display === "inline";
    if (r.left < q.left - 1 || r.right > q.right + 1 || (!inline && (r.top < q.top - 1 || r.bottom > q.bottom + 1)))
      out.overflows.push(name(e) + " " + box(r) + " outside its " + name(p) + " " + box(q));
    if (e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1 && !(e instanceof SVGElement))
      out.overflows.push(name(e) + " holds " + e.scrollWidth + "px in " + e.clientWidth + "px");
  });
  document.querySelectorAll("svg").forEach(function (s) {
    var r = s.getBoundingClientRect();
    if (r.width >= 250 && r.height >= 90) out.charts++;
  });
  var pre = document.createElement("pre");
  pre.id = "perftop-result";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
</script>
`

type layout struct {
	Width, ScrollWidth, Height, Charts int
	Overflows                          []string
}

// chromium finds the browser, or fails: like tmux and Prometheus for the
// other tests, make test installs it (.ci/deps).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("chromium is required for the HTML report's browser test (make test installs it, .ci/deps; or apt-get install chromium)")
	return ""
}

// TestHTMLInBrowser renders reports in headless Chromium at 1400 and 800
// px wide: a full run's, a hostile file's and an empty one's. Each page
// lays out with no horizontal scrolling and no element outside its box,
// and the full run's charts are drawn at a readable size.
func TestHTMLInBrowser(t *testing.T) {
	bin := chromium(t)
	dir := t.TempDir()
	for _, tt := range []struct {
		name   string
		f      *File
		charts int
	}{
		{"full", realisticFile(t), 11},
		{"names", withGroups(t, realisticFile(t)), 11},
		{"closed", closedLoopFile(t), 11},
		{"hostile", hostileFile(t), 6},
		{"empty", &File{SchemaVersion: SchemaVersion, Result: &Result{}}, 0},
	} {
		page := strings.Replace(htmlOf(t, tt.f), "</body>", measure+"</body>", 1)
		path := filepath.Join(dir, tt.name+".html")
		if err := os.WriteFile(path, []byte(page), 0o600); err != nil {
			t.Fatal(err)
		}
		for _, width := range []int{1400, 800} {
			t.Run(tt.name+"/"+strconv.Itoa(width), func(t *testing.T) {
				got := render(t, bin, path, width)
				if got.Width < width-20 || got.Width > width {
					t.Errorf("the page is %d px wide in a %d px window", got.Width, width)
				}
				if got.ScrollWidth > got.Width {
					t.Errorf("the page scrolls sideways: %d px in %d", got.ScrollWidth, got.Width)
				}
				for _, o := range got.Overflows {
					t.Errorf("overflow: %s", o)
				}
				if got.Charts != tt.charts {
					t.Errorf("%d charts drawn at a readable size, want %d", got.Charts, tt.charts)
				}
			})
		}
	}
}

// render loads path in headless Chromium width px wide and returns what
// the measuring script found, within a minute.
func render(t *testing.T, bin, path string, width int) layout {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
		"--no-first-run", "--no-default-browser-check", "--disable-extensions", "--hide-scrollbars",
		"--user-data-dir="+t.TempDir(), "--window-size="+strconv.Itoa(width)+",1000", "--virtual-time-budget=5000",
		"--dump-dom", "file://"+path)
	// Chromium starts helper processes: end them all with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	dom := stdout.String()
	const open = `<pre id="perftop-result">`
	i := strings.Index(dom, open)
	j := strings.Index(dom[max(i, 0):], "</pre>")
	if i < 0 || j < 0 {
		t.Fatalf("no measurement in the page Chromium rendered:\n%.2000s\n%s", dom, stderr.String())
	}
	var got layout
	if err := json.Unmarshal([]byte(html.UnescapeString(dom[i+len(open):i+j])), &got); err != nil {
		t.Fatalf("measurement: %v", err)
	}
	return got
}

// closedLoopFile is the realistic file as a closed loop's, its latency
// corrected and kept as measured: the latency table's longest labels.
func closedLoopFile(t *testing.T) *File {
	f := realisticFile(t)
	f.Settings.Mode, f.ClosedLoop = "closed", true
	svc := f.Latency
	f.Service = &svc
	return f
}
