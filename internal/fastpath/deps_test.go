package fastpath

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// allowedDeps are the packages outside the standard library the fast path
// may link: the cached token's read and nothing else. A package added
// here is initialised before every `tokentop token`, hit or miss.
func allowedDeps() []string {
	return []string{
		"filippo.io/age", "filippo.io/age/armor", "filippo.io/age/internal/bech32",
		"filippo.io/age/internal/format", "filippo.io/age/internal/stream",
		"filippo.io/hpke", "filippo.io/hpke/crypto", "filippo.io/hpke/crypto/ecdh", "filippo.io/hpke/internal/byteorder",
		"github.com/tokentop/tokentop/internal/fastpath",
		"github.com/tokentop/tokentop/providers/safetext",
		"github.com/tokentop/tokentop/providers/tokenlife",
		"github.com/tokentop/tokentop/store/kv",
		"github.com/tokentop/tokentop/store/kv/boltkv",
		"github.com/tokentop/tokentop/store/tokenrec",
		"go.etcd.io/bbolt", "go.etcd.io/bbolt/errors", "go.etcd.io/bbolt/internal/common", "go.etcd.io/bbolt/internal/freelist",
		"golang.org/x/crypto/chacha20", "golang.org/x/crypto/chacha20poly1305", "golang.org/x/crypto/curve25519",
		"golang.org/x/crypto/hkdf", "golang.org/x/crypto/internal/alias", "golang.org/x/crypto/internal/poly1305",
		"golang.org/x/crypto/pbkdf2", "golang.org/x/crypto/scrypt",
		"golang.org/x/sys/cpu", "golang.org/x/sys/unix",
	}
}

// forbiddenStd are standard packages the fast path must not link: the
// network, templates, processes and signals belong to the whole program.
func forbiddenStd() []string {
	return []string{"net", "net/http", "net/url", "crypto/tls", "crypto/x509", "os/exec", "os/signal", "text/template", "html/template"}
}

// TestDepsStayFew: the fast path links the allowed packages and the
// standard library's, no more: no providers, store, cobra, Charm, gRPC or
// YAML, no network.
func TestDepsStayFew(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command: %v", err)
	}
	out, err := exec.Command(goCmd, "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	allowed := allowedDeps()
	for _, pkg := range strings.Fields(string(out)) {
		if !slices.Contains(allowed, pkg) {
			t.Errorf("the fast path links %s: every `tokentop token` would initialise it first", pkg)
		}
	}
	std, err := exec.Command(goCmd, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, pkg := range forbiddenStd() {
		if slices.Contains(strings.Fields(string(std)), pkg) {
			t.Errorf("the fast path links %s", pkg)
		}
	}
}
