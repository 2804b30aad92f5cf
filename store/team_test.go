package store

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store/kv"
)

// team is a database shared by alice (an age identity) and bob (an SSH
// key), with a provider whose token alice fetched.
type team struct {
	path       string
	ts         *tokenServer
	alice, bob member
	as, bs     *Store // alice's and bob's handles
}

func newTeam(t *testing.T) *team {
	t.Helper()
	ctx := t.Context()
	tm := &team{path: testDB(t), ts: newTokenServer(t),
		alice: ageMember(t, "alice"), bob: sshMember(t, "bob@desk", t.TempDir(), "")}
	tm.as = storeAs(t, tm.path, tm.alice)
	// Before the team: sealed to the key file, as ever.
	must(t, tm.as.PutProvider(ctx, tm.ts.provider("svc")))
	_, err := tm.as.Token(ctx, "svc", TokenOptions{})
	must(t, err)
	for _, m := range []member{tm.alice, tm.bob} {
		ch, err := tm.as.AddMember(ctx, Member{Key: m.pub, Label: m.label})
		must(t, err)
		if ch.Secrets != 1 || ch.Tokens != 1 || ch.Exchanges == 0 || ch.Member.Label != m.label {
			t.Fatalf("adding %s re-encrypted %+v", m.label, ch)
		}
	}
	tm.bs = storeAs(t, tm.path, tm.bob)
	return tm
}

// token is what s reads of svc's cached token.
func token(t *testing.T, s *Store) string {
	t.Helper()
	tok, err := s.CachedToken(t.Context(), "svc")
	must(t, err)
	return tok.AccessToken
}

// fetch makes s fetch a new token for svc and returns it.
func fetch(t *testing.T, s *Store) string {
	t.Helper()
	res, err := s.Token(t.Context(), "svc", TokenOptions{ForceRefresh: true})
	must(t, err)
	return res.Token.AccessToken
}

func TestTeamMembersReadWhatEitherWrote(t *testing.T) {
	tm := newTeam(t)
	ctx := t.Context()
	list, err := tm.bs.Team(ctx)
	must(t, err)
	if len(list) != 2 || list[0].Label != "alice" || list[1].Label != "bob@desk" || list[1].Type() != KeyTypeSSH || list[0].Type() != KeyTypeAge {
		t.Fatalf("Team = %+v", list)
	}
	// Written by alice before the team, re-encrypted: bob reads it.
	if a, b := token(t, tm.as), token(t, tm.bs); a != b || !strings.HasPrefix(a, "at-") {
		t.Fatalf("alice reads %q, bob %q", a, b)
	}
	// Written by bob: alice reads it; and the other way round.
	byBob := fetch(t, tm.bs)
	if got := token(t, tm.as); got != byBob {
		t.Errorf("alice reads %q, bob wrote %q", got, byBob)
	}
	byAlice := fetch(t, tm.as)
	if got := token(t, tm.bs); got != byAlice || byAlice == byBob {
		t.Errorf("bob reads %q, alice wrote %q (bob's was %q)", got, byAlice, byBob)
	}
	for _, s := range []*Store{tm.as, tm.bs} {
		p, err := s.ProviderWithSecret(ctx, "svc")
		must(t, err)
		if p.ClientSecret != tm.ts.Secret {
			t.Errorf("client secret read as %q", p.ClientSecret)
		}
		h, err := s.History(ctx, "svc")
		must(t, err)
		if len(h) < 3 {
			t.Errorf("%d flight records readable", len(h))
		}
	}
}

