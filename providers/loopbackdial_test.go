package providers

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/net/dns/dnsmessage"
)

// fakeDNS is a DNS server on loopback UDP that answers A queries from a
// table (AAAA with nothing), and a resolver that asks only it: names
// resolve where the test says, and no query leaves the machine.
type fakeDNS struct {
	conn  net.PacketConn
	names map[string][4]byte // "evil.localhost." → its address
	mu    sync.Mutex
	asked []string
}

func startFakeDNS(t *testing.T, names map[string][4]byte) (*fakeDNS, *net.Resolver) {
	t.Helper()
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	d := &fakeDNS{conn: conn, names: names}
	go d.serve()
	r := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var dl net.Dialer
		return dl.DialContext(ctx, "udp", conn.LocalAddr().String())
	}}
	return d, r
}

func (d *fakeDNS) serve() {
	buf := make([]byte, 1500)
	for {
		n, from, err := d.conn.ReadFrom(buf)
		if err != nil {
			return
		}
		var p dnsmessage.Parser
		h, err := p.Start(buf[:n])
		if err != nil {
			continue
		}
		q, err := p.Question()
		if err != nil {
			continue
		}
		name := strings.ToLower(q.Name.String())
		d.mu.Lock()
		d.asked = append(d.asked, name)
		d.mu.Unlock()
		b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true})
		b.EnableCompression()
		_ = b.StartQuestions()
		_ = b.Question(q)
		_ = b.StartAnswers()
		if a, ok := d.names[name]; ok && q.Type == dnsmessage.TypeA {
			_ = b.AResource(dnsmessage.ResourceHeader{Name: q.Name, Class: dnsmessage.ClassINET, TTL: 60}, dnsmessage.AResource{A: a})
		}
		if out, err := b.Finish(); err == nil {
			_, _ = d.conn.WriteTo(out, from)
		}
	}
}

func (d *fakeDNS) wasAsked(name string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, a := range d.asked {
		if a == name {
			return true
		}
	}
	return false
}

// TestLoopbackRuleChecksTheAddressDialled: a plain-http URL passes the
// loopback rule by its name (*.localhost), and its connection must still
// go to a loopback address: a name that resolves elsewhere is refused
// before any connection is made, for a test-call (the bearer token) and a
// token request (the client secret) alike, with an error naming the rule.
// insecure_http still lets it through.
func TestLoopbackRuleChecksTheAddressDialled(t *testing.T) {
	var got atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Add(1)
		if r.Method == http.MethodPost {
			writeJSON(w, 200, `{"access_token":"T","token_type":"Bearer","expires_in":3600}`)
			return
		}
		writeJSON(w, 200, `{"ok":true}`)
	}))
	t.Cleanup(srv.Close)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	dns, resolver := startFakeDNS(t, map[string][4]byte{
		"good.localhost.": {127, 0, 0, 1},
		// TEST-NET-3 (RFC 5737): never dialled; the refusal comes first.
		"evil.localhost.": {203, 0, 113, 7},
		// Not a loopback address, yet reachable on this machine: for
		// insecure_http, which is not checked.
		"any.localhost.": {0, 0, 0, 0},
	})
	c := fetchClient()
	c.transports.resolver = resolver
	tok := &Token{AccessToken: "the-bearer-token", TokenType: "Bearer"}
	acme := Provider{Name: "acme"}

	// A name that resolves to loopback works, so the resolver is the one
	// asked and the dial the one checked.
	if res, err := c.Call(context.Background(), acme, tok, CallRequest{URL: "http://good.localhost:" + port + "/x"}); err != nil || !res.OK() {
		t.Fatalf("a *.localhost name resolving to 127.0.0.1: %+v, %v", res, err)
	}
	if got.Load() != 1 {
		t.Fatalf("%d requests reached the server, want 1", got.Load())
	}

	checkRefused := func(err error, name, addr string) {
		t.Helper()
		var nl *NotLoopbackError
		if !errors.As(err, &nl) || nl.Addr != addr {
			t.Fatalf("error %v; want the connection to %s refused", err, addr)
		}
		e, ok := AsError(err)
		if !ok || e.Kind != KindConfig || e.Code != "not_loopback" {
			t.Fatalf("error %#v; want a KindConfig not_loopback", err)
		}
		for _, want := range []string{name, "resolved to " + addr, "not a loopback address", "loopback rule"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q should say %q", err, want)
			}
		}
		if !strings.Contains(e.Hint, "insecure_http") {
			t.Errorf("hint %q should name insecure_http", e.Hint)
		}
		if !dns.wasAsked(name + ".") {
			t.Errorf("%s was not resolved: the refusal should be of the address it resolved to", name)
		}
	}

	for _, addr := range []struct{ name, ip string }{{"evil.localhost", "203.0.113.7"}, {"any.localhost", "0.0.0.0"}} {
		u := "http://" + addr.name + ":" + port
		if err := CheckCallURL(acme, u+"/x"); err != nil {
			t.Fatalf("the name alone passes the rule: %v", err)
		}
		_, err := c.Call(context.Background(), acme, tok, CallRequest{URL: u + "/x"})
		checkRefused(err, addr.name, addr.ip)

		p := testProvider(u+"/token", AuthBasic)
		res, err := c.Fetch(context.Background(), p, FetchOptions{})
		checkRefused(err, addr.name, addr.ip)
		for _, ex := range res.Exchanges {
			if ex.Status != 0 {
				t.Errorf("an exchange got status %d: something was sent", ex.Status)
			}
		}
	}
	// The ControlContext hook refuses before connect: the server on
	// loopback (reachable through 0.0.0.0) got nothing either.
	if got.Load() != 1 {
		t.Fatalf("%d requests reached the server after the refusals, want 1", got.Load())
	}

	// insecure_http is as it was: not checked.
	insecure := Provider{Name: "acme", InsecureHTTP: true}
	if res, err := c.Call(context.Background(), insecure, tok, CallRequest{URL: "http://any.localhost:" + port + "/x"}); err != nil || !res.OK() {
		t.Fatalf("insecure_http: %+v, %v; want the call made", res, err)
	}
	if got.Load() != 2 {
		t.Fatalf("%d requests reached the server, want 2", got.Load())
	}
}

// TestLoopbackOnlyMarksPlainHTTP: only plain-http requests are marked for
// the check; https goes as it did.
func TestLoopbackOnlyMarksPlainHTTP(t *testing.T) {
	var marked []string
	rt := loopbackOnly{next: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		marked = append(marked, markedHost(r.Context()))
		return nil, errors.New("not sent")
	})}
	for _, u := range []string{"http://a.localhost/x", "https://b.localhost/x"} {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		_, _ = rt.RoundTrip(req)
	}
	if len(marked) != 2 || marked[0] != "a.localhost" || marked[1] != "" {
		t.Fatalf("marked %q; want the http request only", marked)
	}
	if err := checkLoopbackDial(context.Background(), "tcp", "203.0.113.7:80", nil); err != nil {
		t.Fatalf("an unmarked dial was refused: %v", err)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
