//go:build linux || darwin

package main

import (
	"bufio"
	"strings"
	"testing"
)

// heavyPackages are packages a cached token does not need, whose
// initialisation the fast path spares.
//
// gopkg.in/yaml.v3 is not among them: it imports only standard packages
// (fmt, regexp…), and so initialises as soon as regexp has, before
// runtime/debug, which boltkv's fault guard (debug.SetPanicOnFault)
// needs and which sorts after gopkg.in/… . Without the guard the fast
// path would end the process before yaml; with it yaml's init (0.06 ms)
// runs first.
func heavyPackages() []string {
	return []string{
		"google.golang.org/grpc",
		"github.com/charmbracelet/bubbletea",
		"golang.org/x/crypto/ssh",
		"go.etcd.io/etcd/client/v3",
	}
}

// initialised are the packages GODEBUG=inittrace=1 says did work at init
// (it writes a dot in a path as %2e: gopkg.in/yaml%2ev3).
func initialised(stderr string) map[string]bool {
	got := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(stderr))
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) >= 2 && f[0] == "init" {
			got[strings.ReplaceAll(f[1], "%2e", ".")] = true
		}
	}
	return got
}

// TestFastPathRunsFirst: on a fast-path hit none of the heavy packages
// initialise: bbolt's init is traced, but fastpath's init ends the
// process before its own line; on a miss, and for another command, the
// fast path's init returns and every heavy package initialises, as
// before.
func TestFastPathRunsFirst(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildTokentop(t, t.TempDir())
	base := fastpathStore(t)
	dir := t.TempDir()
	db := dir + "/tokentop.db"
	base.copyTo(t, db)
	env := []string{"TOKENTOP_DB=" + db, "HOME=" + dir, "GODEBUG=inittrace=1"}
	for _, c := range []struct {
		name  string
		argv  []string
		env   string
		heavy bool
	}{
		{"hit", []string{"token", "ants"}, "", false},
		{"miss: no token", []string{"token", "nosuch"}, "", true},
		{"fast path off", []string{"token", "ants"}, "TOKENTOP_NO_FASTPATH=1", true},
		{"another command", []string{"version"}, "", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := runTokentop(t, bin, c.argv, append(env, c.env)...)
			got := initialised(o.stderr)
			if !got["go.etcd.io/bbolt"] {
				t.Fatalf("no bbolt init in the trace (exit %d): is GODEBUG=inittrace=1 what it was?\n%s", o.code, o.stderr)
			}
			if fp := got["github.com/tokentop/tokentop/internal/fastpath"]; fp != c.heavy {
				t.Errorf("fastpath's init returned: %v, want %v", fp, c.heavy)
			}
			for _, pkg := range heavyPackages() {
				if got[pkg] != c.heavy {
					t.Errorf("%s initialised: %v, want %v", pkg, got[pkg], c.heavy)
				}
			}
			if !c.heavy && (o.code != 0 || o.stdout != base.tokens["ants"]) {
				t.Errorf("exit %d, %d bytes on stdout; want the cached token", o.code, len(o.stdout))
			}
		})
	}
}