func TestTeamOutsiderCannotRead(t *testing.T) {
	tm := newTeam(t)
	carol := ageMember(t, "carol")
	cs := storeAs(t, tm.path, carol)
	_, err := cs.CachedToken(t.Context(), "svc")
	if !errors.Is(err, ErrIdentity) {
		t.Fatalf("carol reads the token: %v", err)
	}
	msg := err.Error()
	list, _ := tm.as.Team(t.Context())
	for _, want := range []string{"the access token of svc", carol.identity, tm.path + ".key",
		"alice (age " + list[0].Fingerprint(), "bob@desk (ssh-ed25519 " + list[1].Fingerprint(), "tokentop team add"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if _, err := cs.ProviderWithSecret(t.Context(), "svc"); !errors.Is(err, ErrIdentity) {
		t.Errorf("carol reads the secret: %v", err)
	}
	// Nor can she change the list: she cannot re-encrypt what she cannot read.
	_, err = cs.AddMember(t.Context(), Member{Key: carol.pub, Label: "carol"})
	if !errors.Is(err, ErrIdentity) || !strings.Contains(err.Error(), "nothing was changed") {
		t.Errorf("carol adds herself: %v", err)
	}
	if list, _ := tm.as.Team(t.Context()); len(list) != 2 {
		t.Errorf("the list changed: %+v", list)
	}
	// An identity file that is not there is named, not skipped.
	gone := storeAs(t, tm.path, member{identity: filepath.Join(t.TempDir(), "nope.txt")})
	if _, err := gone.CachedToken(t.Context(), "svc"); !errors.Is(err, ErrIdentity) || !strings.Contains(err.Error(), "nope.txt: not found") {
		t.Errorf("missing identity file: %v", err)
	}
}

func TestTeamRemovedMemberCannotReadNewWrites(t *testing.T) {
	tm := newTeam(t)
	ctx := t.Context()
	ch, err := tm.as.RemoveMember(ctx, "bob@desk")
	must(t, err)
	if ch.Member.Label != "bob@desk" || ch.Members != 1 || !slices.Equal(ch.SecretsOf, []string{"svc"}) || ch.SelfRemoved {
		t.Fatalf("RemoveMember = %+v", ch)
	}
	fetch(t, tm.as)
	if _, err := tm.bs.CachedToken(ctx, "svc"); !errors.Is(err, ErrIdentity) {
		t.Errorf("bob reads a token written after his removal: %v", err)
	}
	if _, err := tm.bs.ProviderWithSecret(ctx, "svc"); !errors.Is(err, ErrIdentity) {
		t.Errorf("bob reads the re-encrypted secret: %v", err)
	}
	token(t, tm.as)
	if _, err := tm.as.RemoveMember(ctx, "bob@desk"); !errors.Is(err, ErrNotFound) {
		t.Errorf("removing bob twice: %v", err)
	}
}

func TestTeamAddReencryptsForNewMember(t *testing.T) {
	tm := newTeam(t)
	ctx := t.Context()
	carol := sshMember(t, "carol", t.TempDir(), "")
	want := fetch(t, tm.bs)
	ch, err := tm.bs.AddMember(ctx, Member{Key: carol.pub, Label: "carol"})
	must(t, err)
	if ch.Members != 3 || ch.Tokens != 1 || ch.Secrets != 1 {
		t.Fatalf("AddMember = %+v", ch)
	}
	cs := storeAs(t, tm.path, carol)
	if got := token(t, cs); got != want {
		t.Errorf("carol reads %q, want %q", got, want)
	}
	h, err := cs.History(ctx, "svc")
	must(t, err)
	if len(h) != ch.Exchanges || len(h) == 0 {
		t.Errorf("carol reads %d flight records, %d were re-encrypted", len(h), ch.Exchanges)
	}
	// The same key or label again is refused.
	if _, err := tm.as.AddMember(ctx, Member{Key: carol.pub, Label: "carol2"}); err == nil || !strings.Contains(err.Error(), "already on the list, as carol") {
		t.Errorf("adding carol's key twice: %v", err)
	}
	if _, err := tm.as.AddMember(ctx, Member{Key: ageMember(t, "x").pub, Label: "carol"}); err == nil || !strings.Contains(err.Error(), "label carol is taken") {
		t.Errorf("reusing a label: %v", err)
	}
	// Removed by fingerprint.
	list, _ := tm.as.Team(ctx)
	if _, err := tm.as.RemoveMember(ctx, list[2].Fingerprint()); err != nil {
		t.Errorf("removing by fingerprint: %v", err)
	}
}

// TestTeamOtherHandleSealsToCurrentList: a second machine opened before
// the list changed seals to the new list, not the one it saw at opening
// (the list is read in the transaction that writes).
func TestTeamOtherHandleSealsToCurrentList(t *testing.T) {
	tm := newTeam(t)
	carol := ageMember(t, "carol")
	if _, err := tm.as.AddMember(t.Context(), Member{Key: carol.pub, Label: "carol"}); err != nil {
		t.Fatal(err)
	}
	byBob := fetch(t, tm.bs)
	if got := token(t, storeAs(t, tm.path, carol)); got != byBob {
		t.Errorf("carol reads %q of bob's %q", got, byBob)
	}
	if _, err := tm.as.RemoveMember(t.Context(), "carol"); err != nil {
		t.Fatal(err)
	}
	fetch(t, tm.bs)
	if _, err := storeAs(t, tm.path, carol).CachedToken(t.Context(), "svc"); !errors.Is(err, ErrIdentity) {
		t.Errorf("bob's handle sealed to carol after her removal: %v", err)
	}
}

func TestTeamNoPlaintextOnDisk(t *testing.T) {
	tm := newTeam(t)
	tokens := []string{token(t, tm.as), fetch(t, tm.bs), fetch(t, tm.as)}
	raw, err := os.ReadFile(tm.path)
	must(t, err)
	basic := strings.TrimPrefix(providers.BasicAuth(tm.ts.ClientID, tm.ts.Secret), "Basic ")
	for _, secret := range append(tokens, tm.ts.Secret, basic) {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("the database holds %q in plain text", secret)
		}
	}
	// The list holds public keys only.
	for _, private := range []string{"AGE-SECRET-KEY", "PRIVATE KEY"} {
		if bytes.Contains(raw, []byte(private)) {
			t.Errorf("the database holds %q", private)
		}
	}
	if !bytes.Contains(raw, []byte(`"label":"bob@desk"`)) {
		t.Error("the recipient list is not in the database")
	}
}

