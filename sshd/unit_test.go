package sshd

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tokentop/tokentop/internal/testsupport"
	gossh "golang.org/x/crypto/ssh"
)

func TestHostKeyMadeOnceAndKept(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", HostKeyFileName)
	a, created, err := LoadOrCreateHostKey(path)
	if err != nil || !created {
		t.Fatalf("first use should make the key: %v, created=%v", err, created)
	}
	if a.PublicKey().Type() != gossh.KeyAlgoED25519 {
		t.Fatalf("host key type %s, want ed25519", a.PublicKey().Type())
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("host key mode %v (%v), want 0600", fi.Mode().Perm(), err)
	}
	b, created, err := LoadOrCreateHostKey(path)
	if err != nil || created {
		t.Fatalf("second use should read the same key: %v, created=%v", err, created)
	}
	if gossh.FingerprintSHA256(a.PublicKey()) != gossh.FingerprintSHA256(b.PublicKey()) {
		t.Fatal("the host key changed between runs")
	}

	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadOrCreateHostKey(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("a host key others can read must be refused with the fix, got %v", err)
	}
	if err := os.WriteFile(path, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadOrCreateHostKey(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("a damaged host key must be an error naming it, got %v", err)
	}
}

func TestAuthorizedKeysLines(t *testing.T) {
	dir := t.TempDir()
	plain, admin, harmless, commanded, restricted, other := testsupport.SSHSigner(t), testsupport.SSHSigner(t), testsupport.SSHSigner(t), testsupport.SSHSigner(t), testsupport.SSHSigner(t), testsupport.SSHSigner(t)
	file := filepath.Join(dir, "authorized_keys")
	text := strings.Join([]string{
		"# comment",
		"",
		authorizedLine(plain) + " alice@laptop",
		AdminOption + " " + authorizedLine(admin) + " boss",
		"no-port-forwarding,no-agent-forwarding " + authorizedLine(harmless),
		`command="/usr/bin/backup" ` + authorizedLine(commanded),
		"restrict " + authorizedLine(restricted),
		"this is not a key",
	}, "\n")
	if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	adminFile := filepath.Join(dir, "admin_keys")
	if err := os.WriteFile(adminFile, []byte(authorizedLine(other)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	k := keyFiles{authorized: file, admin: adminFile}
	_, problems, err := k.load()
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, p := range problems {
		lines = append(lines, p.String())
	}
	joined := strings.Join(lines, "\n")
	for _, want := range []string{"authorized_keys:6: key " + gossh.FingerprintSHA256(commanded.PublicKey()), "option command", "authorized_keys:7:", "option restrict", "authorized_keys:8: not a public key line"} {
		if !strings.Contains(joined, want) {
			t.Errorf("problems should mention %q:\n%s", want, joined)
		}
	}
	for _, tc := range []struct {
		name      string
		key       gossh.Signer
		ok, admin bool
	}{
		{"plain", plain, true, false},
		{"admin option", admin, true, true},
		{"harmless options", harmless, true, false},
		{"command=", commanded, false, false},
		{"restrict", restricted, false, false},
		{"admin keys file", other, true, true},
		{"unknown", testsupport.SSHSigner(t), false, false},
	} {
		ok, isAdmin, err := k.lookup(tc.key.PublicKey())
		if err != nil || ok != tc.ok || isAdmin != tc.admin {
			t.Errorf("%s: ok=%v admin=%v err=%v, want ok=%v admin=%v", tc.name, ok, isAdmin, err, tc.ok, tc.admin)
		}
	}
	if _, _, err := (keyFiles{authorized: filepath.Join(dir, "missing")}).load(); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("a missing file must say so, got %v", err)
	}
}

// A new Server needs at least one usable key.
func TestNewNeedsAKey(t *testing.T) {
	h := newHarness(t, nil)
	dir := t.TempDir()
	empty := filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(empty, []byte("# nobody yet\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := New(Options{HostKeyPath: filepath.Join(dir, HostKeyFileName), AuthorizedKeys: empty, Dashboard: h.srv.o.Dashboard})
	if err == nil || !strings.Contains(err.Error(), "no usable key in "+empty) {
		t.Fatalf("want an error saying the file has no key, got %v", err)
	}
}

func TestQueryDarkBackground(t *testing.T) {
	for _, tc := range []struct {
		name, answer   string
		dark, ok       bool
		typedMeanwhile string
	}{
		{"dark, ST", "\x1b]11;rgb:1c1c/1c1c/2424\x1b\\\x1b[?62;22c", true, true, ""},
		{"light, BEL", "\x1b]11;rgb:ffff/ffff/eeee\x07\x1b[?1;2c", false, true, ""},
		{"two digits", "\x1b]11;rgb:fd/f6/e3\x07\x1b[?64;1;9c", false, true, ""},
		{"no colour, keys typed", "j\x1b[?62;22ck", false, false, "jk"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src, feed := io.Pipe()
			in := newInput(src)
			defer in.close()
			go io.WriteString(feed, tc.answer)
			dark, ok := queryDarkBackground(io.Discard, in, 10*time.Second)
			if dark != tc.dark || ok != tc.ok {
				t.Fatalf("dark=%v ok=%v, want dark=%v ok=%v", dark, ok, tc.dark, tc.ok)
			}
			if tc.typedMeanwhile != "" {
				got := make([]byte, 0, 8)
				buf := make([]byte, 8)
				for len(got) < len(tc.typedMeanwhile) {
					n, err := in.Read(buf)
					if err != nil {
						t.Fatal(err)
					}
					got = append(got, buf[:n]...)
				}
				if string(got) != tc.typedMeanwhile {
					t.Fatalf("keys typed during the query: got %q, want %q", got, tc.typedMeanwhile)
				}
			}
		})
	}
}

// A terminal that never answers: the query gives up, and what arrives
// later still reaches the program.
func TestQueryGivesUp(t *testing.T) {
	src, feed := io.Pipe()
	in := newInput(src)
	defer in.close()
	if _, ok := queryDarkBackground(io.Discard, in, 50*time.Millisecond); ok {
		t.Fatal("no answer should give no background")
	}
	go io.WriteString(feed, "q")
	buf := make([]byte, 4)
	n, err := in.Read(buf)
	if err != nil || string(buf[:n]) != "q" {
		t.Fatalf("the key after the query: %q, %v", buf[:n], err)
	}
}

// The colour answers leave the keys, even cut between two reads; an
// alt+] typed is a key.
func TestInputTakesColourAnswers(t *testing.T) {
	for _, tc := range []struct {
		name   string
		reads  []string
		keys   string
		answer string
	}{
		{"whole, ST", []string{"j\x1b]11;rgb:1c1c/1c1c/2424\x1b\\k"}, "jk", "\x1b]11;rgb:1c1c/1c1c/2424\x1b\\"},
		{"cut, BEL", []string{"j\x1b]11;rgb:ff", "ff/ffff/eeee\x07k"}, "jk", "\x1b]11;rgb:ffff/ffff/eeee\x07"},
		{"cut in the ST", []string{"\x1b]10;rgb:0/0/0\x1b", "\\q"}, "q", "\x1b]10;rgb:0/0/0\x1b\\"},
		{"alt+] then a key", []string{"\x1b]", "j"}, "\x1b]j", ""},
		{"alt+] then esc", []string{"\x1b]1;x\x1b", "\x1b"}, "\x1b]1;x\x1b\x1b", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src, feed := io.Pipe()
			in := newInput(src)
			defer in.close()
			go func() {
				for _, r := range tc.reads {
					io.WriteString(feed, r)
				}
				feed.Close()
			}()
			got, err := io.ReadAll(in)
			if err != nil || string(got) != tc.keys {
				t.Fatalf("keys %q (%v), want %q", got, err, tc.keys)
			}
			if a := string(in.colourAnswer()); a != tc.answer {
				t.Fatalf("answer %q, want %q", a, tc.answer)
			}
		})
	}
}
