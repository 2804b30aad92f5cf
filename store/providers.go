package store

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store/kv"
)

// PutProvider saves p, replacing a provider of the same name. The secret:
// a non-empty ClientSecret is encrypted and stored; an empty one with
// ClientSecretRef set deletes any stored secret; an empty one without a
// reference keeps the stored secret. When a setting that shapes the token
// changes (token URL, client id, secret or its reference, scopes and their
// separator, audience, resource, params, auth style, preset, issuer,
// response mapping, the key and certificate files and assertion settings),
// the cached token, the learned auth style and the last error are dropped.
func (s *Store) PutProvider(ctx context.Context, p providers.Provider) error {
	return s.PutProviders(ctx, []providers.Provider{p})
}

// PutProviders saves several providers in one transaction (an import): all
// or none. A backend that bounds the writes of one transaction (etcd takes
// 128) gets an import too large for it in batches, each all or none.
func (s *Store) PutProviders(ctx context.Context, ps []providers.Provider) error {
	for _, p := range ps {
		if !providers.ValidName(p.Name) {
			return fmt.Errorf("provider name %q is not valid: use lower-case letters, digits, '.', '_' and '-'", p.Name)
		}
	}
	return s.putProviders(ctx, ps)
}

// putProviders saves ps in one transaction or, when the backend finds it
// too large (it then wrote nothing), in two halves, each likewise.
func (s *Store) putProviders(ctx context.Context, ps []providers.Provider) error {
	err := s.update(ctx, func(tx kv.Tx) error {
		for _, p := range ps {
			if err := s.putProvider(tx, p); err != nil {
				return err
			}
		}
		return nil
	})
	if len(ps) < 2 || !errors.Is(err, kv.ErrTooLarge) {
		return err
	}
	half := len(ps) / 2
	if err := s.putProviders(ctx, ps[:half]); err != nil {
		return err
	}
	return s.putProviders(ctx, ps[half:])
}

func (s *Store) putProvider(tx kv.Tx, p providers.Provider) error {
	var old providers.Provider
	existed, err := s.getJSON(tx, bProviders, p.Name, &old)
	if err != nil {
		return err
	}
	secretChanged, err := s.putSecret(tx, p)
	if err != nil {
		return err
	}
	stored := p
	stored.ClientSecret = ""
	if err := putJSON(tx, bProviders, p.Name, stored); err != nil {
		return err
	}
	if existed && (secretChanged || settingsKey(old) != settingsKey(p)) {
		return s.forgetToken(tx, p.Name)
	}
	return nil
}

// putSecret applies PutProvider's secret rules and reports whether the
// secret the provider will use changed.
func (s *Store) putSecret(tx kv.Tx, p providers.Provider) (changed bool, err error) {
	oldSealed, err := getBytes(tx, bSecrets, p.Name)
	if err != nil {
		return false, err
	}
	switch {
	case p.ClientSecret != "":
		if oldSealed != nil {
			old, err := s.keys.open(oldSealed, "the client secret of "+p.Name)
			if err == nil && old == p.ClientSecret {
				return false, nil
			}
		}
		sealed, err := s.keys.seal(tx, p.ClientSecret)
		if err != nil {
			return false, err
		}
		return true, tx.Put(kv.P(bSecrets), []byte(p.Name), sealed)
	case p.ClientSecretRef != "":
		return oldSealed != nil, del(tx, bSecrets, p.Name)
	}
	return false, nil
}

// forgetToken drops the cached token and what was learned with the old
// settings.
func (s *Store) forgetToken(tx kv.Tx, name string) error {
	if err := del(tx, bTokens, name); err != nil {
		return err
	}
	var st stateRecord
	if _, err := s.getJSON(tx, bState, name, &st); err != nil {
		return err
	}
	if st.LastError == nil && st.AuthStyleLearned == "" {
		return nil
	}
	st.LastError, st.AuthStyleLearned = nil, ""
	return putJSON(tx, bState, name, st)
}

