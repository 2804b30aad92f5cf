package cli

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokentop/tokentop/internal/testsupport"
	"github.com/tokentop/tokentop/store"
)

// startProxyCommand runs `tokentop proxy argv…` until the test stops it,
// and returns the proxy's base URL, its stderr and stop (which returns
// the exit code).
func (e *env) startProxyCommand(argv ...string) (string, *testsupport.LockedBuffer, func() int) {
	e.t.Helper()
	stderr := &testsupport.LockedBuffer{}
	app := &App{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: stderr,
		LookupEnv: func(k string) (string, bool) { v, ok := e.vars[k]; return v, ok }, Now: time.Now}
	ctx, cancel := context.WithCancel(context.Background())
	code := make(chan int, 1)
	go func() {
		code <- app.Run(ctx, append([]string{"--db", e.db, "proxy", "--listen", "127.0.0.1:0"}, argv...))
	}()
	m := testsupport.WaitForMatch(e.t, stderr.String, regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)`))
	stop := sync.OnceValue(func() int {
		cancel()
		return <-code
	})
	e.t.Cleanup(func() { stop() })
	return m[1], stderr, stop
}

func TestProxyCommand(t *testing.T) {
	e := newEnv(t)
	e.importSandbox()
	base, stderr, stop := e.startProxyCommand("cognito-dev", "--upstream", e.url+"/api/v1", "--route", "/b=a55@"+e.url)
	for _, path := range []string{"/items", "/items/1", "/b/api/v1/items"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, body)
		}
	}
	if e.sb.Issued("3bn43arz0h95uqtbqodz8jn54g") != 1 || e.sb.Issued("f3hdsd927vgif1wkihmhrl7i1m") != 1 {
		t.Fatal("each provider should have cost one token")
	}
	testsupport.WaitForText(t, stderr.String, "GET /items/1", "GET /b/api/v1/items", "status=200")
	if code := stop(); code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	tok := strings.TrimSpace(e.mustRun("", "token", "cognito-dev"))
	if strings.Contains(stderr.String(), tok) {
		t.Fatal("the proxy's log holds the token")
	}
	for _, want := range []string{"/   → " + e.url + "/api/v1  cognito-dev", "/b  → " + e.url + "         a55"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("the banner lacks %q:\n%s", want, stderr.String())
		}
	}
	// The figures reached the database, at the latest when the proxy
	// stopped.
	st, err := store.Open(context.Background(), store.Options{Path: e.db})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for name, want := range map[string]int64{"cognito-dev": 2, "a55": 1} {
		sm, err := st.Summary(context.Background(), name)
		if err != nil {
			t.Fatal(err)
		}
		if sm.Proxy == nil || sm.Proxy.Requests != want || sm.Proxy.Statuses["2xx"] != want || sm.LastCall == nil || sm.LastCall.Status != 200 {
			t.Errorf("%s: figures %+v, last call %+v", name, sm.Proxy, sm.LastCall)
		}
	}
}

func TestProxyUsage(t *testing.T) {
	e := newEnv(t)
	e.importSandbox()
	for _, c := range []struct {
		argv []string
		want string
	}{
		{[]string{"proxy"}, "needs a provider and --upstream URL, or --route"},
		{[]string{"proxy", "cognito-dev"}, "tokentop proxy cognito-dev needs --upstream URL"},
		{[]string{"proxy", "--upstream", "https://api.example"}, "--upstream needs a provider"},
		{[]string{"proxy", "--route", "/a=cognito-dev"}, "want PREFIX=NAME@URL"},
		{[]string{"proxy", "cognito-dev", "--upstream", "ftp://x"}, "not an absolute http(s) URL"},
		{[]string{"proxy", "cognito-dev", "--upstream", "https://x", "--route", "/=a55@https://y"}, "two routes for the prefix /"},
		{[]string{"proxy", "cognito-dev", "--upstream", "https://x", "--listen", "0.0.0.0:0"}, "add --allow-remote if you mean it"},
		{[]string{"proxy", "cognito-dev", "--upstream", "https://x", "--listen", "nonsense"}, "want HOST:PORT"},
	} {
		_, errOut, code := e.run("", c.argv...)
		if code != ExitUsage || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", c.argv, code, errOut, c.want)
		}
	}
	for _, c := range []struct {
		argv []string
		want string
	}{
		{[]string{"proxy", "nope", "--upstream", "https://x"}, "no provider named nope"},
		{[]string{"proxy", "cognito-dev", "--upstream", "http://api.example.com"}, "refusing to send the bearer token over plain http"},
	} {
		_, errOut, code := e.run("", c.argv...)
		if code != ExitFailure || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 1 and %q", c.argv, code, errOut, c.want)
		}
	}
}

func TestProxyPortInUse(t *testing.T) {
	e := newEnv(t)
	e.importSandbox()
	base, _, _ := e.startProxyCommand("cognito-dev", "--upstream", e.url)
	addr := strings.TrimPrefix(base, "http://")
	_, errOut, code := e.run("", "proxy", "cognito-dev", "--upstream", e.url, "--listen", addr)
	if code != ExitFailure || !strings.Contains(errOut, addr+" is already in use") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}

func TestProxyRemoteWarning(t *testing.T) {
	var buf bytes.Buffer
	a := &App{Stdout: io.Discard, Stderr: &buf}
	a.safeStreams()
	a.printProxyBanner("0.0.0.0:8790", nil, "/db", true)
	if !strings.Contains(buf.String(), "warning: 0.0.0.0:8790 is reachable beyond this machine: anyone who reaches it sends requests with your credentials") {
		t.Fatalf("%s", buf.String())
	}
}
