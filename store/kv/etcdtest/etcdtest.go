// Package etcdtest runs etcd in the test process, on loopback with free
// ports and data in t.TempDir(): one member, or a cluster whose members a
// test can kill; optionally serving clients over TLS with client
// certificates required, or with a user and password required. Only test files import it, so the etcd server is linked
// into test binaries alone, never into tokentop.
package etcdtest

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"go.etcd.io/etcd/client/pkg/v3/transport"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
	"golang.org/x/crypto/bcrypt"
)

// startWait bounds a cluster's start.
const startWait = time.Minute

// Member is one running etcd.
type Member struct {
	Name      string
	ClientURL string
	Etcd      *embed.Etcd
	killed    bool
}

// Cluster is n members that know each other.
type Cluster struct {
	Members []*Member
	// CA is the authority of the members' certificates and Client a
	// client certificate it issued, when the cluster serves TLS.
	CA     *CA
	Client CertFiles
}

// Options are how a cluster serves its clients.
type Options struct {
	// TLS serves clients over TLS only, with a server certificate for the
	// loopback addresses from a CA made for the test, and refuses clients
	// without a certificate from that CA.
	TLS bool
	// User and Password, when User is set, enable etcd's authentication
	// with this user in the root role.
	User, Password string
}

// Start runs an n-member cluster for the test, stopped when it ends.
func Start(t testing.TB, n int) *Cluster {
	t.Helper()
	return StartWith(t, n, Options{})
}

// StartWith is Start with the options o.
func StartWith(t testing.TB, n int, o Options) *Cluster {
	t.Helper()
	var err error
	for range 3 { // a free port taken meanwhile by another process: try again
		var c *Cluster
		if c, err = start(t, n, o); err == nil {
			t.Cleanup(c.stop)
			if o.User != "" {
				if err := enableAuth(t.Context(), c.Members[0].Etcd.Server, o.User, o.Password); err != nil {
					t.Fatalf("enabling etcd auth: %v", err)
				}
			}
			return c
		}
	}
	t.Fatalf("starting etcd: %v", err)
	return nil
}

func start(t testing.TB, n int, o Options) (*Cluster, error) {
	c := &Cluster{}
	var server CertFiles
	scheme := "http"
	if o.TLS {
		c.CA = NewCA(t, "tokentop test CA")
		server, c.Client = c.CA.Server(t), c.CA.Client(t, "tokentop-test-client")
		scheme = "https"
	}
	cfgs := make([]*embed.Config, n)
	var initial []string
	for i := range n {
		ports, err := freePorts(2)
		if err != nil {
			return nil, err
		}
		cfg := embed.NewConfig()
		cfg.Name = fmt.Sprintf("m%d", i)
		cfg.Dir = t.TempDir()
		client, peer := loopback(scheme, ports[0]), loopback("http", ports[1])
		cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{client}, []url.URL{client}
		cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{peer}, []url.URL{peer}
		cfg.InitialClusterToken = "tokentop-test"
		// Short ticks: a killed leader is replaced within about a second.
		cfg.TickMs, cfg.ElectionMs = 50, 500
		cfg.UnsafeNoFsync = true
		cfg.Logger = "zap"
		cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.NewNop())
		cfg.BcryptCost = uint(bcrypt.MinCost) // a test password needs no strength
		if o.TLS {
			cfg.ClientTLSInfo = transport.TLSInfo{
				CertFile: server.CertFile, KeyFile: server.KeyFile,
				TrustedCAFile: c.CA.CAFile, ClientCertAuth: true,
			}
		}
		cfgs[i] = cfg
		initial = append(initial, cfg.Name+"="+peer.String())
	}
	for _, cfg := range cfgs {
		cfg.InitialCluster = strings.Join(initial, ",")
		e, err := embed.StartEtcd(cfg)
		if err != nil {
			c.stop()
			return nil, err
		}
		c.Members = append(c.Members, &Member{Name: cfg.Name, ClientURL: cfg.AdvertiseClientUrls[0].String(), Etcd: e})
	}
	deadline := time.After(startWait)
	for _, m := range c.Members {
		select {
		case <-m.Etcd.Server.ReadyNotify():
		case err := <-m.Etcd.Err():
			c.stop()
			return nil, err
		case <-deadline:
			c.stop()
			return nil, fmt.Errorf("etcd member %s not ready after %s", m.Name, startWait)
		}
	}
	return c, nil
}

func loopback(scheme string, port int) url.URL {
	return url.URL{Scheme: scheme, Host: fmt.Sprintf("127.0.0.1:%d", port)}
}

// freePorts finds n loopback ports free now.
func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// Endpoints are the members' client URLs, killed ones included (a client
// given them all must cope with the dead ones).
func (c *Cluster) Endpoints() []string {
	out := make([]string, len(c.Members))
	for i, m := range c.Members {
		out[i] = m.ClientURL
	}
	return out
}

// Leader is the index of the member that leads now, -1 when none does.
func (c *Cluster) Leader() int {
	for i, m := range c.Members {
		if !m.killed && m.Etcd.Server.Leader() == m.Etcd.Server.MemberID() {
			return i
		}
	}
	return -1
}

// Kill stops member i at once, without handing over its leadership.
func (c *Cluster) Kill(i int) {
	m := c.Members[i]
	if m.killed {
		return
	}
	m.killed = true
	m.Etcd.Server.HardStop()
	m.Etcd.Close()
}

func (c *Cluster) stop() {
	for i := range c.Members {
		c.Kill(i)
	}
}
