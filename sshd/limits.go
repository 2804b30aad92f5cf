package sshd

import (
	"fmt"
	"net"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Defaults of the abuse limits (Options.Limits). An open server
// (Options.Open) gets all of them; any other server gets the handshake
// timeout and the connection cap, and the per-address limits it is given.
const (
	// DefaultRatePerMinute is how many new connections one address may
	// make a minute, on average, once its burst is spent.
	DefaultRatePerMinute = 10
	// DefaultBurst is how many connections one address may make at once.
	DefaultBurst = 5
	// DefaultPerAddress is how many connections, and how many sessions,
	// one address may hold at once.
	DefaultPerAddress = 3
	// DefaultHandshakeTimeout closes a connection that has not opened its
	// session (handshake, login and channel) that long after it arrived.
	DefaultHandshakeTimeout = 10 * time.Second
	// DefaultMaxAddresses bounds the addresses the limits remember.
	DefaultMaxAddresses = 4096
)

// Limits bound what one address, and everybody together, may hold of the
// server. Zero fields take their defaults as Options.check says.
type Limits struct {
	// RatePerMinute is the connections an address may make a minute once
	// its Burst is spent (a token bucket); 0 means no rate limit.
	RatePerMinute float64
	// Burst is the connections an address may make at once; 0 means
	// DefaultBurst when RatePerMinute is set.
	Burst int
	// PerAddress bounds the connections and the sessions one address holds
	// at once; 0 means no bound.
	PerAddress int
	// MaxConnections bounds the connections at once, sessions or not; 0
	// means twice the sessions allowed (so a server full of sessions still
	// has room to tell newcomers it is full).
	MaxConnections int
	// HandshakeTimeout closes a connection with no session that long after
	// it arrived; 0 means DefaultHandshakeTimeout.
	HandshakeTimeout time.Duration
	// MaxAddresses bounds the addresses remembered for the limits; an
	// address past it, when every remembered one is in use, is refused.
	// 0 means DefaultMaxAddresses.
	MaxAddresses int
}

// OpenLimits are the limits of an open server: every default.
func OpenLimits() Limits {
	return Limits{RatePerMinute: DefaultRatePerMinute, Burst: DefaultBurst, PerAddress: DefaultPerAddress}
}

// withDefaults fills the zero fields of l for a server of maxSessions.
func (l Limits) withDefaults(maxSessions int) Limits {
	if l.RatePerMinute > 0 && l.Burst <= 0 {
		l.Burst = DefaultBurst
	}
	if l.MaxConnections <= 0 {
		l.MaxConnections = max(2*maxSessions, 16)
	}
	if l.HandshakeTimeout <= 0 {
		l.HandshakeTimeout = DefaultHandshakeTimeout
	}
	if l.MaxAddresses <= 0 {
		l.MaxAddresses = DefaultMaxAddresses
	}
	return l
}

func (l Limits) check() error {
	switch {
	case l.RatePerMinute < 0:
		return fmt.Errorf("the connection rate per address must not be negative")
	case l.Burst < 0, l.PerAddress < 0, l.MaxConnections < 0, l.MaxAddresses < 0:
		return fmt.Errorf("the limits per address and the connection cap must not be negative")
	case l.HandshakeTimeout < 0:
		return fmt.Errorf("the handshake timeout must not be negative")
	}
	return nil
}

// addrState is what the limits remember of one address.
type addrState struct {
	bucket   *rate.Limiter // nil: no rate limit
	conns    int
	sessions int
	warned   bool // a refusal of this address was logged at warn level
}

// limiter keeps the limits: the per-address token buckets and counts in a
// map bounded by Limits.MaxAddresses (an address holding nothing, its
// bucket full again, is forgotten when room is needed), and the count of
// connections.
type limiter struct {
	l   Limits
	now func() time.Time

	mu    sync.Mutex
	addrs map[string]*addrState
	conns int
}

func newLimiter(l Limits, now func() time.Time) *limiter {
	return &limiter{l: l, now: now, addrs: map[string]*addrState{}}
}

// addrKey is the address the limits count a client under: its IP, or for
// IPv6 its /64 (one machine's usual share, so that a client cannot dodge
// the limits by changing its host bits).
func addrKey(a net.Addr) string {
	var ip net.IP
	switch t := a.(type) {
	case *net.TCPAddr:
		ip = t.IP
	default:
		host, _, err := net.SplitHostPort(a.String())
		if err != nil {
			return a.String()
		}
		ip = net.ParseIP(host)
		if ip == nil {
			return host
		}
	}
	if v4 := ip.To4(); v4 != nil {
		return v4.String()
	}
	return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
}

// state finds or makes key's entry; nil when the map is full of addresses
// in use. mu is held.
func (lm *limiter) state(key string, now time.Time) *addrState {
	if st, ok := lm.addrs[key]; ok {
		return st
	}
	if len(lm.addrs) >= lm.l.MaxAddresses {
		lm.prune(now)
		if len(lm.addrs) >= lm.l.MaxAddresses {
			return nil
		}
	}
	st := &addrState{}
	if lm.l.RatePerMinute > 0 {
		st.bucket = rate.NewLimiter(rate.Limit(lm.l.RatePerMinute/60), lm.l.Burst)
	}
	lm.addrs[key] = st
	return st
}

// prune forgets the addresses that hold nothing and whose bucket is full
// again: remembering them would change nothing. mu is held.
func (lm *limiter) prune(now time.Time) {
	for k, st := range lm.addrs {
		if st.conns == 0 && st.sessions == 0 && (st.bucket == nil || st.bucket.TokensAt(now) >= float64(lm.l.Burst)) {
			delete(lm.addrs, k)
		}
	}
}

// admitConn counts a new connection from key in, or says why not; the
// first refusal of an address says so with warn true.
func (lm *limiter) admitConn(key string) (why string, warn bool) {
	now := lm.now()
	lm.mu.Lock()
	defer lm.mu.Unlock()
	if lm.conns >= lm.l.MaxConnections {
		return fmt.Sprintf("the server holds its %d connections", lm.l.MaxConnections), true
	}
	st := lm.state(key, now)
	switch {
	case st == nil:
		return fmt.Sprintf("the server remembers %d addresses, all in use", lm.l.MaxAddresses), true
	case lm.l.PerAddress > 0 && st.conns >= lm.l.PerAddress:
		why = fmt.Sprintf("the address holds as many connections as one may (%d)", st.conns)
	case st.bucket != nil && !st.bucket.AllowN(now, 1):
		why = fmt.Sprintf("more than %d connections at once or %g a minute from the address", lm.l.Burst, lm.l.RatePerMinute)
	default:
		st.conns++
		lm.conns++
		return "", false
	}
	warn = !st.warned
	st.warned = true
	return why, warn
}

// releaseConn counts a connection of key out.
func (lm *limiter) releaseConn(key string) {
	lm.mu.Lock()
	defer lm.mu.Unlock()
	lm.conns--
	if st, ok := lm.addrs[key]; ok && st.conns > 0 {
		st.conns--
	}
}

// admitSession counts a session of key in unless the address holds its
// share already; ok false says how many it holds.
func (lm *limiter) admitSession(key string) (held int, ok bool) {
	lm.mu.Lock()
	defer lm.mu.Unlock()
	st, found := lm.addrs[key]
	if !found {
		// Its connection was counted in; only a full map forgets it.
		st = lm.state(key, lm.now())
		if st == nil {
			return 0, false
		}
	}
	if lm.l.PerAddress > 0 && st.sessions >= lm.l.PerAddress {
		return st.sessions, false
	}
	st.sessions++
	return st.sessions, true
}

// releaseSession counts a session of key out.
func (lm *limiter) releaseSession(key string) {
	lm.mu.Lock()
	defer lm.mu.Unlock()
	if st, ok := lm.addrs[key]; ok && st.sessions > 0 {
		st.sessions--
	}
}

// remembered is how many addresses the limits hold.
func (lm *limiter) remembered() int {
	lm.mu.Lock()
	defer lm.mu.Unlock()
	return len(lm.addrs)
}