// TestTeamAddRefusesLockout: a first member who is not the caller would
// leave the caller unable to read: refused, nothing changed.
func TestTeamAddRefusesLockout(t *testing.T) {
	ctx := t.Context()
	ts := newTokenServer(t)
	alice, bob := ageMember(t, "alice"), ageMember(t, "bob")
	as := storeAs(t, testDB(t), alice)
	must(t, as.PutProvider(ctx, ts.provider("svc")))
	_, err := as.AddMember(ctx, Member{Key: bob.pub, Label: "bob"})
	if !errors.Is(err, ErrIdentity) || !strings.Contains(err.Error(), "add your own public key first") {
		t.Fatalf("adding only bob: %v", err)
	}
	if list, _ := as.Team(ctx); len(list) != 0 {
		t.Errorf("list after a refused add: %+v", list)
	}
	if p, err := as.ProviderWithSecret(ctx, "svc"); err != nil || p.ClientSecret != ts.Secret {
		t.Errorf("the secret after a refused add: %q %v", p.ClientSecret, err)
	}
}

// TestTeamEmptiedBackToKeyFile: the last member removed, everything is
// sealed to the key file again, and reads need nothing else.
func TestTeamEmptiedBackToKeyFile(t *testing.T) {
	tm := newTeam(t)
	ctx := t.Context()
	want := token(t, tm.as)
	must(t, os.Remove(tm.path+".key")) // a new one is made for the change
	if _, err := tm.as.RemoveMember(ctx, "bob@desk"); err != nil {
		t.Fatal(err)
	}
	ch, err := tm.as.RemoveMember(ctx, "alice")
	must(t, err)
	if ch.Members != 0 || ch.KeyFile != tm.path+".key" || ch.SelfRemoved {
		t.Fatalf("emptying the list: %+v", ch)
	}
	plain := openStore(t, Options{Path: tm.path, Home: t.TempDir()})
	if got := token(t, plain); got != want {
		t.Errorf("with the key file alone: %q, want %q", got, want)
	}
	sealedToKeyFile(t, tm.path)
}

// sealedToKeyFile checks that the database's cached token of svc opens
// with its key file's identity alone.
func sealedToKeyFile(t *testing.T, path string) {
	t.Helper()
	keyText, err := os.ReadFile(path + ".key")
	must(t, err)
	ids, err := age.ParseIdentities(bytes.NewReader(keyText))
	must(t, err)
	db := rawBolt(t, path)
	must(t, db.View(t.Context(), func(tx kv.Tx) error {
		raw, err := tx.Get(kv.P(bMeta), []byte(kRecipients))
		if err != nil {
			return err
		}
		if raw != nil {
			t.Errorf("meta holds a recipient list: %s", raw)
		}
		var rec tokenRecord
		if _, err := (&Store{where: path}).getJSON(tx, bTokens, "svc", &rec); err != nil {
			return err
		}
		_, err = decrypt(rec.Sealed, ids...)
		return err
	}))
}

// TestExistingDatabaseWithoutTeam: a database with no recipient list works
// as before, sealed to its key file, even with an unusable SSH key in the
// home directory (never read: the key file suffices).
func TestExistingDatabaseWithoutTeam(t *testing.T) {
	ctx := t.Context()
	ts := newTokenServer(t)
	path := testDB(t)
	home := t.TempDir()
	sshMember(t, "locked", home, "a passphrase")
	s := openStore(t, Options{Path: path, Home: home})
	must(t, s.PutProvider(ctx, ts.provider("svc")))
	res, err := s.Token(ctx, "svc", TokenOptions{})
	must(t, err)
	s.Close()

	again := openStore(t, Options{Path: path, Home: home})
	if list, err := again.Team(ctx); err != nil || len(list) != 0 {
		t.Fatalf("Team = %+v, %v", list, err)
	}
	tok, err := again.CachedToken(ctx, "svc")
	must(t, err)
	if tok.AccessToken != res.Token.AccessToken {
		t.Errorf("token %q, want %q", tok.AccessToken, res.Token.AccessToken)
	}
	fetch(t, again)
	sealedToKeyFile(t, path)
}

