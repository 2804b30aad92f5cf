package testsupport

import (
	"net"
	"testing"
)

// ClosedAddr is a loopback address ("127.0.0.1:port") where nothing
// listens: a port the system handed out and that was closed at once, so a
// connection to it is refused.
func ClosedAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}
