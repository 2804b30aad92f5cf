package testsupport

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

func TestClockSetAndAdd(t *testing.T) {
	t0 := time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)
	c := NewClock(t0)
	if !c.Now().Equal(t0) {
		t.Fatalf("Now = %v, want %v", c.Now(), t0)
	}
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() { c.Add(time.Second); _ = c.Now() })
	}
	wg.Wait()
	if want := t0.Add(10 * time.Second); !c.Now().Equal(want) {
		t.Fatalf("after ten Add(1s): %v, want %v", c.Now(), want)
	}
	c.Set(t0)
	if !c.Now().Equal(t0) {
		t.Fatalf("after Set: %v, want %v", c.Now(), t0)
	}
}

func TestLockedBufferKeepsEveryWrite(t *testing.T) {
	var b LockedBuffer
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() { fmt.Fprintf(&b, "<%d>", i) })
		wg.Go(func() { _ = b.String() })
	}
	wg.Wait()
	for i := range 20 {
		if s := fmt.Sprintf("<%d>", i); !strings.Contains(b.String(), s) {
			t.Errorf("%s is missing from %q", s, b.String())
		}
	}
}

func TestClosedAddrRefuses(t *testing.T) {
	addr := ClosedAddr(t)
	if !strings.HasPrefix(addr, "127.0.0.1:") {
		t.Fatalf("ClosedAddr = %q, want a loopback address", addr)
	}
	c, err := net.Dial("tcp", addr)
	if err == nil {
		c.Close()
		t.Fatalf("a connection to %s was accepted", addr)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("dial %s: %v, want connection refused", addr, err)
	}
}

func TestRSAKeysAreSharedAndDistinct(t *testing.T) {
	if RSAKey(0) != RSAKey(0) {
		t.Fatal("RSAKey(0) made a second key")
	}
	if RSAKey(0).Equal(RSAKey(1)) {
		t.Fatal("RSAKey(0) and RSAKey(1) are the same key")
	}
	if RSAKey(0).N.BitLen() != 2048 {
		t.Fatalf("RSAKey(0) has %d bits, want 2048", RSAKey(0).N.BitLen())
	}
	defer func() {
		if recover() == nil {
			t.Fatal("RSAKey(8) did not panic")
		}
	}()
	RSAKey(rsaKeyCount)
}

func TestWaitForTextSeesLaterWrites(t *testing.T) {
	var b LockedBuffer
	go func() {
		b.Write([]byte("first "))
		time.Sleep(20 * time.Millisecond)
		b.Write([]byte("second"))
	}()
	if got := WaitForText(t, b.String, "second", "first"); got != "first second" {
		t.Fatalf("WaitForText returned %q, want the text that held both", got)
	}
}

func TestWaitForTextNudgingNudgesUntilSeen(t *testing.T) {
	var nudges atomic.Int32
	read := func() string {
		if nudges.Load() >= 3 {
			return "painted"
		}
		return ""
	}
	WaitForTextNudging(t, time.Millisecond, func() { nudges.Add(1) }, read, "painted")
	if n := nudges.Load(); n != 3 {
		t.Fatalf("nudged %d times, want 3 (until the text showed)", n)
	}
}

func TestWaitForMatchReturnsTheSubmatches(t *testing.T) {
	var b LockedBuffer
	go func() {
		b.Write([]byte("starting\n"))
		time.Sleep(20 * time.Millisecond)
		b.Write([]byte("listening on 127.0.0.1:2222\n"))
	}()
	m := WaitForMatch(t, b.String, regexp.MustCompile(`listening on (\S+)`))
	if len(m) != 2 || m[1] != "127.0.0.1:2222" {
		t.Fatalf("WaitForMatch = %q, want the address as the first submatch", m)
	}
}

func TestEventually(t *testing.T) {
	var n atomic.Int32
	Eventually(t, "three looks", func() bool { return n.Add(1) == 3 })
	if n.Load() != 3 {
		t.Fatalf("cond called %d times, want 3", n.Load())
	}
}

func TestContainsAll(t *testing.T) {
	for _, tt := range []struct {
		s     string
		texts []string
		want  bool
	}{
		{"abc", nil, true},
		{"abc", []string{"a", "c"}, true},
		{"abc", []string{"a", "d"}, false},
	} {
		if got := ContainsAll(tt.s, tt.texts...); got != tt.want {
			t.Errorf("ContainsAll(%q, %q) = %v, want %v", tt.s, tt.texts, got, tt.want)
		}
	}
}

func TestSSHSignersDiffer(t *testing.T) {
	a, b := SSHSigner(t), SSHSigner(t)
	if a.PublicKey().Type() != "ssh-ed25519" {
		t.Fatalf("key type %s, want ssh-ed25519", a.PublicKey().Type())
	}
	if bytes.Equal(a.PublicKey().Marshal(), b.PublicKey().Marshal()) {
		t.Fatal("two calls made the same key")
	}
}
