package cli

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
	"golang.org/x/crypto/ssh"
)

// newAgeIdentity writes an age identity file; it returns its path and
// public key.
func newAgeIdentity(t *testing.T) (path, pub string) {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(t.TempDir(), "identity.txt")
	if err := os.WriteFile(path, []byte(id.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, id.Recipient().String()
}

// newSSHKey writes an unencrypted OpenSSH ed25519 key and its .pub with
// comment; it returns the private key's path.
func newSSHKey(t *testing.T, comment string) string {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, comment)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "id_ed25519")
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	line := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sp))) + " " + comment + "\n"
	if err := os.WriteFile(path+".pub", []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// as runs a command line as the user whose identity file is id.
func (e *env) as(id string, argv ...string) (string, string, int) {
	e.t.Helper()
	return e.run("", append([]string{"--identity", id}, argv...)...)
}

func TestTeamCommands(t *testing.T) {
	e := newEnv(t)
	e.vars["HOME"] = t.TempDir() // no ~/.ssh of the machine's
	e.importSandbox()
	alice, alicePub := newAgeIdentity(t)
	bob := newSSHKey(t, "bob@desk")
	carol, _ := newAgeIdentity(t)

	out, _, _ := e.as(alice, "team", "ls")
	if !strings.Contains(out, "no recipient list") || !strings.Contains(out, e.db+".key") {
		t.Errorf("team ls before a team: %q", out)
	}
	tok := strings.TrimSpace(e.mustRun("", "token", "ants"))

	// The first member must be the caller.
	_, errOut, code := e.as(alice, "team", "add", bob+".pub")
	if code != ExitFailure || !strings.Contains(errOut, "add your own public key first") {
		t.Fatalf("adding bob first: exit %d, %q", code, errOut)
	}
	e.vars["TOKENTOP_IDENTITY"] = alice
	out = e.mustRun("", "team", "add", alicePub, "--label", "alice")
	if !strings.Contains(out, "added alice (age SHA256:") || !strings.Contains(out, "1 member on the list") || !strings.Contains(out, "1 token") {
		t.Errorf("team add alice: %q", out)
	}
	out = e.mustRun("", "team", "add", bob+".pub")
	if !strings.Contains(out, "added bob@desk (ssh-ed25519 SHA256:") || !strings.Contains(out, "2 members") {
		t.Errorf("team add bob: %q", out)
	}
	delete(e.vars, "TOKENTOP_IDENTITY")

	// Both read the token alice cached; carol cannot, and is told why.
	for _, id := range []string{alice, bob} {
		out, errOut, code := e.as(id, "token", "ants")
		if code != 0 || strings.TrimSpace(out) != tok {
			t.Errorf("token as %s: exit %d, %q, %q", id, code, out, errOut)
		}
	}
	_, errOut, code = e.as(carol, "token", "ants")
	if code != ExitFailure || !strings.Contains(errOut, carol) || !strings.Contains(errOut, "bob@desk (ssh-ed25519 SHA256:") || !strings.Contains(errOut, "tokentop team add") {
		t.Errorf("token as carol: exit %d, %q", code, errOut)
	}

	out, _, _ = e.as(bob, "team", "ls")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "LABEL") || !strings.Contains(lines[1], "alice") || !strings.Contains(lines[2], "ssh-ed25519") || strings.Contains(out, "SECRET") {
		t.Errorf("team ls: %q", out)
	}
	out, _, _ = e.as(bob, "team", "ls", "--json")
	var rows []teamRow
	if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) != 2 || rows[0].Key != alicePub || !strings.HasPrefix(rows[1].Fingerprint, "SHA256:") {
		t.Errorf("team ls --json: %q, %v", out, err)
	}

	// Bob removes alice: warned to rotate; alice cannot read a new token.
	out, _, code = e.as(bob, "team", "rm", "alice")
	if code != 0 || !strings.Contains(out, "removed alice") || !strings.Contains(out, "warning: alice cannot read what is written from now on") ||
		!strings.Contains(out, "rotate the client secrets of ") || !strings.Contains(out, "ants") {
		t.Errorf("team rm alice: exit %d, %q", code, out)
	}
	if _, errOut, code := e.as(bob, "token", "ants", "--force-refresh"); code != 0 {
		t.Fatalf("bob fetches: %q", errOut)
	}
	if _, errOut, code := e.as(alice, "token", "ants"); code != ExitFailure || !strings.Contains(errOut, alice) {
		t.Errorf("alice after removal: exit %d, %q", code, errOut)
	}
}

func TestTeamAddRefusesBadInput(t *testing.T) {
	e := newEnv(t)
	e.vars["HOME"] = t.TempDir()
	alice, alicePub := newAgeIdentity(t)
	e.vars["TOKENTOP_IDENTITY"] = alice
	// No database yet: the team commands make none.
	for _, argv := range [][]string{{"team", "ls"}, {"team", "rm", "nobody"}, {"team", "add", alicePub}} {
		if _, errOut, code := e.run("", argv...); code != ExitFailure || !strings.Contains(errOut, "no database at") {
			t.Errorf("%q without a database: exit %d, %q", argv, code, errOut)
		}
	}
	if _, err := os.Stat(e.db); !os.IsNotExist(err) {
		t.Fatalf("a team command made the database: %v", err)
	}
	e.importSandbox()
	for _, c := range []struct {
		argv []string
		code int
		want string
	}{
		{[]string{"team", "add", alice}, ExitFailure, "that is a private key"},
		{[]string{"team", "add", filepath.Join(t.TempDir(), "missing.pub")}, ExitFailure, "neither a public key"},
		{[]string{"team", "add", alicePub, "--label", "x\x1b]52;c;aGk=\a"}, ExitUsage, "--label: the label holds the character"},
		{[]string{"team", "rm", "nobody"}, ExitFailure, `no member of the recipient list`},
		{[]string{"team", "add"}, ExitUsage, "tokentop team add takes"},
	} {
		out, errOut, code := e.run("", c.argv...)
		if code != c.code || !strings.Contains(errOut, c.want) || out != "" {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit %d and %q", c.argv, code, out, errOut, c.code, c.want)
		}
		if strings.Contains(errOut, "AGE-SECRET-KEY") || strings.Contains(errOut, "\x1b") {
			t.Errorf("%q: stderr shows a private key or an escape: %q", c.argv, errOut)
		}
	}
}
