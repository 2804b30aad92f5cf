package ui

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest"

	"github.com/tokentop/tokentop/internal/testsupport"
	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store"
	"github.com/tokentop/tokentop/store/kv/etcdkv"
	"github.com/tokentop/tokentop/store/kv/etcdtest"
	"github.com/tokentop/tokentop/store/storetest"
)

// TestDashboardFollowsAnotherMachine: two Stores on one etcd prefix, each
// with its own client, as two machines of a team; a dashboard on the
// second shows a token fetched through the first without a key press or
// a tick: the cluster's watch brings it.
func TestDashboardFollowsAnotherMachine(t *testing.T) {
	cluster := etcdtest.Start(t, 1)
	keyFile := filepath.Join(t.TempDir(), "team.key")
	prefix := fmt.Sprintf("/live-%d", time.Now().UnixNano())
	open := func() *store.Store {
		b, err := etcdkv.Open(t.Context(), etcdkv.Config{Endpoints: cluster.Endpoints(), Prefix: prefix})
		if err != nil {
			t.Fatal(err)
		}
		s, err := store.OpenBackend(t.Context(), b, store.Options{KeyFile: keyFile})
		if err != nil {
			b.Close()
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	machineA, machineB := open(), open()
	ts := storetest.NewTokenServer(t)
	if err := machineA.PutProvider(t.Context(), ts.Provider("live-svc")); err != nil {
		t.Fatal(err)
	}

	st, r := asciiStyles()
	cfg := Config{Store: machineB, Styles: st, Renderer: r, Location: time.UTC, Output: &testsupport.LockedBuffer{},
		DBLabel: "team", Client: &providers.Client{}, Context: context.Background()}
	d := &driver{TestModel: teatest.NewTestModel(t, New(cfg), teatest.WithInitialTermSize(120, 30)), done: make(chan struct{})}
	go d.collect()
	t.Cleanup(func() {
		_ = d.Quit()
		close(d.done)
	})
	waitFor(t, d, "live-svc", "0 valid")

	if _, err := machineA.Token(t.Context(), "live-svc", store.TokenOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, d, "1 valid")
	final(t, d)
}
