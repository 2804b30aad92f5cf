package etcdkv_test

import (
	"path/filepath"
	"strings"
	"testing"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/tokentop/tokentop/store"
	"github.com/tokentop/tokentop/store/kv/etcdtest"
	"github.com/tokentop/tokentop/store/storetest"
)

// openBolt opens a bbolt Store for the test.
func openBolt(t *testing.T) *store.Store {
	t.Helper()
	s, err := store.Open(t.Context(), store.Options{Path: filepath.Join(t.TempDir(), "tokentop.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestCopyBoltToEtcdAndBack: a bbolt database is copied to an etcd prefix
// (its own key file), which then holds no secret or token in plaintext,
// and from there to a new bbolt database; each copy checks out.
func TestCopyBoltToEtcdAndBack(t *testing.T) {
	c := etcdtest.Start(t, 1)
	tm := newTeam(t, c)
	bolt := openBolt(t)
	f := storetest.Fill(t, bolt, storetest.NewTokenServer(t))
	etcd := tm.stores(t, 1)[0]
	storetest.CopyEverything(t, bolt, etcd, f)

	cli, err := clientv3.New(clientv3.Config{Endpoints: c.Endpoints()})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	resp, err := cli.Get(t.Context(), tm.prefix+"/", clientv3.WithPrefix())
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Kvs) == 0 {
		t.Fatal("the etcd prefix holds nothing after the copy")
	}
	secrets := []string{f.Secret}
	for _, tok := range f.Tokens {
		secrets = append(secrets, tok)
	}
	for _, kv := range resp.Kvs {
		for _, s := range secrets {
			if strings.Contains(string(kv.Value), s) || strings.Contains(string(kv.Key), s) {
				t.Fatalf("etcd holds a secret or token in plaintext at %s", kv.Key)
			}
		}
	}

	back := openBolt(t)
	storetest.CopyEverything(t, etcd, back, f)
}
