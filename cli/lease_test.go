package cli

import (
	"testing"
	"time"

	"github.com/tokentop/tokentop/store"
)

func TestLeaseWords(t *testing.T) {
	now := time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC)
	for _, tt := range []struct {
		ev   store.LeaseEvent
		want string
	}{
		{store.LeaseEvent{Provider: "svc", Holder: store.LeaseHolder{PID: 4242, Host: "build-7", Started: now.Add(-3 * time.Second)}},
			"waiting for another process's fetch of svc (pid 4242 on host build-7, started 3s ago)"},
		{store.LeaseEvent{Provider: "svc", Holder: store.LeaseHolder{PID: 4242, Host: "build-7", Started: now.Add(-14 * time.Second)}, TakenOver: true},
			"the process that was fetching the token of svc (pid 4242 on host build-7, started 14s ago) is gone; fetching it again"},
		{store.LeaseEvent{Provider: "svc", Holder: store.LeaseHolder{PID: 7, Host: "evil\x1b]0;x\x07host"}},
			"waiting for another process's fetch of svc (pid 7 on host evilhost)"},
		{store.LeaseEvent{Provider: "svc"}, "waiting for another process's fetch of svc (a process of an older tokentop, which records no pid)"},
	} {
		if got := leaseWords(tt.ev, now); got != tt.want {
			t.Errorf("leaseWords(%+v)\n got %q\nwant %q", tt.ev, got, tt.want)
		}
	}
}
