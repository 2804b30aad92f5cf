package sshd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	gossh "golang.org/x/crypto/ssh"

	"github.com/tokentop/tokentop/internal/testsupport"
)

// openAdminHarness is an open server whose admin keys file lists the
// harness's admin key; the authorized_keys file is not read.
func openAdminHarness(t testing.TB, mod func(o *Options)) *harness {
	return newHarness(t, func(_ *harness, o *Options) {
		o.Open, o.AuthorizedKeys = true, ""
		if mod != nil {
			mod(o)
		}
	})
}

// TestOpenAdminKeyPresents: on an open server with --follow and admin
// keys, the admin key's session has full access and presents; a key
// nobody listed follows it, read-only and masked, and a key of the
// authorized_keys file is no one special there.
func TestOpenAdminKeyPresents(t *testing.T) {
	h := openAdminHarness(t, func(o *Options) { o.Follow = true })
	pres := h.connect(t, h.admin, 120, 40, true)
	pres.waitFor("presenting · 0 watching")
	if s := pres.screen(); strings.Contains(s, "read-only") {
		t.Fatalf("an admin key of an open server should have full access:\n%s", s)
	}
	viewer := h.connect(t, h.stranger, 100, 30, true)
	viewer.waitFor("read-only", "following admin@test · 1 watching")
	listed := h.connect(t, h.user, 80, 24, true)
	listed.waitFor("read-only", "following admin@test")

	tok := h.token("ants")
	pres.filter("ants")
	pres.send("\r")
	pres.waitFor("Claims")
	viewer.waitFor("ants · ants · sandbox", tok[:6]+"…"+tok[len(tok)-4:])
	viewer.send("F")
	viewer.waitFor("looking around on your own")
	for _, k := range []struct{ key, says string }{{"c", "copy token"}, {"a", "add"}, {"d", "delete"}} {
		viewer.send(k.key)
		viewer.waitFor("read-only session: " + k.says + " is turned off")
	}
	pres.send("a") // the admin may add: the form opens
	pres.waitFor("Name")
	pres.send("\x1b")

	fp := gossh.FingerprintSHA256(h.admin.PublicKey())
	testsupport.Eventually(t, "the admin's session logged with full access", func() bool {
		for _, line := range strings.Split(h.logs.String(), "\n") {
			if strings.Contains(line, "session start") && strings.Contains(line, fp) && strings.Contains(line, "access=full") {
				return true
			}
		}
		return false
	})
	h.assertNoSecret("the viewer", viewer)
	h.assertNoSecret("the listed key's viewer", listed)
}

// TestOpenAdminKeyOfARealDatabase: an open server over a real database
// (ViewOnly) gives its listed admin key a session that may refresh; a
// viewer's refresh is turned off and sends nothing.
func TestOpenAdminKeyOfARealDatabase(t *testing.T) {
	h := openAdminHarness(t, func(o *Options) { o.ViewOnly = true })
	viewer := h.connect(t, h.stranger, 120, 40, true)
	viewer.filter("ants")
	started := h.gate.started.Load()
	viewer.send("r")
	viewer.waitFor("view-only session: refresh is turned off")
	if n := h.gate.started.Load() - started; n != 0 {
		t.Fatalf("a viewer's refresh sent %d token requests", n)
	}
	admin := h.connect(t, h.admin, 120, 40, true)
	admin.filter("ants")
	admin.send("r")
	testsupport.Eventually(t, "the admin's refresh to reach the provider", func() bool { return h.gate.started.Load() > started })
	admin.waitFor("ants")
}

// TestOpenAdminKeysFileWithoutKeys: an admin keys file with no usable
// key stops an open server at start, naming the file.
func TestOpenAdminKeysFileWithoutKeys(t *testing.T) {
	h := openAdminHarness(t, nil)
	dir := t.TempDir()
	empty := filepath.Join(dir, "admin_keys")
	if err := os.WriteFile(empty, []byte("# nobody yet\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := New(Options{Open: true, AdminKeys: empty, HostKeyPath: filepath.Join(dir, HostKeyFileName), Dashboard: h.srv.o.Dashboard})
	if err == nil || !strings.Contains(err.Error(), "no usable key in the admin keys file "+empty) {
		t.Fatalf("want the admin keys file refused, got %v", err)
	}
}
