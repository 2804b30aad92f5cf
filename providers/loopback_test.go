package providers

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// getPage GETs link and returns the status and the page.
func getPage(t *testing.T, link string) (int, string) {
	t.Helper()
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// TestRedirectSecondAnswerIsRefused: once a redirect ended the wait, a
// second one with the same state (a replay, a reloaded tab, a forged
// code with a state that leaked) is answered 409 and told it was
// ignored, never that it logged in; the wait keeps the first code.
func TestRedirectSecondAnswerIsRefused(t *testing.T) {
	rd, err := ListenRedirect(0, "the-state")
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	first := rd.URI() + "?" + url.Values{"code": {"first"}, "state": {"the-state"}}.Encode()
	if status, page := getPage(t, first); status != http.StatusOK || !strings.Contains(page, "Logged in") {
		t.Fatalf("first redirect: %d %s", status, page)
	}
	for _, q := range []url.Values{
		{"code": {"second"}, "state": {"the-state"}},
		{"error": {"access_denied"}, "state": {"the-state"}},
	} {
		status, page := getPage(t, rd.URI()+"?"+q.Encode())
		if status != http.StatusConflict || strings.Contains(page, "Logged in") || strings.Contains(page, "refused") || !strings.Contains(page, "ignored") {
			t.Errorf("a later redirect %v: %d %s, want 409 and ignored", q, status, page)
		}
	}
	code, err := rd.Wait(context.Background())
	if err != nil || code != "first" {
		t.Errorf("Wait: %q, %v, want the first code", code, err)
	}
}

// TestRedirectRefusesWhatIsNotTheRedirect: the listener is on 127.0.0.1,
// answers only GET /callback, and refuses a state that is a prefix or an
// extension of the login's.
func TestRedirectRefusesWhatIsNotTheRedirect(t *testing.T) {
	rd, err := ListenRedirect(0, "the-state")
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	if !strings.HasPrefix(rd.URI(), "http://127.0.0.1:") {
		t.Errorf("URI %s is not on 127.0.0.1", rd.URI())
	}
	resp, err := http.Post(rd.URI()+"?code=c&state=the-state", "application/x-www-form-urlencoded", strings.NewReader("code=c&state=the-state"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d, want 405", resp.StatusCode)
	}
	base := strings.TrimSuffix(rd.URI(), RedirectPath)
	if status, _ := getPage(t, base+"/other?code=c&state=the-state"); status != http.StatusNotFound {
		t.Errorf("another path: %d, want 404", status)
	}
	for _, state := range []string{"", "the-stat", "the-state2", "THE-STATE"} {
		if status, _ := getPage(t, rd.URI()+"?"+url.Values{"code": {"c"}, "state": {state}}.Encode()); status != http.StatusBadRequest {
			t.Errorf("state %q: %d, want 400", state, status)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := rd.Wait(ctx); err == nil {
		t.Error("a refused redirect ended the wait")
	}
}
