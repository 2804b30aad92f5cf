package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tokentop/tokentop/internal/fastpath"
	"github.com/tokentop/tokentop/internal/testsupport/sandboxenv"
	"github.com/tokentop/tokentop/providers/sandbox"
)

// extraBinariesEnv names more tokentop binaries for BenchmarkTokenProcess
// to run side by side with the one it builds: "label=path,label=path"
// (another commit's build, or other build flags).
const extraBinariesEnv = "TOKENTOP_BENCH_BINARIES"

// bareSource is the floor a cached `tokentop token` is held to: a Go
// program that opens the database read-only with bbolt and copies one
// record out, nothing else.
const bareSource = `package main

import (
	"os"

	bolt "go.etcd.io/bbolt"
)

func main() {
	db, err := bolt.Open(os.Args[1], 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		os.Exit(1)
	}
	var v []byte
	_ = db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket([]byte(os.Args[2])); b != nil {
			v = append([]byte(nil), b.Get([]byte(os.Args[3]))...)
		}
		return nil
	})
	db.Close()
	if len(v) == 0 {
		os.Exit(1)
	}
	os.Stdout.Write(v[:1])
}
`

// postSource stands in for curl where there is none: one token request,
// as a Go process (net/http).
const postSource = `package main

import (
	"io"
	"net/http"
	"net/url"
	"os"
)

func main() {
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {os.Args[2]}, "client_secret": {os.Getenv("CLIENT_SECRET")}}
	res, err := http.PostForm(os.Args[1], form)
	if err != nil || res.StatusCode != http.StatusOK {
		os.Exit(1)
	}
	_, _ = io.Copy(os.Stdout, res.Body)
	res.Body.Close()
}
`

// subject is one program BenchmarkTokenProcess times.
type subject struct {
	label string
	cmd   func() *exec.Cmd
	// check says what is wrong with what the program printed.
	check func(out []byte) error
	times []time.Duration
}

// BenchmarkTokenProcess is `tokentop token NAME` with the token cached,
// as a script pays for it: the binary `go build` makes, a new process,
// stdout a pipe. Side by side, one after the other in each round (the
// order turning round by round), it times
//   - token: that process;
//   - token-static: the same command built as the README offers for
//     script-heavy machines (staticBuild: CGO_ENABLED=0, -trimpath,
//     -tags grpcnotrace);
//   - token-nofast, static-nofast: both with TOKENTOP_NO_FASTPATH=1, the
//     whole program answering (internal/fastpath off);
//   - curl: one token request to a loopback token server (the sandbox),
//     by curl, or by a Go process doing one POST where there is no curl;
//   - bare: a Go program that opens the bbolt file read-only and copies
//     one record out;
//   - and any binaries named in TOKENTOP_BENCH_BINARIES, run as token is.
//
// Each is reported as its median, LABEL-ns/op, with token/curl and
// token/bare; ns/op is one round of all of them. Run it with a fixed
// count on a busy machine: -bench TokenProcess -benchtime 300x.
func BenchmarkTokenProcess(b *testing.B) {
	dir := b.TempDir()
	// Every program timed is a copy made the same way, just now: on a
	// busy machine the same binary ran 0.3–0.8 ms apart from its own
	// fresh copy (where the kernel keeps a file's pages), more than the
	// differences measured here.
	bin := freshCopy(b, buildTokentop(b, b.TempDir()), filepath.Join(dir, "token"))
	static := freshCopy(b, buildTokentopEnv(b, b.TempDir(), staticBuild.env, staticBuild.flags...), filepath.Join(dir, "token-static"))
	bare := freshCopy(b, buildProgram(b, b.TempDir(), "bare", bareSource, "go.etcd.io/bbolt", "golang.org/x/sys"), filepath.Join(dir, "bare"))

	env := sandboxenv.Start(b, sandboxenv.Options{FetchAll: true})
	c := cachedClient(b, env)
	tok, err := env.Store.CachedToken(b.Context(), c.Name)
	if err != nil || tok == nil {
		b.Fatalf("no cached token for %s: %v", c.Name, err)
	}
	want := []byte(tok.AccessToken + "\n")
	tokenProcess := func(label, path string, extraEnv ...string) *subject {
		return &subject{
			label: label,
			cmd: func() *exec.Cmd {
				cmd := exec.Command(path, "token", c.Name)
				cmd.Env = processEnv(append([]string{"TOKENTOP_DB=" + env.Path}, extraEnv...)...)
				return cmd
			},
			check: func(out []byte) error {
				if !bytes.Equal(out, want) {
					return fmt.Errorf("printed %d bytes, not the cached token", len(out))
				}
				return nil
			},
		}
	}
	subjects := []*subject{
		tokenProcess("token", bin),
		tokenProcess("token-static", static),
		tokenProcess("token-nofast", bin, fastpath.DisableEnv+"=1"),
		tokenProcess("static-nofast", static, fastpath.DisableEnv+"=1"),
		tokenRequest(b, dir, env, c),
		{
			label: "bare",
			cmd:   func() *exec.Cmd { return exec.Command(bare, env.Path, "tokens", c.Name) },
			check: func(out []byte) error {
				if len(out) != 1 {
					return errors.New("read no record")
				}
				return nil
			},
		},
	}
	if extra := os.Getenv(extraBinariesEnv); extra != "" {
		for item := range strings.SplitSeq(extra, ",") {
			label, path, ok := strings.Cut(item, "=")
			if !ok || label == "" || path == "" {
				b.Fatalf("%s: %q is not label=path", extraBinariesEnv, item)
			}
			subjects = append(subjects, tokenProcess(label, freshCopy(b, path, filepath.Join(dir, "extra-"+label))))
		}
	}

	var out bytes.Buffer
	run := func(s *subject) {
		out.Reset()
		cmd := s.cmd()
		cmd.Stdout = &out
		start := time.Now()
		err := cmd.Run()
		s.times = append(s.times, time.Since(start))
		if err == nil {
			err = s.check(out.Bytes())
		}
		if err != nil {
			b.Fatalf("%s: %v", s.label, err)
		}
	}
	// One of each first, so the file, the binaries and the server are
	// warm for all alike; not timed.
	for _, s := range subjects {
		run(s)
		s.times = nil
	}
	for round := 0; b.Loop(); round++ {
		for i := range subjects {
			run(subjects[(round+i)%len(subjects)])
		}
	}
	medians := map[string]float64{}
	for _, s := range subjects {
		medians[s.label] = median(s.times)
		b.ReportMetric(medians[s.label], s.label+"-ns/op")
	}
	b.ReportMetric(medians["token"]/medians["curl"], "token/curl")
	b.ReportMetric(medians["token"]/medians["bare"], "token/bare")
	b.ReportMetric(medians["token-static"]/medians["curl"], "static/curl")
	b.ReportMetric(medians["token-static"]/medians["bare"], "static/bare")
}