// settingsKey is what of a provider shapes its token, normalised (unset
// and default compare equal). The secret is compared separately.
func settingsKey(p providers.Provider) string {
	params := map[string]string{}
	maps.Copy(params, p.Params)
	var resp providers.ResponseMapping
	if p.Response != nil {
		resp = *p.Response
	}
	// The key files' paths (not their content) count too; they are
	// left out when unset, so older providers keep the key they had.
	type keyFiles struct {
		PrivateKeyFile, PrivateKeyKID, AssertionAlg, AssertionAudience string
		TLSCertFile, TLSKeyFile                                        string
	}
	var keys *keyFiles
	if k := (keyFiles{p.PrivateKeyFile, p.PrivateKeyKID, p.AssertionAlg, p.AssertionAudience, p.TLSCertFile, p.TLSKeyFile}); k != (keyFiles{}) {
		keys = &k
	}
	b, _ := json.Marshal(struct {
		TokenURL, Issuer, Preset, ClientID, SecretRef string
		Style                                         providers.AuthStyle
		Scopes                                        []string
		Separator, Audience, Resource                 string
		Params                                        map[string]string
		Response                                      providers.ResponseMapping
		Keys                                          *keyFiles       `json:",omitempty"`
		Grant                                         providers.Grant `json:",omitempty"`
	}{
		p.TokenURL, p.Issuer, p.Preset, p.ClientID, p.ClientSecretRef,
		p.Style(), append([]string{}, p.Scopes...), p.Separator(), p.Audience, p.Resource, params, resp, keys, p.Grant,
	})
	return string(b)
}

// getProvider reads the named provider's record; a missing one is an
// error wrapping ErrNotFound.
func (s *Store) getProvider(tx kv.Tx, name string) (providers.Provider, error) {
	var p providers.Provider
	ok, err := s.getJSON(tx, bProviders, name, &p)
	if err == nil && !ok {
		err = notFoundProvider(name)
	}
	return p, err
}

// Provider returns the named provider without its secret (ClientSecret is
// empty; see HasSecret and ProviderWithSecret). A missing provider gives
// an error wrapping ErrNotFound.
func (s *Store) Provider(ctx context.Context, name string) (providers.Provider, error) {
	var p providers.Provider
	err := s.view(ctx, func(tx kv.Tx) error {
		var err error
		p, err = s.getProvider(tx, name)
		return err
	})
	return p, err
}

// ProviderWithSecret returns the named provider with its stored secret
// decrypted into ClientSecret (empty when none is stored).
func (s *Store) ProviderWithSecret(ctx context.Context, name string) (providers.Provider, error) {
	var p providers.Provider
	var sealed []byte
	err := s.view(ctx, func(tx kv.Tx) error {
		var err error
		if p, err = s.getProvider(tx, name); err != nil {
			return err
		}
		sealed, err = getBytes(tx, bSecrets, name)
		return err
	})
	if err != nil || sealed == nil {
		return p, err
	}
	p.ClientSecret, err = s.keys.open(sealed, "the client secret of "+name)
	return p, err
}

// HasSecret reports whether a client secret is stored for the provider.
func (s *Store) HasSecret(ctx context.Context, name string) (bool, error) {
	var found bool
	err := s.view(ctx, func(tx kv.Tx) error {
		if err := hasProvider(tx, name); err != nil {
			return err
		}
		var err error
		found, err = has(tx, bSecrets, name)
		return err
	})
	return found, err
}

// Providers lists every provider, sorted by name, without secrets.
func (s *Store) Providers(ctx context.Context) ([]providers.Provider, error) {
	var ps []providers.Provider
	err := s.view(ctx, func(tx kv.Tx) error {
		ps = ps[:0] // a backend may run fn again
		return tx.Scan(kv.P(bProviders), kv.ScanOptions{}, func(k, v []byte) error {
			var p providers.Provider
			if err := json.Unmarshal(v, &p); err != nil {
				return corruptError(s.where, err, "its providers record of %s is unreadable: %v", k, err)
			}
			ps = append(ps, p)
			return nil
		})
	})
	// Scan goes in key order, which is name order; sort anyway so the
	// promise does not rest on the encoding.
	slices.SortFunc(ps, func(a, b providers.Provider) int { return cmp.Compare(a.Name, b.Name) })
	return ps, err
}

// DeleteProvider removes the provider and everything kept for it: secret,
// token, quota ledger, exchanges, state and lease.
func (s *Store) DeleteProvider(ctx context.Context, name string) error {
	return s.update(ctx, func(tx kv.Tx) error {
		if err := hasProvider(tx, name); err != nil {
			return err
		}
		for _, b := range []string{bProviders, bSecrets, bTokens, bState, bLeases} {
			if err := del(tx, b, name); err != nil {
				return err
			}
		}
		for _, b := range []string{bQuota, bExchanges} {
			if err := tx.DeleteBucket(kv.P(b, name)); err != nil {
				return err
			}
		}
		return nil
	})
}
