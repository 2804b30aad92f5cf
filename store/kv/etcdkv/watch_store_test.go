package etcdkv_test

import (
	"testing"

	"github.com/tokentop/tokentop/store/kv/etcdtest"
	"github.com/tokentop/tokentop/store/storetest"
)

// TestStoreWatchAcrossClients: a Store's watch over etcd reports what
// another client (another machine) writes, by provider, from the
// cluster's watch.
func TestStoreWatchAcrossClients(t *testing.T) {
	s := newTeam(t, etcdtest.Start(t, 1)).stores(t, 2)
	storetest.WatchSeesOtherClient(t, s[0], s[1])
}
