package store

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// TestTeamSSHKeyInHome: a member whose only identity is ~/.ssh/id_ed25519
// (found by the default search, HOME a temporary directory) adds its .pub
// and reads with it, with the key file gone too.
func TestTeamSSHKeyInHome(t *testing.T) {
	ctx := t.Context()
	home := t.TempDir()
	t.Setenv("HOME", home)
	me := sshMember(t, "me@host", home, "")
	ts := newTokenServer(t)
	path := testDB(t)
	s := openStore(t, Options{Path: path}) // no identity named: the default search
	must(t, s.PutProvider(ctx, ts.provider("svc")))
	pub, err := os.ReadFile(home + "/.ssh/id_ed25519.pub")
	must(t, err)
	key, comment, err := ParsePublicKey(pub)
	must(t, err)
	if _, err := s.AddMember(ctx, Member{Key: key, Label: DefaultLabel(key, comment)}); err != nil {
		t.Fatal(err)
	}
	want := fetch(t, s)

	// Another machine: the same home, no key file beside the database.
	must(t, os.Remove(path+".key"))
	other := openStore(t, Options{Path: path})
	if got := token(t, other); got != want {
		t.Errorf("with ~/.ssh/id_ed25519: %q, want %q", got, want)
	}
	list, err := other.Team(ctx)
	must(t, err)
	if len(list) != 1 || list[0].Label != me.label || list[0].Type() != KeyTypeSSH || !strings.HasPrefix(list[0].Fingerprint(), "SHA256:") {
		t.Errorf("Team = %+v", list)
	}
	if _, err := os.Stat(path + ".key"); !errors.Is(err, os.ErrNotExist) {
		t.Error("a key file was made for a database with a recipient list")
	}
}

// TestTeamPassphraseProtectedSSHKey: an SSH key with a passphrase cannot
// be used; the error names the file and says what to do, whether the key
// was named or found by the default search.
func TestTeamPassphraseProtectedSSHKey(t *testing.T) {
	tm := newTeam(t)
	home := t.TempDir()
	locked := sshMember(t, "locked", home, "hunter2")
	if _, err := tm.as.AddMember(t.Context(), Member{Key: locked.pub, Label: "locked"}); err != nil {
		t.Fatal(err)
	}
	for _, o := range []Options{
		{Path: tm.path, Identities: []string{locked.identity}},
		{Path: tm.path, Home: home},
	} {
		s := openStore(t, o)
		_, err := s.CachedToken(t.Context(), "svc")
		if !errors.Is(err, ErrIdentity) {
			t.Fatalf("reading with a locked key (%v): %v", o.Identities, err)
		}
		for _, want := range []string{locked.identity, "protected by a passphrase", "TOKENTOP_IDENTITY", "age-keygen"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error lacks %q: %v", want, err)
			}
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Error("the error shows the passphrase")
		}
	}
}