// TestTeamStoredListNotTokentops: a recipient list that is not tokentop's
// (a foreign value) is refused for sealing, and nothing is overwritten.
func TestTeamStoredListNotTokentops(t *testing.T) {
	ctx := t.Context()
	ts := newTokenServer(t)
	path := testDB(t)
	s := openStore(t, Options{Path: path, Home: t.TempDir()})
	must(t, s.PutProvider(ctx, ts.provider("svc")))
	s.Close()
	db := rawBolt(t, path)
	must(t, db.Update(ctx, func(tx kv.Tx) error {
		return tx.Put(kv.P(bMeta), []byte(kRecipients), []byte(`{"members":[{"label":"x","key":"ssh-rsa AAAA"}]}`))
	}))

	s2 := openStore(t, Options{Path: path, Home: t.TempDir()})
	before := sealedState(t, path)
	err := s2.PutProvider(ctx, providers.Provider{Name: "other", ClientSecret: "s3cret"})
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "recipient list") {
		t.Fatalf("sealing with a foreign list: %v", err)
	}
	// A fetched token is not saved (the fetch says so).
	res, err := s2.Token(ctx, "svc", TokenOptions{})
	must(t, err)
	if !strings.Contains(strings.Join(res.Warnings, " "), "could not be saved") {
		t.Errorf("warnings %q", res.Warnings)
	}
	if _, err := s2.Team(ctx); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Team with a foreign list: %v", err)
	}
	if _, err := s2.AddMember(ctx, Member{Key: ageMember(t, "a").pub, Label: "a"}); !errors.Is(err, ErrCorrupt) {
		t.Errorf("AddMember over a foreign list: %v", err)
	}
	if after := sealedState(t, path); after != before {
		t.Errorf("the list, secrets or tokens changed:\n%s\n%s", before, after)
	}
}

// sealedState is the recipient list and every secret and token record of
// the database at path, as one string to compare.
func sealedState(t *testing.T, path string) string {
	t.Helper()
	db := rawBolt(t, path)
	var out strings.Builder
	must(t, db.View(t.Context(), func(tx kv.Tx) error {
		raw, err := tx.Get(kv.P(bMeta), []byte(kRecipients))
		if err != nil {
			return err
		}
		out.Write(raw)
		for _, b := range []string{bSecrets, bTokens} {
			err := tx.Scan(kv.P(b), kv.ScanOptions{}, func(k, v []byte) error {
				out.WriteString("\n" + b + "/" + string(k) + "=" + string(v))
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	}))
	return out.String()
}

// TestTeamChangeKeepsWritesAfterSnapshot: a token written between the
// snapshot a team change re-encrypts from and its write transaction is
// re-encrypted in that transaction (nothing sealed to the old list stays).
func TestTeamChangeKeepsWritesAfterSnapshot(t *testing.T) {
	tm := newTeam(t)
	ctx := t.Context()
	carol := ageMember(t, "carol")
	added := Member{Key: carol.pub, Label: "carol"}
	edit := func(l []Member) ([]Member, error) { return append(slices.Clone(l), added), nil }
	var (
		plan *teamPlan
		snap []sealedValue
	)
	must(t, tm.as.view(ctx, func(tx kv.Tx) error {
		var err error
		if plan, err = tm.as.planTeam(tx, added, edit); err != nil {
			return err
		}
		return walkSealed(tx, func(v sealedValue) error {
			snap = append(snap, sealedValue{sealed: bytes.Clone(v.sealed), what: v.what, plain: v.plain})
			return nil
		})
	}))
	must(t, plan.precompute(ctx, snap))
	late := fetch(t, tm.bs) // after the snapshot, sealed to alice and bob only
	must(t, tm.as.update(ctx, func(tx kv.Tx) error {
		if _, err := reseal(tx, plan.again); err != nil {
			return err
		}
		_, err := writeTeam(tx, plan.next)
		return err
	}))
	if got := token(t, storeAs(t, tm.path, carol)); got != late {
		t.Errorf("carol reads %q, want the late token %q", got, late)
	}
}

// TestTeamMemberRemovesThemselves: allowed (leaving a team), and said.
func TestTeamMemberRemovesThemselves(t *testing.T) {
	tm := newTeam(t)
	ch, err := tm.bs.RemoveMember(t.Context(), tm.bob.pub)
	must(t, err)
	if !ch.SelfRemoved || ch.Member.Label != "bob@desk" || ch.Members != 1 {
		t.Fatalf("bob removing himself: %+v", ch)
	}
	fetch(t, tm.as)
	if _, err := tm.bs.CachedToken(t.Context(), "svc"); !errors.Is(err, ErrIdentity) {
		t.Errorf("bob reads after leaving: %v", err)
	}
}