// cachedClient is the sandbox client whose token BenchmarkTokenProcess
// reads and requests: a client_secret_post client of the plainest style,
// so curl needs nothing but a form.
func cachedClient(b *testing.B, env *sandboxenv.Env) sandbox.Client {
	for _, c := range env.Sandbox.Clients() {
		if c.Style == sandbox.StyleCognito && c.AuthStyle == "post" && !c.Broken && len(c.RequestScopes) == 0 {
			return c
		}
	}
	b.Fatal("the sandbox has no cognito client_secret_post client")
	return sandbox.Client{}
}

// tokenRequest is one token request for c's token to the sandbox on
// loopback: curl with its arguments in a config file, or, where there is
// no curl, a Go program doing one POST.
func tokenRequest(b *testing.B, dir string, env *sandboxenv.Env, c sandbox.Client) *subject {
	var tokenURL string
	for _, p := range env.Providers {
		if p.Name == c.Name {
			tokenURL = p.TokenURL
		}
	}
	check := func(out []byte) error {
		if !bytes.Contains(out, []byte(`"access_token"`)) {
			return fmt.Errorf("no access_token in %d bytes", len(out))
		}
		return nil
	}
	curl, err := exec.LookPath("curl")
	if err != nil {
		b.Logf("no curl here (%v): a Go process doing one POST stands in for it", err)
		post := buildProgram(b, dir, "post", postSource)
		return &subject{label: "curl", check: check, cmd: func() *exec.Cmd {
			cmd := exec.Command(post, tokenURL, c.ClientID)
			cmd.Env = processEnv("CLIENT_SECRET=" + c.ClientSecret)
			return cmd
		}}
	}
	// The secret in a file, not on a command line.
	quote := func(s string) string { return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"` }
	cfg := filepath.Join(dir, "curl.cfg")
	writeFile(b, cfg, strings.Join([]string{
		"silent", "show-error", "fail",
		"url = " + quote(tokenURL),
		"data-urlencode = " + quote("grant_type=client_credentials"),
		"data-urlencode = " + quote("client_id="+c.ClientID),
		"data-urlencode = " + quote("client_secret="+c.ClientSecret),
	}, "\n")+"\n")
	return &subject{label: "curl", check: check, cmd: func() *exec.Cmd {
		cmd := exec.Command(curl, "--disable", "-K", cfg)
		cmd.Env = processEnv()
		return cmd
	}}
}

// freshCopy copies the program at src to dst, a new file, and returns dst.
func freshCopy(b *testing.B, src, dst string) string {
	data, err := os.ReadFile(src)
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o700); err != nil {
		b.Fatal(err)
	}
	return dst
}

// median is the middle of ds in nanoseconds (0 for none).
func median(ds []time.Duration) float64 {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return float64(s[len(s)/2].Nanoseconds())
	}
	return float64(s[len(s)/2-1].Nanoseconds()+s[len(s)/2].Nanoseconds()) / 2
}
