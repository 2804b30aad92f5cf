package sshd

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/tokentop/tokentop/internal/testsupport"
)

// localTerm is the serving terminal's dashboard run by RunLocal, as
// tokentop serve runs it, with a pipe for its keyboard and a buffer for
// its screen.
type localTerm struct {
	t    testing.TB
	in   *io.PipeWriter
	out  testsupport.LockedBuffer
	mark int
	done chan struct{} // closed when RunLocal returned, with err
	err  error
}

// runLocal starts the presenter's dashboard beside the server.
func (h *harness) runLocal(t testing.TB) *localTerm {
	t.Helper()
	r, w := io.Pipe()
	lt := &localTerm{t: t, in: w, done: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	cfg := h.srv.o.Dashboard // what the sessions get, with full access
	go func() {
		lt.err = h.srv.RunLocal(ctx, cfg, tea.WithInput(r), tea.WithOutput(&lt.out))
		close(lt.done)
	}()
	t.Cleanup(func() {
		cancel()
		w.Close()
		select {
		case <-lt.done:
		case <-time.After(waitLimit):
			t.Error("the presenter's dashboard did not end")
		}
	})
	return lt
}

func (lt *localTerm) screen() string { return ansi.Strip(lt.out.String()[lt.mark:]) }

func (lt *localTerm) send(keys string) {
	lt.t.Helper()
	lt.mark = len(lt.out.String())
	if _, err := io.WriteString(lt.in, keys); err != nil {
		lt.t.Fatalf("sending %q: %v", keys, err)
	}
}

func (lt *localTerm) waitFor(texts ...string) {
	lt.t.Helper()
	testsupport.WaitForText(lt.t, lt.screen, texts...)
}

func (lt *localTerm) filter(name string) {
	lt.t.Helper()
	lt.send("/")
	lt.waitFor("keep filter")
	lt.send(name)
	lt.send("\r")
	lt.waitFor("/ "+name, "filter \""+name+"\"") // 80 columns cut the count
}

// TestLocalPresenterOnAnOpenServer: the serving terminal's dashboard
// presents on an open server with --follow; two viewers with keys nobody
// listed, at 80×24 and 160×48, follow its detail and its test-call,
// masked; when the presenter quits they are told, and the server's
// shutdown tells them it is shutting down.
func TestLocalPresenterOnAnOpenServer(t *testing.T) {
	h := openHarness(t, Limits{}, func(o *Options) { o.Follow = true })
	pres := h.runLocal(t)
	pres.waitFor("presenting · 0 watching")
	small := h.connect(t, h.stranger, 80, 24, true)
	big := h.connect(t, testsupport.SSHSigner(t), 160, 48, true)
	small.waitFor("following the presenter", "read-only")
	big.waitFor("following the presenter · 2 watching")
	testsupport.Eventually(t, "the presenter to count 2 watching", func() bool {
		return strings.Contains(pres.screen(), "presenting · 2 watching")
	})

	presentDetailAndCall(t, h, pres, "ants · ants · sandbox", small, big)

	// A viewer's keys do not reach the presenter: it looks around, read-only.
	big.send("F")
	big.waitFor("looking around on your own")
	big.send("\x1b") // leaves the test-call, on its own
	big.waitFor("the presenter is presenting · 1 watching")
	big.send("c")
	big.waitFor("read-only session: copy token is turned off")

	pres.send("\x1b") // leaves the test-call
	pres.waitFor("ants · ants · sandbox")
	pres.send("q")
	select {
	case <-pres.done:
		if pres.err != nil {
			t.Fatalf("RunLocal: %v", pres.err)
		}
	case <-time.After(waitLimit):
		t.Fatalf("q did not end the presenter's dashboard:\n%s", pres.screen())
	}
	small.waitFor("presenter left — your own view")
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
	small.waitFor("the server is shutting down")
	big.waitFor("the server is shutting down")
	h.assertNoSecretIn("the presenter", pres.out.String())
	h.assertNoSecret("the 80×24 viewer", small)
	h.assertNoSecret("the 160×48 viewer", big)
}
