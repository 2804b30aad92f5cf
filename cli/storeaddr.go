package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/tokentop/tokentop/store"
	"github.com/tokentop/tokentop/store/kv/etcdkv"
)

// Where the data lives: a bbolt file (--db, TOKENTOP_DB, the default) or
// an etcd cluster shared by a team (--store, TOKENTOP_STORE).

// storeFlags are the root's flags that choose and reach a shared store.
type storeFlags struct {
	store             string
	cacert, cert, key string
	offlineFallback   bool
}

// register adds the flags to fs (the root's persistent flags).
func (f *storeFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.store, "store", "", "a shared store: etcd://HOST:2379[,HOST2…]/PREFIX, or etcds:// for TLS (default $TOKENTOP_STORE)")
	fs.StringVar(&f.cacert, "etcd-cacert", "", "CA certificates to trust for etcd (default $TOKENTOP_ETCD_CACERT)")
	fs.StringVar(&f.cert, "etcd-cert", "", "client certificate for etcd (default $TOKENTOP_ETCD_CERT)")
	fs.StringVar(&f.key, "etcd-key", "", "client certificate key for etcd (default $TOKENTOP_ETCD_KEY)")
	fs.BoolVar(&f.offlineFallback, "offline-fallback", false, "when the shared store cannot be reached, fetch on this machine into its local cache (spends the shared quota unseen by the ledger)")
}

// sharedStore is an etcd store the commands use: how to reach it, its key
// file and this machine's local cache of it.
type sharedStore struct {
	addr    string
	cfg     etcdkv.Config
	keyFile string
	cache   string
}

// sharedStore is the etcd store chosen by --store or TOKENTOP_STORE; nil
// when the data is a bbolt file. --db and --store together, or
// TOKENTOP_DB and TOKENTOP_STORE together with neither flag, are a usage
// error: which one is meant cannot be guessed. A flag beats the other's
// variable.
func (a *App) sharedStore() (*sharedStore, error) {
	addr := a.stores.store
	switch {
	case addr != "" && a.dbPath != "":
		return nil, usagef("--db and --store name two stores: give one (--db is a bbolt file, --store an etcd cluster)")
	case addr == "" && a.dbPath != "":
		return nil, nil
	case addr == "":
		addr = a.env("TOKENTOP_STORE")
		if addr != "" && a.env("TOKENTOP_DB") != "" {
			return nil, usagef("TOKENTOP_DB and TOKENTOP_STORE are both set: unset one, or choose with --db or --store")
		}
	}
	if addr == "" {
		return nil, nil
	}
	cfg, err := a.etcdConfig(addr, "--store")
	if err != nil {
		return nil, err
	}
	dir, err := dataDir()
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256([]byte(strings.Join(cfg.Endpoints, ",") + cfg.Prefix))
	keyFile := a.env("TOKENTOP_KEY_FILE")
	if keyFile == "" {
		keyFile = filepath.Join(dir, "etcd"+strings.ReplaceAll(cfg.Prefix, "/", "-")+store.KeySuffix)
	}
	return &sharedStore{
		addr:    addr,
		cfg:     cfg,
		keyFile: keyFile,
		cache:   filepath.Join(dir, "cache", hex.EncodeToString(sum[:8])+".db"),
	}, nil
}

// etcdConfig is the client configuration of the etcd address addr (what
// names where it came from, for messages): the user and password from
// TOKENTOP_ETCD_USER and TOKENTOP_ETCD_PASSWORD only (never the address,
// which process lists show), TLS files from --etcd-cacert/--etcd-cert/
// --etcd-key or their TOKENTOP_ETCD_* variables (an etcds:// address
// only), the dial timeout from TOKENTOP_ETCD_DIAL_TIMEOUT.
func (a *App) etcdConfig(addr, what string) (etcdkv.Config, error) {
	cfg, err := etcdkv.ParseURL(addr)
	if err != nil {
		return cfg, usagef("%s: %w", what, err)
	}
	if cfg.Username != "" || cfg.Password != "" {
		return cfg, usagef("%s: give the etcd user and password in TOKENTOP_ETCD_USER and TOKENTOP_ETCD_PASSWORD, not in the address (it shows in process lists)", what)
	}
	cfg.Username, cfg.Password = a.env("TOKENTOP_ETCD_USER"), a.env("TOKENTOP_ETCD_PASSWORD")
	tls := etcdkv.TLS{
		CAFile:   a.flagOrEnv(a.stores.cacert, "TOKENTOP_ETCD_CACERT"),
		CertFile: a.flagOrEnv(a.stores.cert, "TOKENTOP_ETCD_CERT"),
		KeyFile:  a.flagOrEnv(a.stores.key, "TOKENTOP_ETCD_KEY"),
	}
	if tls != (etcdkv.TLS{}) {
		if cfg.TLS == nil {
			return cfg, usagef("--etcd-cacert, --etcd-cert and --etcd-key need a TLS address: etcds://…")
		}
		cfg.TLS = &tls
	}
	if v := a.env("TOKENTOP_ETCD_DIAL_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 || d > time.Hour {
			return cfg, usagef("TOKENTOP_ETCD_DIAL_TIMEOUT %q: want a duration such as 2s", v)
		}
		cfg.DialTimeout = d
	}
	return cfg, nil
}

// flagOrEnv is the flag's value, else the variable's.
func (a *App) flagOrEnv(flag, env string) string {
	if flag != "" {
		return flag
	}
	return a.env(env)
}

// dataDir is tokentop's directory in the user's data directory, where the
// default database lives.
func dataDir() (string, error) {
	p, err := store.DefaultPath()
	if err != nil {
		return "", err
	}
	return filepath.Dir(p), nil
}

// where names the shared store for messages.
func (s *sharedStore) where() string {
	return fmt.Sprintf("etcd %s (prefix %s)", strings.Join(s.cfg.Endpoints, ","), s.cfg.Prefix)
}
