package cli

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/spf13/pflag"

	"github.com/tokentop/tokentop/internal/qrtext"
	"github.com/tokentop/tokentop/sshd"
)

// openRealDBFlag is the flag that lets --open serve a real database: long
// and plain about what it does, so that nobody types it by accident.
const openRealDBFlag = "open-my-real-database-to-anyone"

// serveOpenOptions are the flags of an open server (--open) and of the
// abuse limits.
type serveOpenOptions struct {
	open           bool
	openRealDB     bool
	ratePerMinute  float64
	burst          int
	perAddress     int
	handshakeLimit time.Duration
	changed        func(name string) bool // the flag was given
}

func (o *serveOpenOptions) register(fl *pflag.FlagSet) {
	fl.BoolVar(&o.open, "open", false, "let in any public key (no password), read-only with tokens masked: a talk's audience; only with --sandbox")
	fl.BoolVar(&o.openRealDB, openRealDBFlag, false, "let --open serve the real database (view-only: no refresh, test-call or doctor; tokens masked)")
	fl.Float64Var(&o.ratePerMinute, "per-address-rate", sshd.DefaultRatePerMinute, "new connections a minute from one address, once its burst is spent; applied with --open or when given (0: no limit)")
	fl.IntVar(&o.burst, "per-address-burst", sshd.DefaultBurst, "connections one address may make at once before --per-address-rate applies")
	fl.IntVar(&o.perAddress, "per-address", sshd.DefaultPerAddress, "connections, and sessions, one address may hold at once; applied with --open or when given (0: no limit)")
	fl.DurationVar(&o.handshakeLimit, "handshake-timeout", sshd.DefaultHandshakeTimeout, "close a connection that has not opened its session this long after connecting")
	o.changed = fl.Changed
}

// check refuses --open over a real database without the loud flag, and
// the flags an open server cannot honour. --admin-keys goes with --open:
// its keys, and only those, get full access (over a real database too:
// they were listed on purpose).
func (o serveOpenOptions) check(sandbox bool) error {
	switch {
	case o.openRealDB && !o.open:
		return usagef("--%s goes with --open", openRealDBFlag)
	case o.open && !sandbox && !o.openRealDB:
		return usagef("--open lets anyone who can reach the server in: it serves the embedded sandbox only (add --sandbox). To show your real database to anyone, view-only with tokens masked, add --%s as well", openRealDBFlag)
	case o.ratePerMinute < 0 || o.burst < 0 || o.perAddress < 0:
		return usagef("--per-address-rate, --per-address-burst and --per-address must not be negative")
	case o.handshakeLimit <= 0:
		return usagef("--handshake-timeout must be positive")
	}
	return nil
}

// limits are the abuse limits: the per-address ones apply with --open, or
// when their flags are given.
func (o serveOpenOptions) limits() sshd.Limits {
	l := sshd.Limits{HandshakeTimeout: o.handshakeLimit}
	if o.open || o.changed("per-address-rate") || o.changed("per-address-burst") {
		l.RatePerMinute, l.Burst = o.ratePerMinute, o.burst
	}
	if o.open || o.changed("per-address") {
		l.PerAddress = o.perAddress
	}
	return l
}

// maxSessions is --max-sessions, whose default is larger with --open.
func (o serveOpenOptions) maxSessions(flag int) int {
	if o.open && !o.changed("max-sessions") {
		return sshd.DefaultOpenMaxSessions
	}
	return flag
}

// shareHost is the host to give viewers: the listening address, or, when
// it listens on every address, the machine's first non-loopback IP (a
// phone on the same network can reach it without DNS), else its hostname,
// else HOST.
func shareHost(addr *net.TCPAddr, ifaceAddrs func() ([]net.Addr, error), hostname func() (string, error)) string {
	if !addr.IP.IsUnspecified() {
		return addr.IP.String()
	}
	if as, err := ifaceAddrs(); err == nil {
		for _, a := range as {
			if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && !n.IP.IsLinkLocalUnicast() && n.IP.To4() != nil {
				return n.IP.String()
			}
		}
	}
	if h, err := hostname(); err == nil && h != "" {
		return h
	}
	return "HOST"
}

// sshCommand is the one line a viewer runs: ssh to host on port.
func sshCommand(host string, port int) string {
	if port == 22 {
		return "ssh " + host
	}
	return "ssh -p " + strconv.Itoa(port) + " " + host
}

// printShare prints the line to share and the host key to compare, and
// with --open a QR code of ssh://host:port for phones.
func (a *App) printShare(addr *net.TCPAddr, fingerprint string, open bool) {
	host := shareHost(addr, net.InterfaceAddrs, os.Hostname)
	fmt.Fprintf(a.errOut, "  share     %s\n", sshCommand(host, addr.Port))
	fmt.Fprintf(a.errOut, "            the host key ssh shows on first connecting must be %s\n", fingerprint)
	if !open {
		return
	}
	link := "ssh://" + net.JoinHostPort(host, strconv.Itoa(addr.Port))
	qr, _, err := qrtext.Render(link)
	if err != nil {
		fmt.Fprintf(a.errOut, "  (no QR code for %s: %v)\n", link, err)
		return
	}
	fmt.Fprintf(a.errOut, "\n%s\n  %s\n\n", qr, link)
}
