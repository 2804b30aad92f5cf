package ui

import (
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/safetext/hostile"
	"github.com/tokentop/tokentop/store"
)

// hostileEnv is the sandbox env plus two records full of escapes written
// straight into the store, past every validation: evil (it still gets a
// token from the sandbox, and its first endpoint calls hostile.API) and
// wicked (hostile everywhere, so its fetch fails and records an error).
func hostileEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t, true)
	api := httptest.NewServer(hostile.API())
	t.Cleanup(api.Close)
	base, err := e.st.ProviderWithSecret(e.ctx, "basic-only")
	if err != nil {
		t.Fatal(err)
	}
	evil := hostile.Provider(base, api.URL+"/v1/items")
	evil.Name = "evil"
	wicked := hostile.Broken(base)
	wicked.Name, wicked.ClientSecret = "wicked", ""
	if err := e.st.PutProviders(e.ctx, []providers.Provider{evil, wicked}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.Token(e.ctx, "evil", store.TokenOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.Token(e.ctx, "wicked", store.TokenOptions{}); err == nil {
		t.Fatal("wicked got a token")
	}
	return e
}

// csi matches the renderer's own control sequences (cursor moves, erases,
// the alternate screen, bracketed paste): with the Ascii profile it draws
// no colours, and it writes no OSC.
var csi = regexp.MustCompile("\x1b\\[[0-?]*[ -/]*[@-~]")

// TestNoViewDrawsAnEscape opens every view of the dashboard over the
// hostile records: neither a frame the model renders nor the bytes the
// program writes to the terminal (less the renderer's own cursor and
// erase sequences) may hold anything a terminal acts on, and the text
// around the attacks still shows.
func TestNoViewDrawsAnEscape(t *testing.T) {
	tests := []struct {
		name  string
		drive func(t *testing.T, d *driver)
	}{
		{"table", func(t *testing.T, d *driver) {
			press(d, "s", "s") // sort by env: the hostile env is drawn in full
			waitFor(t, d, "evil", "wicked", "ENVEND")
		}},
		{"detail", func(t *testing.T, d *driver) {
			selectProvider(t, d, "evil")
			press(d, "enter")
			waitFor(t, d, "Recent exchanges", hostile.Shown("AUD"))
		}},
		{"detail of the failing one", func(t *testing.T, d *driver) {
			selectProvider(t, d, "wicked")
			press(d, "enter")
			waitFor(t, d, "Recent exchanges", "TOKENURLEND")
		}},
		{"test-call picker", func(t *testing.T, d *driver) {
			selectProvider(t, d, "evil")
			press(d, "t")
			waitFor(t, d, "Test-call evil", hostile.Shown("EP"))
		}},
		{"test-call result", func(t *testing.T, d *driver) {
			selectProvider(t, d, "evil")
			press(d, "t")
			waitFor(t, d, "Test-call evil")
			press(d, "enter")
			waitFor(t, d, "200 OK", hostile.Shown("BODY"))
		}},
		{"doctor", func(t *testing.T, d *driver) {
			selectProvider(t, d, "evil")
			press(d, "D")
			waitFor(t, d, "Doctor evil ·")
		}},
		{"doctor of the failing one", func(t *testing.T, d *driver) {
			selectProvider(t, d, "wicked")
			press(d, "D")
			waitFor(t, d, "Doctor wicked ·")
		}},
		{"help", func(t *testing.T, d *driver) {
			selectProvider(t, d, "evil")
			press(d, "?")
			waitFor(t, d, "Marks and colours")
		}},
		{"form", func(t *testing.T, d *driver) {
			selectProvider(t, d, "evil")
			press(d, "e")
			waitFor(t, d, "Edit evil", hostile.Shown("ENV"))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := hostileEnv(t)
			d := e.start(e.config(), 160, 50)
			tt.drive(t, d)
			frame := final(t, d)
			if err := hostile.Check(frame, false); err != nil {
				t.Errorf("the frame: %v\n%s", err, frame)
			}
			if strings.Contains(frame, "\x1b") {
				t.Errorf("the frame holds ESC:\n%q", frame)
			}
			d.mu.Lock()
			written := string(d.buf)
			d.mu.Unlock()
			rest := csi.ReplaceAllString(written, "")
			if i := strings.IndexByte(rest, 0x1b); i >= 0 {
				t.Errorf("the program wrote an escape that is not the renderer's: %q", rest[i:min(len(rest), i+40)])
			}
			if err := hostile.Check(rest, true); err != nil {
				t.Errorf("the program wrote: %v", err)
			}
			if out := e.out.String(); out != "" {
				t.Errorf("the clipboard output got %q", out)
			}
		})
	}
}
