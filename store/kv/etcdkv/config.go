package etcdkv

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"
)

// Defaults of a Config.
const (
	DefaultDialTimeout    = 5 * time.Second
	DefaultRequestTimeout = 10 * time.Second
	DefaultWriteLockTTL   = 10 * time.Second
	// DefaultMaxTxnOps is etcd's own default of --max-txn-ops.
	DefaultMaxTxnOps = 128
	// DefaultPort is etcd's client port.
	DefaultPort = "2379"
)

// Config says how to reach the cluster and where tokentop's data lives.
type Config struct {
	// Endpoints are the members' client URLs ("http://10.0.0.1:2379").
	Endpoints []string
	// Prefix is the key prefix of tokentop's data ("/tokentop"); several
	// teams can share a cluster under different prefixes.
	Prefix string
	// DialTimeout bounds connecting; 0 means DefaultDialTimeout.
	DialTimeout time.Duration
	// RequestTimeout bounds each View, Update and TryLock whose context
	// has no earlier deadline; 0 means DefaultRequestTimeout.
	RequestTimeout time.Duration
	// WriteLockTTL is the lease of the cluster-wide write lock an Update
	// holds: an Update whose client dies frees it within this time. 0
	// means DefaultWriteLockTTL.
	WriteLockTTL time.Duration
	// MaxTxnOps is the cluster's --max-txn-ops: an Update needing more
	// writes in its one transaction fails with ErrTooLarge before sending.
	// 0 means DefaultMaxTxnOps.
	MaxTxnOps int
	// Username and Password, when set, authenticate to the cluster. The
	// password never appears in an error.
	Username, Password string
	// TLS, when set, connects with TLS.
	TLS *TLS
}

// TLS names the files of a TLS connection to the cluster.
type TLS struct {
	// CAFile holds the CA certificates to trust; empty means the system's.
	CAFile string
	// CertFile and KeyFile are a client certificate and its key, both or
	// neither.
	CertFile, KeyFile string
	// ServerName overrides the name checked in the server's certificate.
	ServerName string
}

// config builds the crypto/tls configuration.
func (t *TLS) config() (*tls.Config, error) {
	c := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: t.ServerName}
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("reading the etcd CA file: %w", err)
		}
		c.RootCAs = x509.NewCertPool()
		if !c.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("the etcd CA file %s holds no PEM certificate", t.CAFile)
		}
	}
	if (t.CertFile == "") != (t.KeyFile == "") {
		return nil, errors.New("an etcd client certificate needs both its certificate and its key file")
	}
	if t.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("loading the etcd client certificate: %w", err)
		}
		c.Certificates = []tls.Certificate{cert}
	}
	return c, nil
}

// withDefaults checks c and fills in its defaults.
func (c Config) withDefaults() (Config, error) {
	if len(c.Endpoints) == 0 {
		return c, errors.New("etcd: no endpoints given")
	}
	c.Prefix = strings.TrimRight(c.Prefix, "/")
	if c.Prefix == "" {
		return c, errors.New("etcd: no key prefix given (as in etcd://host:2379/tokentop)")
	}
	if c.DialTimeout <= 0 {
		c.DialTimeout = DefaultDialTimeout
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = DefaultRequestTimeout
	}
	if c.WriteLockTTL <= 0 {
		c.WriteLockTTL = DefaultWriteLockTTL
	}
	if c.MaxTxnOps <= 0 {
		c.MaxTxnOps = DefaultMaxTxnOps
	}
	return c, nil
}

// where names the data for messages: the endpoints and the prefix.
func (c Config) where() string {
	return fmt.Sprintf("etcd %s (prefix %s)", strings.Join(c.Endpoints, ","), c.Prefix)
}

// ParseURL reads a store address: etcd://HOST[:PORT][,HOST2[:PORT]…]/PREFIX,
// or etcds:// for TLS with the system's CAs (set Config.TLS for more). A
// host without a port gets 2379. User info (etcd://user:pass@host/…) sets
// Username and Password; prefer giving the password another way, as a
// URL shows in process lists.
func ParseURL(s string) (Config, error) {
	var c Config
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok || (scheme != "etcd" && scheme != "etcds") {
		return c, fmt.Errorf("store address must start with etcd:// or etcds://")
	}
	hosts, prefix, _ := strings.Cut(rest, "/")
	if at := strings.LastIndex(hosts, "@"); at >= 0 {
		user := hosts[:at]
		hosts = hosts[at+1:]
		c.Username, c.Password, _ = strings.Cut(user, ":")
	}
	web := "http://"
	if scheme == "etcds" {
		web = "https://"
		c.TLS = &TLS{}
	}
	for _, h := range strings.Split(hosts, ",") {
		if h == "" {
			return c, errors.New("store address names an empty host")
		}
		if _, _, err := net.SplitHostPort(h); err != nil {
			h = net.JoinHostPort(strings.Trim(h, "[]"), DefaultPort)
		}
		c.Endpoints = append(c.Endpoints, web+h)
	}
	c.Prefix = "/" + strings.Trim(prefix, "/")
	if c.Prefix == "/" {
		return c, errors.New("store address needs a key prefix after the hosts, as in etcd://host:2379/tokentop")
	}
	return c, nil
}
