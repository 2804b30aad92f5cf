package providers

import (
	"context"
	"crypto/subtle"
	"fmt"
	"html"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tokentop/tokentop/providers/safetext"
)

// The loopback redirect of a native app's login (RFC 8252 §7.3): an HTTP
// listener on 127.0.0.1 (never a name, never another interface) that waits
// for the browser to come back with the authorization code.

// RedirectPath is the path of the loopback redirect URI.
const RedirectPath = "/callback"

// maxRedirectWords bounds the server's words quoted from a redirect.
const maxRedirectWords = 300

// Redirect is a loopback redirect listener waiting for one login. It
// answers every request; only one with the expected state ends the wait.
type Redirect struct {
	ln    net.Listener
	srv   *http.Server
	state string
	once  sync.Once
	done  chan redirectResult
	// answered is set by the redirect that ends the wait (claim).
	answered atomic.Bool
}

// redirectResult is what the redirect brought: a code, or the server's
// refusal.
type redirectResult struct {
	code string
	err  error
}

// ListenRedirect opens the loopback listener on 127.0.0.1:port (0: any
// free port) for a login whose state is state. A port in use is an error
// naming it.
func ListenRedirect(port int, state string) (*Redirect, error) {
	if port < 0 || port > 65535 {
		return nil, fmt.Errorf("redirect_port %d is not a port (0 to 65535; 0 picks a free one)", port)
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		if port != 0 {
			return nil, fmt.Errorf("cannot listen for the login's redirect on %s (redirect_port %d): the port is in use or not allowed; stop what holds it, or set another redirect_port that the server's client registration allows (0 picks a free one): %w", addr, port, err)
		}
		return nil, fmt.Errorf("cannot listen for the login's redirect on 127.0.0.1: %w", err)
	}
	r := &Redirect{ln: ln, state: state, done: make(chan redirectResult, 1)}
	mux := http.NewServeMux()
	mux.HandleFunc(RedirectPath, r.handle)
	r.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, MaxHeaderBytes: 64 << 10}
	go func() { _ = r.srv.Serve(ln) }()
	return r, nil
}

// URI is the redirect_uri to send: http://127.0.0.1:PORT/callback.
func (r *Redirect) URI() string {
	return "http://" + r.ln.Addr().String() + RedirectPath
}

// Port is the port the listener got.
func (r *Redirect) Port() int { return r.ln.Addr().(*net.TCPAddr).Port }

// closeGrace bounds how long Close lets a page being written finish.
const closeGrace = 2 * time.Second

// Close stops the listener; a wait under way ends. A browser whose
// redirect is being answered still gets its page: Close waits for that
// answer (at most closeGrace) before it drops the connections.
func (r *Redirect) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), closeGrace)
	defer cancel()
	if err := r.srv.Shutdown(ctx); err != nil {
		return r.srv.Close()
	}
	return nil
}

// Wait waits for the redirect with the expected state, until ctx ends.
// It returns the authorization code, or the server's refusal
// (error=access_denied and the like) as an *Error whose Code is the
// server's.
func (r *Redirect) Wait(ctx context.Context) (string, error) {
	select {
	case res := <-r.done:
		return res.code, res.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// handle reads one redirect. A request whose state is not the login's
// is refused and the wait goes on: it is not the answer to this login
// (a stale tab, or a forged request).
func (r *Redirect) handle(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodGet {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	q := req.URL.Query()
	// The state is a secret of this login: compared in constant time.
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(r.state)) != 1 {
		redirectPage(w, http.StatusBadRequest, "This is not the login tokentop is waiting for (its state does not match). Start again from the terminal if you meant to log in.")
		return
	}
	if code := q.Get("error"); code != "" {
		code = safetext.Line(Truncate(code, 64))
		desc := safetext.Line(Truncate(q.Get("error_description"), maxRedirectWords))
		e := &Error{Kind: KindResponse, Code: code, Description: "the authorization server refused the login: " + joinNonEmpty(": ", code, desc)}
		if code == "access_denied" {
			e.Hint = "the user (or the server) declined the login: run tokentop login again and approve it"
		}
		if !r.claim(w) {
			return
		}
		redirectPage(w, http.StatusOK, "The login was refused: "+e.Code+". You can close this window.")
		r.finish(redirectResult{err: e})
		return
	}
	code := q.Get("code")
	if code == "" || len(code) > 4096 {
		redirectPage(w, http.StatusBadRequest, "The redirect carries no usable authorization code.")
		return
	}
	if !r.claim(w) {
		return
	}
	redirectPage(w, http.StatusOK, "Logged in: tokentop has the code. You can close this window.")
	r.finish(redirectResult{code: code})
}

// claim makes the request being answered the one that ends the wait;
// false, with the browser told so, when another already did: a second
// redirect (a replay, a reloaded tab) is never told it logged in.
func (r *Redirect) claim(w http.ResponseWriter) bool {
	if r.answered.CompareAndSwap(false, true) {
		return true
	}
	redirectPage(w, http.StatusConflict, "This login is already finished: this redirect was ignored. Start again from the terminal to log in again.")
	return false
}

// finish hands the first result to Wait; later ones are ignored.
func (r *Redirect) finish(res redirectResult) {
	r.once.Do(func() { r.done <- res })
}

// redirectPage answers with a short HTML page.
func redirectPage(w http.ResponseWriter, status int, words string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, "<!doctype html><title>tokentop</title><p>%s</p>\n", html.EscapeString(words))
	// The page goes out before the login hears of the answer, so the
	// browser has it even if the login closes the listener at once.
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
}
